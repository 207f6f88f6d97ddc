"""Importing the units directory from a CSV or XLSX file.

The secretariat keeps the directory in a spreadsheet and uploads it again whenever it
changes, so an import is planned first (read, validate, compare with the database)
and applied only after someone has seen the plan. The same two steps serve the web
page, the command line and the demo loader:

    plan = plan_import(filename, data)
    if not plan.has_errors:
        counts = apply_plan(plan, actor=user)
        db.session.commit()

An import adds and updates units; it never deactivates units missing from the file,
because a partial file (one district, one block) is a normal thing to upload.
Columns missing from the file leave the matching fields of existing units alone.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

import sqlalchemy as sa

from thidua import audit
from thidua.extensions import db
from thidua.numbers import format_number
from thidua.text import fold
from thidua.units.models import UNIT_TYPE_LABELS, Unit

__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "REQUIRED_COLUMNS",
    "ImportFileError",
    "ImportPlan",
    "ImportRefused",
    "PlanRow",
    "RowError",
    "SourceRow",
    "Table",
    "UnitImportError",
    "apply_plan",
    "plan_import",
    "read_table",
    "validate",
]

# --------------------------------------------------------------------------- columns

COLUMNS: tuple[str, ...] = (
    "code", "name", "short_name", "block", "unit_type", "district", "parent_code", "email",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("code", "name", "unit_type")
# Fields copied onto Unit as they are; parent_code is resolved to parent_id instead.
UNIT_FIELDS: tuple[str, ...] = ("name", "short_name", "block", "unit_type", "district", "email")

# How each column is named to the user, in messages and in the plan's table.
COLUMN_LABELS: dict[str, str] = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "short_name": "Tên viết tắt",
    "block": "Khối",
    "unit_type": "Loại đơn vị",
    "district": "Quận/Huyện",
    "parent_code": "Đơn vị cấp trên",
    "email": "Email",
}

# Lengths of the Unit columns: a longer value would fail (PostgreSQL) or be stored
# whole against the schema (SQLite), so it is a row error rather than a crash.
MAX_LENGTHS: dict[str, int] = {
    "name": 255,
    "short_name": 120,
    "block": 120,
    "district": 120,
    "email": 255,
}

# Header spellings seen in the Sở's own files and in what people type by hand.
# Compared after header_key(), so case, diacritics, "_" and stray "*" or ":" do not matter.
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "Mã đơn vị", "Mã", "Mã ĐV"),
    "name": ("name", "Tên đơn vị", "Tên", "Tên đầy đủ"),
    "short_name": ("short_name", "Tên viết tắt", "Tên ngắn", "Tên ngắn gọn"),
    "block": ("block", "Khối", "Khối thi đua"),
    "unit_type": ("unit_type", "Loại đơn vị", "Loại hình", "Loại hình đơn vị"),
    "district": ("district", "Quận/Huyện", "Quận/Huyện/Thị xã", "Địa bàn"),
    "parent_code": ("parent_code", "Đơn vị cấp trên", "Mã đơn vị cấp trên", "Mã cấp trên"),
    "email": ("email", "Email", "E-mail", "Thư điện tử", "Địa chỉ email"),
}

# A directory has hundreds, at most a few thousand, units; a file far beyond that is
# a mistake (or a hostile upload) and is refused before it costs memory and time.
MAX_ROWS = 20_000

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_UNIT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Deliberately plain: enough to catch typos and two addresses in one cell, without
# refusing unusual but real mailboxes. Deliverability is not the importer's business.
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_SPACES = re.compile(r"\s+")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"

_XLSX_SIGNATURE = b"PK"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003) and other OLE files
_DELIMITERS = (",", ";", "\t")

# How many codes go into one IN (...) query: far under every database's parameter limit.
_IN_CHUNK = 500

Action = Literal["create", "update", "unchanged"]


# --------------------------------------------------------------------------- errors


class UnitImportError(Exception):
    """Base of the importer's errors; str() is a Vietnamese message for the user.

    Not named ImportError, which is Python's own for failed module imports.
    """


class ImportFileError(UnitImportError):
    """The file as a whole cannot be read: wrong encoding, not a table, missing columns."""


class ImportRefused(UnitImportError):
    """apply_plan() will not write anything for this plan."""


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class SourceRow:
    """One non-empty data row, numbered the way the spreadsheet shows it (header = 1)."""

    number: int
    values: dict[str, str]


@dataclass
class Table:
    """What read_table() found: the recognised columns and the data rows.

    ``columns`` maps a field to the header as written in the file, so messages can
    name the column the user actually sees; ``ignored_columns`` are headers that did
    not match any field (notes, STT, ...), shown so a misspelt header is noticed.
    """

    columns: dict[str, str]
    rows: list[SourceRow]
    ignored_columns: list[str] = field(default_factory=list)


def read_table(filename: str, data: bytes) -> Table:
    """Read an uploaded directory file into rows keyed by field name.

    The format is chosen from the content, not the name: people rename files, and
    browsers send whatever name the user's system gave; ``filename`` is taken so all
    callers pass the same pair, and is only recorded by the plan. Raises
    ImportFileError with a message meant for the person who uploaded the file.
    """
    if not data or not data.strip():
        raise ImportFileError("Tệp rỗng, không có dữ liệu.")
    if data.startswith(_XLSX_SIGNATURE):
        raw_rows = _xlsx_rows(data)
    elif data.startswith(_OLE_SIGNATURE):
        raise ImportFileError(
            "Tệp Excel 97-2003 (.xls) chưa được hỗ trợ. Hãy mở tệp trong Excel và lưu lại "
            "dưới dạng “Sổ làm việc Excel (.xlsx)” hoặc “CSV UTF-8”."
        )
    else:
        raw_rows = _csv_rows(data)
    return _table_from_rows(raw_rows)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    # Imported lazily: the CSV path (CLI, demo loader) should not pay for openpyxl.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            "Không đọc được tệp Excel. Tệp cần là bảng tính .xlsx (hoặc CSV UTF-8); "
            "hãy mở tệp trong Excel và lưu lại."
        ) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError("Tệp Excel không có trang tính nào.")
        sheet = workbook.worksheets[0]
        # Some generators write a wrong <dimension>; read-only mode would trust it
        # and silently drop columns or rows.
        sheet.reset_dimensions()
        rows: list[list[str]] = []
        for cells in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in cells])
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(_too_many_rows())
        return rows
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """Text of an Excel cell as the user sees it, not Python's repr of the value.

    A code typed as 123 comes back as the float 123.0 from some files; it means "123".
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _csv_rows(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(_too_many_rows())
    except csv.Error as exc:
        raise ImportFileError(
            f"Tệp CSV bị lỗi định dạng ở dòng {reader.line_num}: {exc}."
        ) from exc
    return rows


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) and refuse everything else, loudly.

    Guessing a legacy encoding (Windows-1258, TCVN3, VNI) would store mangled names
    that look right to nobody; a clear refusal with the way out is kinder.
    Excel's "Unicode Text" export is UTF-16 with a BOM, which is unambiguous, so it
    is accepted too.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError("Tệp văn bản UTF-16 bị hỏng, không đọc được.") from exc
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            "Tệp không phải bảng tính CSV hoặc Excel (.xlsx). Hãy tải lên tệp .xlsx "
            "hoặc tệp CSV UTF-8."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            "Tệp CSV không dùng bảng mã UTF-8 (có thể là Windows-1258, TCVN3 hoặc VNI; "
            f"ký tự lỗi đầu tiên ở dòng {line}), nên tiếng Việt sẽ bị sai. Hãy mở tệp trong "
            "Excel, chọn Lưu thành (Save As) với kiểu “CSV UTF-8 (Comma delimited)”, "
            "hoặc lưu dưới dạng .xlsx rồi tải lên lại."
        ) from exc


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter from the header line.

    Excel on a Vietnamese-locale Windows writes ";" (the decimal separator is ","),
    elsewhere ","; the header never contains either inside a name, so counting works
    where csv.Sniffer often guesses a letter.
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    header = re.sub(r'"[^"]*"', "", header)  # a quoted header may contain anything
    counts = {delimiter: header.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _too_many_rows() -> str:
    limit = format_number(MAX_ROWS)
    return f"Tệp có hơn {limit} dòng, quá lớn đối với một danh mục đơn vị."


def clean(value: str) -> str:
    """NFC, single spaces, no invisible characters: what two equal names compare as.

    Excel cells keep line breaks (Alt+Enter) and non-breaking spaces pasted from the
    web; without this, an unchanged name would show up as an update.
    """
    value = unicodedata.normalize("NFC", value or "")
    value = value.translate({ord(ch): None for ch in _INVISIBLE})
    return _SPACES.sub(" ", value).strip()


def header_key(header: str) -> str:
    key = fold(header).replace("_", " ").strip(" *:.")
    key = re.sub(r"\s*/\s*", "/", key)
    return _SPACES.sub(" ", key)


HEADER_LOOKUP: dict[str, str] = {
    header_key(alias): name for name, aliases in _HEADER_ALIASES.items() for alias in aliases
}


def _table_from_rows(raw_rows: Sequence[Sequence[str]]) -> Table:
    header_index = next(
        (i for i, cells in enumerate(raw_rows) if any(clean(c) for c in cells)), None
    )
    if header_index is None:
        raise ImportFileError("Tệp rỗng, không có dữ liệu.")
    headers = [clean(c) for c in raw_rows[header_index]]

    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for position, header in enumerate(headers):
        if not header:
            continue
        name = HEADER_LOOKUP.get(header_key(header))
        if name is None:
            ignored.append(header)
        elif name in positions:
            problems.append(
                f"Hai cột “{columns[name]}” và “{header}” cùng là cột "
                f"{COLUMN_LABELS[name].lower()}; hãy xoá bớt một cột."
            )
        else:
            positions[name] = position
            columns[name] = header
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        listed = ", ".join(f"“{COLUMN_LABELS[name]}” ({name})" for name in missing)
        problems.insert(0, f"Tệp thiếu cột bắt buộc: {listed}. Dòng đầu tiên phải là dòng tiêu đề.")
    if problems:
        raise ImportFileError(" ".join(problems))

    rows: list[SourceRow] = []
    for index in range(header_index + 1, len(raw_rows)):
        cells = raw_rows[index]
        values = {
            name: clean(cells[position]) if position < len(cells) else ""
            for name, position in positions.items()
        }
        if not any(values.values()):
            continue
        # Fields without a column are "" so templates and callers need no guards;
        # Table.columns says which ones the file really had.
        rows.append(SourceRow(index + 1, {name: values.get(name, "") for name in COLUMNS}))
    if not rows:
        raise ImportFileError("Tệp chỉ có dòng tiêu đề, không có đơn vị nào.")
    return Table(columns=columns, rows=rows, ignored_columns=ignored)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class RowError:
    """A problem in one cell; ``field`` is None when it concerns the row as a whole."""

    field: str | None
    message: str


@dataclass
class PlanRow:
    """One data row and what importing it would do.

    ``action`` is what the row means against the database (create/update/unchanged)
    even when it has errors, so the page can still say "would update"; ``status``
    folds the errors in and is what the counts use.
    """

    number: int
    values: dict[str, str]
    action: Action
    errors: list[RowError] = field(default_factory=list)
    # field -> (value now, value in the file), for updates only.
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.values.get("code", "")

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        return "error" if self.errors else self.action

    def add_error(self, field_name: str | None, message: str) -> None:
        self.errors.append(RowError(field_name, message))

    def errors_for(self, field_name: str) -> list[str]:
        return [e.message for e in self.errors if e.field == field_name]


@dataclass
class ImportPlan:
    """What an import would do, computed without writing anything.

    Holds plain values only (no ORM objects), so it stays valid across requests and
    apply_plan() re-reads the database instead of trusting a stale picture.
    """

    filename: str
    rows: list[PlanRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    # field -> header as written in the file (only the columns the file has).
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def good_rows(self) -> list[PlanRow]:
        """The rows apply_plan(include_good_rows_only=True) would write."""
        return [row for row in self.rows if row.ok]

    @property
    def error_rows(self) -> list[PlanRow]:
        return [row for row in self.rows if row.errors]

    def column_title(self, field_name: str | None) -> str:
        """The column as the user sees it: the file's header, or our label if absent."""
        if field_name is None:
            return ""
        return self.columns.get(field_name) or COLUMN_LABELS.get(field_name, field_name)

    def column_label(self, field_name: str) -> str:
        """The column by its Vietnamese name, whatever the file's header said (a change line)."""
        return COLUMN_LABELS.get(field_name, self.columns.get(field_name, ""))

    def messages(self) -> list[str]:
        """Every problem as one line, for the command line and flash messages."""
        lines = list(self.file_errors)
        for row in self.rows:
            for error in row.errors:
                where = f"Dòng {row.number}"
                if error.field:
                    where += f", cột “{self.column_title(error.field)}”"
                lines.append(f"{where}: {error.message}")
        return lines


def plan_import(filename: str, data: bytes) -> ImportPlan:
    """Read the file and validate it against the database: the preview of an import."""
    try:
        table = read_table(filename, data)
    except ImportFileError as exc:
        return ImportPlan(filename=filename, file_errors=[str(exc)])
    return validate(table, filename=filename)


@dataclass
class _Directory:
    """The database side of a plan, read in a bounded number of queries."""

    # Every unit as (code, parent code): enough to check parents and cycles.
    parent_of: dict[str, str | None]
    # Full objects, only for the codes in the file: needed to compare fields.
    units: dict[str, Unit]


def _load_directory(codes: Iterable[str]) -> _Directory:
    id_rows = db.session.execute(sa.select(Unit.id, Unit.code, Unit.parent_id)).all()
    code_of = {unit_id: code for unit_id, code, _ in id_rows}
    parent_of = {code: code_of.get(parent_id) for _, code, parent_id in id_rows}
    wanted = sorted({code for code in codes if code in parent_of})
    return _Directory(parent_of=parent_of, units=_units_by_code(wanted))


def _units_by_code(codes: Sequence[str]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for start in range(0, len(codes), _IN_CHUNK):
        chunk = codes[start : start + _IN_CHUNK]
        for unit in db.session.scalars(sa.select(Unit).where(Unit.code.in_(chunk))):
            units[unit.code] = unit
    return units


def validate(table: Table, *, filename: str = "") -> ImportPlan:
    """Check every row and compare it with the database.

    All problems are collected, not just the first, because the person fixing the
    spreadsheet wants the whole list in one go.
    """
    plan = ImportPlan(
        filename=filename, columns=dict(table.columns), ignored_columns=list(table.ignored_columns)
    )
    directory = _load_directory(row.values["code"] for row in table.rows)
    has_parent_column = "parent_code" in table.columns

    for source in table.rows:
        existing = directory.units.get(source.values["code"])
        row = PlanRow(number=source.number, values=dict(source.values), action="create")
        _normalise_unit_type(row)
        _check_cells(row)
        if existing is not None:
            row.changes = _changes(existing, row.values, table.columns, directory.parent_of)
            row.action = "update" if row.changes else "unchanged"
            if not existing.is_active:
                row.warnings.append(
                    "Đơn vị này đang ngừng hoạt động; nhập tệp không tự kích hoạt lại."
                )
        plan.rows.append(row)

    first_row_of = _check_duplicates(plan.rows)
    if has_parent_column:
        _check_parents(plan.rows, first_row_of, directory.parent_of)
        # First as if every row were imported, so a loop is reported even on rows
        # that also have other mistakes; then, until nothing changes, as the tree
        # would really be with only the good rows (a held-back row keeps its old parent).
        _check_cycles(plan.rows, plan.rows, directory.parent_of)
        while _hold_back_children_of_error_rows(plan.rows, first_row_of, directory.parent_of) | (
            _check_cycles(plan.good_rows, plan.good_rows, directory.parent_of)
        ):
            pass
    return plan


def _normalise_unit_type(row: PlanRow) -> None:
    """Accept a known type written as its label ("Trường THPT") or in capitals ("THPT").

    People filling in a Vietnamese-headed sheet write the label they know; mapping the
    known ones is unambiguous, while unknown values stay as written and are checked.
    """
    value = row.values["unit_type"]
    if not value or _UNIT_TYPE_RE.match(value):
        return
    known = _UNIT_TYPE_BY_TEXT.get(fold(value))
    if known is not None:
        row.values["unit_type"] = known


_UNIT_TYPE_BY_TEXT: dict[str, str] = {
    **{fold(label): code for code, label in UNIT_TYPE_LABELS.items()},
    **{code: code for code in UNIT_TYPE_LABELS},
}


def _check_cells(row: PlanRow) -> None:
    values = row.values
    code = values["code"]
    if not code:
        row.add_error("code", "Thiếu mã đơn vị")
    elif len(code) > 80:
        row.add_error("code", "Mã đơn vị dài quá 80 ký tự")
    elif not _CODE_RE.match(code):
        row.add_error("code", "Mã đơn vị chỉ gồm chữ thường không dấu, số và dấu gạch ngang")

    if not values["name"]:
        row.add_error("name", "Thiếu tên đơn vị")

    unit_type = values["unit_type"]
    if not unit_type:
        row.add_error("unit_type", "Thiếu loại đơn vị")
    elif not _UNIT_TYPE_RE.match(unit_type):
        row.add_error("unit_type", f"Loại đơn vị “{unit_type}” không hợp lệ")

    for name, limit in MAX_LENGTHS.items():
        if len(values[name]) > limit:
            row.add_error(name, f"{COLUMN_LABELS[name]} dài quá {limit} ký tự")

    email = values["email"]
    if email and len(email) <= MAX_LENGTHS["email"] and not _EMAIL_RE.match(email):
        row.add_error("email", f"Email “{email}” không hợp lệ")


def _changes(
    unit: Unit,
    values: dict[str, str],
    columns: dict[str, str],
    parent_of: dict[str, str | None],
) -> dict[str, tuple[str, str]]:
    """Fields the file would change; columns absent from the file change nothing."""
    changes: dict[str, tuple[str, str]] = {}
    for name in UNIT_FIELDS:
        if name in columns:
            old, new = getattr(unit, name) or "", values[name]
            if old != new:
                changes[name] = (old, new)
    if "parent_code" in columns:
        old, new = parent_of.get(unit.code) or "", values["parent_code"]
        if old != new:
            changes["parent_code"] = (old, new)
    return changes


def _check_duplicates(rows: list[PlanRow]) -> dict[str, int]:
    """Mark every row of a repeated code, and return code -> first row number.

    Both rows are errors, not just the later one: which of the two is right is the
    user's call, and importing the first by default would be a silent guess.
    """
    numbers: dict[str, list[int]] = {}
    for row in rows:
        if row.code:
            numbers.setdefault(row.code, []).append(row.number)
    for row in rows:
        others = [n for n in numbers.get(row.code, []) if n != row.number]
        if others:
            listed = ", ".join(str(n) for n in others)
            row.add_error("code", f"Mã đơn vị “{row.code}” bị trùng với dòng {listed}")
    return {code: found[0] for code, found in numbers.items()}


def _check_parents(
    rows: list[PlanRow], first_row_of: dict[str, int], parent_of: dict[str, str | None]
) -> None:
    for row in rows:
        parent = row.values["parent_code"]
        if not parent:
            continue
        if parent == row.code:
            row.add_error("parent_code", "Đơn vị không thể là cấp trên của chính nó")
        elif parent not in first_row_of and parent not in parent_of:
            row.add_error(
                "parent_code", f"Đơn vị cấp trên “{parent}” không có trong danh mục hoặc trong tệp"
            )


def _check_cycles(
    rows: Sequence[PlanRow], applied: Sequence[PlanRow], parent_of: dict[str, str | None]
) -> bool:
    """Refuse rows that would make a unit its own ancestor (a → b → a).

    Such a tree would send every "units under X" walk into an endless loop. ``applied``
    are the rows whose parents count; every other unit keeps its parent in the
    database. Returns whether any row got a new error.
    """
    tree = dict(parent_of)
    for row in applied:
        if row.code:
            tree[row.code] = row.values["parent_code"] or None
    found = False
    for row in rows:
        code = row.code
        if not code or row.values["parent_code"] in ("", code):
            continue
        path = [code]
        current = tree.get(code)
        while current is not None and current not in path:
            path.append(current)
            current = tree.get(current)
        if current == code:
            path.append(code)
            row.add_error("parent_code", "Quan hệ cấp trên bị vòng lặp: " + " → ".join(path))
            found = True
    return found


def _hold_back_children_of_error_rows(
    rows: list[PlanRow], first_row_of: dict[str, int], parent_of: dict[str, str | None]
) -> bool:
    """A row whose parent would only be created by a row with errors cannot be imported.

    It gets an error of its own so that good_rows is exactly what would be written and
    the user sees why the row is held back; repeated until nothing changes, so a whole
    branch under a broken row is held back. A parent already in the database is there
    whatever its row in the file says, so its children go ahead. Returns whether any
    row got a new error.
    """
    by_number = {row.number: row for row in rows}
    found = changed = False
    while True:
        changed = False
        for row in rows:
            parent = row.values["parent_code"]
            if row.errors or not parent or parent in parent_of:
                continue
            parent_row = by_number.get(first_row_of.get(parent, 0))
            if parent_row is not None and parent_row.errors:
                row.add_error(
                    "parent_code",
                    f"Đơn vị cấp trên “{parent}” ở dòng {parent_row.number} đang có lỗi",
                )
                changed = found = True
        if not changed:
            return found


# --------------------------------------------------------------------------- applying


def apply_plan(plan: ImportPlan, *, actor: Any, include_good_rows_only: bool = False) -> dict[str, int]:
    """Write the plan's units into the session (flushed, not committed) and audit it.

    All or nothing by default: a directory half-imported from a file with mistakes is
    worse than none. ``include_good_rows_only`` is the explicit "import what is
    correct, I will fix the rest" choice. The database is re-read here rather than
    trusted from the plan, which may be minutes old.

    Returns {"created", "updated", "unchanged", "skipped"} counts.
    """
    if plan.file_errors:
        raise ImportRefused("Không nhập được tệp: " + " ".join(plan.file_errors))
    error_count = len(plan.error_rows)
    if error_count and not include_good_rows_only:
        raise ImportRefused(
            f"Tệp còn {error_count} dòng có lỗi nên chưa nhập dòng nào. Hãy sửa các lỗi "
            "rồi tải lên lại, hoặc chọn chỉ nhập các dòng hợp lệ."
        )
    rows = plan.good_rows
    if not rows:
        raise ImportRefused("Không có dòng hợp lệ nào để nhập.")

    columns = plan.columns
    set_parents = "parent_code" in columns
    file_codes = {row.code for row in rows}
    parent_codes = {row.values["parent_code"] for row in rows if row.values["parent_code"]}
    existing = _units_by_code(sorted(file_codes | parent_codes))
    # Checked before anything is written, so a refusal leaves the session clean.
    for row in rows:
        parent = row.values["parent_code"]
        if set_parents and parent and parent not in existing and parent not in file_codes:
            raise ImportRefused(
                f"Đơn vị cấp trên “{parent}” (dòng {row.number}) không còn trong danh mục; "
                "danh mục đã thay đổi sau khi kiểm tra tệp, hãy tải tệp lên lại."
            )

    # Pass 1: update fields, then create. Parents are set in pass 2, once every new
    # unit has an id, so the order of rows in the file does not matter.
    units: dict[str, Unit] = {}
    changed: set[str] = set()
    new_rows: list[PlanRow] = []
    for row in rows:
        unit = existing.get(row.code)
        if unit is None:
            new_rows.append(row)
            continue
        for name in UNIT_FIELDS:
            if name in columns and (getattr(unit, name) or "") != row.values[name]:
                setattr(unit, name, row.values[name])
                changed.add(row.code)
        units[row.code] = unit
    units.update(_insert_units(new_rows))
    created = {row.code for row in new_rows}
    db.session.flush()

    if set_parents:
        id_by_code = {code: unit.id for code, unit in existing.items()}
        id_by_code.update({code: unit.id for code, unit in units.items()})
        for row in rows:
            parent = row.values["parent_code"]
            parent_id = id_by_code[parent] if parent else None
            unit = units[row.code]
            if unit.parent_id != parent_id:
                unit.parent_id = parent_id
                changed.add(row.code)
        db.session.flush()
    for code in created:  # a new root of the tree runs its own campaigns
        if units[code].parent_id is None:
            units[code].is_organiser = True
    db.session.flush()

    counts = {
        "created": len(created),
        "updated": len(changed - created),
        "unchanged": len(rows) - len(created | changed),
        "skipped": error_count,
    }
    audit.record(
        "units.imported",
        actor=actor,
        object_type="unit",
        object_id=None,
        details={**counts, "filename": plan.filename},
    )
    db.session.flush()
    return counts


def _insert_units(rows: Sequence[PlanRow]) -> dict[str, Unit]:
    """Insert new units in batched statements and return them, attached to the session.

    session.add() would cost one INSERT per unit: the unit of work inserts rows of a
    self-referencing table one at a time. A bulk INSERT ... RETURNING skips mapper
    events, so the search text the before_insert listener would fill is set here,
    by the model's own method on a throwaway instance.
    """
    if not rows:
        return {}
    payload: list[dict[str, Any]] = []
    for row in rows:
        values: dict[str, Any] = {name: row.values[name] for name in UNIT_FIELDS}
        values.update(code=row.code, is_active=True)
        probe = Unit(**values)
        probe.refresh_search_text()
        values["search_text"] = probe.search_text
        payload.append(values)
    # Matched back by code, not by position: asking for RETURNING in parameter order
    # makes SQLite fall back to one statement per row.
    statement = sa.insert(Unit).returning(Unit)
    return {unit.code: unit for unit in db.session.scalars(statement, payload)}
