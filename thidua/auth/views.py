from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from thidua.auth import bp
from thidua.auth.forms import (BulkAccountsForm, ChangePasswordForm, ForgotPasswordForm, LinkResetPasswordForm,
                               LoginForm, ResetPasswordForm, UserForm)
from thidua.auth.models import User, UserSession
from thidua import scope
from thidua.auth.roles import ROLE_LABELS, UNIT_ROLES, Role
from thidua.auth.services import (AccountError, SignInLocked, account_list_workbook, authenticate,
                                  change_own_password, create_user, end_session, end_sessions, issue_unit_accounts,
                                  request_password_reset, reset_link_user, reset_mail, reset_password,
                                  reset_password_by_link, sessions_of, start_session, units_given_accounts,
                                  update_user)
from thidua.exports import workbook_response
from thidua.timeutil import local_today
from thidua.extensions import db, in_vietnamese_order
from thidua.forms import ButtonForm, choices
from thidua.security import client_address
from thidua.text import fold
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
        address = client_address()
        try:
            user = authenticate(form.username.data.lower(), form.password.data, address=address)
        except SignInLocked as locked:
            db.session.commit()
            form.username.errors.append(f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {locked.minutes} phút.")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            db.session.commit()
            form.password.errors.append("Tên đăng nhập hoặc mật khẩu không đúng.")
            return render_template("auth/login.html", form=form), 200
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # a fresh session at sign-in: no fixation
        start_session(user, remember=form.remember.data, address=address,
                      user_agent=request.headers.get("User-Agent", ""))
        login_user(user, remember=form.remember.data)
        db.session.commit()
        if user.must_change_password:
            flash("Đây là mật khẩu ban đầu: vui lòng đặt mật khẩu của riêng bạn trước khi làm việc.", "info")
            return redirect(url_for("auth.account"))
        return redirect(next_url or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/dang-xuat")
def logout():
    form = ButtonForm()
    if form.validate_on_submit():
        end_session(current_user.current_session)
        db.session.commit()
        logout_user()
        session.clear()
        flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


def _account_page(form, status: int = 200):
    return render_template("auth/account.html", form=form, sessions=sessions_of(current_user),
                           current_session=current_user.current_session, end_form=ButtonForm()), status


@bp.route("/tai-khoan", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("Mật khẩu hiện tại không đúng.")
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append("Mật khẩu mới cần khác mật khẩu hiện tại.")
        else:
            change_own_password(current_user._get_current_object(), form.new_password.data)
            db.session.commit()
            flash("Đã đổi mật khẩu; các phiên đăng nhập khác của tài khoản đã kết thúc.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(form)


@bp.post("/tai-khoan/phien/<int:session_id>/ket-thuc")
@login_required
def session_end(session_id: int):
    form = ButtonForm()
    if form.validate_on_submit():
        row = db.session.get(UserSession, session_id)
        if row is None or row.user_id != current_user.id:
            abort(404)
        if current_user.current_session is not None and row.id == current_user.current_session.id:
            flash("Đây là phiên bạn đang dùng; hãy bấm “Đăng xuất” để kết thúc.", "error")
        else:
            end_session(row)
            db.session.commit()
            flash("Đã kết thúc phiên đăng nhập đó.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/tai-khoan/phien/ket-thuc-cac-phien-khac")
@login_required
def sessions_end_others():
    form = ButtonForm()
    if form.validate_on_submit():
        ended = end_sessions(current_user, keep=current_user.current_session)
        db.session.commit()
        flash(f"Đã kết thúc {ended} phiên đăng nhập khác." if ended else "Không có phiên đăng nhập nào khác.",
              "success")
    return redirect(url_for("auth.account"))


def _unit_choices():
    rows = db.session.execute(
        sa.select(Unit.id, Unit.short_name, Unit.name).where(Unit.is_active.is_(True), scope.kept_units(current_user))
        .order_by(in_vietnamese_order(Unit.block), in_vietnamese_order(Unit.name))
    )
    return choices(((row.id, row.short_name or row.name) for row in rows), "— Không thuộc đơn vị —", 0)


UNIT_ROLE_VALUES = {role.value for role in UNIT_ROLES}


def _organiser_choices():
    """The organisers of the account's subtree: a staff account acts for one of them."""
    rows = db.session.execute(
        sa.select(Unit.id, Unit.name).where(Unit.is_organiser.is_(True), scope.kept_units(current_user))
        .order_by(Unit.parent_id.is_not(None), in_vietnamese_order(Unit.name))
    )
    return [(row.id, row.name) for row in rows]


def _fill_choices(form: UserForm) -> None:
    form.unit_id.choices = _unit_choices()
    form.organiser_id.choices = _organiser_choices()


def _out_of_scope(form: UserForm) -> bool:
    """The account's unit and organiser are within the organiser the secretariat acts for."""
    if form.unit_id.data and not scope.keeps_unit(current_user, form.unit_id.data):
        form.unit_id.errors.append("Chọn một đơn vị trong danh sách.")
    if form.role.data not in UNIT_ROLE_VALUES and form.organiser_id.data and not scope.keeps_unit(
            current_user, form.organiser_id.data):  # none chosen: the secretariat's own
        form.organiser_id.errors.append("Chọn một cấp tổ chức phong trào trong danh sách.")
    return bool(form.unit_id.errors or form.organiser_id.errors)


@bp.get("/quan-tri/tai-khoan")
def users():
    query = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    unit_id = request.args.get("unit", type=bounded_int)
    stmt = sa.select(User).where(scope.kept_accounts(current_user)).order_by(User.username)
    if query:
        stmt = stmt.outerjoin(Unit, Unit.id == User.unit_id).where(sa.or_(  # "%" and "_" are letters typed
            User.username.icontains(query, autoescape=True), User.full_name.icontains(query, autoescape=True),
            Unit.search_text.contains(fold(query), autoescape=True),
        ))
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
        "organiser_id": None if form.role.data in UNIT_ROLE_VALUES else form.organiser_id.data or None,
    }


@bp.route("/quan-tri/tai-khoan/moi", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    _fill_choices(form)
    if request.method == "GET":
        form.organiser_id.data = current_user.organiser_id
        if request.args.get("unit", type=bounded_int):
            form.unit_id.data = request.args.get("unit", type=bounded_int)
    if form.validate_on_submit() and not _out_of_scope(form):
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
    _fill_choices(form)
    del form.password
    if request.method == "GET":
        form.unit_id.data = user.unit_id or 0
        form.organiser_id.data = user.organiser_id or current_user.organiser_id
        form.is_active.data = user.is_active_account
    if form.validate_on_submit() and not _out_of_scope(form):
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
    _fill_choices(edit_form)
    edit_form.unit_id.data = user.unit_id or 0
    edit_form.organiser_id.data = user.organiser_id or current_user.organiser_id
    edit_form.is_active.data = user.is_active_account
    del edit_form.password
    return render_template("auth/user_form.html", form=edit_form, user=user, reset_form=form), 400


@bp.route("/quan-tri/tai-khoan/hang-loat", methods=["GET", "POST"])
def users_bulk():
    """Accounts for every unit of the directory that lacks them, and the list to hand out (a workbook)."""
    form = BulkAccountsForm()
    blocks = [b for b in db.session.scalars(sa.select(Unit.block).where(
        Unit.is_active.is_(True), Unit.parent_id.is_not(None), Unit.block != "",
        *units_given_accounts(current_user)).group_by(Unit.block)
        .order_by(in_vietnamese_order(Unit.block)))]
    form.block.choices = choices(((b, b) for b in blocks), "— Mọi khối —", "")
    if form.validate_on_submit():
        if form.block.data and form.block.data not in blocks:
            form.block.errors.append("Khối này không có trong danh mục đơn vị.")
        else:
            roles = [r for r, ticked in ((Role.UNIT_HEAD, form.head.data), (Role.UNIT_EDITOR, form.editor.data))
                     if ticked]
            lines = issue_unit_accounts(actor=current_user, roles=roles, block=form.block.data or None)
            if not lines:
                form.block.errors.append("Không có đơn vị nào đang hoạt động trong phạm vi đã chọn.")
            else:
                workbook = account_list_workbook(
                    lines, title=f"DANH SÁCH TÀI KHOẢN ĐƠN VỊ — {form.block.data or 'mọi khối'} — "
                                 f"ngày {local_today():%d/%m/%Y}")
                db.session.commit()
                return workbook_response(workbook, f"tai-khoan-don-vi-{local_today():%Y%m%d}.xlsx")
    missing = _missing_unit_accounts()
    return render_template("auth/users_bulk.html", form=form, missing=missing)


def _missing_unit_accounts() -> dict[str, int]:
    """How many active participating units lack a head, and an editor."""
    units = sa.select(Unit.id).where(Unit.is_active.is_(True), Unit.parent_id.is_not(None),
                                     *units_given_accounts(current_user))
    result = {}
    for role in (Role.UNIT_HEAD, Role.UNIT_EDITOR):
        having = sa.select(User.unit_id).where(User.role == role.value, User.is_active_account.is_(True))
        result[role.value] = db.session.scalar(
            sa.select(sa.func.count()).select_from(units.where(Unit.id.not_in(having)).subquery()))
    result["units"] = db.session.scalar(sa.select(sa.func.count()).select_from(units.subquery()))
    return result


FORGOT_SENT = ("Nếu tên đăng nhập hoặc địa chỉ này thuộc một tài khoản có thư điện tử, một liên kết đặt lại mật khẩu "
               "vừa được gửi tới hộp thư của tài khoản đó. Liên kết dùng được một lần, trong 60 phút.")


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
def password_forgot():
    # Imported here: the notifications package imports the workflow, which imports this blueprint.
    from thidua.notifications.mail import Mailer, MailError, mail_enabled

    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if not mail_enabled():
            form.login.errors.append("Hệ thống chưa cấu hình gửi thư điện tử; vui lòng liên hệ Bộ phận Thường trực "
                                     "CCHC (Văn phòng Sở) để được đặt lại mật khẩu.")
            return render_template("auth/password_forgot.html", form=form), 200
        found = request_password_reset(form.login.data)
        db.session.commit()
        if found is not None:
            user, token = found
            link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("auth.password_reset", token=token)
            subject, body = reset_mail(user, link)
            try:
                with Mailer() as mailer:
                    mailer.send([user.email], subject, body)
            except MailError as error:
                current_app.logger.warning("password reset mail to user %s not sent: %s", user.id, error)
        flash(FORGOT_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_forgot.html", form=form)


@bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    if reset_link_user(token) is None:
        return render_template("errors/error.html", code=404, title="Liên kết không còn dùng được",
                               message="Liên kết đặt lại mật khẩu đã hết hạn, đã được dùng hoặc không đúng. "
                                       "Hãy yêu cầu một liên kết mới từ trang đăng nhập."), 404
    form = LinkResetPasswordForm()
    if form.validate_on_submit():
        user = reset_password_by_link(token, form.new_password.data)
        if user is None:
            db.session.rollback()
            flash("Liên kết này vừa được dùng; hãy đăng nhập bằng mật khẩu mới hoặc yêu cầu liên kết khác.", "error")
            return redirect(url_for("auth.login"))
        db.session.commit()
        flash("Đã đặt mật khẩu mới; hãy đăng nhập bằng mật khẩu đó.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_reset.html", form=form)
