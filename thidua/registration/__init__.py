"""Đợt 1: units register their initiatives."""
from flask import Blueprint

bp = Blueprint("registration", __name__)

from thidua.registration import services, views  # noqa: E402,F401  (services registers its workflow checks)
