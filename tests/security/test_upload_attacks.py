"""Hostile evidence files: refused cleanly, or stored inert; never executable in the browser; never half written."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.results.models import EvidenceFile
from thidua.storage import LocalStorage, TooLarge, get_storage

from tests.results.conftest import PDF, reporting  # noqa: F401
from tests.results.test_report_flow import upload


def office_file(kind: str, *, extra: dict[str, bytes] | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def evidence_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile))


def stored_files(app) -> list[str]:
    """Every file on the upload folder's disk, temporary ones included; on an object store, its keys."""
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        root = Path(app.config["UPLOAD_FOLDER"])
        return sorted(str(path) for path in root.rglob("*") if path.is_file()) if root.exists() else []
    return sorted(storage.keys())


REFUSED = [
    ("renamed Windows executable", b"MZ\x90\x00\x03" + b"\x00" * 200, "bao-cao.pdf", "Loại tệp không được chấp nhận"),
    ("ELF binary", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "anh.jpg", "Loại tệp không được chấp nhận"),
    ("shell script", b"#!/bin/sh\nrm -rf /\n", "minh-chung.docx", "Loại tệp không được chấp nhận"),
    ("HTML page", b"<!doctype html><script>alert(document.cookie)</script>", "trang.pdf",
     "Loại tệp không được chấp nhận"),
    ("SVG with script", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "hinh.png",
     "Loại tệp không được chấp nhận"),
    ("double extension executable", b"MZ" + b"\x00" * 300, "bao-cao.pdf.exe", "Loại tệp không được chấp nhận"),
    ("zip bomb inside a DOCX", office_file("docx", extra={"word/media/bomb.bin": b"\x00" * (30 * 1024 * 1024)}),
     "bom.docx", "nén quá mức"),
    ("zip bomb inside an XLSX", office_file("xlsx", extra={"xl/media/bomb.bin": b"0" * (30 * 1024 * 1024)}),
     "bom.xlsx", "nén quá mức"),
    ("macro-enabled Word renamed .docx", office_file("docx", extra={"word/vbaProject.bin": os.urandom(2000)}),
     "macro.docx", "macro"),
    ("plain ZIP archive renamed .xlsx", b"PK\x03\x04" + os.urandom(100), "bang.xlsx", "Tệp bị hỏng"),
    ("JAR/ZIP that is not an Office file",
     (lambda: (lambda b: (zipfile.ZipFile(b, "w").writestr("META-INF/MANIFEST.MF", "x"), b.getvalue())[1])(
         io.BytesIO()))(), "tai-lieu.docx", "Loại tệp không được chấp nhận"),
    ("empty file", b"", "rong.pdf", "Tệp rỗng."),
]


@pytest.mark.parametrize(("what", "data", "name", "message"), REFUSED, ids=[case[0] for case in REFUSED])
def test_a_hostile_file_is_refused_with_a_reason_and_nothing_is_stored(app, reporting, client, what, data, name,  # noqa: F811
                                                                       message):
    client.login(reporting.editor)
    files_before = stored_files(app)
    response = upload(client, reporting.initiative.id, data, name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True), what
    assert evidence_count() == 0
    assert stored_files(app) == files_before  # not even a temporary file left behind


def test_an_oversized_upload_is_refused_before_the_whole_body_is_read(app, reporting, client):  # noqa: F811
    client.login(reporting.editor)
    body = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/sang-kien/{reporting.initiative.id}/minh-chung",
                           {"file": (io.BytesIO(body), "lon.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert evidence_count() == 0


NAMES = [
    ("../../../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\x.pdf", None),
    ("/tmp/tuyet-doi.pdf", "tuyet-doi.pdf"),
    ("bao-cao.pdf.exe", "bao-cao.pdf.pdf"),
    ("bao-cao.exe", "bao-cao.pdf"),
    ("<img src=x onerror=alert(1)>.pdf", "img src=x onerror=alert(1).pdf"),
    ("tên\x00ẩn.pdf", "tên ẩn.pdf"),
    ("\u202egpj.exe.pdf", "gpj.exe.pdf"),  # a right-to-left override would show it as "fdp.exe.jpg"
]


@pytest.mark.parametrize(("name", "shown"), NAMES, ids=[repr(name) for name, _ in NAMES])
def test_a_hostile_file_name_never_reaches_the_disk_and_is_served_back_inert(app, reporting, client, make_client,  # noqa: F811
                                                                           name, shown):
    client.login(reporting.editor)
    upload(client, reporting.initiative.id, PDF, name)
    evidence = db.session.scalar(sa.select(EvidenceFile))
    assert evidence is not None, name
    if shown is not None:
        assert evidence.original_name == shown
    assert evidence.original_name.endswith(".pdf") and "/" not in evidence.original_name
    assert "\\" not in evidence.original_name and ".." not in evidence.original_name.replace(".pdf", "")
    assert evidence.storage_key.isalnum()  # the disk name is generated, never the user's
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        root = Path(app.config["UPLOAD_FOLDER"])
        for path in root.rglob("*"):
            assert path.resolve().is_relative_to(root.resolve())
    office = make_client()
    office.login(reporting.secretariat)
    response = office.get(f"/minh-chung/{evidence.id}")
    assert response.status_code == 200 and response.get_data() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.count('"') in (0, 2)  # at most the pair around the ASCII fallback name
    assert "\u202e" not in evidence.original_name  # no right-to-left override to disguise the extension
    for character in "<>\r\n\x00;"[:-1]:
        assert character not in disposition


def test_a_pdf_html_polyglot_is_stored_as_a_pdf_and_can_only_be_downloaded(reporting, client, make_client):  # noqa: F811
    polyglot = b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n"
    client.login(reporting.editor)
    upload(client, reporting.initiative.id, polyglot, "poly.html")
    evidence = db.session.scalar(sa.select(EvidenceFile))
    assert evidence.content_type == "application/pdf" and evidence.original_name == "poly.pdf"
    office = make_client()
    office.login(reporting.secretariat)
    response = office.get(f"/minh-chung/{evidence.id}")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "script-src 'self'" in csp or "default-src 'none'" in csp


# --- atomic writes ------------------------------------------------------------------------------

class Crashing(io.RawIOBase):
    """A request body that breaks after the first megabyte (the client vanished, the process died)."""

    def __init__(self):
        self.sent = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent >= 1024 * 1024:
            raise ConnectionResetError("client went away")
        size = min(len(buffer), 64 * 1024)
        buffer[:size] = b"x" * size
        self.sent += size
        return size


def test_an_upload_that_breaks_midway_leaves_no_file_under_any_key(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(ConnectionResetError):
        storage.save(io.BufferedReader(Crashing()), max_size=10 * 1024 * 1024)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_an_upload_over_the_limit_midway_leaves_no_file(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(TooLarge):
        storage.save(io.BytesIO(b"y" * (3 * 1024 * 1024)), max_size=2 * 1024 * 1024)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_a_crash_between_writing_and_renaming_leaves_only_a_temporary_file_nobody_references(tmp_path, monkeypatch):
    """Killed after the write, before the rename: the key the database would hold has no file; the
    temporary file is named .upload-* (the backup skips those)."""
    storage = LocalStorage(tmp_path)

    def die(*args):
        raise SystemExit("killed")

    monkeypatch.setattr(os, "replace", die)
    with pytest.raises(SystemExit):
        storage.save(io.BytesIO(PDF), max_size=1024)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []  # cleaned up on the way out
