"""One archive holding everything a campaign needs: every table and every stored file.

The archive is a gzip'd tar:

    manifest.json            format, time, Alembic revision, per table its rows and sha256,
                             per file its size and sha256
    tables/<table>.jsonl     one JSON object per row, tables in foreign-key order
    files/ab/cd/<key>        every stored file (UPLOAD_FOLDER or the object store), byte for byte

Rows are written as JSON with dates, times and decimals as strings, so a dump taken
from SQLite restores into PostgreSQL and the other way round. Restore checks every
member against the manifest before writing anything, inserts every row in one
transaction (all or nothing), writes the files atomically, and on PostgreSQL moves each
table's id sequence past the restored ids.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from thidua.extensions import db
from thidua.storage import get_storage
from thidua.timeutil import utcnow

FORMAT = "thidua-backup/1"
BATCH = 500


class BackupError(Exception):
    """A backup that cannot be made or restored, with the reason in Vietnamese."""


@dataclass
class Summary:
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


def _tables() -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- values <-> JSON ---------------------------------------------------------------------------

def _to_json(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _from_json(column: sa.Column, value):
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Time):
        return time.fromisoformat(value)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return Decimal(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def _order(table: sa.Table) -> list:
    return [column for column in table.primary_key.columns] or list(table.columns)


def _dump_table(connection, table: sa.Table) -> tuple[bytes, int]:
    lines = []
    names = [column.name for column in table.columns]
    for row in connection.execute(sa.select(table).order_by(*_order(table))):
        lines.append(json.dumps({name: _to_json(value) for name, value in zip(names, row)},
                                ensure_ascii=False, sort_keys=True))
    data = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    return data, len(lines)


def _alembic_revision(connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


# The columns that hold the key of a stored file: a backup with a key whose file is missing fails.
FILE_COLUMNS = [("evidence_file", "storage_key"), ("import_batch", "storage_key"), ("adoption", "file_key"),
                ("city_report", "docx_key"), ("city_report", "xlsx_key"), ("target_evidence", "storage_key")]


def _archive_name(key: str) -> str:
    """files/ab/cd/<key>: the layout of the local store, kept whatever store the files come from."""
    return f"{key[:2]}/{key[2:4]}/{key}"


def _referenced_keys(connection) -> set[str]:
    keys: set[str] = set()
    for table_name, column_name in FILE_COLUMNS:
        column = db.metadata.tables[table_name].c[column_name]
        keys.update(connection.execute(sa.select(column).where(column.is_not(None))).scalars())
    return keys


# --- create ------------------------------------------------------------------------------------

def create_backup(target: str | os.PathLike) -> Summary:
    """Write the archive to `target` (through a temporary file, renamed into place)."""
    target = Path(target)
    summary = Summary()
    manifest = {"format": FORMAT, "created_at": utcnow().isoformat(), "database": db.engine.dialect.name,
                "tables": {}, "files": {}}
    storage = get_storage()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".backup-", suffix=".tar.gz", delete=False)
    try:
        with handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
            # One transaction for every table: the dump is one consistent moment of the database.
            with db.engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    manifest["alembic_revision"] = _alembic_revision(connection)
                    for table in _tables():
                        data, count = _dump_table(connection, table)
                        _add(archive, f"tables/{table.name}.jsonl", data)
                        manifest["tables"][table.name] = {"rows": count, "sha256": _sha256(data)}
                        summary.tables[table.name] = count
                    referenced = _referenced_keys(connection)
            stored = set(storage.keys())
            missing = sorted(referenced - stored)
            if missing:
                raise BackupError(f"Thiếu {len(missing)} tệp mà cơ sở dữ liệu còn dùng, ví dụ {missing[0]}: "
                                  "bản sao lưu không được tạo. Kiểm tra nơi lưu tệp (THIDUA_UPLOAD_FOLDER hoặc "
                                  "THIDUA_S3_BUCKET) của máy này.")
            for key in sorted(stored):
                # Through a spool: a tar member needs its size first, and an object store streams.
                with tempfile.TemporaryFile() as spool, storage.open(key) as source:
                    digest, size = hashlib.sha256(), 0
                    while chunk := source.read(1024 * 1024):
                        digest.update(chunk)
                        spool.write(chunk)
                        size += len(chunk)
                    spool.seek(0)
                    relative = _archive_name(key)
                    info = tarfile.TarInfo(f"files/{relative}")
                    info.size, info.mode, info.mtime = size, 0o640, int(utcnow().timestamp())
                    archive.addfile(info, spool)
                manifest["files"][relative] = {"size": size, "sha256": digest.hexdigest()}
                summary.files += 1
                summary.bytes += size
            _add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return summary


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    info.mode = 0o640
    archive.addfile(info, io.BytesIO(data))


# --- restore -----------------------------------------------------------------------------------

def _read_archive(source: Path) -> tuple[dict, dict[str, bytes], tarfile.TarFile]:
    try:
        archive = tarfile.open(source, mode="r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Không đọc được tệp sao lưu: {error}") from error
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        archive.close()
        raise BackupError("Tệp sao lưu thiếu manifest.json.") from None
    manifest = json.loads(member.read().decode("utf-8"))
    if manifest.get("format") != FORMAT:
        archive.close()
        raise BackupError(f"Định dạng sao lưu không hỗ trợ: {manifest.get('format')!r}.")
    tables: dict[str, bytes] = {}
    for name, expected in manifest["tables"].items():
        try:
            data = archive.extractfile(f"tables/{name}.jsonl").read()
        except KeyError:
            archive.close()
            raise BackupError(f"Tệp sao lưu thiếu bảng {name}.") from None
        if _sha256(data) != expected["sha256"]:
            archive.close()
            raise BackupError(f"Dữ liệu bảng {name} trong tệp sao lưu bị hỏng (sai mã kiểm tra).")
        tables[name] = data
    return manifest, tables, archive


def _safe_relative(name: str) -> str:
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or not path.name.isalnum():
        raise BackupError(f"Tên tệp không hợp lệ trong bản sao lưu: {name!r}.")
    return path.as_posix()


def _topological(table: sa.Table, rows: list[dict]) -> list[dict]:
    """Rows of a table that refers to itself (a unit's parent), parents first."""
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not self_refs or len(table.primary_key.columns) != 1:
        return rows
    key = next(iter(table.primary_key.columns)).name
    placed: set = set()
    pending = rows
    ordered: list[dict] = []
    while pending:
        ready = [row for row in pending
                 if all(row.get(ref) is None or row[ref] in placed or row[ref] == row[key] for ref in self_refs)]
        if not ready:
            raise BackupError(f"Bảng {table.name} có tham chiếu vòng, không khôi phục được.")
        for row in ready:
            placed.add(row[key])
        ordered.extend(ready)
        ready_ids = {id(row) for row in ready}
        pending = [row for row in pending if id(row) not in ready_ids]
    return ordered


def database_is_empty() -> bool:
    return not any(db.session.scalar(sa.select(sa.func.count()).select_from(table)) for table in _tables())


def restore_backup(source: str | os.PathLike, *, force: bool = False) -> Summary:
    """Put the archive's rows and files back. Refuses a database that has data unless `force`
    (which empties every table first, in the same transaction)."""
    source = Path(source)
    manifest, tables, archive = _read_archive(source)
    summary = Summary()
    with archive:
        known = {table.name: table for table in _tables()}
        unknown = sorted(set(tables) - set(known))
        if unknown:
            raise BackupError(f"Tệp sao lưu có bảng không có trong phiên bản này: {', '.join(unknown)}.")
        with db.engine.connect() as connection:
            revision = _alembic_revision(connection)
        if revision and manifest.get("alembic_revision") and revision != manifest["alembic_revision"]:
            raise BackupError(
                f"Bản sao lưu thuộc phiên bản cơ sở dữ liệu {manifest['alembic_revision']}, cơ sở dữ liệu hiện tại "
                f"là {revision}. Hãy khôi phục vào cơ sở dữ liệu cùng phiên bản."
            )
        db.session.remove()
        if not database_is_empty() and not force:
            db.session.rollback()
            raise BackupError("Cơ sở dữ liệu đã có dữ liệu; chỉ khôi phục vào cơ sở dữ liệu trống "
                              "(hoặc dùng --force để xoá dữ liệu hiện có).")
        db.session.rollback()
        file_members = []
        for name, expected in manifest["files"].items():
            relative = _safe_relative(name)
            try:
                file_members.append((relative, archive.getmember(f"files/{name}"), expected))
            except KeyError:
                raise BackupError(f"Tệp sao lưu thiếu tệp {name}.") from None
        # Rows: one transaction, all or nothing.
        with db.engine.begin() as connection:
            if force:
                for table in reversed(_tables()):
                    connection.execute(table.delete())
            for table in _tables():
                data = tables.get(table.name, b"")
                columns = {column.name: column for column in table.columns}
                rows = [{name: _from_json(columns[name], value) for name, value in json.loads(line).items()
                         if name in columns}
                        for line in data.decode("utf-8").splitlines() if line]
                if len(rows) != manifest["tables"].get(table.name, {}).get("rows", 0):
                    raise BackupError(f"Số dòng của bảng {table.name} không khớp với manifest.")
                rows = _topological(table, rows)
                for start in range(0, len(rows), BATCH):
                    connection.execute(table.insert(), rows[start:start + BATCH])
                summary.tables[table.name] = len(rows)
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection)
            # Files inside the transaction: a file that does not match its checksum undoes the rows.
            storage = get_storage()
            for relative, member, expected in file_members:
                data = archive.extractfile(member).read()
                if _sha256(data) != expected["sha256"]:
                    raise BackupError(f"Tệp {relative} trong bản sao lưu bị hỏng (sai mã kiểm tra).")
                storage.put(relative.rsplit("/", 1)[-1], io.BytesIO(data))
                summary.files += 1
                summary.bytes += len(data)
        if force:  # the rows are committed: files the restored database does not know are leftovers
            keep = {relative.rsplit("/", 1)[-1] for relative, _, _ in file_members}
            for key in list(storage.keys()):
                if key not in keep:
                    storage.delete(key)
    return summary


def _reset_sequences(connection) -> None:
    for table in _tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer) or keys[0].autoincrement is False:
            continue
        name = keys[0].name
        sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": table.name, "c": name}).scalar()
        if sequence:
            connection.execute(sa.text(
                f'SELECT setval(:s, COALESCE((SELECT MAX("{name}") FROM "{table.name}"), 0) + 1, false)'
            ), {"s": sequence})

