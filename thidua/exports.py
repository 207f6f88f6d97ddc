"""Spreadsheet exports the office files as they are.

Written with XlsxWriter. A format is made once per workbook and a bordered cell costs little more
than a plain one (about a sixth; openpyxl took fifteen times as long), so every data cell keeps its
borders however long the list. Text cannot become a formula: every str is written with
write_string into a workbook told never to turn text into a formula, a link or a number, and
safe_cell_value also puts an apostrophe before text a spreadsheet would run, so the cell stays
harmless when someone copies it or saves the sheet as CSV.
"""
from __future__ import annotations

import textwrap

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from flask import send_file

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SPOOL_BYTES = 8 * 1024 * 1024  # a saved workbook stays in memory up to this size, then goes to disk

# A workbook of at most this many rows is kept in memory until it is saved, which writes it in two
# thirds of the time (the award list's 2,600 lines: 0.19 s instead of 0.27 s, for 11 MiB); a longer
# one, or one whose length the caller cannot tell, goes to a temporary file row by row (XlsxWriter's
# constant_memory mode), so memory stays flat: 100,000 rows of 9 columns take 9 MiB that way and
# 186 MiB in memory. See bench/README.md.
IN_MEMORY_ROWS = 5_000
_TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
_BORDER = {"border": 1, "border_color": "#888888"}
_FONT = {"font_name": "Times New Roman", "font_size": 11}

# Printing: A4 (XlsxWriter's paper 9), one page wide however many pages long, the title and header rows
# on every page, the page number in the footer. A sheet wider than this many characters (Excel's column
# width unit) is printed landscape: about what a portrait A4 holds at 100% between these margins.
A4_PAPER = 9
PORTRAIT_CHARACTERS = 100
MARGINS = {"left": 0.6, "right": 0.4, "top": 0.6, "bottom": 0.6}  # inches
FOOTER = '&C&"Times New Roman"&10Trang &P/&N'
MAX_WIDTH = 60  # a column is never wider than this unless the caller says so; longer text wraps
MIN_WIDTH = 5


def safe_cell_value(value):
    """Text a spreadsheet would run as a formula is written as text (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class ExportWorkbook(xlsxwriter.Workbook):
    """A workbook written into a spooled temporary file, with the house formats.

    rows: how many rows its sheets will hold together, if the caller knows; None means "maybe many".
    """

    def __init__(self, *, rows: int | None = None):
        self.buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self._scratch = None
        if rows is not None and rows <= IN_MEMORY_ROWS:
            options = {**_TEXT_ONLY, "in_memory": True}
        else:
            # A folder of our own for the rows on disk: removed when the workbook is saved, and by the
            # collector if an error stops the export half way.
            self._scratch = tempfile.TemporaryDirectory(prefix="thidua-xlsx-")
            options = {**_TEXT_ONLY, "constant_memory": True, "tmpdir": self._scratch.name}
        super().__init__(self.buffer, options)
        self.heading_format = self.add_format({**_FONT, "bold": True, "font_size": 13, "text_wrap": True,
                                               "valign": "top"})
        self.header_format = self.add_format({**_FONT, "bold": True, "bg_color": "#DCE6F1", "pattern": 1, **_BORDER,
                                              "text_wrap": True, "align": "center", "valign": "vcenter"})
        self.cell_format = self.add_format({**_FONT, **_BORDER, "text_wrap": True, "valign": "top"})
        # Dates are date numbers shown the Vietnamese way, day first.
        self.date_format = self.add_format({**_FONT, **_BORDER, "text_wrap": True, "valign": "top",
                                            "num_format": "dd/mm/yyyy"})
        self.datetime_format = self.add_format({**_FONT, **_BORDER, "text_wrap": True, "valign": "top",
                                                "num_format": "dd/mm/yyyy hh:mm:ss"})
        self.in_memory = self._scratch is None

    def saved(self):
        """Close the workbook; its file, positioned at the start (spooled to disk past SPOOL_BYTES)."""
        self.close()
        if self._scratch is not None:
            self._scratch.cleanup()
        self.buffer.seek(0)
        return self.buffer


def _write_text(sheet, row: int, col: int, value: str, cell_format=None) -> None:
    if value:
        sheet.write_string(row, col, safe_cell_value(value), cell_format)
    else:
        sheet.write_blank(row, col, None, cell_format)  # an empty string is an empty cell, as it always was


def _write_other(workbook: ExportWorkbook, sheet, row: int, col: int, value) -> None:
    if isinstance(value, str):
        _write_text(sheet, row, col, value, workbook.cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, workbook.cell_format)
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value, workbook.cell_format)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value, workbook.datetime_format)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, workbook.date_format)
    else:
        raise TypeError(f"Cannot write {type(value).__name__} to a spreadsheet cell")


def _shown_width(value) -> tuple[int, int]:
    """(longest line, longest word) of a value as a cell shows it, in characters."""
    if value is None:
        return 0, 0
    if isinstance(value, str):
        lines = value.split("\n")
        words = value.split()
        return max(len(line) for line in lines), max((len(word) for word in words), default=0)
    if isinstance(value, bool):
        return 5, 5
    if isinstance(value, datetime):
        return 19, 19
    if isinstance(value, date):
        return 10, 10
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    return len(text), len(text)  # a number is one word: never narrower than it


def content_widths(headers: Sequence[str], rows: Sequence[Sequence], caps: Sequence[int] | None) -> list[int]:
    """Each column as wide as its content needs, up to its cap: no word is broken, a long text wraps.

    A row whose only value is in the first column (a section title such as "I. Tập thể") does not widen it.
    """
    count = len(headers)
    widths = [0] * count
    floors = [max((len(word) for word in (header or "").split()), default=0) for header in headers]
    for row in rows:
        if len(row) > 1 and all(v in (None, "") for v in row[1:]):
            continue
        for col, value in enumerate(row[:count]):
            line, word = _shown_width(value)
            widths[col] = max(widths[col], line)
            floors[col] = max(floors[col], word)
    result = []
    for col in range(count):
        cap = caps[col] if caps and col < len(caps) else MAX_WIDTH
        width = max(min(widths[col], cap), min(floors[col], max(cap, MAX_WIDTH)), MIN_WIDTH - 2)
        result.append(width + 2)  # a little room either side of the text
    return result


def set_print_layout(sheet, *, widths: Sequence[float], header_row: int, title_row: int | None = 0) -> None:
    """A4, landscape when the columns are wider than a portrait page, one page wide, the title and header
    rows on every printed page, the page number in the footer."""
    sheet.set_paper(A4_PAPER)
    if sum(widths) > PORTRAIT_CHARACTERS:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(**MARGINS)
    sheet.set_footer(FOOTER)
    sheet.repeat_rows(title_row if title_row is not None else header_row, header_row)
    sheet.center_horizontally()


def write_sheet(workbook: ExportWorkbook, *, title: str, headers: Sequence[str], rows: Iterable[Sequence],
                widths: Sequence[int] | None = None, sheet_title: str | None = None):
    """A sheet: its title in bold, a blank row, the header, then the rows, bordered; the top three rows frozen.

    Ready to print (set_print_layout). widths are each column's most, in characters: in a workbook kept in
    memory the columns are as wide as their content up to them; written row by row, they are the widths.
    """
    sheet = workbook.add_worksheet((sheet_title or "Danh sách")[:31])
    sheet.freeze_panes(3, 0)  # the heading, a blank row and the header stay in view
    if workbook.in_memory:
        rows = rows if isinstance(rows, list) else list(rows)
        column_widths = content_widths(headers, rows, widths)
    else:
        column_widths = [widths[i] if widths and i < len(widths) else 20 for i in range(len(headers))]
    for index, width in enumerate(column_widths):
        sheet.set_column(index, index, width)
    set_print_layout(sheet, widths=column_widths, header_row=2)
    total = max(sum(column_widths), 1)
    if len(headers) > 1:
        # The title spans the columns and wraps inside them, so that it prints on the page.
        lines = max(1, -(-int(len(title) * 1.3) // int(total)))
        sheet.set_row(0, 18 * lines)
        sheet.merge_range(0, 0, 0, len(headers) - 1, "", workbook.heading_format)
    _write_text(sheet, 0, 0, title, workbook.heading_format)
    # A wrapped header needs its row tall enough for its lines: LibreOffice does not grow it by itself.
    header_lines = max((len(textwrap.wrap(text or "", max(1, int(width) - 1)) or [""])
                        for text, width in zip(headers, column_widths)), default=1)
    sheet.set_row(2, 15 * header_lines)
    for col, text in enumerate(headers):
        _write_text(sheet, 2, col, text, workbook.header_format)  # headers carry names typed by people (criteria)
    cell = workbook.cell_format
    write_number, write_blank = sheet.write_number, sheet.write_blank
    for row_index, row in enumerate(rows, start=3):
        for col, value in enumerate(row):
            kind = value.__class__
            if kind is str:
                _write_text(sheet, row_index, col, value, cell)
            elif value is None:
                write_blank(row_index, col, None, cell)
            elif kind is int or kind is float:
                write_number(row_index, col, value, cell)
            else:
                _write_other(workbook, sheet, row_index, col, value)
    return sheet


def workbook_response(workbook: ExportWorkbook, filename: str):
    """Send a finished workbook as a download."""
    return send_file(workbook.saved(), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)


def csv_response(filename: str, *, headers: Sequence[str], rows: Iterable[Sequence], chunk: int = 64 * 1024):
    """A CSV download streamed as its rows come: UTF-8 with a BOM (so Excel reads Vietnamese as such),
    comma-separated, text a spreadsheet would run neutralised as in the workbooks (safe_cell_value).

    The rows are read while the body is sent (stream_with_context keeps the request and its database
    session open until the last one), a chunk of about `chunk` characters at a time.
    """
    import csv
    import io

    from flask import Response, stream_with_context

    def body():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if value is None else safe_cell_value(value) for value in row])
            if buffer.tell() >= chunk:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    response = Response(stream_with_context(body()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, *, expected_rows: int | None = None, **sheet):
    """One sheet, written row by row and sent as a download (expected_rows: as ExportWorkbook's rows)."""
    workbook = ExportWorkbook(rows=expected_rows)
    write_sheet(workbook, **sheet)
    return workbook_response(workbook, filename)
