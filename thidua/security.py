"""Security headers and login throttling."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request, session
from werkzeug.exceptions import BadRequest

from thidua.extensions import db
from thidua.timeutil import utcnow

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class NulInForm(BadRequest):
    description = "Dữ liệu gửi lên chứa ký tự điều khiển (NUL) không hợp lệ; chưa có gì được lưu."


def init_app(app) -> None:
    @app.before_request
    def refuse_nul_bytes():
        """No text anyone types holds a NUL byte, and PostgreSQL refuses one: refuse it at the door, for every form."""
        if request.method in ("POST", "PUT", "PATCH") and any(
                "\x00" in value for values in request.form.listvalues() for value in values):
            raise NulInForm()

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if session.get("_user_id"):
            # Pages behind the login hold official records: never cache them in shared caches. The session
            # says whether someone is signed in; asking current_user would reload the account from the
            # database after every commit (the commit expires it), one more statement per form sent,
            # and a query that may be the very thing that failed (the 503 page).
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def login_lock_minutes_left(username: str, address: str) -> int:
    """Minutes until this username may try again from this address; 0 when not locked.

    A username that failed LOGIN_MAX_FAILURES times in the window is locked wherever the attempt
    comes from (guessing one account). Failures from one address never lock anyone else's account:
    behind a reverse proxy or a shared office connection, a whole Sở signs in from one address.
    Once an address is hot (LOGIN_MAX_FAILURES * 4 failures in the window, any usernames), each
    username gets only LOGIN_HOT_ADDRESS_FAILURES wrong guesses from it, so trying one password
    on many accounts is slowed, while a person whose own username has not failed there signs in.
    """
    from thidua.auth.models import LoginFailure

    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    since = utcnow() - window
    recent = LoginFailure.at >= since
    mine = LoginFailure.username == username
    here = LoginFailure.remote_addr == address
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(mine),
            sa.func.max(LoginFailure.at).filter(mine),
            sa.func.count().filter(here),
            sa.func.count().filter(mine, here),
            sa.func.max(LoginFailure.at).filter(mine, here),
        ).where(recent, sa.or_(mine, here))
    ).one()
    by_user, latest_by_user, by_address, by_user_here, latest_here = row
    latest = None
    if by_user >= limit:
        latest = latest_by_user
    elif by_address >= limit * 4 and by_user_here >= current_app.config["LOGIN_HOT_ADDRESS_FAILURES"]:
        latest = latest_here
    if latest is None:
        return 0
    remaining = latest + window - utcnow()
    return max(1, int(remaining.total_seconds() // 60) + 1)


def note_login_failure(username: str, address: str) -> None:
    from thidua.auth.models import LoginFailure

    db.session.add(LoginFailure(username=username[:80], remote_addr=address, at=utcnow()))


def clear_login_failures(username: str) -> None:
    from thidua.auth.models import LoginFailure

    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == username))
