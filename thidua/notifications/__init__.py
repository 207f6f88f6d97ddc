"""Reminders to units ("nhắc việc, đôn đốc") and the notifications on a unit's dashboard.

The package defines only its blueprint, whose command group is `flask reminders ...`
(thidua.notifications.cli); create_app imports the views and the commands.
"""
from flask import Blueprint

bp = Blueprint("notifications", __name__, cli_group="reminders")
