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
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.review.models import Assignment, CommitteeMember
from thidua.units.models import Unit

from tests import factories
from tests.test_access import ROUTES, RULES, _fast_logins, build_url, world  # noqa: F401 (the fixture)

STAFF = (Role.SECRETARIAT, Role.LEADER, Role.REVIEWER)
# Where the outsider's organiser stands from the world's Sở.
RELATIONS = ("below", "beside", "above")
ROLES = [f"{relation}_{role.value}" for relation in RELATIONS for role in STAFF] + [
    "below_unit_editor", "below_unit_head"]

# What each URL argument names: a record inside a campaign, or part of the directory and accounts.
CAMPAIGN_RECORDS = {"campaign_id", "initiative_id", "assignment_id", "report_id", "batch_id", "file_id",
                    "entry_id", "job_id", "nomination_id", "target_id", "round_id", "value_id", "evidence_id",
                    "person_id", "member_id", "criterion_id", "level_id"}
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
                        "results.upload", "results.remove", "results.download", "gallery.adoption_file",
                        "registration.delete", "targets.download", "targets.remove_file", "targets.person_edit",
                        "targets.person_send", "targets.person_delete", "targets.person_upload",
                        "targets.person_remove_file"}:
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


# --- the lists and the ids sent by forms ------------------------------------------------------------
@pytest.fixture
def ward_campaign(levels):
    ward = levels.organisers["below"]
    school = db.session.scalar(sa.select(Unit).where(Unit.code == "th-ba-dinh"))
    campaign = factories.campaign(ward, name="Phường Ba Đình: thi đua cải cách hành chính 2024",
                                  participants=[school])
    db.session.commit()
    return campaign


def _page(client, user, url: str) -> str:
    client.login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_each_organiser_lists_its_own_campaigns_and_the_one_above_also_those_below_marked_read_only(
        client, levels, ward_campaign):
    ward_page = _page(client, levels.outsiders["below_secretariat"], "/phong-trao")
    assert ward_campaign.name in ward_page and levels.campaign.name not in ward_page
    client.logout()
    sibling_page = _page(client, levels.outsiders["beside_secretariat"], "/phong-trao")
    assert ward_campaign.name not in sibling_page and levels.campaign.name not in sibling_page
    client.logout()
    so_page = _page(client, levels.secretariat, "/phong-trao")
    assert levels.campaign.name in so_page and ward_campaign.name in so_page
    assert "Cấp dưới: UBND phường Ba Đình (chỉ xem)" in so_page
    assert so_page.index(levels.campaign.name) < so_page.index(ward_campaign.name)  # its own first


def test_the_directory_and_the_accounts_of_a_ward_are_its_subtree_and_the_so_keeps_them_too(client, levels):
    ward_units = _page(client, levels.outsiders["below_secretariat"], "/don-vi-truc-thuoc")
    assert "Trường Tiểu học Ba Đình" in ward_units and "Trường THPT Chu Văn An" not in ward_units
    ward_accounts = _page(client, levels.outsiders["below_secretariat"], "/quan-tri/tai-khoan")
    assert "bd.canbo" in ward_accounts and "below.reviewer" in ward_accounts
    assert "cvan.canbo" not in ward_accounts and "vanphong" not in ward_accounts
    client.logout()
    so_units = _page(client, levels.secretariat, "/don-vi-truc-thuoc")
    assert "Trường Tiểu học Ba Đình" in so_units and "Trường THPT Chu Văn An" in so_units
    so_accounts = _page(client, levels.secretariat, "/quan-tri/tai-khoan")
    assert "bd.canbo" in so_accounts and "below.secretariat" in so_accounts and "above.secretariat" not in so_accounts


def _unit_form(**values) -> dict:
    form = {"code": "mn-hoa-sen", "name": "Trường Mầm non Hoa Sen", "short_name": "", "block": "Khối mầm non",
            "unit_type": "mn", "district": "Ba Đình", "email": "", "parent_id": "0"}
    form.update(values)
    return form


def test_a_ward_adds_units_only_below_itself_and_cannot_move_itself(client, levels):
    ward = levels.organisers["below"]
    client.login(levels.outsiders["below_secretariat"])
    for parent, message in ((levels.school.id, "Đơn vị cấp trên phải thuộc UBND phường Ba Đình."),
                            (0, "Chọn đơn vị cấp trên thuộc UBND phường Ba Đình.")):
        response = client.post("/don-vi-truc-thuoc/moi", _unit_form(parent_id=str(parent)))
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert message in page and "Trường Mầm non Hoa Sen" in page  # what was typed stays
    assert db.session.scalar(sa.select(Unit).where(Unit.code == "mn-hoa-sen")) is None
    assert client.post("/don-vi-truc-thuoc/moi", _unit_form(parent_id=str(ward.id))).status_code == 302
    moved = client.post(f"/don-vi-truc-thuoc/{ward.id}", _unit_form(
        code=ward.code, name=ward.name, unit_type=ward.unit_type, parent_id=str(levels.organisers["above"].id)))
    assert moved.status_code == 400
    assert "Không chuyển được đơn vị tổ chức phong trào của chính mình" in moved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, ward.id).parent_id == levels.root.id
    assert db.session.scalar(sa.select(Unit.parent_id).where(Unit.code == "mn-hoa-sen")) == ward.id
    # The directory file is the top's: the ward is told how to add its schools instead.
    response = client.get("/don-vi-truc-thuoc/nhap", follow_redirects=True)
    assert "Danh mục đơn vị từ tệp do cấp cao nhất nhập" in response.get_data(as_text=True)


def test_the_so_makes_a_ward_an_organiser_and_gives_it_a_secretariat(client, levels):
    client.login(levels.secretariat)
    response = client.post("/don-vi-truc-thuoc/moi", _unit_form(
        code="phuong-kim-ma", name="UBND phường Kim Mã", unit_type="ubnd_xa", block="", parent_id=str(levels.root.id),
        is_organiser="y"))
    assert response.status_code == 302
    ward = db.session.scalar(sa.select(Unit).where(Unit.code == "phuong-kim-ma"))
    assert ward.is_organiser
    response = client.post("/quan-tri/tai-khoan/moi", {
        "username": "kimma.vanphong", "full_name": "Lê Thu Hương", "job_title": "", "email": "", "phone": "",
        "role": "secretariat", "unit_id": "0", "organiser_id": str(ward.id), "password": "Matkhau-2024-moi",
        "is_active": "y"})
    assert response.status_code == 302
    account = db.session.scalar(sa.select(User).where(User.username == "kimma.vanphong"))
    assert account.organiser_id == ward.id


def test_a_ward_cannot_give_an_account_to_another_organiser_or_unit(client, levels):
    client.login(levels.outsiders["below_secretariat"])
    for extra, message in (({"role": "secretariat", "unit_id": "0", "organiser_id": str(levels.root.id)},
                            "Chọn một cấp tổ chức phong trào trong danh sách."),
                           ({"role": "unit_editor", "unit_id": str(levels.school.id), "organiser_id": "0"},
                            "Chọn một đơn vị trong danh sách.")):
        response = client.post("/quan-tri/tai-khoan/moi", {
            "username": "ai.do", "full_name": "Ai Đó", "job_title": "", "email": "", "phone": "",
            "password": "Matkhau-2024-moi", "is_active": "y", **extra})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "ai.do")) is None


def test_a_committee_is_made_of_the_organisers_own_reviewers(client, levels, ward_campaign):
    client.login(levels.outsiders["below_secretariat"])
    page = client.get(f"/phong-trao/{ward_campaign.id}/hoi-dong").get_data(as_text=True)
    assert "below.reviewer" in page or levels.outsiders["below_reviewer"].full_name in page
    assert levels.reviewer.full_name not in page
    before = db.session.scalar(sa.select(sa.func.count()).select_from(CommitteeMember))
    response = client.post(f"/phong-trao/{ward_campaign.id}/hoi-dong/thanh-vien/them", {
        "csrf_token": client.csrf_token(), "user_id": str(levels.reviewer.id)}, follow_redirects=True)
    assert "Hội đồng của UBND phường Ba Đình chỉ gồm tài khoản làm việc cho UBND phường Ba Đình" in response.get_data(
        as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommitteeMember)) == before


def test_the_audit_log_dashboard_and_period_summary_of_a_ward_hold_only_its_records(client, levels, ward_campaign):
    ward_secretariat = levels.outsiders["below_secretariat"]
    log = _page(client, ward_secretariat, "/nhat-ky")
    assert levels.campaign.name not in log
    client.logout()
    dashboard = _page(client, levels.outsiders["below_leader"], "/lanh-dao")
    assert ward_campaign.name in dashboard and levels.campaign.name not in dashboard
    client.logout()
    so_dashboard = _page(client, levels.leader, "/lanh-dao")
    assert levels.campaign.name in so_dashboard
    client.logout()
    summary = _page(client, ward_secretariat, "/tong-ket")
    assert levels.campaign.name not in summary
    client.logout()
    client.login(ward_secretariat)
    assert client.get("/he-thong").status_code == 403  # the installation's health is the top's
