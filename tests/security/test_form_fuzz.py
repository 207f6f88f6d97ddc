"""Forms fuzzed with hypothesis: any value in any field never gives a 500, and a refused post saves nothing.

Each example posts a valid form with one field replaced by a hostile value (unicode, control
characters, very long, empty, the wrong type). The outcome is either accepted (a redirect) or
refused with the form shown again; refused, every table has exactly the rows it had and the
edited record its version.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.reports.models import ReportDraft
from thidua.results.models import ResultReport
from thidua.workflow import State

from tests import factories
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401  (the real local SMTP server)
from tests.results.conftest import REPORT

HOSTILE = st.one_of(
    st.text(max_size=40),  # any unicode, surrogates excluded by hypothesis
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=10),
    st.sampled_from(["", " ", "\u200b", "\ufeff", "\u202e", "null", "None", "-1", "0", "1e309", "NaN", "Infinity",
                     "9" * 40, "-9" * 20, "1,5,5", "31/02/2024", "2024-02-30", "0000-00-00", "2024-13-01",
                     "abc", "[]", "{}", "true", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd",
                     "=cmd|' /C calc'!A0", "🎉" * 50]),
    st.integers(min_value=1000, max_value=20000).map(lambda n: "Đ" * n),  # very long
)
FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def row_counts() -> dict[str, int]:
    db.session.rollback()
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name != "login_failure"}


def post_one(client, url: str, valid: dict, field: str, value: str, version=None):
    before = row_counts()
    version_before = version() if version else None
    data = {**valid, field: value}
    if version:
        data["version"] = str(version_before)
    response = client.post(url, data)
    assert response.status_code < 500, f"{field}={value[:60]!r} -> {response.status_code}"
    if response.status_code != 302:
        assert row_counts() == before, f"refused {field}={value[:60]!r} but rows changed"
        if version:
            assert version() == version_before, f"refused {field}={value[:60]!r} but the record changed"
    return response


@pytest.fixture
def signed_in(client, world):
    def sign(user):
        client.login(user)
        return client
    return sign


INITIATIVE = {"kind": "giai_phap", "title": "Số hóa hồ sơ", "area": "chinh_quyen_so", "novelty": "moi",
              "author_type": "tap_the", "collective_name": "Tổ Văn phòng", "start_date": "2024-09-01",
              "end_date": "2024-10-31", "need": "Cần", "objectives": "Mục tiêu", "content": "Nội dung",
              "expected_results": "Kết quả", "people_in_charge": "Cô Loan", "contact_phone": "0912345678"}


@given(field=st.sampled_from(sorted(INITIATIVE) + ["authors-0-full_name", "authors-0-contribution", "version"]),
       value=HOSTILE)
@FUZZ
def test_registration_new(signed_in, world, field, value):
    client = signed_in(world.editor)
    post_one(client, f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi", INITIATIVE, field, value)


@given(field=st.sampled_from(sorted(INITIATIVE)), value=HOSTILE)
@FUZZ
def test_registration_edit(signed_in, world, field, value):
    if not hasattr(world, "draft"):
        world.draft = factories.initiative(world.campaign, world.school, actor=world.editor).id
        db.session.commit()
    client = signed_in(world.editor)
    post_one(client, f"/sang-kien/{world.draft}/sua", INITIATIVE, field, value,
             version=lambda: db.session.get(Initiative, world.draft).version)


UNIT = {"code": "thcs-moi", "name": "Trường THCS Mới", "block": "Khối trực thuộc", "unit_type": "thcs",
        "district": "Ba Đình", "email": "thcs@example.edu.vn"}


@given(field=st.sampled_from(sorted(UNIT) + ["parent_id"]), value=HOSTILE)
@FUZZ
def test_unit_new(signed_in, world, field, value):
    client = signed_in(world.secretariat)
    post_one(client, "/don-vi-truc-thuoc/moi", {**UNIT, "parent_id": str(world.root.id)}, field, value)


ACCOUNT = {"username": "nguoi.moi", "full_name": "Người Mới", "job_title": "Chuyên viên", "email": "a@b.vn",
           "phone": "0912345678", "role": "secretariat", "unit_id": "0", "password": "matkhau-rat-dai-2024",
           "is_active": "y"}


@given(field=st.sampled_from(sorted(ACCOUNT)), value=HOSTILE)
@FUZZ
def test_account_new(signed_in, world, field, value):
    client = signed_in(world.secretariat)
    post_one(client, "/quan-tri/tai-khoan/moi", ACCOUNT, field, value)


@given(field=st.sampled_from(["username", "password", "remember"]), value=HOSTILE)
@FUZZ
def test_sign_in(client, world, field, value):
    post_one(client, "/dang-nhap", {"username": world.editor.username, "password": "sai-mat-khau-9"}, field, value)


@given(field=st.sampled_from(["head", "editor", "block"]), value=HOSTILE)
@FUZZ
def test_bulk_accounts(signed_in, world, field, value):
    """Accepted, the answer is the workbook (200); refused, the form again with nothing made."""
    client = signed_in(world.secretariat)
    before = row_counts()
    response = client.post("/quan-tri/tai-khoan/hang-loat", {"head": "y", "editor": "y", "block": "", field: value})
    assert response.status_code < 500, f"{field}={value[:60]!r} -> {response.status_code}"
    if not response.mimetype.endswith("spreadsheetml.sheet"):
        assert row_counts() == before, f"refused {field}={value[:60]!r} but rows changed"


@given(value=HOSTILE)
@FUZZ
def test_forgotten_password(client, world, smtp, value):
    post_one(client, "/quen-mat-khau", {"login": world.editor.username}, "login", value)


@given(field=st.sampled_from(["new_password", "confirm"]), value=HOSTILE)
@FUZZ
def test_password_reset_link(client, world, field, value):
    from thidua.auth.services import request_password_reset

    world.editor.email = "trang@thidua-demo.edu.vn"
    _, token = request_password_reset(world.editor.username)
    db.session.commit()
    post_one(client, f"/dat-lai-mat-khau/{token}", {"new_password": "matkhau-moi-2025", "confirm": "matkhau-moi-2025"},
             field, value)


CAMPAIGN = {"name": "Phong trào 2025", "year": "2025", "period": "2023–2025", "plan_reference": "KH số 1",
            "description": "Mô tả", "launch_date": "2025-03-01", "registration_deadline": "2025-08-25",
            "report_deadline": "2025-10-31", "city_report_deadline": "2025-11-15", "min_initiatives_per_unit": "1"}


@given(field=st.sampled_from(sorted(CAMPAIGN)), value=HOSTILE)
@FUZZ
def test_campaign_new(signed_in, world, field, value):
    client = signed_in(world.secretariat)
    post_one(client, "/phong-trao/moi", CAMPAIGN, field, value)


@given(field=st.sampled_from(sorted(REPORT) + ["indicators-5-name", "indicators-0-before"]), value=HOSTILE)
@FUZZ
def test_results_report(signed_in, world, clock, field, value):
    if not hasattr(world, "registered"):
        world.registered = factories.initiative(world.campaign, world.school, actor=world.editor,
                                                status=State.REGISTERED).id
        db.session.commit()
    clock.at(datetime.combine(world.campaign.registration_deadline + timedelta(days=5), time(9, 0)))
    client = signed_in(world.editor)

    def version():
        report = db.session.scalar(sa.select(ResultReport).where(ResultReport.initiative_id == world.registered))
        return report.version if report else ""

    post_one(client, f"/sang-kien/{world.registered}/bao-cao", REPORT, field, value, version=version)


DRAFT = {"number": "125/BC-SGDĐT", "intro": "Mở đầu", "deployment": "Triển khai", "assessment": "Đánh giá",
         "limitations": "Hạn chế", "proposals": "Kiến nghị", "recipients": "UBND Thành phố",
         "signer_title": "GIÁM ĐỐC", "signer_name": "Trần Thế Cương"}


@given(field=st.sampled_from(sorted(DRAFT)), value=HOSTILE)
@FUZZ
def test_report_draft(signed_in, world, field, value):
    client = signed_in(world.secretariat)

    def version():
        draft = db.session.get(ReportDraft, world.campaign.id)
        return draft.version if draft else ""

    post_one(client, f"/phong-trao/{world.campaign.id}/bao-cao-ubnd/noi-dung", DRAFT, field, value, version=version)


@given(field=st.sampled_from(sorted(DRAFT) + ["version"]), value=HOSTILE)
@FUZZ
def test_report_generate_with_the_draft(signed_in, world, field, value):
    """"Tạo báo cáo" sends the narrative too: a refused edit saves nothing and makes no version."""
    client = signed_in(world.secretariat)
    post_one(client, f"/phong-trao/{world.campaign.id}/bao-cao-ubnd/tao", DRAFT, field, value)


@pytest.mark.parametrize("form", ["registration", "unit", "account", "campaign", "draft"])
def test_the_valid_payloads_are_accepted(signed_in, world, form):
    """Control: the fuzzed forms start from payloads that save, so a refusal above is the hostile value's doing."""
    cases = {
        "registration": (world.editor, f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi", INITIATIVE),
        "unit": (world.secretariat, "/don-vi-truc-thuoc/moi", {**UNIT, "parent_id": str(world.root.id)}),
        "account": (world.secretariat, "/quan-tri/tai-khoan/moi", ACCOUNT),
        "campaign": (world.secretariat, "/phong-trao/moi", CAMPAIGN),
        "draft": (world.secretariat, f"/phong-trao/{world.campaign.id}/bao-cao-ubnd/noi-dung", {**DRAFT, "version": ""}),
    }
    user, url, payload = cases[form]
    before = row_counts()
    response = signed_in(user).post(url, payload)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert row_counts() != before


def _once(world, name, make):
    """Set-up made on the first example only: hypothesis runs every example inside one test's fixtures."""
    if not hasattr(world, name):
        setattr(world, name, make())
    return getattr(world, name)


@given(field=st.sampled_from(["score-0", "score-1", "comment-0", "comment", "action", "version"]), value=HOSTILE)
@FUZZ
def test_review_scoring(signed_in, world, field, value):
    from tests.review import scoring_world

    setup = _once(world, "scoring", lambda: scoring_world.build(world))
    assignment = setup.assignments[0]
    valid = scoring_world.form(setup, [20, 20, None, None, None])  # a partial draft saves
    ids = [c.id for c in setup.criteria]
    field = field.replace("score-0", f"score-{ids[0]}").replace("score-1", f"score-{ids[1]}").replace(
        "comment-0", f"comment-{ids[0]}")
    post_one(signed_in(setup.world.reviewer), f"/hoi-dong/phieu-cham/{assignment.id}", valid, field, value)


@given(field=st.sampled_from(["title", "summary", "public_files"]), value=HOSTILE)
@FUZZ
def test_gallery_publish(signed_in, world, field, value):
    from tests.gallery.conftest import make_model

    initiative = _once(world, "unpublished", lambda: make_model(world, publish=False, files=("cong-khai.pdf",)))
    valid = {"title": "Một cửa điện tử tuyển sinh", "summary": "## Cách làm\n\n- Tiếp nhận *trực tuyến*",
             "public_files": str(initiative.files[0].id)}
    post_one(signed_in(world.secretariat), f"/sang-kien/{initiative.id}/cong-bo", valid, field, value)


@given(field=st.sampled_from(["adopted_on", "note"]), value=HOSTILE)
@FUZZ
def test_gallery_adoption(signed_in, world, field, value):
    from tests.gallery.conftest import entry_of, make_model

    entry_id = _once(world, "model_entry", lambda: entry_of(make_model(world)).id)
    valid = {"adopted_on": "2024-10-01", "note": "Áp dụng cho tuyển sinh lớp 10 của trường."}
    post_one(signed_in(world.other_editor), f"/thu-vien/{entry_id}/nhan-rong", valid, field, value)


@given(field=st.sampled_from(["entry", "note", "level_id"]), value=HOSTILE)
@FUZZ
def test_award_list_note(signed_in, world, field, value):
    from thidua.awards import services as award_services
    from thidua.awards.models import AwardEntry

    def compile_list():
        shortlisted = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SHORTLISTED)
        factories.submitted_review(shortlisted, world.reviewer, total=91)
        award_services.compile_award_list(world.campaign, actor=world.secretariat)
        db.session.commit()
        return db.session.scalar(sa.select(AwardEntry.id))

    entry_id = _once(world, "award_entry", compile_list)
    valid = {"entry": str(entry_id), "note": "Tác giả chính: An", "level_id": ""}
    post_one(signed_in(world.secretariat), f"/phong-trao/{world.campaign.id}/khen-thuong/ghi-chu", valid, field,
             value)


def _award_list_at(world, status: str):
    """A list of one shortlisted initiative with a level, taken to `status` (submitted or approved)."""
    from thidua.awards import services as award_services
    from thidua.review.models import CommendationLevel

    level = CommendationLevel(campaign_id=world.campaign.id, position=1, name="Giấy khen của Giám đốc Sở",
                              min_score=80)
    db.session.add(level)
    shortlisted = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SHORTLISTED)
    factories.submitted_review(shortlisted, world.reviewer, total=91)
    award_services.compile_award_list(world.campaign, actor=world.secretariat)
    award_services.submit_award_list(award_services.load_award_list(world.campaign.id), actor=world.secretariat)
    if status == "approved":
        award_services.approve_award_list(award_services.load_award_list(world.campaign.id), actor=world.leader)
    db.session.commit()
    return level.id


def _list_version(world) -> int:
    from thidua.awards.models import AwardList

    return db.session.scalar(sa.select(AwardList.version).where(AwardList.campaign_id == world.campaign.id))


@given(field=st.sampled_from(["decision-level_id", "decision-number", "decision-decided_on", "decision-signer"]),
       value=HOSTILE)
@FUZZ
def test_award_decision(signed_in, world, field, value):
    level_id = _once(world, "approved_list", lambda: _award_list_at(world, "approved"))
    valid = {"decision-level_id": str(level_id), "decision-number": "1234/QĐ-SGDĐT",
             "decision-decided_on": "2024-12-20", "decision-signer": "Trần Thế Cương"}
    post_one(signed_in(world.secretariat), f"/phong-trao/{world.campaign.id}/khen-thuong/quyet-dinh", valid, field,
             value)


@given(field=st.sampled_from(["return-comment", "return-version"]), value=HOSTILE)
@FUZZ
def test_award_list_return(signed_in, world, field, value):
    _once(world, "submitted_list", lambda: _award_list_at(world, "submitted"))
    valid = {"return-comment": "Bổ sung số liệu", "return-version": str(_list_version(world))}
    post_one(signed_in(world.leader), f"/phong-trao/{world.campaign.id}/khen-thuong/tra-lai", valid, field, value)


@given(value=HOSTILE)
@FUZZ
def test_award_list_approve(signed_in, world, value):
    _once(world, "submitted_list", lambda: _award_list_at(world, "submitted"))
    post_one(signed_in(world.leader), f"/phong-trao/{world.campaign.id}/khen-thuong/duyet", {}, "version", value)


@given(field=st.sampled_from(["level-name", "level-min_score", "level-max_count", "level-proposed_upward",
                              "level-authority"]), value=HOSTILE)
@FUZZ
def test_commendation_level(signed_in, world, field, value):
    valid = {"level-name": "Bằng khen của Chủ tịch UBND Thành phố", "level-min_score": "90",
             "level-max_count": "3", "level-proposed_upward": "y", "level-authority": "UBND Thành phố"}
    post_one(signed_in(world.secretariat), f"/phong-trao/{world.campaign.id}/hoi-dong/hinh-thuc-khen-thuong/them",
             valid, field, value)


def test_a_nul_byte_in_any_form_is_refused_at_the_door_and_nothing_is_saved(signed_in, world):
    client = signed_in(world.secretariat)
    before = row_counts()
    response = client.post("/don-vi-truc-thuoc/moi", {**UNIT, "parent_id": str(world.root.id), "district": "Ba\x00Đình"})
    assert response.status_code == 400
    assert "ký tự điều khiển (NUL)" in response.get_data(as_text=True)
    assert row_counts() == before
