"""Account operations."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from thidua import audit
from thidua.auth.models import PasswordResetToken, User, UserSession, session_key_hash
from thidua.auth.roles import UNIT_ROLES, Role
from thidua.extensions import db, in_vietnamese_order
from thidua.text import fold
from thidua.units.models import Unit
from thidua.security import clear_login_failures, login_lock_minutes_left, note_login_failure
from thidua.timeutil import utcnow

PROFILE_FIELDS = ("full_name", "job_title", "email", "phone", "role", "unit_id", "organiser_id")


class AccountError(ValueError):
    """A refused account change; `field` names the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _check(values: dict, *, user: User | None = None) -> None:
    username = values.get("username")
    if username is not None:
        clash = db.session.scalar(sa.select(User.id).where(User.username == username))
        if clash is not None and (user is None or clash != user.id):
            raise AccountError("username", "Tên đăng nhập này đã có người dùng.")
    role = Role(values.get("role", user.role if user else None))
    unit_id = values.get("unit_id", user.unit_id if user else None)
    if role in UNIT_ROLES and not unit_id:
        raise AccountError("unit_id", "Tài khoản của đơn vị phải thuộc một đơn vị.")
    organiser = values.get("organiser_id", user.organiser_id if user else None)
    if role not in UNIT_ROLES and organiser and not db.session.scalar(
            sa.select(Unit.is_organiser).where(Unit.id == organiser)):
        raise AccountError("organiser_id", "Cấp tổ chức phong trào không hợp lệ.")


def default_organiser_id(actor) -> int | None:
    """The organiser a new staff account acts for when none is chosen: the actor's, or the top one."""
    if actor is not None and getattr(actor, "organiser_id", None):
        return actor.organiser_id
    return db.session.scalar(sa.select(Unit.id).where(Unit.is_organiser.is_(True))
                             .order_by(Unit.parent_id.is_not(None), Unit.id).limit(1))


def _place(values: dict, *, actor, user: User | None = None) -> dict:
    """Staff accounts act for an organiser; unit accounts for none."""
    role = Role(values.get("role", user.role if user else None))
    if role in UNIT_ROLES:
        values["organiser_id"] = None
    elif not values.get("organiser_id", user.organiser_id if user else None):
        values["organiser_id"] = default_organiser_id(actor)
    return values


def create_user(*, actor, username: str, password: str, **values) -> User:
    values = _place(values, actor=actor)
    _check({"username": username, **values})
    user = User(username=username, **{k: v for k, v in values.items() if k in PROFILE_FIELDS})
    user.unit_id = user.unit_id or None
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id,
                 details={"username": username, "role": user.role})
    return user


def update_user(user: User, *, actor, is_active: bool | None = None, **values) -> User:
    if "role" in values:
        values = _place(values, actor=actor, user=user)
    _check(values, user=user)
    changes = {}
    for key in PROFILE_FIELDS:
        if key in values:
            new = values[key] or (None if key in ("unit_id", "organiser_id") else "")
            if getattr(user, key) != new:
                changes[key] = [getattr(user, key), new]
                setattr(user, key, new)
    if is_active is not None and user.is_active_account != is_active:
        changes["is_active"] = [user.is_active_account, is_active]
        user.is_active_account = is_active
        if not is_active:
            end_sessions(user)
    if changes:
        audit.record("user.updated", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id,
                     details=changes)
    return user


def reset_password(user: User, new_password: str, *, actor, must_change: bool = False) -> None:
    """Set a new password; every open session of that account ends."""
    user.set_password(new_password)
    user.must_change_password = must_change
    end_sessions(user)
    audit.record("user.password_reset", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)


def change_own_password(user: User, new_password: str) -> None:
    """The user's own change: every other session of the account ends, this one stays."""
    user.set_password(new_password)
    user.must_change_password = False
    end_sessions(user, keep=user.current_session)
    audit.record("user.password_changed", actor=user, object_type="user", object_id=user.id, unit_id=user.unit_id)


# --- signing in ----------------------------------------------------------------------------------

class SignInLocked(Exception):
    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def authenticate(username: str, password: str, *, address: str) -> User | None:
    """The active account with this username and password, None for a wrong pair; SignInLocked when locked.

    One step per username: the account's row is locked (SELECT ... FOR UPDATE) while its recent
    failures are counted, the password is verified and a failure is written, so simultaneous
    guesses queue behind each other and no more than LOGIN_MAX_FAILURES of them are evaluated.
    The lock is released by the caller's commit. An unknown username costs the same hashing as a
    wrong password (a dummy hash), and an initial password's lighter hash is topped up with it: the
    answer's time tells nothing about which usernames exist or still have their initial password.
    """
    user = db.session.scalar(
        sa.select(User).where(User.username == username).with_for_update(of=User)
    )
    minutes = login_lock_minutes_left(username, address)
    if minutes:
        raise SignInLocked(minutes)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        good = False
    else:
        good = user.check_password(password)
        if user.must_change_password:  # an initial password's lighter hash: add the difference
            check_password_hash(_dummy_hash(), password)
        good = good and user.is_active
    if not good:
        note_login_failure(username, address)
        return None
    clear_login_failures(username)
    user.last_login_at = utcnow()
    return user


# --- sessions ------------------------------------------------------------------------------------

# How often a session's "last seen" is written: not on every request.
LAST_SEEN_EVERY = timedelta(minutes=5)


def _session_lifetime(remember: bool) -> timedelta:
    if remember:
        return current_app.config["REMEMBER_COOKIE_DURATION"]
    return timedelta(seconds=current_app.config["SESSION_IDLE_SECONDS"])


def start_session(user: User, *, remember: bool, address: str, user_agent: str) -> UserSession:
    """A new sign-in of `user` on one browser; its key goes into the cookies through user.get_id()."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now))
    row = UserSession(user_id=user.id, key_hash=session_key_hash(key), created_at=now, last_seen_at=now,
                      expires_at=now + _session_lifetime(remember), remember=remember, remote_addr=address,
                      user_agent=(user_agent or "")[:300])
    db.session.add(row)
    db.session.flush()
    user.current_session, user.current_session_key = row, key
    return row


def load_session(user_id: int, key: str) -> UserSession | None:
    """The live sign-in with this key (its account joined), or None: ended, expired or disabled."""
    found = db.session.execute(_session_query(), {"key_hash": session_key_hash(key)}).one_or_none()
    row, unread = found if found is not None else (None, 0)
    now = utcnow()
    if row is None or row.user_id != user_id or row.expires_at <= now or not row.user.is_active:
        return None
    if now - row.last_seen_at >= LAST_SEEN_EVERY:
        # On a connection of its own: the request's transaction (a page that only reads) stays untouched.
        with db.engine.begin() as connection:
            connection.execute(sa.update(UserSession).where(UserSession.id == row.id).values(
                last_seen_at=now, expires_at=row.expires_at if row.remember else now + _session_lifetime(False)))
    row.user.current_session, row.user.current_session_key = row, key
    row.user.unread_notifications = unread or 0
    return row


@cache
def _session_query() -> sa.Select:
    """The sign-in, its account, and how many notifications the person has not read (every page's
    header shows it): one statement. The notification table is read from the metadata, so that this
    module does not import the notifications package (which imports the workflow, which imports this)."""
    notification = db.metadata.tables["notification"]
    unread = (
        sa.select(sa.func.count()).select_from(notification)
        .where(notification.c.read_at.is_(None),
               sa.or_(notification.c.user_id == User.id,
                      sa.and_(notification.c.user_id.is_(None), notification.c.unit_id == User.unit_id)))
        .correlate(User)
        .scalar_subquery()
    )
    return (sa.select(UserSession, unread).join(UserSession.user).options(contains_eager(UserSession.user))
            .where(UserSession.key_hash == sa.bindparam("key_hash")))


def end_session(row: UserSession | None) -> None:
    if row is not None:
        db.session.execute(sa.delete(UserSession).where(UserSession.id == row.id))


def end_sessions(user: User, *, keep: UserSession | None = None) -> int:
    """End every sign-in of the account (but `keep`); returns how many ended."""
    stmt = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    return db.session.execute(stmt).rowcount or 0


def sessions_of(user: User) -> list[UserSession]:
    return list(db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
        .order_by(UserSession.last_seen_at.desc())
    ))


# --- accounts for every unit ---------------------------------------------------------------------

# Initial passwords: 12 characters from an alphabet without look-alikes (no l/1, o/0), easy to type
# from paper: about 59 bits of chance, so a light PBKDF2 is enough (2^59 × 1,000 SHA-256 rounds is
# centuries of a GPU), and 6,000 accounts take seconds instead of ten minutes of the slow default
# hash. Each is replaced by the person's own, with the default hash, at the first sign-in.
INITIAL_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
INITIAL_HASH_METHOD = "pbkdf2:sha256:1000"
UNIT_ACCOUNT_SUFFIX = {Role.UNIT_HEAD: "ht", Role.UNIT_EDITOR: "cb"}
UNIT_ACCOUNT_NAME = {Role.UNIT_HEAD: "Thủ trưởng", Role.UNIT_EDITOR: "Cán bộ đầu mối"}


def initial_password() -> str:
    while True:
        value = "".join(secrets.choice(INITIAL_ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


@dataclass
class UnitAccount:
    """One line of the list handed out: the unit, the account, and its password if it was just made."""

    unit: Unit
    role: Role
    user: User
    password: str | None  # None: the account existed before, its password is not known here


def _username_for(unit: Unit, role: Role, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9._-]+", "-", fold(unit.code).lower()).strip("-._") or f"donvi{unit.id}"
    base = f"{base[:70]}.{UNIT_ACCOUNT_SUFFIX[role]}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def units_given_accounts(actor) -> list:
    """The units an organiser's secretariat hands accounts to: its subtree, organisers (which have staff) aside."""
    from thidua import scope

    if actor is None or not scope.is_staff(actor):
        return [Unit.is_organiser.is_(False)]
    return [Unit.is_organiser.is_(False), scope.kept_units(actor)]


def issue_unit_accounts(*, actor, roles: list[Role], block: str | None = None) -> list[UnitAccount]:
    """An account in each of `roles` for every active participating unit that has none yet.

    The units are those of the directory under the actor's organiser (not organisers themselves), of
    `block` if given. New accounts get a random initial password that must be changed at the first sign-in
    and the unit's e-mail address (for reset links); an audit row each. Returns every unit's
    line in the directory's order, new and existing, for the list to hand out.
    """
    stmt = sa.select(Unit).where(Unit.is_active.is_(True), Unit.parent_id.is_not(None), *units_given_accounts(actor))
    if block:
        stmt = stmt.where(Unit.block == block)
    units = list(db.session.scalars(stmt.order_by(in_vietnamese_order(Unit.block), in_vietnamese_order(Unit.name), Unit.id)))
    existing: dict[tuple[int, str], User] = {}
    for user in db.session.scalars(sa.select(User).where(
            User.unit_id.in_([u.id for u in units]) if units else sa.false(),
            User.role.in_([r.value for r in roles]), User.is_active_account.is_(True)).order_by(User.id)):
        existing.setdefault((user.unit_id, user.role), user)
    taken = set(db.session.scalars(sa.select(User.username)))
    lines: list[UnitAccount] = []
    created: list[UnitAccount] = []
    for unit in units:
        for role in roles:
            user = existing.get((unit.id, role.value))
            if user is not None:
                lines.append(UnitAccount(unit, role, user, None))
                continue
            password = initial_password()
            user = User(username=_username_for(unit, role, taken), role=role.value, unit_id=unit.id,
                        full_name=f"{UNIT_ACCOUNT_NAME[role]} {unit.short_name or unit.name}"[:160],
                        email=unit.email or "", must_change_password=True,
                        password_hash=generate_password_hash(password, method=INITIAL_HASH_METHOD))
            db.session.add(user)
            line = UnitAccount(unit, role, user, password)
            lines.append(line)
            created.append(line)
    db.session.flush()
    for line in created:
        audit.record("user.created", actor=actor, object_type="user", object_id=line.user.id, unit_id=line.unit.id,
                     details={"username": line.user.username, "role": line.role.value, "bulk": True})
    return lines


ACCOUNT_LIST_HEADERS = ["STT", "Khối", "Mã đơn vị", "Tên đơn vị", "Vai trò", "Tên đăng nhập", "Mật khẩu ban đầu",
                        "Thư điện tử", "Ghi chú"]


def account_list_rows(lines: list[UnitAccount]) -> list[list]:
    """The list to hand out: a password only for an account made just now (to be changed at first sign-in)."""
    return [
        [index, line.unit.block, line.unit.code, line.unit.name, line.role.label, line.user.username,
         line.password or "", line.user.email,
         "Tài khoản mới: đổi mật khẩu khi đăng nhập lần đầu" if line.password else "Đã có tài khoản từ trước"]
        for index, line in enumerate(lines, start=1)
    ]


def account_list_workbook(lines: list[UnitAccount], *, title: str):
    from thidua.exports import ExportWorkbook, write_sheet

    workbook = ExportWorkbook(rows=len(lines))
    write_sheet(workbook, title=title, headers=ACCOUNT_LIST_HEADERS, rows=account_list_rows(lines),
                widths=[6, 24, 22, 50, 18, 28, 16, 34, 26], sheet_title="Tài khoản")
    return workbook


# --- password reset by e-mail --------------------------------------------------------------------

RESET_LINK_MINUTES = 60


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(username_or_email: str) -> tuple[User, str] | None:
    """A reset link's token for the active account with this username or address, None if there is none.

    The caller e-mails it and shows the same message either way (no probing for accounts). Earlier
    links of the account stop working: only the newest one opens.
    """
    value = username_or_email.strip().lower()
    if not value:
        return None
    candidates = list(db.session.scalars(sa.select(User).where(
        sa.or_(User.username == value, sa.func.lower(User.email) == value), User.is_active_account.is_(True),
        User.email != "").limit(2)))
    if len(candidates) != 1:  # an address shared by two accounts names neither
        return None
    user = candidates[0]
    db.session.execute(sa.delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                                      expires_at=now + timedelta(minutes=RESET_LINK_MINUTES)))
    audit.record("user.password_reset_requested", actor=None, object_type="user", object_id=user.id,
                 unit_id=user.unit_id)
    return user, token


def reset_link_user(token: str, *, lock: bool = False) -> User | None:
    """The account a live reset link opens (the token's row locked when `lock`), or None."""
    stmt = sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token or ""))
    if lock:
        stmt = stmt.with_for_update()
    row = db.session.scalar(stmt)
    if row is None or row.expires_at <= utcnow():
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def reset_password_by_link(token: str, new_password: str) -> User | None:
    """Set the password through a reset link; the link is used up and every session of the account ends."""
    user = reset_link_user(token, lock=True)
    if user is None:
        return None
    deleted = db.session.execute(sa.delete(PasswordResetToken).where(
        PasswordResetToken.token_hash == _token_hash(token))).rowcount
    if not deleted:  # used by a simultaneous request
        return None
    user.set_password(new_password)
    user.must_change_password = False
    end_sessions(user)
    clear_login_failures(user.username)
    audit.record("user.password_reset_by_link", actor=user, object_type="user", object_id=user.id,
                 unit_id=user.unit_id)
    return user


def reset_mail(user: User, link: str) -> tuple[str, str]:
    subject = "Đặt lại mật khẩu tài khoản thi đua CCHC"
    body = (f"Chào {user.full_name},\n\n"
            f"Có yêu cầu đặt lại mật khẩu cho tài khoản {user.username}. Mở liên kết dưới đây để đặt mật khẩu mới "
            f"(liên kết dùng được một lần, trong {RESET_LINK_MINUTES} phút):\n\n{link}\n\n"
            "Nếu bạn không yêu cầu, hãy bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên.\n")
    return subject, body
