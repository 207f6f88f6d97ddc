"""Accounts for a whole province: a head and an editor for every unit that lacks them, initial
passwords to change at the first sign-in, and the list to hand out as a workbook."""
from __future__ import annotations

import io
import time

import openpyxl
import sqlalchemy as sa

from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.extensions import db

from tests import factories
from tests.auth.test_auth import NEW_PASSWORD, login

HEADERS = ["STT", "Khối", "Mã đơn vị", "Tên đơn vị", "Vai trò", "Tên đăng nhập", "Mật khẩu ban đầu", "Thư điện tử",
           "Ghi chú"]


def rows_of(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[2] == HEADERS
    return [dict(zip(HEADERS, row)) for row in values[3:]]


def bulk(client, **fields):
    return client.post("/quan-tri/tai-khoan/hang-loat", {"head": "y", "editor": "y", "block": "", **fields})


def unit_accounts(unit) -> dict[str, User]:
    return {u.role: u for u in db.session.scalars(sa.select(User).where(User.unit_id == unit.id))}


def test_the_page_says_how_many_units_lack_accounts(client, world):
    client.login(world.secretariat)
    page = client.get("/quan-tri/tai-khoan/hang-loat").get_data(as_text=True)
    assert "Chưa có tài khoản thủ trưởng" in page
    assert "Tạo các tài khoản còn thiếu" in page


def test_only_the_missing_accounts_are_made_and_the_list_has_passwords_only_for_them(client, world):
    lonely = factories.unit(parent=world.root, code="thpt-moi", name="Trường THPT Mới", email="thptmoi@edu.vn")
    db.session.commit()
    before = {u.id for u in db.session.scalars(sa.select(User))}
    client.login(world.secretariat)
    response = bulk(client)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = rows_of(response.data)

    made = unit_accounts(lonely)
    assert set(made) == {"unit_head", "unit_editor"}
    assert made["unit_head"].username == "thpt-moi.ht" and made["unit_editor"].username == "thpt-moi.cb"
    assert all(u.must_change_password and u.email == "thptmoi@edu.vn" for u in made.values())
    assert {r["Tên đăng nhập"] for r in rows if r["Mật khẩu ban đầu"]} == {
        u.username for u in db.session.scalars(sa.select(User)) if u.id not in before}
    # The world's school already had a head and an editor: listed, without a password, nothing new.
    school_rows = [r for r in rows if r["Mã đơn vị"] == world.school.code]
    assert {r["Tên đăng nhập"] for r in school_rows} == {world.head.username, world.editor.username}
    assert all(not r["Mật khẩu ban đầu"] and r["Ghi chú"] == "Đã có tài khoản từ trước" for r in school_rows)
    password = next(r["Mật khẩu ban đầu"] for r in rows if r["Tên đăng nhập"] == "thpt-moi.ht")
    assert len(password) == 12

    again = rows_of(bulk(client).data)
    assert not any(r["Mật khẩu ban đầu"] for r in again)
    assert len(unit_accounts(lonely)) == 2


def test_an_initial_password_leads_to_changing_it_before_anything_else(client, make_client, world):
    lonely = factories.unit(parent=world.root, code="thpt-moi", name="Trường THPT Mới")
    db.session.commit()
    client.login(world.secretariat)
    rows = rows_of(bulk(client, editor="").data)
    password = next(r["Mật khẩu ban đầu"] for r in rows if r["Mã đơn vị"] == "thpt-moi")
    assert set(unit_accounts(lonely)) == {"unit_head"}

    head = make_client()
    response = login(head, "thpt-moi.ht", password)
    assert response.headers["Location"] == "/tai-khoan"
    page = head.get("/tai-khoan").get_data(as_text=True)
    assert "mật khẩu ban đầu" in page
    blocked = head.get("/don-vi")
    assert blocked.status_code == 302 and blocked.headers["Location"] == "/tai-khoan"
    response = head.post("/tai-khoan", {"current_password": password, "new_password": NEW_PASSWORD,
                                        "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert head.get("/don-vi").status_code == 200
    db.session.expire_all()
    assert unit_accounts(lonely)["unit_head"].must_change_password is False


def test_choosing_no_role_is_refused_and_the_block_stays_chosen(client, world):
    client.login(world.secretariat)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    response = client.post("/quan-tri/tai-khoan/hang-loat", {"block": world.school.block})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chọn ít nhất một loại tài khoản." in page
    assert f'<option selected value="{world.school.block}">' in page or f'value="{world.school.block}" selected' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_a_block_limits_the_accounts_to_its_units(client, world):
    other = factories.unit(parent=world.root, code="phong-moi", name="Phòng Mới", block="Khối các phòng thuộc Sở")
    school = factories.unit(parent=world.root, code="thpt-moi", name="Trường THPT Mới", block="Khối trực thuộc")
    db.session.commit()
    client.login(world.secretariat)
    rows = rows_of(bulk(client, block="Khối các phòng thuộc Sở").data)
    assert {r["Khối"] for r in rows} == {"Khối các phòng thuộc Sở"}
    assert len(unit_accounts(other)) == 2 and unit_accounts(school) == {}


def test_the_command_makes_the_accounts_and_writes_the_list(cli, world, tmp_path):
    lonely = factories.unit(parent=world.root, code="thpt-moi", name="Trường THPT Mới")
    out = tmp_path / "tai-khoan.xlsx"
    result = cli("users", "bulk-create", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Đã tạo" in result.output
    rows = rows_of(out.read_bytes())
    assert {r["Tên đăng nhập"] for r in rows if r["Mật khẩu ban đầu"]} >= {"thpt-moi.ht", "thpt-moi.cb"}
    assert oct(out.stat().st_mode)[-3:] == "600"
    assert set(unit_accounts(lonely)) == {Role.UNIT_HEAD.value, Role.UNIT_EDITOR.value}


def test_a_thousand_accounts_are_made_in_seconds(client, world):
    from datetime import datetime

    from thidua.units.models import Unit

    now = datetime(2024, 9, 1)
    db.session.execute(sa.insert(Unit), [
        {"code": f"truong-{n}", "name": f"Trường số {n}", "short_name": "", "block": "Khối trực thuộc",
         "unit_type": "thpt", "district": "", "email": f"truong{n}@edu.vn", "parent_id": world.root.id,
         "is_active": True, "search_text": f"truong so {n}", "created_at": now, "updated_at": now}
        for n in range(500)])
    db.session.commit()
    client.login(world.secretariat)
    started = time.perf_counter()
    rows = rows_of(bulk(client).data)
    seconds = time.perf_counter() - started
    assert sum(1 for r in rows if r["Mật khẩu ban đầu"]) >= 1000
    assert seconds < 15, f"{seconds:.1f} s"
