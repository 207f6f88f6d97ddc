"""Đợt 2 operations: the results report, its indicators, its evidence files."""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from thidua import audit, workflow
from thidua.errors import WorkflowError
from thidua.extensions import db
from thidua.phases import Phase, phase_window
from thidua.registration.models import Initiative
from thidua.results.models import EvidenceFile, ReportIndicator, ResultReport
from thidua.results.uploads import RefusedFile, detect, display_name
from thidua.storage import TooLarge, get_storage
from thidua.timeutil import utcnow
from thidua.workflow import State

REPORT_FIELDS = (
    "progress", "achievements", "effect_citizens", "effect_unit", "novelty", "replication_within",
    "replication_units", "difficulties", "proposals", "actual_budget", "self_assessment", "people_in_charge",
    "evidence_links",
)
REQUIRED_TO_REPORT = {
    "progress": "Tiến độ thực hiện",
    "achievements": "Kết quả đạt được",
    "self_assessment": "Tự đánh giá mức độ hoàn thành",
    "people_in_charge": "Người phụ trách",
}
# States in which the unit works on its report: before sending it, and when it came back.
REPORT_EDITABLE = frozenset({State.REGISTERED, State.RETURNED})


class StaleReport(WorkflowError):
    pass


def get_report(initiative_id: int, *, with_indicators: bool = False) -> ResultReport | None:
    stmt = sa.select(ResultReport).where(ResultReport.initiative_id == initiative_id)
    if with_indicators:
        stmt = stmt.options(selectinload(ResultReport.indicators))
    return db.session.scalar(stmt)


def evidence_of(initiative_id: int) -> list[EvidenceFile]:
    return list(db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.initiative_id == initiative_id).order_by(EvidenceFile.id)
    ))


def check_report_editable(initiative: Initiative, *, now: datetime | None = None) -> None:
    """The unit may change its report (or evidence) now: right state, and Đợt 2 open for it."""
    state = State(initiative.status)
    if state not in REPORT_EDITABLE:
        if state is State.DRAFT:
            raise WorkflowError("Đề xuất chưa được đăng ký nên chưa thể báo cáo kết quả.")
        raise WorkflowError("Báo cáo kết quả đã gửi; thủ trưởng đơn vị cần mở lại trước khi sửa.")
    if state is State.REGISTERED:
        phase_window(initiative.campaign_id, initiative.unit_id, Phase.REPORT).check(now)


def missing_for_report(initiative: Initiative, report: ResultReport | None, files: list[EvidenceFile]) -> list[str]:
    if report is None:
        return ["Báo cáo kết quả (chưa lập)"]
    missing = [label for field, label in REQUIRED_TO_REPORT.items() if not getattr(report, field)]
    if not (report.effect_citizens or report.effect_unit):
        missing.append("Hiệu quả (đối với người dân hoặc đối với đơn vị)")
    if not files and not report.evidence_links.strip():
        missing.append("Minh chứng (tệp hoặc đường dẫn)")
    return missing


def check_report_complete(initiative: Initiative) -> None:
    missing = missing_for_report(initiative, get_report(initiative.id), evidence_of(initiative.id))
    if missing:
        raise WorkflowError("Báo cáo chưa đủ để gửi, còn thiếu: " + "; ".join(missing) + ".")


def mark_submitted(initiative: Initiative, moment: datetime) -> None:
    report = get_report(initiative.id)
    if report is not None:
        report.submitted_at = moment


def mark_reopened(initiative: Initiative, moment: datetime) -> None:
    report = get_report(initiative.id)
    if report is not None:
        report.submitted_at = None


def save_report(initiative: Initiative, *, actor, values: dict, indicators: list[dict], expected_version: int | None,
                now: datetime | None = None) -> ResultReport:
    """Create or update the report from a form opened at `expected_version` (None: no report existed)."""
    check_report_editable(initiative, now=now)
    report = get_report(initiative.id, with_indicators=True)
    current_version = report.version if report is not None else None
    if current_version != expected_version:
        raise StaleReport(
            "Báo cáo này vừa được người khác cập nhật sau khi bạn mở biểu mẫu. Nội dung bạn nhập vẫn còn bên dưới; "
            "hãy mở bản mới nhất trong thẻ khác, so sánh rồi lưu lại."
        )
    moment = now or utcnow()
    if report is None:
        report = ResultReport(initiative_id=initiative.id, created_at=moment, indicators=[])
        db.session.add(report)
    for key in REPORT_FIELDS:
        if key in values:
            setattr(report, key, values[key] or "")
    report.indicators = [
        ReportIndicator(position=position, name=row["name"], unit_of_measure=row.get("unit_of_measure") or "",
                        before=row.get("before"), after=row.get("after"), source=row.get("source") or "")
        for position, row in enumerate(indicators)
    ]
    report.updated_at = moment
    report.updated_by_id = actor.id
    db.session.flush()
    audit.record("report.saved", actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id,
                 details={"indicators": len(indicators)}, at=moment)
    return report


def add_evidence(initiative: Initiative, stream: BinaryIO, filename: str | None, *, actor, description: str = "",
                 replaces: EvidenceFile | None = None, now: datetime | None = None) -> EvidenceFile:
    """Check and store one file; the row is added to the session (the caller commits).

    Refused files raise RefusedFile with the reason; nothing is stored for them.
    """
    check_report_editable(initiative, now=now)
    kind = detect(stream)
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    try:
        stored = get_storage().save(stream, max_size=limit)
    except TooLarge as error:
        raise RefusedFile(f"Tệp lớn hơn {current_app.config['MAX_UPLOAD_MB']} MB.") from error
    evidence = EvidenceFile(
        initiative_id=initiative.id, original_name=display_name(filename, kind), storage_key=stored.key,
        content_type=kind.content_type, size=stored.size, sha256=stored.sha256, description=description[:255],
        uploaded_by_id=actor.id, uploaded_at=now or utcnow(),
    )
    db.session.add(evidence)
    db.session.flush()
    details = {"file": evidence.original_name, "size": stored.size, "sha256": stored.sha256}
    if replaces is not None:
        details["replaced"] = replaces.original_name
        _forget(replaces)
    audit.record("evidence.replaced" if replaces is not None else "evidence.added", actor=actor,
                 object_type="initiative", object_id=initiative.id, campaign_id=initiative.campaign_id,
                 unit_id=initiative.unit_id, details=details)
    return evidence


def remove_evidence(initiative: Initiative, evidence: EvidenceFile, *, actor, now: datetime | None = None) -> None:
    check_report_editable(initiative, now=now)
    audit.record("evidence.removed", actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id,
                 details={"file": evidence.original_name, "sha256": evidence.sha256})
    _forget(evidence)


def _forget(evidence: EvidenceFile) -> None:
    """Delete the row now and the stored file once the transaction has committed."""
    key = evidence.storage_key
    db.session.delete(evidence)
    pending = db.session.info.setdefault("thidua.delete_after_commit", [])
    pending.append(key)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _delete_stored_files(session) -> None:
    keys = session.info.pop("thidua.delete_after_commit", [])
    if keys:
        storage = get_storage()
        for key in keys:
            storage.delete(key)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _keep_stored_files(session) -> None:
    session.info.pop("thidua.delete_after_commit", None)
