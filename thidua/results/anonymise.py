"""Evidence served to a reviewer under blind review, without what would name its unit or author.

A neutral download name is not enough: a Word file carries its author and the e-mail of whoever last
saved it, a workbook its creator, a PDF its /Author (Info dictionary and XMP), a photo its camera owner
and GPS position (EXIF). `strip_metadata` returns the same document without them; the stored original
is never changed (the unit and the office download it as uploaded).

- Word, Excel: docProps/core.xml, app.xml and custom.xml are replaced by empty ones (the package keeps
  its parts and relationships, so Office opens it as before); the authors of comments and tracked
  changes are blanked.
- PDF: the Info dictionary and the document's (and pages') XMP metadata streams are dropped.
- JPEG, PNG: the pixels re-saved with no EXIF, XMP, ICC-tagged text or comment (turned upright first,
  since the EXIF orientation goes).
"""
from __future__ import annotations

import io
import re
import zipfile

EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    b'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
REPLACED = {"docProps/core.xml": EMPTY_CORE, "docProps/app.xml": EMPTY_APP, "docProps/custom.xml": EMPTY_CUSTOM}
# Who wrote a comment or a tracked change (Word), a comment's author list (Excel), threaded comments' people.
_WORD_PEOPLE = re.compile(rb'\b(w:author|w:initials|w15:userId|w15:providerId)="[^"]*"')
_XLSX_AUTHOR = re.compile(rb"<author>[^<]*</author>")
_XLSX_PERSON = re.compile(rb'\b(displayName|userId|providerId)="[^"]*"')


class StripError(ValueError):
    """The file could not be read to strip it: it is not served to a blind reviewer."""


def strip_metadata(data: bytes, kind: str) -> bytes:
    """`data` (a stored evidence file of kind "pdf", "docx", "xlsx", "jpg" or "png") without identifying metadata."""
    try:
        if kind in ("docx", "xlsx"):
            return _strip_office(data)
        if kind == "pdf":
            return _strip_pdf(data)
        if kind in ("jpg", "png"):
            return _strip_image(data, kind)
    except StripError:
        raise
    except Exception as error:  # a damaged file: refuse rather than serve it as it is
        raise StripError(str(error)) from error
    raise StripError(f"unknown kind {kind!r}")


def _strip_office(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            name = entry.filename
            if name in REPLACED:
                content = REPLACED[name]
            elif name.startswith("word/") and name.endswith(".xml"):
                content = _WORD_PEOPLE.sub(rb'\1=""', content)
            elif name.startswith("xl/comments") and name.endswith(".xml"):
                content = _XLSX_AUTHOR.sub(b"<author></author>", content)
            elif name.startswith("xl/persons/") and name.endswith(".xml"):
                content = _XLSX_PERSON.sub(rb'\1=""', content)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # no time of the author's save either
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, content)
    return out.getvalue()


def _strip_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    root = writer._root_object
    for key in ("/Metadata", "/PieceInfo"):
        if NameObject(key) in root:
            del root[NameObject(key)]
    for page in writer.pages:
        for key in ("/Metadata", "/PieceInfo"):
            if NameObject(key) in page:
                del page[NameObject(key)]
    writer.metadata = None  # no Info dictionary at all (not even a Producer naming this tool)
    # The dropped dictionaries and streams would still be written as unreferenced objects: leave them out.
    writer.compress_identical_objects()  # its defaults also drop duplicates: harmless
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _strip_image(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)
    upright.info = {}  # EXIF, XMP, comments, text chunks: nothing of the original's metadata is carried over
    out = io.BytesIO()
    if kind == "jpg":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=95)
    else:
        upright.save(out, "PNG")
    return out.getvalue()
