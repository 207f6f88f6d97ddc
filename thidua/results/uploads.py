"""What an evidence file is, decided by its content, never by its name.

Only the five kinds the office accepts get through: PDF, DOCX, XLSX, JPEG and PNG.
Office files are ZIP archives: they must hold the parts of a Word or Excel document,
no macros, and not expand to something far larger than themselves (a ZIP bomb).
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from thidua.numbers import format_number

MAX_ZIP_ENTRIES = 5000
MAX_ZIP_EXPANDED = 300 * 1024 * 1024
MAX_ZIP_RATIO = 200


@dataclass(frozen=True)
class Kind:
    name: str
    extension: str
    content_type: str
    label: str


KINDS = {
    "pdf": Kind("pdf", "pdf", "application/pdf", "PDF"),
    "docx": Kind("docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "xlsx": Kind("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "jpg": Kind("jpg", "jpg", "image/jpeg", "Ảnh JPG"),
    "png": Kind("png", "png", "image/png", "Ảnh PNG"),
}
ACCEPTED = "PDF, Word (DOCX), Excel (XLSX), ảnh JPG hoặc PNG"


class RefusedFile(ValueError):
    """A file that may not be stored, with the reason in Vietnamese."""


def detect(stream: BinaryIO) -> Kind:
    """The kind of the file in `stream` (rewound afterwards), or RefusedFile."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if not head:
        raise RefusedFile("Tệp rỗng.")
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpg"]
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(stream)
        stream.seek(0)
        return kind
    raise RefusedFile(f"Loại tệp không được chấp nhận. Chỉ nhận {ACCEPTED}.")


def _office_kind(stream: BinaryIO) -> Kind:
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise RefusedFile("Tệp nén có quá nhiều thành phần.")
            expanded = sum(entry.file_size for entry in entries)
            packed = sum(entry.compress_size for entry in entries) or 1
            if expanded > MAX_ZIP_EXPANDED or expanded / packed > MAX_ZIP_RATIO:
                raise RefusedFile("Tệp có cấu trúc bất thường (nén quá mức) nên không được chấp nhận.")
            names = {entry.filename for entry in entries}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise RefusedFile("Tệp Office có chứa macro nên không được chấp nhận.")
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return KINDS["docx"]
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return KINDS["xlsx"]
    except zipfile.BadZipFile as error:
        raise RefusedFile("Tệp bị hỏng hoặc không phải tài liệu Word/Excel hợp lệ.") from error
    raise RefusedFile(f"Loại tệp không được chấp nhận. Chỉ nhận {ACCEPTED}.")


# Control characters, characters Windows forbids in names, and the bidirectional controls that
# would let "\u202egpj.exe.pdf" read as "fdp.exe.jpg".
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def display_name(filename: str | None, kind: Kind) -> str:
    """The user's file name, made safe to show and to offer back on download, with the true extension."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub(" ", name).strip(" .") or "minh-chung"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:200] or "minh-chung"
    return f"{stem}.{kind.extension}"


# --- Evidence named without its unit (blind review) -----------------------------------------

_KIND_BY_TYPE = {kind.content_type: kind for kind in KINDS.values()}


def evidence_label(position: int, evidence) -> str:
    """"Minh chứng 1 (PDF, 120 KB)": a name that says nothing about who uploaded it."""
    kind = _KIND_BY_TYPE.get(evidence.content_type)
    size = max(1, round(evidence.size / 1024))
    size_text = format_number(size)
    return f"Minh chứng {position} ({kind.label if kind else 'tệp'}, {size_text} KB)"


def evidence_kind(evidence):
    return _KIND_BY_TYPE.get(evidence.content_type)


def neutral_download_name(position: int, evidence) -> str:
    kind = _KIND_BY_TYPE.get(evidence.content_type)
    return f"minh-chung-{position}.{kind.extension if kind else 'bin'}"
