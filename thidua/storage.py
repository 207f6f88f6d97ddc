"""Where uploaded and generated files live: one small interface, two stores.

Files are stored under generated keys (never the user's file name), outside the web root.
`LocalStorage` (the embedded default, UPLOAD_FOLDER) writes to a temporary file first and
renames it into place, so a crash mid-upload leaves no half file under a key the database
knows. `S3Storage` (THIDUA_S3_BUCKET set) keeps them in an S3-compatible object store, so that
every web node and worker of an installation sees the same files; an object appears whole
or not at all.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

CHUNK = 1024 * 1024


class TooLarge(ValueError):
    pass


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    sha256: str


class Storage(Protocol):
    def save(self, stream: BinaryIO, *, max_size: int) -> Stored:
        """Store the stream under a new generated key; TooLarge past max_size (nothing kept)."""

    def put(self, key: str, stream: BinaryIO) -> None:
        """Store under a known key (restoring a backup)."""

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the file; FileNotFoundError when it is not there."""

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def keys(self) -> Iterator[str]:
        """Every stored key (not the temporary files of uploads in progress)."""


def write_atomically(target: Path, stream: BinaryIO, *, max_size: int | None = None) -> tuple[int, str]:
    """Copy the stream to a temporary file beside `target`, sync it and rename it into place; (size, SHA-256).

    Past max_size the copy stops with TooLarge; on any error the temporary file is removed and
    nothing appears at `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".upload-", delete=False)
    try:
        with handle:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise TooLarge(size)
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o640)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


class LocalStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("invalid storage key")
        return self.root / key[:2] / key[2:4] / key

    def save(self, stream: BinaryIO, *, max_size: int) -> Stored:
        key = secrets.token_hex(20)
        size, sha256 = write_atomically(self._path(key), stream, max_size=max_size)
        return Stored(key, size, sha256)

    def put(self, key: str, stream: BinaryIO) -> None:
        write_atomically(self._path(key), stream)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def keys(self) -> Iterator[str]:
        if self.root.exists():
            for path in sorted(self.root.rglob("*")):
                if path.is_file() and not path.name.startswith(".upload-") and path.name.isalnum():
                    yield path.name


class S3Storage:
    """Files in an S3-compatible object store (AWS S3, MinIO, Ceph, ...), shared by every web node and
    worker. Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
    a profile or an instance role). An upload is spooled (in memory up to a few MB, then a temporary
    file) while its size and checksum are taken, then sent in parts; nothing is kept past max_size."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                                   config=BotoConfig(retries={"max_attempts": 3, "mode": "standard"},
                                                     signature_version="s3v4"))

    def _name(self, key: str) -> str:
        if not key.isalnum():
            raise ValueError("invalid storage key")
        return self.prefix + key

    def save(self, stream: BinaryIO, *, max_size: int) -> Stored:
        key = secrets.token_hex(20)
        digest, size = hashlib.sha256(), 0
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as spool:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_size:
                    raise TooLarge(size)
                digest.update(chunk)
                spool.write(chunk)
            spool.seek(0)
            self.client.upload_fileobj(spool, self.bucket, self._name(key))
        return Stored(key, size, digest.hexdigest())

    def put(self, key: str, stream: BinaryIO) -> None:
        self.client.upload_fileobj(stream, self.bucket, self._name(key))

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix):]
                if name.isalnum():
                    yield name


def get_storage() -> Storage:
    app = current_app._get_current_object()
    storage = app.extensions.get("thidua.storage")
    if storage is None:
        if app.config.get("S3_BUCKET"):
            storage = S3Storage(app.config["S3_BUCKET"], prefix=app.config.get("S3_PREFIX", ""),
                                endpoint_url=app.config.get("S3_ENDPOINT_URL"), region=app.config.get("S3_REGION"))
        else:
            storage = LocalStorage(app.config["UPLOAD_FOLDER"])
        app.extensions["thidua.storage"] = storage
    return storage
