"""The spreadsheet writer every export shares: values keep their types, text never runs, the look is the
house's, and a long workbook is written row by row without leaving files behind."""
from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from thidua import exports
from thidua.exports import ExportWorkbook, write_sheet


def _write(rows, *, expected_rows=None):
    workbook = ExportWorkbook(rows=expected_rows)
    write_sheet(workbook, title="=Danh sách — Trường THPT Chu Văn An", sheet_title="Đề nghị khen thưởng",
                headers=["STT", "Tên sáng kiến", "@Tiêu chí"], widths=[6, 40, 12], rows=rows)
    return openpyxl.load_workbook(workbook.saved())


@pytest.mark.parametrize("expected_rows", [3, None], ids=["in memory", "row by row"])
def test_values_keep_their_types_and_text_never_runs(expected_rows):
    book = _write([[1, "=HYPERLINK(\"http://x\")", Decimal("85.50")],
                   [2.5, "", None],
                   [True, "-1+2", date(2024, 9, 5)],
                   [3, "Một cửa liên thông", datetime(2024, 9, 5, 8, 30)]], expected_rows=expected_rows)
    sheet = book["Đề nghị khen thưởng"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["'=Danh sách — Trường THPT Chu Văn An", None, None],
        [None, None, None],
        ["STT", "Tên sáng kiến", "'@Tiêu chí"],
        [1, "'=HYPERLINK(\"http://x\")", 85.5],
        [2.5, None, None],
        [True, "'-1+2", datetime(2024, 9, 5)],
        [3, "Một cửa liên thông", datetime(2024, 9, 5, 8, 30)],
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["C6"].number_format == "dd/mm/yyyy" and sheet["C7"].number_format == "dd/mm/yyyy hh:mm:ss"


def test_the_house_look_on_every_data_row():
    sheet = _write([[n, f"Sáng kiến {n}", n / 2] for n in range(1, 1201)], expected_rows=1200).active
    assert sheet.freeze_panes == "A4"
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 13
    header = sheet["B3"]
    assert header.font.b and header.fill.fgColor.rgb.endswith("DCE6F1") and header.alignment.wrap_text
    assert header.alignment.horizontal == "center" and header.border.left.style == "thin"
    last = sheet["B1203"]  # bordered however long the list (openpyxl left rows past 500 plain)
    assert last.value == "Sáng kiến 1200"
    assert last.border.bottom.style == "thin" and last.border.bottom.color.rgb.endswith("888888")
    assert last.alignment.wrap_text and last.alignment.vertical == "top"
    # As wide as its longest text ("Sáng kiến 1200") and a little room, below the 40 the caller allows.
    assert round(sheet.column_dimensions["B"].width) == 17


def test_a_column_is_as_wide_as_its_content_up_to_its_cap_and_no_word_breaks():
    widths = exports.content_widths(["STT", "Điểm Hội đồng", "Tên"], [
        ["I. Tập thể", "", ""],  # a section title does not widen the STT column
        [1, 95.5, "Một cửa liên thông " * 10],
        [12, 88.25, "Siêuđặcbiệtdàikhôngcắtđược"],
    ], [6, 8, 40])
    assert widths[0] == 5  # "STT" and the numbers 1 and 12, and a little room
    assert widths[1] == len("88.25") + 2  # the header wraps between its words, none is cut
    assert widths[2] == 42  # the long text wraps at its cap


@pytest.mark.parametrize("expected_rows", [3, None], ids=["in memory", "row by row"])
def test_every_sheet_is_ready_to_print(expected_rows):
    sheet = _write([[1, "Một cửa liên thông", 3]], expected_rows=expected_rows).active
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "portrait"  # narrow enough
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0  # one page wide (1 is the default)
    assert sheet.print_title_rows.replace("$", "") == "1:3"  # title, blank and header rows on every page
    assert sheet.freeze_panes == "A4"
    assert "Trang &P/&N" in sheet.oddFooter.center.text
    assert sheet.page_margins.left == 0.6
    assert "A1:C1" in {str(r) for r in sheet.merged_cells.ranges}  # the title prints within the columns


def test_a_wide_sheet_prints_landscape():
    workbook = ExportWorkbook(rows=1)
    write_sheet(workbook, title="t", headers=[f"Cột {n}" for n in range(10)], rows=[["x" * 30] * 10])
    sheet = openpyxl.load_workbook(workbook.saved()).active
    assert sheet.page_setup.orientation == "landscape"


def test_a_long_workbook_leaves_no_temporary_files(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(exports, "IN_MEMORY_ROWS", 10)
    sheet = _write(([n, "x" * 50, n] for n in range(100)), expected_rows=100).active
    assert sheet.max_row == 103 and sheet["A103"].value == 99
    assert os.listdir(tmp_path) == []


def test_an_unknown_type_is_refused_not_written_as_text():
    workbook = ExportWorkbook(rows=1)
    with pytest.raises(TypeError):
        write_sheet(workbook, title="t", headers=["a"], rows=[[object()]])
    workbook.saved()
