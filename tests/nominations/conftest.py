"""A Sở (the world's) above a ward; the ward's campaign feeds nothing yet and has one awarded initiative
with a results report, authors, an evidence file, scores and a recorded award decision."""
from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.registration.models import InitiativeAuthor
from thidua.results.models import EvidenceFile
from thidua.storage import get_storage

from tests import factories

EVIDENCE = b"%PDF-1.4\n% minh chung cua phuong\n"


def awarded_initiative(levels, title: str, *, status=factories.State.AWARDED, decided: bool = True):
    item = factories.initiative(levels.ward_campaign, levels.ward_school, actor=levels.ward_head, status=status,
                                title=title, area="tthc")
    item.areas = ["tthc", "chinh_quyen_so"]
    db.session.add(InitiativeAuthor(initiative_id=item.id, position=0, full_name="Nguyễn Thị Mai",
                                    job_title="Hiệu trưởng", contribution=60))
    _report(item, levels)
    stored = get_storage().save(io.BytesIO(EVIDENCE), max_size=10_000)
    db.session.add(EvidenceFile(initiative_id=item.id, original_name="bien-ban.pdf", storage_key=stored.key,
                                content_type="application/pdf", size=stored.size, sha256=stored.sha256))
    factories.submitted_review(item, levels.ward_reviewer, total=84)
    if status is factories.State.AWARDED:
        import sqlalchemy as sa

        from thidua.awards.models import AwardList

        award_list = db.session.scalar(sa.select(AwardList).where(AwardList.campaign_id == levels.ward_campaign.id))
        factories.decided_award(SimpleNamespace(campaign=levels.ward_campaign), item, award_list=award_list,
                                level_name="Giấy khen của Chủ tịch UBND phường", number="12/QĐ-UBND",
                                authority="UBND phường Ba Đình", decided=decided)
    db.session.flush()
    return item


def _report(item, levels):
    from decimal import Decimal

    from thidua.results.models import ReportIndicator, ResultReport

    db.session.add(ResultReport(initiative_id=item.id, progress="hoan_thanh", achievements="Giảm 60% thời gian.",
                                self_assessment="tot", indicators=[
                                    ReportIndicator(position=0, name="Thời gian xử lý", unit_of_measure="ngày",
                                                    before=Decimal(5), after=Decimal(2))]))
    db.session.flush()


@pytest.fixture
def levels(world):
    return build_levels(world)


def build_levels(world):
    ward = factories.unit(code="phuong-ba-dinh", name="UBND phường Ba Đình", block="", unit_type="ubnd_xa",
                          parent=world.root, is_organiser=True)
    world.ward = ward
    world.ward_school = factories.unit(code="th-ba-dinh", name="Trường Tiểu học Ba Đình", unit_type="th", parent=ward)
    world.ward_secretariat = factories.user(Role.SECRETARIAT, ward, organiser=ward, username="bd.vanphong",
                                            full_name="Hoàng Văn Nam")
    world.ward_reviewer = factories.user(Role.REVIEWER, ward, organiser=ward, username="bd.hoidong",
                                         full_name="Trịnh Thị Lan")
    world.ward_head = factories.user(Role.UNIT_HEAD, world.ward_school, username="bd.hieutruong")
    world.ward_campaign = factories.campaign(ward, name="Phong trào thi đua CCHC phường Ba Đình năm 2024",
                                             participants=[world.ward_school])
    world.beside = factories.unit(code="so-gddt-hp", name="Sở Giáo dục và Đào tạo Hải Phòng", block="",
                                  unit_type="so", is_organiser=True)
    world.beside_secretariat = factories.user(Role.SECRETARIAT, world.beside, organiser=world.beside,
                                              username="hp.vanphong")
    world.beside_campaign = factories.campaign(world.beside, name="Phong trào CCHC Hải Phòng")
    world.awarded = awarded_initiative(world, "Số hóa hồ sơ học sinh tiểu học")
    db.session.commit()
    return world


@pytest.fixture
def feeding(levels):
    """The ward's campaign feeds the Sở's."""
    levels.ward_campaign.feeds_campaign_id = levels.campaign.id
    db.session.commit()
    return levels
