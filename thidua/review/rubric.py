"""The rubric of a campaign: its criteria and their bands, the default rubric, copies from another
campaign, and the locks (scoring started, award list submitted) that keep it as it was scored."""
from __future__ import annotations

import re

import sqlalchemy as sa

from thidua import audit
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.review.models import Assignment, Criterion, CriterionScore, Review, ReviewStatus
from thidua.review.setup_errors import SetupError

RUBRIC_TARGET = 100


SON_LA_NOVELTY_BANDS = [
    {"min": 27, "max": 30, "label": "Hoàn toàn mới"},
    {"min": 21, "max": 26, "label": "Cải tiến tốt"},
    {"min": 16, "max": 20, "label": "Cải tiến trung bình"},
    {"min": 1, "max": 15, "label": "Cải tiến nhỏ"},
    {"min": 0, "max": 0, "label": "Không mới hoặc sao chép"},
]

DEFAULT_RUBRIC = [
    {"name": "Tính mới, sáng tạo", "max_score": 30,
     "description": "Giải pháp mới hoặc cải tiến so với cách làm trước đây tại đơn vị và trong ngành.",
     "low": "Áp dụng lại cách làm đã có, cải tiến nhỏ.",
     "middle": "Cải tiến rõ so với cách làm cũ của đơn vị.",
     "high": "Hoàn toàn mới, chưa được áp dụng trong ngành.",
     "bands": SON_LA_NOVELTY_BANDS},
    {"name": "Tính hiệu quả", "max_score": 30,
     "description": "Kết quả đo được trước và sau khi áp dụng: thời gian, chi phí, sự hài lòng của người dân.",
     "low": "Chưa có số liệu trước/sau hoặc hiệu quả chưa rõ.",
     "middle": "Có số liệu trước/sau, hiệu quả ở mức vừa phải.",
     "high": "Giảm rõ thời gian, chi phí; người dân, giáo viên hài lòng; có số liệu minh chứng."},
    {"name": "Khả năng nhân rộng", "max_score": 25,
     "description": "Có thể áp dụng tại các đơn vị khác trong ngành.",
     "low": "Chỉ phù hợp với điều kiện riêng của đơn vị.",
     "middle": "Áp dụng được tại một số đơn vị cùng loại.",
     "high": "Áp dụng được rộng rãi trong toàn ngành với chi phí thấp."},
    {"name": "Tính khả thi, bền vững", "max_score": 10,
     "description": "Phù hợp quy định, nguồn lực; duy trì được lâu dài.",
     "low": "Phụ thuộc nguồn lực tạm thời, khó duy trì.",
     "middle": "Duy trì được với nguồn lực hiện có.",
     "high": "Đã được thể chế hóa, duy trì ổn định."},
    {"name": "Hồ sơ, minh chứng", "max_score": 5,
     "description": "Đầy đủ, rõ ràng, đúng hạn.",
     "low": "Thiếu minh chứng.",
     "middle": "Có minh chứng nhưng chưa đầy đủ.",
     "high": "Minh chứng đầy đủ, rõ ràng."},
]

LOCK_MESSAGE = (
    "Đã có phiếu chấm được gửi hoặc đã có điểm theo tiêu chí, nên không thể thêm, xóa tiêu chí hay đổi điểm tối đa: "
    "làm vậy sẽ khiến các phiếu đã chấm không còn khớp với bộ tiêu chí. "
    "Vẫn có thể sửa tên, mô tả và các mức điểm."
)

_TEXT_FIELDS = ("name", "description", "low", "middle", "high")


def criteria(campaign_id: int) -> list[Criterion]:
    return list(db.session.scalars(
        sa.select(Criterion).where(Criterion.campaign_id == campaign_id).order_by(Criterion.position, Criterion.id)
    ))


def rubric_locked(campaign_id: int) -> bool:
    """Scoring has started: a review of the campaign is submitted, or some criterion has a score."""
    submitted = sa.select(Review.id).join(Assignment, Assignment.id == Review.assignment_id).where(
        Assignment.campaign_id == campaign_id, Review.status == ReviewStatus.SUBMITTED)
    scored = sa.select(CriterionScore.id).join(Criterion, Criterion.id == CriterionScore.criterion_id).where(
        Criterion.campaign_id == campaign_id)
    return bool(db.session.scalar(sa.select(sa.or_(sa.exists(submitted), sa.exists(scored)))))


FROZEN_MESSAGE = ("Danh sách đề nghị khen thưởng đã được trình duyệt ({status}): hình thức khen thưởng, ngưỡng điểm "
                  "và bộ tiêu chí được giữ nguyên như đã trình. Muốn thay đổi, Văn phòng cần mở lại danh sách "
                  "(có ghi lý do); không thể thay đổi sau khi đã có quyết định khen thưởng.")


DECIDED_MESSAGE = ("Đã có quyết định khen thưởng: hình thức khen thưởng, ngưỡng điểm và bộ tiêu chí được giữ nguyên "
                   "như đã quyết định, không thể thay đổi.")


def require_not_frozen(campaign_id: int) -> None:
    """Refuse a change to the levels or the rubric once the award list resting on them is submitted."""
    message = frozen_message(campaign_id)
    if message:
        raise SetupError(message)


def frozen_message(campaign_id: int) -> str:
    """Why the levels and the rubric cannot change now, or "" while they can."""
    # Imported here: the award list is the later stage; it freezes what it was compiled from.
    from thidua.awards.models import AwardDecision
    from thidua.awards.services import list_frozen

    frozen = list_frozen(campaign_id)
    if frozen is None:
        return ""
    if db.session.scalar(sa.select(sa.exists().where(AwardDecision.award_list_id == frozen.id))):
        return DECIDED_MESSAGE
    return FROZEN_MESSAGE.format(status=frozen.status_label)


def rubric_total(items) -> int:
    return sum(int(c.max_score if hasattr(c, "max_score") else c["max_score"]) for c in items)


def rubric_problems(items, target: int = RUBRIC_TARGET) -> list[str]:
    items = list(items)
    if not items:
        return ["Chưa có tiêu chí nào."]
    total = rubric_total(items)
    if total != target:
        return [f"Tổng điểm tối đa phải bằng {target} (hiện là {total})."]
    return []


def parse_bands(text: str, max_score: int) -> list[dict]:
    """Bands typed one a line, "27-30: Hoàn toàn mới" (or "0: Không mới"); checked against the maximum."""
    bands = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = re.fullmatch(r"(\d+)\s*(?:[-–—]\s*(\d+))?\s*[:.]\s*(.+)", line)
        if match is None:
            raise SetupError(f"Dòng {number} của các mức điểm chưa đúng dạng “27-30: Hoàn toàn mới”.")
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
        if low > high:
            low, high = high, low
        if high > max_score:
            raise SetupError(f"Mức “{match.group(3).strip()}” vượt quá điểm tối đa {max_score}.")
        bands.append({"min": low, "max": high, "label": match.group(3).strip()[:120]})
    ordered = sorted(bands, key=lambda b: b["min"])
    for first, second in zip(ordered, ordered[1:]):
        if second["min"] <= first["max"]:
            raise SetupError(f"Các mức “{first['label']}” và “{second['label']}” chồng lên nhau.")
    return sorted(bands, key=lambda b: -b["min"])


def bands_text(bands) -> str:
    lines = []
    for band in bands or []:
        span = str(band["min"]) if band["min"] == band["max"] else f"{band['min']}-{band['max']}"
        lines.append(f"{span}: {band['label']}")
    return "\n".join(lines)


def _criterion_details(criterion: Criterion) -> dict:
    return {"name": criterion.name, "max_score": criterion.max_score}


def save_criterion(campaign: Campaign, *, actor, values: dict, criterion: Criterion | None = None) -> Criterion:
    """Add a criterion or change one. `values`: name, max_score, description, low, middle, high, bands (list)."""
    require_not_frozen(campaign.id)
    locked = rubric_locked(campaign.id)
    max_score = int(values["max_score"])
    if not 1 <= max_score <= 100:
        raise SetupError("Điểm tối đa của một tiêu chí phải từ 1 đến 100.")
    for band in values.get("bands") or []:
        if band["max"] > max_score:
            raise SetupError(f"Mức “{band['label']}” vượt quá điểm tối đa {max_score}.")
    if criterion is None:
        if locked:
            raise SetupError(LOCK_MESSAGE)
        position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Criterion.position), 0))
                                     .where(Criterion.campaign_id == campaign.id)) + 1
        criterion = Criterion(campaign_id=campaign.id, position=position, max_score=max_score)
        db.session.add(criterion)
        action = "review.criterion_added"
    else:
        if locked and max_score != criterion.max_score:
            raise SetupError(LOCK_MESSAGE)
        criterion.max_score = max_score
        action = "review.criterion_updated"
    for key in _TEXT_FIELDS:
        setattr(criterion, key, (values.get(key) or "").strip())
    criterion.bands = list(values.get("bands") or [])
    db.session.flush()
    audit.record(action, actor=actor, object_type="criterion", object_id=criterion.id, campaign_id=campaign.id,
                 details=_criterion_details(criterion))
    return criterion


def remove_criterion(campaign: Campaign, criterion: Criterion, *, actor) -> None:
    require_not_frozen(campaign.id)
    if rubric_locked(campaign.id):
        raise SetupError(LOCK_MESSAGE)
    audit.record("review.criterion_removed", actor=actor, object_type="criterion", object_id=criterion.id,
                 campaign_id=campaign.id, details=_criterion_details(criterion))
    db.session.delete(criterion)
    db.session.flush()
    renumber(criteria(campaign.id))


def move(items: list, item, step: int) -> bool:
    """Move `item` one place up (-1) or down (+1) among `items` (ordered); renumber positions."""
    index = next(i for i, x in enumerate(items) if x.id == item.id)
    other = index + step
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    renumber(items)
    return True


def renumber(items) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position
    db.session.flush()


def move_criterion(campaign: Campaign, criterion: Criterion, step: int, *, actor) -> None:
    # Order does not change any score: allowed after scoring has started, not once the list is submitted.
    require_not_frozen(campaign.id)
    if move(criteria(campaign.id), criterion, step):
        audit.record("review.criterion_moved", actor=actor, object_type="criterion", object_id=criterion.id,
                     campaign_id=campaign.id, details={"step": step})


def replace_rubric(campaign: Campaign, rows: list[dict], *, actor, source: str) -> list[Criterion]:
    """Replace the whole rubric (default, or a copy from another campaign): refused once scoring has started."""
    require_not_frozen(campaign.id)
    if rubric_locked(campaign.id):
        raise SetupError(LOCK_MESSAGE)
    for old in criteria(campaign.id):
        db.session.delete(old)
    db.session.flush()
    made = []
    for position, row in enumerate(rows, start=1):
        item = Criterion(campaign_id=campaign.id, position=position, name=row["name"], max_score=row["max_score"],
                         description=row.get("description", ""), low=row.get("low", ""),
                         middle=row.get("middle", ""), high=row.get("high", ""),
                         bands=[dict(b) for b in row.get("bands") or []])
        db.session.add(item)
        made.append(item)
    db.session.flush()
    audit.record("review.rubric_replaced", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, details={"source": source, "criteria": len(made),
                                                   "total": rubric_total(made)})
    return made


def apply_default_rubric(campaign: Campaign, *, actor) -> list[Criterion]:
    return replace_rubric(campaign, DEFAULT_RUBRIC, actor=actor, source="default")


def copy_rubric(campaign: Campaign, source: Campaign, *, actor) -> list[Criterion]:
    if source.id == campaign.id:
        raise SetupError("Chọn một phong trào khác để sao chép bộ tiêu chí.")
    if source.id not in {c.id for c, _ in rubric_sources(campaign)}:
        raise SetupError("Chỉ sao chép được bộ tiêu chí của phong trào cùng cấp hoặc của phong trào cấp trên "
                         "mà phong trào này trình lên.")
    rows = [{"name": c.name, "max_score": c.max_score, "description": c.description, "low": c.low,
             "middle": c.middle, "high": c.high, "bands": c.bands} for c in criteria(source.id)]
    if not rows:
        raise SetupError(f"{source.in_sentence[0].upper()}{source.in_sentence[1:]} chưa có bộ tiêu chí để sao chép.")
    return replace_rubric(campaign, rows, actor=actor, source=f"campaign:{source.id}")


def rubric_sources(campaign: Campaign) -> list[tuple[Campaign, int]]:
    """Other campaigns with a rubric of the same organiser, and the campaign above it feeds, newest first,
    with their number of criteria."""
    rows = db.session.execute(
        sa.select(Campaign, sa.func.count(Criterion.id)).join(Criterion, Criterion.campaign_id == Campaign.id)
        .where(Campaign.id != campaign.id, sa.or_(Campaign.organiser_id == campaign.organiser_id,
                                                  Campaign.id == campaign.feeds_campaign_id))
        .group_by(Campaign.id)
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    ).all()
    return [(c, n) for c, n in rows]
