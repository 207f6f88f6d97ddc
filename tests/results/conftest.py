from datetime import datetime, time, timedelta

import pytest

from thidua.extensions import db
from thidua.workflow import State

from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def reporting(world, clock):
    """World in Đợt 2: a registered initiative of the school, the clock in the report phase."""
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED)
    other = factories.initiative(world.campaign, world.other_school, actor=world.other_editor, status=State.REGISTERED)
    db.session.commit()
    clock.at(datetime.combine(world.campaign.registration_deadline + timedelta(days=5), time(9, 0)))
    world.initiative = initiative
    world.other_initiative = other
    return world


REPORT = {
    "progress": "hoan_thanh",
    "achievements": "Đã số hóa 1.245 hồ sơ; 100% hồ sơ nhận trực tuyến.",
    "effect_citizens": "Phụ huynh không phải đến trường nộp hồ sơ.",
    "effect_unit": "Giảm 70% giấy in.",
    "self_assessment": "tot",
    "people_in_charge": "Nguyễn Thúy Loan, Phó Hiệu trưởng",
    "evidence_links": "https://drive.google.com/drive/folders/abc",
    "indicators-0-name": "Thời gian xử lý hồ sơ",
    "indicators-0-unit_of_measure": "ngày",
    "indicators-0-before": "5",
    "indicators-0-after": "2",
    "indicators-0-source": "Sổ theo dõi",
    "indicators-1-name": "Tỷ lệ hồ sơ trực tuyến",
    "indicators-1-unit_of_measure": "%",
    "indicators-1-before": "31,5",
    "indicators-1-after": "100",
    "indicators-2-name": "Số hồ sơ",
    "indicators-2-before": "1.245",
    "indicators-2-after": "2.300",
}
