"""Where uploaded files live: one small interface, local disk today.

Files are stored under generated keys (never the user's file name), outside the web
root, written to a temporary file first and renamed into place, so a crash mid-upload
leaves no half file under a key the database knows. An object store can replace
`LocalStorage` by providing the same four methods.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
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
        key = secrets.token_hex(20)
        size, sha256 = write_atomically(self._path(key), stream, max_size=max_size)
        return Stored(key, size, sha256)

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


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
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".upload-", delete=False)
        try:
            with handle:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_size:
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
        return Stored(key, size, digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


def get_storage() -> Storage:
    app = current_app._get_current_object()
    storage = app.extensions.get("thidua.storage")
    if storage is None:
        storage = app.extensions["thidua.storage"] = LocalStorage(app.config["UPLOAD_FOLDER"])
    return storage
