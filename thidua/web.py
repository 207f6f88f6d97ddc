"""Template helpers, the user loader and error pages."""
from __future__ import annotations

import hashlib
import os
from functools import cache

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

from thidua import access, scope
from thidua.extensions import db, end_read_only_transaction, login_manager, state_columns
from thidua.markup import render_markdown
from thidua.numbers import format_fixed, format_number, format_percent
from thidua.security import NulInForm
from thidua.timeutil import format_date, format_moment


class HtmlSafeJSON(DefaultJSONProvider):
    """JSON whose <, > and & are written as \\u escapes: the same data, and text typed by a unit
    ("<script>…") stays inert wherever another site drops the open data into a page."""

    def dumps(self, obj, **kwargs) -> str:
        return super().dumps(obj, **kwargs).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def web_address(text: str) -> str | None:
    """A link typed by a user, as a safe http(s) address ("drive.google.com/x" gets https://), else None."""
    from urllib.parse import urlsplit

    candidate = text.strip()
    if not candidate or any(ch.isspace() for ch in candidate):
        return None
    if "://" not in candidate:
        candidate = "https://" + candidate
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or "." not in (parts.hostname or ""):
        return None
    return candidate


@cache
def _digest(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def static_version(static_folder: str, filename: str) -> str | None:
    """A short hash of a static file's content, for its URL (?v=…): a changed file has a new URL,
    so the proxy can let browsers keep static files for a month (deploy/nginx/thidua.conf)."""
    path = os.path.join(static_folder, filename)
    try:
        return _digest(path, os.stat(path).st_mtime_ns)
    except OSError:
        return None


def init_app(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_key: str):
        """The account of a live sign-in: one statement (the session row, its account and unit joined)."""
        from thidua.auth.services import load_session

        user_id, _, key = user_key.partition(":")
        if not user_id.isdigit() or not key:
            return None
        row = load_session(int(user_id), key)
        return row.user if row is not None else None

    @app.url_defaults
    def _static_versions(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    app.before_request(access.enforce)
    # Registered after Flask-SQLAlchemy's teardown, so it runs before it (teardowns run in reverse).
    app.teardown_appcontext(end_read_only_transaction)

    tz = app.config["TIMEZONE"]
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["moment"] = lambda value: format_moment(value, tz)
    # Every number on a page goes through thidua.numbers: 1.245,5 · scores and thresholds 56,33 · 95,6%
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["decimal"] = format_number
    app.jinja_env.filters["score"] = format_fixed
    app.jinja_env.filters["web_address"] = web_address
    app.jinja_env.filters["combine"] = lambda first, second: {**first, **second}
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from thidua.workflow import STATE_LABELS

    app.jinja_env.globals.update(
        organisation_name=app.config["ORGANISATION_NAME"],
        state_labels=STATE_LABELS,
        # The states of every state machine, by their enum's name: {% if review.status == ReviewStatus.SUBMITTED %}
        **{states.__name__: states for states in state_columns().values()},
        may_open=lambda endpoint: _may_open(endpoint),
        acts_for_the_top=lambda: scope.acts_for_the_top(current_user),
    )

    @app.context_processor
    def _read_only_organiser():
        from thidua.units.models import Unit

        organiser_id = g.get("read_only_organiser")
        values = {"read_only_organiser": db.session.get(Unit, organiser_id) if organiser_id else None}
        if scope.is_staff(current_user) and not scope.acts_for_the_top(current_user):
            values["organisation_name"] = current_user.organiser.name  # a ward's staff work under its name
        return values

    def _may_open(endpoint: str) -> bool:
        rule = access.rule_for(endpoint)
        if rule == access.PUBLIC:
            return True
        if not current_user.is_authenticated or rule is None:
            return False
        return rule == access.SIGNED_IN or current_user.role in rule

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, title="Phiên làm việc đã hết hạn",
                               message="Biểu mẫu đã quá hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."), 400

    @app.errorhandler(NulInForm)
    def nul_in_form(error):
        return render_template("errors/error.html", code=400, title="Dữ liệu không hợp lệ",
                               message=error.description), 400

    messages = {
        403: ("Không có quyền truy cập", "Tài khoản của bạn không được phép xem hoặc thay đổi nội dung này."),
        404: ("Không tìm thấy trang", "Trang hoặc hồ sơ bạn tìm không tồn tại."),
        405: ("Thao tác không hợp lệ", "Thao tác này không được hỗ trợ tại địa chỉ này."),
        413: ("Tệp quá lớn", "Tệp tải lên vượt quá dung lượng cho phép."),
        500: ("Lỗi hệ thống", "Đã có lỗi xảy ra; dữ liệu của bạn chưa được lưu. Vui lòng thử lại sau ít phút."),
    }

    for code, (title, message) in messages.items():
        def handler(error, code=code, title=title, message=message):
            if code == 500:
                db.session.rollback()
            return render_template("errors/error.html", code=code, title=title, message=message), code

        app.register_error_handler(code, handler)

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error):
        """Two people (or two clicks) changed one record at once: the first change stands, the
        later one is not applied, and its sender is told so on the page they came from."""
        db.session.rollback()
        flash("Hồ sơ này vừa được cập nhật ở nơi khác cùng lúc với thao tác của bạn; thao tác của bạn chưa được "
              "ghi. Hãy xem lại trạng thái hiện tại rồi thử lại nếu cần.", "error")
        back = request.referrer or ""
        if not back.startswith(request.host_url):
            back = url_for("main.index")
        return redirect(back, code=303)

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    @app.errorhandler(sa.exc.TimeoutError)
    def database_unavailable(error):
        return _database_unavailable(error)

    @app.errorhandler(sa.exc.DBAPIError)
    def database_error(error):
        if error.connection_invalidated:
            return _database_unavailable(error)
        raise error

    @app.after_request
    def vary_on_cookie(response):
        if request.endpoint != "static":
            response.headers.add("Vary", "Cookie")
        return response


def _database_unavailable(error):
    """The database is down, restarting or locked for a moment: say so, keep nothing half written.

    The transaction is rolled back (nothing of this request is kept); the pool drops dead
    connections (pool_pre_ping on PostgreSQL), so the next request reconnects by itself.
    """
    current_app.logger.warning("database unavailable: %s", str(error).splitlines()[0][:300])
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone altogether
        db.session.invalidate()
    if g.get("_login_user") is None:
        # The user could not be loaded: render as nobody rather than query the database again.
        g._login_user = current_app.login_manager.anonymous_user()
    body = render_template(
        "errors/unavailable.html", code=503, title="Hệ thống tạm thời gián đoạn",
        message="Cơ sở dữ liệu đang bận hoặc tạm thời không kết nối được. Thao tác vừa rồi chưa được lưu, "
                "không có dữ liệu nào bị ghi dở.",
        advice="Vui lòng đợi ít phút rồi tải lại trang hoặc gửi lại biểu mẫu.",
    )
    return body, 503, {"Retry-After": "30", "Cache-Control": "no-store"}
