"""Sign-in and accounts."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
