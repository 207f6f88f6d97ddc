"""Campaigns: dates, participants, extensions; the secretariat's lists."""
from flask import Blueprint

bp = Blueprint("campaigns", __name__)
