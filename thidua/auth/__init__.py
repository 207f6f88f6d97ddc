"""Sign-in and accounts."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from thidua.auth import views  # noqa: E402,F401
