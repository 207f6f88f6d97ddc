"""Nomination upward ("trình lên cấp trên"): a lower level's best initiatives proposed to the campaign above."""
from flask import Blueprint

bp = Blueprint("nominations", __name__)
