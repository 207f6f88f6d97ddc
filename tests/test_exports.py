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
    assert sheet["C6"].number_format == "yyyy-mm-dd" and sheet["C7"].number_format == "yyyy-mm-dd h:mm:ss"


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
    assert round(sheet.column_dimensions["B"].width) == 41  # 40 characters as Excel shows them


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
