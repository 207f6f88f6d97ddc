"""Campaigns: dates, participants, extensions; the secretariat's lists."""
from flask import Blueprint

bp = Blueprint("campaigns", __name__)

from thidua.campaigns import views  # noqa: E402,F401
