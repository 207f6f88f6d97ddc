"""The secretariat imports the units' target values from a spreadsheet: upload, dry run, apply.

Between the dry run and the apply the file is kept in the product's file storage
(`thidua.storage.get_storage()`, the store every web node shares), and the apply form carries
its key in a hidden field signed with the application's secret (itsdangerous), together with the
campaign, the account and a digest of what the dry run showed. Why this way:

- re-uploading would ask the office to pick the same file twice, and a different file could be
  applied than the one checked;
- a server-side session or a temporary folder is per node; the storage is not;
- the signature means a key cannot be swapped for another campaign's or another account's file,
  and needs no new URL argument (so no new scope rule); the digest means the apply writes what
  the office read: if a unit sent a value in between, the plan changed and the apply stops and
  shows the new dry run instead.

The stored file is deleted once the import is committed; a dry run that is never applied leaves
its file behind, as an abandoned evidence upload would (the signed key expires after a day).
"""
from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.storage import TooLarge, get_storage
from thidua.targets import bp
from thidua.targets import importer
from thidua.targets.services import TargetError
from thidua.targets.views import BASE, _may_change

TOKEN_AGE = 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="thidua.targets.import")


def _limit() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def _upload_page(campaign, status: int = 200):
    return render_template("targets/import_upload.html", campaign=campaign, form=ButtonForm(),
                           may_change=_may_change(campaign)), status


def _review_page(campaign, plan, token: str, status: int = 200):
    return render_template("targets/import_review.html", campaign=campaign, plan=plan, token=token,
                           counts=plan.counts, form=ButtonForm(), labels=importer.ACTION_LABELS), status


def _file_name(filename: str | None) -> str:
    return ((filename or "").replace("\\", "/").rsplit("/", 1)[-1] or "so-lieu-chi-tieu")[:200]


@bp.route(BASE + "/nhap", methods=["GET", "POST"])
def import_upload(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if request.method == "GET":  # reading is the scope's to allow (the organiser above reads it too)
        return _upload_page(campaign)
    if not _may_change(campaign):
        abort(403)
    if not ButtonForm().validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Chọn tệp Excel (.xlsx) hoặc CSV để tải lên.", "error")
        return _upload_page(campaign, 400)
    name = _file_name(upload.filename)
    data = upload.stream.read(_limit() + 1)
    if len(data) > _limit():
        flash(f"Tệp lớn hơn {current_app.config['MAX_UPLOAD_MB']} MB.", "error")
        return _upload_page(campaign, 400)
    try:
        plan = importer.plan_import(campaign, name, data)
        stored = get_storage().save(io.BytesIO(data), max_size=_limit())
    except importer.ImportFileError as error:
        flash(f"Không nhập được “{name}”: {error}", "error")
        return _upload_page(campaign, 400)
    except TooLarge:
        flash(f"Tệp lớn hơn {current_app.config['MAX_UPLOAD_MB']} MB.", "error")
        return _upload_page(campaign, 400)
    token = _serializer().dumps({"c": campaign.id, "u": current_user.id, "k": stored.key, "n": name,
                                 "h": stored.sha256, "p": plan.digest})
    return _review_page(campaign, plan, token)


@bp.post(BASE + "/nhap/ap-dung")
def import_apply(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if not _may_change(campaign):
        abort(403)
    if not ButtonForm().validate_on_submit():
        abort(400)
    token = request.form.get("tep", "")
    try:
        kept = _serializer().loads(token, max_age=TOKEN_AGE)
    except BadSignature:
        kept = None
    if not isinstance(kept, dict) or kept.get("c") != campaign.id or kept.get("u") != current_user.id:
        flash("Phiên nhập tệp đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại.", "error")
        return redirect(url_for("targets.import_upload", campaign_id=campaign.id))
    try:
        with get_storage().open(kept["k"]) as handle:
            data = handle.read()
    except FileNotFoundError:
        flash("Không còn tệp đã kiểm tra; hãy tải tệp lên lại.", "error")
        return redirect(url_for("targets.import_upload", campaign_id=campaign.id))
    try:
        plan = importer.plan_import(campaign, kept["n"], data)
    except importer.ImportFileError as error:
        flash(f"Không nhập được “{kept['n']}”: {error}", "error")
        return redirect(url_for("targets.import_upload", campaign_id=campaign.id))
    if plan.digest != kept.get("p"):
        flash("Số liệu của phong trào đã thay đổi kể từ lúc kiểm tra tệp (có đơn vị vừa gửi hoặc sửa giá trị). "
              "Chưa có gì được nhập; hãy xem lại kết quả kiểm tra mới dưới đây.", "error")
        new_token = _serializer().dumps({**kept, "p": plan.digest})
        return _review_page(campaign, plan, new_token, 409)
    try:
        counts = importer.apply_plan(campaign, plan, actor=current_user, sha256=kept.get("h", ""))
    except TargetError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _review_page(campaign, plan, token, 400)
    db.session.info.setdefault("thidua.delete_after_commit", []).append(kept["k"])
    db.session.commit()
    flash(f"Đã nhập số liệu từ “{kept['n']}”: {importer.plan_summary(counts)}. Các giá trị đã nhập chờ Văn phòng "
          "kiểm tra.", "success")
    return redirect(url_for("targets.check_list", campaign_id=campaign.id))
