"""Importing the units' target values from a spreadsheet the office collected by e-mail.

One row per unit (a column with the unit's code or name), one column per target (the header is
the target's name, compared with `thidua.text.fold`, so case and diacritics do not matter). The
office plans first (`plan_import`: reads the database, writes nothing) and applies after reading
the plan (`apply_plan`: every good cell in one transaction, one audit record). Cells are read by
`thidua.numbers.parse_number` only; a percentage may be written "98,5", "98,5%" or as a fraction
"1.234/1.250" (numerator/denominator). Values the unit has already sent, or the office accepted,
are never overwritten: the plan shows them as skipped with the reason.

Imported values are "sent": the office collected them from the unit, so they wait for the
office's check like any value a unit sends, with `sent_by` the importing account. The units'
deadlines do not apply: the office itself is entering what it received.

Units are matched the way the other imports match them: the code as in the directory import
(`thidua.units.importer`), then the name with `thidua.imports.matching.UnitMatcher` (the Google
Forms import's matcher), without the choices step: a name that matcher cannot resolve is an error
of the row and the office corrects the file.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from thidua import audit
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db
from thidua.imports import matching
from thidua.numbers import NumberError, format_number, parse_number
from thidua.targets import services
from thidua.targets.models import AppliesTo, Measure, Target, TargetValue, ValueState
from thidua.targets.services import Entry, TargetError
from thidua.text import fold
from thidua.timeutil import utcnow
from thidua.units.importer import HEADER_LOOKUP, UnitImportError, clean, decode_text, header_key, sniff_delimiter
from thidua.units.models import Unit

MAX_ROWS = 5_000  # a campaign has hundreds of participants at most
HEADER_SEARCH = 10  # how many rows from the top may hold the header

CREATE, UPDATE, SKIPPED, ERROR = "create", "update", "skipped", "error"
ACTION_LABELS = {
    CREATE: "Tạo mới", UPDATE: "Cập nhật", SKIPPED: "Bỏ qua", ERROR: "Lỗi",
}
# Columns that are neither the unit nor a target, and are expected in such a file.
_IGNORED_HEADERS = {"stt", "tt", "so tt", "so thu tu", "ghi chu", "khoi", "khoi thi dua", "loai don vi",
                    "quan/huyen", "dia ban", "email", "nguoi lien he", "ket qua",
                    # the summary columns of the board's XLSX
                    "so chi tieu dat", "so chi tieu ap dung", "dat moi chi tieu bat buoc"}
_UNIT_HEADERS = {"don vi", "ten don vi/ma don vi", "ma/ten don vi", "ten truong", "truong"}
_YES = {"co", "dat", "x"}
_NO = {"khong", "khong dat"}
_XLSX_SIGNATURE = b"PK"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFileError(Exception):
    """The file as a whole cannot be read; str() is the message for the user, in Vietnamese."""


# --- reading -----------------------------------------------------------------------------------

def read_rows(filename: str, data: bytes) -> list[list[str]]:
    """The file's rows as text cells: XLSX with openpyxl (read-only), CSV with csv (UTF-8, BOM or not).

    An Excel number cell becomes the Vietnamese text of its number (a cell formatted as a percentage
    holds 0,985 for 98,5%, so it is shown as 98,5%), so that every cell is read by parse_number."""
    name = (filename or "").lower()
    if not data or not data.strip():
        raise ImportFileError("Tệp rỗng, không có dữ liệu.")
    if data.startswith(_OLE_SIGNATURE) or name.endswith(".xls"):
        raise ImportFileError("Tệp Excel 97-2003 (.xls) chưa được hỗ trợ. Hãy mở tệp trong Excel và lưu lại "
                              "dưới dạng “Sổ làm việc Excel (.xlsx)” hoặc “CSV UTF-8”.")
    if data.startswith(_XLSX_SIGNATURE) and name.endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data)
    if name.endswith(".csv") and not data.startswith(_XLSX_SIGNATURE):
        return _csv_rows(data)
    raise ImportFileError("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (UTF-8). Hãy lưu bảng số liệu dưới một trong hai "
                          "dạng này rồi tải lên lại.")


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError("Không đọc được tệp Excel. Tệp cần là bảng tính .xlsx (hoặc CSV UTF-8); hãy mở "
                              "tệp trong Excel và lưu lại.") from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError("Tệp Excel không có trang tính nào.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some generators write a wrong <dimension>
        rows = []
        for cells in sheet.iter_rows():
            rows.append([_cell_text(cell) for cell in cells])
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(_too_many())
        return rows
    finally:
        workbook.close()


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in (getattr(cell, "number_format", "") or ""):
            return format_number(number * 100) + "%"
        return format_number(number)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = decode_text(data)
    except UnitImportError as exc:  # the directory importer's own refusal, with its Vietnamese message
        raise ImportFileError(str(exc)) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows = []
    try:
        for cells in reader:
            rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(_too_many())
    except csv.Error as exc:
        raise ImportFileError(f"Tệp CSV bị lỗi định dạng ở dòng {reader.line_num}.") from exc
    return rows


def _too_many() -> str:
    return f"Tệp có hơn {format_number(MAX_ROWS)} dòng, quá lớn đối với bảng số liệu chỉ tiêu."


# --- the plan ----------------------------------------------------------------------------------

@dataclass
class CellPlan:
    target: Target
    text: str
    action: str
    message: str = ""
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    current: TargetValue | None = None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def writes(self) -> bool:
        return self.action in (CREATE, UPDATE)


@dataclass
class RowPlan:
    number: int
    typed: str
    unit: Unit | None = None
    match: matching.UnitMatch | None = None
    how: str = ""
    error: str = ""
    cells: list[CellPlan] = field(default_factory=list)


@dataclass
class ColumnPlan:
    header: str
    target: Target | None = None
    message: str = ""


@dataclass
class ImportPlan:
    filename: str
    unit_header: str = ""
    columns: list[ColumnPlan] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        counts = Counter({CREATE: 0, UPDATE: 0, SKIPPED: 0, ERROR: 0})
        for row in self.rows:
            for cell in row.cells:
                counts[cell.action] += 1
        counts["rows_unmatched"] = sum(1 for row in self.rows if row.unit is None)
        counts["columns_unmatched"] = sum(1 for column in self.columns if column.target is None)
        return counts

    @property
    def to_write(self) -> list[tuple[RowPlan, CellPlan]]:
        return [(row, cell) for row in self.rows for cell in row.cells if cell.writes]

    @property
    def digest(self) -> str:
        """What applying would write, in short: apply refuses when the plan changed since the dry run."""
        parts = [f"{row.unit.id}:{cell.target.id}:{cell.action}:{cell.value}:{cell.numerator}:{cell.denominator}:"
                 f"{cell.current.version if cell.current else 0}" for row, cell in self.to_write]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _target_lookup(targets: list[Target]) -> dict[str, Target]:
    lookup = {}
    for target in targets:
        lookup.setdefault(fold(target.name), target)
    return lookup


_SUFFIX = re.compile(r"^(.*\S)\s*\([^()]*\)$")


def _find_target(header: str, lookup: dict[str, Target]) -> Target | None:
    key = fold(header)
    if key in lookup:
        return lookup[key]
    match = _SUFFIX.match(key)  # "Tên chỉ tiêu (≥ 98%)", as the board's XLSX heads its columns
    return lookup.get(match.group(1)) if match else None


def _unit_column(headers: list[str]) -> int | None:
    """The unit's column: its code or its name, as the directory import names them, or "Đơn vị"."""
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        key = header_key(header)
        name = HEADER_LOOKUP.get(key)
        if name in ("code", "name") and name not in found:
            found[name] = position
        elif key in _UNIT_HEADERS and "unit" not in found:
            found["unit"] = position
    for name in ("unit", "code", "name"):
        if name in found:
            return found[name]
    return None


class _Units:
    """Codes first (the directory's own key), then names with the forms import's matcher."""

    def __init__(self, campaign: Campaign):
        participants = list(db.session.scalars(sa.select(Unit).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
                                               .where(CampaignUnit.campaign_id == campaign.id)))
        self.participant_ids = {u.id for u in participants}
        others = list(db.session.scalars(sa.select(Unit).where(Unit.is_active.is_(True),
                                                              Unit.id.not_in(self.participant_ids or {0}))))
        self.by_code = {u.code.casefold(): u for u in [*participants, *others]}
        self.matcher = matching.UnitMatcher(participants, others)

    def find(self, typed: str) -> tuple[Unit | None, matching.UnitMatch | None, str]:
        code = typed.strip().casefold()
        unit = self.by_code.get(code)
        if unit is None and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", code):  # a numeric code in an Excel number cell
            unit = self.by_code.get(code.replace(".", ""))
        if unit is not None:
            return unit, None, "Khớp mã đơn vị"
        found = self.matcher.match(typed)
        return (found.unit if found.resolved else None), found, found.how_label


def plan_import(campaign: Campaign, filename: str, data: bytes) -> ImportPlan:
    """What importing the file would do now, cell by cell. Reads the database, writes nothing;
    ImportFileError when the file as a whole cannot be used."""
    raw = read_rows(filename, data)
    if not any(clean(c) for cells in raw for c in cells):
        raise ImportFileError("Tệp rỗng, không có dữ liệu.")
    # The header is the first row naming the unit's column: the board's own XLSX has a title above it.
    header_index = unit_position = None
    for index, cells in enumerate(raw[:HEADER_SEARCH]):
        unit_position = _unit_column([clean(c) for c in cells])
        if unit_position is not None:
            header_index = index
            break
    if header_index is None:
        raise ImportFileError("Không tìm thấy cột đơn vị. Dòng tiêu đề cần một cột “Đơn vị”, “Mã đơn vị” hoặc "
                              "“Tên đơn vị”; mỗi cột còn lại mang đúng tên một chỉ tiêu.")
    headers = [clean(c) for c in raw[header_index]]
    targets = [t for t in services.targets_of(campaign.id, AppliesTo.UNITS)]
    if not targets:
        raise ImportFileError("Phong trào chưa có chỉ tiêu nào đối với đơn vị.")
    lookup = _target_lookup(targets)
    plan = ImportPlan(filename=filename, unit_header=headers[unit_position])
    positions: list[tuple[int, ColumnPlan]] = []
    seen_targets: dict[int, str] = {}
    for position, header in enumerate(headers):
        if position == unit_position or not header:
            continue
        key = header_key(header)
        if key in _IGNORED_HEADERS or HEADER_LOOKUP.get(key):
            plan.ignored.append(header)
            continue
        target = _find_target(header, lookup)
        column = ColumnPlan(header, target)
        if target is None:
            column.message = (f"Cột “{header}” không khớp tên chỉ tiêu nào của phong trào; các ô của cột này "
                              "không được nhập.")
        elif target.id in seen_targets:
            column.target, column.message = None, (f"Cột “{header}” trùng chỉ tiêu với cột “{seen_targets[target.id]}”"
                                                   "; các ô của cột này không được nhập.")
        elif target.automatic:
            column.target, column.message = None, (f"“{target.name}” là chỉ tiêu hệ thống tự tính; các ô của cột "
                                                   "này không được nhập.")
        else:
            seen_targets[target.id] = header
        plan.columns.append(column)
        positions.append((position, column))
    if not any(column.target for column in plan.columns):
        raise ImportFileError("Không cột nào của tệp khớp tên một chỉ tiêu của phong trào. Tiêu đề mỗi cột số liệu "
                              "cần đúng tên chỉ tiêu (không phân biệt hoa thường, có dấu hay không dấu).")

    units = _Units(campaign)
    rows: list[tuple[RowPlan, list[str]]] = []
    first_row_of: dict[int, int] = {}
    for index in range(header_index + 1, len(raw)):
        cells = raw[index]
        texts = [clean(cells[p]) if p < len(cells) else "" for p, _ in positions]
        typed = clean(cells[unit_position]) if unit_position < len(cells) else ""
        if not typed and not any(texts):
            continue
        row = RowPlan(number=index + 1, typed=typed)
        if not typed:
            row.error = "Dòng không ghi đơn vị."
        else:
            row.unit, row.match, row.how = units.find(typed)
            if row.unit is None:
                candidates = ", ".join(f"“{u.name}”" for u in (row.match.candidates if row.match else [])[:3])
                if row.match is not None and row.match.how == matching.AMBIGUOUS:
                    row.error = f"Tên “{typed}” trùng nhiều đơn vị ({candidates}); hãy ghi mã đơn vị."
                else:
                    row.error = f"Không tìm thấy đơn vị “{typed}” trong danh mục" + (
                        f"; có thể là {candidates}." if candidates else ".")
            elif row.unit.id not in units.participant_ids:
                row.error = f"{row.unit.name} không tham gia phong trào này."
            elif row.unit.id in first_row_of:
                row.error = f"{row.unit.name} đã có ở dòng {first_row_of[row.unit.id]}; mỗi đơn vị một dòng."
            else:
                first_row_of[row.unit.id] = row.number
        rows.append((row, texts))
        plan.rows.append(row)

    unit_ids = [row.unit.id for row, _ in rows if row.unit is not None and not row.error]
    existing = {(v.unit_id, v.target_id): v for v in db.session.scalars(sa.select(TargetValue).where(
        TargetValue.campaign_id == campaign.id, TargetValue.unit_id.in_(unit_ids or [0])))}
    for row, texts in rows:
        for (_, column), text in zip(positions, texts):
            if column.target is None or not text or row.error:
                continue
            row.cells.append(_plan_cell(column.target, text, row.unit, existing.get((row.unit.id, column.target.id))))
    return plan


def _read_entry(target: Target, text: str) -> Entry:
    measure = target.measure_enum
    if measure is Measure.YES_NO and fold(text) in _YES | _NO:
        return Entry(value=Decimal(1 if fold(text) in _YES else 0))
    if "/" in text:
        if measure is not Measure.PERCENT:
            raise TargetError(f"“{target.name}”: chỉ tiêu tỷ lệ mới ghi được dạng tử số/mẫu số.")
        numerator, _, denominator = text.partition("/")
        if not numerator.strip() or not denominator.strip() or "/" in denominator:
            raise TargetError(f"“{target.name}”: “{text}” cần ghi dạng tử số/mẫu số, ví dụ 1.234/1.250.")
        return Entry(numerator=parse_number(numerator), denominator=parse_number(denominator))
    return Entry(value=parse_number(text, allow_percent=measure is Measure.PERCENT))


def _plan_cell(target: Target, text: str, unit: Unit, current: TargetValue | None) -> CellPlan:
    cell = CellPlan(target, text, ERROR, current=current)
    if not target.applies_to_unit(unit.unit_type, unit.block):
        cell.message = "Chỉ tiêu này không áp dụng cho đơn vị."
        return cell
    try:
        entry = _read_entry(target, text)
        value = services.computed_value(target, entry)
    except NumberError as error:
        cell.message = error.message
        return cell
    except TargetError as error:
        cell.message = str(error).removeprefix(f"“{target.name}”: ")
        return cell
    cell.value, cell.numerator, cell.denominator = value, entry.numerator, entry.denominator
    if current is None:
        cell.action = CREATE
    elif not current.editable:
        cell.action = SKIPPED
        cell.message = (f"Đơn vị đã gửi giá trị {services.format_value(target, current.value)} "
                        f"({current.state_enum.label.lower()}); tệp không ghi đè giá trị đã gửi.")
    elif services._same((current.value, current.numerator, current.denominator),
                        (value, entry.numerator, entry.denominator)):
        cell.action = UPDATE  # the same figure, but it now waits for the office's check
        cell.message = f"Trùng giá trị đơn vị đang có ({current.state_enum.label.lower()}); chuyển sang chờ kiểm tra."
    else:
        cell.action = UPDATE
        cell.message = (f"Giá trị đang nhập: {services.format_value(target, current.value) or 'chưa có'} "
                        f"({current.state_enum.label.lower()}).")
    return cell


# --- applying ----------------------------------------------------------------------------------

def apply_plan(campaign: Campaign, plan: ImportPlan, *, actor, sha256: str = "") -> Counter:
    """Write every good cell of the plan as a sent value; one audit record. The caller commits."""
    services._require_secretariat(actor)
    services.check_definitions_changeable(campaign)
    if not plan.to_write:
        raise TargetError("Tệp không có giá trị nào để nhập.")
    moment = utcnow()
    for row, cell in plan.to_write:
        value = cell.current
        if value is None:
            value = TargetValue(campaign_id=campaign.id, target_id=cell.target.id, unit_id=row.unit.id)
            db.session.add(value)
        value.value, value.numerator, value.denominator = cell.value, cell.numerator, cell.denominator
        value.state, value.return_reason = ValueState.SENT.value, ""
        value.updated_at, value.updated_by_id = moment, actor.id
        value.sent_at, value.sent_by_id = moment, actor.id
    db.session.flush()
    counts = plan.counts
    audit.record("targets.imported", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, to_state=ValueState.SENT.value,
                 details={"file": plan.filename, "sha256": sha256, "created": counts[CREATE],
                          "updated": counts[UPDATE], "skipped": counts[SKIPPED], "errors": counts[ERROR],
                          "rows": len(plan.rows), "rows_unmatched": counts["rows_unmatched"],
                          "columns_unmatched": counts["columns_unmatched"]})
    return counts


def plan_summary(counts: Any) -> str:
    return (f"{counts[CREATE]} giá trị mới, {counts[UPDATE]} cập nhật, {counts[SKIPPED]} bỏ qua, "
            f"{counts[ERROR]} ô lỗi")
