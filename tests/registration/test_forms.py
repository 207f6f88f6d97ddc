"""Bad input gets a Vietnamese message beside the field, keeps what was typed, saves nothing."""
import html

import sqlalchemy as sa

from thidua.extensions import db
from thidua.registration.models import Initiative, InitiativeAuthor

from tests import factories
from tests.registration.test_deadlines import form_data


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def new_url(world) -> str:
    return f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_draft_with_every_field_is_saved_and_shown(world, client):
    client.login(world.editor)
    response = client.post(new_url(world), form_data(), follow_redirects=True)
    page = text(response)
    assert response.status_code == 200
    assert "Đã lưu bản nháp." in page
    assert "Số hóa hồ sơ tuyển sinh lớp 10" in page and "Bản nháp" in page
    saved = db.session.scalar(sa.select(Initiative))
    assert (saved.unit_id, saved.status, saved.area, str(saved.end_date)) == (world.school.id, "draft", "tthc", "2024-10-31")


def test_missing_title_is_refused_beside_the_field_and_the_rest_is_kept(world, client):
    client.login(world.editor)
    response = client.post(new_url(world), form_data(title="", need="Thực trạng: hồ sơ giấy, ký tay."))
    page = text(response)
    assert response.status_code == 400
    assert "Vui lòng nhập tên mô hình, giải pháp, sáng kiến." in page
    assert "Thực trạng: hồ sơ giấy, ký tay." in page
    assert "Tổ Văn phòng" in page and "0912 345 678" in page
    assert count(Initiative) == 0


def test_end_before_start_and_bad_phone_get_their_own_messages(world, client):
    client.login(world.editor)
    page = text(client.post(new_url(world), form_data(start_date="2024-10-01", end_date="2024-09-01",
                                                      contact_phone="gọi tôi")))
    assert "Thời gian hoàn thành phải sau thời gian bắt đầu." in page
    assert "Số điện thoại không hợp lệ." in page
    assert 'value="gọi tôi"' in page
    assert count(Initiative) == 0


def test_invalid_date_and_unknown_area_are_refused(world, client):
    client.login(world.editor)
    response = client.post(new_url(world), form_data(start_date="31/02/2024", area="khong-co"))
    page = text(response)
    assert response.status_code == 400
    assert "Ngày không hợp lệ" in page
    assert "Not a valid choice" not in page
    assert count(Initiative) == 0


def test_named_authors_must_share_exactly_100_percent_and_names_are_kept(world, client):
    client.login(world.editor)
    authors = {
        "author_type": "ca_nhan",
        "authors-0-full_name": "Nguyễn Thúy Loan", "authors-0-job_title": "Phó Hiệu trưởng", "authors-0-contribution": "60",
        "authors-1-full_name": "Lê Hồng Hạnh", "authors-1-job_title": "Kế toán", "authors-1-contribution": "30",
    }
    page = text(client.post(new_url(world), form_data(**authors)))
    assert "Tổng tỷ lệ đóng góp phải bằng 100% (hiện là 90%)." in page
    assert 'value="Nguyễn Thúy Loan"' in page and 'value="Lê Hồng Hạnh"' in page
    assert count(Initiative) == 0 and count(InitiativeAuthor) == 0

    authors["authors-1-contribution"] = "40"
    response = client.post(new_url(world), form_data(**authors))
    assert response.status_code == 302
    saved = db.session.scalar(sa.select(InitiativeAuthor).order_by(InitiativeAuthor.position))
    assert (saved.full_name, saved.contribution) == ("Nguyễn Thúy Loan", 60)
    assert count(InitiativeAuthor) == 2


def test_an_author_without_a_share_is_pointed_out(world, client):
    client.login(world.editor)
    page = text(client.post(new_url(world), form_data(**{
        "author_type": "ca_nhan", "authors-0-full_name": "Nguyễn Văn A", "authors-0-contribution": ""})))
    assert "Nhập tỷ lệ đóng góp của tác giả này." in page
    assert count(Initiative) == 0


def test_control_characters_and_overlong_text_are_refused(world, client):
    client.login(world.editor)
    page = text(client.post(new_url(world), form_data(title="Tên\x07độc hại", content="x" * 20001)))
    assert "Nội dung chứa ký tự không hợp lệ." in page
    assert "Nội dung dài quá 20.000 ký tự." in page
    assert "Tên\x07độc hại" in page  # what was typed is kept
    # A NUL byte (PostgreSQL cannot store one) is refused before any form is read.
    refused = client.post(new_url(world), form_data(title="Tên\x00độc hại"))
    assert refused.status_code == 400 and "ký tự điều khiển (NUL)" in text(refused)
    assert count(Initiative) == 0


def test_a_save_based_on_an_old_version_is_refused_not_overwritten(world, client, make_client):
    draft = factories.initiative(world.campaign, world.school, actor=world.editor, title="Tên ban đầu")
    db.session.commit()
    first, second = client, make_client()
    first.login(world.editor)
    second.login(world.head)

    assert first.post(f"/sang-kien/{draft.id}/sua", form_data(version="1", title="Bản của cán bộ")).status_code == 302
    response = second.post(f"/sang-kien/{draft.id}/sua", form_data(version="1", title="Bản của hiệu trưởng"))
    page = text(response)
    assert response.status_code == 409
    assert "vừa được người khác cập nhật" in page
    assert 'value="Bản của hiệu trưởng"' in page  # what the second person typed is still on the form
    db.session.expire_all()
    assert db.session.get(Initiative, draft.id).title == "Bản của cán bộ"


def test_a_registered_initiative_cannot_be_edited_until_reopened(world, client):
    registered = factories.initiative(world.campaign, world.school, actor=world.editor, status=factories.State.REGISTERED)
    db.session.commit()
    client.login(world.editor)
    response = client.post(f"/sang-kien/{registered.id}/sua", form_data(version=str(registered.version), title="Đổi"))
    assert response.status_code == 400
    assert "thủ trưởng đơn vị cần mở lại trước khi sửa" in text(response)
    db.session.expire_all()
    assert db.session.get(Initiative, registered.id).title == factories.COMPLETE["title"]


def test_detail_page_lists_what_is_missing_before_registering(world, client):
    draft = factories.initiative(world.campaign, world.school, actor=world.editor, need="", objectives="")
    db.session.commit()
    client.login(world.head)
    page = text(client.get(f"/sang-kien/{draft.id}"))
    assert "Hồ sơ chưa đủ để gửi đăng ký." in page
    assert "Sự cần thiết; Mục tiêu" in page
    refused = text(client.post(f"/sang-kien/{draft.id}/trang-thai", {"target": "registered"}, follow_redirects=True))
    assert "Hồ sơ chưa đủ để gửi đăng ký, còn thiếu: Sự cần thiết; Mục tiêu." in refused
    db.session.expire_all()
    assert db.session.get(Initiative, draft.id).status == "draft"


def test_a_unit_outside_the_campaign_cannot_draft_in_it(world, client):
    outsider = factories.unit(code="thpt-ngoai", name="Trường THPT Ngoài Danh Sách", parent=world.root)
    editor = factories.user(factories.Role.UNIT_EDITOR, outsider)
    db.session.commit()
    client.login(editor)
    response = client.post(new_url(world), form_data(), follow_redirects=True)
    assert "Đơn vị không thuộc danh sách tham gia phong trào này." in text(response)
    assert count(Initiative) == 0


import pytest  # noqa: E402


@pytest.mark.parametrize("share, message", [
    ("0", "Tỷ lệ đóng góp là một số nguyên từ 1 đến 100%."),
    ("120", "Tỷ lệ đóng góp là một số nguyên từ 1 đến 100%."),
    ("-20", "Tỷ lệ đóng góp là một số nguyên từ 1 đến 100%."),
    ("33.5", None), ("33,5", None), ("abc", None),
])
def test_a_share_out_of_range_or_not_a_whole_number_is_refused_beside_it_with_the_form_kept(world, client, share, message):
    client.login(world.editor)
    response = client.post(new_url(world), form_data(**{
        "author_type": "ca_nhan", "authors-0-full_name": "Nguyễn Văn A", "authors-0-contribution": share,
        "need": "Thực trạng đã nhập dài."}))
    page = text(response)
    assert response.status_code == 400  # refused, not a 500
    if message:
        assert message in page
    assert f'value="{share}"' in page and "Thực trạng đã nhập dài." in page and 'value="Nguyễn Văn A"' in page
    assert "Not a valid" not in page
    assert count(Initiative) == 0
