"""The demo's targets (chỉ tiêu): the 2023 campaign's, reported by every participating unit and checked
by the office, and the open 2024 campaign's with a few drafts.

2023 goes through `apply_default_targets` like a click of the secretariat, then the units' values are
written in bulk (one statement for the values, one for their audit lines: the demo has ~150 units),
with the moments and people the services would have recorded: the unit's editor saves, its head sends
in October 2023, the office accepts (or returns, or has not checked yet) within days. Seeded, so every
load gives the same values: most units meet most targets, about one cell in eight does not.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db
from thidua.targets import persons as person_services
from thidua.targets import services as target_services
from thidua.targets.defaults import SEED_001
from thidua.targets.models import (
    AppliesTo, OutstandingPerson, PersonState, Target, TargetRound, TargetValue, ValueState,
)
from thidua.timeutil import zone
from thidua.units.models import Unit

HUNDRED = Decimal(100)
NOT_MET_SHARE = 0.12  # about one reported cell in eight misses its threshold
AWAITING_UNITS = 3  # units whose values the office had not checked yet when the campaign closed
# (target's name, reason) of the values the office returned and the unit did not correct in time.
RETURNS_2023 = [
    (SEED_001[0][0], "Số hồ sơ đã giải quyết chưa khớp với Hệ thống thông tin giải quyết TTHC của Thành phố; "
                     "đề nghị đơn vị rà soát từng lĩnh vực và gửi kèm bảng tổng hợp có xác nhận của lãnh đạo phòng."),
    (SEED_001[8][0], "Tổng số khoản thu khác với báo cáo tài chính quý III của đơn vị; đề nghị bổ sung sao kê "
                     "ngân hàng của các khoản thu qua thanh toán điện tử."),
]
NO_COMPLAINTS = "Không phát sinh đơn thư, khiếu nại, tố cáo trong năm."
NO_LATE = "Không có hồ sơ trễ hẹn trong năm."


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=zone()).astimezone(zone("UTC")).replace(tzinfo=None)


def _office_moment(day: date, rng: random.Random) -> datetime:
    """A moment of office hours (local) on `day`, as naive UTC."""
    return _utc(datetime(day.year, day.month, day.day, rng.choice((8, 9, 10, 14, 15, 16)), rng.randint(0, 59)))


def _rate(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator) * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _fraction(denominator: int, met: bool, threshold: Decimal, rng: random.Random) -> tuple[Decimal, int, int]:
    """(rate, numerator, denominator) meeting `threshold` (≥) or just missing it."""
    if met:
        shortfall = int(denominator * (HUNDRED - threshold) / HUNDRED)
        numerator = denominator - rng.randint(0, shortfall) if shortfall and rng.random() < 0.6 else denominator
    else:
        low = max(int(denominator * (threshold - 4) / HUNDRED), 0)
        numerator = rng.randint(low, denominator - 1)
        while _rate(numerator, denominator) >= threshold:
            numerator -= 1
    return _rate(numerator, denominator), numerator, denominator


def _value_for(index: int, target: Target, met: bool, rng: random.Random):
    """(value, numerator, denominator, note) of the seed-001 target at `index` for one unit."""
    threshold = Decimal(target.threshold)
    if index == 0:  # hồ sơ TTHC đúng hạn: offices handle hundreds of dossiers a year
        return (*_fraction(rng.randint(180, 1600), met, threshold, rng), "Số liệu trích từ Hệ thống thông tin "
                "giải quyết TTHC của Thành phố; lĩnh vực thấp nhất.")
    if index == 1:  # đơn thư: most offices receive none or a few
        if met and rng.random() < 0.5:
            return HUNDRED, None, None, NO_COMPLAINTS
        return (*_fraction(rng.randint(4, 40), met, threshold, rng), "")
    if index == 2:  # thư xin lỗi of the late dossiers
        if met and rng.random() < 0.55:
            return HUNDRED, None, None, NO_LATE
        return (*_fraction(rng.randint(2, 18), met, threshold, rng), "")
    if index == 3:  # hài lòng, read off the latest survey
        low, high = (threshold, Decimal("99.6")) if met else (threshold - Decimal(4), threshold - Decimal("0.1"))
        value = (low + (high - low) * Decimal(rng.random())).quantize(Decimal("0.1"))
        return value, None, None, f"Khảo sát tháng {rng.randint(6, 9)}/2023, {rng.randint(120, 900)} phiếu."
    if index == 5:  # văn bản điện tử
        return (*_fraction(rng.randint(600, 3200), met, threshold, rng), "")
    if index == 6:  # thư điện tử công vụ: the staff of the office
        return (*_fraction(rng.randint(8, 45), met, threshold, rng), "")
    if index == 7:  # Đề án 06
        return Decimal(1 if met else 0), None, None, "" if met else "Chưa có văn bản triển khai riêng của đơn vị."
    if index == 8:  # thanh toán điện tử: the school's fees
        return (*_fraction(rng.randint(900, 4800), met, threshold, rng), "Khoản thu học phí, bán trú, dịch vụ.")
    if index == 9:  # chữ ký số on the letters to the Sở
        return (*_fraction(rng.randint(40, 260), met, threshold, rng), "")
    return None


def load_2023(campaign: Campaign, accounts, office, rng: random.Random) -> int:
    """The default targets of 2023, every participant's values; returns the number of values."""
    from thidua.demo import _clock_at

    with _clock_at(datetime(2023, 8, 2, 9, 0)):
        target_services.apply_default_targets(campaign, actor=office)
    index_of = {row[0]: position for position, row in enumerate(SEED_001)}
    targets = [t for t in target_services.targets_of(campaign.id, AppliesTo.UNITS) if not t.automatic]
    round_id = targets[0].round_id
    units = db.session.scalars(sa.select(Unit).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
                               .where(CampaignUnit.campaign_id == campaign.id).order_by(Unit.code)).all()
    awaiting = {u.id for u in rng.sample(units, AWAITING_UNITS)}
    rows, sends = [], []
    for unit in units:
        head, editor = accounts[(unit.code, Role.UNIT_HEAD)], accounts[(unit.code, Role.UNIT_EDITOR)]
        # Sent in October (the last week for those still waiting), after a day or two of entering.
        sent_day = date(2023, 10, rng.randint(25, 31) if unit.id in awaiting else rng.randint(2, 27))
        sent_at = _office_moment(sent_day, rng)
        saved_at = sent_at - timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
        checked_at = _office_moment(sent_day + timedelta(days=rng.randint(2, 8)), rng)
        applying = []
        for target in target_services.applicable(targets, unit):
            met = rng.random() >= NOT_MET_SHARE
            value, numerator, denominator, note = _value_for(index_of[target.name], target, met, rng)
            waiting = unit.id in awaiting
            rows.append({
                "campaign_id": campaign.id, "target_id": target.id, "unit_id": unit.id, "value": value,
                "numerator": numerator, "denominator": None if numerator is None else Decimal(denominator),
                "note": note, "state": (ValueState.SENT if waiting else ValueState.ACCEPTED).value,
                "return_reason": "", "version": 1, "updated_at": saved_at, "updated_by_id": editor.id,
                "sent_at": sent_at, "sent_by_id": head.id, "checked_at": None if waiting else checked_at,
                "checked_by_id": None if waiting else office.id,
            })
            applying.append(target.id)
        if applying:
            sends.append((unit, editor, head, saved_at, sent_at, applying))
    # The values the office returned: one unit each, not among those still waiting.
    for name, reason in RETURNS_2023:
        candidates = [r for r in rows if r["state"] == ValueState.ACCEPTED.value
                      and r["target_id"] == next(t.id for t in targets if t.name == name)]
        rng.choice(candidates).update(state=ValueState.RETURNED.value, return_reason=reason)
    db.session.execute(sa.insert(TargetValue), rows)
    ids = {(v.target_id, v.unit_id): v.id for v in db.session.execute(
        sa.select(TargetValue.id, TargetValue.target_id, TargetValue.unit_id)
        .where(TargetValue.campaign_id == campaign.id))}
    audit = []
    for unit, editor, head, saved_at, sent_at, applying in sends:
        common = {"object_type": "target_round", "object_id": round_id, "campaign_id": campaign.id,
                  "unit_id": unit.id, "from_state": None, "reason": None}
        audit.append(common | {"action": "targets.values_saved", "actor_id": editor.id, "at": saved_at,
                               "to_state": None, "details": {"values": [{"target_id": t} for t in applying]}})
        audit.append(common | {"action": "targets.sent", "actor_id": head.id, "at": sent_at,
                               "to_state": ValueState.SENT.value, "details": {"targets": applying}})
    for row in rows:
        if row["state"] == ValueState.SENT.value:
            continue
        accepted = row["state"] == ValueState.ACCEPTED.value
        audit.append({"action": "targets.accepted" if accepted else "targets.returned", "actor_id": office.id,
                      "at": row["checked_at"], "object_type": "target_value",
                      "object_id": ids[(row["target_id"], row["unit_id"])], "campaign_id": campaign.id,
                      "unit_id": row["unit_id"], "from_state": ValueState.SENT.value, "to_state": row["state"],
                      "reason": None if accepted else row["return_reason"],
                      "details": {"target_id": row["target_id"], "value": str(row["value"])}})
    db.session.execute(sa.insert(AuditLog), audit)
    _persons_2023(campaign, units, accounts, office, rng)
    return len(rows)


PERSONS = [
    ("Nguyễn Thị Thanh Hương", "Giáo viên Tin học", "Hướng dẫn 100% giáo viên ký số học bạ điện tử; xây dựng "
     "kho học liệu số của trường."),
    ("Trần Văn Minh", "Phó Hiệu trưởng", "Chỉ đạo thanh toán không dùng tiền mặt 100% khoản thu; không có hồ sơ trễ hạn."),
    ("Lê Thu Trang", "Văn thư", "100% văn bản đi, đến xử lý trên phần mềm quản lý văn bản; số hóa hồ sơ lưu trữ "
     "2019–2023."),
    ("Phạm Quốc Huy", "Chuyên viên", "Giải quyết 1.180 hồ sơ thủ tục hành chính, 100% đúng hạn; đề xuất mô hình "
     "tiếp nhận hồ sơ trực tuyến."),
    ("Đỗ Thị Mai Anh", "Kế toán", "Triển khai thu học phí qua ngân hàng, đối soát tự động; tập huấn cho 12 trường."),
    ("Vũ Hoàng Nam", "Tổ trưởng chuyên môn", "Sáng kiến sổ điểm điện tử được nhân rộng trong toàn trường."),
    ("Hoàng Thị Lan", "Giáo viên", "Tuyên truyền Đề án 06 cho 100% cha mẹ học sinh; hỗ trợ cài đặt VNeID."),
    ("Bùi Đức Thắng", "Phó Giám đốc", "Chỉ đạo số hóa hồ sơ học viên; 100% văn bản trao đổi với Sở có chữ ký số."),
    ("Ngô Thị Hạnh", "Chuyên viên", "Khảo sát sự hài lòng, đạt 97,2%; đề xuất cải tiến quy trình một cửa."),
    ("Đặng Văn Tuấn", "Nhân viên thiết bị", "Quản lý thiết bị bằng mã QR, giảm thời gian kiểm kê từ 5 ngày xuống 1 ngày."),
    ("Phan Thị Ngọc", "Giáo viên", "Ứng dụng chữ ký số trong hồ sơ chuyên môn; hướng dẫn đồng nghiệp."),
    ("Trịnh Minh Khoa", "Thư viện", "Thư viện số với 3.200 đầu sách; mượn trả trực tuyến."),
]
# The fate of each: most taken into the list, two declined with the office's reason, one still waiting.
PERSON_DECLINED = {9: "Thành tích chưa gắn với chỉ tiêu CCHC của cá nhân; đề nghị đơn vị xét ở đợt sau.",
                   10: "Chưa có minh chứng kết quả đánh giá, xếp loại năm học 2022–2023."}
PERSON_WAITING = {11}


def _persons_2023(campaign: Campaign, units: list[Unit], accounts, office, rng: random.Random) -> None:
    """Outstanding persons the units proposed by 31/10/2023, as the office decided on them."""
    campaign.individuals_deadline = date(2023, 10, 31)
    individual = target_services.targets_of(campaign.id, AppliesTo.INDIVIDUALS)
    chosen = rng.sample(units, len(PERSONS))
    rows = []
    for index, ((name, title, achievements), unit) in enumerate(zip(PERSONS, chosen)):
        sent_at = _office_moment(date(2023, 10, rng.randint(10, 30)), rng)
        decided = index not in PERSON_WAITING
        rows.append({
            "campaign_id": campaign.id, "unit_id": unit.id, "full_name": name, "job_title": title,
            "rating": "xuat_sac" if index % 3 == 0 else "tot", "achievements": achievements,
            "targets_met": {str(t.id): (t.mandatory or index % 2 == 0) for t in individual},
            "state": (PersonState.DECLINED if index in PERSON_DECLINED
                      else PersonState.ACCEPTED if decided else PersonState.SENT),
            "decision_reason": PERSON_DECLINED.get(index, ""), "version": 1,
            "created_at": sent_at - timedelta(days=2), "updated_at": sent_at - timedelta(days=1),
            "updated_by_id": accounts[(unit.code, Role.UNIT_EDITOR)].id, "sent_at": sent_at,
            "sent_by_id": accounts[(unit.code, Role.UNIT_HEAD)].id,
            "decided_at": _office_moment(date(2023, 11, rng.randint(1, 10)), rng) if decided else None,
            "decided_by_id": office.id if decided else None,
        })
    db.session.execute(sa.insert(OutstandingPerson), rows)


# The 2024 drafts: (unit code, how many of its targets the editor has entered; None: all).
DRAFTS_2024 = [("thpt-chu-van-an", 2), ("thpt-kim-lien", None)]
OTHER_DRAFT_UNITS_2024 = 4


def load_2024(campaign: Campaign, accounts, office, rng: random.Random) -> int:
    """The default targets of the open 2024 campaign and a handful of drafts (not sent: the round is open)."""
    target_services.apply_default_targets(campaign, actor=office)
    index_of = {row[0]: position for position, row in enumerate(SEED_001)}
    targets = [t for t in target_services.targets_of(campaign.id, AppliesTo.UNITS) if not t.automatic]
    round_ = db.session.get(TargetRound, targets[0].round_id)
    by_code = {u.code: u for u in db.session.scalars(
        sa.select(Unit).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id, Unit.parent_id.is_not(None)).order_by(Unit.code))}
    named = dict(DRAFTS_2024)
    others = rng.sample([code for code in by_code if code not in named], OTHER_DRAFT_UNITS_2024)
    saved = 0
    for code in [*named, *others]:
        unit = by_code[code]
        applying = target_services.applicable(targets, unit)[: named.get(code) or None]
        entries = {}
        for target in applying:
            value, numerator, denominator, note = _value_for(index_of[target.name], target,
                                                             rng.random() >= NOT_MET_SHARE, rng)
            entries[target.id] = (target_services.Entry(None, Decimal(numerator), Decimal(denominator), note)
                                  if numerator is not None else target_services.Entry(value, None, None, note))
        saved += target_services.save_values(campaign, unit, round_, entries,
                                             actor=accounts[(unit.code, Role.UNIT_EDITOR)])
    # Units propose their outstanding persons until the Đợt 2 deadline; one school has begun.
    campaign.individuals_deadline = campaign.report_deadline
    school = by_code["thpt-chu-van-an"]
    person_services.save_person(campaign, school, None, {
        "full_name": "Nguyễn Thu Hà", "job_title": "Giáo viên Tin học", "rating": "xuat_sac",
        "achievements": "Hướng dẫn giáo viên ký số học bạ; xây dựng trang quản lý thiết bị bằng mã QR.",
        "targets_met": {str(t.id): True for t in target_services.targets_of(campaign.id, AppliesTo.INDIVIDUALS)
                        if t.mandatory}}, actor=accounts[(school.code, Role.UNIT_EDITOR)])
    return saved
