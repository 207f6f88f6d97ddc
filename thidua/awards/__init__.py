"""The award proposal list (danh sách đề nghị khen thưởng): compile, order, approve, decide, export."""
from flask import Blueprint

bp = Blueprint("awards", __name__)
