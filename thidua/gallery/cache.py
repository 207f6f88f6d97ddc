"""HTTP caching of the public gallery, and the shared cache of its rendered pages.

The list, its search, the model pages, the statistics, the JSON listing and the feed are read by the
whole province and change only when the secretariat publishes, unpublishes or edits a model, when a
unit records an adoption, or when the award that a model page cites changes. So:

- The version. `gallery_stamp` is one row (models.GalleryStamp) whose random `token` changes in the
  same transaction as any of those writes: a session listener notices a flushed change to a gallery
  entry, its public files, an adoption, the award list, its lines, levels and decisions, a campaign or
  a unit (what the list's filters offer), and rewrites the row just before the commit (last, so that
  it is the last lock the transaction takes: no deadlock with another writer). Reading it is one
  primary-key query, the only statement an unchanged page costs.
- Validators. Anonymous answers carry `ETag: "<token>-<code>"` (strong: the bytes are the same for
  the same version and URL; <code> changes when templates or code change) and
  `Last-Modified: <changed_at>`; `If-None-Match` (or, without it, `If-Modified-Since`) answers 304
  with no body.
- `Cache-Control: public, no-cache`. Chosen over `max-age=60` because the issue promises that a
  change is visible on the next request: a model taken off the gallery (a confidentiality mistake)
  must not stay in browsers and proxies for another minute. Revalidating costs one request that
  answers 304 after one primary-key query.
- The page cache. A 200 is kept under (token, scheme + host + path + query): in Redis when REDIS_URL
  is set (shared by every worker and node, expiring after PAGE_TTL), else in a bounded LRU in the
  process. A new token makes every old key unreachable, so nothing needs deleting; the LRU drops
  the older versions' pages when it first sees a new token.
- Only anonymous GET/HEAD requests with nothing flashed are answered from or stored in it; signed-in
  pages (an adopt button, the account's name) are rendered every time and stay `private, no-store`
  (thidua.security). A Redis that fails is a cache miss, logged, never an error page.
"""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from datetime import datetime, timezone
from functools import wraps

import sqlalchemy as sa
from flask import current_app, request, session
from sqlalchemy.dialects import postgresql, sqlite

from thidua import PACKAGE, TEMPLATES
from thidua.extensions import db
from thidua.timeutil import utcnow

CACHE_CONTROL = "public, no-cache"
PAGE_TTL = 3600  # seconds a page stays in Redis; a version that lives longer is simply rendered again
LRU_PAGES = 512
LRU_BYTES = 64 * 1024 * 1024
KEPT_HEADERS = ("Content-Type", "Access-Control-Allow-Origin")
_CHANGED = "gallery_changed"


# --- the version -------------------------------------------------------------------------------

def _watched() -> tuple[type, ...]:
    from thidua.awards.models import AwardDecision, AwardEntry, AwardList
    from thidua.campaigns.models import Campaign
    from thidua.gallery.models import Adoption, GalleryEntry, GalleryFile
    from thidua.review.models import CommendationLevel
    from thidua.units.models import Unit

    return (GalleryEntry, GalleryFile, Adoption, AwardList, AwardEntry, AwardDecision, CommendationLevel,
            Campaign, Unit)


def _note_changes(session, flush_context, instances) -> None:
    watched = _watched()
    if session.info.get(_CHANGED):
        return
    if any(isinstance(obj, watched) for obj in session.new) or \
            any(isinstance(obj, watched) for obj in session.deleted) or \
            any(isinstance(obj, watched) and session.is_modified(obj) for obj in session.dirty):
        session.info[_CHANGED] = True


def _note_bulk_writes(state) -> None:
    """UPDATE/DELETE/INSERT statements run on a watched table outside the unit of work."""
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name in {model.__tablename__ for model in _watched()}:
            state.session.info[_CHANGED] = True


def _bump_before_commit(session) -> None:
    session.flush()
    if session.info.pop(_CHANGED, False):
        mark_changed(session)


def _forget(session, *args) -> None:
    session.info.pop(_CHANGED, None)


def mark_changed(session=None) -> None:
    """Give the gallery a new version, in the caller's transaction (one statement)."""
    from thidua.gallery.models import GalleryStamp

    session = session or db.session
    values = {"token": uuid.uuid4().hex, "changed_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(GalleryStamp)
    if dialect not in ("postgresql", "sqlite"):
        session.execute(sa.update(GalleryStamp).where(GalleryStamp.id == 1).values(**values))
        return
    session.execute(insert.values(id=1, **values).on_conflict_do_update(index_elements=["id"], set_=values))


def current_stamp() -> tuple[str, datetime] | None:
    """(token, changed_at) of the published state; None when the row is missing (nothing is cached then)."""
    from thidua.gallery.models import GalleryStamp

    row = db.session.execute(sa.select(GalleryStamp.token, GalleryStamp.changed_at)
                             .where(GalleryStamp.id == 1)).first()
    return (row[0], row[1]) if row is not None else None


# --- the stores --------------------------------------------------------------------------------

class ProcessPages:
    """A bounded LRU of rendered pages in this process (the default without Redis)."""

    def __init__(self, max_pages: int = LRU_PAGES, max_bytes: int = LRU_BYTES):
        self.max_pages, self.max_bytes = max_pages, max_bytes
        self._pages: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._bytes = 0
        self._token: str | None = None
        self._lock = threading.Lock()

    def _see(self, token: str) -> None:
        if token != self._token:  # a new version: the older ones' pages are never asked for again
            self._pages.clear()
            self._bytes = 0
            self._token = token

    def get(self, token: str, url: str) -> bytes | None:
        with self._lock:
            self._see(token)
            value = self._pages.get((token, url))
            if value is not None:
                self._pages.move_to_end((token, url))
            return value

    def set(self, token: str, url: str, value: bytes) -> None:
        if len(value) > self.max_bytes // 8:
            return
        with self._lock:
            self._see(token)
            old = self._pages.pop((token, url), None)
            self._bytes -= len(old) if old is not None else 0
            self._pages[(token, url)] = value
            self._bytes += len(value)
            while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)


class RedisPages:
    """Rendered pages in Redis, shared by every worker; keys expire after PAGE_TTL."""

    def __init__(self, url: str, ttl: int = PAGE_TTL):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.ttl = ttl

    @staticmethod
    def key(token: str, url: str) -> str:
        return f"thidua:gallery:{token}:{hashlib.sha256(url.encode()).hexdigest()}"

    def get(self, token: str, url: str) -> bytes | None:
        import redis

        try:
            return self.client.get(self.key(token, url))
        except redis.RedisError as error:
            current_app.logger.warning("gallery cache: Redis read failed: %s", error)
            return None

    def set(self, token: str, url: str, value: bytes) -> None:
        import redis

        try:
            self.client.set(self.key(token, url), value, ex=self.ttl)
        except redis.RedisError as error:
            current_app.logger.warning("gallery cache: Redis write failed: %s", error)

    def clear(self) -> None:
        import redis

        try:
            for key in self.client.scan_iter("thidua:gallery:*"):
                self.client.delete(key)
        except redis.RedisError:
            pass


def pages():
    return current_app.extensions["gallery_pages"]


def _pack(response) -> bytes:
    head = {"status": response.status_code,
            "headers": [[name, response.headers[name]] for name in KEPT_HEADERS if name in response.headers]}
    return json.dumps(head).encode() + b"\n" + response.get_data()


def _unpack(value: bytes):
    head, _, body = value.partition(b"\n")
    head = json.loads(head)
    return current_app.response_class(body, status=head["status"], headers=head["headers"])


# --- the decorator -----------------------------------------------------------------------------

def _anonymous() -> bool:
    if "_user_id" in session or "_flashes" in session:
        return False
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies


def _not_modified(etag: str, changed_at: datetime) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    return since is not None and changed_at.replace(microsecond=0, tzinfo=timezone.utc) <= since


def public_page(view):
    """Serve the view anonymously with validators and from the shared page cache (see the module)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method not in ("GET", "HEAD") or not _anonymous():
            return current_app.make_response(view(*args, **kwargs))
        stamp = current_stamp()
        if stamp is None:
            response = current_app.make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = CACHE_CONTROL
            return response
        token, changed_at = stamp
        etag = f"{token}-{current_app.extensions['gallery_code']}"
        if _not_modified(etag, changed_at):
            response = current_app.response_class(status=304)
        else:
            url = request.host_url + request.path.lstrip("/") + "?" + request.query_string.decode("latin-1")
            cached = pages().get(etag, url)
            if cached is not None:
                response = _unpack(cached)
            else:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code != 200:
                    return response
                pages().set(etag, url, _pack(response))
        response.set_etag(etag)
        response.last_modified = changed_at.replace(tzinfo=timezone.utc)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response

    return wrapped


def _code_version() -> str:
    """A digest of the templates and the code: a deploy that changes a page changes its ETag."""
    digest = hashlib.sha256()
    for folder, pattern in ((TEMPLATES, "*.html"), (TEMPLATES, "*.xml"), (PACKAGE, "*.py")):
        for path in sorted(folder.rglob(pattern)):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def init_app(app) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["gallery_pages"] = RedisPages(url) if url else ProcessPages()
    app.extensions["gallery_code"] = _code_version()
    target = db.session
    for name, listener in (("before_flush", _note_changes), ("do_orm_execute", _note_bulk_writes),
                           ("before_commit", _bump_before_commit), ("after_rollback", _forget)):
        if not sa.event.contains(target, name, listener):
            sa.event.listen(target, name, listener)
