"""The campaign's targets (chỉ tiêu thi đua): defined by the office, reported by every unit, checked,
and the ground on which collectives are judged; with the units' outstanding individuals.

The package defines only its blueprint; create_app imports the views."""
from flask import Blueprint

bp = Blueprint("targets", __name__)
