"""Home, health and the audit log."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from thidua.main import views  # noqa: E402,F401
