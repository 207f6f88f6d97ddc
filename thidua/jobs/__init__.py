"""Background jobs: RQ workers when REDIS_URL is set, in-process otherwise, through the same code."""
from flask import Blueprint

bp = Blueprint("jobs", __name__)
