"""The committee (Hội đồng): rubric, assignment, scoring, ranking and the shortlist."""
from flask import Blueprint

bp = Blueprint("review", __name__)
