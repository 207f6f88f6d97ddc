"""The campaign's reports: the report to UBND Thành phố, the period summary, the leaders' dashboard."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
