"""Files in an S3-compatible object store, shared by every node of an installation.

Two web nodes are two apps built by the factory on the suite's database and one bucket of a real
S3 API server (moto's server mode) on loopback: what one node stores, the other serves, removes
and backs up. scripts/test.sh starts the server (THIDUA_TEST_S3_URL); otherwise the fixture does.
"""
from __future__ import annotations

import io
import os
import secrets

import pytest
import sqlalchemy as sa

from thidua import create_app
from thidua.backup import BackupError, create_backup, restore_backup
from thidua.extensions import db
from thidua.results.models import EvidenceFile
from thidua.storage import S3Storage, TooLarge

from tests.conftest import Client, Config
from tests.results.conftest import PDF, reporting  # noqa: F401
from tests.results.test_report_flow import upload


@pytest.fixture
def nodes(s3_url, monkeypatch, tmp_path):
    """Two web nodes sharing the database and one fresh bucket; neither has the other's disk."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", os.environ.get("AWS_ACCESS_KEY_ID", "thidua-test"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", os.environ.get("AWS_SECRET_ACCESS_KEY", "thidua-test"))
    bucket = f"thidua-{secrets.token_hex(4)}"

    def node(name: str):
        class NodeConfig(Config):
            S3_BUCKET = bucket
            S3_ENDPOINT_URL = s3_url
            S3_REGION = "us-east-1"
            UPLOAD_FOLDER = str(tmp_path / name)  # each node's own disk, which must stay unused

        return create_app(NodeConfig)

    a, b = node("a"), node("b")
    with a.app_context():
        from thidua.storage import get_storage

        get_storage().client.create_bucket(Bucket=bucket)
    yield a, b
    for app in (a, b):
        with app.app_context():
            db.engine.dispose()
    # Nothing went to either node's own disk.
    assert [path for path in tmp_path.rglob("*") if path.is_file() and path.parent.name in ("a", "b")] == []


def _storage(app):
    from thidua.storage import get_storage

    with app.app_context():
        return get_storage()


def _evidence() -> EvidenceFile:
    db.session.expire_all()
    return db.session.scalar(sa.select(EvidenceFile))


def test_a_file_uploaded_through_one_node_is_served_and_removed_through_the_other(nodes, reporting):
    a, b = nodes
    on_a, on_b = Client(a), Client(b)
    on_a.login(reporting.editor)
    assert upload(on_a, reporting.initiative.id, PDF, "bien-ban.pdf").status_code == 200
    evidence = _evidence()
    key = evidence.storage_key
    assert isinstance(_storage(b), S3Storage) and _storage(b).exists(key)

    office_on_b = Client(b)
    office_on_b.login(reporting.secretariat)
    response = office_on_b.get(f"/minh-chung/{evidence.id}")
    assert response.status_code == 200 and response.get_data() == PDF

    on_b.login(reporting.editor)
    on_b.post(f"/sang-kien/{reporting.initiative.id}/minh-chung/{evidence.id}/xoa")
    assert _evidence() is None
    assert not _storage(a).exists(key)  # gone for every node


def test_a_file_over_the_limit_leaves_nothing_in_the_bucket(nodes):
    a, _ = nodes
    storage = _storage(a)
    with pytest.raises(TooLarge):
        storage.save(io.BytesIO(b"x" * 5000), max_size=4096)
    assert list(storage.keys()) == []


def test_a_missing_object_is_a_404_not_a_500(nodes, reporting):
    a, b = nodes
    on_a = Client(a)
    on_a.login(reporting.editor)
    upload(on_a, reporting.initiative.id, PDF, "bien-ban.pdf")
    evidence = _evidence()
    _storage(a).delete(evidence.storage_key)
    office = Client(b)
    office.login(reporting.secretariat)
    assert office.get(f"/minh-chung/{evidence.id}").status_code == 404


def test_a_backup_on_one_node_holds_the_files_of_every_node_and_restores_them(nodes, reporting, tmp_path):
    a, b = nodes
    on_a, on_b = Client(a), Client(b)
    on_a.login(reporting.editor)
    upload(on_a, reporting.initiative.id, PDF, "tu-nut-a.pdf")
    on_b.login(reporting.other_editor)
    upload(on_b, reporting.other_initiative.id, PDF + b"% b\n", "tu-nut-b.pdf")
    storage = _storage(a)
    before = {}
    for key in storage.keys():
        with storage.open(key) as handle:
            before[key] = handle.read()
    assert len(before) == 2

    archive = tmp_path / "sao-luu.tar.gz"
    with a.app_context():
        summary = create_backup(archive)
    assert summary.files == 2
    for key in list(storage.keys()):
        storage.delete(key)
    with b.app_context():
        restore_backup(archive, force=True)
    after = {}
    for key in storage.keys():
        with storage.open(key) as handle:
            after[key] = handle.read()
    assert after == before


def test_a_backup_refuses_loudly_when_a_file_the_database_uses_is_missing(nodes, reporting, tmp_path):
    a, _ = nodes
    on_a = Client(a)
    on_a.login(reporting.editor)
    upload(on_a, reporting.initiative.id, PDF, "bien-ban.pdf")
    _storage(a).delete(_evidence().storage_key)
    with a.app_context(), pytest.raises(BackupError, match="Thiếu 1 tệp"):
        create_backup(tmp_path / "sao-luu.tar.gz")
    assert not (tmp_path / "sao-luu.tar.gz").exists()
