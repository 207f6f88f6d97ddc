"""`flask backup create FILE` and `flask backup restore FILE`: every row and every file comes back."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.storage import get_storage
from thidua.units.models import Unit

from tests import factories


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        db.session.commit()
        result = runner.invoke(args=list(args))
        db.session.expire_all()
        return result

    return invoke


def snapshot_rows() -> dict[str, list[tuple]]:
    db.session.expire_all()
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(sa.select(table).order_by(*order))]
    return rows


def snapshot_files(app) -> dict[str, bytes]:
    storage = get_storage()
    files = {}
    for key in sorted(storage.keys()):
        with storage.open(key) as handle:
            files[key] = handle.read()
    return files


def empty_everything(app) -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    storage = get_storage()
    for key in list(storage.keys()):
        storage.delete(key)


def stored(data: bytes) -> str:
    return get_storage().save(io.BytesIO(data), max_size=10 * 1024 * 1024).key


@pytest.fixture
def full_database(app, cli):
    """The demo (every stage: units, campaigns, reviews, awards, gallery, audit) plus odd text and files."""
    empty_everything(app)
    result = cli("demo", "load")
    assert result.exit_code == 0, result.output
    school = factories.unit(code="thpt-dac-biet", name="Trường “đặc biệt” \u00a0 và emoji 📄 <b>&amp;</b>",
                            short_name="Dòng 1\nDòng 2\ttab")
    factories.user(Role.UNIT_EDITOR, school, username="dacbiet.cb", full_name="Nguyễn Văn Ơ'; DROP TABLE unit;--")
    db.session.commit()
    for data in (bytes(range(256)) * 100, "Tiếng Việt có dấu".encode()):
        stored(data)
    fill_the_tables_the_demo_leaves_empty(school)
    db.session.commit()
    return school


def fill_the_tables_the_demo_leaves_empty(school) -> None:
    from datetime import date, datetime
    from decimal import Decimal

    from thidua.auth.models import LoginFailure, PasswordResetToken, User, UserSession
    from thidua.campaigns.models import Campaign
    from thidua.gallery.models import Adoption, GalleryEntry, GalleryFile
    from thidua.imports.models import ImportBatch, ImportedRecord
    from thidua.jobs.models import Job
    from thidua.nominations.models import Nomination
    from thidua.notifications.models import Notification, ReminderLog
    from thidua.registration.models import Initiative
    from thidua.reports.models import CityReport, PeriodDraft, ReportDraft
    from thidua.results.models import EvidenceFile

    campaign = db.session.scalar(sa.select(Campaign).order_by(Campaign.id))
    initiative = db.session.scalar(sa.select(Initiative).order_by(Initiative.id))
    at = datetime(2024, 8, 25, 1, 2, 3, 456789)
    db.session.add(LoginFailure(username="ai-do", remote_addr="10.0.0.1", at=at))
    account = db.session.scalar(sa.select(User).order_by(User.id))
    db.session.add(UserSession(user_id=account.id, key_hash="a" * 64, created_at=at, last_seen_at=at, expires_at=at,
                               remember=True, remote_addr="10.0.0.1", user_agent="Mozilla/5.0 Firefox/120"))
    db.session.add(PasswordResetToken(user_id=account.id, token_hash="b" * 64, created_at=at, expires_at=at))
    job = Job(kind="send_reminders", title="Nhắc việc", params={"phase": "registration", "số": [1, 2.5, None]},
              status="done", result={"summary": "Xong"}, campaign_id=campaign.id, started_at=at, finished_at=at)
    db.session.add(job)
    db.session.flush()
    db.session.add(Notification(unit_id=school.id, campaign_id=campaign.id, kind="reminder", title="Nhắc",
                                body="Nội dung", created_at=at))
    db.session.add(ReminderLog(campaign_id=campaign.id, unit_id=school.id, phase="registration",
                               milestone="manual:1", status="sent", job_id=job.id, sent_at=at))
    if db.session.get(ReportDraft, campaign.id) is None:
        db.session.add(ReportDraft(campaign_id=campaign.id, number="125/BC-SGDĐT", intro="Mở đầu"))
    db.session.add(PeriodDraft(organiser_id=campaign.organiser_id, period="2023–2025", number="215/BC-SGDĐT",
                               assessment="Đánh giá chung",
                               signer_name="Trần Thế Cương", updated_at=at, updated_by_id=account.id))
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)):
        upper = db.session.scalar(sa.select(Campaign).order_by(Campaign.id.desc()))
        db.session.add(Nomination(campaign_id=upper.id, source_id=initiative.id, state="declined",
                                  reason="Chưa đủ minh chứng", proposed_at=at, decided_at=at,
                                  proposed_by_id=account.id, decided_by_id=account.id))
    db.session.add(CityReport(campaign_id=campaign.id, number=9, job_id=job.id, draft={"intro": "x"},
                              headline={"units": 3}, data_taken_at=at))
    key = stored(b"%PDF-1.4 minh chung\n")
    evidence = EvidenceFile(initiative_id=initiative.id, original_name="minh chứng.pdf", storage_key=key,
                            content_type="application/pdf", size=20, sha256="0" * 64, description="Mô tả")
    db.session.add(evidence)
    db.session.flush()
    entry = db.session.scalar(sa.select(GalleryEntry).order_by(GalleryEntry.id))
    if entry is None:
        entry = GalleryEntry(initiative_id=initiative.id, unit_id=initiative.unit_id, is_public=False,
                             title="Mô hình", slug="mo-hinh")
        db.session.add(entry)
        db.session.flush()
    db.session.add(GalleryFile(entry_id=entry.id, evidence_file_id=evidence.id))
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Adoption)):
        db.session.add(Adoption(entry_id=entry.id, unit_id=school.id, adopted_on=date(2024, 9, 1), note="Áp dụng"))
    batch = ImportBatch(campaign_id=campaign.id, kind="registration", filename="form.csv", storage_key=key,
                        size=1, sha256="1" * 64, mapping=["title", ""], unit_choices={"thpt a": school.id},
                        counts={"created": 1}, job_id=job.id)
    db.session.add(batch)
    db.session.flush()
    db.session.add(ImportedRecord(batch_id=batch.id, campaign_id=campaign.id, kind="registration",
                                  source_key="k" * 40, initiative_id=initiative.id, unit_id=initiative.unit_id,
                                  row_number=2, submitted_at=at, superseded_rows=[1], answers={"Tên": "Giá trị"}))
    from thidua.targets.models import (
        OutstandingPerson, RoundExtension, Target, TargetEvidence, TargetRound, TargetValue,
    )

    round_ = db.session.scalar(sa.select(TargetRound).order_by(TargetRound.id))
    if round_ is None:
        round_ = TargetRound(campaign_id=campaign.id, name="Quý I", kind="quarter", deadline=date(2024, 3, 5))
        db.session.add(round_)
        db.session.flush()
    target = Target(campaign_id=round_.campaign_id, round_id=round_.id, name="Hồ sơ đúng hạn", measure="percent",
                    comparison="ge", threshold=Decimal("98.5000"), unit_types="thpt", guidance="Tỷ lệ")
    db.session.add(target)
    db.session.flush()
    value = TargetValue(campaign_id=round_.campaign_id, target_id=target.id, unit_id=school.id,
                        value=Decimal("98.7200"), numerator=Decimal("1234.0000"), denominator=Decimal("1250.0000"),
                        state="returned", return_reason="Sai mẫu số", sent_at=at, checked_at=at)
    db.session.add(value)
    db.session.add(RoundExtension(round_id=round_.id, unit_id=school.id, until=date(2024, 3, 9), reason="Ốm",
                                  granted_by_id=account.id, granted_at=at))
    person = OutstandingPerson(campaign_id=round_.campaign_id, unit_id=school.id, full_name="Lê Thị Hoa",
                               job_title="Giáo viên", achievements="Chữ ký số", targets_met={str(target.id): True})
    db.session.add(person)
    db.session.flush()
    db.session.add(TargetEvidence(campaign_id=round_.campaign_id, unit_id=school.id, value_id=value.id,
                                  original_name="số liệu.xlsx", storage_key=stored(b"PK target evidence"),
                                  content_type="application/pdf", size=18, sha256="2" * 64))
    db.session.add(TargetEvidence(campaign_id=round_.campaign_id, unit_id=school.id, person_id=person.id,
                                  original_name="thành tích.pdf", storage_key=stored(b"%PDF person"),
                                  content_type="application/pdf", size=11, sha256="3" * 64))
    from thidua.registration.models import InitiativeAuthor
    from thidua.results.models import ReportIndicator, ResultReport

    db.session.add(InitiativeAuthor(initiative_id=initiative.id, position=1, full_name="Lê Thị Hoa",
                                    job_title="Giáo viên", contribution=60))
    report = db.session.scalar(sa.select(ResultReport).order_by(ResultReport.id))
    if report is not None:
        db.session.add(ReportIndicator(report_id=report.id, position=9, name="Tỷ lệ", unit_of_measure="%",
                                       before=Decimal("31.5000"), after=Decimal("1245.1234"), source="Sổ"))


def test_round_trip_brings_back_every_row_of_every_table_and_every_file_byte_for_byte(app, cli, full_database,
                                                                                  tmp_path):
    rows_before = snapshot_rows()
    files_before = snapshot_files(app)
    assert sum(len(rows) for rows in rows_before.values()) > 200
    assert not [name for name, rows in rows_before.items() if not rows], [name for name, rows in rows_before.items() if not rows]
    assert len(files_before) >= 3
    archive = tmp_path / "sao-luu.tar.gz"

    result = cli("backup", "create", str(archive))
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu" in result.output

    empty_everything(app)
    assert sum(len(rows) for rows in snapshot_rows().values()) == 0 and not snapshot_files(app)

    result = cli("backup", "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert snapshot_rows() == rows_before
    assert snapshot_files(app) == files_before


def test_the_archive_has_a_manifest_with_counts_and_checksums(app, cli, full_database, tmp_path):
    archive = tmp_path / "sao-luu.tar.gz"
    assert cli("backup", "create", str(archive)).exit_code == 0
    rows = snapshot_rows()
    files = snapshot_files(app)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for name, entry in manifest["tables"].items():
            data = tar.extractfile(f"tables/{name}.jsonl").read()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert entry["rows"] == len(rows[name]) == len(data.splitlines())
        key_of = {name: name.rsplit("/", 1)[-1] for name in manifest["files"]}
        assert set(key_of.values()) == set(files)
        for name, entry in manifest["files"].items():
            assert name == f"{key_of[name][:2]}/{key_of[name][2:4]}/{key_of[name]}"
            assert entry["sha256"] == hashlib.sha256(files[key_of[name]]).hexdigest()
    assert set(manifest["tables"]) == {table.name for table in db.metadata.sorted_tables}


def test_after_a_restore_new_records_get_new_ids(app, cli, full_database, tmp_path):
    archive = tmp_path / "sao-luu.tar.gz"
    assert cli("backup", "create", str(archive)).exit_code == 0
    highest = db.session.scalar(sa.select(sa.func.max(Unit.id)))
    empty_everything(app)
    assert cli("backup", "restore", str(archive)).exit_code == 0
    unit = factories.unit(code="thpt-sau-khoi-phuc")  # on PostgreSQL: the sequence was moved past the restored ids
    db.session.commit()
    assert unit.id > highest


def test_restore_refuses_a_database_that_has_data_and_changes_nothing(app, cli, full_database, tmp_path):
    archive = tmp_path / "sao-luu.tar.gz"
    assert cli("backup", "create", str(archive)).exit_code == 0
    factories.user(Role.SECRETARIAT, username="sau.sao.luu")
    db.session.commit()
    before = snapshot_rows()

    result = cli("backup", "restore", str(archive))
    assert result.exit_code != 0
    assert "đã có dữ liệu" in result.output
    assert snapshot_rows() == before


def test_restore_with_force_replaces_the_data_and_drops_files_the_backup_does_not_know(app, cli, full_database,
                                                                                     tmp_path):
    archive = tmp_path / "sao-luu.tar.gz"
    assert cli("backup", "create", str(archive)).exit_code == 0
    rows_before, files_before = snapshot_rows(), snapshot_files(app)
    factories.user(Role.SECRETARIAT, username="sau.sao.luu")
    stored(b"%PDF-1.4 after the backup\n")
    db.session.commit()

    result = cli("backup", "restore", "--force", str(archive))
    assert result.exit_code == 0, result.output
    assert snapshot_rows() == rows_before
    assert snapshot_files(app) == files_before
    assert db.session.scalar(sa.select(User).where(User.username == "sau.sao.luu")) is None


def _rewrite(archive: Path, target: Path, change) -> None:
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize("what", ["table", "file"])
def test_a_damaged_archive_is_refused_and_restores_nothing(app, cli, full_database, tmp_path, what):
    archive, damaged = tmp_path / "sao-luu.tar.gz", tmp_path / "hong.tar.gz"
    assert cli("backup", "create", str(archive)).exit_code == 0

    def change(name, data):
        if what == "table" and name == "tables/unit.jsonl":
            return data.replace("Trường".encode(), "Truong".encode(), 1)
        if what == "file" and name.startswith("files/") and data.startswith(b"%PDF"):
            return data[:-2] + b"X\n"
        return data

    _rewrite(archive, damaged, change)
    empty_everything(app)
    result = cli("backup", "restore", str(damaged))
    assert result.exit_code != 0
    assert "bị hỏng" in result.output
    assert sum(len(rows) for rows in snapshot_rows().values()) == 0


def test_a_file_name_escaping_the_upload_folder_is_refused(app, cli, full_database, tmp_path):
    archive, evil = tmp_path / "sao-luu.tar.gz", tmp_path / "evil.tar.gz"
    assert cli("backup", "create", str(archive)).exit_code == 0
    with tarfile.open(archive) as source, tarfile.open(evil, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["files"]["../../thoat-ra.txt"] = {"size": 1, "sha256": hashlib.sha256(b"x").hexdigest()}
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
        info = tarfile.TarInfo("files/../../thoat-ra.txt")
        info.size = 1
        out.addfile(info, io.BytesIO(b"x"))
    empty_everything(app)
    result = cli("backup", "restore", str(evil))
    assert result.exit_code != 0
    assert "không hợp lệ" in result.output
    assert not (Path(app.config["UPLOAD_FOLDER"]).parent.parent / "thoat-ra.txt").exists()
    assert sum(len(rows) for rows in snapshot_rows().values()) == 0
