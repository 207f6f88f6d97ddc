"""Đợt 2: the results report with indicators and evidence files."""
from flask import Blueprint

bp = Blueprint("results", __name__)

from thidua.results import services, views  # noqa: E402,F401  (services registers its workflow checks)
