"""The three sample exports imported end to end, with the record counts and unit matches they must give."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.extensions import db
from thidua.imports import services
from thidua.imports.matching import exact_key
from thidua.imports.models import ImportedRecord
from thidua.registration.models import Initiative
from thidua.results.models import ResultReport
from thidua.workflow import State

from tests.imports import helpers as h


@pytest.fixture
def office():
    return h.office_2023()


def _matches(plan) -> dict[str, tuple[str, str | None]]:
    return {n.match.typed: (n.match.how, n.match.unit.code if n.match.unit else None) for n in plan.names}


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _utc(local: str) -> datetime:
    from thidua.imports.parsing import parse_moment

    return parse_moment(local, day_first=True, tz="Asia/Ho_Chi_Minh")


def _import(office, name, choices=None):
    batch = h.upload(office, name)
    if choices:
        services.set_choices(batch, mapping=batch.mapping, day_first=True,
                             unit_choices={exact_key(typed): (office.units[code].id if code else 0)
                                           for typed, code in choices.items()})
    plan = services.plan_batch(batch)
    counts = services.apply_batch(batch, actor=office.secretariat)
    db.session.commit()
    return batch, plan, counts


DIRECT_CHOICES = {"THPT Nguyễn Trãi": "thpt-nguyen-trai-thuong-tin", "Trường THCS Trưng Vương": None}


def test_registrations_of_the_offices(office):
    batch, plan, counts = _import(office, h.REGISTRATION_OFFICES)
    assert (counts["rows"], counts["create"], counts["units"], counts["refused"]) == (14, 14, 13, 0)
    matches = _matches(plan)
    assert matches["Phòng GDTrH"] == ("exact", "phong-gdtrh")
    assert matches["VP"] == ("exact", "van-phong")
    assert matches["Văn phòng"] == ("exact", "van-phong")
    assert matches["Phòng Tổ chức Cán bộ"] == ("exact", "phong-tccb")
    assert matches["Phòng QLT&KĐCLGD"] == ("exact", "phong-qlt-kdcl")
    assert {how for how, _ in matches.values()} == {"exact"}
    assert _count(Initiative, Initiative.status == State.REGISTERED) == 14
    khtc = db.session.scalar(sa.select(Initiative).where(Initiative.unit_id == office.units["phong-khtc"].id))
    assert khtc.registered_at == _utc("16/08/2023 13:25:30")
    assert (khtc.kind, khtc.area, khtc.contact_phone) == ("giai_phap", "tai_chinh_cong", "84887031673")


def test_registrations_of_the_attached_units(office):
    batch = h.upload(office, h.REGISTRATION_DIRECT)
    plan = services.plan_batch(batch)
    matches = _matches(plan)
    assert matches["THPT Nguyễn Trãi"] == ("ambiguous", None)
    assert matches["Trường THCS Trưng Vương"] == ("unresolved", None)
    assert matches["THPT Nhân Chín"] == ("closest", "thpt-nhan-chinh")
    assert matches["Trường THPT Bất Bac"] == ("closest", "thpt-bat-bat")
    assert matches["THPT Cao Bá Quát (Quốc Oai)"] == ("normalised", "thpt-cao-ba-quat-quoc-oai")
    assert matches["THPT Thạch Bàn, quận Long Biên"] == ("normalised", "thpt-thach-ban")
    assert matches["thpt minh khai"] == ("exact", "thpt-minh-khai")
    assert matches["Trường THPT Nguyễn Thị Minh Khai"] == ("exact", "thpt-nguyen-thi-minh-khai")
    assert matches["THPT Hong Thai"] == ("normalised", "thpt-hong-thai")
    assert matches["Trường THPT Yên Hoà"] == ("normalised", "thpt-yen-hoa")
    assert matches["Trung tâm Giáo dục thường xuyên Nguyễn Văn Tố (Hoàn Kiếm)"] == ("normalised", "tt-gdtx-nguyen-van-to")
    assert matches["TTGDNN-GDTX Đống Đa"] == ("normalised", "tt-gdnn-gdtx-dong-da")
    assert matches["Trường THPT Đống Đa"] == ("exact", "thpt-dong-da")
    assert matches["THPT chuyên Hà Nội - Amsterdam"] == ("exact", "thpt-chuyen-ha-noi-amsterdam")
    assert plan.counts == {"create": 91, "superseded": 1, "waiting": 2}
    assert plan.empty_rows == [59]
    with pytest.raises(services.ImportRefused, match="Còn 2 tên đơn vị chưa xác định"):
        services.apply_batch(batch, actor=office.secretariat)
    db.session.rollback()
    assert _count(Initiative) == 0

    batch, plan, counts = _import(office, h.REGISTRATION_DIRECT, DIRECT_CHOICES)
    assert (counts["rows"], counts["create"], counts["superseded"], counts["skipped"], counts["waiting"]) == (
        94, 92, 1, 1, 0)
    assert _count(Initiative) == 92
    # Kim Liên sent the same model twice: one initiative, from the later answer, which says so.
    kim_lien = db.session.scalars(sa.select(Initiative).where(Initiative.unit_id == office.units["thpt-kim-lien"].id)).all()
    assert len(kim_lien) == 1 and kim_lien[0].registered_at == _utc("22/08/2023 06:52:36")
    record = db.session.scalar(sa.select(ImportedRecord).where(ImportedRecord.initiative_id == kim_lien[0].id))
    assert (record.row_number, record.superseded_rows, record.batch_id) == (42, [31], batch.id)
    # Two different models of one unit are two initiatives.
    assert _count(Initiative, Initiative.unit_id == office.units["thpt-xuan-khanh"].id) == 2
    # A late registration is imported at its own moment; the deadline did not refuse it.
    late = db.session.scalars(sa.select(Initiative).where(
        Initiative.unit_id == office.units["thpt-quang-trung-dong-da"].id).order_by(Initiative.registered_at)).all()
    assert [i.registered_at for i in late] == [_utc("26/08/2023 07:42:15"), _utc("29/08/2023 16:20:03")]
    assert _count(AuditLog, AuditLog.action == "initiative.imported") == 92
    transitions = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "initiative.transition")).all()
    assert len(transitions) == 92
    assert all(t.details["imported"]["file"] == h.REGISTRATION_DIRECT and t.actor_id == office.secretariat.id
               for t in transitions)


def test_results_reports(office):
    _import(office, h.REGISTRATION_OFFICES)
    _import(office, h.REGISTRATION_DIRECT, DIRECT_CHOICES)
    batch = h.upload(office, h.REPORTS)
    plan = services.plan_batch(batch)
    matches = _matches(plan)
    assert matches["THPT Quang Trung"] == ("ambiguous", None)
    assert matches["Phòng Cơ sở vật chất và Thiết bị trường học Sở"] == ("normalised", "phong-csvc")
    assert matches["Nhân Chính"] == ("normalised", "thpt-nhan-chinh")
    assert matches["Trung tam Giao duc thuong xuyen Nguyen Van To"] == ("normalised", "tt-gdtx-nguyen-van-to")

    batch, plan, counts = _import(office, h.REPORTS, {"THPT Quang Trung": "thpt-quang-trung-ha-dong"})
    assert (counts["rows"], counts["report"], counts["superseded"], counts["refused"]) == (77, 74, 1, 2)
    refused = {row.number: row.unit.code for row in plan.rows if row.outcome == "refused"}
    assert refused == {39: "thpt-quang-oai", 40: "thpt-my-duc-a"}  # registered nothing / another model
    assert _count(ResultReport, ResultReport.submitted_at.is_not(None)) == 74
    assert _count(Initiative, Initiative.status == State.REPORTED) == 74
    # Nguyễn Siêu reported twice: the later report is kept.
    siêu = db.session.scalar(sa.select(Initiative).where(Initiative.unit_id == office.units["pt-nguyen-sieu"].id))
    report = db.session.scalar(sa.select(ResultReport).where(ResultReport.initiative_id == siêu.id))
    assert report.submitted_at == _utc("01/10/2023 12:39:54")
    assert report.self_assessment in ("xuat_sac", "tot", "hoan_thanh", "chua_hoan_thanh")


def test_importing_the_same_file_again_changes_nothing(office):
    _import(office, h.REGISTRATION_OFFICES)
    before = (_count(Initiative), _count(AuditLog, AuditLog.action != "imports.applied"), _count(ImportedRecord))
    batch = h.upload(office, h.REGISTRATION_OFFICES)
    assert services.earlier_import_of_same_file(batch) is not None
    plan = services.plan_batch(batch)
    assert plan.counts == {"already": 14}
    assert all("Đã nhập trước đây" in row.reasons[0] for row in plan.rows)
    counts = services.apply_batch(batch, actor=office.secretariat)
    db.session.commit()
    assert (counts["create"], counts["already"]) == (0, 14)
    assert (_count(Initiative), _count(AuditLog, AuditLog.action != "imports.applied"), _count(ImportedRecord)) == before


def test_an_applied_batch_is_not_applied_twice(office):
    batch, _, _ = _import(office, h.REGISTRATION_OFFICES)
    with pytest.raises(services.ImportRefused):
        services.apply_batch(batch, actor=office.secretariat)
