"""Demo data: a realistic Sở GD&ĐT with a closed 2023 campaign and a 2024 campaign open now.

Units come from demo_data/units-hanoi.csv through the same import the secretariat uses.
Initiatives come from the answers of the 2023 Google Forms (demo_data/dk_*.csv) and go
through the same services and state machine as a user's clicks, at the moments the
answers were sent; late answers are preceded by the extension the office would grant.
Every unit reports its values of the 2023 targets and the office checks them (demo_targets).
The 2023 campaign then goes to its end the same way: committee, rubric and commendation levels, assignment, the reviewers' scores (seeded, so every load gives the same ones),
the shortlist, the award list approved by the leader and the decision.
"""
from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from thidua import timeutil
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns import services as campaign_services
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.phases import Phase
from thidua.registration import services as registration_services
from thidua.text import fold
from thidua.timeutil import end_of_day_utc, local_today, start_of_day_utc, utcnow, zone
from thidua.units.importer import apply_plan, plan_import
from thidua.units.models import Unit
from thidua.workflow import State, transition

DATA = Path(__file__).parent / "demo_data"
PASSWORD = "thidua2024"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    full_name: str
    unit_code: str
    note: str
    label: str = ""  # the role as printed, when not the role's own name (a ward's leader)

    @property
    def role_label(self) -> str:
        return self.label or self.role.label


LOGINS = [
    DemoLogin("vanphong", Role.SECRETARIAT, "Nguyễn Thị Thu Hà", "van-phong", "Bộ phận Thường trực CCHC"),
    DemoLogin("giamdoc", Role.LEADER, "Trần Thế Cương", "so-gddt-ha-noi", "Lãnh đạo Sở, phê duyệt"),
    DemoLogin("hoidong", Role.REVIEWER, "Lê Minh Tuấn", "phong-tccb", "thành viên Hội đồng"),
    DemoLogin("hoidong2", Role.REVIEWER, "Nguyễn Thị Minh Nguyệt", "so-gddt-ha-noi", "Chủ tịch Hội đồng năm 2023"),
    DemoLogin("hoidong3", Role.REVIEWER, "Vũ Đức Thắng", "phong-gdtrh", "thành viên Hội đồng"),
    DemoLogin("hoidong4", Role.REVIEWER, "Hoàng Thị Lan Anh", "phong-cntt", "thành viên Hội đồng"),
    DemoLogin("hoidong5", Role.REVIEWER, "Đặng Văn Khoa", "thanh-tra", "thành viên Hội đồng"),
    DemoLogin("chuvanan.canbo", Role.UNIT_EDITOR, "Phạm Thu Trang", "thpt-chu-van-an", "cán bộ đầu mối, THPT Chu Văn An"),
    DemoLogin("chuvanan.hieutruong", Role.UNIT_HEAD, "Nguyễn Văn Hiền", "thpt-chu-van-an", "Hiệu trưởng, THPT Chu Văn An"),
    DemoLogin("kimlien.hieutruong", Role.UNIT_HEAD, "Đỗ Thị Hải Yến", "thpt-kim-lien", "Hiệu trưởng, THPT Kim Liên"),
]

KIND_BY_WORD = {"mo hinh": "mo_hinh", "giai phap": "giai_phap", "sang kien": "sang_kien"}
AREA_HINTS = [
    ("the_che", ["the che"]),
    ("tthc", ["thu tuc hanh chinh"]),
    ("to_chuc_bo_may", ["to chuc bo may"]),
    ("cong_vu", ["che do cong vu"]),
    ("tai_chinh_cong", ["tai chinh cong"]),
    ("chinh_quyen_so", ["chinh quyen dien tu", "chinh quyen so", "chinh phu dien tu", "chinh phu so"]),
    ("chi_dao_dieu_hanh", ["chi dao, dieu hanh", "chi dao dieu hanh"]),
    ("de_an_06", ["de an 06"]),
    ("khac", ["khac"]),
]


def guess_area(answer: str) -> str:
    folded = fold(answer)
    found = [(folded.find(hint), code) for code, hints in AREA_HINTS for hint in hints if hint in folded]
    return min(found)[1] if found else "khac"


def parse_day(value: str) -> date | None:
    try:
        return datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def parse_moment(value: str) -> datetime:
    local = datetime.strptime(value.strip(), "%d/%m/%Y %H:%M:%S").replace(tzinfo=zone())
    return local.astimezone(zone("UTC")).replace(tzinfo=None)


def form_answers() -> list[dict]:
    rows = []
    for name in ("dk_khoicacphongthuocso.csv", "dk_khoitructhuoc.csv"):
        with open(DATA / name, encoding="utf-8", newline="") as handle:
            rows.extend(row for row in csv.DictReader(handle) if (row.get("Tên mô hình, giải pháp, sáng kiến") or "").strip())
    return rows


def answer_values(row: dict) -> dict:
    kind = KIND_BY_WORD.get(fold(row["Loại (Mô hình/Giải pháp/Sáng kiến)"]), "giai_phap")
    return {
        "kind": kind,
        "title": " ".join(row["Tên mô hình, giải pháp, sáng kiến"].split())[:500],
        "area": guess_area(row["Lĩnh vực CCHC"]),
        "need": row["Sự cần thiết"].strip(),
        "objectives": row["Mục tiêu"].strip(),
        "content": row["Nội dung thực hiện"].strip(),
        "start_date": parse_day(row["Thời gian bắt đầu"]),
        "end_date": parse_day(row["Thời gian hoàn thành"]),
        "expected_results": row["Kết quả dự kiến"].strip(),
        "author_type": "tap_the",
        "collective_name": row["Cá nhân/Tập thể thực hiện"].strip()[:255],
        "people_in_charge": f"{row['Họ và tên người đăng ký'].strip()}, {row['Chức vụ'].strip()}",
        "contact_name": row["Họ và tên người đăng ký"].strip(),
        "contact_position": row["Chức vụ"].strip(),
        "contact_phone": row["Số điện thoại"].strip()[:40],
    }


def _match_unit(row: dict, by_email: dict[str, Unit], by_name: dict[str, Unit]) -> Unit | None:
    unit = by_email.get(row["Địa chỉ email"].strip().lower())
    if unit is not None:
        return unit
    typed = fold(row["Tên đơn vị"])
    for prefix in ("truong ",):
        typed = typed.removeprefix(prefix)
    return by_name.get(typed)


def load(*, today: date | None = None, seed: int = 2023) -> list[DemoLogin]:
    """Fill an empty database with the demo. Returns the logins to print."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Unit)):
        raise RuntimeError("Cơ sở dữ liệu đã có dữ liệu; dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống.")
    rng = random.Random(seed)
    today = today or local_today()

    plan = plan_import("units-hanoi.csv", (DATA / "units-hanoi.csv").read_bytes())
    apply_plan(plan, actor=None)
    units = db.session.scalars(sa.select(Unit)).all()
    by_code = {u.code: u for u in units}
    root = by_code["so-gddt-ha-noi"]

    # One hash for every demo account: hashing is deliberately slow.
    password_hash = generate_password_hash(PASSWORD)
    accounts: dict[tuple[str, Role], User] = {}

    def account(username: str, role: Role, full_name: str, unit: Unit, job_title: str = "") -> User:
        unit_role = role in (Role.UNIT_HEAD, Role.UNIT_EDITOR)
        user = User(username=username, role=role.value, full_name=full_name, unit_id=unit.id, job_title=job_title,
                    email=unit.email if unit_role else "", password_hash=password_hash,
                    organiser_id=None if unit_role else root.id)
        db.session.add(user)
        accounts[(unit.code, role)] = user
        return user

    for login in LOGINS:
        account(login.username, login.role, login.full_name, by_code[login.unit_code],
                "Hiệu trưởng" if login.role == Role.UNIT_HEAD else "")
    for unit in units:
        if unit.parent_id is None:
            continue
        if (unit.code, Role.UNIT_HEAD) not in accounts:
            account(f"{unit.code}.ht", Role.UNIT_HEAD, f"Thủ trưởng {unit.display_name}", unit, "Thủ trưởng đơn vị")
        if (unit.code, Role.UNIT_EDITOR) not in accounts:
            account(f"{unit.code}.cb", Role.UNIT_EDITOR, f"Cán bộ đầu mối {unit.display_name}", unit, "Cán bộ đầu mối")
    db.session.flush()
    office = accounts[("van-phong", Role.SECRETARIAT)]

    groups = {(u.block, u.unit_type) for u in units if u.parent_id is not None}
    answers = form_answers()
    by_email = {u.email.lower(): u for u in units if u.email}
    by_name = {fold(u.short_name).removeprefix("truong "): u for u in units}
    by_name.update({fold(u.name).removeprefix("truong "): u for u in units})

    # 2023: the plan's own dates; every answer registered when it was sent.
    c2023 = campaign_services.create_campaign(
        actor=office, organiser=root, name="Phong trào thi đua “Cải cách hành chính” năm 2023", year=2023,
        period="2023–2025", plan_reference="Kế hoạch phát động phong trào thi đua “Cải cách hành chính” giai đoạn 2023 - 2025",
        launch_date=date(2023, 8, 1), registration_deadline=date(2023, 8, 25), report_deadline=date(2023, 10, 31),
        city_report_deadline=date(2023, 11, 15), min_initiatives_per_unit=1,
        description="Đợt 1 đăng ký đến 25/8/2023; Đợt 2 thực hiện và báo cáo kết quả đến 31/10/2023.",
    )
    campaign_services.set_participants(c2023, groups, actor=office)
    seen_titles = set()
    used_2023 = set()
    for row in sorted(answers, key=lambda r: parse_moment(r["Dấu thời gian"])):
        unit = _match_unit(row, by_email, by_name)
        values = answer_values(row)
        if unit is None or (unit.id, fold(values["title"])) in seen_titles:
            continue
        seen_titles.add((unit.id, fold(values["title"])))
        sent = parse_moment(row["Dấu thời gian"])
        _register(c2023, unit, values, sent, accounts, office)
        used_2023.add(unit.id)

    _report_2023(c2023, by_email, by_name, accounts, office)
    # The targets of 2023, reported by every unit and checked before the committee met.
    from thidua import demo_targets
    demo_targets.load_2023(c2023, accounts, office, random.Random(f"targets-{seed}"))
    reviewers = [accounts[(login.unit_code, Role.REVIEWER)] for login in LOGINS if login.role == Role.REVIEWER]
    _review_2023(c2023, reviewers, office, accounts[("so-gddt-ha-noi", Role.LEADER)], random.Random(f"review-{seed}"))
    _publish_2023(c2023, office)

    # 2024: open now, relative to today, with a realistic spread of progress.
    launch = today - timedelta(days=14)
    c2024 = campaign_services.create_campaign(
        actor=office, organiser=root, name="Phong trào thi đua “Cải cách hành chính” năm 2024", year=2024,
        period="2023–2025", plan_reference="Kế hoạch phát động phong trào thi đua “Cải cách hành chính” giai đoạn 2023 - 2025",
        launch_date=launch, registration_deadline=today + timedelta(days=10),
        report_deadline=today + timedelta(days=70), review_deadline=today + timedelta(days=80),
        city_report_deadline=today + timedelta(days=85),
        min_initiatives_per_unit=1, description="Đơn vị đăng ký ít nhất 01 mô hình, giải pháp, sáng kiến về CCHC.",
    )
    campaign_services.set_participants(c2024, groups, actor=office)
    now = utcnow()
    keep_free = {by_code["thpt-chu-van-an"].id}
    pool = [a for a in answers]
    rng.shuffle(pool)
    participants = [u for u in units if u.parent_id is not None and u.id not in keep_free]
    rng.shuffle(participants)
    for index, unit in enumerate(participants[: int(len(participants) * 0.55)]):
        values = {**answer_values(pool[index % len(pool)]), "start_date": launch + timedelta(days=rng.randint(15, 30)),
                  "end_date": c2024.report_deadline}
        # Office hours and evenings, on a day between the launch and today.
        day = launch + timedelta(days=rng.randint(1, max(1, (today - launch).days - 1)))
        moment = start_of_day_utc(day) + timedelta(hours=rng.randint(7, 21), minutes=rng.randint(0, 59))
        moment = min(moment, now - timedelta(minutes=5))
        submit = index % 5 != 0  # one in five still a draft
        _register(c2024, unit, values, moment, accounts, office, submit=submit)
    db.session.flush()
    # The 2024 targets, with a few units' drafts (THPT Chu Văn An's and THPT Kim Liên's among them).
    demo_targets.load_2024(c2024, accounts, office, random.Random(f"targets-2024-{seed}"))

    # A ward under the Sở, with its own schools and its own (finished) 2024 campaign feeding the Sở's.
    from thidua.demo_ward import load_ward
    load_ward(root, c2024, today=today, password_hash=password_hash, seed=seed)
    return all_logins()


def all_logins() -> list[DemoLogin]:
    """The Sở's logins, then the ward's."""
    from thidua.demo_ward import WARD_LOGINS
    return [*LOGINS, *WARD_LOGINS]


SELF_ASSESSMENT_BY_WORDS = {
    "hoan thanh xuat sac": "xuat_sac", "hoan thanh tot": "tot", "hoan thanh": "hoan_thanh",
    "chua hoan thanh": "chua_hoan_thanh",
}


def _report_2023(campaign: Campaign, by_email, by_name, accounts, office) -> None:
    """The results reports of 2023, from the answers of the report form, sent when they were sent."""
    from thidua.registration.models import Initiative
    from thidua.results.services import save_report

    with open(DATA / "bckq_mohinhgiaiphap.csv", encoding="utf-8", newline="") as handle:
        answers = [row for row in csv.DictReader(handle) if (row.get("Tên đơn vị") or "").strip()]
    registered = db.session.scalars(
        sa.select(Initiative).where(Initiative.campaign_id == campaign.id, Initiative.status == State.REGISTERED.value)
    ).all()
    by_unit: dict[int, list[Initiative]] = {}
    for initiative in registered:
        by_unit.setdefault(initiative.unit_id, []).append(initiative)
    done: set[int] = set()
    for row in sorted(answers, key=lambda r: parse_moment(r["Dấu thời gian"])):
        unit = _match_unit(row, by_email, by_name)
        if unit is None or unit.id not in by_unit:
            continue
        typed = fold(row["Tên mô hình, giải pháp, sáng kiến đã đăng ký"])
        candidates = [i for i in by_unit[unit.id] if i.id not in done]
        initiative = next((i for i in candidates if fold(i.title)[:30] in typed or typed[:30] in fold(i.title)),
                          candidates[0] if len(candidates) == 1 else None)
        if initiative is None:
            continue
        sent = parse_moment(row["Dấu thời gian"])
        if sent >= end_of_day_utc(campaign.report_deadline, campaign.timezone):
            campaign_services.grant_extension(
                campaign, unit, Phase.REPORT, sent.date() + timedelta(days=1),
                "Đơn vị đề nghị gia hạn báo cáo để bổ sung số liệu minh chứng.", actor=office,
            )
        before, after = row["Số liệu trước khi áp dụng"].strip(), row["Số liệu sau khi áp dụng"].strip()
        achievements = row["Kết quả đạt được"].strip()
        if before or after:
            achievements += f"\nTrước khi áp dụng: {before or '—'}.\nSau khi áp dụng: {after or '—'}."
        values = {
            "progress": "hoan_thanh",
            "achievements": achievements,
            "effect_citizens": row["Hiệu quả"].strip(),
            "replication_units": row["Khả năng nhân rộng"].strip(),
            "self_assessment": SELF_ASSESSMENT_BY_WORDS.get(fold(row["Tự đánh giá mức độ hoàn thành"]), "hoan_thanh"),
            "people_in_charge": f"{row['Họ và tên người báo cáo'].strip()}, {row['Chức vụ'].strip()}",
            "evidence_links": row["Minh chứng (đường link)"].strip() or "Hồ sơ lưu tại đơn vị.",
        }
        editor = accounts[(unit.code, Role.UNIT_EDITOR)]
        save_report(initiative, actor=editor, values=values, indicators=[], expected_version=None,
                    now=sent - timedelta(hours=1))
        transition(initiative, State.REPORTED, actor=accounts[(unit.code, Role.UNIT_HEAD)], now=sent)
        done.add(initiative.id)


def _register(campaign: Campaign, unit: Unit, values: dict, moment: datetime, accounts, office,
              *, submit: bool = True) -> None:
    head = accounts[(unit.code, Role.UNIT_HEAD)]
    editor = accounts[(unit.code, Role.UNIT_EDITOR)]
    if moment >= end_of_day_utc(campaign.registration_deadline, campaign.timezone):
        late_day = moment.date() + timedelta(days=1)
        campaign_services.grant_extension(
            campaign, unit, Phase.REGISTRATION, late_day,
            "Đơn vị đề nghị gia hạn do cán bộ đầu mối nghỉ ốm, đã có văn bản giải trình.", actor=office,
        )
    # The Google Form let people skip the dates; the plan's phase-2 deadline is the natural end.
    values = {**values, "start_date": values["start_date"] or campaign.registration_deadline,
              "end_date": values["end_date"] or campaign.report_deadline}
    initiative = registration_services.create_initiative(
        campaign, unit, actor=editor, values=values, authors=[], now=moment - timedelta(hours=2)
    )
    if submit:
        transition(initiative, State.REGISTERED, actor=head, now=moment)


# --- 2023: the committee's review and the commendation ---------------------------------------------

@contextmanager
def _clock_at(local: datetime) -> Iterator[datetime]:
    """Stop the application's clock at a local moment (Asia/Ho_Chi_Minh) of 2023 for the services that read
    it; the clock is given back as it was (running, or stopped by a test) afterwards."""
    moment = local.replace(tzinfo=zone()).astimezone(zone("UTC")).replace(tzinfo=None)
    previous = timeutil.freeze(moment)
    try:
        yield moment
    finally:
        timeutil.freeze(previous)


# The reviewers' working days, 14–24/11/2023 (Monday to Friday).
REVIEW_DAYS = [date(2023, 11, 14) + timedelta(days=n) for n in range(11)
               if (date(2023, 11, 14) + timedelta(days=n)).weekday() < 5]
# Where an initiative's quality starts, from the unit's own assessment in the results report.
BASE_BY_SELF_ASSESSMENT = {"xuat_sac": 82, "tot": 77, "hoan_thanh": 71, "chua_hoan_thanh": 62}
LEVELS_2023 = [("Bằng khen của Chủ tịch UBND Thành phố", Decimal(90), 3),
               ("Giấy khen của Giám đốc Sở", Decimal(80), 10)]
# Each form of commendation by its own authority: the Sở's Giấy khen at once, UBND Thành phố's Bằng khen later.
DECISION_2023 = ("1234/QĐ-SGDĐT", date(2023, 11, 30), "Trần Thế Cương, Giám đốc Sở")
CITY_DECISION_2023 = ("5120/QĐ-UBND", date(2023, 12, 22), "Phó Chủ tịch UBND Thành phố")
REVIEW_COMMENTS = [
    (88, "Giải pháp mới, hiệu quả rõ, có số liệu trước và sau khi áp dụng; đề nghị nhân rộng trong toàn ngành."),
    (80, "Giải pháp thiết thực, có minh chứng; khả năng nhân rộng tốt tại các đơn vị cùng loại."),
    (70, "Có kết quả bước đầu; cần bổ sung số liệu đánh giá hiệu quả sau khi áp dụng."),
    (0, "Cải tiến nhỏ so với cách làm trước đây; minh chứng chưa đầy đủ."),
]


def _half(value: float) -> Decimal:
    return Decimal(round(value * 2)) / 2


def _scores(criteria, target: float, rng: random.Random) -> dict[int, tuple[Decimal, str]]:
    """One reviewer's scores: each criterion near `target` percent of its maximum, in steps of 0,5."""
    scores = {}
    for criterion in criteria:
        value = criterion.max_score * (target + rng.gauss(0, 5)) / 100
        scores[criterion.id] = (min(Decimal(criterion.max_score), max(Decimal(0), _half(value))), "")
    return scores


def public_summary(initiative, report) -> str:
    """The text the secretariat writes for the gallery (the page shows the results report beside it): the aim,
    the steps as a numbered list, where else it applies. Markdown as the office types it, each list right
    under its bold heading."""
    parts = [f"**Mục tiêu:** {initiative.objectives.strip()}"] if initiative.objectives.strip() else []
    content = (initiative.content or "").strip()
    steps = [step.strip().rstrip(";.").strip() for step in re.split(r"(?:^|;?\s+)\d+\.\s+", content)]
    steps = [step for step in steps if step]
    if len(steps) > 1:
        parts.append("**Cách làm:**\n" + "\n".join(f"{n}. {step}." for n, step in enumerate(steps, start=1)))
    elif content:
        parts.append(f"**Cách làm:** {content}")
    if report is not None and (report.replication_units or "").strip():
        parts.append(f"**Khả năng nhân rộng:** {report.replication_units.strip()}")
    return "\n\n".join(parts)


def _publish_2023(campaign: Campaign, office: User) -> None:
    """After each decision, the secretariat publishes the models it awarded, with a public summary and the
    evidence files the unit sent, for other units to replicate (the office's own service, at that moment)."""
    from thidua.awards.models import AwardDecision, AwardEntry
    from thidua.gallery import services as gallery
    from thidua.registration.models import Initiative
    from thidua.results.models import EvidenceFile, ResultReport

    awarded = db.session.execute(
        sa.select(Initiative, AwardDecision.recorded_at)
        .join(AwardEntry, AwardEntry.initiative_id == Initiative.id)
        .join(AwardDecision, sa.and_(AwardDecision.award_list_id == AwardEntry.award_list_id,
                                     AwardDecision.level_id == AwardEntry.level_id))
        .where(Initiative.campaign_id == campaign.id, Initiative.status == State.AWARDED.value)
        .order_by(AwardDecision.recorded_at, AwardEntry.position, Initiative.id)).all()
    reports = {r.initiative_id: r for r in db.session.scalars(
        sa.select(ResultReport).where(ResultReport.initiative_id.in_([i.id for i, _ in awarded])))}
    files: dict[int, list[int]] = {}
    for evidence in db.session.scalars(sa.select(EvidenceFile).where(
            EvidenceFile.initiative_id.in_([i.id for i, _ in awarded])).order_by(EvidenceFile.id)):
        files.setdefault(evidence.initiative_id, []).append(evidence.id)
    day, position = None, 0
    for initiative, recorded_at in awarded:
        recorded = recorded_at.replace(tzinfo=zone("UTC")).astimezone(zone()).date()
        position = position + 1 if recorded == day else 0
        day = recorded
        # The afternoon after the decision was recorded, one model every few minutes.
        local = datetime(recorded.year, recorded.month, recorded.day) + timedelta(days=1, hours=14,
                                                                                minutes=7 * position)
        with _clock_at(local) as moment:
            gallery.publish_initiative(initiative, actor=office, title=initiative.title,
                                       summary=public_summary(initiative, reports.get(initiative.id)),
                                       public_file_ids=files.get(initiative.id, []), now=moment)


@dataclass(frozen=True)
class ReviewSchedule:
    """When a committee set up, scored, shortlisted, listed, approved and decided (local moments)."""
    setup_at: datetime
    assign_at: datetime
    review_days: list[date]
    chair: str
    levels: list[tuple[str, Decimal, int, bool]]  # name, minimum score, maximum count, proposed upward
    shortlist_at: datetime
    compile_at: datetime
    submit_at: datetime
    approve_at: datetime
    decisions: list[tuple[datetime, bool, tuple[str, date, str]]]  # moment, upward, (number, day, signer)


SCHEDULE_2023 = ReviewSchedule(
    # After the last results report (10/11, under an extension), before the report to UBND Thành phố is due.
    setup_at=datetime(2023, 11, 13, 8, 30), assign_at=datetime(2023, 11, 13, 15, 0), review_days=REVIEW_DAYS,
    chair="hoidong2", levels=[(name, minimum, count, "UBND" in name) for name, minimum, count in LEVELS_2023],
    shortlist_at=datetime(2023, 11, 27, 9, 0), compile_at=datetime(2023, 11, 27, 14, 30),
    submit_at=datetime(2023, 11, 27, 16, 0), approve_at=datetime(2023, 11, 28, 10, 15),
    decisions=[(datetime(2023, 11, 30, 16, 0), False, DECISION_2023),
               (datetime(2023, 12, 26, 9, 0), True, CITY_DECISION_2023)],
)


def _review_2023(campaign: Campaign, reviewers: list[User], office: User, leader: User, rng: random.Random) -> None:
    _review(campaign, reviewers, office, leader, rng, SCHEDULE_2023)


def _review(campaign: Campaign, reviewers: list[User], office: User, leader: User, rng: random.Random,
            schedule: ReviewSchedule) -> None:
    """The committee scores every reported initiative; the best are shortlisted and awarded."""
    from thidua.awards import services as awards
    from thidua.results.models import ResultReport
    from thidua.review import assigning, ranking, scoring
    from thidua.review import committee as committee_setup, levels as levels_setup, rubric as rubric_setup
    from thidua.review.models import Assignment

    with _clock_at(schedule.setup_at):
        for reviewer in reviewers:
            committee_setup.add_member(campaign, reviewer, actor=office, chair=reviewer.username == schedule.chair)
        committee_setup.update_settings(campaign, actor=office, reviewers_per_initiative=2, blind_review=False,
                              disagreement_threshold=15)
        rubric_setup.apply_default_rubric(campaign, actor=office)
        for name, min_score, max_count, upward in schedule.levels:
            levels_setup.save_level(campaign, actor=office, name=name, min_score=min_score, max_count=max_count,
                             proposed_upward=upward, authority="UBND Thành phố" if upward else "")
    with _clock_at(schedule.assign_at):
        plan = assigning.run_auto_assignment(campaign, actor=office)
        if not plan.ok:
            raise RuntimeError("Không phân công được Hội đồng chấm điểm: " + " ".join(plan.problems))

    criteria = scoring.criteria_of(campaign.id)
    assignments = db.session.scalars(
        sa.select(Assignment).where(Assignment.campaign_id == campaign.id).order_by(Assignment.id)).all()
    assessed = dict(db.session.execute(
        sa.select(ResultReport.initiative_id, ResultReport.self_assessment)
        .where(ResultReport.initiative_id.in_({a.initiative_id for a in assignments}))).all())
    quality = {}
    for initiative_id in sorted({a.initiative_id for a in assignments}):
        base = BASE_BY_SELF_ASSESSMENT.get(assessed.get(initiative_id, ""), 71)
        quality[initiative_id] = min(97.0, max(58.0, rng.gauss(base, 6.5)))
    leniency = {reviewer.id: rng.uniform(-2.5, 2.5) for reviewer in reviewers}
    by_id = {reviewer.id: reviewer for reviewer in reviewers}
    timed = []
    for assignment in assignments:
        day = rng.choice(schedule.review_days)
        moment = datetime(day.year, day.month, day.day) + timedelta(minutes=rng.randint(8 * 60, 17 * 60 + 30))
        target = quality[assignment.initiative_id] + leniency[assignment.reviewer_id] + rng.gauss(0, 3)
        timed.append((moment, assignment.id, assignment, _scores(criteria, target, rng)))
    # In the order they were sent: the last of an initiative's reviews completes its scoring (complete_review).
    for local, _, assignment, scores in sorted(timed, key=lambda item: item[:2]):
        total = sum(score for score, _ in scores.values())
        comment = next(text for floor, text in REVIEW_COMMENTS if total >= floor)
        with _clock_at(local) as moment:
            scoring.save_review(assignment, actor=by_id[assignment.reviewer_id], scores=scores, comment=comment,
                                expected_version=None, submit=True, now=moment)

    with _clock_at(schedule.shortlist_at):
        ranking.apply_proposal(campaign, actor=office)
    with _clock_at(schedule.compile_at):
        compiled = awards.compile_award_list(campaign, actor=office)
    db.session.expire(compiled)  # each later step reads the list as its page does, entries and initiatives loaded
    with _clock_at(schedule.submit_at):
        awards.submit_award_list(awards.load_award_list(campaign.id), actor=office)
    with _clock_at(schedule.approve_at):
        awards.approve_award_list(awards.load_award_list(campaign.id), actor=leader)
    levels = {lv.proposed_upward: lv for lv in levels_setup.levels(campaign.id)}
    for moment, upward, (number, day, signer) in schedule.decisions:
        with _clock_at(moment):
            award_list = awards.load_award_list(campaign.id)
            if upward in levels and any(e.level_id == levels[upward].id for e in award_list.entries):
                awards.record_decision(award_list, levels[upward], number, day, signer, actor=office,
                                       organiser_name=campaign.organiser.name)
