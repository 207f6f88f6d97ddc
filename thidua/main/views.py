import sqlalchemy as sa
from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from thidua import scope
from thidua.audit import ACTION_LABELS, AuditLog
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.main import bp
from thidua.paging import bounded_int, page_number
from thidua.units.models import Unit


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.get("/healthz")
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/trang-chu")
def home():
    if current_user.role in (Role.UNIT_EDITOR, Role.UNIT_HEAD):
        return redirect(url_for("registration.dashboard"))
    if current_user.role == Role.LEADER:
        return redirect(url_for("reports.dashboard_view"))
    if current_user.role == Role.SECRETARIAT:
        return redirect(url_for("campaigns.index"))
    if current_user.role == Role.REVIEWER:
        return redirect(url_for("review.assignments"))
    return render_template("main/home.html")


def _audit_scope():
    """What the account's organiser may read: its campaigns and those below, and outside campaigns the
    units and accounts it keeps."""
    from thidua.auth.models import User

    return sa.or_(
        AuditLog.campaign_id.in_(sa.select(Campaign.id).where(scope.readable_campaigns(current_user))),
        sa.and_(AuditLog.campaign_id.is_(None), sa.or_(
            AuditLog.unit_id.in_(sa.select(Unit.id).where(scope.kept_units(current_user))),
            AuditLog.actor_id.in_(sa.select(User.id).where(scope.kept_accounts(current_user))))),
    )


@bp.get("/nhat-ky")
def audit_log():
    campaign_id = request.args.get("campaign", type=bounded_int)
    action = request.args.get("action") or ""
    unit_id = request.args.get("unit", type=bounded_int)
    object_type = request.args.get("object") or ""
    object_id = request.args.get("id", type=bounded_int)
    stmt = (
        sa.select(AuditLog)
        .options(joinedload(AuditLog.actor), joinedload(AuditLog.unit))
        .where(_audit_scope())
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )
    if campaign_id:
        stmt = stmt.where(AuditLog.campaign_id == campaign_id)
    if action in ACTION_LABELS:
        stmt = stmt.where(AuditLog.action == action)
    if unit_id:
        stmt = stmt.where(AuditLog.unit_id == unit_id)
    if object_type and object_id:
        stmt = stmt.where(AuditLog.object_type == object_type, AuditLog.object_id == object_id)
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    campaigns = db.session.execute(sa.select(Campaign.id, Campaign.name).where(scope.readable_campaigns(current_user))
                                   .order_by(Campaign.year.desc())).all()
    return render_template(
        "main/audit_log.html", page=page, campaigns=campaigns, campaign_id=campaign_id,
        action=action, actions=ACTION_LABELS,
    )
