"""The secretariat's set-up of the review: committee, settings, rubric (default, copy, validation, lock),
commendation levels, assignment (automatic and by hand) and the reviewers' progress with reminders."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.jobs.models import Job
from thidua.registration.models import Initiative
from thidua.review import assigning, levels as levels_setup, rubric as rubric_setup, setup_errors
from thidua.review.models import (
    Assignment, CommendationLevel, CommitteeMember, Criterion, CriterionScore, Review,
)

from tests import factories


def url(world, tail=""):
    return f"/phong-trao/{world.campaign.id}/hoi-dong{tail}"


def page(response) -> str:
    return response.get_data(as_text=True)


def audit_actions(campaign_id) -> Counter:
    return Counter(db.session.scalars(sa.select(AuditLog.action).where(AuditLog.campaign_id == campaign_id)))


@pytest.fixture
def office(client, world):
    client.login(world.secretariat)
    return client


@pytest.fixture
def panel(world):
    """Four reviewers: one from each school, one from the office, one without a unit; all on the committee."""
    reviewers = [
        factories.user(Role.REVIEWER, world.school, full_name="Hoàng Văn An"),
        factories.user(Role.REVIEWER, world.other_school, full_name="Bùi Thị Bình"),
        world.reviewer,  # Văn phòng
        factories.user(Role.REVIEWER, None, full_name="Đặng Quốc Cường"),
    ]
    for r in reviewers:
        db.session.add(CommitteeMember(campaign_id=world.campaign.id, user_id=r.id))
    db.session.commit()
    return reviewers


def reported(world, count, unit=None):
    items = [factories.initiative(world.campaign, unit or (world.school if n % 2 else world.other_school),
                                  actor=world.editor, status=factories.State.REPORTED, title=f"Sáng kiến số {n}")
             for n in range(count)]
    db.session.commit()
    return items


# --- Committee and settings -----------------------------------------------------------------------

def test_committee_add_chair_and_remove(office, world):
    reviewer = world.reviewer
    response = office.post(url(world, "/thanh-vien/them"), {"user_id": reviewer.id, "chair": "1"})
    assert response.status_code == 302
    member = db.session.scalar(sa.select(CommitteeMember))
    assert member.user_id == reviewer.id and member.is_chair
    assert "Lê Minh Tuấn" in page(office.get(url(world)))
    # Twice: refused with a message.
    office.post(url(world, "/thanh-vien/them"), {"user_id": reviewer.id})
    assert "đã là thành viên Hội đồng" in page(office.get(url(world)))
    # A second member becomes chair: only one chair.
    other = factories.user(Role.REVIEWER, world.root, username="tv.hai", full_name="Đỗ Thị Hai")
    db.session.commit()
    office.post(url(world, "/thanh-vien/them"), {"user_id": other.id})
    second = db.session.scalar(sa.select(CommitteeMember).where(CommitteeMember.user_id == other.id))
    office.post(url(world, f"/thanh-vien/{second.id}/chu-tich"), {})
    db.session.expire_all()
    chairs = db.session.scalars(sa.select(CommitteeMember.user_id).where(CommitteeMember.is_chair)).all()
    assert chairs == [other.id]
    office.post(url(world, f"/thanh-vien/{second.id}/xoa"), {})
    assert db.session.scalars(sa.select(CommitteeMember.user_id)).all() == [reviewer.id]
    actions = audit_actions(world.campaign.id)
    assert actions["review.member_added"] == 2 and actions["review.chair_set"] == 2
    assert actions["review.member_removed"] == 1


def test_only_reviewer_accounts_join_the_committee(office, world):
    """A competing school's unit editor, a unit head or a leader is refused with a message; none is offered."""
    listed = page(office.get(url(world)))
    for user in (world.other_editor, world.head, world.leader, world.secretariat):
        assert f'data-candidate="{user.username}"' not in listed
        response = office.post(url(world, "/thanh-vien/them"), {"user_id": user.id}, follow_redirects=True)
        assert "không có vai trò “Thành viên Hội đồng”" in page(response), user.username
    # One refused among several ticked: nobody joins.
    office.post(url(world, "/thanh-vien/them"), {"user_id": [world.reviewer.id, world.other_editor.id]})
    assert db.session.scalar(sa.select(sa.func.count(CommitteeMember.id))) == 0
    assert f'data-candidate="{world.reviewer.username}"' in listed


def test_members_are_picked_from_a_searchable_list_several_at_once(office, world):
    names = ["Nguyễn Văn Hùng", "Nguyễn Thị Hương", "Trần Quốc Toản"] + [f"Thành viên {n:03d}" for n in range(300)]
    users = [factories.user(Role.REVIEWER, world.root, username=f"tv{n}", full_name=name)
             for n, name in enumerate(names)]
    db.session.commit()
    listed = page(office.get(url(world)))
    assert listed.count("data-candidate=") == 50 and "Hiện 50/304 tài khoản phù hợp" in listed
    found = page(office.get(url(world) + "?tim=nguyen"))  # without diacritics
    assert 'data-candidate="tv0"' in found and 'data-candidate="tv1"' in found
    assert 'data-candidate="tv2"' not in found and "2 tài khoản phù hợp" in found
    response = office.post(url(world, "/thanh-vien/them"), {"user_id": [users[0].id, users[1].id]})
    assert response.status_code == 302
    assert sorted(db.session.scalars(sa.select(CommitteeMember.user_id))) == sorted([users[0].id, users[1].id])
    assert "Không có tài khoản Thành viên Hội đồng nào khớp “nguyen”" in page(office.get(url(world) + "?tim=nguyen"))


def test_a_member_with_assignments_cannot_be_removed(office, world, panel):
    [item] = reported(world, 1, world.other_school)
    db.session.add(Assignment(campaign_id=world.campaign.id, initiative_id=item.id, reviewer_id=panel[0].id))
    db.session.commit()
    member = db.session.scalar(sa.select(CommitteeMember).where(CommitteeMember.user_id == panel[0].id))
    response = office.post(url(world, f"/thanh-vien/{member.id}/xoa"), {}, follow_redirects=True)
    assert "đang được phân công chấm 1 sáng kiến" in page(response)
    assert db.session.get(CommitteeMember, member.id) is not None


def test_settings_are_saved_and_validated(office, world):
    response = office.post(url(world, "/thiet-lap"), {"settings-reviewers_per_initiative": "2",
                                        "settings-disagreement_threshold": "10", "settings-blind_review": "y",
                                        "settings-csrf_token": office.csrf_token()})
    assert response.status_code == 302
    db.session.expire_all()
    assert (world.campaign.reviewers_per_initiative, world.campaign.disagreement_threshold,
            world.campaign.blind_review) == (2, 10, True)
    assert audit_actions(world.campaign.id)["review.settings"] == 1
    response = office.post(url(world, "/thiet-lap"), {"settings-reviewers_per_initiative": "0",
                                        "settings-disagreement_threshold": "10",
                                        "settings-csrf_token": office.csrf_token()})
    assert response.status_code == 400


# --- Rubric -----------------------------------------------------------------------------------

def test_default_rubric_totals_100_with_the_son_la_bands(office, world):
    response = office.post(url(world, "/tieu-chi/mac-dinh"), {}, follow_redirects=True)
    text = page(response)
    assert "Đã dùng bộ tiêu chí mặc định" in text and "Tổng điểm tối đa phải bằng" not in text
    items = rubric_setup.criteria(world.campaign.id)
    assert [(c.name, c.max_score) for c in items] == [
        ("Tính mới, sáng tạo", 30), ("Tính hiệu quả", 30), ("Khả năng nhân rộng", 25),
        ("Tính khả thi, bền vững", 10), ("Hồ sơ, minh chứng", 5)]
    assert [(b["min"], b["max"]) for b in items[0].bands] == [(27, 30), (21, 26), (16, 20), (1, 15), (0, 0)]
    assert all(c.low and c.middle and c.high for c in items)
    assert "27–30: Hoàn toàn mới" in text


def test_total_is_validated_and_the_page_says_by_how_much(office, world):
    rubric_setup.apply_default_rubric(world.campaign, actor=world.secretariat)
    db.session.commit()
    last = rubric_setup.criteria(world.campaign.id)[-1]
    response = office.post(url(world, f"/tieu-chi/{last.id}/sua"), {
        f"c{last.id}-name": "Hồ sơ", f"c{last.id}-max_score": "0",
        f"c{last.id}-csrf_token": office.csrf_token()})
    assert response.status_code == 400 and "Giá trị phải từ 1 đến 100" in page(response)
    # Remove the 5-point criterion: 95.
    office.post(url(world, f"/tieu-chi/{last.id}/xoa"), {})
    text = page(office.get(url(world, "/tieu-chi")))
    assert "Tổng điểm tối đa phải bằng 100 (hiện là 95)." in text
    # Add one of 5: back to 100.
    office.post(url(world, "/tieu-chi/them"), {"new-name": "Tác động đến sự hài lòng",
                                          "new-max_score": "5", "new-bands": "4-5: Rõ rệt\n0-3: Chưa rõ",
                                          "new-csrf_token": office.csrf_token()})
    text = page(office.get(url(world, "/tieu-chi")))
    assert "Tổng điểm tối đa phải bằng" not in text and "Tác động đến sự hài lòng" in text
    db.session.expire_all()  # SQLite may give the new row the removed one's id
    added = rubric_setup.criteria(world.campaign.id)[-1]
    assert added.bands == [{"min": 4, "max": 5, "label": "Rõ rệt"}, {"min": 0, "max": 3, "label": "Chưa rõ"}]


@pytest.mark.parametrize(("bands", "message"), [
    ("27 to 30 Hoàn toàn mới", "chưa đúng dạng"),
    ("25-35: Quá mức", "vượt quá điểm tối đa 30"),
    ("20-27: A\n25-30: B", "chồng lên nhau"),
])
def test_bad_bands_are_refused(office, world, bands, message):
    response = office.post(url(world, "/tieu-chi/them"), {"new-name": "Tính mới", "new-max_score": "30",
                                                     "new-bands": bands, "new-csrf_token": office.csrf_token()})
    assert response.status_code == 400 and message in page(response)
    assert not rubric_setup.criteria(world.campaign.id)


def test_reorder_criteria(office, world):
    rubric_setup.apply_default_rubric(world.campaign, actor=world.secretariat)
    db.session.commit()
    second = rubric_setup.criteria(world.campaign.id)[1]
    office.post(url(world, f"/tieu-chi/{second.id}/len"), {})
    db.session.expire_all()
    assert [c.name for c in rubric_setup.criteria(world.campaign.id)][:2] == ["Tính hiệu quả", "Tính mới, sáng tạo"]


def test_copy_rubric_from_an_earlier_campaign(office, world):
    earlier = factories.campaign(world.root, name="Phong trào CCHC năm 2023", year=2023)
    db.session.add(Criterion(campaign_id=earlier.id, position=1, name="Hiệu quả", max_score=60,
                             bands=[{"min": 50, "max": 60, "label": "Rất rõ"}]))
    db.session.add(Criterion(campaign_id=earlier.id, position=2, name="Tính mới", max_score=40, low="Ít"))
    db.session.commit()
    assert "Phong trào CCHC năm 2023 (2023, 2 tiêu chí)" in page(office.get(url(world, "/tieu-chi")))
    office.post(url(world, "/tieu-chi/sao-chep"), {"source_id": earlier.id})
    items = rubric_setup.criteria(world.campaign.id)
    assert [(c.name, c.max_score, c.low, c.bands) for c in items] == [
        ("Hiệu quả", 60, "", [{"min": 50, "max": 60, "label": "Rất rõ"}]), ("Tính mới", 40, "Ít", [])]
    assert len(rubric_setup.criteria(earlier.id)) == 2  # the source is untouched
    assert audit_actions(world.campaign.id)["review.rubric_replaced"] == 1


def test_once_marks_are_in_the_rubric_keeps_its_shape(office, world, panel):
    rubric_setup.apply_default_rubric(world.campaign, actor=world.secretariat)
    [item] = reported(world, 1, world.other_school)
    factories.submitted_review(item, panel[0], total=80)
    db.session.commit()
    first = rubric_setup.criteria(world.campaign.id)[0]
    text = page(office.get(url(world, "/tieu-chi")))
    assert rubric_setup.LOCK_MESSAGE in text and "Dùng bộ tiêu chí mặc định" not in text
    edit = url(world, f"/tieu-chi/{first.id}/sua")
    form = {f"c{first.id}-name": first.name, f"c{first.id}-max_score": "35",
            f"c{first.id}-csrf_token": office.csrf_token()}
    response = office.post(edit, form)
    assert response.status_code == 400 and "không thể thêm, xóa tiêu chí hay đổi điểm tối đa" in page(response)
    # Descriptions and bands may still change.
    form.update({f"c{first.id}-max_score": "30", f"c{first.id}-description": "Mô tả mới",
                 f"c{first.id}-bands": "25-30: Rất mới\n0-24: Chưa mới", f"c{first.id}-csrf_token": office.csrf_token()})
    assert office.post(edit, form).status_code == 302
    db.session.expire_all()
    assert first.description == "Mô tả mới" and first.max_score == 30 and len(first.bands) == 2
    for refused in (f"/tieu-chi/{first.id}/xoa", "/tieu-chi/mac-dinh"):
        office.post(url(world, refused), {})
        assert len(rubric_setup.criteria(world.campaign.id)) == 5
    response = office.post(url(world, "/tieu-chi/them"), {"new-name": "Thêm", "new-max_score": "5",
                                                     "new-csrf_token": office.csrf_token()})
    assert response.status_code == 400 and len(rubric_setup.criteria(world.campaign.id)) == 5


def test_a_criterion_score_alone_also_locks_the_rubric(world, panel):
    rubric_setup.apply_default_rubric(world.campaign, actor=world.secretariat)
    [item] = reported(world, 1, world.other_school)
    a = Assignment(campaign_id=world.campaign.id, initiative_id=item.id, reviewer_id=panel[0].id)
    db.session.add(a)
    db.session.flush()
    review = Review(assignment_id=a.id, status="draft")
    db.session.add(review)
    db.session.flush()
    assert not rubric_setup.rubric_locked(world.campaign.id)
    db.session.add(CriterionScore(review_id=review.id, criterion_id=rubric_setup.criteria(world.campaign.id)[0].id,
                                  score=Decimal(20)))
    db.session.flush()
    assert rubric_setup.rubric_locked(world.campaign.id)


# --- Levels -----------------------------------------------------------------------------------------

def test_levels_add_edit_reorder_remove(office, world):
    lurl = url(world, "/hinh-thuc-khen-thuong")
    token = office.csrf_token()
    office.post(lurl + "/them", {"level-name": "Giấy khen của Giám đốc Sở", "level-min_score": "80",
                       "level-csrf_token": token})
    office.post(lurl + "/them", {"level-name": "Bằng khen của Chủ tịch UBND Thành phố",
                       "level-min_score": "90", "level-max_count": "3", "level-csrf_token": office.csrf_token()})
    response = office.post(lurl + "/them", {"level-name": " ", "level-csrf_token": office.csrf_token()})
    assert response.status_code == 400 and "Nhập tên hình thức khen thưởng." in page(response)
    items = levels_setup.levels(world.campaign.id)
    assert [(lv.name, lv.min_score, lv.max_count) for lv in items] == [
        ("Giấy khen của Giám đốc Sở", Decimal("80.00"), None),
        ("Bằng khen của Chủ tịch UBND Thành phố", Decimal("90.00"), 3)]
    office.post(f"{lurl}/{items[1].id}/len", {})
    db.session.expire_all()
    assert [lv.name for lv in levels_setup.levels(world.campaign.id)][0].startswith("Bằng khen")
    lid = items[0].id
    office.post(f"{lurl}/{lid}/sua", {f"l{lid}-name": "Giấy khen của Giám đốc Sở",
                       f"l{lid}-min_score": "", f"l{lid}-max_count": "10", f"l{lid}-csrf_token": office.csrf_token()})
    db.session.expire_all()
    level = db.session.get(CommendationLevel, lid)
    assert (level.min_score, level.max_count) == (None, 10)
    office.post(f"{lurl}/{lid}/xoa", {})
    assert [lv.name for lv in levels_setup.levels(world.campaign.id)] == ["Bằng khen của Chủ tịch UBND Thành phố"]
    actions = audit_actions(world.campaign.id)
    assert (actions["review.level_added"], actions["review.level_updated"], actions["review.level_removed"]) == (2, 1, 1)


# --- Assignment -------------------------------------------------------------------------------------

def test_automatic_assignment_through_the_page(office, world, panel):
    world.campaign.reviewers_per_initiative = 2
    items = reported(world, 6)
    text = page(office.get(url(world, "/phan-cong")))
    assert "12</strong> lượt chấm còn thiếu" in text
    response = office.post(url(world, "/phan-cong/tu-dong"), {}, follow_redirects=True)
    assert "Đã phân công tự động 12 lượt chấm" in page(response)
    rows = db.session.execute(sa.select(Assignment.initiative_id, Assignment.reviewer_id, Assignment.method)).all()
    units = {u.id: u.unit_id for u in panel}
    by_initiative = Counter(i for i, _, _ in rows)
    assert all(by_initiative[i.id] == 2 for i in items)
    assert all(units[r] != db.session.get(Initiative, i).unit_id for i, r, _ in rows)
    loads = Counter(r for _, r, _ in rows)
    assert max(loads.values()) - min(loads[u.id] for u in panel) <= 1
    assert {m for _, _, m in rows} == {"auto"}
    db.session.expire_all()
    assert {db.session.get(Initiative, i.id).status for i in items} == {"under_review"}
    transitions = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "initiative.transition")).all()
    assert len(transitions) == 6 and all(t.to_state == "under_review" and t.actor_id == world.secretariat.id
                                         for t in transitions)
    # Re-run: nothing more to do; a new initiative gets only its own reviewers.
    response = office.post(url(world, "/phan-cong/tu-dong"), {}, follow_redirects=True)
    assert "không có gì để phân công thêm" in page(response)
    [late] = reported(world, 1, world.school)
    office.post(url(world, "/phan-cong/tu-dong"), {})
    after = db.session.execute(sa.select(Assignment.initiative_id, Assignment.reviewer_id)).all()
    assert set(after) - {(i, r) for i, r, _ in rows} == {p for p in after if p[0] == late.id}
    assert len([p for p in after if p[0] == late.id]) == 2


def test_automatic_assignment_is_reproducible(app, world, panel):
    world.campaign.reviewers_per_initiative = 2
    items = reported(world, 5)
    plan_a, _ = assigning.plan_for(world.campaign)
    plan_b, _ = assigning.plan_for(world.campaign)
    assert plan_a.ok and plan_a.pairs == plan_b.pairs and len(plan_a.pairs) == 10
    assert {i for i, _ in plan_a.pairs} == {i.id for i in items}


def test_an_impossible_assignment_says_why_and_assigns_nothing(office, world, panel):
    world.campaign.reviewers_per_initiative = 4  # only three reviewers are not of the school
    reported(world, 2, world.school)
    text = page(office.get(url(world, "/phan-cong")))
    assert "cần thêm 4 thành viên chấm nhưng chỉ còn 3" in text
    response = office.post(url(world, "/phan-cong/tu-dong"), {}, follow_redirects=True)
    assert "Chưa phân công được" in page(response)
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 0
    assert set(db.session.scalars(sa.select(Initiative.status))) == {"reported"}


def test_assignment_by_hand_and_its_refusals(office, world, panel):
    [item] = reported(world, 1, world.school)
    same_unit, other = panel[0], panel[1]
    response = office.post(url(world, "/phan-cong/them"), {"initiative_id": item.id,
                                                      "user_id": same_unit.id}, follow_redirects=True)
    assert "thuộc cùng đơn vị với sáng kiến này nên không được chấm" in page(response)
    outsider = factories.user(Role.REVIEWER, world.other_school)
    db.session.commit()
    response = office.post(url(world, "/phan-cong/them"), {"initiative_id": item.id,
                                                      "user_id": outsider.id}, follow_redirects=True)
    assert "chưa là thành viên Hội đồng" in page(response)
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 0
    response = office.post(url(world, "/phan-cong/them"), {"initiative_id": item.id,
                                                      "user_id": other.id}, follow_redirects=True)
    assert "Đã phân công Bùi Thị Bình chấm sáng kiến" in page(response)
    assignment = db.session.scalar(sa.select(Assignment))
    assert assignment.method == "manual" and assignment.assigned_by_id == world.secretariat.id
    db.session.expire_all()
    assert db.session.get(Initiative, item.id).status == "under_review"
    response = office.post(url(world, "/phan-cong/them"), {"initiative_id": item.id,
                                                      "user_id": other.id}, follow_redirects=True)
    assert "đã được phân công chấm sáng kiến này" in page(response)
    # A declared conflict ends the assignment and may not be re-made.
    db.session.execute(sa.update(Assignment).values(conflict_at=sa.func.now(), conflict_reason="Người thân"))
    db.session.commit()
    response = office.post(url(world, "/phan-cong/them"), {"initiative_id": item.id,
                                                      "user_id": other.id}, follow_redirects=True)
    assert "đã khai báo xung đột lợi ích" in page(response)
    # Removal: allowed for a pending one, refused once the review is submitted.
    fresh = office.post(url(world, "/phan-cong/them"), {"initiative_id": item.id,
                                                   "user_id": world.reviewer.id})
    assert fresh.status_code == 302
    pending = db.session.scalar(sa.select(Assignment).where(Assignment.reviewer_id == world.reviewer.id))
    office.post(url(world, f"/phan-cong/{pending.id}/go"), {})
    assert db.session.scalar(sa.select(Assignment.id).where(Assignment.id == pending.id)) is None
    db.session.expunge(pending)  # SQLite may reuse its id
    factories.submitted_review(item, panel[3])
    db.session.commit()
    done = db.session.scalar(sa.select(Assignment).where(Assignment.reviewer_id == panel[3].id))
    response = office.post(url(world, f"/phan-cong/{done.id}/go"), {},
                           follow_redirects=True)
    assert "đã gửi phiếu chấm" in page(response)
    assert db.session.scalar(sa.select(Assignment.id).where(Assignment.id == done.id)) == done.id
    actions = audit_actions(world.campaign.id)
    assert actions["review.assigned"] == 2 and actions["review.unassigned"] == 1


# --- Progress and reminders -------------------------------------------------------------------------

def _progress_world(world, panel):
    items = reported(world, 2, world.other_school)
    for item in items:
        db.session.add(Assignment(campaign_id=world.campaign.id, initiative_id=item.id, reviewer_id=panel[0].id))
    factories.submitted_review(items[0], world.reviewer)
    db.session.commit()
    return items


def test_progress_board_per_reviewer(client, world, panel):
    _progress_world(world, panel)
    client.login(world.leader)
    text = page(client.get(url(world, "/tien-do")))
    assert "1/3 phiếu chấm đã gửi" in text
    assert f'data-reviewer="{panel[0].username}"' in text and "0/2" in text and "1/1" in text
    assert "Nhắc thành viên chưa chấm xong" not in text  # leaders read only


def test_reminder_job_without_mail_server_says_so(office, world, panel):
    _progress_world(world, panel)
    assert "Nhắc thành viên chưa chấm xong (1)" in page(office.get(url(world, "/tien-do")))
    response = office.post(url(world, "/tien-do/nhac"))
    assert response.status_code == 302 and "/cong-viec/" in response.headers["Location"]
    job = db.session.scalar(sa.select(Job))
    assert job.kind == "send_review_reminders" and job.status == "done"
    assert job.result == {"reviewers": 1, "sent": 0, "no_address": 0, "failed": 0, "mail_enabled": False}
    assert "MAIL_SERVER" in job.message


def test_reminder_job_mails_each_reviewer_with_unfinished_reviews(office, world, panel, app, monkeypatch):
    items = _progress_world(world, panel)
    panel[0].email = "an.hv@thidua-demo.edu.vn"
    db.session.commit()
    sent = []
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.invalid")
    monkeypatch.setattr("thidua.notifications.mail.Mailer.send", lambda self, to, subject, body: sent.append(
        (to, subject, body)))
    office.post(url(world, "/tien-do/nhac"))
    job = db.session.scalar(sa.select(Job))
    assert job.result["sent"] == 1 and job.result["reviewers"] == 1
    [(to, subject, body)] = sent
    assert to == ["an.hv@thidua-demo.edu.vn"] and "Nhắc chấm điểm" in subject
    assert f"#{items[0].id}" in body and f"#{items[1].id}" in body and "còn 2 sáng kiến" in body


def test_nothing_to_remind(office, world, panel):
    response = office.post(url(world, "/tien-do/nhac"), follow_redirects=True)
    assert "không có ai cần nhắc" in page(response)
    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 0



def test_a_reviewer_never_judges_a_unit_their_unit_oversees_nor_their_own(office, world):
    """A ward's office oversees its schools: its member is too close to judge them, in the automatic plan and by
    hand; a member at the organiser itself (the Sở) is the committee and judges everyone."""
    ward = factories.unit(code="ubnd-phuong-x", name="UBND phường Xuân Đỉnh", parent=world.root, unit_type="so")
    school = factories.unit(code="thcs-xuan-dinh", name="Trường THCS Xuân Đỉnh", parent=ward, unit_type="thcs")
    db.session.commit()
    from thidua.campaigns import services as campaign_services

    campaign_services.set_participants(world.campaign, {(school.block, school.unit_type)}, actor=world.secretariat)
    editor = factories.user(Role.UNIT_EDITOR, school)
    item = factories.initiative(world.campaign, school, actor=editor, status=factories.State.REPORTED)
    at_ward = factories.user(Role.REVIEWER, ward, full_name="Phan Thị Phường")
    at_school = factories.user(Role.REVIEWER, school, full_name="Vũ Văn Trường")
    at_organiser = factories.user(Role.REVIEWER, world.root, full_name="Ngô Thị Sở")
    elsewhere = factories.user(Role.REVIEWER, world.other_school, full_name="Lý Văn Khác")
    for reviewer in (at_ward, at_school, at_organiser, elsewhere):
        db.session.add(CommitteeMember(campaign_id=world.campaign.id, user_id=reviewer.id))
    world.campaign.reviewers_per_initiative = 2
    db.session.commit()

    plan, _ = assigning.plan_for(world.campaign)
    assert plan.ok, plan.problems
    assert {r for i, r in plan.pairs if i == item.id} == {at_organiser.id, elsewhere.id}
    with pytest.raises(setup_errors.SetupError, match="đơn vị quản lý"):
        assigning.assign_by_hand(world.campaign, item, at_ward, actor=world.secretariat)
    with pytest.raises(setup_errors.SetupError, match="cùng đơn vị"):
        assigning.assign_by_hand(world.campaign, item, at_school, actor=world.secretariat)
    assert assigning.assign_by_hand(world.campaign, item, at_organiser, actor=world.secretariat).reviewer_id == at_organiser.id
