"""Word documents laid out as Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I).

`OfficialDocument` wraps a python-docx document and knows the parts of such a document:
the two-column heading (issuing body and "Số: …" on the left, the national heading, place and
date on the right), the title, section headings with Roman numerals, justified body paragraphs
with a first-line indent, tables, the closing ("Nơi nhận:" and the signature block), page
numbers centred in the top margin from the second page, and landscape sections for annexes.

Times New Roman is named for every script (ascii, hAnsi, eastAsia, cs), so that Word and
LibreOffice never fall back to another font for Vietnamese letters. Large tables are filled
by copying a prepared row element, which is some fifty times faster than python-docx's
cell-by-cell API at ten thousand rows.
"""
from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from thidua.markup import markdown_to_html

FONT = "Times New Roman"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]

# Page geometry in millimetres: A4, margins top/bottom 20, left 30, right 15.
A4 = (210, 297)
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}


def place_and_date(place: str, day: date) -> str:
    """"Hà Nội, ngày 05 tháng 11 năm 2023": days and months below 10 with a leading zero."""
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def roman(number: int) -> str:
    return ROMAN[number - 1] if 0 < number <= len(ROMAN) else str(number)


def set_fonts(element) -> None:
    """Name Times New Roman for every script on a run or a style (w:rFonts ascii/hAnsi/eastAsia/cs)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def add_run(paragraph, text: str, *, bold=False, italic=False, size: float | None = None):
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    run.font.name = FONT
    if size:
        run.font.size = Pt(size)
    set_fonts(run._r)
    return run


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _grid(table, widths_mm: Sequence[float]) -> None:
    """Fix the column widths (Word and LibreOffice read the grid, not only the cells)."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        column.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


# Sizing table columns from their text: Times New Roman's letters are about half an em wide on average
# (capitals and bold a little more), and Word keeps 1.9 mm of padding either side of a cell's text.
EM_MM = 25.4 / 72  # one point in millimetres
CHAR_EM = 0.52
BOLD_CHAR_EM = 0.6
CELL_PADDING_MM = 2 * 1.91 + 0.6
MEASURED_ROWS = 2_000  # the widths are read from the first rows of a long table
_NUMBER_RE = re.compile(r"^[\d.,%+\-–/ ]+$")


def _text_mm(text: str, size: float, *, bold: bool = False) -> float:
    return len(text) * size * EM_MM * (BOLD_CHAR_EM if bold else CHAR_EM)


def _unbreakable(text: str) -> list[str]:
    """The pieces of a cell's text that must stay on one line: each word, and a number or score whole."""
    text = text.strip()
    if text and _NUMBER_RE.match(text):
        return [text]
    return text.split()


def column_widths(columns: Sequence[Column], rows: Sequence[Sequence], text_width: float, size: float) -> list[float]:
    """Widths in millimetres that fill the text width, in the columns' proportions as far as the content lets:
    no column narrower than its longest word (a number whole), none wider than its longest line needs
    while another column still wraps."""
    count = len(columns)
    least = [max((_text_mm(w, size, bold=True) for w in _unbreakable(c.title)), default=0) + CELL_PADDING_MM
             for c in columns]
    need = [_text_mm(c.title, size, bold=True) + CELL_PADDING_MM for c in columns]
    for row in rows:
        for index, value in enumerate(list(row)[:count]):
            text = "" if value is None else str(value)
            for line in text.splitlines() or [""]:
                need[index] = max(need[index], _text_mm(line, size) + CELL_PADDING_MM)
                for word in _unbreakable(line):
                    least[index] = max(least[index], _text_mm(word, size) + CELL_PADDING_MM)
    need = [max(n, m) for n, m in zip(need, least)]
    weights = [c.width for c in columns]
    if sum(least) >= text_width:  # the words alone are wider than the page: keep their proportions
        return [m * text_width / sum(least) for m in least]
    widths = [min(max(w * text_width / sum(weights), m), n) for w, m, n in zip(weights, least, need)]
    for _ in range(20):
        spare = text_width - sum(widths)
        if abs(spare) < 0.01:
            break
        if spare > 0:  # give room to the columns that still wrap, else to all
            open_ = [i for i in range(count) if widths[i] < need[i] - 0.01] or list(range(count))
        else:  # take room from the columns above their least
            open_ = [i for i in range(count) if widths[i] > least[i] + 0.01]
            if not open_:
                break
        share = sum(weights[i] for i in open_)
        for i in open_:
            widths[i] += spare * weights[i] / share
            if spare < 0:
                widths[i] = max(widths[i], least[i])
            elif len(open_) < count:
                widths[i] = min(widths[i], need[i])
    return widths


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the reader computes."""
    run = paragraph.add_run()
    set_fonts(run._r)
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, shown, end):
        run._r.append(element)


@dataclass(frozen=True)
class Heading:
    """What the two-column heading says."""

    parent_body: str  # "UBND THÀNH PHỐ HÀ NỘI"
    organisation: str  # "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    place: str
    day: date
    number: str = ""  # "Số: 125/BC-SGDĐT" (the whole line), or "" for none


def issuer_heading(campaign, day: date, number: str = "") -> Heading:
    """The heading of a document the campaign's organiser issues (names from the configuration)."""
    from flask import current_app

    config = current_app.config
    place = config.get("DOCUMENT_PLACE", "Hà Nội")
    name = (campaign.organiser.name if campaign.organiser else "") or config["ORGANISATION_NAME"]
    suffix = f" {place}"
    organisation = name[: -len(suffix)] if place and name.endswith(suffix) else name
    return Heading(parent_body=config.get("PARENT_BODY", "UBND Thành phố Hà Nội"), organisation=organisation,
                   place=place, day=day, number=number)


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # millimetres, scaled to the text width
    align: WD_ALIGN_PARAGRAPH = LEFT


class OfficialDocument:
    def __init__(self, *, landscape: bool = False, body_size: float = 14):
        self.document = Document()
        self.body_size = body_size
        self._deferred: list[Iterator[str]] = []
        normal = self.document.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(body_size)
        set_fonts(normal.element)
        self._page(self.document.sections[0], landscape=landscape)

    # Layout ------------------------------------------------------------------------------
    @staticmethod
    def _page(section, *, landscape: bool) -> None:
        width, height = A4
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(height), Mm(width)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
        section.header_distance = Mm(10)

    @property
    def text_width(self) -> float:
        section = self.document.sections[-1]
        return (section.page_width - section.left_margin - section.right_margin) / Mm(1)

    def page_numbers(self) -> None:
        """Page numbers centred in the top margin, from the second page on (the first has none)."""
        for index, section in enumerate(self.document.sections):
            first = index == 0
            section.different_first_page_header_footer = first
            if first:
                section.first_page_header.is_linked_to_previous = False  # an empty header of its own
            header = section.header
            header.is_linked_to_previous = False
            paragraph = header.paragraphs[0]
            paragraph.alignment = CENTER
            _field(paragraph, "PAGE")
            for run in paragraph.runs:
                run.font.size = Pt(13)

    def new_section(self, *, landscape: bool) -> None:
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        self._page(section, landscape=landscape)

    # Paragraphs --------------------------------------------------------------------------
    def paragraph(self, text: str = "", *, container=None, bold=False, italic=False, size=None, align=CENTER,
                  before: float = 0, after: float = 0, indent: bool = False):
        paragraph = (container or self.document).add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_before = Pt(before)
        paragraph.paragraph_format.space_after = Pt(after)
        if indent:
            paragraph.paragraph_format.first_line_indent = Mm(12.7)
        if text:
            add_run(paragraph, text, bold=bold, italic=italic, size=size)
        return paragraph

    def body(self, text: str, *, bold=False, italic=False):
        """A body paragraph: justified, first-line indent, 6 pt after, spacing 1.15."""
        paragraph = self.paragraph(text, bold=bold, italic=italic, align=JUSTIFY, after=6, indent=True)
        paragraph.paragraph_format.line_spacing = 1.15
        return paragraph

    def section_heading(self, text: str):
        """"I. KẾT QUẢ THỰC HIỆN" or "1. Số đơn vị tham gia": bold, at the left margin after an indent."""
        paragraph = self.paragraph(text, bold=True, align=JUSTIFY, before=6, after=6, indent=True)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def markdown(self, text: str) -> None:
        """Markdown typed by the office, as body paragraphs (after the same sanitiser as the pages)."""
        _MarkdownWriter(self).feed(markdown_to_html(text))

    # Heading, title, closing ---------------------------------------------------------------
    def heading(self, heading: Heading) -> None:
        table = self.document.add_table(rows=1, cols=2)
        _borderless(table)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        portrait = self.text_width < 200
        left_width = 69 if portrait else 100
        _grid(table, [left_width, self.text_width - left_width])
        left, right = table.rows[0].cells
        self._cell(left, heading.parent_body.upper(), size=12 if portrait else 13)
        self.paragraph(heading.organisation.upper(), container=left, bold=True, size=12 if portrait else 13)
        self.paragraph("————————", container=left, size=10)
        if heading.number:
            self.paragraph(heading.number, container=left, size=13, before=2)
        self._cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12 if portrait else 13)
        self.paragraph("Độc lập - Tự do - Hạnh phúc", container=right, bold=True, size=13)
        self.paragraph("————————————", container=right, size=10)
        self.paragraph(place_and_date(heading.place, heading.day), container=right, italic=True, size=13, before=2)

    def title(self, kind: str, *subject: str) -> None:
        self.paragraph(kind.upper(), bold=True, size=14, before=12)
        for line in subject:
            self.paragraph(line, bold=True, size=14)
        self.paragraph("————", size=10, after=6)

    def closing(self, recipients: Iterable[str], *, signer_title: Sequence[str], signer_name: str,
                signature_note: str = "") -> None:
        table = self.document.add_table(rows=1, cols=2)
        _borderless(table)
        half = self.text_width / 2
        _grid(table, [half, half])
        left, right = table.rows[0].cells
        self._cell(left, "Nơi nhận:", bold=True, italic=True, size=12, align=LEFT)
        for line in recipients:
            self.paragraph(line, container=left, size=11, align=LEFT)
        first, *rest = list(signer_title) or [""]
        self._cell(right, first.upper(), bold=True, size=14)
        for line in rest:
            self.paragraph(line.upper(), container=right, bold=True, size=14)
        if signature_note:
            self.paragraph(signature_note, container=right, italic=True, size=12)
        for _ in range(4):
            self.paragraph("", container=right)
        self.paragraph(signer_name, container=right, bold=True, size=14)

    def _cell(self, cell, text: str, *, bold=False, italic=False, size=None, align=CENTER):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        add_run(paragraph, text, bold=bold, italic=italic, size=size)
        return paragraph

    # Tables -------------------------------------------------------------------------------
    def table(self, columns: Sequence[Column], rows: Iterable[Sequence], *, size: float = 12,
              total: Sequence | None = None, groups: bool = False):
        """A bordered table with a repeated header row; `rows` may be long and is read only when saving.

        With `groups`, a row given as a plain string is a group title spanning every column. The rows
        are written as text from row templates straight into the saved file (see `to_bytes`), so ten
        thousand rows cost the memory of their text, not of a million XML elements.
        """
        # The widths come from the text of the first rows (and the total); the rest are read when saving.
        rows = iter(rows)
        head = list(itertools.islice(rows, MEASURED_ROWS))
        measured = [r for r in head if not (groups and isinstance(r, str))] + ([total] if total is not None else [])
        widths = column_widths(columns, measured, self.text_width, size)
        rows = itertools.chain(head, rows)
        table = self.document.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, column in zip(table.rows[0].cells, columns):
            self._cell(cell, column.title, bold=True, size=size)
        _repeat_header(table.rows[0])
        _grid(table, widths)
        templates = _RowTemplates(self, table, columns, size)
        marker = len(self._deferred)
        table._tbl.append(etree.Comment(f"{_MARKER}{marker}"))
        self._deferred.append(templates.rows(rows, total=total, groups=groups))
        return table

    def to_bytes(self) -> bytes:
        """The .docx, with the deferred table rows streamed into word/document.xml."""
        buffer = io.BytesIO()
        self.document.save(buffer)
        if not self._deferred:
            return buffer.getvalue()
        output = io.BytesIO()
        with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                if item.filename != "word/document.xml":
                    target.writestr(item, source.read(item.filename))
                    continue
                info = zipfile.ZipInfo(item.filename, date_time=item.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                parts = _MARKER_RE.split(source.read(item.filename).decode("utf-8"))
                with target.open(info, "w") as stream:
                    for index, part in enumerate(parts):
                        if index % 2 == 0:
                            stream.write(part.encode("utf-8"))
                        else:
                            for row in self._deferred[int(part)]:
                                stream.write(row.encode("utf-8"))
        return output.getvalue()


_MARKER = "thidua-rows-"
_MARKER_RE = re.compile(r"<!--" + _MARKER + r"(\d+)-->")
_SLOT = "\ue000{}\ue001"
_SLOT_RE = re.compile("\ue000(\\d+)\ue001")
_NAMESPACES_RE = re.compile(r' xmlns:\w+="[^"]*"')
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


def _xml_text(value) -> str:
    text = "" if value is None else str(value)
    return escape(_NOT_XML.sub("", text)).replace("\n", _BREAK)


class _RowTemplates:
    """Rows of one table as XML text: each kind of row is built once with python-docx, then filled in."""

    def __init__(self, document: OfficialDocument, table, columns: Sequence[Column], size: float):
        self.document, self.table, self.columns, self.size = document, table, columns, size
        self.data = self._template(bold=False)
        self.total = self._template(bold=True)
        self.group = self._merged(bold=True, italic=False)
        self.note = self._merged(bold=False, italic=True)

    def _serialise(self, row) -> str:
        self.table._tbl.remove(row._tr)
        text = etree.tostring(row._tr, encoding="unicode")
        for t in ("<w:t>", "<w:t xml:space=\"preserve\">"):
            text = text.replace(t, '<w:t xml:space="preserve">')
        return _NAMESPACES_RE.sub("", text, count=0)

    def _template(self, *, bold: bool) -> str:
        row = self.table.add_row()
        _cant_split(row)
        for index, (cell, column) in enumerate(zip(row.cells, self.columns)):
            self.document._cell(cell, _SLOT.format(index), bold=bold, size=self.size, align=column.align)
        return self._serialise(row)

    def _merged(self, *, bold: bool, italic: bool) -> str:
        row = self.table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        self.document._cell(merged, _SLOT.format(0), bold=bold, italic=italic, size=self.size, align=LEFT)
        return self._serialise(row)

    @staticmethod
    def _fill(template: str, values: Sequence) -> str:
        return _SLOT_RE.sub(lambda match: _xml_text(values[int(match.group(1))])
                            if int(match.group(1)) < len(values) else "", template)

    def rows(self, rows: Iterable[Sequence], *, total: Sequence | None, groups: bool) -> Iterator[str]:
        count = 0
        for values in rows:
            if groups and isinstance(values, str):
                yield self._fill(self.group, [values])
                continue
            count += 1
            yield self._fill(self.data, values)
        if total is not None:
            yield self._fill(self.total, total)
        elif count == 0:
            yield self._fill(self.note, ["Không có số liệu."])


class _MarkdownWriter(HTMLParser):
    """Sanitised HTML (paragraphs, lists, headings, bold, italic) to body paragraphs of the document."""

    BLOCKS = {"p", "li", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th"}

    def __init__(self, document: OfficialDocument):
        super().__init__(convert_charrefs=True)
        self.out = document
        self.paragraph = None
        self.bold = 0
        self.italic = 0
        self.lists: list[list] = []  # [kind, counter]
        self.in_heading = False

    def _open(self, heading: bool = False) -> None:
        self.in_heading = heading
        if heading:
            self.paragraph = self.out.section_heading("")
        else:
            self.paragraph = self.out.body("")
        if self.lists:
            kind, counter = self.lists[-1]
            self.lists[-1][1] += 1
            add_run(self.paragraph, f"{counter + 1}. " if kind == "ol" else "- ")

    def handle_starttag(self, tag, attrs):
        if tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()
        elif tag in self.BLOCKS:
            self._open(heading=tag.startswith("h") and tag != "hr")

    def handle_endtag(self, tag):
        if tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in self.BLOCKS:
            self.paragraph = None

    def handle_data(self, data):
        if not data.strip() and self.paragraph is None:
            return
        if self.paragraph is None:
            self._open()
        if self.paragraph.runs:
            text = data.replace("\n", " ")
        else:
            text = data.lstrip().replace("\n", " ")
        add_run(self.paragraph, text, bold=self.bold > 0 or self.in_heading, italic=self.italic > 0)
