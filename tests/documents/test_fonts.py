"""Every document the product offers for download prints in its own typeface, Vietnamese letters included.

The downloads are found the way a person finds them, by following the links of the demo's pages
as the secretariat, so a new export is checked as soon as a page links to it; and every route of
the URL map that answers with a .docx or .xlsx file must be among them, so none is left out.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from lxml import etree

from thidua import demo
from thidua.campaigns.models import Campaign
from thidua.extensions import db

from tests.crawl import crawl
from tests.documents.layout import word_problems, workbook_problems
from tests.documents.rendering import TWINS, embedded_fonts, needs_libreoffice, page_texts, render_pdfs

DOCUMENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SHEET_FONT = re.compile(r'<(?:x:)?name val="([^"]+)"|<a:latin typeface="([^"]+)"')


def _run_fonts(element) -> set[str]:
    return {value for fonts in element.iter(f"{W}rFonts")
            for attribute in ("ascii", "hAnsi", "cs", "eastAsia") if (value := fonts.get(f"{W}{attribute}"))}


def _word_fonts(archive: zipfile.ZipFile) -> set[str]:
    """Fonts of the runs, headers and footers, of the defaults and of the styles those use (with
    what they are based on); the template's unused styles (Macro Text in Courier) are left out."""
    names = archive.namelist()
    parts = [etree.fromstring(archive.read(n)) for n in names if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
    fonts = set().union(*(_run_fonts(part) for part in parts))
    styles = etree.fromstring(archive.read("word/styles.xml"))
    defaults = styles.find(f"{W}docDefaults")
    fonts |= _run_fonts(defaults) if defaults is not None else set()
    by_id = {style.get(f"{W}styleId"): style for style in styles.iter(f"{W}style")}
    wanted = {style.get(f"{W}styleId") for style in by_id.values() if style.get(f"{W}default") == "1"}
    wanted |= {ref.get(f"{W}val") for part in parts for tag in ("pStyle", "rStyle", "tblStyle")
               for ref in part.iter(f"{W}{tag}")}
    done: set[str] = set()
    while wanted - done:
        style_id = (wanted - done).pop()
        done.add(style_id)
        style = by_id.get(style_id)
        if style is None:
            continue
        fonts |= _run_fonts(style)
        for link in ("basedOn", "link"):
            if (ref := style.find(f"{W}{link}")) is not None:
                wanted.add(ref.get(f"{W}val"))
    return fonts


def fonts_named_in(document: Path) -> set[str]:
    """The typefaces the file asks for: Word's runs and the styles in use; a workbook's cell
    styles and chart text."""
    with zipfile.ZipFile(document) as archive:
        if "word/document.xml" in archive.namelist():
            return _word_fonts(archive)
        parts = [n for n in archive.namelist() if n == "xl/styles.xml" or n.startswith("xl/charts/")]
        xml = "".join(archive.read(n).decode("utf-8") for n in parts)
        return {cell or chart for cell, chart in SHEET_FONT.findall(xml)}


def _downloads(client, start_pages: list[str], depth: int = 3) -> dict[str, tuple[str, bytes]]:
    """Every Word or Excel file within `depth` links of the start pages: endpoint → (docx|xlsx, content)."""
    return {endpoint: (DOCUMENT_TYPES[response.mimetype], response.data)
            for _, endpoint, response in crawl(client, start_pages, depth) if response.mimetype in DOCUMENT_TYPES}


def _document_routes(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.endswith((".docx", ".xlsx"))}


@needs_libreoffice
def test_every_downloadable_document_prints_in_its_own_typefaces_one_page_wide_with_its_header_on_each_page(
        cli, client, tmp_path):
    assert cli("demo", "load").exit_code == 0
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
    client.login(SimpleNamespace(username="vanphong"), password=demo.PASSWORD)
    assert client.post(f"/phong-trao/{campaign.id}/bao-cao-ubnd/tao").status_code == 302  # the report to UBND

    found = _downloads(client, ["/", f"/phong-trao/{campaign.id}", f"/phong-trao/{campaign.id}/bao-cao-ubnd", "/tong-ket"])
    assert _document_routes(client.app) <= set(found), "a document route no page links to"

    sources = []
    for endpoint, (kind, content) in found.items():
        path = tmp_path / f"{endpoint.replace('.', '-')}.{kind}"
        path.write_bytes(content)
        sources.append(path)
    pdfs = render_pdfs(sources, tmp_path / "pdf")

    wrong = {}
    for source, pdf in pdfs.items():
        named = fonts_named_in(source)
        untwinned = named - set(TWINS)
        assert not untwinned, f"{source.name} names {untwinned}: add its metric twin to TWINS and scripts/test.sh"
        allowed = {TWINS[font] for font in named}
        embedded = embedded_fonts(pdf)
        if not embedded or embedded - allowed:
            wrong[source.name] = (sorted(embedded), sorted(allowed))
    assert not wrong, f"fonts other than the document's own (embedded, allowed): {wrong}"

    # As printed: every page of a workbook one page wide and headed by its header row, in no more pages than
    # its rows need; every Word table that runs onto another page repeats its header row there.
    layout = {}
    for source, pdf in pdfs.items():
        content = source.read_bytes()
        found = workbook_problems(content, page_texts(pdf)) if source.suffix == ".xlsx" else word_problems(content)
        if found:
            layout[source.name] = found[:4]
    assert not layout, "\n".join(f"{name}: {found}" for name, found in layout.items())

