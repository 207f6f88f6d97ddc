"""Reading a Google Forms CSV export: encoding, rows, columns, answers.

Google Forms writes UTF-8, one header row holding the question texts, every field quoted
(answers may hold commas, quotes and line breaks), the submission time first, written in
the form's locale. Nothing here touches the database.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from thidua.numbers import format_number
from thidua.registration.models import AREA_LABELS, KIND_LABELS
from thidua.results.models import SELF_ASSESSMENT_LABELS
from thidua.text import fold

MAX_ROWS = 20_000
_SPACES = re.compile(r"[ \t\u00a0]+")
_INVISIBLE = {ord(ch): None for ch in "\ufeff\u200b\u200c\u200d\u2060"}


class ImportFileError(Exception):
    """The file as a whole cannot be used; str() is a Vietnamese message for the user."""


# --------------------------------------------------------------------------- fields

REGISTRATION = "registration"
REPORT = "report"
KIND_CHOICES = {REGISTRATION: "Phiếu đăng ký", REPORT: "Phiếu báo cáo kết quả"}

IGNORE = ""

# field -> label, in the order the mapping table lists them, per kind of form.
FIELDS: dict[str, dict[str, str]] = {
    REGISTRATION: {
        "timestamp": "Dấu thời gian",
        "email": "Địa chỉ email",
        "unit": "Tên đơn vị",
        "contact_name": "Người đăng ký",
        "contact_position": "Chức vụ",
        "contact_phone": "Số điện thoại",
        "title": "Tên mô hình, giải pháp, sáng kiến",
        "kind": "Loại",
        "area": "Lĩnh vực CCHC",
        "need": "Sự cần thiết",
        "objectives": "Mục tiêu",
        "content": "Nội dung thực hiện",
        "start_date": "Thời gian bắt đầu",
        "end_date": "Thời gian hoàn thành",
        "expected_results": "Kết quả dự kiến",
        "collective_name": "Cá nhân/Tập thể thực hiện",
    },
    REPORT: {
        "timestamp": "Dấu thời gian",
        "email": "Địa chỉ email",
        "block": "Khối",
        "unit": "Tên đơn vị",
        "contact_name": "Người báo cáo",
        "contact_position": "Chức vụ",
        "contact_phone": "Số điện thoại",
        "title": "Tên mô hình, giải pháp, sáng kiến đã đăng ký",
        "achievements": "Kết quả đạt được",
        "before": "Số liệu trước khi áp dụng",
        "after": "Số liệu sau khi áp dụng",
        "effect": "Hiệu quả",
        "replication": "Khả năng nhân rộng",
        "self_assessment": "Tự đánh giá mức độ hoàn thành",
        "evidence": "Minh chứng",
    },
}
# Without these a row cannot be stored as the unit meant it; a default would be a silent guess.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    REGISTRATION: ("timestamp", "unit", "title", "kind", "area"),
    REPORT: ("timestamp", "unit", "title"),
}

def guess_mapping(headers: list[str], kind: str) -> list[str]:
    """A field (or IGNORE) per column, from the question texts alone (see imports.columns)."""
    from thidua.imports import columns  # columns reads answers with this module's parsers

    return [guess.field for guess in columns.recognise(headers, [], kind)]


def guess_kind(headers: list[str]) -> str:
    folded = " ".join(fold(h) for h in headers)
    return REPORT if ("ket qua dat duoc" in folded or "minh chung" in folded or "tu danh gia" in folded) else REGISTRATION


def mapping_problems(mapping: list[str], headers: list[str], kind: str) -> list[str]:
    """What makes a mapping unusable: a required field without a column, a field on two columns."""
    labels = FIELDS[kind]
    problems = []
    seen: dict[str, int] = {}
    for index, name in enumerate(mapping):
        if not name:
            continue
        if name in seen:
            problems.append(f"Hai cột “{headers[seen[name]]}” và “{headers[index]}” cùng được gán cho "
                            f"“{labels[name]}”; mỗi thông tin chỉ lấy từ một cột.")
        else:
            seen[name] = index
    missing = [labels[name] for name in REQUIRED_FIELDS[kind] if name not in seen]
    if missing:
        problems.insert(0, "Thiếu cột bắt buộc: " + ", ".join(f"“{m}”" for m in missing)
                        + ". Hãy chọn cột tương ứng trong bảng ghép cột, hoặc kiểm tra lại tệp.")
    return problems


# --------------------------------------------------------------------------- the file


@dataclass(frozen=True)
class SourceRow:
    """One data row, numbered as the spreadsheet shows it (the header is row 1)."""

    number: int
    cells: list[str]


@dataclass
class Sheet:
    headers: list[str]
    rows: list[SourceRow]
    empty_rows: list[int]


def clean(value: str) -> str:
    """NFC, no invisible characters, runs of spaces made one, trimmed; line breaks kept."""
    value = unicodedata.normalize("NFC", value or "").translate(_INVISIBLE)
    lines = [_SPACES.sub(" ", line).strip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def one_line(value: str) -> str:
    return " ".join(clean(value).split())


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM; anything else is refused, never guessed."""
    if not data or not data.strip():
        raise ImportFileError("Tệp rỗng, không có dữ liệu.")
    if data.startswith(b"PK") or b"\x00" in data[:4096]:
        raise ImportFileError(
            "Tệp không phải tệp CSV. Trong Google Biểu mẫu, mở thẻ “Câu trả lời”, chọn “Tải câu trả lời xuống (.csv)” "
            "rồi tải lên tệp .csv nhận được."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            "Tệp không dùng bảng mã UTF-8 (có thể đã được mở và lưu lại bằng Excel với bảng mã Windows-1258, "
            f"TCVN3 hoặc VNI; ký tự lỗi đầu tiên ở dòng {line}), nên tiếng Việt sẽ bị sai. Chưa có dữ liệu nào "
            "được nhập. Hãy tải lại tệp CSV trực tiếp từ Google Biểu mẫu, hoặc trong Excel chọn Lưu thành "
            "với kiểu “CSV UTF-8 (Comma delimited)”."
        ) from exc


def read_sheet(data: bytes) -> Sheet:
    text = decode(data)
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    delimiter = max((",", ";", "\t"), key=unquoted.count) if unquoted.strip() else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[SourceRow] = []
    empty: list[int] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if headers is None:
                if not any(c.strip() for c in cells):
                    continue
                headers = [one_line(c) for c in cells]
                continue
            if not any(c.strip() for c in cells):
                empty.append(number)
                continue
            rows.append(SourceRow(number, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(f"Tệp có hơn {format_number(MAX_ROWS)} dòng câu trả lời; hãy tách thành nhiều tệp.")
    except csv.Error as exc:
        raise ImportFileError(f"Tệp CSV bị lỗi định dạng ở dòng {reader.line_num}: {exc}.") from exc
    if headers is None:
        raise ImportFileError("Tệp rỗng, không có dữ liệu.")
    if len(headers) < 3:
        raise ImportFileError("Không nhận ra bảng câu trả lời: dòng đầu tiên cần là các câu hỏi của biểu mẫu, "
                              "phân cách bằng dấu phẩy.")
    if not rows:
        raise ImportFileError("Tệp chỉ có dòng tiêu đề, chưa có câu trả lời nào.")
    return Sheet(headers, rows, empty)


# --------------------------------------------------------------------------- answers

_MOMENT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def guess_day_first(values: list[str]) -> bool:
    """Day first unless a value can only be month first (Google writes the form's locale)."""
    for value in values:
        match = _MOMENT.match(value.strip())
        if match is None:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12:
            return True
        if second > 12:
            return False
    return True


def parse_moment(value: str, *, day_first: bool, tz: str) -> datetime | None:
    """"20/08/2023 14:03:11" in the form's zone -> naive UTC; None when it is not a moment."""
    match = _MOMENT.match(value.strip())
    if match is None:
        return None
    a, b, year, hour, minute, second = (int(g or 0) for g in match.groups())
    day, month = (a, b) if day_first else (b, a)
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(tz))
    except ValueError:
        return None
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def parse_day(value: str, *, day_first: bool = True) -> date | None:
    value = value.strip()
    match = _ISO_DAY.match(value)
    try:
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = _DAY.match(value)
        if match:
            a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
            return date(year, b, a) if day_first else date(year, a, b)
    except ValueError:
        return None
    return None


def _label_key(text: str) -> str:
    return " ".join(fold(text).replace(",", " , ").split())


# The options of the CCHC area checkbox question, as the 2023 forms and our labels write them.
_AREA_OPTIONS: list[tuple[str, str]] = sorted(
    [(code, _label_key(label)) for code, label in AREA_LABELS.items()]
    + [
        ("tthc", _label_key("Cải cách TTHC")),
        ("to_chuc_bo_may", _label_key("Cải cách tổ chức bộ máy")),
        ("chinh_quyen_so", _label_key("Xây dựng và phát triển Chính quyền điện tử, Chính quyền số")),
        ("chinh_quyen_so", _label_key("Xây dựng, phát triển Chính phủ điện tử, Chính phủ số")),
        ("chinh_quyen_so", _label_key("Chính quyền điện tử, Chính quyền số")),
        ("chinh_quyen_so", _label_key("Chuyển đổi số")),
        ("chi_dao_dieu_hanh", _label_key("Công tác chỉ đạo, điều hành CCHC")),
        ("de_an_06", _label_key("Đề án 06/CP")),
    ],
    key=lambda pair: -len(pair[1]),
)


def split_areas(answer: str) -> tuple[list[str], list[str]]:
    """A checkbox answer -> (area codes in the order ticked, pieces that are no known option, as written).

    Google joins the ticked options with ", " and one option itself holds a comma, so the
    answer is read option by option (longest label first), not split on commas. Words are
    compared without case and diacritics; a piece that is no option (an "Other" answer) is
    kept as the person wrote it.
    """
    words = (answer or "").replace(",", " , ").split()
    keys = [fold(word) for word in words]
    codes: list[str] = []
    unknown: list[str] = []
    at = 0
    while at < len(words):
        if keys[at] == ",":
            at += 1
            continue
        for code, label in _AREA_OPTIONS:
            label = label.split()
            size = len(label)
            if keys[at:at + size] == label and (at + size == len(keys) or keys[at + size] == ","):
                if code not in codes:
                    codes.append(code)
                at += size
                break
        else:
            end = keys.index(",", at) if "," in keys[at:] else len(keys)
            unknown.append(" ".join(words[at:end]).replace(" ,", ","))
            at = end
    return codes, unknown


_KIND_WORDS = {fold(label): code for code, label in KIND_LABELS.items()}
_SELF_ASSESSMENT_WORDS = {fold(label): code for code, label in SELF_ASSESSMENT_LABELS.items()}


def parse_kind(answer: str) -> str | None:
    folded = fold(answer)
    if folded in _KIND_WORDS:
        return _KIND_WORDS[folded]
    return next((code for word, code in _KIND_WORDS.items() if folded.startswith(word)), None)


def parse_self_assessment(answer: str) -> str | None:
    return _SELF_ASSESSMENT_WORDS.get(fold(answer).rstrip("."))


_LINK_SPLIT = re.compile(r"\s*(?:\n|;|\s\|\s)\s*")


def evidence_lines(answer: str) -> str:
    """Links one per line (as the report stores them); "drive.google.com/..." gets its https://."""
    lines = []
    for piece in _LINK_SPLIT.split(clean(answer)):
        piece = piece.strip()
        if not piece:
            continue
        if re.match(r"^(?:drive|docs)\.google\.com/", piece) or re.match(r"^www\.", piece):
            piece = "https://" + piece
        lines.append(piece)
    return "\n".join(lines)


_TITLE_PUNCT = re.compile(r"[\"'“”‘’«»„.,:;!?()\[\]–—-]+")
_KIND_PREFIX = re.compile(r"^(?:mo hinh|giai phap|sang kien)\s*:\s*")


def title_key(title: str) -> str:
    """What two spellings of one title compare as: no case, diacritics, quotes, final period,
    nor a "Giải pháp:" put in front."""
    folded = fold(title)
    folded = _KIND_PREFIX.sub("", folded)
    return " ".join(_TITLE_PUNCT.sub(" ", folded).split())


def title_key_loose(title: str) -> str:
    """title_key without a leading kind word, for titles that start with one ("Mô hình "..."")."""
    key = title_key(title)
    for word in ("mo hinh ", "giai phap ", "sang kien "):
        if key.startswith(word):
            return key[len(word):]
    return key
