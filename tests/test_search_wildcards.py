"""A "%" or "_" typed into a search box is a character looked for, never a wildcard: in the accounts
list, the units directory and the campaign's list of initiatives alike (one mechanism: SQLAlchemy's
`contains(..., autoescape=True)`)."""
from __future__ import annotations

import pytest

from tests import factories
from thidua.extensions import db
from thidua.workflow import State


@pytest.fixture
def literal(world):
    """A unit and an initiative whose names hold a "%" and a "_"; nothing else does."""
    unit = factories.unit(code="thcs-tu-chu", name="Trường THCS Tự chủ 100% chi thường xuyên", parent=world.root)
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED,
                                      title="Số hoá 100% hồ sơ tuyển_sinh")
    db.session.commit()
    return unit, initiative


@pytest.mark.parametrize("typed", ["%", "_"])
def test_the_accounts_list_looks_for_the_character_typed(client, world, literal, typed):
    client.login(world.secretariat)
    page = client.get(f"/quan-tri/tai-khoan?q={'%25' if typed == '%' else typed}").get_data(as_text=True)
    assert "cvan.canbo" not in page and "kl.hieutruong" not in page  # no account name holds it


def test_the_units_directory_looks_for_the_character_typed(client, world, literal):
    client.login(world.secretariat)
    page = client.get("/don-vi-truc-thuoc?q=%25").get_data(as_text=True)
    assert "Tự chủ 100% chi thường xuyên" in page
    assert "Trường THPT Kim Liên" not in page


@pytest.mark.parametrize(("typed", "found"), [("%25", True), ("_", True), ("100%25 hồ", True), ("%25%25", False)])
def test_the_list_of_initiatives_looks_for_the_character_typed(client, world, literal, typed, found):
    factories.initiative(world.campaign, world.other_school, actor=world.other_editor, status=State.REGISTERED,
                         title="Sổ điểm điện tử")
    db.session.commit()
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/sang-kien?q={typed}").get_data(as_text=True)
    assert "Sổ điểm điện tử" not in page
    assert ("Số hoá 100% hồ sơ tuyển_sinh" in page) is found
