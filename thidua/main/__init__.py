"""Home, health and the audit log."""
from flask import Blueprint

bp = Blueprint("main", __name__)
