"""Who may open which route, derived from the URL map so that no new route escapes.

Every (route, method) is tried by every kind of user against a fresh world; the
expected outcome comes from thidua.access.ACCESS, plus the one record-level rule:
a unit never reads or changes another unit's initiative.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from thidua import create_app
from thidua.access import ACCESS, PUBLIC, SIGNED_IN
from thidua.audit import AuditLog
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.gallery.models import Adoption, GalleryEntry
from thidua.jobs.models import Job
from thidua.nominations.models import Nomination
from thidua.reports.models import CityReport
from thidua.results.models import EvidenceFile
from thidua.review.models import Assignment, CommendationLevel, CommitteeMember, Criterion
from thidua.targets.models import OutstandingPerson, Target, TargetEvidence, TargetRound, TargetValue
from thidua.registration.models import Initiative
from thidua.units.models import Unit
from thidua.workflow import State

from tests import factories
from tests.imports import helpers as import_helpers
from tests.conftest import Config

# The matrix is collected from an app built like the session's one (fixtures do not exist yet
# at collection time); test_matrix_is_built_from_the_url_map_of_the_app_under_test checks they agree.
_COLLECTION_APP = create_app(Config)
IGNORED_METHODS = {"HEAD", "OPTIONS"}

ROUTES = sorted(
    (rule.endpoint, rule.rule, method)
    for rule in _COLLECTION_APP.url_map.iter_rules()
    for method in sorted(rule.methods - IGNORED_METHODS)
)
RULES = {rule.rule: rule for rule in _COLLECTION_APP.url_map.iter_rules()}

# Who tries each route: the world's attribute holding that user (None: not signed in).
ROLES = {
    "anonymous": None,
    "unit_editor": "editor",
    "unit_head": "head",
    "other_unit_editor": "other_editor",
    "other_unit_head": "other_head",
    "reviewer": "reviewer",
    "other_reviewer": "other_reviewer",
    "secretariat": "secretariat",
    "leader": "leader",
}
OTHER_UNIT_ROLES = {"other_unit_editor", "other_unit_head"}
# A committee member without an assignment on the world's initiative: refused its record-level routes.
UNASSIGNED_REVIEWER_ROLES = {"other_reviewer"}
REVIEWER_RECORD_LEVEL = {"results.download", "review.score", "review.declare_conflict"}
# Routes about one initiative: the role gate lets every unit role through, the view refuses
# a unit other than the initiative's own.
RECORD_LEVEL = {"registration.detail", "registration.edit", "registration.transition",
                "results.edit", "results.upload", "results.remove", "results.download",
                "registration.delete", "targets.download", "targets.remove_file", "targets.person_edit",
                "targets.person_send", "targets.person_delete", "targets.person_upload", "targets.person_remove_file"}

# How to fill each URL argument. A route with an argument not listed here fails the suite.
ARGUMENTS = {
    "campaign_id": lambda w: w.campaign.id,
    "initiative_id": lambda w: w.initiative.id,
    "unit_id": lambda w: w.school.id,
    "user_id": lambda w: w.editor.id,
    "token": lambda w: "0" * 32,
    "filename": lambda w: "css/app.css",
    "job_id": lambda w: w.job.id,
    "file_id": lambda w: w.evidence.id,
    "assignment_id": lambda w: w.assignment.id,
    "report_id": lambda w: w.city_report.id,
    "entry_id": lambda w: w.gallery_entry.id,
    "slug": lambda w: w.gallery_entry.slug,
    "adoption_id": lambda w: w.adoption.id,
    "batch_id": lambda w: import_helpers.stub_batch(w),
    "session_id": lambda w: 0,
    "nomination_id": lambda w: w.nomination.id,
    "target_id": lambda w: w.target.id,
    "round_id": lambda w: w.target.round_id,
    "value_id": lambda w: w.target_value.id,
    "evidence_id": lambda w: w.target_evidence.id,
    "person_id": lambda w: w.person.id,
    "member_id": lambda w: w.member.id,
    "criterion_id": lambda w: w.criterion.id,
    "level_id": lambda w: w.level.id,
}

# Logging in checks the password; a one-round hash keeps hundreds of logins fast while the
# login itself still goes through the real form.
_FAST_HASH = generate_password_hash(factories.PASSWORD, method="pbkdf2:sha256:1")


def _fast_logins() -> None:
    db.session.execute(sa.update(User).values(password_hash=_FAST_HASH))
    db.session.commit()


@pytest.fixture
def world(world):
    """The shared world plus a draft initiative of world.school."""
    world.initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    world.job = Job(kind="send_reminders", title="Nhắc việc", status="done", campaign_id=world.campaign.id)
    db.session.add(world.job)
    db.session.flush()
    world.evidence = EvidenceFile(initiative_id=world.initiative.id, original_name="minh-chung.pdf",
                                  storage_key="0" * 40, content_type="application/pdf", size=1, sha256="0" * 64)
    db.session.add(world.evidence)
    # The world's reviewer is a committee member assigned to the initiative; another one is not.
    world.other_reviewer = factories.user(Role.REVIEWER, world.other_school, username="hoidong.khac")
    members = [CommitteeMember(campaign_id=world.campaign.id, user_id=member.id)
               for member in (world.reviewer, world.other_reviewer)]
    db.session.add_all(members)
    world.member = members[1]  # the one without assignments
    # A criterion of the rubric and a commendation level, for the routes that change one.
    world.criterion = Criterion(campaign_id=world.campaign.id, position=1, name="Tính mới, sáng tạo", max_score=100)
    world.level = CommendationLevel(campaign_id=world.campaign.id, position=1, name="Giấy khen của Giám đốc Sở")
    db.session.add_all([world.criterion, world.level])
    world.assignment = Assignment(campaign_id=world.campaign.id, initiative_id=world.initiative.id,
                                  reviewer_id=world.reviewer.id)
    db.session.add(world.assignment)
    world.city_report = CityReport(campaign_id=world.campaign.id, number=1)
    db.session.add(world.city_report)
    # The draft initiative's gallery row, not public: every public gallery URL must answer 404 for it.
    world.gallery_entry = GalleryEntry(initiative_id=world.initiative.id, unit_id=world.school.id, is_public=False,
                                       title=world.initiative.title, slug="ung-dung-chu-ky-so")
    db.session.add(world.gallery_entry)
    db.session.flush()
    world.adoption = Adoption(entry_id=world.gallery_entry.id, unit_id=world.other_school.id,
                              adopted_on=world.campaign.launch_date, note="Áp dụng")
    db.session.add(world.adoption)
    # A proposal made to the campaign (its source is the draft: accepting it is refused, never a 500).
    world.nomination = Nomination(campaign_id=world.campaign.id, source_id=world.initiative.id)
    db.session.add(world.nomination)
    # A target of the campaign, the school's draft value for it, and a file of evidence.
    round_ = TargetRound(campaign_id=world.campaign.id, name="Báo cáo cuối năm", deadline=world.campaign.report_deadline)
    db.session.add(round_)
    db.session.flush()
    world.target = Target(campaign_id=world.campaign.id, round_id=round_.id, name="Chữ ký số", measure="percent",
                          comparison="ge", threshold=100)
    db.session.add(world.target)
    db.session.flush()
    world.target_value = TargetValue(campaign_id=world.campaign.id, target_id=world.target.id,
                                     unit_id=world.school.id, value=100)
    db.session.add(world.target_value)
    db.session.flush()
    world.target_evidence = TargetEvidence(campaign_id=world.campaign.id, unit_id=world.school.id,
                                           value_id=world.target_value.id, original_name="chu-ky-so.pdf",
                                           storage_key="1" * 40, content_type="application/pdf", size=1,
                                           sha256="1" * 64)
    db.session.add(world.target_evidence)
    world.person = OutstandingPerson(campaign_id=world.campaign.id, unit_id=world.school.id, full_name="Lê Thị Hoa",
                                     achievements="Chữ ký số 100%")
    db.session.add(world.person)
    db.session.flush()
    _fast_logins()  # commits the initiative too
    return world


def build_url(endpoint: str, rule_text: str, world) -> str:
    rule = RULES[rule_text]
    unknown = set(rule.arguments) - set(ARGUMENTS)
    if unknown:
        pytest.fail(f"{endpoint} ({rule_text}) takes {sorted(unknown)}: add them to ARGUMENTS in {__file__}")
    values = {name: ARGUMENTS[name](world) for name in rule.arguments}
    _, url = rule.build(values, append_unknown=False)
    return url


def expected_outcome(endpoint: str, role: str, user) -> str:
    rule = ACCESS[endpoint]
    if rule == PUBLIC:
        return "public"
    if user is None:
        return "login"
    if rule == SIGNED_IN:
        return "allowed"
    if user.role not in rule:
        return "forbidden"
    if endpoint in RECORD_LEVEL and role in OTHER_UNIT_ROLES:
        return "forbidden"
    if endpoint in REVIEWER_RECORD_LEVEL and role in UNASSIGNED_REVIEWER_ROLES:
        return "forbidden"
    return "allowed"


def test_every_route_has_an_entry_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, f"routes without an access rule (refused to everyone): {missing}"


def test_the_access_table_has_no_entry_for_a_route_that_does_not_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(set(ACCESS) - endpoints)
    assert not stale, f"stale entries in thidua.access.ACCESS: {stale}"


def test_every_access_rule_is_public_signed_in_or_a_nonempty_set_of_roles():
    for endpoint, rule in ACCESS.items():
        assert rule in (PUBLIC, SIGNED_IN) or (isinstance(rule, frozenset) and rule), endpoint


def test_matrix_is_built_from_the_url_map_of_the_app_under_test(app):
    under_test = sorted(
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - IGNORED_METHODS)
    )
    assert under_test == ROUTES


def test_every_url_argument_of_every_route_has_a_value_to_fill_it(app):
    for rule in app.url_map.iter_rules():
        assert set(rule.arguments) <= set(ARGUMENTS), f"{rule.endpoint}: add {set(rule.arguments) - set(ARGUMENTS)}"


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize(("endpoint", "rule_text", "method"), ROUTES,
                         ids=[f"{endpoint}-{method}" for endpoint, _, method in ROUTES])
def test_route_answers_each_role_as_the_access_table_says(client, world, endpoint, rule_text, method, role):
    user = getattr(world, ROLES[role]) if ROLES[role] else None
    if user is not None:
        client.login(user)
    url = build_url(endpoint, rule_text, world)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.http.open(url, method=method, data={"csrf_token": client.csrf_token()})
    status = response.status_code
    where = f"{method} {url} as {role} -> {status}"
    assert status < 500, where
    expected = expected_outcome(endpoint, role, user)
    if expected == "public":
        assert status not in (401, 403), where
    elif expected == "login":
        assert status == 302, where
        assert response.headers["Location"].startswith("/dang-nhap"), where
    elif expected == "forbidden":
        assert status == 403, where
    else:
        assert status not in (401, 403), where
        if status == 302 and endpoint != "auth.logout":  # signing out lands on the login page by design
            assert not response.headers["Location"].startswith("/dang-nhap"), where


# --- a unit never reads or changes another unit's initiative ---------------------------------

def _edit_payload(initiative: Initiative, title: str) -> dict:
    return {
        "version": str(initiative.version),
        "kind": "giai_phap",
        "title": title,
        "area": "chinh_quyen_so",
        "novelty": "moi",
        "author_type": "tap_the",
        "collective_name": "Tổ Văn phòng",
        "start_date": "2024-09-01",
        "end_date": "2024-10-31",
    }


def _snapshot(initiative_id: int):
    db.session.expire_all()
    row = db.session.get(Initiative, initiative_id)
    audit_rows = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    return row.title, row.status, row.version, audit_rows


OTHER_UNIT = ["other_editor", "other_head"]


@pytest.mark.parametrize("intruder", OTHER_UNIT)
def test_other_unit_cannot_open_the_initiative(client, world, intruder):
    client.login(getattr(world, intruder))
    response = client.get(f"/sang-kien/{world.initiative.id}")
    assert response.status_code == 403
    assert world.initiative.title not in response.get_data(as_text=True)


@pytest.mark.parametrize("intruder", OTHER_UNIT)
def test_other_unit_cannot_open_the_edit_form(client, world, intruder):
    client.login(getattr(world, intruder))
    response = client.get(f"/sang-kien/{world.initiative.id}/sua")
    assert response.status_code == 403
    assert world.initiative.title not in response.get_data(as_text=True)


@pytest.mark.parametrize("intruder", OTHER_UNIT)
def test_other_unit_cannot_save_an_edit_and_nothing_changes(client, world, intruder):
    before = _snapshot(world.initiative.id)
    client.login(getattr(world, intruder))
    response = client.post(f"/sang-kien/{world.initiative.id}/sua", _edit_payload(world.initiative, "Bị sửa trộm"))
    assert response.status_code == 403
    assert _snapshot(world.initiative.id) == before


@pytest.mark.parametrize("intruder", OTHER_UNIT)
@pytest.mark.parametrize("target", [State.REGISTERED, State.WITHDRAWN])
def test_other_unit_cannot_change_the_state_and_nothing_changes(client, world, intruder, target):
    before = _snapshot(world.initiative.id)
    client.login(getattr(world, intruder))
    response = client.post(f"/sang-kien/{world.initiative.id}/trang-thai",
                           {"target": target.value, "reason": "Thử rút hồ sơ của đơn vị khác"})
    assert response.status_code == 403
    assert _snapshot(world.initiative.id) == before


def test_the_refused_edit_payload_is_accepted_from_the_own_unit(client, world):
    """Control: the cross-unit edit above fails for the unit, not for the payload."""
    client.login(world.editor)
    response = client.post(f"/sang-kien/{world.initiative.id}/sua", _edit_payload(world.initiative, "Đã sửa hợp lệ"))
    assert response.status_code == 302
    assert _snapshot(world.initiative.id)[0] == "Đã sửa hợp lệ"


def test_the_refused_transition_is_accepted_from_the_own_unit_head(client, world):
    """Control: the cross-unit transition above fails for the unit, not for the move."""
    client.login(world.head)
    response = client.post(f"/sang-kien/{world.initiative.id}/trang-thai", {"target": State.REGISTERED.value})
    assert response.status_code == 302
    assert _snapshot(world.initiative.id)[1] == State.REGISTERED.value


# --- CSRF ----------------------------------------------------------------------------------

def test_login_without_csrf_token_is_refused_and_nobody_is_signed_in(client, world):
    response = client.post("/dang-nhap", {"username": world.editor.username, "password": factories.PASSWORD},
                           token=False)
    assert response.status_code == 400
    assert client.get("/trang-chu").headers["Location"].startswith("/dang-nhap")
    db.session.expire_all()
    assert db.session.get(User, world.editor.id).last_login_at is None


def test_logout_without_csrf_token_is_refused_and_the_session_goes_on(client, world):
    client.login(world.editor)
    response = client.post("/dang-xuat", token=False)
    assert response.status_code == 400
    assert client.get("/tai-khoan").status_code == 200


def test_transition_without_csrf_token_is_refused_and_the_state_is_unchanged(client, world):
    before = _snapshot(world.initiative.id)
    client.login(world.head)
    response = client.post(f"/sang-kien/{world.initiative.id}/trang-thai", {"target": State.REGISTERED.value},
                           token=False)
    assert response.status_code == 400
    assert _snapshot(world.initiative.id) == before


def _new_unit_payload(world) -> dict:
    return {"code": "thcs-moi", "name": "Trường THCS Mới", "block": "Khối trực thuộc", "unit_type": "thcs",
            "parent_id": str(world.root.id)}


def _unit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


def test_new_unit_without_csrf_token_is_refused_and_no_unit_is_added(client, world):
    client.login(world.secretariat)
    units_before = _unit_count()
    response = client.post("/don-vi-truc-thuoc/moi", _new_unit_payload(world), token=False)
    assert response.status_code == 400
    assert _unit_count() == units_before


def test_the_refused_new_unit_is_added_when_the_token_is_present(client, world):
    """Control: the request above fails for the missing token only."""
    client.login(world.secretariat)
    units_before = _unit_count()
    response = client.post("/don-vi-truc-thuoc/moi", _new_unit_payload(world))
    assert response.status_code == 302
    assert _unit_count() == units_before + 1
