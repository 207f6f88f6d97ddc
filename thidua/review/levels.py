"""The forms of commendation (hình thức khen thưởng) of a campaign, with their thresholds and counts."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from thidua import audit
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.review.models import CommendationLevel
from thidua.review.rubric import move, renumber, require_not_frozen
from thidua.review.setup_errors import SetupError


def levels(campaign_id: int) -> list[CommendationLevel]:
    return list(db.session.scalars(sa.select(CommendationLevel).where(CommendationLevel.campaign_id == campaign_id)
                                   .order_by(CommendationLevel.position, CommendationLevel.id)))


def save_level(campaign: Campaign, *, actor, name: str, min_score: Decimal | None, max_count: int | None,
               level: CommendationLevel | None = None, proposed_upward: bool | None = None,
               authority: str | None = None) -> CommendationLevel:
    """Add or change a form of commendation. `proposed_upward` with `authority`: decided by a higher body
    (left as they are when not given); a name speaking of UBND is proposed upward to it by default."""
    require_not_frozen(campaign.id)
    name = (name or "").strip()
    if not name:
        raise SetupError("Nhập tên hình thức khen thưởng.")
    if min_score is not None and not 0 <= min_score <= 100:
        raise SetupError("Ngưỡng điểm phải từ 0 đến 100.")
    if max_count is not None and max_count < 1:
        raise SetupError("Số lượng tối đa phải từ 1 trở lên (để trống nếu không giới hạn).")
    if level is None:
        position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(CommendationLevel.position), 0))
                                     .where(CommendationLevel.campaign_id == campaign.id)) + 1
        level = CommendationLevel(campaign_id=campaign.id, position=position)
        db.session.add(level)
        action = "review.level_added"
    else:
        action = "review.level_updated"
    if proposed_upward is None and action == "review.level_added":
        proposed_upward = "UBND" in name
        authority = authority or ("UBND Thành phố" if proposed_upward else "")
    if proposed_upward is not None:
        authority = (authority or "").strip()
        if proposed_upward and not authority:
            raise SetupError("Nhập cơ quan quyết định khen thưởng (ví dụ: UBND Thành phố) cho hình thức đề nghị "
                             "cấp trên.")
        level.proposed_upward = proposed_upward
        level.authority = authority[:255] if proposed_upward else ""
    level.name = name[:255]
    level.min_score = min_score
    level.max_count = max_count
    db.session.flush()
    audit.record(action, actor=actor, object_type="commendation_level", object_id=level.id, campaign_id=campaign.id,
                 details={"name": level.name, "min_score": None if min_score is None else str(min_score),
                          "max_count": max_count, "proposed_upward": level.proposed_upward,
                          "authority": level.authority})
    return level


def remove_level(campaign: Campaign, level: CommendationLevel, *, actor) -> None:
    require_not_frozen(campaign.id)
    audit.record("review.level_removed", actor=actor, object_type="commendation_level", object_id=level.id,
                 campaign_id=campaign.id, details={"name": level.name})
    db.session.delete(level)
    db.session.flush()
    renumber(levels(campaign.id))


def move_level(campaign: Campaign, level: CommendationLevel, step: int, *, actor) -> None:
    require_not_frozen(campaign.id)
    if move(levels(campaign.id), level, step):
        audit.record("review.level_moved", actor=actor, object_type="commendation_level", object_id=level.id,
                     campaign_id=campaign.id, details={"step": step})
