"""Public pages of the gallery (no login), and a unit recording that it adopted a model."""
from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from thidua.extensions import db
from thidua.gallery import bp, permissions, services
from thidua.gallery.cache import public_page
from thidua.gallery.forms import AdoptionForm
from thidua.gallery.models import Adoption, GalleryEntry
from thidua.registration.models import AREA_LABELS, KIND_LABELS
from thidua.results.uploads import RefusedFile
from thidua.storage import get_storage
from thidua.units.models import UNIT_TYPE_LABELS, unit_type_label
from thidua.paging import bounded_int, page_number

FEED_SIZE = 50
JSON_MAX_PER_PAGE = 100


def entry_url(entry: GalleryEntry, **kwargs) -> str:
    return url_for("gallery.detail", entry_id=entry.id, slug=entry.slug or "mo-hinh", **kwargs)


@bp.app_template_global()
def gallery_url(entry) -> str:
    return entry_url(entry)


@bp.app_template_global()
def area_label(code: str) -> str:
    return AREA_LABELS.get(code, code)


@bp.get("/thu-vien")
@public_page
def index():
    filters = services.Filters.from_args(request.args)
    page = db.paginate(services.public_entries(filters), page=page_number(), per_page=services.PAGE_SIZE, max_per_page=services.PAGE_SIZE,
                       error_out=False)
    response = current_app.make_response(render_template(
        "gallery/index.html", page=page, filters=filters, choices=services.filter_choices(), areas=AREA_LABELS,
        unit_types=UNIT_TYPE_LABELS, sorts=services.SORTS, kinds=KIND_LABELS,
    ))
    return response


@bp.get("/thu-vien/<int:entry_id>")
@bp.get("/thu-vien/<int:entry_id>-<slug>")
@public_page
def detail(entry_id: int, slug: str | None = None):
    entry = services.public_entry_or_none(entry_id) or abort(404)
    if slug != entry.slug:
        return redirect(entry_url(entry), code=301)
    detail = services.load_detail(entry)
    own = None
    if current_user.is_authenticated and current_user.is_unit_member:
        own = next((a for a in detail.adoptions if a.unit_id == current_user.unit_id), None)
    response = current_app.make_response(render_template(
        "gallery/detail.html", entry=entry, detail=detail, own_adoption=own,
        can_adopt=permissions.can_adopt(current_user, entry) and own is None,
        unit_type_label=unit_type_label, kinds=KIND_LABELS,
    ))
    return response


def _send_stored(key: str, name: str, content_type: str, sha256: str, *, cache: str):
    try:
        handle = get_storage().open(key)
    except (FileNotFoundError, ValueError):
        current_app.logger.error("stored file %s is missing", key)
        abort(404)
    response = send_file(handle, mimetype=content_type, as_attachment=True, download_name=name, max_age=0,
                         etag=sha256)
    # Served files never run in the browser: no sniffing, no scripts, no framing.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = cache
    return response


@bp.get("/thu-vien/<int:entry_id>/tep/<int:file_id>")
def download(entry_id: int, file_id: int):
    """A public evidence file: only one the secretariat marked public, of a model that is published."""
    entry = services.public_entry_or_none(entry_id) or abort(404)
    evidence = services.public_file(entry, file_id) or abort(404)
    return _send_stored(evidence.storage_key, evidence.original_name, evidence.content_type, evidence.sha256,
                        cache="public, max-age=300")


@bp.get("/thu-vien/feed.atom")
@public_page
def feed():
    entries = list(db.session.scalars(
        services.public_entries(services.Filters()).limit(FEED_SIZE)))
    items = [{"entry": e, "url": entry_url(e, _external=True), "html": e.summary_html,
              "id_url": url_for("gallery.detail", entry_id=e.id, _external=True)} for e in entries]
    body = render_template("gallery/feed.atom.xml", items=items,
                           updated=max((e.published_at for e in entries), default=None))
    response = current_app.response_class(body, mimetype="application/atom+xml")
    return response


@bp.get("/thu-vien.json")
@public_page
def listing_json():
    filters = services.Filters.from_args(request.args)
    per_page = min(max(request.args.get("per_page", 50, type=bounded_int) or 50, 1), JSON_MAX_PER_PAGE)
    page = db.paginate(services.public_entries(filters), page=page_number(), per_page=per_page, max_per_page=JSON_MAX_PER_PAGE,
                       error_out=False)

    def link(number):
        return url_for("gallery.listing_json", page=number, per_page=per_page, _external=True, **filters.as_args())

    data = {
        "page": page.page, "per_page": per_page, "total": page.total, "pages": page.pages,
        "next": link(page.next_num) if page.has_next else None,
        "prev": link(page.prev_num) if page.has_prev else None,
        "items": [{
            "id": e.id, "title": e.title, "url": entry_url(e, _external=True), "kind": e.kind,
            "area": e.area, "area_label": AREA_LABELS.get(e.area, e.area), "year": e.year, "unit": e.unit_name,
            "unit_type": e.unit_type, "unit_type_label": unit_type_label(e.unit_type),
            "commendation": e.commendation or None, "adoptions": e.adoption_count,
            "published_at": e.published_at.isoformat() + "Z" if e.published_at else None,
            "summary": e.excerpt,
        } for e in page.items],
    }
    response = jsonify(data)
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@bp.get("/thu-vien/thong-ke")
@public_page
def stats():
    response = current_app.make_response(render_template(
        "gallery/stats.html", stats=services.statistics(), areas=AREA_LABELS))
    return response


@bp.route("/thu-vien/<int:entry_id>/nhan-rong", methods=["GET", "POST"])
def adopt(entry_id: int):
    entry = services.public_entry_or_none(entry_id) or abort(404)
    existing = services.adoption_of(entry.id, current_user.unit_id) if current_user.unit_id else None
    if existing is not None:
        flash(services.DUPLICATE.format(when=f" (ngày {existing.adopted_on:%d/%m/%Y})"), "info")
        return redirect(entry_url(entry) + "#nhan-rong")
    if not permissions.can_adopt(current_user, entry):
        flash("Đây là mô hình của chính đơn vị bạn; chỉ đơn vị khác mới ghi nhận nhân rộng.", "error")
        return redirect(entry_url(entry))
    form = AdoptionForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data if form.file.data and form.file.data.filename else None
        try:
            services.record_adoption(entry, actor=current_user, adopted_on=form.adopted_on.data, note=form.note.data,
                                     stream=upload.stream if upload else None,
                                     filename=upload.filename if upload else None)
            db.session.commit()
        except (services.AdoptionError, RefusedFile) as error:
            db.session.rollback()
            if isinstance(error, RefusedFile):
                form.file.errors = [str(error)]
                status = 400
            else:
                flash(str(error), "error")
                return redirect(entry_url(entry) + "#nhan-rong")
        else:
            flash("Đã ghi nhận đơn vị áp dụng mô hình. Cảm ơn đơn vị đã nhân rộng điển hình!", "success")
            return redirect(entry_url(entry) + "#nhan-rong")
    elif form.errors:
        status = 400
    return render_template("gallery/adopt.html", entry=entry, form=form), status


@bp.get("/thu-vien/nhan-rong/<int:adoption_id>/tep")
def adoption_file(adoption_id: int):
    adoption = db.session.get(Adoption, adoption_id) or abort(404)
    entry = db.session.get(GalleryEntry, adoption.entry_id)
    if not permissions.can_read_adoption_file(current_user, adoption, entry):
        abort(403)
    if not adoption.file_key:
        abort(404)
    return _send_stored(adoption.file_key, adoption.file_name, adoption.file_type, adoption.file_sha256,
                        cache="private, no-store")
