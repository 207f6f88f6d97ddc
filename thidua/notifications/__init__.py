"""Reminders to units ("nhắc việc, đôn đốc") and the notifications on a unit's dashboard.

Importing the package registers the reminder job handlers (thidua.notifications.jobs)
and the `flask reminders ...` commands.
"""
from flask import Blueprint

bp = Blueprint("notifications", __name__, cli_group="reminders")

from thidua.notifications import cli, jobs, views  # noqa: E402,F401
