from flask import Blueprint

bp = Blueprint("imports", __name__)

from thidua.imports import views  # noqa: E402,F401
