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
from thidua.awards.models import AwardEntry, AwardList
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


def test_only_a_leader_approves_and_it_is_audited(client, setup):
    s = setup
    compile_(s)
    client.login(s.world.secretariat)
    assert client.post(url(s.world, "/duyet")).status_code == 403
    with pytest.raises(services.AwardError):
        services.approve_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.secretariat)
    db.session.rollback()
    client.logout()
    client.login(s.world.leader)
    assert client.post(url(s.world, "/duyet")).status_code == 302
    db.session.expire_all()
    award_list = services.load_award_list(s.world.campaign.id)
    assert award_list.status == "approved" and award_list.approved_by_id == s.world.leader.id
    row = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "awards.approved")).one()
    assert row.actor_id == s.world.leader.id and row.object_id == award_list.id


def test_an_empty_list_is_not_approved(client, world):
    client.login(world.secretariat)
    client.post(url(world, "/lap"))
    client.logout()
    client.login(world.leader)
    response = client.post(url(world, "/duyet"), follow_redirects=True)
    assert "danh sách trống" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(AwardList.status)) == "draft"


def test_refusals_decision_before_approval_and_editing_after(client, setup):
    s = setup
    award_list = compile_(s)
    entry_id = award_list.entries[0].id
    client.login(s.world.secretariat)
    response = client.post(url(s.world, "/quyet-dinh"), {"decision-number": "12/QĐ-SGDĐT",
                                                         "decision-decided_on": "2024-12-20",
                                                         "decision-signer": "Trần Thế Cương"}, follow_redirects=True)
    assert "sau khi lãnh đạo đã duyệt" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(AwardList.status)) == "draft"
    client.logout()
    client.login(s.world.leader)
    client.post(url(s.world, "/duyet"))
    client.logout()
    client.login(s.world.secretariat)
    for tail, data in (("/sap-xep", {"entry": entry_id, "direction": "down"}),
                       ("/ghi-chu", {"entry": entry_id, "note": "Sửa sau khi duyệt", "level_id": ""}),
                       ("/lap", {})):
        response = client.post(url(s.world, tail), data, follow_redirects=True)
        assert "không thể chỉnh sửa" in response.get_data(as_text=True), tail
    db.session.expire_all()
    assert db.session.get(AwardEntry, entry_id).note == ""


def test_decision_moves_every_initiative_to_awarded_and_is_audited(client, setup):
    s = setup
    compile_(s)
    client.login(s.world.leader)
    client.post(url(s.world, "/duyet"))
    client.logout()
    client.login(s.world.secretariat)
    response = client.post(url(s.world, "/quyet-dinh"), {"decision-number": "1234/QĐ-SGDĐT",
                                                         "decision-decided_on": "2024-12-20",
                                                         "decision-signer": "Trần Thế Cương"})
    assert response.status_code == 302
    db.session.expire_all()
    award_list = services.load_award_list(s.world.campaign.id)
    assert (award_list.status, award_list.decision_number, award_list.decision_date, award_list.decision_by) == (
        "decided", "1234/QĐ-SGDĐT", date(2024, 12, 20), "Trần Thế Cương")
    statuses = dict(db.session.execute(sa.select(Initiative.id, Initiative.status)).all())
    for iid in (s.collective.id, s.people.id, s.second_collective.id):
        assert statuses[iid] == "awarded"
    assert statuses[s.not_shortlisted.id] == "scored"
    row = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "awards.decided")).one()
    assert row.actor_id == s.world.secretariat.id and row.details["number"] == "1234/QĐ-SGDĐT"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "initiative.transition", AuditLog.to_state == "awarded")) == 3


def approved_then_moved(s, initiative, status: str):
    """The list compiled and approved, then one of its initiatives set to `status` behind its back."""
    compile_(s)
    services.approve_award_list(services.load_award_list(s.world.campaign.id), actor=s.world.leader)
    db.session.commit()
    db.session.execute(sa.update(Initiative).where(Initiative.id == initiative.id).values(status=status))
    db.session.commit()
    db.session.expire_all()
    return services.load_award_list(s.world.campaign.id)


def test_decision_is_all_or_nothing(setup):
    s = setup
    # One initiative leaves the shortlist behind the list's back: nothing moves.
    award_list = approved_then_moved(s, s.people, "scored")
    with pytest.raises(services.AwardError):
        services.record_decision(award_list, "1/QĐ", date(2024, 12, 1), "A", actor=s.world.secretariat)
    db.session.rollback()
    assert set(db.session.scalars(sa.select(Initiative.status))) == {"scored", "shortlisted"}
    assert db.session.scalar(sa.select(AwardList.status)) == "approved"


def test_reopen_by_the_secretariat_is_audited(client, setup):
    s = setup
    compile_(s)
    client.login(s.world.leader)
    client.post(url(s.world, "/duyet"))
    client.logout()
    client.login(s.world.secretariat)
    assert client.post(url(s.world, "/mo-lai"), {"reopen-reason": "Bổ sung ghi chú"}).status_code == 302
    assert db.session.scalar(sa.select(AwardList.status)) == "draft"
    assert db.session.scalar(sa.select(AuditLog.reason).where(AuditLog.action == "awards.reopened")) == "Bổ sung ghi chú"


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
    award_list = approved_then_moved(s, s.people, "published")
    services.record_decision(award_list, "1234/QĐ-SGDĐT", date(2024, 12, 20), "Trần Thế Cương",
                             actor=s.world.secretariat)
    db.session.commit()
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
