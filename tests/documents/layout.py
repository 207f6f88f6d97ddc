"""What a person checks on a printed document: every page one page wide, with its table's header row."""
from __future__ import annotations

import io
import math
import re
import zipfile

from docx import Document
from openpyxl import load_workbook

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ROWS_PER_PAGE = 22  # fewer than fit on any A4 page of ours, wrapped cells included


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def sheet_headers(content: bytes) -> list[tuple[str, list[str], int]]:
    """(sheet, the texts of its repeated header row, its number of rows) of every sheet that repeats one."""
    workbook = load_workbook(io.BytesIO(content))
    found = []
    for sheet in workbook.worksheets:
        titles = sheet.print_title_rows  # "1:3" — the title rows and, last, the header row
        if not titles:
            continue
        last = int(titles.split(":")[-1].lstrip("$"))
        cells = [str(cell.value) for cell in sheet[last] if cell.value not in (None, "")]
        found.append((sheet.title, cells, sheet.max_row))
    return found


def workbook_problems(content: bytes, pages: list[str]) -> list[str]:
    """Pages that lack a whole header row (cut across the width, or printed without titles), and a page
    count beyond what the rows need."""
    headers = sheet_headers(content)
    if not headers:
        return ["no sheet repeats its header row when printed"]
    problems = []
    for number, page in enumerate(pages, start=1):
        words = _words(page)
        if not words:
            continue
        if not any(all(_words(cell) <= words for cell in cells) for _, cells, _ in headers):
            problems.append(f"page {number} does not carry a whole header row: {' '.join(page.split())[:120]}")
    most = sum(math.ceil(rows / ROWS_PER_PAGE) for _, _, rows in headers) + len(headers)
    if len([p for p in pages if p.strip()]) > most:
        problems.append(f"{len(pages)} pages for rows that fit on {most}")
    return problems


def word_problems(content: bytes) -> list[str]:
    """Tables whose header row is not repeated on the next page."""
    document = Document(io.BytesIO(content))
    problems = []
    for number, table in enumerate(document.tables, start=1):
        if len(table.rows) < 3:
            continue  # the national heading and the signature are layout tables of a row or two
        first = table.rows[0]._tr
        properties = first.find(f"{W}trPr")
        if properties is None or properties.find(f"{W}tblHeader") is None:
            texts = " | ".join(cell.text for cell in table.rows[0].cells)[:80]
            problems.append(f"table {number} ({texts}) does not repeat its header row on each page")
    return problems


def is_workbook(content: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "xl/workbook.xml" in archive.namelist()
