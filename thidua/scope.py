"""Which organiser's records an account may see and change.

Every node of the unit tree marked `is_organiser` runs its own campaigns with its own secretariat,
leaders and committee. A staff account (secretariat, leader, reviewer) acts for one organiser
(`User.organiser_id`):

- it changes that organiser's campaigns and everything in them, and the directory and accounts of
  the organiser's subtree (the Sở keeps the whole tree; a ward keeps its schools);
- a secretariat or leader account *reads* (GET only) the campaigns of organisers below its own;
- anything else is refused.

`check_request` applies this to every URL argument naming a record, before the view runs
(`thidua.access.enforce` calls it after the role gate), so a view never sees a record outside its
scope; the lists a view builds use the conditions below (`own_campaigns`, `kept_units`, ...).
Unit accounts are left to the record-level rules of each stage (a unit only ever sees its own).
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from enum import Enum

import sqlalchemy as sa
from flask import abort, g, request

from thidua.auth.roles import Role
from thidua.extensions import db

STAFF_ROLES = frozenset({Role.SECRETARIAT, Role.LEADER, Role.REVIEWER})
# Who reads the campaigns of the organisers below their own.
READERS_BELOW = frozenset({Role.SECRETARIAT, Role.LEADER})


class Access(Enum):
    CHANGE = "change"
    READ = "read"


def is_staff(user) -> bool:
    return user is not None and getattr(user, "role", None) in STAFF_ROLES


def organiser_id(user) -> int | None:
    """The organiser a staff account acts for (None for a unit account)."""
    return user.organiser_id if is_staff(user) else None


def _below_ids(top_id: int | None, name: str = "scope_subtree"):
    """The ids of the units of `top_id`'s subtree, as a subquery (`name`: its CTE's, unique in a statement)."""
    from thidua.units.models import subtree_ids
    return subtree_ids(top_id, name=name) if top_id else sa.select(sa.null())


def subtree(top_id: int) -> frozenset[int]:
    """The ids of `top_id` and every unit below it, read once per request."""
    cache = g.setdefault("_scope_subtrees", {})
    if top_id not in cache:
        cache[top_id] = frozenset(db.session.scalars(_below_ids(top_id)))
    return cache[top_id]


def acts_for_the_top(user) -> bool:
    """The account acts for a root of the tree (the installation's own organiser)."""
    from thidua.units.models import Unit
    if not is_staff(user) or user.organiser_id is None:
        return False
    organiser = db.session.get(Unit, user.organiser_id)
    return organiser is not None and organiser.parent_id is None


def within(unit_id: int | None, top_id: int | None) -> bool:
    """`unit_id` is `top_id` or below it in the tree."""
    return unit_id is not None and top_id is not None and unit_id in subtree(top_id)


# --- campaigns --------------------------------------------------------------------------------
def campaign_access(user, campaign) -> Access | None:
    """What `user` may do with `campaign` (a Campaign, or its organiser's id)."""
    if not is_staff(user):
        return Access.CHANGE  # unit accounts: the stages' own rules decide
    campaign_organiser = campaign if isinstance(campaign, int) else campaign.organiser_id
    mine = user.organiser_id
    if mine is None:
        return None
    if campaign_organiser == mine:
        return Access.CHANGE
    if user.role in READERS_BELOW and within(campaign_organiser, mine):
        return Access.READ
    return None


def can_read_campaign(user, campaign) -> bool:
    return campaign_access(user, campaign) is not None


def can_change_campaign(user, campaign) -> bool:
    return campaign_access(user, campaign) is Access.CHANGE


def own_campaigns(user):
    """The condition on Campaign: the campaigns `user`'s organiser runs."""
    from thidua.campaigns.models import Campaign
    return Campaign.organiser_id == user.organiser_id


def readable_campaigns(user):
    """The condition on Campaign: its own organiser's, and (for a secretariat or leader) those below."""
    from thidua.campaigns.models import Campaign
    if user.role not in READERS_BELOW:
        return own_campaigns(user)
    return Campaign.organiser_id.in_(_below_ids(user.organiser_id, "readable_subtree"))


# --- the directory and the accounts -------------------------------------------------------------
def keeps_unit(user, unit_id: int | None) -> bool:
    """The unit is in the subtree of the organiser `user` acts for."""
    return is_staff(user) and within(unit_id, user.organiser_id)


def kept_units(user):
    """The condition on Unit: the units of `user`'s organiser's subtree."""
    from thidua.units.models import Unit
    return Unit.id.in_(_below_ids(user.organiser_id, "kept_subtree"))


def keeps_account(user, account) -> bool:
    """A staff account of an organiser of the subtree, or a unit account of a unit of it."""
    if not is_staff(user):
        return False
    return within(account.organiser_id if is_staff(account) else account.unit_id, user.organiser_id)


def kept_accounts(user):
    """The condition on User: the accounts `user`'s organiser keeps (see keeps_account)."""
    from thidua.auth.models import User
    below = _below_ids(user.organiser_id, "accounts_subtree")
    return sa.or_(sa.and_(User.role.in_([r.value for r in STAFF_ROLES]), User.organiser_id.in_(below)),
                  sa.and_(User.role.not_in([r.value for r in STAFF_ROLES]), User.unit_id.in_(below)))


# --- URL arguments ------------------------------------------------------------------------------
# Each argument naming a record resolves to what decides its scope: ("campaign", organiser id) for
# a record inside a campaign, ("unit", unit id) for the directory, ("account", User) for accounts.
# None: no such record (the view answers 404).
Target = tuple[str, object] | None


def _held(record):
    """Keep `record` alive for the request: the session's identity map holds objects weakly, and the
    view reading the same record by id then finds it there instead of querying again."""
    if record is not None:
        g.setdefault("_scope_records", []).append(record)
    return record


def _campaign(campaign_id: int) -> Target:
    from thidua.campaigns.models import Campaign
    campaign = _held(db.session.get(Campaign, campaign_id))
    return ("campaign", campaign.organiser_id) if campaign else None


def _via_campaign(column, key) -> Callable[[int], Target]:
    """A record whose campaign is read through one query (`column` selects the campaign's organiser)."""
    def resolve(record_id: int) -> Target:
        organiser = db.session.scalar(column.where(key == record_id))
        return ("campaign", organiser) if organiser is not None else None
    return resolve


def _initiative(initiative_id: int) -> Target:
    """Through the identity map: the view reads the same initiative and campaign at no extra cost."""
    from thidua.registration.models import Initiative
    initiative = _held(db.session.get(Initiative, initiative_id))
    return _campaign(initiative.campaign_id) if initiative else None


@functools.cache
def _resolvers() -> dict[str, Callable[[int], Target]]:
    from thidua.auth.models import User
    from thidua.campaigns.models import Campaign
    from thidua.gallery.models import Adoption, GalleryEntry
    from thidua.imports.models import ImportBatch
    from thidua.jobs.models import Job
    from thidua.nominations.models import Nomination
    from thidua.registration.models import Initiative
    from thidua.reports.models import CityReport
    from thidua.results.models import EvidenceFile
    from thidua.review.models import Assignment, CommendationLevel, CommitteeMember, Criterion
    from thidua.targets.models import OutstandingPerson, Target, TargetEvidence, TargetRound, TargetValue

    organiser = sa.select(Campaign.organiser_id)
    by_initiative = organiser.join(Initiative, Initiative.campaign_id == Campaign.id)

    def job(job_id: int) -> Target:
        row = db.session.execute(sa.select(Job.campaign_id, Job.created_by_id).where(Job.id == job_id)).first()
        if row is None:
            return None
        if row.campaign_id is not None:
            return _campaign(row.campaign_id)
        creator = db.session.get(User, row.created_by_id) if row.created_by_id else None
        return ("account", creator) if creator is not None else ("root", None)

    def account(user_id: int) -> Target:
        user = db.session.get(User, user_id)
        return ("account", user) if user else None

    def unit(unit_id: int) -> Target:
        return ("unit", unit_id)

    def adoption(adoption_id: int) -> Target:
        unit_id = db.session.scalar(sa.select(Adoption.unit_id).where(Adoption.id == adoption_id))
        return ("unit", unit_id) if unit_id is not None else None

    return {
        "campaign_id": _campaign,
        "initiative_id": _initiative,
        "assignment_id": _via_campaign(organiser.join(Assignment, Assignment.campaign_id == Campaign.id),
                                       Assignment.id),
        "report_id": _via_campaign(organiser.join(CityReport, CityReport.campaign_id == Campaign.id),
                                   CityReport.id),
        "batch_id": _via_campaign(organiser.join(ImportBatch, ImportBatch.campaign_id == Campaign.id),
                                  ImportBatch.id),
        "file_id": _via_campaign(by_initiative.join(EvidenceFile, EvidenceFile.initiative_id == Initiative.id),
                                 EvidenceFile.id),
        "entry_id": _via_campaign(by_initiative.join(GalleryEntry, GalleryEntry.initiative_id == Initiative.id),
                                  GalleryEntry.id),
        "nomination_id": _via_campaign(organiser.join(Nomination, Nomination.campaign_id == Campaign.id),
                                       Nomination.id),
        "target_id": _via_campaign(organiser.join(Target, Target.campaign_id == Campaign.id), Target.id),
        "round_id": _via_campaign(organiser.join(TargetRound, TargetRound.campaign_id == Campaign.id),
                                  TargetRound.id),
        "value_id": _via_campaign(organiser.join(TargetValue, TargetValue.campaign_id == Campaign.id),
                                  TargetValue.id),
        "evidence_id": _via_campaign(organiser.join(TargetEvidence, TargetEvidence.campaign_id == Campaign.id),
                                     TargetEvidence.id),
        "person_id": _via_campaign(organiser.join(OutstandingPerson, OutstandingPerson.campaign_id == Campaign.id),
                                   OutstandingPerson.id),
        "member_id": _via_campaign(organiser.join(CommitteeMember, CommitteeMember.campaign_id == Campaign.id),
                                   CommitteeMember.id),
        "criterion_id": _via_campaign(organiser.join(Criterion, Criterion.campaign_id == Campaign.id), Criterion.id),
        "level_id": _via_campaign(organiser.join(CommendationLevel, CommendationLevel.campaign_id == Campaign.id),
                                  CommendationLevel.id),
        "job_id": job,
        "user_id": account,
        "unit_id": unit,
        "adoption_id": adoption,
    }


# URL arguments that name nothing an organiser owns (checked by their own views, or not records).
NOT_RECORDS = frozenset({"token", "filename", "slug", "session_id"})


def resolved_arguments() -> frozenset[str]:
    return frozenset(_resolvers())


def _access(user, target: Target) -> Access | None:
    kind, value = target
    if kind == "campaign":
        return campaign_access(user, value)
    if kind == "unit":
        return Access.CHANGE if keeps_unit(user, value) else None
    if kind == "account":
        if value.id == user.id or keeps_account(user, value):
            return Access.CHANGE
        return None
    # a job started by no account (the daily run): the top organiser's
    return Access.CHANGE if acts_for_the_top(user) else None


def check_request(user) -> None:
    """Refuse (403) a staff account's request naming a record outside its organiser's scope.

    Reading a campaign below gives GET only; `g.read_only_organiser` then names its organiser for
    the page's banner. A record that does not exist is left to the view (404).
    """
    if not is_staff(user) or not request.view_args:
        return
    resolvers = _resolvers()
    for name, value in request.view_args.items():
        if name in NOT_RECORDS or not isinstance(value, int):
            continue
        if name not in resolvers:  # a new URL argument nobody placed: refused (and the suite fails on it)
            abort(403)
        target = resolvers[name](value) if -2**31 <= value < 2**31 else None
        if target is None:
            continue
        access = _access(user, target)
        if access is None:
            abort(403)
        if access is Access.READ:
            if request.method not in ("GET", "HEAD"):
                abort(403)
            g.read_only_organiser = target[1]
