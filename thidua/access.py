"""Who may open which route: one table, enforced before every request.

Role gates live here; what depends on the record (a unit's own initiative) is
checked by the view with the predicates of its stage's permissions module. A route
missing from this table is refused for everyone, and the test suite fails on it.
"""
from __future__ import annotations

from flask import abort, current_app, request
from flask_login import current_user

from thidua.auth.roles import Role

PUBLIC = "public"
SIGNED_IN = "signed_in"

UNIT = frozenset({Role.UNIT_EDITOR, Role.UNIT_HEAD})
OFFICE = frozenset({Role.SECRETARIAT})
OFFICE_AND_LEADERS = frozenset({Role.SECRETARIAT, Role.LEADER})
INITIATIVE_READERS = frozenset({Role.UNIT_EDITOR, Role.UNIT_HEAD, Role.SECRETARIAT, Role.LEADER})

ACCESS: dict[str, str | frozenset[Role]] = {
    "static": PUBLIC,
    "main.index": PUBLIC,
    "main.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.users": OFFICE,
    "auth.user_new": OFFICE,
    "auth.user_edit": OFFICE,
    "auth.user_password": OFFICE,
    "main.home": SIGNED_IN,
    "main.audit_log": OFFICE_AND_LEADERS,
    "units.index": OFFICE_AND_LEADERS,
    "units.new": OFFICE,
    "units.edit": OFFICE,
    "units.toggle": OFFICE,
    "units.import_upload": OFFICE,
    "units.import_review": OFFICE,
    "units.import_apply": OFFICE,
    "campaigns.index": OFFICE_AND_LEADERS,
    "campaigns.new": OFFICE,
    "campaigns.detail": OFFICE_AND_LEADERS,
    "campaigns.edit": OFFICE,
    "campaigns.participants": OFFICE,
    "campaigns.extension_new": OFFICE,
    "campaigns.initiatives": OFFICE_AND_LEADERS,
    "campaigns.board": OFFICE_AND_LEADERS,
    "registration.dashboard": UNIT,
    "registration.new": UNIT,
    "registration.detail": INITIATIVE_READERS,
    "registration.edit": UNIT,
    "registration.transition": frozenset({Role.UNIT_HEAD, Role.SECRETARIAT}),
    "results.edit": UNIT,
    "results.upload": UNIT,
    "results.remove": UNIT,
    "results.download": frozenset({Role.UNIT_EDITOR, Role.UNIT_HEAD, Role.SECRETARIAT, Role.REVIEWER}),
    # review: the secretariat's pages
    "review.committee": OFFICE,
    "review.rubric": OFFICE,
    "review.levels": OFFICE,
    "review.assign": OFFICE,
    "review.progress": OFFICE_AND_LEADERS,
    "review.remind": OFFICE,
    "review.ranking": OFFICE_AND_LEADERS,
    "review.ranking_action": OFFICE,
    "review.export_scores": OFFICE,
    "review.export_ranking": OFFICE_AND_LEADERS,
    # review: the reviewer's pages
    "review.assignments": frozenset({Role.REVIEWER}),
    # The assigned reviewer scores; the secretariat reads the review and may reopen it (checked in the view).
    "review.score": frozenset({Role.REVIEWER, Role.SECRETARIAT}),
    "review.declare_conflict": frozenset({Role.REVIEWER}),
    "review.reopen": OFFICE,
    # awards: the secretariat compiles and edits the list, a leader approves it
    "awards.index": OFFICE_AND_LEADERS,
    "awards.compile_list": OFFICE,
    "awards.move": OFFICE,
    "awards.annotate": OFFICE,
    "awards.approve": frozenset({Role.LEADER}),
    "awards.reopen": OFFICE,
    "awards.decision": OFFICE,
    "awards.export_xlsx": OFFICE_AND_LEADERS,
    "awards.export_docx": OFFICE_AND_LEADERS,
    "jobs.detail": OFFICE_AND_LEADERS,
    "jobs.progress": OFFICE_AND_LEADERS,
    "jobs.retry": OFFICE,
    "notifications.reminders": OFFICE,
    "notifications.send_reminders": OFFICE,
    "notifications.mark_all_read": UNIT,
    # Google Forms answers of earlier years: the secretariat imports, leaders read the reports.
    "imports.index": OFFICE_AND_LEADERS,
    "imports.upload": OFFICE,
    "imports.review": OFFICE_AND_LEADERS,
    "imports.choose": OFFICE,
    "imports.apply": OFFICE,
}


def rule_for(endpoint: str | None):
    return ACCESS.get(endpoint) if endpoint else None


def enforce() -> None:
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 through
        return None
    rule = ACCESS.get(endpoint)
    if rule is None:
        current_app.logger.error("route %s has no entry in the access table", endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if rule == SIGNED_IN:
        return None
    if current_user.role not in rule:
        abort(403)
    return None
