import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from thidua import scope
from thidua.extensions import db, in_vietnamese_order
from thidua.forms import ButtonForm, choices
from thidua.text import fold
from thidua.units import bp
from thidua.units.forms import ImportForm, UnitForm
from thidua.units.importer import ImportRefused, apply_plan, plan_import
from thidua.units.models import UNIT_TYPE_LABELS, Unit, unit_type_label
from thidua.units.services import UNIT_FIELDS, UnitError, create_unit, set_unit_active, update_unit
from thidua.paging import page_number

IMPORT_MAX_BYTES = 5 * 1024 * 1024


@bp.get("/don-vi-truc-thuoc")
def index():
    args = request.args
    filters = {"q": (args.get("q") or "").strip(), "block": args.get("block") or "",
               "type": args.get("type") or "", "active": args.get("active") or "1"}
    stmt = (sa.select(Unit).where(scope.kept_units(current_user))
            .order_by(in_vietnamese_order(Unit.block), Unit.unit_type, in_vietnamese_order(Unit.name)))
    if filters["q"]:
        stmt = stmt.where(Unit.search_text.contains(fold(filters["q"]), autoescape=True))
    if filters["block"]:
        stmt = stmt.where(Unit.block == filters["block"])
    if filters["type"]:
        stmt = stmt.where(Unit.unit_type == filters["type"])
    if filters["active"] in ("0", "1"):
        stmt = stmt.where(Unit.is_active.is_(filters["active"] == "1"))
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    blocks = db.session.scalars(sa.select(Unit.block).where(Unit.block != "", scope.kept_units(current_user))
        .group_by(Unit.block)
        .order_by(in_vietnamese_order(Unit.block))).all()
    types = [(code, unit_type_label(code)) for code in
             db.session.scalars(sa.select(Unit.unit_type).distinct().order_by(Unit.unit_type))]
    return render_template("units/index.html", page=page, filters=filters, blocks=blocks, types=types)


def _is_top() -> bool:
    """The account acts for a root of the tree: only it may add a unit above everything."""
    organiser = db.session.get(Unit, current_user.organiser_id) if current_user.organiser_id else None
    return organiser is not None and organiser.parent_id is None


def _parent_choices(exclude: int | None = None):
    rows = db.session.execute(
        sa.select(Unit.id, Unit.name).where(Unit.is_active.is_(True), scope.kept_units(current_user))
        .order_by(Unit.parent_id.is_not(None), Unit.name)
    )
    pairs = ((r.id, r.name) for r in rows if r.id != exclude)
    return choices(pairs, "— Không có (đơn vị gốc) —", 0) if _is_top() else choices(pairs, "— Chọn —", 0)


def _out_of_scope(form: UnitForm, unit: Unit | None) -> bool:
    """The unit stays inside the organiser's subtree; the organiser's own node does not move."""
    parent = form.parent_id.data or None
    organiser = db.session.get(Unit, current_user.organiser_id)
    if unit is not None and unit.id == organiser.id:
        form.is_organiser.data = True  # only the level above may end it
        if parent != unit.parent_id and not _is_top():
            form.parent_id.errors.append("Không chuyển được đơn vị tổ chức phong trào của chính mình sang cấp "
                                         "trên khác; việc này do cấp trên thực hiện.")
        return bool(form.parent_id.errors)
    if parent is None and not _is_top():
        form.parent_id.errors.append(f"Chọn đơn vị cấp trên thuộc {organiser.name}.")
    elif parent is not None and not scope.keeps_unit(current_user, parent):
        form.parent_id.errors.append(f"Đơn vị cấp trên phải thuộc {organiser.name}.")
    return bool(form.parent_id.errors)


def _type_choices(current: str | None = None):
    """The known unit types by name, then any other code the directory holds (shown as written)."""
    held = set(db.session.scalars(sa.select(Unit.unit_type).distinct())) | ({current} if current else set())
    codes = list(UNIT_TYPE_LABELS) + sorted(held - set(UNIT_TYPE_LABELS))
    return choices(((code, unit_type_label(code)) for code in codes), "— Chọn —")


def _values(form: UnitForm) -> dict:
    return {key: getattr(form, key).data for key in UNIT_FIELDS}


@bp.route("/don-vi-truc-thuoc/moi", methods=["GET", "POST"])
def new():
    form = UnitForm()
    form.parent_id.choices = _parent_choices()
    form.unit_type.choices = _type_choices()
    if form.validate_on_submit() and not _out_of_scope(form, None):
        try:
            unit = create_unit(actor=current_user, is_organiser=form.is_organiser.data, **_values(form))
        except UnitError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Đã thêm {unit.name}.", "success")
            return redirect(url_for("units.index"))
    return render_template("units/form.html", form=form, unit=None), 400 if form.errors else 200


@bp.route("/don-vi-truc-thuoc/<int:unit_id>", methods=["GET", "POST"])
def edit(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = UnitForm(obj=unit)
    form.parent_id.choices = _parent_choices(exclude=unit.id)
    form.unit_type.choices = _type_choices(unit.unit_type)
    if request.method == "GET":
        form.parent_id.data = unit.parent_id or 0
    if form.validate_on_submit() and not _out_of_scope(form, unit):
        try:
            update_unit(unit, actor=current_user, is_organiser=form.is_organiser.data, **_values(form))
        except UnitError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash("Đã lưu đơn vị.", "success")
            return redirect(url_for("units.index"))
    return render_template("units/form.html", form=form, unit=unit), 400 if form.errors else 200


@bp.post("/don-vi-truc-thuoc/<int:unit_id>/trang-thai")
def toggle(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    set_unit_active(unit, not unit.is_active, actor=current_user)
    db.session.commit()
    flash(("Đã kích hoạt lại " if unit.is_active else "Đã ngừng hoạt động ") + unit.name + ".", "success")
    return redirect(url_for("units.edit", unit_id=unit.id))


def _import_is_the_tops():
    """The directory file holds the whole tree: it is imported by the top organiser's secretariat."""
    flash("Danh mục đơn vị từ tệp do cấp cao nhất nhập; thêm các đơn vị trực thuộc của anh/chị bằng nút "
          "“Thêm đơn vị”.", "info")
    return redirect(url_for("units.index"))


# The uploaded sheet waits in the instance folder, under a generated name, between the
# check and the import: the user sees the report before anything is written.
def _pending_dir() -> Path:
    path = Path(current_app.instance_path) / "pending-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending_path(token: str) -> Path:
    if not token or not token.isalnum() or len(token) != 32:
        abort(404)
    path = _pending_dir() / f"{current_user.id}-{token}"
    if not path.exists():
        abort(404)
    return path


@bp.route("/don-vi-truc-thuoc/nhap", methods=["GET", "POST"])
def import_upload():
    if not _is_top():
        return _import_is_the_tops()
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read(IMPORT_MAX_BYTES + 1)
        if len(data) > IMPORT_MAX_BYTES:
            form.file.errors.append("Tệp lớn hơn 5 MB; hãy tách thành nhiều tệp.")
        elif not data:
            form.file.errors.append("Tệp rỗng.")
        else:
            token = secrets.token_hex(16)
            name = Path(form.file.data.filename or "danh-muc").name[:120]
            (_pending_dir() / f"{current_user.id}-{token}").write_bytes(data)
            (_pending_dir() / f"{current_user.id}-{token}.name").write_text(name, encoding="utf-8")
            return redirect(url_for("units.import_review", token=token))
    return render_template("units/import_upload.html", form=form), 400 if form.errors else 200


def _load_plan(token: str):
    path = _pending_path(token)
    name = path.with_name(path.name + ".name").read_text(encoding="utf-8")
    return plan_import(name, path.read_bytes()), path


@bp.get("/don-vi-truc-thuoc/nhap/<token>")
def import_review(token: str):
    if not _is_top():
        return _import_is_the_tops()
    plan, _ = _load_plan(token)
    return render_template("units/import_review.html", plan=plan, token=token, form=ButtonForm())


@bp.post("/don-vi-truc-thuoc/nhap/<token>")
def import_apply(token: str):
    if not _is_top():
        return _import_is_the_tops()
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    plan, path = _load_plan(token)
    good_rows_only = request.form.get("mode") == "good_rows"
    try:
        counts = apply_plan(plan, actor=current_user, include_good_rows_only=good_rows_only)
    except ImportRefused as error:
        db.session.rollback()
        flash(str(error), "error")
        return render_template("units/import_review.html", plan=plan, token=token, form=form), 400
    db.session.commit()
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".name").unlink(missing_ok=True)
    flash(
        f"Đã nhập danh mục: {counts['created']} đơn vị mới, {counts['updated']} cập nhật, "
        f"{counts['unchanged']} không đổi" + (f", bỏ qua {counts['skipped']} dòng lỗi" if counts["skipped"] else "") + ".",
        "success",
    )
    return redirect(url_for("units.index"))
