"""The award list as a Word document laid out after Nghị định 30/2020/NĐ-CP (Phụ lục I).

A4, margins top/bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 13 pt (the East Asian and
complex-script font names set too, so that Vietnamese is not shown in a fallback font). The
header and the closing are borderless two-column tables; the page is landscape A4 so the list fits.
"""
from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from thidua.awards.services import format_score, grouped

FONT = "Times New Roman"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADERS = ["STT", "Tập thể/Họ và tên", "Chức vụ", "Đơn vị", "Tên sáng kiến", "Lĩnh vực CCHC",
           "Tóm tắt kết quả", "Điểm Hội đồng", "Hình thức đề nghị", "Ghi chú"]
WIDTHS_MM = [13, 38, 22, 32, 42, 28, 46, 15, 30, 22]  # scaled to the landscape text width
SUMMARY_LIMIT = 300


def _fonts(rpr_parent) -> None:
    """Name Times New Roman for every script on a run or a style (w:rFonts ascii/hAnsi/eastAsia/cs)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _run(paragraph, text: str, *, bold=False, italic=False, size: float | None = None):
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    run.font.name = FONT
    if size:
        run.font.size = Pt(size)
    _fonts(run._r)
    return run


def _paragraph(container, text: str = "", *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER,
               after: float = 0):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    if text:
        _run(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def _cell_text(cell, text: str, *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER):
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


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


def _grid(table, widths_mm) -> None:
    """Fix the column widths (Word and LibreOffice read the grid, not only the cells)."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        column.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def place_and_date(place: str, day: date) -> str:
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def build_document(*, campaign, award_list, summaries: dict[int, str], parent_body: str, organisation: str,
                   place: str, today: date, signer_title: str = "GIÁM ĐỐC") -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    _fonts(normal.element)

    # One landscape A4 section: the heading and the ten-column list on the same page, as offices
    # lay out a danh sách; the margins are Nghị định 30's.
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    # Header: two borderless columns.
    header = document.add_table(rows=1, cols=2)
    _borderless(header)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    _grid(header, [100, 152])
    left, right = header.rows[0].cells
    _cell_text(left, parent_body.upper(), size=13)
    _paragraph(left, organisation.upper(), bold=True, size=13)
    _paragraph(left, "———————", size=13)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    _paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    _paragraph(right, "———————————", size=13)
    _paragraph(right, place_and_date(place, today), italic=True, size=13)

    _paragraph(document, "", after=6)
    _paragraph(document, "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", bold=True, size=14)
    _paragraph(document, f"Sáng kiến, mô hình cải cách hành chính trong phong trào “{campaign.name}”", bold=True,
               size=13)
    if award_list is not None and award_list.decision_number:
        _paragraph(document, f"(Kèm theo Quyết định số {award_list.decision_number} ngày "
                             f"{award_list.decision_date:%d/%m/%Y})", italic=True, size=13)
    _paragraph(document, "", after=6)

    text_width = 297 - 30 - 15
    scale = text_width / sum(WIDTHS_MM)

    entries = list(award_list.entries) if award_list is not None else []
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, width in zip(table.rows[0].cells, HEADERS, WIDTHS_MM):
        cell.width = Mm(width * scale)
        _cell_text(cell, text, bold=True, size=11)
    _repeat_header(table.rows[0])
    _grid(table, [w * scale for w in WIDTHS_MM])
    groups = grouped(entries)
    for kind, title, items in groups:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        _cell_text(merged, title, bold=True, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
        for number, entry in enumerate(items, start=1):
            initiative = entry.initiative
            summary = (summaries.get(initiative.id) or "").strip()
            if len(summary) > SUMMARY_LIMIT:
                summary = summary[:SUMMARY_LIMIT].rstrip() + "…"
            values = [str(number), entry.recipient_name, entry.recipient_title, initiative.unit.name,
                      initiative.title, initiative.area_label, summary, format_score(entry.score),
                      entry.level.name if entry.level else "", entry.note]
            cells = table.add_row().cells
            for index, (cell, value, width) in enumerate(zip(cells, values, WIDTHS_MM)):
                cell.width = Mm(width * scale)
                align = WD_ALIGN_PARAGRAPH.CENTER if index in (0, 7) else WD_ALIGN_PARAGRAPH.LEFT
                _cell_text(cell, value or "", size=11, align=align)
    if not groups:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        _cell_text(merged, "Chưa có sáng kiến nào trong danh sách.", italic=True, size=11)
    tap_the = sum(1 for e in entries if e.recipient_type == "tap_the")
    _paragraph(document, f"Danh sách có {tap_the} tập thể và {len(entries) - tap_the} cá nhân.", italic=True,
               size=12, align=WD_ALIGN_PARAGRAPH.LEFT, after=6).paragraph_format.space_before = Pt(6)

    # Closing: recipients on the left, the signature on the right.
    closing = document.add_table(rows=1, cols=2)
    _borderless(closing)
    _grid(closing, [130, 132])
    left, right = closing.rows[0].cells
    _cell_text(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in ("- Như trên;", "- Giám đốc Sở (để báo cáo);", "- Các đơn vị có tên trong danh sách;",
                 "- Lưu: VT, VP."):
        _paragraph(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_text(right, signer_title, bold=True, size=13)
    _paragraph(right, "(Ký, ghi rõ họ tên và đóng dấu)", italic=True, size=12)
    for _ in range(3):
        _paragraph(right, "")
    signer = ""
    if award_list is not None:
        signer = award_list.decision_by or (award_list.approved_by.full_name if award_list.approved_by else "")
    _paragraph(right, signer, bold=True, size=13)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
