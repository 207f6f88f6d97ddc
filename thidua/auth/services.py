"""Account operations."""
from __future__ import annotations

import sqlalchemy as sa

from thidua import audit
from thidua.auth.models import User
from thidua.auth.roles import UNIT_ROLES, Role
from thidua.extensions import db

PROFILE_FIELDS = ("full_name", "job_title", "email", "phone", "role", "unit_id")


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


def create_user(*, actor, username: str, password: str, **values) -> User:
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
    _check(values, user=user)
    changes = {}
    for key in PROFILE_FIELDS:
        if key in values:
            new = values[key] or (None if key == "unit_id" else "")
            if getattr(user, key) != new:
                changes[key] = [getattr(user, key), new]
                setattr(user, key, new)
    if is_active is not None and user.is_active_account != is_active:
        changes["is_active"] = [user.is_active_account, is_active]
        user.is_active_account = is_active
        if not is_active:
            user.end_sessions()
    if changes:
        audit.record("user.updated", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id,
                     details=changes)
    return user


def reset_password(user: User, new_password: str, *, actor) -> None:
    """Set a new password; every open session of that account ends."""
    user.set_password(new_password)
    audit.record("user.password_reset", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)
