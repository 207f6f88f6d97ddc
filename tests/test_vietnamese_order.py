"""Names in Vietnamese alphabetical order, the same in Python, on SQLite and on PostgreSQL."""
from __future__ import annotations

import random

import sqlalchemy as sa

from thidua.extensions import db, in_vietnamese_order
from thidua.text import vietnamese_key
from thidua.units.models import Unit

from tests import factories

# As a Vietnamese reader orders them: D before Đ, U before Ư, A < Ă < Â, tones break ties.
ORDERED = ["An Khánh", "Ấm Thượng", "Ba Vì", "Bắc Hồng", "Chương Mỹ", "Dương Xá", "Đa Phúc", "Đan Phượng",
           "Đông Anh", "Hà Đông", "Hoài Đức", "Ô Diên", "Ơ Ri", "Phú Xuyên", "Quốc Oai", "Thạch Thất", "Uy Nỗ",
           "Ứng Hòa"]


def test_python_orders_names_the_vietnamese_way():
    shuffled = ORDERED[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=vietnamese_key) == ORDERED
    assert sorted(["ma", "mà", "mả", "mã", "má", "mạ", "Ma"], key=vietnamese_key) == \
        ["ma", "Ma", "mà", "mả", "mã", "má", "mạ"]


def test_the_database_orders_names_as_python_does(world):
    shuffled = ORDERED[:]
    random.Random(11).shuffle(shuffled)
    for number, name in enumerate(shuffled):
        factories.unit(code=f"thpt-thu-{number}", name=f"Trường THPT {name}", block="Khối thử")
    db.session.commit()
    names = db.session.scalars(sa.select(Unit.name).where(Unit.block == "Khối thử")
                               .order_by(in_vietnamese_order(Unit.name))).all()
    assert names == [f"Trường THPT {name}" for name in ORDERED]


def test_the_units_page_lists_names_in_vietnamese_order(client, world):
    for number, name in enumerate(["Ứng Hòa", "Đa Phúc", "Hà Đông", "Dương Xá"]):
        factories.unit(code=f"thcs-thu-{number}", name=f"Trường THCS {name}", block="Khối thử", parent=world.root)
    db.session.commit()
    client.login(world.secretariat)
    page = client.get("/don-vi-truc-thuoc?block=Khối thử").get_data(as_text=True)
    positions = [page.index(f"Trường THCS {name}") for name in ("Dương Xá", "Đa Phúc", "Hà Đông", "Ứng Hòa")]
    assert positions == sorted(positions)
