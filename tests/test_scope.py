"""Each organiser's records are its own: every route, tried by every role of another organiser.

The world of tests/test_access.py (a Sở with a campaign, an initiative, its files, an assignment, a
report, a job...) is placed in a tree of organisers: UBND Thành phố above it, another Sở beside it,
a ward below it. Each of them has its own secretariat, leader and committee member (assigned on the
Sở's initiative, so that only the organiser's scope stands between them and it), and the ward has
a school with its own unit accounts. The expected outcome of every (route, method, role) comes from
the URL arguments the route takes, so a new route is covered the day it is added.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from thidua import scope
from thidua.access import ACCESS, PUBLIC
from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.review.models import Assignment, CommitteeMember

from tests import factories
from tests.test_access import ROUTES, RULES, _fast_logins, build_url, world  # noqa: F401 (the fixture)

STAFF = (Role.SECRETARIAT, Role.LEADER, Role.REVIEWER)
# Where the outsider's organiser stands from the world's Sở.
RELATIONS = ("below", "beside", "above")
ROLES = [f"{relation}_{role.value}" for relation in RELATIONS for role in STAFF] + [
    "below_unit_editor", "below_unit_head"]

# What each URL argument names: a record inside a campaign, or part of the directory and accounts.
CAMPAIGN_RECORDS = {"campaign_id", "initiative_id", "assignment_id", "report_id", "batch_id", "file_id",
                    "entry_id", "job_id", "nomination_id"}
DIRECTORY_RECORDS = {"unit_id", "user_id", "adoption_id"}


@pytest.fixture
def levels(world):
    """The world's Sở under UBND Thành phố, beside another Sở, above a ward with a school."""
    world.root.is_organiser = True
    top = factories.unit(code="ubnd-tp", name="UBND Thành phố Hà Nội", block="", unit_type="ubnd")
    world.root.parent_id = top.id
    beside = factories.unit(code="so-gddt-hp", name="Sở Giáo dục và Đào tạo Hải Phòng", block="", unit_type="so",
                            parent=top, is_organiser=True)
    ward = factories.unit(code="phuong-ba-dinh", name="UBND phường Ba Đình", block="", unit_type="ubnd_xa",
                          parent=world.root, is_organiser=True)
    ward_school = factories.unit(code="th-ba-dinh", name="Trường Tiểu học Ba Đình", unit_type="th", parent=ward)
    world.organisers = {"above": top, "beside": beside, "below": ward}
    world.outsiders = {}
    for relation, organiser in world.organisers.items():
        for role in STAFF:
            world.outsiders[f"{relation}_{role.value}"] = factories.user(
                role, organiser, organiser=organiser, username=f"{relation}.{role.value}")
    world.outsiders["below_unit_editor"] = factories.user(Role.UNIT_EDITOR, ward_school, username="bd.canbo")
    world.outsiders["below_unit_head"] = factories.user(Role.UNIT_HEAD, ward_school, username="bd.hieutruong")
    for relation in RELATIONS:  # committee members of the Sở's campaign by a slip of the data: still refused
        reviewer = world.outsiders[f"{relation}_reviewer"]
        db.session.add(CommitteeMember(campaign_id=world.campaign.id, user_id=reviewer.id))
        db.session.add(Assignment(campaign_id=world.campaign.id, initiative_id=world.initiative.id,
                                  reviewer_id=reviewer.id))
    db.session.flush()
    _fast_logins()
    return world


def _kinds(rule_text: str) -> set[str]:
    arguments = set(RULES[rule_text].arguments) - scope.NOT_RECORDS
    return {"campaign" if name in CAMPAIGN_RECORDS else "directory" for name in arguments}


def expected(endpoint: str, rule_text: str, method: str, role_name: str) -> str:
    """"refused" or "allowed" for an outsider, from the records the route's URL names."""
    relation, _, role = role_name.partition("_")
    rule = ACCESS[endpoint]
    if isinstance(rule, frozenset) and Role(role) not in rule:
        return "refused"  # the role gate, as for everyone
    kinds = _kinds(rule_text)
    if relation == "above" and Role(role) in scope.READERS_BELOW:
        if "campaign" in kinds and method != "GET":
            return "refused"  # an organiser above reads the campaigns below, never changes them
        return "allowed"  # ...and keeps the directory and the accounts of its whole subtree
    if relation == "above" and "campaign" not in kinds:
        return "allowed"
    return "refused"


# Routes naming at least one record of the Sở, as their URL arguments say.
RECORD_ROUTES = [(endpoint, rule_text, method) for endpoint, rule_text, method in ROUTES
                 if ACCESS.get(endpoint) != PUBLIC and _kinds(rule_text)]


def test_every_url_argument_naming_a_record_is_placed_in_an_organisers_scope(app):
    for rule in app.url_map.iter_rules():
        if ACCESS.get(rule.endpoint) == PUBLIC:
            continue
        unplaced = set(rule.arguments) - scope.NOT_RECORDS - scope.resolved_arguments()
        assert not unplaced, f"{rule.endpoint}: {sorted(unplaced)} is in no organiser's scope (thidua.scope)"
        assert set(rule.arguments) - scope.NOT_RECORDS <= CAMPAIGN_RECORDS | DIRECTORY_RECORDS, rule.endpoint


@pytest.mark.parametrize("role_name", ROLES)
@pytest.mark.parametrize(("endpoint", "rule_text", "method"), RECORD_ROUTES,
                         ids=[f"{endpoint}-{method}" for endpoint, _, method in RECORD_ROUTES])
def test_an_account_of_another_organiser_reaches_a_record_only_as_its_place_in_the_tree_allows(
        client, levels, endpoint, rule_text, method, role_name):
    user = levels.outsiders[role_name]
    client.login(user)
    url = build_url(endpoint, rule_text, levels)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    if method == "GET":
        response = client.get(url)
    else:
        response = client.http.open(url, method=method, data={"csrf_token": client.csrf_token()})
    where = f"{method} {url} as {role_name} -> {response.status_code}"
    assert response.status_code < 500, where
    outcome = "allowed" if role_name.endswith(("unit_editor", "unit_head")) else expected(
        endpoint, rule_text, method, role_name)
    if outcome == "refused":
        assert response.status_code in (403, 404), where
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before, where
    elif role_name.endswith(("unit_editor", "unit_head")):
        # A unit of the ward is a unit like any other: it never reaches another unit's records.
        if endpoint in {"registration.detail", "registration.edit", "registration.transition", "results.edit",
                        "results.upload", "results.remove", "results.download", "gallery.adoption_file"}:
            assert response.status_code in (403, 404), where
    else:
        assert response.status_code not in (403,), where


def test_the_organiser_above_reads_a_campaign_below_with_a_banner_and_no_buttons(client, levels):
    client.login(levels.outsiders["above_secretariat"])
    response = client.get(f"/phong-trao/{levels.campaign.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Phong trào của cấp dưới" in page
    assert levels.root.name in page


def test_without_the_scope_check_an_outsider_would_reach_the_records(client, levels, monkeypatch):
    """The refusals above come from thidua.scope, not from the role gate or the views."""
    monkeypatch.setattr(scope, "check_request", lambda user: None)
    client.login(levels.outsiders["below_secretariat"])
    assert client.get(f"/phong-trao/{levels.campaign.id}").status_code == 200
