"""Builders for test data, going through the product's own services where it matters."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from werkzeug.security import generate_password_hash

from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.registration import services as registration_services
from thidua.registration.models import Initiative
from thidua.timeutil import local_today
from thidua.units.models import Unit
from thidua.workflow import State  # noqa: F401  (tests use factories.State)

PASSWORD = "matkhau2024"
# A cheap hash keeps sign-in fast in tests; the product hashes with scrypt (werkzeug default).
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_sequence = itertools.count(1)


def unit(*, code=None, name=None, block="Khối trực thuộc", unit_type="thpt", parent=None, district="Ba Đình",
         **extra) -> Unit:
    n = next(_sequence)
    item = Unit(code=code or f"thpt-so-{n}", name=name or f"Trường THPT Số {n}", short_name=extra.pop("short_name", ""),
                block=block, unit_type=unit_type, district=district, parent_id=parent.id if parent else None,
                email=extra.pop("email", f"don-vi-{n}@thidua-demo.edu.vn"),
                is_organiser=extra.pop("is_organiser", parent is None), **extra)
    db.session.add(item)
    db.session.flush()
    return item


def _organiser_above(unit: Unit | None) -> int | None:
    """The nearest organiser at or above `unit`, or else the first root organiser."""
    import sqlalchemy as sa

    while unit is not None:
        if unit.is_organiser:
            return unit.id
        unit = db.session.get(Unit, unit.parent_id) if unit.parent_id else None
    return db.session.scalar(sa.select(Unit.id).where(Unit.is_organiser.is_(True), Unit.parent_id.is_(None))
                             .order_by(Unit.id).limit(1))


def user(role: Role, unit: Unit | None = None, *, username=None, full_name=None, organiser: Unit | None = None,
         **extra) -> User:
    """An account; a staff one acts for `organiser`, by default the nearest organiser at or above its unit."""
    n = next(_sequence)
    if role not in (Role.UNIT_EDITOR, Role.UNIT_HEAD) and "organiser_id" not in extra:
        extra["organiser_id"] = organiser.id if organiser else _organiser_above(unit)
    item = User(username=username or f"{role.value.replace('_', '')}{n}", full_name=full_name or f"Người dùng {n}",
                role=role.value, unit_id=unit.id if unit else None, password_hash=_HASH, **extra)
    db.session.add(item)
    db.session.flush()
    return item


def campaign(organiser: Unit, *, actor=None, launch: date | None = None, registration_deadline: date | None = None,
             report_deadline: date | None = None, participants: list[Unit] = (), **extra) -> Campaign:
    today = local_today()
    launch = launch or today - timedelta(days=10)
    registration_deadline = registration_deadline or today + timedelta(days=10)
    report_deadline = report_deadline or registration_deadline + timedelta(days=60)
    item = Campaign(organiser_id=organiser.id, name=extra.pop("name", "Phong trào thi đua CCHC năm 2024"),
                    year=extra.pop("year", 2024), period="2023–2025", launch_date=launch,
                    registration_deadline=registration_deadline, report_deadline=report_deadline,
                    city_report_deadline=report_deadline + timedelta(days=15), **extra)
    db.session.add(item)
    db.session.flush()
    from thidua.campaigns.models import CampaignUnit

    for participant in participants:
        db.session.add(CampaignUnit(campaign_id=item.id, unit_id=participant.id))
    db.session.flush()
    return item


COMPLETE = {
    "kind": "giai_phap",
    "title": "Ứng dụng chữ ký số trong hồ sơ chuyên môn của giáo viên",
    "area": "chinh_quyen_so",
    "need": "Hồ sơ chuyên môn còn in ấn, ký tay; tốn giấy và thời gian.",
    "objectives": "100% giáo viên lưu hồ sơ chuyên môn điện tử.",
    "content": "1. Cấp chữ ký số; 2. Xây dựng thư mục dùng chung; 3. Tập huấn.",
    "start_date": date(2024, 9, 1),
    "end_date": date(2024, 10, 31),
    "expected_results": "Không còn in kế hoạch bài dạy.",
    "author_type": "tap_the",
    "collective_name": "Tổ Văn phòng",
    "people_in_charge": "Nguyễn Thúy Loan, Phó Hiệu trưởng",
}


def initiative(campaign: Campaign, unit: Unit, *, actor: User, status: State = State.DRAFT, **values) -> Initiative:
    """A draft made through the service; other states are set directly for set-up only."""
    item = registration_services.create_initiative(campaign, unit, actor=actor, values={**COMPLETE, **values},
                                                   authors=[])
    if status is not State.DRAFT:
        item.status = status.value  # set-up shortcut: the state tests drive transitions themselves
    db.session.flush()
    return item


def complete_report(initiative: Initiative, *, actor: User) -> None:
    """A results report with everything submitting asks for (set-up through the service)."""
    from decimal import Decimal

    from thidua.results.services import save_report

    save_report(initiative, actor=actor, expected_version=None, values={
        "progress": "hoan_thanh", "achievements": "Đã triển khai tại 100% tổ chuyên môn.",
        "effect_citizens": "Phụ huynh tra cứu trực tuyến.", "self_assessment": "tot",
        "people_in_charge": "Phó Hiệu trưởng", "evidence_links": "https://drive.google.com/drive/folders/x",
    }, indicators=[{"name": "Thời gian xử lý", "unit_of_measure": "ngày", "before": Decimal(5), "after": Decimal(2)}])


def submitted_review(initiative: Initiative, reviewer: User, *, total=None) -> None:
    """An assignment of `reviewer` with a submitted review (set-up for the states after scoring)."""
    from decimal import Decimal

    from thidua.review.models import Assignment, Review

    assignment = Assignment(campaign_id=initiative.campaign_id, initiative_id=initiative.id, reviewer_id=reviewer.id)
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Review(assignment_id=assignment.id, status="submitted", total=Decimal(total or 80)))
    db.session.flush()


@dataclass
class World:
    root: Unit
    office_unit: Unit
    school: Unit
    other_school: Unit
    secretariat: User
    leader: User
    reviewer: User
    editor: User
    head: User
    other_head: User
    other_editor: User
    campaign: Campaign

    @classmethod
    def build(cls) -> World:
        root = unit(code="so-gddt", name="Sở Giáo dục và Đào tạo Hà Nội", block="", unit_type="so")
        office = unit(code="van-phong", name="Văn phòng", block="Khối các phòng thuộc Sở", unit_type="phong_thuoc_so",
                      parent=root)
        school = unit(code="thpt-chu-van-an", name="Trường THPT Chu Văn An", short_name="THPT Chu Văn An",
                      parent=root, district="Tây Hồ")
        other = unit(code="thpt-kim-lien", name="Trường THPT Kim Liên", short_name="THPT Kim Liên", parent=root,
                     district="Đống Đa")
        world = cls(
            root=root, office_unit=office, school=school, other_school=other,
            secretariat=user(Role.SECRETARIAT, office, username="vanphong", full_name="Nguyễn Thị Thu Hà"),
            leader=user(Role.LEADER, root, username="giamdoc", full_name="Trần Thế Cương"),
            reviewer=user(Role.REVIEWER, office, username="hoidong", full_name="Lê Minh Tuấn"),
            editor=user(Role.UNIT_EDITOR, school, username="cvan.canbo", full_name="Phạm Thu Trang"),
            head=user(Role.UNIT_HEAD, school, username="cvan.hieutruong", full_name="Nguyễn Văn Hiền"),
            other_head=user(Role.UNIT_HEAD, other, username="kl.hieutruong", full_name="Đỗ Thị Hải Yến"),
            other_editor=user(Role.UNIT_EDITOR, other, username="kl.canbo", full_name="Vũ Minh Đức"),
            campaign=None,
        )
        world.campaign = campaign(root, participants=[office, school, other])
        db.session.commit()
        return world


def decided_award(world, initiative, *, level_name="Giấy khen của Giám đốc Sở", number="15/QĐ-SGDĐT",
                  authority="Sở Giáo dục và Đào tạo Hà Nội", award_list=None, decided=True):
    """The initiative on its campaign's award list under `level_name`, with that level's decision recorded
    (or only proposed, `decided=False`). Returns the list, to put more lines on it."""
    from datetime import date

    from thidua.awards.models import AwardDecision, AwardEntry, AwardList
    from thidua.review.models import CommendationLevel

    level = CommendationLevel(campaign_id=world.campaign.id, position=1, name=level_name,
                              proposed_upward=authority.startswith("UBND"),
                              authority=authority if authority.startswith("UBND") else "")
    if award_list is None:
        award_list = AwardList(campaign_id=world.campaign.id, status="decided" if decided else "approved")
    db.session.add_all([level, award_list])
    db.session.flush()
    db.session.add(AwardEntry(award_list_id=award_list.id, initiative_id=initiative.id, level_id=level.id))
    if decided:
        db.session.add(AwardDecision(award_list_id=award_list.id, level_id=level.id, level_name=level.name,
                                     authority=authority, number=number, decided_on=date(2024, 12, 20),
                                     signer="Người ký"))
    db.session.flush()
    return award_list
