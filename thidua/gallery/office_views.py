"""The secretariat's gallery pages: publish an initiative, take it off, follow replication."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from thidua import scope
from thidua.errors import WorkflowError
from thidua.exports import xlsx_response
from thidua.extensions import db
from thidua.gallery import bp, permissions, services
from thidua.gallery.forms import PublishForm, UnpublishForm
from thidua.gallery.views import entry_url
from thidua.registration.models import AREA_LABELS
from thidua.registration.views import get_initiative_or_404
from thidua.results.services import evidence_of
from thidua.timeutil import format_date
from thidua.units.models import unit_type_label
from thidua.workflow import State


@bp.route("/sang-kien/<int:initiative_id>/cong-bo", methods=["GET", "POST"])
def publish(initiative_id: int):
    initiative = get_initiative_or_404(initiative_id)
    if not permissions.can_publish(current_user, initiative):
        flash("Chỉ công bố được sáng kiến đã được đề xuất khen thưởng hoặc đã được khen thưởng.", "error")
        return redirect(url_for("registration.detail", initiative_id=initiative.id))
    entry = services.entry_for(initiative.id)
    files = evidence_of(initiative.id)
    form = PublishForm()
    form.public_files.choices = [(f.id, f.original_name) for f in files]
    if request.method == "GET":
        if entry is not None:
            form.title.data = entry.title
            form.summary.data = entry.summary
            form.public_files.data = services.public_file_ids(entry)
        else:
            draft = services.default_summary(initiative)
            form.title.data = initiative.title
            form.summary.data = draft
    status = 200
    if form.validate_on_submit():
        try:
            entry = services.publish_initiative(initiative, actor=current_user, title=form.title.data,
                                                summary=form.summary.data, public_file_ids=form.public_files.data or [])
            db.session.commit()
        except (services.GalleryError, WorkflowError) as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
        else:
            flash("Đã công bố mô hình trên thư viện.", "success")
            return redirect(entry_url(entry))
    elif form.errors:
        status = 400
    return render_template("gallery/publish.html", initiative=initiative, entry=entry, form=form, files=files,
                           unpublish_form=UnpublishForm(),
                           is_published=initiative.status == State.PUBLISHED.value), status


@bp.post("/sang-kien/<int:initiative_id>/go-cong-bo")
def unpublish(initiative_id: int):
    initiative = get_initiative_or_404(initiative_id)
    form = UnpublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        target = services.unpublish_initiative(initiative, actor=current_user, reason=form.reason.data or "")
        db.session.commit()
    except (services.GalleryError, WorkflowError) as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(f"Đã gỡ mô hình khỏi thư viện; sáng kiến trở lại trạng thái “{target.label}”.", "success")
    return redirect(url_for("registration.detail", initiative_id=initiative.id))


@bp.get("/quan-tri/nhan-rong")
def replications():
    by = "unit" if request.args.get("by") == "unit" else "model"
    rows = services.replication_rows(order=by, units=scope.kept_units(current_user))
    if request.args.get("format") == "xlsx":
        return _replications_xlsx(rows, by)
    groups = services.group_by(rows, (lambda a: a.unit) if by == "unit" else (lambda a: a.entry))
    return render_template("gallery/replications.html", by=by, groups=groups, total=len(rows),
                           unit_type_label=unit_type_label)


def _replications_xlsx(rows, by: str):
    headers = ["STT", "Mô hình", "Đơn vị có mô hình", "Lĩnh vực CCHC", "Năm", "Số đơn vị áp dụng",
               "Đơn vị áp dụng", "Loại đơn vị áp dụng", "Ngày bắt đầu áp dụng", "Cách áp dụng"]
    if by == "unit":
        headers = ["STT", "Đơn vị áp dụng", "Loại đơn vị áp dụng", "Mô hình", "Đơn vị có mô hình", "Lĩnh vực CCHC",
                   "Năm", "Ngày bắt đầu áp dụng", "Cách áp dụng"]

    def lines():
        for number, a in enumerate(rows, start=1):
            e = a.entry
            if by == "unit":
                yield [number, a.unit.name, unit_type_label(a.unit.unit_type), e.title, e.unit_name,
                       AREA_LABELS.get(e.area, e.area), e.year, format_date(a.adopted_on), a.note]
            else:
                yield [number, e.title, e.unit_name, AREA_LABELS.get(e.area, e.area), e.year, e.adoption_count,
                       a.unit.name, unit_type_label(a.unit.unit_type), format_date(a.adopted_on), a.note]

    title = "Nhân rộng mô hình theo đơn vị áp dụng" if by == "unit" else "Nhân rộng mô hình theo mô hình"
    return xlsx_response(f"nhan-rong-theo-{'don-vi' if by == 'unit' else 'mo-hinh'}.xlsx", title=title,
                         headers=headers, rows=lines(), sheet_title="Nhân rộng", expected_rows=len(rows),
                         widths=[6, 40, 30, 30, 30, 22, 8, 16, 16, 50] if by == "unit"
                         else [6, 50, 30, 30, 8, 12, 34, 22, 16, 50])
