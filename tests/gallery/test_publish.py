"""The secretariat publishes an initiative with a public text and chosen files, edits it, takes it off."""
from __future__ import annotations

import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.extensions import db
from thidua.gallery.models import GalleryEntry
from thidua.registration.models import Initiative
from thidua.workflow import State

from tests import factories
from tests.gallery.conftest import entry_of, make_model, store_evidence


def _status(initiative_id):
    db.session.expire_all()
    return db.session.get(Initiative, initiative_id).status


def test_secretariat_publishes_a_shortlisted_initiative_through_the_form(client, world):
    initiative = make_model(world, publish=False, files=("cong-khai.pdf", "noi-bo.pdf"))
    client.login(world.secretariat)
    page = client.get(f"/sang-kien/{initiative.id}/cong-bo")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Rút ngắn thời gian xử lý" in text  # the draft summary starts from the report
    public = initiative.files[0]
    response = client.post(f"/sang-kien/{initiative.id}/cong-bo", {
        "title": "Một cửa điện tử tuyển sinh", "summary": "## Cách làm\n\n- Tiếp nhận *trực tuyến*",
        "public_files": [str(public.id)]})
    assert response.status_code == 302
    entry = entry_of(initiative)
    assert response.headers["Location"] == f"/thu-vien/{entry.id}-mot-cua-dien-tu-tuyen-sinh"
    assert _status(initiative.id) == State.PUBLISHED.value
    assert entry.is_public and entry.year == world.campaign.year and entry.unit_type == "thpt"
    assert "tiep nhan truc tuyen" in entry.search_text and "thoi gian giai quyet thu tuc" in entry.search_text
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_id == initiative.id)).all()
    assert "initiative.transition" in actions and "gallery.saved" in actions
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<em>trực tuyến</em>" in page and "cong-khai.pdf" in page and "noi-bo.pdf" not in page


def test_the_form_refuses_an_empty_summary_and_keeps_the_title(client, world):
    initiative = make_model(world, publish=False)
    client.login(world.secretariat)
    response = client.post(f"/sang-kien/{initiative.id}/cong-bo", {"title": "Tên giữ lại", "summary": "   "})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nhập phần giới thiệu công khai" in text and "Tên giữ lại" in text
    assert _status(initiative.id) == State.SHORTLISTED.value


def test_an_initiative_not_yet_shortlisted_cannot_be_published(client, world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SCORED)
    db.session.commit()
    client.login(world.secretariat)
    response = client.post(f"/sang-kien/{initiative.id}/cong-bo", {"title": "X", "summary": "Y"})
    assert response.status_code == 302
    assert _status(initiative.id) == State.SCORED.value
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GalleryEntry)) == 0


def test_editing_a_published_model_keeps_it_published_and_changes_the_public_files(client, world, model):
    public, private = model.files
    client.login(world.secretariat)
    response = client.post(f"/sang-kien/{model.id}/cong-bo", {
        "title": "Tên mới", "summary": "Nội dung mới", "public_files": [str(private.id)]})
    assert response.status_code == 302
    entry = entry_of(model)
    assert (entry.title, entry.slug, _status(model.id)) == ("Tên mới", "ten-moi", State.PUBLISHED.value)
    assert client.get(f"/thu-vien/{entry.id}/tep/{public.id}").status_code == 404
    assert client.get(f"/thu-vien/{entry.id}/tep/{private.id}").status_code == 200


def test_unpublishing_returns_a_shortlisted_model_to_shortlisted_and_hides_it(client, world, model):
    entry = entry_of(model)
    client.login(world.secretariat)
    response = client.post(f"/sang-kien/{model.id}/go-cong-bo", {"reason": "Cần bổ sung số liệu"})
    assert response.status_code == 302
    assert _status(model.id) == State.SHORTLISTED.value
    assert not entry_of(model).is_public
    client.logout()
    assert client.get(f"/thu-vien/{entry.id}-{entry.slug}").status_code == 404
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.to_state == State.SHORTLISTED.value))
    assert (row.from_state, row.reason, row.details["transition"]) == ("published", "Cần bổ sung số liệu", "unpublish")


def test_unpublishing_an_awarded_model_returns_it_to_awarded(client, world):
    initiative = make_model(world, status=State.AWARDED, publish=False)
    factories.decided_award(world, initiative, number="12/QĐ-SGDĐT")
    db.session.commit()
    client.login(world.secretariat)
    client.post(f"/sang-kien/{initiative.id}/cong-bo", {"title": "Mô hình", "summary": "Tóm tắt"})
    assert _status(initiative.id) == State.PUBLISHED.value
    client.post(f"/sang-kien/{initiative.id}/go-cong-bo", {})
    assert _status(initiative.id) == State.AWARDED.value


def test_the_initiative_page_offers_the_gallery_form_instead_of_bare_publish_buttons(client, world, model):
    client.login(world.secretariat)
    text = client.get(f"/sang-kien/{model.id}").get_data(as_text=True)
    assert "Sửa nội dung công bố, gỡ khỏi thư viện" in text
    assert 'value="shortlisted"' not in text and 'value="awarded"' not in text


def test_publishing_through_the_workflow_alone_makes_a_default_entry(world):
    """Any path to "published" leaves a consistent gallery row (the workflow's effect)."""
    from thidua import workflow

    initiative = make_model(world, publish=False)
    workflow.transition(initiative, State.PUBLISHED, actor=world.secretariat)
    db.session.commit()
    entry = entry_of(initiative)
    assert entry.is_public and entry.title == initiative.title and "rut ngan thoi gian" in entry.search_text


def test_only_files_of_the_initiative_itself_can_be_made_public(client, world, model):
    other = make_model(world, title="Khác", unit=world.other_school, publish=False)
    foreign = store_evidence(other, "cua-don-vi-khac.pdf")
    db.session.commit()
    client.login(world.secretariat)
    client.post(f"/sang-kien/{model.id}/cong-bo", {"title": "T", "summary": "S", "public_files": [str(foreign.id)]})
    entry = entry_of(model)
    assert client.get(f"/thu-vien/{entry.id}/tep/{foreign.id}").status_code == 404


def test_each_model_cites_the_decision_of_its_own_form_of_commendation(client, world):
    """A Giấy khen cites the Sở's decision, a Bằng khen UBND Thành phố's; one still proposed cites none."""
    giay_khen = make_model(world, title="Giấy khen mô hình", status=State.AWARDED, publish=False)
    bang_khen = make_model(world, title="Bằng khen mô hình", status=State.AWARDED, publish=False)
    proposed = make_model(world, title="Đang đề nghị", status=State.SHORTLISTED, publish=False)
    award_list = factories.decided_award(world, giay_khen, number="1234/QĐ-SGDĐT")
    factories.decided_award(world, bang_khen, level_name="Bằng khen của Chủ tịch UBND Thành phố",
                            number="2345/QĐ-UBND", authority="UBND Thành phố", award_list=award_list)
    factories.decided_award(world, proposed, level_name="Bằng khen (chờ)", authority="UBND Thành phố",
                            award_list=award_list, decided=False)
    db.session.commit()
    client.login(world.secretariat)
    for model in (giay_khen, bang_khen, proposed):
        client.post(f"/sang-kien/{model.id}/cong-bo", {"title": model.title, "summary": "Tóm tắt"})
    client.logout()
    pages = {}
    for model in (giay_khen, bang_khen, proposed):
        entry = entry_of(model)
        pages[model.id] = client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True)
    assert "Quyết định số 1234/QĐ-SGDĐT ngày 20/12/2024 của Sở Giáo dục và Đào tạo Hà Nội" in pages[giay_khen.id]
    assert "2345/QĐ-UBND" not in pages[giay_khen.id]
    assert "Quyết định số 2345/QĐ-UBND ngày 20/12/2024 của UBND Thành phố" in pages[bang_khen.id]
    assert "1234/QĐ-SGDĐT" not in pages[bang_khen.id]
    assert "(đề nghị, chưa có quyết định)" in pages[proposed.id] and "Quyết định số" not in pages[proposed.id]


def test_a_summary_list_under_a_bold_line_is_a_list_on_the_page_and_its_items_stay_apart_on_the_card(client, world):
    summary = "**Kết quả:**\n- Giảm thời gian từ 5 ngày xuống 2 ngày\n- Tiết kiệm giấy in\n\nÁp dụng từ tháng 9."
    initiative = make_model(world, title="Sổ liên lạc điện tử", summary=summary)
    entry = entry_of(initiative)
    detail = client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True)
    assert "<li>Giảm thời gian từ 5 ngày xuống 2 ngày</li>" in detail and "- Tiết kiệm" not in detail
    card = client.get("/thu-vien").get_data(as_text=True)
    assert ('<p class="model-excerpt">Kết quả:\n• Giảm thời gian từ 5 ngày xuống 2 ngày\n• Tiết kiệm giấy in\n'
            'Áp dụng từ tháng 9.</p>') in card
    assert 'content="Kết quả: • Giảm thời gian từ 5 ngày xuống 2 ngày • Tiết kiệm giấy in Áp dụng từ tháng 9."' in detail


def test_the_demo_publishes_an_awarded_model_with_its_evidence_files_and_a_summary_with_its_steps(client, world):
    from thidua import demo
    from thidua.registration.models import Initiative as Model

    initiative = make_model(world, title="Sổ điểm điện tử", status=State.AWARDED, publish=False,
                            files=("bao-cao-ket-qua.pdf",))
    factories.decided_award(world, initiative)
    initiative.content = "1. Cập nhật dữ liệu học sinh; 2. Tập huấn giáo viên; 3. Hướng dẫn cha mẹ học sinh."
    db.session.commit()
    demo._publish_2023(world.campaign, world.secretariat)
    db.session.commit()
    assert db.session.get(Model, initiative.id).status == State.PUBLISHED.value
    entry = entry_of(initiative)
    page = client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True)
    assert f'href="/thu-vien/{entry.id}/tep/{initiative.files[0].id}"' in page  # the unit's file, made public
    assert "bao-cao-ket-qua.pdf" in page
    assert "<li>Cập nhật dữ liệu học sinh.</li>" in page and "<li>Hướng dẫn cha mẹ học sinh.</li>" in page
