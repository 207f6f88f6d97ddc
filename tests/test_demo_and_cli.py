"""The command line: `flask demo load`, `flask units import`, `flask users create`."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests import factories
from thidua import demo, demo_ward
from thidua.audit import AuditLog
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.awards.models import AwardDecision, AwardEntry, AwardList
from thidua.campaigns import services as campaign_services
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db
from thidua.nominations.models import Nomination
from thidua.phases import Extension, Phase, phase_window
from thidua.registration.models import Initiative
from thidua.review.models import (
    Assignment,
    CommendationLevel,
    CommitteeMember,
    Criterion,
    CriterionScore,
    Review,
)
from thidua.review.ranking import build_ranking
from thidua.units.models import Unit
from thidua.workflow import COUNTS_AS_REGISTERED, COUNTS_AS_REPORTED

REGISTERED = [state.value for state in COUNTS_AS_REGISTERED]
REPORTED = [state.value for state in COUNTS_AS_REPORTED]
HEADER = "code,name,short_name,block,unit_type,district,parent_code,email\n"
# Rows 2 and 5 are correct; rows 3 and 4 have mistakes.
MALFORMED_CSV = (
    HEADER
    + "so-gddt,Sở Giáo dục và Đào tạo,,,so,,,\n"
    + "THPT Sai,Trường THPT Sai,,Khối trực thuộc,thpt,,so-gddt,\n"
    + "thpt-thieu-ten,,,Khối trực thuộc,thpt,,so-gddt,\n"
    + "thpt-dung,Trường THPT Đúng,,Khối trực thuộc,thpt,,so-gddt,\n"
)

AWARDED = ("awarded", "published")  # a published model was awarded first


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _campaign(year: int, organiser: str = "so-gddt-ha-noi") -> Campaign:
    return db.session.scalar(sa.select(Campaign).join(Unit, Unit.id == Campaign.organiser_id)
                             .where(Campaign.year == year, Unit.code == organiser))


# --------------------------------------------------------------------------- demo load


def test_demo_load_fills_an_empty_database_with_the_directory_and_both_campaigns(cli):
    result = cli("demo", "load")

    assert result.exit_code == 0, result.output
    assert "Đã nạp dữ liệu mẫu." in result.output
    assert f"Tài khoản dùng thử (mật khẩu chung: {demo.PASSWORD})" in result.output
    for login in ("vanphong", "giamdoc", "hoidong", "chuvanan.canbo", "chuvanan.hieutruong", "kimlien.hieutruong"):
        assert login in result.output

    assert _count(Unit) == 153 + 1 + len(demo_ward.SCHOOLS)  # the Sở's directory, the ward and its schools
    assert _count(Campaign) == 3  # the Sở's 2023 and 2024, the ward's 2024

    c2023 = _campaign(2023)
    assert (c2023.launch_date, c2023.registration_deadline, c2023.report_deadline, c2023.city_report_deadline) == (
        date(2023, 8, 1), date(2023, 8, 25), date(2023, 10, 31), date(2023, 11, 15))
    assert campaign_services.campaign_stage(c2023) == "Đã kết thúc"
    assert campaign_services.current_phase(c2023) is None
    registered_2023 = _count(Initiative, Initiative.campaign_id == c2023.id, Initiative.status.in_(REGISTERED))
    assert registered_2023 >= 80
    reported_2023 = _count(Initiative, Initiative.campaign_id == c2023.id, Initiative.status.in_(REPORTED))
    assert reported_2023 >= 40  # most units sent their results report, from the report form's answers
    awarded_2023 = _count(Initiative, Initiative.campaign_id == c2023.id, Initiative.status.in_(AWARDED))
    published_2023 = _count(Initiative, Initiative.campaign_id == c2023.id, Initiative.status == "published")
    assert published_2023 == awarded_2023 >= 10  # every awarded model is in the public gallery
    # Every state change went through the state machine and is in the audit log: registered, reported, then
    # (every reported one) under review and scored, then (the awarded ones) shortlisted and awarded, and published.
    assert _count(AuditLog, AuditLog.action == "initiative.transition", AuditLog.campaign_id == c2023.id) == (
        registered_2023 + 3 * reported_2023 + 2 * awarded_2023 + published_2023)
    assert _count(AuditLog, AuditLog.action == "initiative.transition", AuditLog.campaign_id == c2023.id,
                  AuditLog.from_state == "registered", AuditLog.to_state == "reported") == reported_2023
    assert _count(AuditLog, AuditLog.action == "initiative.transition", AuditLog.campaign_id == c2023.id,
                  AuditLog.from_state == "draft", AuditLog.to_state == "registered") == registered_2023
    # Late answers were preceded by the extension the office would have granted, audited like any other.
    assert _count(Extension, Extension.campaign_id == c2023.id) >= 1
    assert _count(AuditLog, AuditLog.action == "extension.granted", AuditLog.campaign_id == c2023.id) == _count(
        Extension, Extension.campaign_id == c2023.id)

    c2024 = _campaign(2024)
    assert campaign_services.current_phase(c2024) is Phase.REGISTRATION
    some_participant = db.session.scalar(
        sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == c2024.id).limit(1))
    assert phase_window(c2024, some_participant, Phase.REGISTRATION).is_open()
    assert _count(CampaignUnit, CampaignUnit.campaign_id == c2024.id) > 100
    # The unit of the demo's unit accounts is left free to register during a demonstration.
    chu_van_an = db.session.scalar(sa.select(Unit.id).where(Unit.code == "thpt-chu-van-an"))
    assert _count(Initiative, Initiative.campaign_id == c2024.id, Initiative.unit_id == chu_van_an) == 0


def test_a_first_visitor_finds_the_2023_awarded_models_in_the_public_gallery(cli, client):
    from thidua.gallery.models import GalleryEntry

    assert cli("demo", "load").exit_code == 0
    c2023 = _campaign(2023)
    awarded = _count(Initiative, Initiative.campaign_id == c2023.id, Initiative.status.in_(AWARDED))
    page = client.get("/thu-vien").get_data(as_text=True)
    assert f"{awarded} mô hình" in page and page.count('class="model-card"') == awarded
    entries = db.session.scalars(sa.select(GalleryEntry).order_by(GalleryEntry.published_at)).all()
    assert [e.is_public for e in entries] == [True] * awarded
    # Published by the office through its own service, after the decision of each model's commendation.
    saved = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "gallery.saved")).all()
    office = db.session.scalar(sa.select(User.id).where(User.username == "vanphong"))
    assert len(saved) == awarded and {row.actor_id for row in saved} == {office}
    decisions = {d.level_name: d for d in db.session.scalars(sa.select(AwardDecision))}
    for entry in entries:
        assert entry.published_at > decisions[entry.commendation].recorded_at, entry.title
    assert entries[-1].commendation == "Bằng khen của Chủ tịch UBND Thành phố"  # the city's decision came last
    # A public summary written for the gallery: the aim, then the steps as a numbered list, where else it applies.
    entry = entries[0]
    detail = client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True)
    summary = detail[detail.index("Giới thiệu mô hình"):detail.index("Kết quả đạt được")]
    assert "<strong>Mục tiêu:</strong>" in summary and "<strong>Cách làm:</strong></p>\n<ol>\n<li>" in summary
    assert "1. " not in summary and "<strong>Khả năng nhân rộng:</strong>" in summary
    assert "\nCách làm:\n1. " in entry.excerpt
    # Every model is found by its area, with or without diacritics.
    found = client.get("/thu-vien.json?q=cai+cach").get_json()
    assert found["total"] == client.get("/thu-vien.json?q=cải+cách").get_json()["total"] >= awarded // 2


def _moves(campaign: Campaign, source: str, target: str) -> int:
    return _count(AuditLog, AuditLog.action == "initiative.transition", AuditLog.campaign_id == campaign.id,
                  AuditLog.from_state == source, AuditLog.to_state == target)


def test_demo_2023_campaign_is_reviewed_shortlisted_and_awarded(cli):
    assert cli("demo", "load").exit_code == 0
    c2023 = _campaign(2023)
    reported = _count(Initiative, Initiative.campaign_id == c2023.id, Initiative.status.in_(REPORTED))

    # The committee: hoidong and four more reviewers, one chair; two reviewers per initiative.
    members = db.session.execute(
        sa.select(User.username, User.role, CommitteeMember.is_chair)
        .join(CommitteeMember, CommitteeMember.user_id == User.id).where(CommitteeMember.campaign_id == c2023.id)
    ).all()
    assert {m.username for m in members} == {"hoidong", "hoidong2", "hoidong3", "hoidong4", "hoidong5"}
    assert {m.role for m in members} == {Role.REVIEWER.value}
    assert [m.username for m in members if m.is_chair] == ["hoidong2"]
    assert c2023.reviewers_per_initiative == 2
    criteria = db.session.scalars(sa.select(Criterion).where(Criterion.campaign_id == c2023.id)).all()
    assert sum(c.max_score for c in criteria) == 100
    levels = db.session.scalars(sa.select(CommendationLevel).where(CommendationLevel.campaign_id == c2023.id)
                                .order_by(CommendationLevel.position)).all()
    assert [lv.name for lv in levels] == ["Bằng khen của Chủ tịch UBND Thành phố", "Giấy khen của Giám đốc Sở"]

    # Every reported initiative was assigned and scored by two members of other units, every review submitted
    # between the assignment (13/11/2023) and the shortlist (27/11/2023), each criterion within its maximum.
    assignments = db.session.scalars(sa.select(Assignment).where(Assignment.campaign_id == c2023.id)).all()
    assert len(assignments) == 2 * reported
    per_initiative = {}
    for assignment in assignments:
        per_initiative.setdefault(assignment.initiative_id, set()).add(assignment.reviewer_id)
    assert len(per_initiative) == reported and all(len(r) == 2 for r in per_initiative.values())
    reviews = db.session.scalars(sa.select(Review).join(Assignment, Assignment.id == Review.assignment_id)
                                 .where(Assignment.campaign_id == c2023.id)).all()
    assert len(reviews) == len(assignments)
    assert {r.status for r in reviews} == {"submitted"}
    assert all(datetime(2023, 11, 13) <= r.submitted_at < datetime(2023, 11, 27) for r in reviews)
    maxima = {c.id: c.max_score for c in criteria}
    scores = db.session.execute(
        sa.select(CriterionScore.review_id, CriterionScore.criterion_id, CriterionScore.score)
        .where(CriterionScore.review_id.in_([r.id for r in reviews]))).all()
    assert len(scores) == len(reviews) * len(criteria)
    assert all(0 <= score <= maxima[criterion] and (score * 2) % 1 == 0 for _, criterion, score in scores)
    sums = {}
    for review_id, _, score in scores:
        sums[review_id] = sums.get(review_id, Decimal(0)) + score
    assert all(r.total == sums[r.id] for r in reviews)
    totals = sorted(r.total for r in reviews)
    assert sum(1 for t in totals if 60 <= t <= 90) > len(totals) * 0.6  # most between 60 and 90
    assert 0 < sum(1 for t in totals if t > 90) < len(totals) * 0.2  # a few above 90
    assert len(set(totals)) > len(totals) // 3  # spread, not one score for all

    # Nothing is left half-way: every reported initiative's review is complete (complete_review).
    assert _count(Initiative, Initiative.campaign_id == c2023.id,
                  Initiative.status.in_(["reported", "under_review"])) == 0
    assert _moves(c2023, "reported", "under_review") == reported
    assert _moves(c2023, "under_review", "scored") == reported

    # The shortlist follows the proposal (thresholds, counts), and the decision awards it all.
    award_list = db.session.scalar(sa.select(AwardList).where(AwardList.campaign_id == c2023.id))
    assert award_list.status == "decided"
    # Each form of commendation by its own authority: the Sở's Giấy khen, UBND Thành phố's Bằng khen.
    decisions = {d.level_name: d for d in db.session.scalars(
        sa.select(AwardDecision).where(AwardDecision.award_list_id == award_list.id))}
    own = decisions["Giấy khen của Giám đốc Sở"]
    assert (own.number, own.decided_on.year, own.decided_on.month) == ("1234/QĐ-SGDĐT", 2023, 11)
    assert own.authority.startswith("Sở Giáo dục") and own.signer
    assert decisions["Bằng khen của Chủ tịch UBND Thành phố"].authority == "UBND Thành phố"
    assert decisions["Bằng khen của Chủ tịch UBND Thành phố"].number.endswith("/QĐ-UBND")
    assert db.session.get(User, award_list.approved_by_id).username == "giamdoc"
    lines = db.session.scalars(sa.select(AwardEntry).where(AwardEntry.award_list_id == award_list.id)).all()
    entries = [e for e in lines if e.basis == "initiative"]
    # beside the initiatives, the collectives that met every mandatory target of 2023, with the reason
    collectives = [e for e in lines if e.basis == "targets"]
    assert collectives and all("đạt cả" in e.reason and e.level_id for e in collectives)
    # ...and the outstanding persons the office took in (two declined, one never decided, stay off)
    persons = [e for e in lines if e.basis == "person"]
    assert len(persons) == 9 and all(e.recipient_type == "ca_nhan" and e.reason for e in persons)
    awarded = db.session.scalars(sa.select(Initiative.id).where(Initiative.campaign_id == c2023.id,
                                                                Initiative.status.in_(AWARDED))).all()
    assert len(entries) > 0
    assert sorted(e.initiative_id for e in entries) == sorted(awarded)
    assert _moves(c2023, "scored", "shortlisted") == len(entries)
    assert _moves(c2023, "shortlisted", "awarded") == len(entries)
    for level in levels:
        mine = [e for e in entries if e.level_id == level.id]
        assert 0 < len(mine) <= level.max_count, level.name
        assert all(e.score >= level.min_score for e in mine), level.name
    ranking = build_ranking(c2023)
    top = ranking.rows[: len(entries)]
    assert {row.initiative.id for row in top} == set(awarded)  # the best of the ranking
    assert all(row.rank is not None and row.complete for row in ranking.rows)
    # The moves of 2023 happened in 2023, at the replayed moments.
    last = db.session.scalar(sa.select(sa.func.max(AuditLog.at)).where(
        AuditLog.action == "initiative.transition", AuditLog.campaign_id == c2023.id))
    # (the last: UBND Thành phố's decision on its Bằng khen, back in late December)
    assert datetime(2023, 11, 1) < last < datetime(2024, 1, 1)


def test_the_leader_sees_the_2023_results_on_the_ranking_and_the_dashboard(cli, make_client):
    assert cli("demo", "load").exit_code == 0
    c2023 = _campaign(2023)
    leader = make_client()
    leader.login(SimpleNamespace(username="giamdoc"), password=demo.PASSWORD)
    awarded = db.session.scalars(sa.select(Initiative).where(Initiative.campaign_id == c2023.id,
                                                             Initiative.status.in_(AWARDED))).all()

    ranking = leader.get(f"/phong-trao/{c2023.id}/hoi-dong/xep-hang")
    assert ranking.status_code == 200
    html = ranking.get_data(as_text=True)
    assert "Đã công bố" in html  # every awarded model is published in the gallery
    assert all(str(escape(initiative.title)) in html for initiative in awarded)

    dashboard = leader.get(f"/lanh-dao?campaign={c2023.id}")
    assert dashboard.status_code == 200
    html = dashboard.get_data(as_text=True)
    assert str(escape(c2023.name)) in html
    assert "Phân bố điểm bình quân của Hội đồng" in html or "Phân bố điểm của Hội đồng" in html
    assert "Chưa có sáng kiến nào được chấm." not in html
    scored = _count(Initiative, Initiative.campaign_id == c2023.id, Initiative.status.in_(REPORTED))
    assert f"{scored} sáng kiến đã có điểm" in html
    assert "<svg" in html

    assert leader.get("/lanh-dao").status_code == 200  # the open campaign, by default
    awards = leader.get(f"/phong-trao/{c2023.id}/khen-thuong")
    assert awards.status_code == 200
    assert "1234/QĐ-SGDĐT" in awards.get_data(as_text=True)
    for url in (f"/phong-trao/{c2023.id}/bao-cao-ubnd", "/tong-ket"):
        assert leader.get(url).status_code == 200, url


def test_demo_2023_targets_are_reported_by_every_unit_and_checked_by_the_office(cli, make_client):
    from thidua.targets import board as target_board
    from thidua.targets.models import Target, TargetValue
    from thidua.targets.services import AWAITING, MET, NOT_MET, NOT_REPORTED, RETURNED

    assert cli("demo", "load").exit_code == 0
    c2023 = _campaign(2023)
    board = target_board.build_board(c2023)
    assert len(board.units) == _count(CampaignUnit, CampaignUnit.campaign_id == c2023.id) > 100
    statuses = {}
    for unit in board.units:
        reported = [c for tid, c in unit.cells.items() if not next(t for t in board.targets if t.id == tid).automatic]
        assert reported, unit.code  # every unit has targets to report, and reported every one of them
        assert all(c.status != NOT_REPORTED and c.value is not None for c in reported), unit.code
        for cell in reported:
            statuses[cell.status] = statuses.get(cell.status, 0) + 1
    total = sum(statuses.values())
    assert statuses[MET] > 0.75 * total  # mostly met
    assert 0.05 * total < statuses[NOT_MET] < 0.2 * total  # some not met
    assert 1 <= statuses[AWAITING] <= 20 and 1 <= statuses[RETURNED] <= 3

    # Checked by the demo's secretariat, sent by the unit's head, within the campaign's dates.
    office = db.session.scalar(sa.select(User).where(User.username == "vanphong"))
    values = db.session.scalars(sa.select(TargetValue).where(TargetValue.campaign_id == c2023.id)).all()
    heads = {u.unit_id: u.id for u in db.session.scalars(sa.select(User).where(User.role == Role.UNIT_HEAD.value))}
    assert all(v.sent_by_id == heads[v.unit_id] for v in values)
    assert all(v.checked_by_id == office.id for v in values if v.state in ("accepted", "returned"))
    assert all(datetime(2023, 8, 1) <= v.sent_at <= datetime(2023, 11, 1) for v in values)
    assert all(v.sent_at < v.checked_at < datetime(2023, 11, 15) for v in values if v.checked_at)
    assert all(v.return_reason for v in values if v.state == "returned")
    assert any(v.denominator and v.numerator < v.denominator for v in values)  # tử số / mẫu số where natural
    assert _count(AuditLog, AuditLog.action == "targets.accepted", AuditLog.campaign_id == c2023.id) == statuses[MET] + \
        statuses[NOT_MET]

    office_client = make_client()
    office_client.login(office, password=demo.PASSWORD)
    html = office_client.get(f"/phong-trao/{c2023.id}/chi-tieu/bang").get_data(as_text=True)
    assert "Đạt" in html and "Không đạt" in html

    # 2024: the default targets, a few drafts; THPT Chu Văn An's head sees the page working.
    c2024 = _campaign(2024)
    assert _count(Target, Target.campaign_id == c2024.id) == _count(Target, Target.campaign_id == c2023.id) == 15
    assert 0 < _count(TargetValue, TargetValue.campaign_id == c2024.id, TargetValue.state == "draft") < 60
    head = make_client()
    head.login(SimpleNamespace(username="chuvanan.hieutruong"), password=demo.PASSWORD)
    page = head.get(f"/phong-trao/{c2024.id}/chi-tieu-cua-don-vi")
    assert page.status_code == 200, page.status_code
    assert "Gửi Văn phòng" in page.get_data(as_text=True)


def test_demo_load_refuses_a_second_run_unless_told_to_skip_when_not_empty(cli):
    assert cli("demo", "load").exit_code == 0
    units, initiatives, audit_rows = _count(Unit), _count(Initiative), _count(AuditLog)

    again = cli("demo", "load")
    assert again.exit_code != 0
    assert "Cơ sở dữ liệu đã có dữ liệu; dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống." in again.output

    skipped = cli("demo", "load", "--if-empty")
    assert skipped.exit_code == 0, skipped.output
    assert "Cơ sở dữ liệu đã có dữ liệu; không nạp lại dữ liệu mẫu." in skipped.output
    assert "vanphong" in skipped.output

    assert (_count(Unit), _count(Initiative), _count(AuditLog)) == (units, initiatives, audit_rows)


def test_demo_load_refuses_a_database_that_already_has_units(cli, world):
    result = cli("demo", "load")
    assert result.exit_code != 0
    assert "Cơ sở dữ liệu đã có dữ liệu; dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống." in result.output
    assert _count(Campaign) == 1


def test_the_demo_accounts_can_sign_in_and_land_on_their_pages(cli, make_client):
    assert cli("demo", "load").exit_code == 0
    landing = {
        "vanphong": "/phong-trao",
        "giamdoc": "/lanh-dao",
        "chuvanan.hieutruong": "/don-vi",
        "chuvanan.canbo": "/don-vi",
    }
    clients = {}
    for username, page in landing.items():
        clients[username] = client = make_client()
        client.login(SimpleNamespace(username=username), password=demo.PASSWORD)
        home = client.get("/trang-chu")
        assert home.status_code == 302, username
        assert home.headers["Location"].startswith(page), (username, home.headers["Location"])

    html = clients["vanphong"].get("/phong-trao").get_data(as_text=True)
    assert "Phong trào thi đua “Cải cách hành chính” năm 2023" in html
    assert "Phong trào thi đua “Cải cách hành chính” năm 2024" in html

    # Every unit's own accounts too, named after the unit's code.
    editor = db.session.scalar(sa.select(User).where(User.username == "thpt-kim-lien.cb"))
    assert editor is not None and editor.role == Role.UNIT_EDITOR
    make_client().login(editor, password=demo.PASSWORD)


# --------------------------------------------------------------------------- the demo's ward


def _ward() -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == demo_ward.WARD_CODE))


def test_demo_ward_is_an_organiser_under_the_so_with_its_schools_and_staff(cli):
    result = cli("demo", "load")
    assert result.exit_code == 0, result.output
    for login in demo_ward.WARD_LOGINS:
        assert login.username in result.output

    ward, root = _ward(), db.session.scalar(sa.select(Unit).where(Unit.code == "so-gddt-ha-noi"))
    assert ward.is_organiser and ward.parent_id == root.id
    schools = db.session.scalars(sa.select(Unit).where(Unit.parent_id == ward.id)).all()
    assert len(schools) == 10
    assert {s.unit_type for s in schools} == {"mn", "th", "thcs"}
    assert not any(s.is_organiser for s in schools)
    # Its staff act for the ward: a secretariat, a leader and three reviewers.
    staff = db.session.scalars(sa.select(User).where(User.username.like("phuong.%"))).all()
    assert sorted((u.username, u.role) for u in staff) == [
        ("phuong.hoidong1", "reviewer"), ("phuong.hoidong2", "reviewer"), ("phuong.hoidong3", "reviewer"),
        ("phuong.lanhdao", "leader"), ("phuong.vanphong", "secretariat")]
    assert {u.organiser_id for u in staff} == {ward.id}
    # Each school has its head and its editor, unit accounts of the school.
    for school in schools:
        head = db.session.scalar(sa.select(User).where(User.username == f"{school.code}.ht"))
        editor = db.session.scalar(sa.select(User).where(User.username == f"{school.code}.cb"))
        assert (head.role, head.unit_id, head.organiser_id) == ("unit_head", school.id, None)
        assert (editor.role, editor.unit_id) == ("unit_editor", school.id)


def test_demo_ward_campaign_feeds_the_sos_and_proposes_its_two_best(cli):
    assert cli("demo", "load").exit_code == 0
    ward = _ward()
    school_ids = set(db.session.scalars(sa.select(Unit.id).where(Unit.parent_id == ward.id)))
    c_ward, c2024 = _campaign(2024, demo_ward.WARD_CODE), _campaign(2024)
    assert c_ward.organiser_id == ward.id and c_ward.feeds_campaign_id == c2024.id
    assert campaign_services.current_phase(c_ward) is None  # finished before the Sở's 2024 campaign opened

    # The ward's schools take part in the ward's campaign, never in the Sở's.
    assert set(db.session.scalars(sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == c_ward.id))) \
        == school_ids
    for campaign in (_campaign(2023), c2024):
        assert _count(CampaignUnit, CampaignUnit.campaign_id == campaign.id, CampaignUnit.unit_id.in_(school_ids)) == 0
        assert _count(Initiative, Initiative.campaign_id == campaign.id, Initiative.unit_id.in_(school_ids)) == 0

    # Every school registered; the initiatives were reported, scored by the ward's committee and decided.
    initiatives = db.session.scalars(sa.select(Initiative).where(Initiative.campaign_id == c_ward.id)).all()
    assert {i.unit_id for i in initiatives if i.status in REGISTERED} == school_ids
    assert sum(i.status in REPORTED for i in initiatives) >= 8
    members = db.session.scalars(sa.select(User.username).join(CommitteeMember, CommitteeMember.user_id == User.id)
                                 .where(CommitteeMember.campaign_id == c_ward.id)).all()
    assert sorted(members) == ["phuong.hoidong1", "phuong.hoidong2", "phuong.hoidong3"]
    award_list = db.session.scalar(sa.select(AwardList).where(AwardList.campaign_id == c_ward.id))
    assert award_list.status == "decided"
    assert db.session.get(User, award_list.approved_by_id).username == "phuong.lanhdao"
    awarded = [i for i in initiatives if i.status in AWARDED]
    assert len(awarded) >= 2

    # Its two best awarded models are proposed to the Sở's 2024 campaign, by the ward's secretariat.
    nominations = db.session.scalars(sa.select(Nomination).where(Nomination.campaign_id == c2024.id)).all()
    assert len(nominations) == demo_ward.PROPOSED == 2
    assert {n.state for n in nominations} == {"proposed"}
    assert {db.session.get(User, n.proposed_by_id).username for n in nominations} == {"phuong.vanphong"}
    ranked = [row.initiative.id for row in build_ranking(c_ward).rows if row.initiative.status in AWARDED]
    assert {n.source_id for n in nominations} == set(ranked[:2])
    assert all(c2024.launch_date <= n.proposed_at.date() for n in nominations)


def test_demo_ward_staff_see_their_campaign_and_the_so_reads_it(cli, make_client):
    assert cli("demo", "load").exit_code == 0
    c_ward, c2024 = _campaign(2024, demo_ward.WARD_CODE), _campaign(2024)

    ward_office = make_client()
    ward_office.login(SimpleNamespace(username="phuong.vanphong"), password=demo.PASSWORD)
    html = ward_office.get("/phong-trao").get_data(as_text=True)
    assert str(escape(c_ward.name)) in html
    assert str(escape(c2024.name)) not in html and "năm 2023" not in html
    assert ward_office.get(f"/phong-trao/{c_ward.id}").status_code == 200
    assert ward_office.get(f"/phong-trao/{c2024.id}").status_code == 403

    office = make_client()
    office.login(SimpleNamespace(username="vanphong"), password=demo.PASSWORD)
    html = office.get("/phong-trao").get_data(as_text=True)
    assert str(escape(c_ward.name)) in html and str(escape(c2024.name)) in html
    assert "Cấp dưới: UBND phường Cầu Giấy (chỉ xem)" in html
    page = office.get(f"/phong-trao/{c_ward.id}")
    assert page.status_code == 200
    assert "Phong trào của cấp dưới — Ủy ban nhân dân phường Cầu Giấy tổ chức." in page.get_data(as_text=True)


# --------------------------------------------------------------------------- units import


def test_units_import_of_a_file_with_errors_prints_them_and_imports_nothing(cli, tmp_path):
    path = tmp_path / "danh-muc.csv"
    path.write_text(MALFORMED_CSV, encoding="utf-8")

    result = cli("units", "import", str(path))

    assert result.exit_code != 0
    assert "Dòng 3, cột “code”: Mã đơn vị chỉ gồm chữ thường không dấu, số và dấu gạch ngang" in result.output
    assert "Dòng 4, cột “name”: Thiếu tên đơn vị" in result.output
    assert "Tệp còn 2 dòng có lỗi nên chưa nhập dòng nào." in result.output
    assert _count(Unit) == 0
    assert _count(AuditLog) == 0


def test_units_import_with_good_rows_imports_only_the_correct_rows(cli, tmp_path):
    path = tmp_path / "danh-muc.csv"
    path.write_text(MALFORMED_CSV, encoding="utf-8")

    result = cli("units", "import", str(path), "--good-rows")

    assert result.exit_code == 0, result.output
    assert "Dòng 3, cột “code”" in result.output  # the skipped rows are still reported
    assert "Đã nhập: 2 đơn vị mới, 0 cập nhật, 0 không đổi, 2 dòng bỏ qua." in result.output
    units = {unit.code: unit for unit in db.session.scalars(sa.select(Unit))}
    assert set(units) == {"so-gddt", "thpt-dung"}
    assert units["thpt-dung"].parent_id == units["so-gddt"].id
    [entry] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "units.imported")).all()
    assert entry.actor_id is None
    assert entry.details == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 2, "filename": "danh-muc.csv"}


def test_units_import_of_a_non_utf8_file_explains_the_encoding(cli, tmp_path):
    path = tmp_path / "danh-muc.csv"
    path.write_bytes((HEADER + "so-gddt,Sở Giáo dục và Đào tạo,,,so,,,\n").encode("cp1258", "replace"))

    result = cli("units", "import", str(path), "--good-rows")

    assert result.exit_code != 0
    assert "Tệp CSV không dùng bảng mã UTF-8" in result.output
    assert _count(Unit) == 0


# --------------------------------------------------------------------------- users create


def test_users_create_makes_an_account_that_can_sign_in(cli, client, world):
    result = cli("users", "create", "--username", "ThuongTruc2", "--full-name", "Lê Thị Thường Trực",
                 "--role", "secretariat", "--password", "matkhau2025")

    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản thuongtruc2." in result.output
    user = db.session.scalar(sa.select(User).where(User.username == "thuongtruc2"))
    assert user is not None
    assert (user.full_name, user.role, user.unit_id) == ("Lê Thị Thường Trực", "secretariat", None)
    assert user.check_password("matkhau2025")
    [entry] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "user.created")).all()
    assert entry.object_id == user.id
    client.login(user, password="matkhau2025")


def test_users_create_puts_a_staff_account_at_the_top_organiser_or_the_one_named(cli, world):
    ward = factories.unit(code="phuong-tay-ho", name="UBND phường Tây Hồ", unit_type="ubnd_xa", parent=world.root,
                          is_organiser=True)
    db.session.commit()
    assert cli("users", "create", "--username", "top.vp", "--full-name", "Văn phòng Sở", "--role", "secretariat",
               "--password", "matkhau2025").exit_code == 0
    result = cli("users", "create", "--username", "tayho.vp", "--full-name", "Văn phòng phường", "--role",
                 "secretariat", "--organiser", "phuong-tay-ho", "--password", "matkhau2025")
    assert result.exit_code == 0, result.output
    acting = dict(db.session.execute(sa.select(User.username, User.organiser_id)
                                     .where(User.username.in_(["top.vp", "tayho.vp"]))).all())
    assert acting == {"top.vp": world.root.id, "tayho.vp": ward.id}
    result = cli("users", "create", "--username", "x.vp", "--full-name", "X", "--role", "secretariat",
                 "--organiser", "thpt-chu-van-an", "--password", "matkhau2025")
    assert result.exit_code != 0
    assert "Không có đơn vị tổ chức phong trào mã “thpt-chu-van-an”." in result.output


def test_users_create_for_a_unit_role_needs_an_existing_unit(cli, world):
    result = cli("users", "create", "--username", "cb.moi", "--full-name", "Cán bộ Mới", "--role", "unit_editor",
                 "--password", "matkhau2025")
    assert result.exit_code != 0
    assert "Tài khoản của đơn vị phải thuộc một đơn vị." in result.output

    result = cli("users", "create", "--username", "cb.moi", "--full-name", "Cán bộ Mới", "--role", "unit_editor",
                 "--unit", "khong-co", "--password", "matkhau2025")
    assert result.exit_code != 0
    assert "Không có đơn vị mã “khong-co”." in result.output

    result = cli("users", "create", "--username", "cb.moi", "--full-name", "Cán bộ Mới", "--role", "unit_editor",
                 "--unit", "thpt-chu-van-an", "--password", "matkhau2025")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "cb.moi"))
    assert user.unit_id == world.school.id


def test_users_create_refuses_a_short_password_and_a_taken_username(cli, world):
    result = cli("users", "create", "--username", "ngan", "--full-name", "Mật Khẩu Ngắn", "--role", "leader",
                 "--password", "ngan")
    assert result.exit_code != 0
    assert "Mật khẩu cần ít nhất 8 ký tự." in result.output

    result = cli("users", "create", "--username", "vanphong", "--full-name", "Trùng Tên", "--role", "leader",
                 "--password", "matkhau2025")
    assert result.exit_code != 0
    assert "Tên đăng nhập này đã có người dùng." in result.output
    assert _count(User, User.username.in_(["ngan", "vanphong"])) == 1
