"""Importing Google Forms answers into a campaign: plan (the dry run), then apply.

    batch = create_batch(campaign, filename, data, kind=..., actor=user)
    plan = plan_batch(batch)            # what would happen, row by row; writes nothing
    counts = apply_batch(batch, actor=user)   # the same plan, then the writes; caller commits

apply_batch() builds the plan again from the database as it is now, refuses if anything
still needs the user (a column, a unit), and writes every record or raises before the
caller commits: one transaction, all or nothing. A record already made from an earlier
import (same unit and title for a registration, same initiative for a report) is left
alone and reported as "đã nhập trước đây", so importing a file twice changes nothing.
"""
from __future__ import annotations

import difflib
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from thidua import audit, workflow
from thidua.auth.models import User
from thidua import progress
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db, in_vietnamese_order
from thidua.imports import columns, matching, parsing
from thidua.imports.models import BatchStatus, ImportBatch, ImportedRecord
from thidua.imports.parsing import FIELDS, REGISTRATION, REPORT, ImportFileError
from thidua.jobs.models import Job
from thidua.jobs.services import JobRefused, Progress, start_job
from thidua.registration.models import Initiative
from thidua.results.models import ResultReport
from thidua.storage import TooLarge, get_storage
from thidua.text import vietnamese_key
from thidua.timeutil import end_of_day_utc, format_date, format_moment, utcnow
from thidua.units.models import Unit
from thidua.workflow import State

MAX_BYTES = 10 * 1024 * 1024
SAME_TITLE = 0.95  # two titles of one unit this similar (a typo apart, same numbers) are one model
REPORT_TITLE_MIN = 0.72  # a report's title must be this close to a registered one

CREATE = "create"
REPORT_OUTCOME = "report"
SUPERSEDED = "superseded"
ALREADY = "already"
REFUSED = "refused"
SKIPPED = "skipped"
WAITING = "waiting"

OUTCOME_LABELS = {
    CREATE: "Tạo đề xuất (đã đăng ký)",
    REPORT_OUTCOME: "Tạo báo cáo kết quả",
    SUPERSEDED: "Được thay bằng câu trả lời sau",
    ALREADY: "Đã nhập trước đây",
    REFUSED: "Không nhập",
    SKIPPED: "Bỏ qua theo lựa chọn",
    WAITING: "Chờ chọn đơn vị",
}


class ImportRefused(JobRefused):
    """apply_batch() writes nothing; str() says why, in Vietnamese."""


@dataclass
class RowPlan:
    number: int
    values: dict[str, str]
    answers: dict[str, str]
    submitted_at: datetime | None = None
    match: matching.UnitMatch | None = None
    unit: Unit | None = None
    outcome: str = ""
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    initiative: Initiative | None = None
    replaces: list[int] = field(default_factory=list)
    title_key: str = ""
    source_key: str = ""

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    def refuse(self, reason: str) -> None:
        self.outcome = REFUSED
        self.reasons.append(reason)


@dataclass
class NameRow:
    """One distinct unit name as typed, how it matched, and the rows that carry it."""

    match: matching.UnitMatch
    choice_key: str
    rows: list[int] = field(default_factory=list)


@dataclass
class Plan:
    batch: ImportBatch
    headers: list[str] = field(default_factory=list)
    mapping: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    names: list[NameRow] = field(default_factory=list)
    empty_rows: list[int] = field(default_factory=list)
    new_participants: list[Unit] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)  # what the user may choose from
    samples: list[str] = field(default_factory=list)  # an answer of each column, to recognise it
    confidence: list[tuple[str, str]] = field(default_factory=list)  # (how sure, from what) per column

    @property
    def counts(self) -> Counter:
        return Counter(row.outcome for row in self.rows)

    @property
    def waiting_names(self) -> list[NameRow]:
        return [name for name in self.names if not name.match.resolved]

    @property
    def blocked(self) -> bool:
        return bool(self.problems or self.waiting_names)

    @property
    def blocking_message(self) -> str:
        if self.problems:
            return " ".join(self.problems)
        waiting = self.waiting_names
        if waiting:
            return (f"Còn {len(waiting)} tên đơn vị chưa xác định được "
                    f"({', '.join('“' + n.match.typed + '”' for n in waiting[:5])}{', ...' if len(waiting) > 5 else ''}). "
                    "Hãy chọn đơn vị cho từng tên, hoặc chọn bỏ qua các dòng đó; chưa có dữ liệu nào được nhập.")
        return ""

    @property
    def to_write(self) -> list[RowPlan]:
        return [row for row in self.rows if row.outcome in (CREATE, REPORT_OUTCOME)]

    @property
    def matched_by_how(self) -> Counter:
        return Counter(name.match.how for name in self.names)


# --------------------------------------------------------------------------- the batch


def read_upload(stream, filename: str | None) -> tuple[str, bytes]:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB; hãy tách thành nhiều tệp.")
    name = (filename or "google-forms.csv").replace("\\", "/").rsplit("/", 1)[-1][:255] or "google-forms.csv"
    return name, data


def create_batch(campaign: Campaign, filename: str, data: bytes, *, kind: str | None, actor) -> ImportBatch:
    """Check that the file is a readable export, store it, and record the batch with its guessed mapping.

    Raises ImportFileError (nothing stored) for a file that cannot be read at all.
    """
    sheet = parsing.read_sheet(data)
    kind = kind or parsing.guess_kind(sheet.headers)
    other = columns.other_form(sheet.headers, sheet.rows, kind)
    if other is not None:
        raise ImportFileError(
            f"Tệp này là {parsing.KIND_CHOICES[other].lower()} (có các câu hỏi "
            + ", ".join(f"“{h}”" for h, g in zip(sheet.headers, columns.recognise(sheet.headers, sheet.rows, other))
                        if g.field in columns.ONLY_IN[other])[:300]
            + f"), không phải {parsing.KIND_CHOICES[kind].lower()}. Chưa có dữ liệu nào được nhập. "
            f"Hãy chọn “{parsing.KIND_CHOICES[other]}” ở ô “Tệp chứa”, hoặc tải lên đúng tệp."
        )
    try:
        stored = get_storage().save(io.BytesIO(data), max_size=MAX_BYTES)
    except TooLarge as error:
        raise ImportFileError("Tệp quá lớn.") from error
    mapping = [g.field for g in columns.recognise(sheet.headers, sheet.rows, kind, recognise_unit=unit_recogniser())]
    moment = mapping.index("timestamp") if "timestamp" in mapping else 0
    timestamps = [row.cells[moment] for row in sheet.rows[:200] if len(row.cells) > moment]
    batch = ImportBatch(
        campaign_id=campaign.id, kind=kind, filename=filename, storage_key=stored.key, size=stored.size,
        sha256=stored.sha256, day_first=parsing.guess_day_first(timestamps),
        mapping=mapping,
        unit_choices=_earlier_choices(campaign, stored.sha256, kind), status=BatchStatus.CHECKED,
        created_by_id=actor.id, created_at=utcnow(),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def unit_recogniser():
    """Whether an answer is the name of a unit of the directory (as typed, or its short name)."""
    keys = set()
    for name, short_name in db.session.execute(sa.select(Unit.name, Unit.short_name).where(Unit.is_active.is_(True))):
        keys.add(matching.exact_key(name))
        if short_name:
            keys.add(matching.exact_key(short_name))
    return lambda answer: matching.exact_key(answer) in keys


def _earlier_choices(campaign: Campaign, sha256: str, kind: str) -> dict[str, int]:
    """The unit choices made on the last upload of the same file, so a re-upload keeps them."""
    earlier = db.session.scalar(
        sa.select(ImportBatch.unit_choices).where(
            ImportBatch.campaign_id == campaign.id, ImportBatch.sha256 == sha256, ImportBatch.kind == kind,
        ).order_by(ImportBatch.id.desc()).limit(1)
    )
    return dict(earlier or {})


def earlier_import_of_same_file(batch: ImportBatch) -> ImportBatch | None:
    return db.session.scalar(
        sa.select(ImportBatch).where(
            ImportBatch.campaign_id == batch.campaign_id, ImportBatch.sha256 == batch.sha256,
            ImportBatch.status == BatchStatus.IMPORTED, ImportBatch.id != batch.id,
        ).order_by(ImportBatch.id.desc()).limit(1)
    )


def set_choices(batch: ImportBatch, *, mapping: list[str], day_first: bool, unit_choices: dict[str, int]) -> None:
    batch.mapping = list(mapping)
    batch.day_first = day_first
    batch.unit_choices = {key: value for key, value in unit_choices.items() if value is not None}


def _read_file(batch: ImportBatch) -> bytes:
    with get_storage().open(batch.storage_key) as handle:
        return handle.read()


# --------------------------------------------------------------------------- the plan


def plan_batch(batch: ImportBatch, *, data: bytes | None = None) -> Plan:
    """What importing the batch would do now, row by row. Reads the database, writes nothing."""
    campaign = db.session.get(Campaign, batch.campaign_id)
    plan = Plan(batch)
    try:
        sheet = parsing.read_sheet(data if data is not None else _read_file(batch))
    except (ImportFileError, OSError) as error:
        plan.problems.append(str(error) if isinstance(error, ImportFileError) else
                             "Không đọc được tệp đã tải lên; hãy tải lên lại.")
        return plan
    plan.headers = sheet.headers
    plan.empty_rows = sheet.empty_rows
    plan.samples = [
        next((parsing.one_line(r.cells[i]) for r in sheet.rows[:20] if i < len(r.cells) and r.cells[i].strip()), "")
        for i in range(len(sheet.headers))
    ]
    guesses = columns.recognise(sheet.headers, sheet.rows, batch.kind, recognise_unit=unit_recogniser())
    mapping = list(batch.mapping or [g.field for g in guesses])
    mapping = (mapping + [""] * len(sheet.headers))[: len(sheet.headers)]
    plan.mapping = mapping
    # how sure the mapping is: the recogniser's word when the column is as it guessed, else the user's choice
    plan.confidence = [
        (g.confidence_label, g.reason_label) if g.field == chosen and chosen else
        (("Do người nhập chọn", "") if chosen else ("", ""))
        for g, chosen in zip(guesses, mapping, strict=True)
    ]
    plan.problems = parsing.mapping_problems(mapping, sheet.headers, batch.kind)
    if plan.problems:
        return plan

    for source in sheet.rows:
        cells = source.cells + [""] * (len(sheet.headers) - len(source.cells))
        values = {name: parsing.clean(cells[i]) for i, name in enumerate(mapping) if name}
        answers = {sheet.headers[i] or f"Cột {i + 1}": cells[i] for i in range(len(sheet.headers))}
        row = RowPlan(source.number, values, answers)
        row.submitted_at = parsing.parse_moment(values.get("timestamp", ""), day_first=batch.day_first,
                                                tz=campaign.timezone)
        if row.submitted_at is None:
            row.refuse(f"Dấu thời gian “{values.get('timestamp', '')}” không đọc được "
                       f"(cần dạng {'ngày/tháng/năm' if batch.day_first else 'tháng/ngày/năm'} giờ:phút:giây).")
        if not parsing.one_line(values.get("unit", "")):
            row.refuse("Thiếu tên đơn vị.")
        if not parsing.one_line(values.get("title", "")):
            row.refuse("Thiếu tên mô hình, giải pháp, sáng kiến.")
        plan.rows.append(row)

    _match_units(plan, campaign)
    if batch.kind == REGISTRATION:
        _plan_registrations(plan, campaign)
    else:
        _plan_reports(plan, campaign)
    return plan


def _match_units(plan: Plan, campaign: Campaign) -> None:
    participants = db.session.scalars(
        sa.select(Unit).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id).order_by(in_vietnamese_order(Unit.name))
    ).all()
    others = db.session.scalars(
        sa.select(Unit).where(Unit.is_active.is_(True), Unit.id != campaign.organiser_id).order_by(in_vietnamese_order(Unit.name))
    ).all()
    participant_ids = {u.id for u in participants}
    by_id = {u.id: u for u in [*participants, *others]}
    plan.units = sorted(by_id.values(), key=lambda u: (vietnamese_key(u.block), vietnamese_key(u.name)))
    matcher = matching.UnitMatcher(participants, others)
    names: dict[str, NameRow] = {}
    choices = plan.batch.unit_choices or {}
    for row in plan.rows:
        typed = parsing.one_line(row.values.get("unit", ""))
        if not typed:
            continue
        choice_key = matching.exact_key(typed)
        if choice_key not in names:
            found = matcher.match(typed)
            chosen = choices.get(choice_key)
            if chosen == 0:
                found = matching.UnitMatch(typed, None, matching.SKIPPED, 0.0, found.candidates)
            elif chosen in by_id:
                found = matching.UnitMatch(typed, by_id[chosen], matching.CHOSEN, 1.0, found.candidates)
            names[choice_key] = NameRow(found, choice_key)
        name = names[choice_key]
        name.rows.append(row.number)
        row.match = name.match
        row.unit = name.match.unit
        if row.outcome == REFUSED:
            continue
        if name.match.how == matching.SKIPPED:
            row.outcome = SKIPPED
            row.reasons.append("Đơn vị không có trong danh mục; người nhập chọn bỏ qua.")
        elif not name.match.resolved:
            row.outcome = WAITING
            row.reasons.append(f"{name.match.how_label}: chọn đơn vị cho tên “{typed}” ở bảng Đơn vị.")
    plan.names = sorted(names.values(), key=lambda n: (n.match.resolved, n.match.how, n.match.typed))
    new = {row.unit.id: row.unit for row in plan.rows if row.unit is not None and row.unit.id not in participant_ids
           and row.outcome not in (REFUSED, SKIPPED)}
    plan.new_participants = sorted(new.values(), key=lambda u: vietnamese_key(u.name))
    for row in plan.rows:
        if row.unit is not None and row.unit.id in new:
            row.notes.append("Đơn vị chưa có trong danh sách tham gia phong trào; sẽ được thêm khi nhập.")


def _source_key(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:40]


def _imported_keys(campaign: Campaign, kind: str) -> dict[str, int]:
    return dict(db.session.execute(
        sa.select(ImportedRecord.source_key, ImportedRecord.batch_id)
        .where(ImportedRecord.campaign_id == campaign.id, ImportedRecord.kind == kind)
    ).all())


def _ready(plan: Plan) -> list[RowPlan]:
    """Rows with a unit and a moment, oldest answer first (the form's order, then the file's)."""
    rows = [row for row in plan.rows if not row.outcome and row.unit is not None]
    return sorted(rows, key=lambda r: (r.submitted_at, r.number))


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _same_title(a: str, b: str) -> bool:
    """One model typed twice: a few characters apart, and the same numbers ("2023" is not "2024")."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 3 or [t for t in a.split() if t.isdigit()] != [t for t in b.split() if t.isdigit()]:
        return False
    return _similar(a, b) >= SAME_TITLE


def _supersede(groups: dict[object, list[RowPlan]], what: str) -> list[RowPlan]:
    """In each group the latest answer is kept; the earlier ones say which row replaced them."""
    kept = []
    for rows in groups.values():
        last = rows[-1]
        for earlier in rows[:-1]:
            earlier.outcome = SUPERSEDED
            earlier.reasons.append(
                f"Đơn vị gửi lại {what} ở dòng {last.number} ({format_moment(last.submitted_at)}); câu trả lời sau được giữ."
            )
            last.replaces.append(earlier.number)
        if last.replaces:
            last.notes.append("Thay cho câu trả lời trước ở dòng " + ", ".join(map(str, last.replaces)) + ".")
        kept.append(last)
    return kept


def _plan_registrations(plan: Plan, campaign: Campaign) -> None:
    imported = _imported_keys(campaign, REGISTRATION)
    existing = {
        (unit_id, parsing.title_key(title))
        for unit_id, title in db.session.execute(
            sa.select(Initiative.unit_id, Initiative.title).where(Initiative.campaign_id == campaign.id)
        )
    }
    late_from = end_of_day_utc(campaign.registration_deadline, campaign.timezone)
    groups: dict[tuple[int, str], list[RowPlan]] = {}
    titles_of_unit: dict[int, list[str]] = {}
    for row in _ready(plan):
        row.title_key = parsing.title_key(row.values["title"])
        group_key = (row.unit.id, row.title_key)
        if group_key not in groups:
            # A near-identical title of the same unit (a typo corrected) is the same model.
            same = next((key for key in titles_of_unit.get(row.unit.id, []) if _same_title(key, row.title_key)), None)
            if same is None:
                titles_of_unit.setdefault(row.unit.id, []).append(row.title_key)
            else:
                group_key = (row.unit.id, same)
        groups.setdefault(group_key, []).append(row)
    for row in _supersede(groups, "cùng mô hình"):
        row.source_key = _source_key(row.unit.id, row.title_key)
        if row.source_key in imported:
            row.outcome = ALREADY
            row.reasons.append(f"Đã nhập trước đây (lần nhập #{imported[row.source_key]}); không thay đổi gì.")
            continue
        if (row.unit.id, row.title_key) in existing:
            row.refuse("Đơn vị đã có đề xuất cùng tên trong phong trào (không phải từ tệp nhập); không tạo bản trùng.")
            continue
        row.outcome = CREATE
        _registration_notes(row, plan.batch, late_from, campaign)


def _registration_notes(row: RowPlan, batch: ImportBatch, late_from: datetime, campaign: Campaign) -> None:
    values = row.values
    if row.submitted_at >= late_from:
        row.notes.append(f"Gửi sau hạn Đợt 1 ({format_date(campaign.registration_deadline)}).")
    if values.get("kind") and parsing.parse_kind(values["kind"]) is None:
        row.notes.append(f"Loại “{values['kind']}” không rõ; ghi là Giải pháp.")
    elif not values.get("kind"):
        row.notes.append("Không chọn Loại; ghi là Giải pháp.")
    areas, unknown = parsing.split_areas(values.get("area", ""))
    if not areas:
        row.notes.append("Không chọn Lĩnh vực CCHC; ghi là Khác.")
    if unknown:
        row.notes.append("Lĩnh vực ngoài danh sách, ghi là Khác: " + "; ".join(unknown) + ".")
    for name, label in (("start_date", "Thời gian bắt đầu"), ("end_date", "Thời gian hoàn thành")):
        if values.get(name) and parsing.parse_day(values[name], day_first=batch.day_first) is None:
            row.notes.append(f"{label} “{values[name]}” không phải ngày; để trống.")
    if len(parsing.one_line(values.get("title", ""))) > 500:
        row.notes.append("Tên mô hình dài hơn 500 ký tự; được cắt bớt.")


def _title_score(typed: str, registered: str) -> float:
    a, b = parsing.title_key(typed), parsing.title_key(registered)
    if a == b or parsing.title_key_loose(typed) == parsing.title_key_loose(registered):
        return 1.0
    a, b = parsing.title_key_loose(typed), parsing.title_key_loose(registered)
    shorter, longer = sorted((a, b), key=len)
    if shorter and shorter in longer and len(shorter) >= 0.5 * len(longer):
        return 0.95
    return _similar(a, b)


def _plan_reports(plan: Plan, campaign: Campaign) -> None:
    imported = _imported_keys(campaign, REPORT)
    unit_ids = {row.unit.id for row in plan.rows if row.unit is not None}
    initiatives: dict[int, list[Initiative]] = {}
    if unit_ids:
        for initiative in db.session.scalars(
            sa.select(Initiative).where(Initiative.campaign_id == campaign.id, Initiative.unit_id.in_(unit_ids))
            .order_by(Initiative.id)
        ):
            initiatives.setdefault(initiative.unit_id, []).append(initiative)
    by_title = {(i.unit_id, parsing.title_key_loose(i.title)): i
                for own in initiatives.values() for i in reversed(own) if i.status != State.WITHDRAWN}
    late_from = end_of_day_utc(campaign.report_deadline, campaign.timezone)
    groups: dict[int, list[RowPlan]] = {}
    for row in _ready(plan):
        own = [i for i in initiatives.get(row.unit.id, []) if i.status != State.WITHDRAWN]
        if not own:
            row.refuse("Đơn vị chưa có mô hình nào đăng ký trong phong trào này (hãy nhập tệp đăng ký trước).")
            continue
        exact = by_title.get((row.unit.id, parsing.title_key_loose(row.values["title"])))
        if exact is not None:
            score, initiative = 1.0, exact
        else:
            score, initiative = max(((_title_score(row.values["title"], i.title), i) for i in own),
                                    key=lambda pair: pair[0])
        if score < REPORT_TITLE_MIN:
            registered = "; ".join(f"“{i.title}”" for i in own[:3])
            row.refuse(f"Không tìm thấy mô hình đã đăng ký có tên này; đơn vị đã đăng ký: {registered}.")
            continue
        row.initiative = initiative
        if score < 1.0:
            row.notes.append(f"Tên mô hình khớp gần đúng với “{initiative.title}”.")
        groups.setdefault(initiative.id, []).append(row)
    for row in _supersede(groups, "báo cáo của cùng mô hình"):
        initiative = row.initiative
        row.source_key = _source_key("report", initiative.id)
        if row.source_key in imported:
            row.outcome = ALREADY
            row.reasons.append(f"Đã nhập trước đây (lần nhập #{imported[row.source_key]}); không thay đổi gì.")
            continue
        if initiative.status != State.REGISTERED:
            row.refuse(f"Đề xuất “{initiative.title}” đang ở trạng thái “{workflow.STATE_LABELS[State(initiative.status)]}”, "
                       "không nhận thêm báo cáo kết quả.")
            continue
        row.outcome = REPORT_OUTCOME
        if row.submitted_at >= late_from:
            row.notes.append(f"Gửi sau hạn Đợt 2 ({format_date(campaign.report_deadline)}).")
        if row.values.get("self_assessment") and parsing.parse_self_assessment(row.values["self_assessment"]) is None:
            row.notes.append(f"Mức tự đánh giá “{row.values['self_assessment']}” không rõ; để trống.")
        if not row.values.get("evidence"):
            row.notes.append("Không có minh chứng.")


# --------------------------------------------------------------------------- the import


def apply_batch(batch: ImportBatch, *, actor, data: bytes | None = None) -> dict[str, int]:
    """Write what plan_batch() shows, or raise ImportRefused and write nothing. The caller commits."""
    if batch.status == BatchStatus.IMPORTED:
        raise ImportRefused("Tệp này đã được nhập; nhập lại không thay đổi gì.")
    plan = plan_batch(batch, data=data)
    if plan.blocked:
        raise ImportRefused(plan.blocking_message)
    campaign = db.session.get(Campaign, batch.campaign_id)
    if plan.new_participants:
        db.session.execute(sa.insert(CampaignUnit), [
            {"campaign_id": campaign.id, "unit_id": unit.id} for unit in plan.new_participants
        ])
        progress.refresh(db.session.connection(), campaign.id, [unit.id for unit in plan.new_participants])
    rows = plan.to_write
    if batch.kind == REGISTRATION:
        _write_registrations(rows, batch, campaign, actor)
    else:
        _write_reports(rows, batch, campaign, actor)
    counts = {key: plan.counts.get(key, 0) for key in OUTCOME_LABELS}
    counts["rows"] = len(plan.rows)
    counts["empty_rows"] = len(plan.empty_rows)
    counts["new_participants"] = len(plan.new_participants)
    counts["units"] = len({row.unit.id for row in rows})
    batch.status = BatchStatus.IMPORTED
    batch.counts = counts
    batch.imported_by_id = actor.id
    batch.imported_at = utcnow()
    audit.record("imports.applied", actor=actor, object_type="import_batch", object_id=batch.id,
                 campaign_id=campaign.id, details={"file": batch.filename, "sha256": batch.sha256,
                                                   "kind": batch.kind, "counts": counts})
    db.session.flush()
    return counts


def _source(batch: ImportBatch, row: RowPlan) -> dict:
    return {"batch": batch.id, "file": batch.filename, "row": row.number,
            "submitted_at": row.submitted_at.isoformat(sep=" ")}


def _text(values: dict, name: str, limit: int | None = None) -> str:
    value = values.get(name, "")
    value = parsing.one_line(value) if limit else value
    return value[:limit] if limit else value


def _write_registrations(rows: list[RowPlan], batch: ImportBatch, campaign: Campaign, actor) -> None:
    created = []
    for row in rows:
        values = row.values
        areas, other = parsing.split_areas(values.get("area", ""))
        name, position = _text(values, "contact_name", 160), _text(values, "contact_position", 160)
        initiative = Initiative(
            campaign_id=campaign.id, unit_id=row.unit.id, status=State.DRAFT.value, created_by_id=actor.id,
            created_at=row.submitted_at, updated_at=row.submitted_at, authors=[],
            kind=parsing.parse_kind(values.get("kind", "")) or "giai_phap",
            title=_text(values, "title", 500), area_other="; ".join(other)[:255],
            need=_text(values, "need"), objectives=_text(values, "objectives"), content=_text(values, "content"),
            start_date=parsing.parse_day(values.get("start_date", ""), day_first=batch.day_first),
            end_date=parsing.parse_day(values.get("end_date", ""), day_first=batch.day_first),
            expected_results=_text(values, "expected_results"), author_type="tap_the",
            collective_name=_text(values, "collective_name", 255),
            people_in_charge=", ".join(filter(None, [name, position])),
            contact_name=name, contact_position=position, contact_phone=_text(values, "contact_phone", 40),
        )
        initiative.areas = (areas + (["khac"] if other else [])) or ["khac"]  # every area ticked; "Other" is khác
        created.append(initiative)
    db.session.add_all(created)
    db.session.flush()
    records = []
    with db.session.no_autoflush:  # everything the moves read was flushed above; write it all at the end
        for row, initiative in zip(rows, created, strict=True):
            source = _source(batch, row)
            workflow.transition(initiative, State.REGISTERED, actor=actor, now=row.submitted_at, imported=source)
            records.append(_record(batch, row, initiative, actor))
    db.session.add_all(records)
    db.session.flush()


def _write_reports(rows: list[RowPlan], batch: ImportBatch, campaign: Campaign, actor) -> None:
    reports = []
    for row in rows:
        values = row.values
        achievements = values.get("achievements", "")
        before, after = values.get("before", ""), values.get("after", "")
        if before or after:
            achievements += f"\nTrước khi áp dụng: {before or '—'}.\nSau khi áp dụng: {after or '—'}."
        name, position = _text(values, "contact_name", 160), _text(values, "contact_position", 160)
        reports.append(ResultReport(
            initiative_id=row.initiative.id, created_at=row.submitted_at, updated_at=row.submitted_at,
            updated_by_id=actor.id, achievements=achievements.strip(), effect_citizens=values.get("effect", ""),
            replication_units=values.get("replication", ""),
            self_assessment=parsing.parse_self_assessment(values.get("self_assessment", "")) or "",
            people_in_charge=", ".join(filter(None, [name, position])),
            evidence_links=parsing.evidence_lines(values.get("evidence", "")), indicators=[],
        ))
    db.session.add_all(reports)
    db.session.flush()
    records = []
    with db.session.no_autoflush:  # the reports were flushed above, so the move's effect finds each one
        for row in rows:
            workflow.transition(row.initiative, State.REPORTED, actor=actor, now=row.submitted_at,
                                imported=_source(batch, row))
            records.append(_record(batch, row, row.initiative, actor))
    db.session.add_all(records)
    db.session.flush()


def _record(batch: ImportBatch, row: RowPlan, initiative: Initiative, actor) -> ImportedRecord:
    audit.record("initiative.imported", actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id,
                 details={**_source(batch, row), "kind": batch.kind, "replaces_rows": row.replaces,
                          "unit_match": row.match.how if row.match else None, "typed_unit": row.values.get("unit")})
    return ImportedRecord(
        batch_id=batch.id, campaign_id=initiative.campaign_id, kind=batch.kind, source_key=row.source_key,
        initiative_id=initiative.id, unit_id=initiative.unit_id, row_number=row.number,
        submitted_at=row.submitted_at, superseded_rows=list(row.replaces), answers=row.answers,
    )


def field_choices(kind: str) -> list[tuple[str, str]]:
    return [("", "— Không nhập cột này —"), *FIELDS[kind].items()]


IMPORT_FORMS = "imports.apply"


def applied_message(batch: ImportBatch, counts: dict[str, int]) -> str:
    made = counts.get("create", 0) if batch.kind == REGISTRATION else counts.get("report", 0)
    noun = "đề xuất đã đăng ký" if batch.kind == REGISTRATION else "báo cáo kết quả"
    already = f"; {counts['already']} dòng đã nhập trước đây" if counts.get("already") else ""
    return f"Đã nhập {made} {noun} từ {batch.filename}{already}."


def request_import(batch: ImportBatch, *, actor) -> Job:
    """The import as a background job (the caller commits, then dispatches it)."""
    job = start_job(IMPORT_FORMS, actor=actor, title=f"Nhập {batch.filename}", campaign_id=batch.campaign_id,
                    batch_id=batch.id)
    batch.job_id = job.id
    return job


def run_import(job: Job, progress: Progress) -> dict:
    """All of the file or none of it: one transaction, committed by the jobs mechanism at the end."""
    batch = db.session.get(ImportBatch, job.params["batch_id"])
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    if batch is None or actor is None:
        raise ImportRefused("Tệp nhập này không còn trên hệ thống.")
    progress.start(1, f"Đang kiểm tra và ghi {batch.filename}…")
    try:
        counts = apply_batch(batch, actor=actor)
    except IntegrityError as error:
        raise ImportRefused("Một phần dữ liệu vừa được nhập từ lần nhập khác; chưa có gì được ghi. "
                            "Hãy tải lại trang để xem kết quả kiểm tra mới.") from error
    return {"message": applied_message(batch, counts), "details": counts}
