"""The committee (Hội đồng): rubric, assignment, scoring, ranking and the shortlist."""
from flask import Blueprint

bp = Blueprint("review", __name__)

from thidua.review import office_views, reviewer_views, services  # noqa: E402,F401
