from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from thidua.auth import bp
from thidua.auth.forms import ChangePasswordForm, LoginForm, ResetPasswordForm, UserForm
from thidua.auth.models import User
from thidua.auth.roles import ROLE_LABELS, Role
from thidua.auth.services import AccountError, create_user, reset_password, update_user
from thidua.extensions import db
from thidua.forms import ButtonForm, choices
from thidua.security import clear_login_failures, client_address, login_lock_minutes_left, note_login_failure
from thidua.text import fold
from thidua.timeutil import utcnow
from thidua.units.models import Unit
from thidua.paging import bounded_int, page_number


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.lower()
        address = client_address()
        minutes = login_lock_minutes_left(username, address)
        if minutes:
            form.username.errors.append(
                f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
            )
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.check_password(form.password.data) or not user.is_active:
            note_login_failure(username, address)
            db.session.commit()
            form.password.errors.append("Tên đăng nhập hoặc mật khẩu không đúng.")
            return render_template("auth/login.html", form=form), 200
        clear_login_failures(username)
        user.last_login_at = utcnow()
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # a fresh session at sign-in: no fixation
        login_user(user, remember=form.remember.data)
        db.session.commit()
        return redirect(next_url or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/dang-xuat")
def logout():
    form = ButtonForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/tai-khoan", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("Mật khẩu hiện tại không đúng.")
        else:
            current_user.set_password(form.new_password.data)
            db.session.commit()
            # The user object, not the current_user proxy: a proxy stored as g._login_user resolves to itself.
            login_user(current_user._get_current_object())  # the session carries the new token
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


def _unit_choices():
    rows = db.session.execute(
        sa.select(Unit.id, Unit.short_name, Unit.name).where(Unit.is_active.is_(True)).order_by(Unit.block, Unit.name)
    )
    return choices(((row.id, row.short_name or row.name) for row in rows), "— Không thuộc đơn vị —", 0)


@bp.get("/quan-tri/tai-khoan")
def users():
    query = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    unit_id = request.args.get("unit", type=bounded_int)
    stmt = sa.select(User).order_by(User.username)
    if query:
        pattern = f"%{fold(query)}%"
        stmt = stmt.outerjoin(Unit, Unit.id == User.unit_id).where(
            sa.or_(User.username.ilike(f"%{query}%"), User.full_name.ilike(f"%{query}%"), Unit.search_text.like(pattern))
        )
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("auth/users.html", page=page, query=query, role=role, roles=ROLE_LABELS, unit_id=unit_id)


def _form_values(form: UserForm) -> dict:
    return {
        "full_name": form.full_name.data,
        "job_title": form.job_title.data or "",
        "email": form.email.data or "",
        "phone": form.phone.data or "",
        "role": form.role.data,
        "unit_id": form.unit_id.data or None,
    }


@bp.route("/quan-tri/tai-khoan/moi", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    form.unit_id.choices = _unit_choices()
    if request.method == "GET" and request.args.get("unit", type=bounded_int):
        form.unit_id.data = request.args.get("unit", type=bounded_int)
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append("Vui lòng đặt mật khẩu ban đầu.")
        else:
            try:
                user = create_user(actor=current_user, username=form.username.data, password=form.password.data,
                                   **_form_values(form))
            except AccountError as error:
                getattr(form, error.field).errors.append(str(error))
            else:
                db.session.commit()
                flash(f"Đã tạo tài khoản {user.username}.", "success")
                return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/quan-tri/tai-khoan/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    form.unit_id.choices = _unit_choices()
    del form.password
    if request.method == "GET":
        form.unit_id.data = user.unit_id or 0
        form.is_active.data = user.is_active_account
    if form.validate_on_submit():
        if user.id == current_user.id and (not form.is_active.data or form.role.data != user.role):
            form.role.errors.append("Không thể tự thay đổi vai trò hoặc khóa tài khoản của chính mình.")
        else:
            try:
                update_user(user, actor=current_user, is_active=form.is_active.data, **_form_values(form))
            except AccountError as error:
                getattr(form, error.field).errors.append(str(error))
            else:
                db.session.commit()
                flash("Đã lưu tài khoản.", "success")
                return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=user, reset_form=ResetPasswordForm())


@bp.post("/quan-tri/tai-khoan/<int:user_id>/mat-khau")
def user_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        reset_password(user, form.new_password.data, actor=current_user)
        db.session.commit()
        flash(f"Đã đặt lại mật khẩu cho {user.username}; các phiên đăng nhập cũ đã kết thúc.", "success")
        return redirect(url_for("auth.user_edit", user_id=user.id))
    edit_form = UserForm(obj=user)
    edit_form.unit_id.choices = _unit_choices()
    edit_form.unit_id.data = user.unit_id or 0
    edit_form.is_active.data = user.is_active_account
    del edit_form.password
    return render_template("auth/user_form.html", form=edit_form, user=user, reset_form=form), 400
