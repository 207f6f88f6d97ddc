"""The units-directory import: reading, validation, planning and applying."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from thidua.extensions import db

REPO = Path(__file__).resolve().parents[2]
HANOI_CSV = REPO / "thidua" / "demo_data" / "units-hanoi.csv"
HEADER = "code,name,short_name,block,unit_type,district,parent_code,email\n"


@pytest.fixture
def actor(app):
    from thidua.auth.models import User

    user = User(username="thuongtruc", full_name="Thường trực CCHC", password_hash="x", role="secretariat")
    db.session.add(user)
    db.session.flush()
    return user


def _units() -> dict:
    from thidua.units.models import Unit

    return {unit.code: unit for unit in db.session.scalars(sa.select(Unit))}


def _audit_rows() -> list:
    from thidua.audit import AuditLog

    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "units.imported")))


def _errors(plan) -> dict[tuple[int, str | None], list[str]]:
    found: dict[tuple[int, str | None], list[str]] = {}
    for row in plan.rows:
        for error in row.errors:
            found.setdefault((row.number, error.field), []).append(error.message)
    return found


def _to_cp1258(text: str) -> bytes:
    """Encode Vietnamese as Windows-1258 does: a precomposed base plus one combining tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i in range(len(marks) + 1):
            # Compose the base with one of the marks (ơ, â, ...), or with none (u + dot below).
            head = unicodedata.normalize("NFC", base + "".join(marks[i:i + 1]))
            tail = "".join(marks[:i] + marks[i + 1:])
            try:
                out += head.encode("cp1258") + tail.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise AssertionError(f"cannot encode {ch!r}")
    return bytes(out)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the real directory


def test_hanoi_directory_imports_with_its_tree(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    plan = plan_import("units-hanoi.csv", HANOI_CSV.read_bytes())

    assert plan.file_errors == []
    assert not plan.has_errors, plan.messages()
    # 154 lines: the header and 153 units.
    assert plan.counts == {"create": 153, "update": 0, "unchanged": 0, "error": 0}

    counts = apply_plan(plan, actor=actor)
    assert counts == {"created": 153, "updated": 0, "unchanged": 0, "skipped": 0}

    units = _units()
    assert len(units) == 153
    root = units["so-gddt-ha-noi"]
    assert root.parent_id is None and root.unit_type == "so"
    assert root.name == "Sở Giáo dục và Đào tạo Hà Nội"
    assert all(u.parent_id == root.id for code, u in units.items() if code != root.code)
    assert units["thpt-chu-van-an"].short_name == "THPT Chu Văn An"
    assert units["thpt-chu-van-an"].search_text == "truong thpt chu van an thpt chu van an thpt-chu-van-an tay ho"
    assert all(unicodedata.is_normalized("NFC", u.name) for u in units.values())

    (entry,) = _audit_rows()
    assert entry.actor_id == actor.id and entry.object_type == "unit" and entry.object_id is None
    assert entry.details == {
        "created": 153, "updated": 0, "unchanged": 0, "skipped": 0, "filename": "units-hanoi.csv",
    }


def test_reimport_is_all_unchanged(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    data = HANOI_CSV.read_bytes()
    apply_plan(plan_import("units-hanoi.csv", data), actor=actor)
    db.session.commit()

    again = plan_import("units-hanoi.csv", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 153, "error": 0}
    assert all(row.action == "unchanged" and row.changes == {} for row in again.rows)
    assert apply_plan(again, actor=actor) == {"created": 0, "updated": 0, "unchanged": 153, "skipped": 0}
    assert len(_units()) == 153


def test_queries_are_bounded(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        plan = plan_import("units-hanoi.csv", HANOI_CSV.read_bytes())
        assert plan.counts["create"] == 153
        planned = len(statements)
        apply_plan(plan, actor=actor)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    # Planning: the tree (id, code, parent) and the units named in the file.
    assert planned <= 2
    # Applying: existing units, one batched INSERT, one batched UPDATE of parents, the
    # audit row. What matters is that nothing grows with the number of rows.
    assert len(statements) - planned <= 5, statements[planned:]


# --------------------------------------------------------------------------- formats


def test_xlsx_imports(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    data = _xlsx([
        HEADER.strip().split(","),
        ["so-test", "Sở Test", "Sở", None, "so", "Hoàn Kiếm", None, "so@test.vn"],
        [],
        ["thpt-a", "  Trường THPT A  ", "THPT A", "Khối trực thuộc", "thpt", "Ba Đình", "so-test", None],
        [123, "Trường số", None, None, "thcs", None, "so-test", None],
    ])
    assert data.startswith(b"PK")

    plan = plan_import("danh-muc.csv", data)  # the content decides, not the name
    assert not plan.has_errors, plan.messages()
    assert [row.number for row in plan.rows] == [2, 4, 5]
    assert plan.rows[1].values["name"] == "Trường THPT A"
    assert plan.rows[2].values["code"] == "123"

    assert apply_plan(plan, actor=actor)["created"] == 3
    units = _units()
    assert units["thpt-a"].parent_id == units["so-test"].id
    assert units["123"].unit_type == "thcs"


def test_vietnamese_headers(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    data = _xlsx([
        ["STT", "MÃ ĐƠN VỊ", "Tên đơn vị", "Tên viết tắt", "khoi", "Loại hình", "Địa bàn",
         "Mã đơn vị cấp trên", "Thư điện tử"],
        [1, "so-test", "Sở Test", "Sở", "", "so", "Hoàn Kiếm", "", "so@test.vn"],
        [2, "thpt-a", "Trường THPT A", "THPT A", "Khối trực thuộc", "Trường THPT", "Ba Đình",
         "so-test", "a@test.vn"],
    ])
    plan = plan_import("danh-muc.xlsx", data)
    assert not plan.has_errors, plan.messages()
    assert set(plan.columns) == {
        "code", "name", "short_name", "block", "unit_type", "district", "parent_code", "email",
    }
    assert plan.columns["code"] == "MÃ ĐƠN VỊ"
    assert plan.ignored_columns == ["STT"]
    # A known type written as its label is taken as its code.
    assert plan.rows[1].values["unit_type"] == "thpt"

    apply_plan(plan, actor=actor)
    unit = _units()["thpt-a"]
    assert (unit.block, unit.district, unit.email) == ("Khối trực thuộc", "Ba Đình", "a@test.vn")


def test_short_vietnamese_headers_in_csv(app):
    from thidua.units.importer import read_table

    table = read_table("x.csv", "Mã,Tên,Tên ngắn,Loại đơn vị,Quận / Huyện,Đơn vị cấp trên,Email\n"
                                "a,Tên A,A,so,Ba Đình,,\n".encode())
    assert set(table.columns) == {"code", "name", "short_name", "unit_type", "district", "parent_code", "email"}
    assert table.rows[0].values["district"] == "Ba Đình"


def test_bom_and_semicolon(app):
    from thidua.units.importer import plan_import

    text = ("code;name;unit_type;parent_code\n"
            "so-test;Sở Giáo dục; Hà Nội;so;\n"  # a ";" in a name needs quoting: see next row
            'thpt-a;"Trường A; cơ sở 2";thpt;so-test\n')
    plan = plan_import("x.csv", b"\xef\xbb\xbf" + text.encode())
    assert plan.columns == {"code": "code", "name": "name", "unit_type": "unit_type", "parent_code": "parent_code"}
    assert plan.rows[0].values["name"] == "Sở Giáo dục"
    assert plan.rows[1].values["name"] == "Trường A; cơ sở 2"
    # The unquoted ";" pushed "so" into parent_code; the row says so, it is not silently wrong.
    assert _errors(plan) == {(2, "unit_type"): ["Loại đơn vị “Hà Nội” không hợp lệ"],
                             (2, "parent_code"): ["Đơn vị cấp trên “so” không có trong danh mục hoặc trong tệp"],
                             (3, "parent_code"): ["Đơn vị cấp trên “so-test” ở dòng 2 đang có lỗi"]}


def test_bom_comma_and_crlf(app):
    from thidua.units.importer import plan_import

    data = b"\xef\xbb\xbf" + "code,name,unit_type\r\nso-test,Sở Test,so\r\n".encode()
    plan = plan_import("x.csv", data)
    assert not plan.has_errors
    assert plan.columns["code"] == "code"  # not "\ufeffcode"
    assert plan.rows[0].values == {
        "code": "so-test", "name": "Sở Test", "short_name": "", "block": "", "unit_type": "so",
        "district": "", "parent_code": "", "email": "",
    }


def test_nfd_text_is_stored_nfc(app):
    from thidua.units.importer import plan_import

    nfd = unicodedata.normalize("NFD", "Trường THPT Nguyễn Trãi")
    plan = plan_import("x.csv", f"code,name,unit_type\nthpt-nt,{nfd},thpt\n".encode())
    assert plan.rows[0].values["name"] == "Trường THPT Nguyễn Trãi"
    assert unicodedata.is_normalized("NFC", plan.rows[0].values["name"])


def test_utf16_unicode_text_export(app):
    from thidua.units.importer import plan_import

    data = "code\tname\tunit_type\nso-test\tSở Test\tso\n".encode("utf-16")
    plan = plan_import("x.txt", data)
    assert not plan.has_errors
    assert plan.rows[0].values["name"] == "Sở Test"


@pytest.mark.parametrize("encode", [_to_cp1258, lambda text: text.encode("latin-1", errors="replace")])
def test_legacy_encoding_is_refused(app, encode):
    from thidua.units.importer import ImportFileError, ImportRefused, apply_plan, plan_import, read_table

    data = encode("code,name,unit_type\nso-hn,Sở Giáo dục và Đào tạo Hà Nội,so\n")
    with pytest.raises(ImportFileError) as caught:
        read_table("x.csv", data)
    message = str(caught.value)
    assert "UTF-8" in message and "dòng 2" in message and "CSV UTF-8" in message

    plan = plan_import("x.csv", data)
    assert plan.file_errors == [message] and plan.rows == [] and plan.has_errors
    with pytest.raises(ImportRefused):
        apply_plan(plan, actor=None)
    assert _units() == {}


def test_missing_required_column_is_refused(app):
    from thidua.units.importer import plan_import

    plan = plan_import("x.csv", b"code,name,short_name\nso-test,S\xe1\xbb\x9f,S\n")
    assert plan.rows == []
    assert plan.file_errors == [
        "Tệp thiếu cột bắt buộc: “Loại đơn vị” (unit_type). Dòng đầu tiên phải là dòng tiêu đề."
    ]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "Tệp rỗng"),
        (b"\n\n", "Tệp rỗng"),
        (b"code,name,unit_type\n,,\n", "chỉ có dòng tiêu đề"),
        (b"code,name,unit_type,M\xc3\xa3\n", "Hai cột “code” và “Mã”"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04 not really a zip", "Không đọc được tệp Excel"),
        (b"%PDF-1.4\x00\x00binary", "không phải bảng tính"),
    ],
)
def test_unreadable_files(app, data, fragment):
    from thidua.units.importer import plan_import

    plan = plan_import("x", data)
    assert len(plan.file_errors) == 1 and fragment in plan.file_errors[0]
    assert plan.has_errors and plan.rows == []


# --------------------------------------------------------------------------- validation


MALFORMED = HEADER + "\n".join([
    "so-test,Sở Test,,,so,,,so@test.vn",                      # 2 good
    ",Trường thiếu mã,,,thpt,,so-test,",                      # 3 no code
    "thpt-a,,,,thpt,,so-test,",                               # 4 no name
    "THPT B,Trường THPT B,,,thpt,,so-test,",                  # 5 bad code
    "thpt-c,Trường THPT C,,,thpt,,so-test,c@test.vn",         # 6 duplicate of 7
    "thpt-c,Trường THPT C (2),,,thpt,,so-test,",              # 7 duplicate of 6
    "thpt-d,Trường THPT D,,,thpt,,khong-co,",                 # 8 unknown parent
    "thpt-e,Trường THPT E,,,thpt,,so-test,e@test",            # 9 bad e-mail
    "thpt-f,Trường THPT F,,,thpt,,so-test,f@test.vn",         # 10 good
    ",,,,,,,",                                                # 11 empty, skipped
    "thpt-g,Trường THPT G,,,Trường THPT,,thpt-h,",            # 12 good: parent further down
    "thpt-h,Trường THPT H,,,thpt,,so-test,",                  # 13 good
    "thpt-i,Trường THPT I,,,thpt,,thpt-c,",                   # 14 held back: parent row has errors
    "thpt-j,Trường THPT J,,,Trường chuyên,,so-test,",         # 15 bad unit type
    "thpt-k,Trường THPT K,,,thpt,,thpt-k,",                   # 16 its own parent
    "thpt-l," + "x" * 256 + ",,,thpt,,so-test,",              # 17 name too long
]) + "\n"

MALFORMED_ERRORS = {
    (3, "code"): ["Thiếu mã đơn vị"],
    (4, "name"): ["Thiếu tên đơn vị"],
    (5, "code"): ["Mã đơn vị chỉ gồm chữ thường không dấu, số và dấu gạch ngang"],
    (6, "code"): ["Mã đơn vị “thpt-c” bị trùng với dòng 7"],
    (7, "code"): ["Mã đơn vị “thpt-c” bị trùng với dòng 6"],
    (8, "parent_code"): ["Đơn vị cấp trên “khong-co” không có trong danh mục hoặc trong tệp"],
    (9, "email"): ["Email “e@test” không hợp lệ"],
    (14, "parent_code"): ["Đơn vị cấp trên “thpt-c” ở dòng 6 đang có lỗi"],
    (15, "unit_type"): ["Loại đơn vị “Trường chuyên” không hợp lệ"],
    (16, "parent_code"): ["Đơn vị không thể là cấp trên của chính nó"],
    (17, "name"): ["Tên đơn vị dài quá 255 ký tự"],
}


def test_malformed_sheet_reports_every_error(app):
    from thidua.units.importer import plan_import

    plan = plan_import("loi.csv", MALFORMED.encode())
    assert plan.file_errors == []
    assert _errors(plan) == MALFORMED_ERRORS
    assert plan.has_errors
    assert [row.number for row in plan.good_rows] == [2, 10, 12, 13]
    assert plan.counts == {"create": 4, "update": 0, "unchanged": 0, "error": 11}
    assert 11 not in {row.number for row in plan.rows}
    assert "Dòng 9, cột “email”: Email “e@test” không hợp lệ" in plan.messages()


def test_malformed_sheet_imports_nothing_by_default(app, actor):
    from thidua.units.importer import ImportRefused, apply_plan, plan_import

    plan = plan_import("loi.csv", MALFORMED.encode())
    with pytest.raises(ImportRefused) as caught:
        apply_plan(plan, actor=actor)
    assert "11 dòng có lỗi" in str(caught.value)
    assert _units() == {}
    assert _audit_rows() == []


def test_malformed_sheet_good_rows_only(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    plan = plan_import("loi.csv", MALFORMED.encode())
    counts = apply_plan(plan, actor=actor, include_good_rows_only=True)
    assert counts == {"created": 4, "updated": 0, "unchanged": 0, "skipped": 11}

    units = _units()
    assert set(units) == {"so-test", "thpt-f", "thpt-g", "thpt-h"}
    assert units["thpt-g"].parent_id == units["thpt-h"].id
    assert units["thpt-g"].unit_type == "thpt"
    assert units["thpt-h"].parent_id == units["so-test"].id
    (entry,) = _audit_rows()
    assert entry.details["skipped"] == 11 and entry.details["filename"] == "loi.csv"


def test_cycle_is_refused(app):
    from thidua.units.importer import plan_import

    plan = plan_import("x.csv", (HEADER + "a,A,,,so,,b,\nb,B,,,so,,a,\nc,C,,,so,,a,\n").encode())
    assert _errors(plan) == {
        (2, "parent_code"): ["Quan hệ cấp trên bị vòng lặp: a → b → a"],
        (3, "parent_code"): ["Quan hệ cấp trên bị vòng lặp: b → a → b"],
        (4, "parent_code"): ["Đơn vị cấp trên “a” ở dòng 2 đang có lỗi"],
    }


def test_cycle_through_the_database_is_refused(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    apply_plan(plan_import("x.csv", (HEADER + "a,A,,,so,,,\nb,B,,,so,,a,\n").encode()), actor=actor)
    plan = plan_import("x.csv", (HEADER + "a,A,,,so,,b,\n").encode())
    assert _errors(plan) == {(2, "parent_code"): ["Quan hệ cấp trên bị vòng lặp: a → b → a"]}


def test_cycle_left_by_a_held_back_row_is_refused(app, actor):
    """b's row would move b away from a, but it has an error: a under b would loop."""
    from thidua.units.importer import apply_plan, plan_import

    apply_plan(plan_import("x.csv", (HEADER + "a,A,,,so,,,\nb,B,,,so,,a,\n").encode()), actor=actor)
    plan = plan_import("x.csv", (HEADER + "a,A,,,so,,b,\nb,B,,,so,,,bad\n").encode())
    assert _errors(plan) == {
        (3, "email"): ["Email “bad” không hợp lệ"],
        (2, "parent_code"): ["Quan hệ cấp trên bị vòng lặp: a → b → a"],
    }


# --------------------------------------------------------------------------- against the database


def test_parent_in_database_and_updates(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    apply_plan(plan_import("a.csv", (HEADER + "so-test,Sở Test,,,so,,,\n"
                                               "phong-x,Phòng X,,,phong_thuoc_so,,so-test,x@test.vn\n").encode()),
               actor=actor)
    db.session.commit()

    # A later file with only some columns: absent columns leave fields alone.
    plan = plan_import("b.csv", ("code,name,unit_type,parent_code\n"
                                 "phong-x,Phòng X mới,phong_thuoc_so,\n"
                                 "thpt-new,Trường mới,thpt,so-test\n").encode())
    assert not plan.has_errors, plan.messages()
    update, create = plan.rows
    assert update.action == "update"
    assert update.changes == {"name": ("Phòng X", "Phòng X mới"), "parent_code": ("so-test", "")}
    assert create.action == "create"

    counts = apply_plan(plan, actor=actor)
    assert counts == {"created": 1, "updated": 1, "unchanged": 0, "skipped": 0}
    units = _units()
    assert units["phong-x"].name == "Phòng X mới"
    assert units["phong-x"].email == "x@test.vn"
    assert units["phong-x"].parent_id is None
    assert units["thpt-new"].parent_id == units["so-test"].id
    assert units["phong-x"].search_text == "phong x moi phong-x"


def test_child_of_error_row_goes_ahead_when_parent_exists(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    apply_plan(plan_import("a.csv", (HEADER + "so-test,Sở Test,,,so,,,\n").encode()), actor=actor)
    plan = plan_import("b.csv", (HEADER + "so-test,Sở Test,,,so,,,sai\n"
                                           "thpt-a,Trường A,,,thpt,,so-test,\n").encode())
    assert _errors(plan) == {(2, "email"): ["Email “sai” không hợp lệ"]}
    apply_plan(plan, actor=actor, include_good_rows_only=True)
    units = _units()
    assert units["thpt-a"].parent_id == units["so-test"].id
    assert units["so-test"].email == ""


def test_inactive_unit_is_flagged_not_reactivated(app, actor):
    from thidua.units.importer import apply_plan, plan_import

    data = (HEADER + "so-test,Sở Test,,,so,,,\n").encode()
    apply_plan(plan_import("a.csv", data), actor=actor)
    _units()["so-test"].is_active = False
    db.session.flush()

    plan = plan_import("a.csv", data)
    assert plan.rows[0].action == "unchanged"
    assert plan.rows[0].warnings
    apply_plan(plan, actor=actor)
    assert _units()["so-test"].is_active is False


def test_any_slug_unit_type_is_allowed(app):
    from thidua.units.importer import plan_import

    plan = plan_import("x.csv", b"code,name,unit_type\nx,X,truong_chuyen_biet\ny,Y,THCS\n")
    assert not plan.has_errors
    assert [row.values["unit_type"] for row in plan.rows] == ["truong_chuyen_biet", "thcs"]
