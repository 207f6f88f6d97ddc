"""A withdrawn initiative can be restored as a draft, or deleted if it was never registered (audited)."""
from __future__ import annotations

import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.timeutil import utcnow
from thidua.workflow import State

from tests import factories


def _withdrawn(world, **values):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.WITHDRAWN,
                                      **values)
    db.session.commit()
    return initiative


def test_the_head_restores_a_withdrawn_initiative_as_a_draft(client, world):
    initiative = _withdrawn(world)
    client.login(world.head)
    page = client.get(f"/sang-kien/{initiative.id}").get_data(as_text=True)
    assert "Khôi phục thành bản nháp" in page
    client.post(f"/sang-kien/{initiative.id}/trang-thai", {"target": "draft"})
    db.session.rollback()
    assert db.session.get(Initiative, initiative.id).status == "draft"
    assert db.session.scalar(sa.select(AuditLog.to_state).where(AuditLog.object_id == initiative.id)
                             .order_by(AuditLog.id.desc()).limit(1)) == "draft"


def test_a_withdrawn_draft_is_deleted_from_the_dashboard_and_the_log_keeps_its_title(client, world):
    initiative_id = _withdrawn(world, title="Số hóa sổ điểm").id
    client.login(world.editor)
    assert "Xóa đề xuất" in client.get(f"/sang-kien/{initiative_id}").get_data(as_text=True)
    response = client.post(f"/sang-kien/{initiative_id}/xoa", follow_redirects=True)
    assert "Đã xóa đề xuất “Số hóa sổ điểm”" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Initiative, initiative_id) is None
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "initiative.deleted"))
    assert row.details["title"] == "Số hóa sổ điểm" and row.actor_id == world.editor.id


def test_one_registered_before_it_was_withdrawn_is_kept(client, world):
    initiative = _withdrawn(world)
    initiative.registered_at = utcnow()
    db.session.commit()
    client.login(world.head)
    assert "Xóa đề xuất" not in client.get(f"/sang-kien/{initiative.id}").get_data(as_text=True)
    refused = client.post(f"/sang-kien/{initiative.id}/xoa", follow_redirects=True)
    assert "đã từng được gửi đăng ký nên được giữ lại" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Initiative, initiative.id) is not None


def test_another_unit_cannot_delete_it(client, world):
    initiative = _withdrawn(world)
    client.login(world.other_head)
    assert client.post(f"/sang-kien/{initiative.id}/xoa").status_code == 403
    db.session.rollback()
    assert db.session.get(Initiative, initiative.id) is not None
