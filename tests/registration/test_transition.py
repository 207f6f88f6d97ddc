"""Sending a registration from its page: the completeness check reads the named authors when it needs them."""
import html

import sqlalchemy as sa

from thidua.extensions import db
from thidua.registration.models import Initiative, InitiativeAuthor

from tests import factories


def named_draft(world, *shares: int) -> int:
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, author_type="ca_nhan")
    for position, share in enumerate(shares):
        db.session.add(InitiativeAuthor(initiative_id=initiative.id, position=position, full_name=f"Tác giả {position}",
                                        contribution=share))
    db.session.commit()
    return initiative.id


def send(client, initiative_id: int) -> str:
    response = client.post(f"/sang-kien/{initiative_id}/trang-thai", {"target": "registered"}, follow_redirects=True)
    return html.unescape(response.get_data(as_text=True))


def status_of(initiative_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Initiative.status).where(Initiative.id == initiative_id))


def test_named_authors_sharing_100_percent_are_registered(world, client):
    initiative_id = named_draft(world, 60, 40)
    client.login(world.head)
    assert "Đề xuất đã chuyển sang trạng thái “Đã đăng ký”." in send(client, initiative_id)
    assert status_of(initiative_id) == "registered"


def test_named_authors_not_sharing_100_percent_are_refused(world, client):
    initiative_id = named_draft(world, 60, 30)
    client.login(world.head)
    assert "Tổng tỷ lệ đóng góp của tác giả bằng 100%" in send(client, initiative_id)
    assert status_of(initiative_id) == "draft"


def test_named_authors_without_anyone_named_are_refused(world, client):
    initiative_id = named_draft(world)
    client.login(world.head)
    assert "Danh sách tác giả" in send(client, initiative_id)
    assert status_of(initiative_id) == "draft"
