"""The units directory."""
from flask import Blueprint

bp = Blueprint("units", __name__)
