"""Where the stages are joined to the workflow and to the job runner, in one visible place.

The workflow's table (thidua.workflow.TRANSITIONS) names what a move requires (`requires=`) and the
moves that do more than change the status; the functions behind those names live in the stage
that owns the records. `wire()`, called once by `create_app`, binds them, makes the notifications a
listener of every move, and says which function does the work of each kind of background job.
Nothing registers itself when imported: a module imported alone changes nothing, and a name left
unbound is caught by tests/test_stages.py instead of a KeyError in front of a user.
"""
from __future__ import annotations

from thidua import freeze, workflow
from thidua.awards import services as awards
from thidua.gallery import services as gallery
from thidua.imports import services as imports
from thidua.jobs import services as jobs
from thidua.notifications import delivery, events
from thidua.notifications import jobs as reminders
from thidua.registration import services as registration
from thidua.reports import services as reports
from thidua.results import permissions as results_permissions
from thidua.results import services as results
from thidua.review import permissions as review_permissions
from thidua.review import reminders as review_reminders
from thidua.review import services as review

# A named check on the initiative, which raises a WorkflowError saying what is missing.
REQUIREMENTS = {
    "registration_complete": registration.check_registration_complete,  # Đợt 1: the fields of the form
    "report_complete": results.check_report_complete,  # Đợt 2: the report, its indicators and evidence
    "reviews_complete": review.check_reviews_complete,  # every assigned member has sent a score sheet
    "award_decided": gallery.check_award_decided,  # the approved list's decision names the initiative
    "award_not_decided": gallery.check_award_not_decided,
}

# What else a move changes, by transition name: f(initiative, moment).
EFFECTS = {
    "report": results.mark_submitted,  # the report's submission time
    "resubmit": results.mark_submitted,
    "reopen_report": results.mark_reopened,
    "publish": gallery.show_entry,  # the gallery entry becomes public
    "unpublish": gallery.hide_entry,
}

# What freezes the earlier stages of a campaign (extensions, targets): the award list once submitted.
FROZEN_BY = (awards.list_frozen,)

# Which reviewers read an initiative's report and evidence: those the review stage assigned it to.
REVIEWER_READS = (review_permissions.is_assigned_reviewer,)

# Who hears of every move once it is made, in order.
LISTENERS = (events.initiative_moved,)  # the unit's people, the heads, the office (thidua.notifications.events)

# The function that does the work of each kind of job: f(job, progress) -> result.
JOB_HANDLERS = {
    reminders.SEND_REMINDERS: reminders.send_reminders,
    reminders.SEND_DUE_REMINDERS: reminders.send_due_reminders,
    delivery.DELIVER_MAIL: delivery.deliver_mail,
    review_reminders.SEND_REVIEW_REMINDERS: review_reminders.send_review_reminders,
    imports.IMPORT_FORMS: imports.run_import,
    reports.GENERATE_REPORT: reports.generate_report,
}


def wire() -> None:
    """Bind the tables above into the workflow and the job runner (idempotent)."""
    workflow.REQUIREMENTS.clear()
    workflow.REQUIREMENTS.update(REQUIREMENTS)
    workflow.EFFECTS.clear()
    workflow.EFFECTS.update(EFFECTS)
    workflow.LISTENERS[:] = LISTENERS
    freeze.FROZEN_BY[:] = FROZEN_BY
    results_permissions.REVIEWER_READS[:] = REVIEWER_READS
    jobs.HANDLERS.update(JOB_HANDLERS)
