"""Blind review: every file a reviewer can fetch carries no metadata naming its unit or author (Office core
and app properties, PDF Info and XMP, image EXIF and text), while the unit and the office keep the original."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from docx import Document
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from thidua.extensions import db
from thidua.results.models import EvidenceFile
from thidua.storage import get_storage

from tests.review import scoring_world

AUTHOR = "Nguyễn Văn Tác Giả"
EMAIL = "tacgia@thpt-chuvanan.edu.vn"
COMPANY = "Trường THPT Chu Văn An"
SECRETS = [AUTHOR, EMAIL, COMPANY, "Nguyen Van Tac Gia"]
APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           f'<Application>Microsoft Office Word</Application><Company>{COMPANY}</Company>'
           f'<Manager>{AUTHOR}</Manager></Properties>')


def _with_app_xml(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            target.writestr(entry, APP_XML if entry.filename == "docProps/app.xml" else source.read(entry))
    return out.getvalue()


def docx_file() -> bytes:
    document = Document()
    document.add_paragraph("Báo cáo kết quả")
    document.core_properties.author = AUTHOR
    document.core_properties.last_modified_by = EMAIL
    document.core_properties.comments = COMPANY
    out = io.BytesIO()
    document.save(out)
    return _with_app_xml(out.getvalue())


def xlsx_file() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Số liệu"
    workbook.properties.creator = AUTHOR
    workbook.properties.lastModifiedBy = EMAIL
    workbook.properties.company = COMPANY if hasattr(workbook.properties, "company") else None
    out = io.BytesIO()
    workbook.save(out)
    return _with_app_xml(out.getvalue())


def pdf_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": AUTHOR, "/Creator": COMPANY, "/Producer": EMAIL})
    xmp = DecodedStreamObject()
    xmp.set_data(f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                 f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{AUTHOR}</dc:creator>'
                 f'</rdf:Description></rdf:RDF></x:xmpmeta>'.encode())
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = "Nguyen Van Tac Gia"  # Artist
    exif[0x8298] = COMPANY  # Copyright
    exif[0x0112] = 1  # Orientation
    return exif


def jpg_file() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(out, "JPEG", exif=_exif().tobytes(), comment=AUTHOR.encode())
    return out.getvalue()


def png_file() -> bytes:
    info = PngInfo()
    info.add_text("Author", "Nguyen Van Tac Gia")
    info.add_itxt("Copyright", COMPANY)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(out, "PNG", pnginfo=info, exif=_exif().tobytes())
    return out.getvalue()


FILES = {"docx": docx_file, "xlsx": xlsx_file, "pdf": pdf_file, "jpg": jpg_file, "png": png_file}
TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def metadata_of(data: bytes, kind: str) -> str:
    """Every piece of metadata a reader of the file finds, as one text."""
    found: list[str] = []
    if kind in ("docx", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.startswith("docProps/"):
                    found.append(archive.read(name).decode("utf-8", "replace"))
        if kind == "docx":
            props = Document(io.BytesIO(data)).core_properties
            found += [props.author or "", props.last_modified_by or "", props.comments or ""]
        else:
            props = openpyxl.load_workbook(io.BytesIO(data)).properties
            found += [props.creator or "", props.lastModifiedBy or ""]
    elif kind == "pdf":
        reader = PdfReader(io.BytesIO(data))
        found += [f"{k}={v}" for k, v in (reader.metadata or {}).items()]
        if reader.xmp_metadata is not None:
            found.append(reader.xmp_metadata.stream.get_data().decode("utf-8", "replace"))
        found += [str(page.get("/Metadata", "")) for page in reader.pages]
    else:
        with Image.open(io.BytesIO(data)) as image:
            found += [str(v) for v in image.getexif().values()]
            found += [f"{k}={v}" for k, v in image.info.items() if k not in ("dpi", "jfif", "jfif_version",
                                                                            "jfif_unit", "jfif_density")]
    return "\n".join(found)


@pytest.fixture
def blind(world):
    setup = scoring_world.build(world, blind=True)
    setup.files = {}
    storage = get_storage()
    for kind, make in FILES.items():
        data = make()
        stored = storage.save(io.BytesIO(data), max_size=10_000_000)
        evidence = EvidenceFile(initiative_id=setup.initiative.id, original_name=f"cua-{COMPANY}.{kind}",
                                storage_key=stored.key, content_type=TYPES[kind], size=len(data),
                                sha256=stored.sha256, description="", uploaded_by_id=world.editor.id)
        db.session.add(evidence)
        db.session.flush()
        setup.files[evidence.id] = (kind, data)
    db.session.commit()
    return setup


def test_the_files_a_blind_reviewer_fetches_carry_no_identifying_metadata(client, blind):
    for kind, data in blind.files.values():  # the originals do carry it: the test would see a leak
        assert any(secret in metadata_of(data, kind) for secret in SECRETS), kind
    client.login(blind.world.reviewer)
    page = client.get(f"/hoi-dong/phieu-cham/{blind.assignments[0].id}").get_data(as_text=True)
    links = re.findall(r'href="/minh-chung/(\d+)"', page)
    assert sorted(map(int, links)) == sorted([blind.evidence.id, *blind.files])  # every file it can fetch
    for file_id in map(int, links):
        response = client.get(f"/minh-chung/{file_id}")
        assert response.status_code == 200
        if file_id == blind.evidence.id:
            continue
        kind, _ = blind.files[file_id]
        assert f'minh-chung-' in response.headers["Content-Disposition"]
        found = metadata_of(response.data, kind)
        for secret in SECRETS:
            assert secret not in found, (kind, secret)
        assert AUTHOR.encode() not in response.data and COMPANY.encode() not in response.data, kind
    # Still documents their reader opens.
    by_kind = {kind: client.get(f"/minh-chung/{file_id}").data for file_id, (kind, _) in blind.files.items()}
    assert "Báo cáo kết quả" in [p.text for p in Document(io.BytesIO(by_kind["docx"])).paragraphs]
    assert openpyxl.load_workbook(io.BytesIO(by_kind["xlsx"])).active["A1"].value == "Số liệu"
    assert len(PdfReader(io.BytesIO(by_kind["pdf"])).pages) == 1
    for kind in ("jpg", "png"):
        with Image.open(io.BytesIO(by_kind[kind])) as image:
            assert image.size == (40, 30)


def test_the_unit_and_the_office_download_the_original_as_uploaded(client, blind):
    for user in (blind.world.secretariat, blind.world.head):
        client.login(user)
        for file_id, (kind, data) in blind.files.items():
            assert client.get(f"/minh-chung/{file_id}").data == data, (user.username, kind)
        client.logout()


def test_without_blind_review_the_reviewer_gets_the_original(client, blind):
    blind.world.campaign.blind_review = False
    db.session.commit()
    client.login(blind.world.reviewer)
    for file_id, (kind, data) in blind.files.items():
        assert client.get(f"/minh-chung/{file_id}").data == data, kind


def test_in_blind_lists_initiatives_with_the_same_title_are_told_apart_by_a_neutral_code(client, world):
    from thidua.review.models import Assignment

    from tests import factories
    from tests.factories import State

    setup = scoring_world.build(world, blind=True)
    twin = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.UNDER_REVIEW,
                                title=setup.initiative.title)
    db.session.add(Assignment(campaign_id=world.campaign.id, initiative_id=twin.id, reviewer_id=world.reviewer.id,
                              method="manual"))
    db.session.commit()
    client.login(world.reviewer)
    page = client.get("/hoi-dong").get_data(as_text=True)
    codes = re.findall(r'<span class="code" data-code>(SK-[0-9A-F]{6})</span>', page)
    assert len(codes) == 2 and len(set(codes)) == 2
    assert page.count(setup.initiative.title) >= 2
    assert not any(str(i) in code for code in codes for i in (setup.initiative.id, twin.id) if i > 9)
    # The same code on the scoring page, and for another reviewer of the same initiative.
    score = client.get(f"/hoi-dong/phieu-cham/{setup.assignments[0].id}").get_data(as_text=True)
    first_code = re.search(r"<strong data-code>(SK-[0-9A-F]{6})</strong>", score).group(1)
    assert first_code in codes
    client.logout()
    client.login(setup.reviewers[1])
    other = client.get(f"/hoi-dong/phieu-cham/{setup.assignments[1].id}").get_data(as_text=True)
    assert f"<strong data-code>{first_code}</strong>" in other
