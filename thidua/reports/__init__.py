"""The campaign's reports: the report to UBND Thành phố, the period summary, the leaders' dashboard."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from thidua.reports import services, views  # noqa: E402,F401  (registers the routes and the job handler)
