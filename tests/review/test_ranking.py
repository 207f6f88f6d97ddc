"""Aggregation, ranking and the shortlist, checked against figures computed here from the rows inserted
(plain Python, not the app's code), plus the page's filters, actions (through the state module, audited),
exports and a statement count that does not grow with the number of initiatives."""
from __future__ import annotations

import io
import random
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.review import rubric as rubric_setup
from thidua.review.models import Assignment, CommendationLevel, CommitteeMember, CriterionScore, Review
from thidua.review.ranking import build_ranking

from tests import factories
from tests.conftest import assert_few_statements, count_statements

AREAS = ["chinh_quyen_so", "tthc"]


def url(world, tail=""):
    return f"/phong-trao/{world.campaign.id}/hoi-dong{tail}"


def q2(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Bench:
    """A campaign with the default rubric, three reviewers and initiatives scored by hand-chosen or random numbers."""

    def __init__(self, world):
        self.world = world
        self.campaign = world.campaign
        rubric_setup.apply_default_rubric(self.campaign, actor=world.secretariat)
        self.criteria = rubric_setup.criteria(self.campaign.id)
        self.reviewers = [factories.user(Role.REVIEWER, world.office_unit, full_name=f"Thành viên {n}")
                          for n in range(3)]
        for r in self.reviewers:
            db.session.add(CommitteeMember(campaign_id=self.campaign.id, user_id=r.id))
        self.units = [world.school, world.other_school,
                      factories.unit(block="Khối Phòng GD&ĐT", unit_type="phong_gddt", name="Phòng GD&ĐT Hà Đông")]
        self.inserted: dict[int, dict] = {}
        self.start = datetime(2024, 9, 1, 8, 0)

    def add(self, sheets, *, unit=None, status="scored", registered_minutes=0, area="chinh_quyen_so",
            drafts=0) -> Initiative:
        """sheets: one list of criterion scores per submitted review (in rubric order)."""
        n = len(self.inserted)
        item = Initiative(campaign_id=self.campaign.id, unit_id=(unit or self.units[n % 3]).id, status=status,
                          kind="giai_phap", title=f"Sáng kiến {n}", area=area,
                          registered_at=self.start + timedelta(minutes=registered_minutes))
        db.session.add(item)
        db.session.flush()
        for index, sheet in enumerate(list(sheets) + [None] * drafts):
            a = Assignment(campaign_id=self.campaign.id, initiative_id=item.id,
                           reviewer_id=self.reviewers[index].id)
            db.session.add(a)
            db.session.flush()
            if sheet is None:
                db.session.add(Review(assignment_id=a.id, status="draft"))
                continue
            review = Review(assignment_id=a.id, status="submitted", total=sum(Decimal(s) for s in sheet))
            db.session.add(review)
            db.session.flush()
            for criterion, score in zip(self.criteria, sheet):
                db.session.add(CriterionScore(review_id=review.id, criterion_id=criterion.id, score=Decimal(score)))
        self.inserted[item.id] = {"sheets": [[Decimal(s) for s in sheet] for sheet in sheets], "item": item,
                                  "registered": item.registered_at, "status": status, "assigned": len(sheets) + drafts}
        return item

    def random_sheet(self, rng):
        return [Decimal(rng.randrange(0, 2 * c.max_score + 1)) / 2 for c in self.criteria]


def expected(bench, threshold):
    """Means, spreads, flags and the order, from the inserted numbers."""
    result = {}
    for iid, data in bench.inserted.items():
        sheets = data["sheets"]
        totals = [sum(s) for s in sheets]
        row = {"totals": totals}
        if totals:
            row["mean"] = q2(sum(totals) / len(totals))
            row["criteria"] = [q2(sum(s[k] for s in sheets) / len(sheets)) for k in range(len(bench.criteria))]
            row["low"], row["high"] = min(totals), max(totals)
            row["spread"] = max(totals) - min(totals)
            row["flagged"] = len(totals) > 1 and row["spread"] > threshold
        else:
            row.update(mean=None, criteria=[None] * len(bench.criteria), low=None, high=None, spread=None,
                       flagged=False)
        result[iid] = row
    scored = [i for i in result if result[i]["mean"] is not None]
    unscored = sorted(i for i in result if result[i]["mean"] is None)

    def better(a, b):  # does a rank above b?
        ra, rb = result[a], result[b]
        for x, y in ((ra["mean"], rb["mean"]), (ra["criteria"][0], rb["criteria"][0]), (ra["low"], rb["low"])):
            if x != y:
                return x > y
        ta, tb = bench.inserted[a]["registered"], bench.inserted[b]["registered"]
        if ta != tb:
            return ta < tb
        return a < b

    order = []
    for iid in scored:  # insertion sort with the comparison written out
        position = 0
        while position < len(order) and better(order[position], iid):
            position += 1
        order.insert(position, iid)
    return result, order + unscored


def expected_proposal(bench, order, result, levels):
    proposal = {}
    for level in levels:
        taken = 0
        for iid in order:
            if level["max"] is not None and taken >= level["max"]:
                break
            data = bench.inserted[iid]
            if iid in proposal or result[iid]["mean"] is None or data["status"] not in ("scored", "shortlisted"):
                continue
            if len(data["sheets"]) < data["assigned"]:
                continue
            if level["min"] is not None and result[iid]["mean"] < level["min"]:
                continue
            proposal[iid] = level["name"]
            taken += 1
    return proposal


@pytest.fixture
def bench(world):
    return Bench(world)


def test_random_scores_aggregate_and_rank_as_computed_independently(world, bench):
    rng = random.Random(2024)
    for n in range(30):
        reviews = rng.choice([1, 2, 3, 3, 3])
        drafts = 3 - reviews if rng.random() < 0.3 else 0
        status = "under_review" if drafts else rng.choice(["scored", "scored", "shortlisted"])
        bench.add([bench.random_sheet(rng) for _ in range(reviews)], status=status, drafts=drafts,
                  registered_minutes=rng.randrange(50), area=rng.choice(AREAS))
    # Exact ties resolved by registration time and by id.
    sheet = [Decimal(25), Decimal(25), Decimal(20), Decimal(8), Decimal(4)]
    bench.add([sheet, sheet], registered_minutes=5)
    bench.add([sheet, sheet], registered_minutes=1)
    bench.add([sheet, sheet], registered_minutes=1)
    bench.add([])  # not scored yet: last, without a rank
    world.campaign.disagreement_threshold = 12
    levels = [{"name": "Bằng khen của Chủ tịch UBND Thành phố", "min": Decimal(70), "max": 3},
              {"name": "Giấy khen của Giám đốc Sở", "min": Decimal("55.5"), "max": None}]
    for position, lv in enumerate(levels, start=1):
        db.session.add(CommendationLevel(campaign_id=world.campaign.id, position=position, name=lv["name"],
                                         min_score=lv["min"], max_count=lv["max"]))
    db.session.commit()

    result, order = expected(bench, Decimal(12))
    ranking = build_ranking(world.campaign)
    assert [r.initiative.id for r in ranking.rows] == order
    for rank, row in enumerate(ranking.rows, start=1):
        mine = result[row.initiative.id]
        assert row.mean == mine["mean"]
        assert [row.criterion_means[c.id] for c in bench.criteria] == mine["criteria"]
        assert (row.low, row.high, row.spread, row.flagged) == (mine["low"], mine["high"], mine["spread"],
                                                               mine["flagged"])
        assert row.rank == (rank if mine["mean"] is not None else None)
    assert any(r.flagged for r in ranking.rows) and not all(r.flagged for r in ranking.rows)
    tied = list(bench.inserted)[-4:-1]
    assert [i for i in order if i in tied] == [tied[1], tied[2], tied[0]]

    proposal = expected_proposal(bench, order, result, levels)
    assert {r.initiative.id: r.proposed.name for r in ranking.rows if r.proposed} == proposal
    assert sum(1 for v in proposal.values() if v.startswith("Bằng khen")) == 3


def test_tie_breaks_first_criterion_then_lowest_total(world, bench):
    # Same mean 80: A has more on the first criterion; B and C tie on it, C has the higher lowest total.
    a = bench.add([[30, 20, 20, 5, 5], [26, 24, 20, 5, 5]])          # totals 80, 80; novelty 28
    b = bench.add([[25, 30, 25, 10, 5], [25, 20, 15, 0, 5]])          # totals 95, 65; novelty 25
    c = bench.add([[25, 25, 20, 7, 3], [25, 25, 20, 7, 3]])           # totals 80, 80; novelty 25
    db.session.commit()
    ranking = build_ranking(world.campaign)
    assert [r.initiative.id for r in ranking.rows] == [a.id, c.id, b.id]
    assert all(r.mean == Decimal("80.00") for r in ranking.rows)
    assert "tiêu chí đầu tiên (Tính mới, sáng tạo)" in ranking.tie_break


@pytest.fixture
def scored_world(world, bench):
    school, other, phong = bench.units
    items = {
        "top": bench.add([[29, 28, 24, 10, 5], [28, 27, 23, 9, 5], [30, 29, 22, 10, 5]], unit=school),
        "split": bench.add([[28, 28, 24, 10, 5], [10, 10, 8, 4, 2], [25, 20, 20, 8, 4]], unit=other,
                           area="tthc"),
        "middle": bench.add([[22, 20, 18, 7, 4], [21, 22, 17, 8, 4], [23, 21, 18, 7, 3]], unit=phong),
        "low": bench.add([[10, 10, 8, 4, 2], [12, 11, 9, 4, 2], [11, 10, 8, 3, 2]], unit=phong),
    }
    db.session.add(CommendationLevel(campaign_id=world.campaign.id, position=1,
                                     name="Bằng khen của Chủ tịch UBND Thành phố", min_score=Decimal(90), max_count=1))
    db.session.add(CommendationLevel(campaign_id=world.campaign.id, position=2, name="Giấy khen của Giám đốc Sở",
                                     min_score=Decimal(60)))
    db.session.commit()
    return items


def _order_on_page(text):
    import re

    return [int(x) for x in re.findall(r'<tr data-initiative="(\d+)"', text)]


def test_ranking_page_order_filters_flags_and_proposal(client, world, scored_world):
    client.login(world.leader)  # leaders read the ranking
    text = client.get(url(world, "/xep-hang")).get_data(as_text=True)
    ids = {k: v.id for k, v in scored_world.items()}
    assert _order_on_page(text) == [ids["top"], ids["middle"], ids["split"], ids["low"]]
    assert "Đề xuất: Bằng khen của Chủ tịch UBND Thành phố" in text and "Đề xuất: Giấy khen" in text
    assert "Cần thảo luận" in text and "bằng điểm thì xét lần lượt" in text
    assert 'name="initiative"' not in text  # no actions for leaders
    phong = scored_world["low"].unit_id
    block = client.get(url(world, "/xep-hang?block=Khối Phòng GD%26ĐT")).get_data(as_text=True)
    assert _order_on_page(block) == [ids["middle"], ids["low"]]
    area = client.get(url(world, "/xep-hang?area=tthc")).get_data(as_text=True)
    assert _order_on_page(area) == [ids["split"]]
    kind = client.get(url(world, "/xep-hang?unit_type=phong_gddt")).get_data(as_text=True)
    assert _order_on_page(kind) == [ids["middle"], ids["low"]] and phong
    flagged = client.get(url(world, "/xep-hang?flagged=1")).get_data(as_text=True)
    assert _order_on_page(flagged) == [ids["split"]]


def test_shortlist_actions_go_through_the_state_module_and_are_audited(client, world, scored_world):
    client.login(world.secretariat)
    action = {name: url(world, f"/xep-hang/{slug}") for name, slug in (
        ("not_award", "khong-khen-thuong"), ("return", "tra-lai"), ("shortlist", "de-xuat"),
        ("unshortlist", "bo-de-xuat"), ("apply_proposal", "ap-dung-de-xuat"))}
    top, split, middle, low = (scored_world[k] for k in ("top", "split", "middle", "low"))
    level = db.session.scalar(sa.select(CommendationLevel).where(CommendationLevel.position == 1))
    # Not awarding needs a reason: nothing changes, not even the others chosen with it.
    response = client.post(action["not_award"], {"initiative": [low.id, middle.id]}, follow_redirects=True)
    assert "Cần ghi rõ lý do" in response.get_data(as_text=True)
    assert set(db.session.scalars(sa.select(Initiative.status))) == {"scored"}
    client.post(action["not_award"], {"initiative": [low.id], "reason": "Điểm dưới ngưỡng khen thưởng."})
    client.post(action["return"], {"initiative": [split.id], "reason": "Bổ sung số liệu trước/sau."})
    client.post(action["shortlist"], {"initiative": [middle.id], "level_id": level.id,
                         "reason": "Hội đồng thống nhất nâng mức do tác động rộng."})
    db.session.expire_all()
    status = {i.id: i.status for i in db.session.scalars(sa.select(Initiative))}
    assert (status[low.id], status[split.id], status[middle.id], status[top.id]) == (
        "not_awarded", "returned", "shortlisted", "scored")
    rows = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "initiative.transition")
                              .order_by(AuditLog.id)).all()
    assert [(r.object_id, r.to_state, r.reason) for r in rows] == [
        (low.id, "not_awarded", "Điểm dưới ngưỡng khen thưởng."),
        (split.id, "returned", "Bổ sung số liệu trước/sau."),
        (middle.id, "shortlisted", "Hội đồng thống nhất nâng mức do tác động rộng.")]
    assert all(r.actor_id == world.secretariat.id for r in rows)
    chosen = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "review.level_chosen"))
    assert chosen.details["level"] == level.name and chosen.object_id == middle.id
    text = client.get(url(world, "/xep-hang")).get_data(as_text=True)
    assert f"<strong>{level.name}</strong>" in text
    # Un-shortlisting needs a reason too.
    client.post(action["unshortlist"], {"initiative": [middle.id]})
    assert db.session.scalar(sa.select(Initiative.status).where(Initiative.id == middle.id)) == "shortlisted"
    client.post(action["unshortlist"], {"initiative": [middle.id], "reason": "Xem xét lại."})
    db.session.expire_all()
    assert db.session.get(Initiative, middle.id).status == "scored"
    # Apply the proposal: top gets the Bằng khen (≥ 90, one), middle the Giấy khen (≥ 60).
    client.post(action["apply_proposal"], {})
    db.session.expire_all()
    assert db.session.get(Initiative, top.id).status == "shortlisted"
    assert db.session.get(Initiative, middle.id).status == "shortlisted"
    levels = dict(db.session.execute(sa.select(AuditLog.object_id, AuditLog.details)
                                     .where(AuditLog.action == "review.level_chosen").order_by(AuditLog.id)).all())
    assert levels[top.id]["level"] == "Bằng khen của Chủ tịch UBND Thành phố"
    assert levels[middle.id]["level"] == "Giấy khen của Giám đốc Sở"


def test_an_initiative_under_review_is_completed_only_when_all_reviews_are_in(client, world, bench):
    partial = bench.add([[20, 20, 20, 5, 5]], status="under_review", drafts=1)
    full = bench.add([[20, 20, 20, 5, 5], [22, 20, 20, 5, 5]], status="under_review")
    db.session.commit()
    client.login(world.secretariat)
    response = client.post(url(world, "/xep-hang/hoan-tat"), {"initiative": [partial.id]},
                           follow_redirects=True)
    assert "Mới có 1/2 thành viên Hội đồng gửi phiếu chấm." in response.get_data(as_text=True)
    client.post(url(world, "/xep-hang/hoan-tat"), {"initiative": [full.id]})
    db.session.expire_all()
    assert (db.session.get(Initiative, partial.id).status, db.session.get(Initiative, full.id).status) == (
        "under_review", "scored")


def _sheet(response):
    data = response.data
    response.close()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def test_exports_scores_and_ranking(client, world, scored_world, bench):
    client.login(world.secretariat)
    response = client.get(url(world, "/xuat-diem.xlsx"))
    assert response.status_code == 200
    rows = _sheet(response)
    body = rows[3:]
    assert len(body) == 4 * 3 * 5  # initiatives × reviewers × criteria
    top = scored_world["top"]
    novelty = sorted(r[6] for r in body if r[0] == top.id and r[4] == "Tính mới, sáng tạo")
    assert novelty == [28, 29, 30]
    response = client.get(url(world, "/xuat-xep-hang.xlsx"))
    rows = _sheet(response)
    header, body = rows[2], rows[3:]
    assert header[:3] == ["Hạng", "Mã SK", "Tên sáng kiến"]
    assert [r[1] for r in body] == [top.id, scored_world["middle"].id, scored_world["split"].id,
                                    scored_world["low"].id]
    mean_col = header.index("Điểm trung bình")
    result, _ = expected(bench, Decimal(world.campaign.disagreement_threshold))
    assert [Decimal(str(r[mean_col])) for r in body] == [result[r[1]]["mean"] for r in body]
    assert body[0][-1] == "Bằng khen của Chủ tịch UBND Thành phố"
    client.logout()
    client.login(world.leader)
    assert client.get(url(world, "/xuat-diem.xlsx")).status_code == 403
    response = client.get(url(world, "/xuat-xep-hang.xlsx"))
    assert response.status_code == 200
    response.close()


def _grow(bench, count, rng):
    for _ in range(count):
        bench.add([bench.random_sheet(rng) for _ in range(3)], registered_minutes=rng.randrange(100))
    db.session.commit()


def test_ranking_page_runs_a_few_statements_no_more_for_100_initiatives_than_for_10(client, world, bench):
    rng = random.Random(5)
    db.session.add(CommendationLevel(campaign_id=world.campaign.id, position=1, name="Giấy khen",
                                     min_score=Decimal(50)))
    _grow(bench, 10, rng)
    client.login(world.secretariat)
    page_url = url(world, "/xep-hang")
    client.get(page_url)  # warm-up
    with count_statements() as small:
        assert client.get(page_url).status_code == 200
    _grow(bench, 90, rng)
    with count_statements() as large:
        response = client.get(page_url)
    assert response.status_code == 200 and len(_order_on_page(response.get_data(as_text=True))) == 100
    assert_few_statements(small, large, about=10, what="the ranking, 10 initiatives then 100")


def test_a_long_ranking_is_shown_a_hundred_at_a_time_in_rank_order(client, world):
    from tests import factories
    from thidua.extensions import db
    from thidua.workflow import State

    for n in range(130):
        initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SCORED,
                                          title=f"Sáng kiến xếp hạng {n:03d}")
        factories.submitted_review(initiative, world.reviewer, total=200 - n)  # 200, 199, ... : rank n + 1
    db.session.commit()
    client.login(world.secretariat)
    url = f"/phong-trao/{world.campaign.id}/hoi-dong/xep-hang"
    first = client.get(url).get_data(as_text=True)
    assert first.count('data-initiative="') == 100
    assert "Sáng kiến xếp hạng 000" in first and "Sáng kiến xếp hạng 100" not in first
    assert "Trang 1/2 · 130 sáng kiến" in first and "130 sáng kiến" in first
    second = client.get(url, query_string={"page": 2}).get_data(as_text=True)
    assert second.count('data-initiative="') == 30
    assert "Sáng kiến xếp hạng 100" in second and '<td data-label="Hạng" class="num rank">101</td>' in second


def test_a_filtered_ranking_keeps_each_initiatives_place_in_the_whole_ranking(client, world):
    from tests import factories
    from thidua.extensions import db
    from thidua.workflow import State

    for n in range(180):
        area = "chinh_quyen_so" if n % 3 == 0 else "tthc"
        initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SCORED,
                                          title=f"Sáng kiến lọc {n:03d}", area=area)
        factories.submitted_review(initiative, world.reviewer, total=200 - n)  # rank n + 1
    db.session.commit()
    client.login(world.secretariat)
    base = f"/phong-trao/{world.campaign.id}/hoi-dong/xep-hang"
    text = client.get(base, query_string={"area": "chinh_quyen_so"}).get_data(as_text=True)
    ranks = [int(r) for r in re.findall(r'<td data-label="Hạng" class="num rank">(\d+)</td>', text)]
    assert ranks == list(range(1, 181, 3))  # the 1st, 4th, 7th, ... of the whole ranking, not renumbered
    assert "60 sáng kiến" in text and "Trang " not in text and "180 sáng kiến" in text
    second = client.get(base, query_string={"area": "tthc", "page": 2}).get_data(as_text=True)
    ranks = [int(r) for r in re.findall(r'<td data-label="Hạng" class="num rank">(\d+)</td>', second)]
    assert ranks == [n + 1 for n in range(180) if n % 3][100:]
    assert "Trang 2/2 · 120 sáng kiến" in second
