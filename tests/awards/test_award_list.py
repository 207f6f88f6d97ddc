"""The award proposal list: compiled from the shortlist (means checked against figures computed here),
ordered and annotated by the secretariat, approved by a leader, closed by the decision; XLSX and Word."""
from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn

from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.awards import services
from thidua.awards.models import AwardDecision, AwardEntry, AwardList
from thidua.extensions import db
from thidua.registration.models import Initiative, InitiativeAuthor
from thidua.review.models import CommendationLevel
from thidua.review.ranking import shortlist

from tests import factories
from tests.factories import State


def q2(values) -> Decimal:
    return (sum(Decimal(v) for v in values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Setup:
    def __init__(self, world):
        self.world = world
        campaign = world.campaign
        self.high = CommendationLevel(campaign_id=campaign.id, position=1, name="Bằng khen của Chủ tịch UBND Thành phố",
                                      min_score=Decimal(85))
        self.low = CommendationLevel(campaign_id=campaign.id, position=2, name="Giấy khen của Giám đốc Sở",
                                     min_score=Decimal(60))
        db.session.add_all([self.high, self.low])
        self.reviewers = [factories.user(Role.REVIEWER, world.office_unit, username=f"tv{n}", full_name=f"Thành viên {n}")
                          for n in range(3)]
        self.totals: dict[int, list[Decimal]] = {}

    def scored(self, totals, *, unit=None, **values) -> Initiative:
        item = factories.initiative(self.world.campaign, unit or self.world.school, actor=self.world.editor,
                                    status=State.SCORED, **values)
        for reviewer, total in zip(self.reviewers, totals):
            factories.submitted_review(item, reviewer, total=Decimal(total))
        self.totals[item.id] = [Decimal(t) for t in totals]
        return item


@pytest.fixture
def setup(world):
    s = Setup(world)
    sec = world.secretariat
    # A collective chosen with the lower level by hand although its mean reaches the higher one.
    s.collective = s.scored(["90", "87.5", "88"], author_type="tap_the", collective_name="Tổ Văn phòng Chu Văn An",
                            title="Số hóa hồ sơ học sinh")
    shortlist(s.collective, actor=sec, level=s.low, note="Hội đồng thống nhất")
    # Persons, shortlisted without a level: the first level whose threshold the mean meets.
    s.people = s.scored(["70", "71", "69.5"], unit=world.other_school, author_type="ca_nhan", collective_name="",
                        title="Tra cứu điểm trực tuyến")
    s.people.authors.append(InitiativeAuthor(position=0, full_name="Nguyễn Văn An", job_title="Giáo viên",
                                             contribution=60))
    s.people.authors.append(InitiativeAuthor(position=1, full_name="Trần Thị Bình", job_title="Nhân viên",
                                             contribution=40))
    shortlist(s.people, actor=sec, level=None)
    s.second_collective = s.scored(["95", "96"], author_type="tap_the", collective_name="Tổ Toán Tin",
                                   title="Sổ điểm điện tử")
    shortlist(s.second_collective, actor=sec, level=None)
    s.not_shortlisted = s.scored(["99", "99"], author_type="tap_the", collective_name="Tổ khác", title="Chưa đề xuất")
    db.session.commit()
    return s


def compile_(s):
    services.compile_award_list(s.world.campaign, actor=s.world.secretariat)
    db.session.commit()
    db.session.expire_all()
    return services.load_award_list(s.world.campaign.id)


def submit_(s):
    services.submit_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.secretariat)
    db.session.commit()


def approve_(s):
    """Compiled, submitted by the secretariat and approved by the leader."""
    compile_(s)
    submit_(s)
    services.approve_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.leader)
    db.session.commit()
    db.session.expire_all()
    return services.load_award_list(s.world.campaign.id)


def decide(s, level, number="1234/QĐ-SGDĐT", signer="Trần Thế Cương", day=date(2024, 12, 20)):
    award_list = services.load_award_list(s.world.campaign.id)
    decision = services.record_decision(award_list, level, number, day, signer, actor=s.world.secretariat,
                                        organiser_name=s.world.campaign.organiser.name)
    db.session.commit()
    db.session.expire_all()
    return decision


def version_of(world) -> str:
    return str(db.session.scalar(sa.select(AwardList.version).where(AwardList.campaign_id == world.campaign.id)))


def by_initiative(award_list):
    return {e.initiative_id: e for e in award_list.entries}


def url(world, tail=""):
    return f"/phong-trao/{world.campaign.id}/khen-thuong{tail}"


def test_compile_from_the_shortlist(setup):
    s = setup
    award_list = compile_(s)
    entries = by_initiative(award_list)
    assert set(entries) == {s.collective.id, s.people.id, s.second_collective.id}
    assert award_list.status == "draft"
    c, p, c2 = entries[s.collective.id], entries[s.people.id], entries[s.second_collective.id]
    assert (c.recipient_type, c.recipient_name, c.recipient_title) == ("tap_the", "Tổ Văn phòng Chu Văn An", "")
    assert (p.recipient_type, p.recipient_name, p.recipient_title) == ("ca_nhan", "Nguyễn Văn An, Trần Thị Bình",
                                                                       "Giáo viên")
    for iid, entry in entries.items():
        assert entry.score == q2(s.totals[iid])
    assert c.level_id == s.low.id          # the level chosen at shortlisting wins
    assert c2.level_id == s.high.id        # 95.50 >= 85
    assert p.level_id == s.low.id          # 70.17: only the lower threshold
    groups = services.grouped(award_list.entries)
    assert [(title, [e.initiative_id for e in items]) for _, title, items in groups] == [
        ("I. Tập thể", [s.second_collective.id, s.collective.id]),  # ranking order
        ("II. Cá nhân", [s.people.id]),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "awards.compiled")) == 1


def test_refresh_keeps_order_and_notes_and_drops_the_unshortlisted(setup):
    s = setup
    award_list = compile_(s)
    entries = by_initiative(award_list)
    assert services.move_entry(entries[s.collective.id], "up", actor=s.world.secretariat)
    services.annotate_entry(entries[s.collective.id], "Đề nghị ưu tiên", s.high.id, actor=s.world.secretariat)
    db.session.commit()
    db.session.expire_all()
    initiative = db.session.get(Initiative, s.second_collective.id)
    from thidua import workflow
    workflow.transition(initiative, State.SCORED, actor=s.world.secretariat, reason="Xem lại")
    db.session.commit()
    award_list = compile_(s)
    entries = by_initiative(award_list)
    assert set(entries) == {s.collective.id, s.people.id}
    assert entries[s.collective.id].note == "Đề nghị ưu tiên"
    assert entries[s.collective.id].level_id == s.high.id
    assert [e.initiative_id for e in sorted(award_list.entries, key=lambda e: e.position)] == [s.collective.id,
                                                                                               s.people.id]


def test_reorder_and_annotate_through_the_page(client, setup):
    s = setup
    award_list = compile_(s)
    entries = by_initiative(award_list)
    client.login(s.world.secretariat)
    response = client.post(url(s.world, "/sap-xep"), {"entry": entries[s.collective.id].id, "direction": "up"})
    assert response.status_code == 302
    response = client.post(url(s.world, "/ghi-chu"), {"entry": entries[s.people.id].id, "note": "Tác giả chính: An",
                                                      "level_id": str(s.high.id)})
    assert response.status_code == 302
    db.session.expire_all()
    award_list = services.load_award_list(s.world.campaign.id)
    groups = services.grouped(award_list.entries)
    assert [e.initiative_id for e in groups[0][2]] == [s.collective.id, s.second_collective.id]
    person = by_initiative(award_list)[s.people.id]
    assert (person.note, person.level_id) == ("Tác giả chính: An", s.high.id)
    page = client.get(url(s.world)).get_data(as_text=True)
    for text in ("I. Tập thể", "II. Cá nhân", "Tác giả chính: An", "Nguyễn Văn An, Trần Thị Bình",
                 "95,50", "88,50", "70,17"):
        assert text in page


def test_only_a_leader_approves_a_submitted_list_and_it_is_audited(client, setup):
    s = setup
    compile_(s)
    client.login(s.world.leader)
    # A draft the secretariat has not submitted cannot be approved.
    response = client.post(url(s.world, "/duyet"), {"version": version_of(s.world)}, follow_redirects=True)
    assert "danh sách Văn phòng đã trình" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(AwardList.status)) == "draft"
    client.logout()
    client.login(s.world.secretariat)
    assert client.post(url(s.world, "/trinh-duyet")).status_code == 302
    assert db.session.scalar(sa.select(AwardList.status)) == "submitted"
    assert client.post(url(s.world, "/duyet"), {"version": version_of(s.world)}).status_code == 403
    assert client.get(url(s.world, "/duyet")).status_code == 403
    with pytest.raises(services.AwardError):
        services.approve_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.secretariat)
    db.session.rollback()
    client.logout()
    client.login(s.world.leader)
    assert client.post(url(s.world, "/duyet"), {"version": version_of(s.world)}).status_code == 302
    db.session.expire_all()
    award_list = services.load_award_list(s.world.campaign.id)
    assert award_list.status == "approved" and award_list.approved_by_id == s.world.leader.id
    row = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "awards.approved")).one()
    assert row.actor_id == s.world.leader.id and row.object_id == award_list.id
    assert db.session.scalars(sa.select(AuditLog.actor_id).where(AuditLog.action == "awards.submitted")).one() == (
        s.world.secretariat.id)


def test_the_leader_confirms_what_is_shown_and_a_list_changed_since_is_not_approved(client, setup):
    s = setup
    compile_(s)
    submit_(s)
    client.login(s.world.leader)
    page = client.get(url(s.world, "/duyet")).get_data(as_text=True)
    for text in ("Anh/chị sắp duyệt", "Tổ Toán Tin", "Tổ Văn phòng Chu Văn An", "Nguyễn Văn An, Trần Thị Bình",
                 "đề nghị “Bằng khen của Chủ tịch UBND Thành phố”", "đề nghị “Giấy khen của Giám đốc Sở”",
                 "Duyệt danh sách", "Trả lại kèm ý kiến"):
        assert text in page, text
    stale = version_of(s.world)
    # Reopened, changed and submitted again behind the confirmation page.
    client.logout()
    client.login(s.world.secretariat)
    client.post(url(s.world, "/mo-lai"), {"reopen-reason": "Sửa ghi chú"})
    entry = services.load_award_list(s.world.campaign.id).entries[0]
    client.post(url(s.world, "/ghi-chu"), {"entry": entry.id, "note": "Đã sửa", "level_id": str(entry.level_id)})
    client.post(url(s.world, "/trinh-duyet"))
    client.logout()
    client.login(s.world.leader)
    response = client.post(url(s.world, "/duyet"), {"version": stale}, follow_redirects=True)
    assert "Danh sách đã thay đổi" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(AwardList.status)) == "submitted"


def test_the_leader_returns_the_list_with_comments_the_secretariat_sees(client, setup):
    s = setup
    compile_(s)
    submit_(s)
    client.login(s.world.leader)
    # Without a comment: refused, the page shown again.
    response = client.post(url(s.world, "/tra-lai"), {"return-comment": " ", "return-version": version_of(s.world)})
    assert response.status_code == 400 and "Cần ghi ý kiến" in response.get_data(as_text=True)
    response = client.post(url(s.world, "/tra-lai"), {"return-comment": "Bổ sung số liệu cho Tổ Toán Tin",
                                                       "return-version": version_of(s.world)})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(AwardList.status)) == "draft"
    client.logout()
    client.login(s.world.secretariat)
    page = client.get(url(s.world)).get_data(as_text=True)
    assert "Lãnh đạo trả lại danh sách" in page and "Bổ sung số liệu cho Tổ Toán Tin" in page
    assert "Trình lãnh đạo duyệt" in page
    assert db.session.scalar(sa.select(AuditLog.reason).where(AuditLog.action == "awards.returned")) == (
        "Bổ sung số liệu cho Tổ Toán Tin")


def test_the_leaders_dashboard_shows_the_lists_waiting_for_approval(client, setup):
    s = setup
    compile_(s)
    client.login(s.world.leader)
    assert "Chờ lãnh đạo duyệt" not in client.get("/trang-chu", follow_redirects=True).get_data(as_text=True)
    submit_(s)
    page = client.get("/trang-chu", follow_redirects=True).get_data(as_text=True)
    assert "Chờ lãnh đạo duyệt" in page and s.world.campaign.name in page
    assert url(s.world, "/duyet") in page


def test_an_empty_list_is_not_submitted(client, world):
    client.login(world.secretariat)
    client.post(url(world, "/lap"))
    response = client.post(url(world, "/trinh-duyet"), follow_redirects=True)
    assert "danh sách trống" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(AwardList.status)) == "draft"


def test_refusals_decision_before_approval_and_editing_after(client, setup):
    s = setup
    award_list = compile_(s)
    entry_id = award_list.entries[0].id
    client.login(s.world.secretariat)
    response = client.post(url(s.world, "/quyet-dinh"), {"decision-level_id": str(s.low.id),
                                                         "decision-number": "12/QĐ-SGDĐT",
                                                         "decision-decided_on": "2024-12-20",
                                                         "decision-signer": "Trần Thế Cương"}, follow_redirects=True)
    assert "sau khi lãnh đạo đã duyệt" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(AwardList.status)) == "draft"
    client.post(url(s.world, "/trinh-duyet"))
    for status in ("submitted", "approved"):
        if status == "approved":
            client.logout()
            client.login(s.world.leader)
            client.post(url(s.world, "/duyet"), {"version": version_of(s.world)})
            client.logout()
            client.login(s.world.secretariat)
        assert db.session.scalar(sa.select(AwardList.status)) == status
        for tail, data in (("/sap-xep", {"entry": entry_id, "direction": "down"}),
                           ("/ghi-chu", {"entry": entry_id, "note": "Sửa sau khi trình", "level_id": ""}),
                           ("/lap", {})):
            response = client.post(url(s.world, tail), data, follow_redirects=True)
            assert "không thể chỉnh sửa" in response.get_data(as_text=True), tail
    db.session.expire_all()
    assert db.session.get(AwardEntry, entry_id).note == ""


def test_each_level_is_decided_by_its_own_authority(client, setup):
    """The Sở decides its Giấy khen; the Bằng khen proposed to UBND Thành phố stays proposed until that
    decision is recorded; the list is decided when every level has its decision."""
    s = setup
    s.high.proposed_upward, s.high.authority = True, "UBND Thành phố"
    db.session.commit()
    approve_(s)
    client.login(s.world.secretariat)
    page = client.get(url(s.world)).get_data(as_text=True)
    assert "Đã đề nghị, chờ quyết định của UBND Thành phố" in page
    response = client.post(url(s.world, "/quyet-dinh"), {"decision-level_id": str(s.low.id),
                                                         "decision-number": "1234/QĐ-SGDĐT",
                                                         "decision-decided_on": "2024-12-20",
                                                         "decision-signer": "Trần Thế Cương"})
    assert response.status_code == 302
    statuses = dict(db.session.execute(sa.select(Initiative.id, Initiative.status)).all())
    # The Giấy khen (the collective chosen by hand, the persons by threshold) awarded; the Bằng khen proposed.
    assert statuses[s.collective.id] == statuses[s.people.id] == "awarded"
    assert statuses[s.second_collective.id] == "shortlisted"
    assert statuses[s.not_shortlisted.id] == "scored"
    assert db.session.scalar(sa.select(AwardList.status)) == "approved"
    # The same level cannot be decided twice.
    response = client.post(url(s.world, "/quyet-dinh"), {"decision-level_id": str(s.low.id),
                                                         "decision-number": "99/QĐ-SGDĐT",
                                                         "decision-decided_on": "2024-12-21",
                                                         "decision-signer": "Khác"}, follow_redirects=True)
    assert "đã được ghi nhận" in response.get_data(as_text=True)
    response = client.post(url(s.world, "/quyet-dinh"), {"decision-level_id": str(s.high.id),
                                                         "decision-number": "2345/QĐ-UBND",
                                                         "decision-decided_on": "2025-01-15",
                                                         "decision-signer": "Phó Chủ tịch UBND Thành phố"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Initiative, s.second_collective.id).status == "awarded"
    assert db.session.scalar(sa.select(AwardList.status)) == "decided"
    decisions = {d.level_id: d for d in db.session.scalars(sa.select(AwardDecision))}
    assert (decisions[s.low.id].number, decisions[s.low.id].authority) == (
        "1234/QĐ-SGDĐT", s.world.campaign.organiser.name)
    assert (decisions[s.high.id].number, decisions[s.high.id].authority) == ("2345/QĐ-UBND", "UBND Thành phố")
    rows = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "awards.decided")
                              .order_by(AuditLog.id)).all()
    assert [r.details["number"] for r in rows] == ["1234/QĐ-SGDĐT", "2345/QĐ-UBND"]
    assert all(r.actor_id == s.world.secretariat.id for r in rows)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "initiative.transition", AuditLog.to_state == "awarded")) == 3
    # The exports cite each level's decision.
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url(s.world, ".xlsx")).data)).active
    title = sheet["A1"].value
    assert "Giấy khen của Giám đốc Sở: Quyết định số 1234/QĐ-SGDĐT ngày 20/12/2024" in title
    assert "Quyết định số 2345/QĐ-UBND ngày 15/01/2025 của UBND Thành phố" in title
    texts = [p.text for p in Document(io.BytesIO(client.get(url(s.world, ".docx")).data)).paragraphs]
    assert "(Bằng khen của Chủ tịch UBND Thành phố: kèm theo Quyết định số 2345/QĐ-UBND ngày 15/01/2025 của " \
           "UBND Thành phố)" in texts


def approved_then_moved(s, initiative, status: str):
    """The list compiled, submitted and approved, then one of its initiatives set to `status` behind its back."""
    approve_(s)
    db.session.execute(sa.update(Initiative).where(Initiative.id == initiative.id).values(status=status))
    db.session.commit()
    db.session.expire_all()
    return services.load_award_list(s.world.campaign.id)


def test_decision_is_all_or_nothing(setup):
    s = setup
    # One initiative leaves the shortlist behind the list's back: nothing moves.
    award_list = approved_then_moved(s, s.people, "scored")
    with pytest.raises(services.AwardError):
        services.record_decision(award_list, s.low, "1/QĐ", date(2024, 12, 1), "A", actor=s.world.secretariat)
    db.session.rollback()
    assert set(db.session.scalars(sa.select(Initiative.status))) == {"scored", "shortlisted"}
    assert db.session.scalar(sa.select(AwardList.status)) == "approved"
    assert db.session.scalar(sa.select(sa.func.count(AwardDecision.id))) == 0


def test_reopen_by_the_secretariat_is_audited_and_refused_after_a_decision(client, setup):
    s = setup
    approve_(s)
    client.login(s.world.secretariat)
    assert client.post(url(s.world, "/mo-lai"), {"reopen-reason": "Bổ sung ghi chú"}).status_code == 302
    assert db.session.scalar(sa.select(AwardList.status)) == "draft"
    assert db.session.scalar(sa.select(AuditLog.reason).where(AuditLog.action == "awards.reopened")) == "Bổ sung ghi chú"
    db.session.expire_all()
    submit_(s)
    services.approve_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.leader)
    db.session.commit()
    decide(s, s.low)
    response = client.post(url(s.world, "/mo-lai"), {"reopen-reason": "Sửa lại"}, follow_redirects=True)
    assert "chưa có quyết định khen thưởng nào" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(AwardList.status)) == "approved"


def test_levels_and_rubric_are_frozen_from_submission_and_a_renamed_level_never_reaches_the_decided_list(
        client, setup):
    s = setup
    compile_(s)
    submit_(s)
    client.login(s.world.secretariat)
    levels_url = f"/phong-trao/{s.world.campaign.id}/hoi-dong/hinh-thuc-khen-thuong"
    rubric_url = f"/phong-trao/{s.world.campaign.id}/hoi-dong/tieu-chi"
    page = client.get(levels_url).get_data(as_text=True)
    assert "đã được trình duyệt" in page and "Thêm hình thức khen thưởng" not in page
    response = client.post(f"{levels_url}/{s.low.id}/sua", {
                                        f"l{s.low.id}-name": "Giấy khen (đổi tên)", f"l{s.low.id}-min_score": "50"})
    assert response.status_code == 400 and "mở lại danh sách" in response.get_data(as_text=True)
    assert "Giấy khen (đổi tên)" in response.get_data(as_text=True)  # what was typed is kept
    for action in ("xoa", "len", "xuong"):
        response = client.post(f"{levels_url}/{s.low.id}/{action}", {}, follow_redirects=True)
        assert "đã được trình duyệt" in response.get_data(as_text=True)
    response = client.post(rubric_url + "/mac-dinh", {}, follow_redirects=True)
    assert "đã được trình duyệt" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(CommendationLevel, s.low.id).name, db.session.get(CommendationLevel, s.low.id).min_score,
            db.session.get(CommendationLevel, s.low.id).position) == ("Giấy khen của Giám đốc Sở", Decimal(60), 2)
    # Reopened (audited), the levels can change again; once a decision is recorded, never.
    client.post(url(s.world, "/mo-lai"), {"reopen-reason": "Sửa ngưỡng"})
    assert client.post(f"{levels_url}/{s.low.id}/sua", {
                                    f"l{s.low.id}-name": "Giấy khen của Giám đốc Sở",
                                    f"l{s.low.id}-min_score": "65"}).status_code == 302
    db.session.expire_all()
    submit_(s)
    services.approve_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.leader)
    db.session.commit()
    decide(s, s.low)
    response = client.post(f"{levels_url}/{s.low.id}/sua", {
                                        f"l{s.low.id}-name": "Tên mới sau quyết định"})
    assert response.status_code == 400 and "Đã có quyết định khen thưởng" in response.get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url(s.world, ".xlsx")).data)).active
    assert "Tên mới sau quyết định" not in [c for row in sheet.iter_rows(values_only=True) for c in row]


def test_xlsx_export(client, setup):
    s = setup
    compile_(s)
    client.login(s.world.leader)
    response = client.get(url(s.world, ".xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0].startswith("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG")
    assert rows[2][:4] == ["STT", "Tập thể/Họ và tên", "Chức vụ", "Đơn vị"]
    body = rows[3:]
    assert body[0][0] == "I. Tập thể"
    assert body[1][:2] == [1, "Tổ Toán Tin"] and body[1][8] == pytest.approx(95.5)
    assert body[2][:2] == [2, "Tổ Văn phòng Chu Văn An"] and body[2][9] == "Giấy khen của Giám đốc Sở"
    assert body[3][0] == "II. Cá nhân"
    # One initiative, each of its persons with their own position, unit and share.
    assert body[4][:4] == [1, "Nguyễn Văn An", "Giáo viên", "Trường THPT Kim Liên"]
    assert body[4][10].startswith("Tỷ lệ đóng góp 60%")
    assert body[5][:4] == [None, "Trần Thị Bình", "Nhân viên", "Trường THPT Kim Liên"]
    assert body[5][10] == "Tỷ lệ đóng góp 40%"
    assert len(body) == 6


def test_docx_export(client, setup):
    s = setup
    compile_(s)
    client.login(s.world.secretariat)
    response = client.get(url(s.world, ".docx"))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    texts = [p.text for p in document.paragraphs]
    header = document.tables[0]
    header_text = "\n".join(c.text for c in header.rows[0].cells)
    for text in ("UBND THÀNH PHỐ HÀ NỘI", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc"):
        assert text in header_text
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NỘI" not in header_text
    assert any(line.startswith("Hà Nội, ngày ") for line in header_text.splitlines())
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in texts
    section = document.sections[0]
    mm = [round(v.mm) for v in (section.page_width, section.page_height, section.top_margin,
                                section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [297, 210, 20, 20, 30, 15]  # A4 landscape; Nghị định 30 margins
    assert document.styles["Normal"].font.name == "Times New Roman"
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:cs")) == "Times New Roman"
    run = next(r for p in document.paragraphs for r in p.runs if r.text == "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG")
    assert run.bold and run.font.name == "Times New Roman"
    table = document.tables[1]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0][0] == "STT" and all(r.bold for p in table.rows[0].cells[0].paragraphs for r in p.runs)
    entry_rows = [r for r in rows[1:] if r[0].isdigit()]
    assert len(entry_rows) == 3
    assert [r[1] for r in entry_rows] == ["Tổ Toán Tin", "Tổ Văn phòng Chu Văn An", "Nguyễn Văn An"]
    assert [r[7] for r in entry_rows] == ["95,50", "88,50", "70,17"]
    assert [r[0] for r in rows[1:] if r[0] and not r[0].isdigit()] == ["I. Tập thể", "II. Cá nhân"]
    second = next(r for r in rows if r[1] == "Trần Thị Bình")
    assert (second[0], second[2], second[3]) == ("", "Nhân viên", "Trường THPT Kim Liên")
    assert "Danh sách có 2 tập thể và 2 cá nhân." in texts
    assert "Nơi nhận:" in "\n".join(c.text for c in document.tables[2].rows[0].cells)


def test_exports_without_a_list(client, world):
    client.login(world.leader)
    assert client.get(url(world, ".xlsx")).status_code == 200
    assert client.get(url(world, ".docx")).status_code == 200
    assert "Chưa lập danh sách" in client.get(url(world)).get_data(as_text=True)


def test_a_model_published_before_the_decision_stays_published_and_the_others_are_awarded(setup):
    s = setup
    # The secretariat put one shortlisted model in the gallery while the decision was being signed.
    approved_then_moved(s, s.people, "published")
    decide(s, s.low)
    decide(s, s.high, number="2345/QĐ-UBND")
    statuses = dict(db.session.execute(sa.select(Initiative.id, Initiative.status)).all())
    assert statuses[s.people.id] == "published"
    assert statuses[s.collective.id] == statuses[s.second_collective.id] == "awarded"
    assert db.session.scalar(sa.select(AwardList.status)) == "decided"


def test_sections_numbered_in_order_of_what_is_present(app):
    from thidua.awards.documents import Person, award_sections, count_recipients

    def line(kind, position, initiative_id):
        return services.AwardLine(id=position, position=position, recipient_type=kind, recipient_name="x",
                                  recipient_title="", score=None, note="", level_name=None,
                                  initiative_id=initiative_id, title="t", area="khac", unit_name="u",
                                  achievements=None)

    people_only = [line("ca_nhan", 1, 10), line("ca_nhan", 2, 11)]
    assert [title for _, title, _ in award_sections(people_only)] == ["I. Cá nhân"]
    persons = {10: [Person("A", "Giáo viên", 50), Person("B", "Tổ trưởng", 30), Person("C", "", 20)]}
    # Three named authors and one entry without named authors: four persons, no collective.
    assert count_recipients(people_only, persons) == (0, 4)
    both = people_only + [line("tap_the", 3, 12)]
    assert [title for _, title, _ in award_sections(both)] == ["I. Tập thể", "II. Cá nhân"]
    assert count_recipients(both, persons) == (1, 4)


def test_the_initiative_page_neither_offers_nor_makes_awarded_even_on_an_approved_list(client, setup):
    """The old path: the secretariat posting target=awarded on the initiative page, the list still a draft
    (and then approved but undecided). Refused, nothing changes, the leader's summary counts no award."""
    s = setup
    compile_(s)
    client.login(s.world.secretariat)
    for stage in ("draft", "approved"):
        if stage == "approved":
            submit_(s)
            services.approve_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.leader)
            db.session.commit()
        page = client.get(f"/sang-kien/{s.collective.id}").get_data(as_text=True)
        assert "Ghi nhận khen thưởng" not in page
        response = client.post(f"/sang-kien/{s.collective.id}/trang-thai", {"target": "awarded", "reason": "x"},
                               follow_redirects=True)
        assert response.status_code == 200
        assert "quyết định khen thưởng" in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Initiative, s.collective.id).status == "shortlisted"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "initiative.transition", AuditLog.to_state == "awarded")) == 0
    client.logout()
    client.login(s.world.leader)
    page = client.get(f"/lanh-dao?campaign={s.world.campaign.id}").get_data(as_text=True)
    assert '<span class="value">0</span><span class="label">đã khen thưởng</span>' in page


def test_the_leaders_are_told_a_list_waits_and_the_office_what_they_decided(client, setup):
    from thidua.notifications.models import Notification

    s = setup
    second_leader = factories.user(Role.LEADER, s.world.root, username="phogiamdoc", full_name="Phó Giám đốc")
    db.session.commit()

    def told(user):
        db.session.expire_all()
        return [(n.kind, n.title, n.body) for n in db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]

    compile_(s)
    submit_(s)
    for leader in (s.world.leader, second_leader):
        [(kind, title, body)] = told(leader)
        assert kind == "event:awards.submitted" and title.startswith("Danh sách đề nghị khen thưởng chờ duyệt")
        assert s.world.secretariat.full_name in body
    assert told(s.world.secretariat) == []
    assert not [kind for kind, _, _ in told(s.world.head) if kind.startswith("event:awards")]  # a unit's head

    client.login(s.world.leader)
    client.post(url(s.world, "/tra-lai"), {"return-comment": "Bổ sung số liệu cho Tổ Toán Tin",
                                           "return-version": version_of(s.world)})
    [(kind, title, body)] = told(s.world.secretariat)
    assert kind == "event:awards.returned" and "Bổ sung số liệu cho Tổ Toán Tin" in body
    assert told(second_leader)[-1][0] == "event:awards.submitted"  # the other leader hears of no decision

    submit_(s)
    services.approve_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.leader)
    db.session.commit()
    assert [kind for kind, _, _ in told(s.world.secretariat)] == ["event:awards.returned", "event:awards.approved"]
    assert len(told(s.world.leader)) == 2  # each submission is its own event
    page = client.get("/thong-bao").get_data(as_text=True)
    assert "Danh sách đề nghị khen thưởng chờ duyệt" in page
    assert f'href="/phong-trao/{s.world.campaign.id}/khen-thuong"' in page
