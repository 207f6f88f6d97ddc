"""Đợt 2: the results report with indicators and evidence files."""
from flask import Blueprint

bp = Blueprint("results", __name__)
