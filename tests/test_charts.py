"""Bar charts as drawn: their text inside the viewBox and apart, long names wrapped or abbreviated with
the full name kept for hover, values above their bars and never on the category labels."""
from __future__ import annotations

import pytest
from flask import render_template_string

from tests.svg import drawing
from thidua.charts import BarChart, nice_max, nice_step

AREAS = ["Cải cách thể chế", "Cải cách thủ tục hành chính", "Cải cách tổ chức bộ máy hành chính",
         "Cải cách chế độ công vụ", "Cải cách tài chính công",
         "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số", "Đề án 06"]
BLOCKS = ["Khối các phòng thuộc Sở", "Khối trực thuộc", "Khối Phòng GD&ĐT",
          "Khối các trường Trung học phổ thông công lập và ngoài công lập"]
BANDS = ["0–10", "10–20", "20–30", "30–40", "40–50", "50–60", "60–70", "70–80", "80–90", "90–100"]

CHARTS = {
    "areas": lambda: BarChart.of("Theo lĩnh vực", AREAS, {"Số sáng kiến": [7, 25, 2, 9, 4, 17, 2]},
                                 height=330, label_width=14),
    "areas at the top": lambda: BarChart.of("Theo lĩnh vực", AREAS, {"Số sáng kiến": [40, 40, 0, 40, 1, 39, 40]},
                                            height=330, label_width=14),
    "rates": lambda: BarChart.of("Tỷ lệ", BLOCKS, {"Đăng ký": [100, 42.8, 0, 99.9], "Báo cáo": [100, 0, 100, 50.5]},
                                 maximum=100, decimals=1, suffix="%", label_width=18),
    "many blocks": lambda: BarChart.of("Tỷ lệ", [f"{b} {i}" for i in range(3) for b in BLOCKS],
                                       {"Đăng ký": [100.0] * 12, "Báo cáo": [88.8] * 12},
                                       maximum=100, decimals=1, suffix="%"),
    "bands": lambda: BarChart.of("Phân bố", BANDS, {"Số sáng kiến": [0, 1, 0, 3, 12, 30, 48, 25, 9, 48]}),
    "years": lambda: BarChart.of("Theo năm", ["2023", "2024", "2025"],
                                 {"Đề xuất khen thưởng": [1234, 15, 0], "Đã khen thưởng": [1000, 15, 0]}),
    "large numbers": lambda: BarChart.of("Số lớn", ["A", "B"], {"Số": [123456, 98765]}),
    "period areas": lambda: BarChart.of("Theo lĩnh vực", AREAS, {"2023": [8, 27, 2, 19, 9, 21, 6],
                                                                 "2024": [7, 25, 2, 9, 4, 17, 2]},
                                        width=980, height=340, label_width=14),
    "empty": lambda: BarChart.of("Trống", AREAS, {"Số sáng kiến": [0] * 7}),
}


def render(chart: BarChart) -> str:
    return render_template_string('{% from "_charts.html" import bar_svg %}{{ bar_svg(c, "chart") }}', c=chart)


@pytest.fixture(params=["wide", "phone"])
def size(request):
    return request.param


def _drawn(name: str, size: str):
    chart = CHARTS[name]()
    chart = chart if size == "wide" else chart.narrow()
    return chart, drawing(render(chart))


@pytest.mark.parametrize("name", CHARTS)
def test_every_text_is_inside_the_viewbox_and_apart_from_the_others(app, name, size):
    with app.test_request_context():
        chart, svg = _drawn(name, size)
    svg.assert_text_fits()


@pytest.mark.parametrize("name", CHARTS)
def test_a_category_cut_short_keeps_its_full_name_for_hover(app, name, size):
    with app.test_request_context():
        chart, svg = _drawn(name, size)
    categories = [str(c) for c in chart.inputs["categories"]]
    drawn = svg.role("category")
    assert len(drawn) == len(categories)
    names = {" ".join(c.split()) for c in categories}
    for category in categories:
        # Every category is drawn, whole or abbreviated with its full name as the <title>.
        assert any(t.text == category or t.title == category for t in drawn), (category, [t.text for t in drawn])
    for text in svg.texts:
        if "…" in text.text:
            assert text.title in names, text


def test_long_names_on_a_phone_are_drawn_sideways_and_wrapped_not_cut(app):
    with app.test_request_context():
        chart, svg = _drawn("areas", "phone")
    assert chart.horizontal
    assert [t.text for t in svg.role("category")] == AREAS  # every name whole: a phone cannot hover
    assert svg.width == 360 and svg.height > 300


def test_a_preferred_label_measure_gives_way_before_it_cuts_a_name(app):
    with app.test_request_context():
        chart, svg = _drawn("period areas", "wide")
    assert [t.text for t in svg.role("category")] == AREAS
    assert max(len(line) for t in svg.role("category") for line in t.lines) <= 18  # still wrapped, to 14 or so


@pytest.mark.parametrize("name", ["areas", "areas at the top", "rates", "bands", "years", "period areas"])
def test_values_sit_above_their_bars_inside_the_plot_and_never_on_the_axis_labels(app, name, size):
    with app.test_request_context():
        chart, svg = _drawn(name, size)
    assert chart.values_shown
    value_texts, label_texts = svg.role("value"), svg.role("category") + svg.role("tick")
    assert [t.text for t in value_texts] == [bar.text for bar in chart.bars]
    for value in value_texts:
        left, top, right, bottom = value.box
        if chart.horizontal:
            assert chart.top <= top and bottom <= chart.bottom, value
        else:
            assert chart.top <= top and bottom <= chart.bottom, value  # inside the plot, at the top too
        assert not any(value.overlaps(label) for label in label_texts), value


def test_a_bar_reaching_the_top_has_its_value_inside_it():
    chart = CHARTS["areas at the top"]()
    tall = [bar for bar in chart.bars if bar.y == chart.top]
    assert tall and all(bar.value_inside and bar.value.y > bar.y for bar in tall)
    low = [bar for bar in chart.bars if bar.y > chart.top + 20]
    assert low and all(not bar.value_inside and bar.value.y < bar.y for bar in low)


def test_values_too_many_to_write_apart_are_left_to_the_bars_titles(app):
    with app.test_request_context():
        chart, svg = _drawn("many blocks", "wide")
    assert not chart.values_shown and not svg.role("value")
    assert all(r.find("{http://www.w3.org/2000/svg}title") is not None for r in svg.rects())


def test_a_band_label_like_90_100_is_never_wrapped(app, size):
    with app.test_request_context():
        chart, svg = _drawn("bands", size)
    for band in BANDS:
        assert any(t.lines == (band,) for t in svg.role("category")), band


@pytest.mark.parametrize(("value", "expected"), [(0, 4), (3, 4), (7, 8), (41, 80), (100, 100), (101, 200)])
def test_nice_max_for_counts(value, expected):
    assert nice_max(value, whole=True) == expected


@pytest.mark.parametrize(("raw", "expected"), [(0.5, 0.5), (0.7, 1), (3, 5), (4.5, 5), (10, 10), (0.3, 0.5), (22, 25)])
def test_nice_step(raw, expected):
    assert nice_step(raw) == pytest.approx(expected)
