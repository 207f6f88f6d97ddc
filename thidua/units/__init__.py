"""The units directory."""
from flask import Blueprint

bp = Blueprint("units", __name__)

from thidua.units import views  # noqa: E402,F401
