"""Reading Google Forms exports: encoding, timestamps, checkbox answers, titles, column guesses."""
from datetime import date, datetime

import pytest

from thidua.imports import parsing
from thidua.imports.parsing import ImportFileError


def test_timestamps_are_day_first_in_the_form_zone_and_stored_as_utc():
    moment = parsing.parse_moment("20/08/2023 14:03:11", day_first=True, tz="Asia/Ho_Chi_Minh")
    assert moment == datetime(2023, 8, 20, 7, 3, 11)
    assert parsing.parse_moment("8/20/2023 14:03:11", day_first=False, tz="Asia/Ho_Chi_Minh") == moment
    assert parsing.parse_moment("20/08/2023", day_first=True, tz="Asia/Ho_Chi_Minh") is None
    assert parsing.parse_moment("31/02/2023 10:00:00", day_first=True, tz="Asia/Ho_Chi_Minh") is None


def test_the_day_order_is_guessed_from_values_that_allow_only_one():
    assert parsing.guess_day_first(["01/02/2023 10:00:00", "20/08/2023 14:03:11"]) is True
    assert parsing.guess_day_first(["8/20/2023 14:03:11"]) is False
    assert parsing.guess_day_first(["01/02/2023 10:00:00"]) is True  # Vietnamese by default


def test_dates_of_answers():
    assert parsing.parse_day("17/09/2023") == date(2023, 9, 17)
    assert parsing.parse_day("2023-09-17") == date(2023, 9, 17)
    assert parsing.parse_day("giữa tháng 9") is None


@pytest.mark.parametrize(("answer", "codes", "unknown"), [
    ("Cải cách tài chính công, Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
     ["tai_chinh_cong", "chinh_quyen_so"], []),
    ("Xây dựng và phát triển Chính quyền điện tử, Chính quyền số, Đề án 06", ["chinh_quyen_so", "de_an_06"], []),
    ("Cải cách thể chế, Cải cách thủ tục hành chính", ["the_che", "tthc"], []),
    ("Đề án 06, Khác", ["de_an_06", "khac"], []),
    ("Cải cách thủ tục hành chính, Số hóa hồ sơ, học bạ", ["tthc"], ["Số hóa hồ sơ", "học bạ"]),
    ("", [], []),
])
def test_checkbox_areas_are_read_option_by_option(answer, codes, unknown):
    assert parsing.split_areas(answer) == (codes, unknown)


def test_titles_compare_without_case_quotes_period_or_a_kind_in_front():
    registered = 'Mô hình "Cuộc họp không giấy" tại nhà trường'
    for typed in ('MÔ HÌNH "CUỘC HỌP KHÔNG GIẤY" TẠI NHÀ TRƯỜNG', 'Mô hình "Cuộc họp không giấy" tại nhà trường.',
                  '“Mô hình "Cuộc họp không giấy" tại nhà trường”'):
        assert parsing.title_key(typed) == parsing.title_key(registered)
    assert parsing.title_key("Giải pháp: Số hóa hồ sơ") == parsing.title_key("Số hóa hồ sơ")


def test_columns_are_guessed_from_the_vietnamese_questions():
    headers = ["Dấu thời gian", "Địa chỉ email", "Khối", "Tên đơn vị", "Họ và tên người báo cáo", "Chức vụ",
               "Số điện thoại", "Tên mô hình, giải pháp, sáng kiến đã đăng ký", "Kết quả đạt được",
               "Số liệu trước khi áp dụng", "Số liệu sau khi áp dụng", "Hiệu quả", "Khả năng nhân rộng",
               "Tự đánh giá mức độ hoàn thành", "Minh chứng (đường link)", "Ghi chú riêng"]
    assert parsing.guess_kind(headers) == parsing.REPORT
    assert parsing.guess_mapping(headers, parsing.REPORT) == [
        "timestamp", "email", "block", "unit", "contact_name", "contact_position", "contact_phone", "title",
        "achievements", "before", "after", "effect", "replication", "self_assessment", "evidence", "",
    ]


def test_a_required_field_without_a_column_is_named():
    headers = ["Dấu thời gian", "Tên mô hình, giải pháp, sáng kiến"]
    problems = parsing.mapping_problems(parsing.guess_mapping(headers, "registration"), headers, "registration")
    assert problems == ["Thiếu cột bắt buộc: “Tên đơn vị”, “Loại”, “Lĩnh vực CCHC”. Hãy chọn cột tương ứng trong bảng ghép cột, "
                        "hoặc kiểm tra lại tệp."]


def test_utf8_with_a_bom_and_quoted_line_breaks_are_read():
    data = ('\ufeff"Dấu thời gian","Tên đơn vị","Tên mô hình"\r\n'
            '"20/08/2023 14:03:11","THPT Kim Liên","Dòng 1\r\ndòng 2, có ""ngoặc"""\r\n\r\n').encode("utf-8")
    sheet = parsing.read_sheet(data)
    assert sheet.headers == ["Dấu thời gian", "Tên đơn vị", "Tên mô hình"]
    assert [row.cells for row in sheet.rows] == [["20/08/2023 14:03:11", "THPT Kim Liên", 'Dòng 1\r\ndòng 2, có "ngoặc"']]


def test_a_legacy_encoding_is_refused_not_guessed():
    data = '"Dấu thời gian","Tên đơn vị"\r\n"20/08/2023 14:03:11","Trường THPT Chu Văn An"\r\n'.encode("cp1258",
                                                                                                  errors="replace")
    with pytest.raises(ImportFileError, match="không dùng bảng mã UTF-8"):
        parsing.read_sheet(data)


def test_evidence_links_one_per_line_with_their_scheme():
    assert parsing.evidence_lines("https://a.example/x ; drive.google.com/drive/folders/1\nhttps://b") == (
        "https://a.example/x\nhttps://drive.google.com/drive/folders/1\nhttps://b"
    )
