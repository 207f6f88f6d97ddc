"""The campaign's hub: each step of the pipeline, its state, figures and what is missing, through a campaign's
life with the application's clock moved from before the launch to after the report to UBND Thành phố."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.reports.models import CityReport
from thidua.reports.pipeline import CLOSED, DONE, NOT_OPEN, OPEN, campaign_pipeline
from thidua.review.models import Assignment, CommitteeMember, Criterion, Review
from thidua.targets import services as target_services
from thidua.targets.models import TargetValue
from thidua.workflow import State

from tests import factories

ORDER = ["registration", "report", "review", "awards", "city_report", "gallery"]


@pytest.fixture
def life(world):
    """A campaign of 2024 with three participants: Đợt 1 from 01/08 to 25/08, Đợt 2 to 31/10, report by 15/11."""
    world.campaign = factories.campaign(
        world.root, name="Phong trào thi đua CCHC năm 2024 (đời sống)", launch=date(2024, 8, 1),
        registration_deadline=date(2024, 8, 25), report_deadline=date(2024, 10, 31),
        participants=[world.office_unit, world.school, world.other_school])
    world.campaign.city_report_deadline = date(2024, 11, 15)
    db.session.commit()
    return world


DURING_DOT_1 = datetime(2024, 8, 10, 9, 0)  # initiatives are drafted while Đợt 1 is open


def _pipeline(world):
    db.session.expire_all()
    return campaign_pipeline(world.campaign)


def test_before_the_launch_everything_is_yet_to_open(life, clock):
    clock.at(datetime(2024, 7, 20, 9, 0))
    pipeline = _pipeline(life)
    assert [s.key for s in pipeline.steps] == ORDER  # no targets, no targets step
    assert [s.state for s in pipeline.steps] == [NOT_OPEN] * 6
    registration = pipeline.step("registration")
    assert registration.when == "mở ngày 01/08 · hạn 25/08/2024" and registration.current
    assert registration.figures == ["0/3 đơn vị đã đăng ký", "0 sáng kiến đăng ký"]
    assert registration.missing == []  # nothing is missing before it opens
    assert pipeline.step("review").missing == ["Chưa lập Hội đồng", "Chưa có tiêu chí chấm", "Chưa phân công chấm"]


def test_during_dot_1_it_counts_the_units_still_to_register(life, clock):
    clock.at(datetime(2024, 8, 20, 9, 0))
    factories.initiative(life.campaign, life.school, actor=life.editor, status=State.REGISTERED)
    factories.initiative(life.campaign, life.school, actor=life.editor, status=State.REGISTERED)
    factories.initiative(life.campaign, life.other_school, actor=life.other_editor)  # a draft: not registered
    db.session.commit()
    pipeline = _pipeline(life)
    registration = pipeline.step("registration")
    assert registration.state == OPEN and registration.when == "hạn 25/08 · còn 5 ngày"
    assert registration.figures == ["1/3 đơn vị đã đăng ký", "2 sáng kiến đăng ký"]
    assert registration.missing == ["2 đơn vị chưa đăng ký"]
    assert pipeline.current is registration
    report = pipeline.step("report")
    assert report.state == NOT_OPEN and report.when == "mở sau ngày 25/08" and report.missing == []


def test_during_dot_2_dot_1_is_closed_and_the_reports_are_counted(life, clock):
    clock.at(DURING_DOT_1)
    factories.initiative(life.campaign, life.school, actor=life.editor, status=State.REPORTED)
    factories.initiative(life.campaign, life.other_school, actor=life.other_editor, status=State.REGISTERED)
    db.session.commit()
    clock.at(datetime(2024, 9, 10, 9, 0))
    pipeline = _pipeline(life)
    registration, report = pipeline.step("registration"), pipeline.step("report")
    assert registration.state == CLOSED and registration.missing == ["1 đơn vị chưa đăng ký"]
    assert report.state == OPEN and report.when == "hạn 31/10 · còn 51 ngày"
    assert report.figures == ["1/3 đơn vị đã gửi báo cáo kết quả", "1/2 sáng kiến đã có báo cáo"]
    assert report.missing == ["2 đơn vị chưa gửi báo cáo kết quả"]
    assert pipeline.current is report


def _committee(world, initiative, *, scored: bool):
    reviewer = factories.user(Role.REVIEWER, world.office_unit)
    db.session.add_all([CommitteeMember(campaign_id=world.campaign.id, user_id=reviewer.id),
                        Criterion(campaign_id=world.campaign.id, position=0, name="Tính mới", max_score=100)])
    assignment = Assignment(campaign_id=world.campaign.id, initiative_id=initiative.id, reviewer_id=reviewer.id)
    db.session.add(assignment)
    db.session.flush()
    if scored:
        db.session.add(Review(assignment_id=assignment.id, status="submitted", total=90))
    db.session.commit()


def test_after_dot_2_the_committee_is_the_next_thing_with_its_deadline(life, clock):
    clock.at(DURING_DOT_1)
    initiative = factories.initiative(life.campaign, life.school, actor=life.editor, status=State.UNDER_REVIEW)
    clock.at(datetime(2024, 11, 5, 9, 0))
    _committee(life, initiative, scored=False)
    pipeline = _pipeline(life)
    review = pipeline.step("review")
    assert review.state == OPEN and review.when == "hạn chấm 15/11 · còn 10 ngày"
    assert review.figures == ["0/1 phiếu đã chấm", "1 thành viên Hội đồng", "1 tiêu chí chấm"]
    assert review.missing == ["1 phiếu chưa chấm"]
    assert pipeline.current is review
    assert pipeline.step("report").state == CLOSED
    assert pipeline.step("awards").state == NOT_OPEN


def test_once_scored_the_award_list_is_next_then_the_report(life, clock):
    clock.at(DURING_DOT_1)
    initiative = factories.initiative(life.campaign, life.school, actor=life.editor, status=State.SHORTLISTED)
    clock.at(datetime(2024, 11, 8, 9, 0))
    _committee(life, initiative, scored=True)
    pipeline = _pipeline(life)
    assert pipeline.step("review").state == DONE and pipeline.step("review").missing == []
    awards = pipeline.step("awards")
    assert awards.state == OPEN and awards.missing == ["Chưa lập danh sách khen thưởng"]
    assert awards.figures == ["1 sáng kiến được đề xuất khen thưởng"]
    assert pipeline.current is awards

    initiative.status = State.AWARDED.value
    factories.decided_award(life, initiative)
    db.session.commit()
    pipeline = _pipeline(life)
    awards = pipeline.step("awards")
    assert awards.state == DONE and awards.when == "Đã có quyết định khen thưởng"
    assert awards.figures == ["1 đề nghị khen thưởng trong danh sách"]
    city = pipeline.step("city_report")
    assert city.state == OPEN and city.when == "hạn 15/11 · còn 7 ngày" and city.missing == ["Chưa tạo báo cáo"]
    assert pipeline.current is city
    gallery = pipeline.step("gallery")
    assert gallery.state == OPEN and gallery.missing == ["1 sáng kiến đã khen thưởng chưa công bố"]


def test_an_award_list_waiting_for_the_leader_says_so(life, clock):
    clock.at(DURING_DOT_1)
    initiative = factories.initiative(life.campaign, life.school, actor=life.editor, status=State.SHORTLISTED)
    clock.at(datetime(2024, 11, 8, 9, 0))
    award_list = factories.decided_award(life, initiative, decided=False)
    award_list.status = "submitted"
    db.session.commit()
    awards = _pipeline(life).step("awards")
    assert awards.state == OPEN and awards.when == "Đã trình lãnh đạo duyệt" and awards.missing == ["Chờ lãnh đạo duyệt"]


def test_at_the_end_the_report_and_the_gallery_are_done(life, clock):
    clock.at(DURING_DOT_1)
    initiative = factories.initiative(life.campaign, life.school, actor=life.editor, status=State.PUBLISHED)
    clock.at(datetime(2024, 11, 20, 9, 0))
    _committee(life, initiative, scored=True)
    factories.decided_award(life, initiative)
    db.session.add(CityReport(campaign_id=life.campaign.id, number=1, draft={}, docx_key="a", xlsx_key="b",
                              created_by_id=life.secretariat.id, created_at=datetime(2024, 11, 14, 3, 0)))
    db.session.commit()
    pipeline = _pipeline(life)
    city = pipeline.step("city_report")
    assert city.state == DONE and city.figures == ["1 phiên bản đã tạo"] and city.when.startswith("phiên bản 1, 14/11/2024")
    gallery = pipeline.step("gallery")
    assert gallery.state == DONE and gallery.figures == ["1 mô hình đã công bố"] and gallery.missing == []
    # Đợt 1 and 2 closed with units missing; nothing is open or yet to open: no step is highlighted.
    assert pipeline.current is None


def test_a_campaign_with_targets_shows_them_after_dot_2(life, clock):
    clock.at(datetime(2024, 9, 10, 9, 0))
    target_services.apply_default_targets(life.campaign, actor=life.secretariat)
    round_ = target_services.default_round(life.campaign)
    target = target_services.targets_of(life.campaign.id)[0]
    db.session.add(TargetValue(campaign_id=life.campaign.id, target_id=target.id, unit_id=life.school.id, value=1,
                               state="sent"))
    db.session.commit()
    pipeline = _pipeline(life)
    assert [s.key for s in pipeline.steps] == ["registration", "report", "targets", *ORDER[2:]]
    targets = pipeline.step("targets")
    count = len(target_services.targets_of(life.campaign.id))
    assert targets.state == OPEN and targets.when == f"{round_.name}: hạn 31/10 · còn 51 ngày"
    assert targets.figures == [f"{count} chỉ tiêu", "1 kỳ báo cáo", "0 giá trị đã xác nhận"]
    assert targets.missing == ["1 giá trị chờ Văn phòng xác nhận"]
    assert pipeline.current is pipeline.step("report")  # Đợt 2 comes first
