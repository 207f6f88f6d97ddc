"""Đợt 1: units register their initiatives."""
from flask import Blueprint

bp = Blueprint("registration", __name__)
