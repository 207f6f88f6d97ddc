"""The targets pages run a few SQL statements, and no more for ten times the units and values."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from thidua.campaigns.models import CampaignUnit
from thidua.extensions import db
from thidua.targets import services
from thidua.targets.models import OutstandingPerson, TargetValue
from thidua.timeutil import utcnow
from thidua.units.models import Unit

from tests.conftest import assert_few_statements
from tests.test_statement_counts import grow, measure

PAGES = [
    # user, campaign, targets, rounds, copy sources, whether the award list froze them
    ("/phong-trao/{campaign}/chi-tieu", "secretariat", 6),
    ("/phong-trao/{campaign}/chi-tieu/bang", "secretariat", 5),  # user, campaign, targets, participants, values
    ("/phong-trao/{campaign}/chi-tieu/bang?khoi=Khối+trực+thuộc&trang_thai=met", "leader", 5),
    # user, campaign, values, files, whether the award list froze them
    ("/phong-trao/{campaign}/chi-tieu/kiem-tra?trang_thai=", "secretariat", 5),
    ("/phong-trao/{campaign}/chi-tieu/ca-nhan", "secretariat", 6),  # ... persons, files, targets, frozen
    # user, campaign, participation, unit, targets, values, files, extensions
    ("/phong-trao/{campaign}/chi-tieu-cua-don-vi", "head", 8),
]


def values_for_everyone(world) -> None:
    """A value for every participating unit and every unit target, half accepted; a person per unit."""
    targets = [t for t in services.targets_of(world.campaign.id) if t.applies_to == "units" and not t.automatic]
    units = db.session.execute(sa.select(Unit.id, Unit.unit_type, Unit.block)
                               .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
                               .where(CampaignUnit.campaign_id == world.campaign.id)).all()
    have = set(db.session.execute(sa.select(TargetValue.target_id, TargetValue.unit_id)).all())
    rows = [{"campaign_id": world.campaign.id, "target_id": t.id, "unit_id": u.id, "value": t.threshold,
             "state": "accepted" if (u.id + t.id) % 2 else "sent", "version": 1, "updated_at": utcnow(),
             "sent_at": utcnow(), "note": "", "return_reason": ""}
            for u in units for t in targets if t.applies_to_unit(u.unit_type, u.block) and (t.id, u.id) not in have]
    if rows:
        db.session.execute(sa.insert(TargetValue), rows)
    db.session.execute(sa.insert(OutstandingPerson), [
        {"campaign_id": world.campaign.id, "unit_id": u.id, "full_name": f"Người {u.id}", "rating": "tot",
         "achievements": "Thành tích", "targets_met": {}, "state": "sent", "version": 1, "created_at": utcnow(),
         "updated_at": utcnow(), "sent_at": utcnow()} for u in units])
    db.session.commit()


@pytest.mark.parametrize(("page", "who", "runs"), PAGES, ids=[p[0] for p in PAGES])
def test_targets_page_statement_count_is_small_and_does_not_grow(world, client, page, who, runs):
    services.apply_default_targets(world.campaign, actor=world.secretariat)
    db.session.commit()
    client.login(getattr(world, who))
    url = page.format(campaign=world.campaign.id)
    grow(world, 20)
    values_for_everyone(world)
    client.get(url)  # warm-up
    small = measure(client, url)
    grow(world, 180)
    values_for_everyone(world)
    large = measure(client, url)
    assert_few_statements(small, large, about=runs, what=f"{url}, 20 units then 200")
