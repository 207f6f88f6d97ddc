"""The award proposal list (danh sách đề nghị khen thưởng): compile, order, approve, decide, export."""
from flask import Blueprint

bp = Blueprint("awards", __name__)

from thidua.awards import views  # noqa: E402,F401
