"""The campaign list, the campaign page, the board and the report count units the same way: a unit has
registered when it sent the campaign's minimum of initiatives, not one of them."""
from __future__ import annotations

import re

import pytest

from tests import factories
from thidua.campaigns.board import build_board
from thidua.campaigns.models import Phase
from thidua.extensions import db
from thidua.numbers import format_percent
from thidua.reports.figures import campaign_figures
from thidua.workflow import State


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _index_row(html: str, campaign_id: int) -> str:
    match = re.search(rf'<tr>(?:(?!</tr>).)*?href="/phong-trao/{campaign_id}".*?</tr>', html, re.S)
    assert match, "the campaign is not listed"
    return match.group(0)


def _registered_cell(row: str) -> str:
    return _text(re.search(r'<td data-label="Đã đăng ký"[^>]*>(.*?)</td>', row, re.S).group(1))


def _registration_step(html: str) -> str:
    match = re.search(r'data-step="registration".*?</li>\s*(?=<li class="step|</ol>)', html, re.S)
    assert match
    return _text(match.group(0))


def _block_rates(html: str) -> dict[str, str]:
    table = html[html.index('<table class="table blocks">'):]
    rows = re.findall(r'<td data-label="Khối">(.*?)</td>.*?<td data-label="Tỷ lệ đăng ký">(.*?)</td>',
                      table[:table.index("</table>")], re.S)
    return {_text(block): _text(rate) for block, rate in rows}


def _blocks_total(html: str) -> tuple[int, int]:
    """(participants, registered) added up over the campaign page's table by block."""
    table = html[html.index('<table class="table blocks">'):]
    table = table[:table.index("</table>")]
    participants = sum(int(n) for n in re.findall(r'data-label="Tham gia" class="num">(\d+)<', table))
    registered = sum(int(n) for n in re.findall(r'data-label="Đã đăng ký" class="num">(\d+)<', table))
    return participants, registered


@pytest.mark.parametrize(("minimum", "registered", "rate"),
                         [(2, 0, "0,0%"), (1, 1, "33,3%")])
def test_every_page_counts_a_unit_as_registered_only_with_the_minimum_of_initiatives(
        client, world, minimum, registered, rate):
    campaign = world.campaign  # three participants: the office, two schools
    campaign.min_initiatives_per_unit = minimum
    factories.initiative(campaign, world.school, actor=world.editor, status=State.REGISTERED)
    factories.initiative(campaign, world.other_school, actor=world.other_editor)  # a draft counts for nothing
    db.session.commit()
    expected = f"{registered}/3"

    board = build_board(campaign, Phase.REGISTRATION)
    assert (board.done, board.total) == (registered, 3)
    headline = campaign_figures(campaign).headline()
    assert (headline["registered_units"], headline["participants"]) == (registered, 3)
    assert headline["registration_rate"] == round(100 * registered / 3, 1)

    client.login(world.secretariat)
    board_page = client.get(f"/phong-trao/{campaign.id}/tien-do?phase=registration").get_data(as_text=True)
    assert expected in _text(board_page) and rate in _text(board_page)

    index = client.get("/phong-trao").get_data(as_text=True)
    assert _registered_cell(_index_row(index, campaign.id)) == expected

    detail = client.get(f"/phong-trao/{campaign.id}").get_data(as_text=True)
    assert f"{expected} đơn vị đã đăng ký" in _registration_step(detail)
    assert _blocks_total(detail) == (3, registered)
    # its table by block says what the board's blocks say
    assert _block_rates(detail) == {b.block: format_percent(b.rate) for b in board.blocks}
    assert (set(_block_rates(detail).values()) == {"0,0%"}) == (not registered)


def test_the_list_counts_each_campaign_with_its_own_minimum(client, world):
    """Two campaigns, the same registrations, minimums 1 and 3: each row says its own figure."""
    strict = factories.campaign(world.root, name="Phong trào chỉ tiêu cao", year=2025, min_initiatives_per_unit=3,
                                participants=[world.school, world.other_school])
    for campaign in (world.campaign, strict):
        for _ in range(2):
            factories.initiative(campaign, world.school, actor=world.editor, status=State.REGISTERED)
    db.session.commit()
    client.login(world.secretariat)
    index = client.get("/phong-trao").get_data(as_text=True)
    assert _registered_cell(_index_row(index, world.campaign.id)) == "1/3"
    assert _registered_cell(_index_row(index, strict.id)) == "0/2"
    initiatives = re.search(r'<td data-label="Số đề xuất"[^>]*>(.*?)</td>', _index_row(index, strict.id), re.S)
    assert _text(initiatives.group(1)) == "2"
