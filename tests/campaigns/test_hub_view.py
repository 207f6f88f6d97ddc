"""The campaign page as its pipeline: the links to act are only those the person may open."""
from __future__ import annotations

import re

import pytest

from thidua import access

AWARDS, REPORT = "Danh sách khen thưởng", "Báo cáo UBND Thành phố"


def _page(client, world) -> str:
    response = client.get(f"/phong-trao/{world.campaign.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _step(page: str, key: str) -> str:
    match = re.search(rf'<li class="step[^"]*"[^>]*data-step="{key}".*?</li>\s*(?=<li class="step|</ol>)', page, re.S)
    assert match, f"no step {key}"
    return match.group(0)


def _links(html: str) -> dict[str, str]:
    return {" ".join(re.sub("<[^>]+>", "", text).split()): href
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)}


def test_the_office_gets_the_award_list_and_the_report_in_their_steps(client, world):
    client.login(world.secretariat)
    page = _page(client, world)
    base = f"/phong-trao/{world.campaign.id}"
    assert _links(_step(page, "awards"))[AWARDS] == f"{base}/khen-thuong"
    assert _links(_step(page, "city_report"))[REPORT] == f"{base}/bao-cao-ubnd"
    # and where they act on the committee, and the settings grouped under the steps
    assert _links(_step(page, "review"))["Phân công chấm"] == f"{base}/hoi-dong/phan-cong"
    others = page[page.index("Các trang khác của phong trào"):]
    for label in ("Sửa thông tin", "Đơn vị tham gia", "Tiêu chí chấm", "Hình thức khen thưởng", "Nhật ký", AWARDS, REPORT):
        assert label in _links(others), label


def test_a_leader_reads_the_lists_but_gets_no_office_only_action(client, world):
    client.login(world.leader)
    page = _page(client, world)
    assert AWARDS in _links(_step(page, "awards")) and REPORT in _links(_step(page, "city_report"))
    links = _links(page)
    for office_only in ("Phân công chấm", "Sửa thông tin", "Đơn vị tham gia", "Gia hạn cho đơn vị", "Nhắc việc",
                        "Kiểm tra giá trị"):
        assert office_only not in links, office_only
    assert "Tiến độ chấm" in links  # leaders follow the committee's progress


def test_a_role_that_may_not_open_the_award_list_or_the_report_gets_no_link(client, world, monkeypatch):
    monkeypatch.setitem(access.ACCESS, "awards.index", access.OFFICE)
    monkeypatch.setitem(access.ACCESS, "reports.city_report", access.OFFICE)
    client.login(world.leader)
    page = _page(client, world)
    assert AWARDS not in _links(page) and REPORT not in _links(page)
    assert "/khen-thuong" not in page and "/bao-cao-ubnd" not in page
    # the steps are still shown, with their figures
    assert "Chưa tạo báo cáo" in _step(page, "city_report") or "phiên bản đã tạo" in _step(page, "city_report")


@pytest.mark.parametrize("who", ["editor", "head", "reviewer"])
def test_the_hub_is_closed_to_units_and_reviewers(client, world, who):
    client.login(getattr(world, who))
    assert client.get(f"/phong-trao/{world.campaign.id}").status_code == 403


def test_the_next_thing_to_do_is_highlighted(client, world):
    client.login(world.secretariat)
    page = _page(client, world)
    registration = _step(page, "registration")  # the world's campaign is in Đợt 1
    assert 'class="step step-open current"' in registration and 'aria-current="step"' in registration
    assert "Việc tiếp theo" in registration
    assert "3 đơn vị chưa đăng ký" in registration
    assert 'aria-current' not in _step(page, "report")
