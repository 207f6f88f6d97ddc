"""Accounts and login throttling."""
from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from thidua.auth.roles import UNIT_ROLES, Role
from thidua.extensions import db
from thidua.timeutil import utcnow
from thidua.units.models import Unit


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(160))
    email: Mapped[str] = mapped_column(sa.String(255), default="")
    # The person's notifications also come by e-mail (to `email`) unless they stopped them.
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    job_title: Mapped[str] = mapped_column(sa.String(160), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    # The organiser a secretariat, leader or reviewer account acts for (thidua.scope); None for units.
    organiser_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Set for an initial password handed out on paper: the first sign-in leads to changing it.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    # Set with the sign-in (thidua.auth.services.load_session): the header's count of unread notifications.
    unread_notifications = 0
    unit: Mapped[Unit | None] = relationship(lazy="joined", foreign_keys=[unit_id])
    organiser: Mapped[Unit | None] = relationship(lazy="joined", foreign_keys=[organiser_id])

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    # The sign-in this request belongs to (set by the user loader and at sign-in; never stored here).
    current_session = None  # UserSession
    current_session_key = None  # str

    def get_id(self) -> str:
        # What Flask-Login keeps in the session cookie and the remember cookie: the account and the
        # key of one sign-in. Deleting that sign-in's row ends both cookies on the server.
        return f"{self.id}:{self.current_session_key or ''}"

    def set_password(self, password: str) -> None:
        """Set the hash only; ending the account's sessions is services.end_sessions'."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        """"Lãnh đạo Sở" at the top; a leader of a level below is named after it ("Lãnh đạo UBND phường …")."""
        if self.role == Role.LEADER and self.organiser is not None and self.organiser.parent_id is not None:
            return f"Lãnh đạo {self.organiser.display_name}"
        return self.role_enum.label

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_unit_member(self) -> bool:
        return self.role in UNIT_ROLES

    @property
    def is_secretariat(self) -> bool:
        return self.role == Role.SECRETARIAT

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    @property
    def is_unit_head(self) -> bool:
        return self.role == Role.UNIT_HEAD

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginFailure(db.Model):
    """One failed sign-in; recent ones for a username or an address lock it for a while."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def session_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class UserSession(db.Model):
    """One sign-in on one browser; the cookies hold its key, this row only the key's hash.

    Signing out deletes the row; a password change or reset deletes every row of the account, so
    a copied session cookie or a remember cookie stops working at once, wherever it is.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    remember: Mapped[bool] = mapped_column(default=False)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def browser_label(self) -> str:
        """"Chrome trên Windows": what a person recognises of a User-Agent string."""
        agent = self.user_agent or ""
        browser = next((name for token, name in _BROWSERS if token in agent), "Trình duyệt khác")
        system = next((name for token, name in _SYSTEMS if token in agent), "")
        return f"{browser} trên {system}" if system else browser


# Checked in order: Edge and Cốc Cốc also say "Chrome", Chrome also says "Safari", iOS says "Mac OS X".
_BROWSERS = [("Edg/", "Edge"), ("coc_coc", "Cốc Cốc"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


class PasswordResetToken(db.Model):
    """A link sent by e-mail to set a new password: single use (the row is deleted), expiring.

    Only the hash of the token is kept, so the table read by someone else opens no account.
    """

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
