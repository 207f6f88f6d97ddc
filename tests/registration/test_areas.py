"""An initiative belongs to every CCHC area its unit ticks: stored, shown, found and counted in each."""
from __future__ import annotations

import html

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from thidua.extensions import db
from thidua.imports import parsing
from thidua.registration.models import Initiative, InitiativeArea
from thidua.reports.figures import campaign_figures
from thidua.workflow import State

from tests import factories
from tests.registration.test_deadlines import form_data


def _post(client, url, **overrides):
    data = MultiDict(form_data(**overrides))
    data.setlist("area", overrides.get("area", ["tthc", "chinh_quyen_so", "khac"]))
    data["csrf_token"] = client.csrf_token(url)
    return client.http.post(url, data=data)


def test_every_area_ticked_is_kept_with_the_words_of_other_and_shown_on_the_page_and_the_form(client, world):
    client.login(world.editor)
    url = f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi"
    response = _post(client, url, area_other="Văn hóa công sở")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    initiative = db.session.scalar(sa.select(Initiative))
    assert initiative.areas == ["tthc", "chinh_quyen_so", "khac"] and initiative.area == "tthc"
    assert initiative.area_other == "Văn hóa công sở"
    page = html.unescape(client.get(f"/sang-kien/{initiative.id}").get_data(as_text=True))
    assert ("Cải cách thủ tục hành chính; Xây dựng và phát triển chính quyền điện tử, chính quyền số; "
            "Khác: Văn hóa công sở") in page
    form = client.get(f"/sang-kien/{initiative.id}/sua").get_data(as_text=True)
    for code in ("tthc", "chinh_quyen_so", "khac"):
        assert f'value="{code}" checked' in form or f'checked id="area-' in form and f'value="{code}"' in form
    assert form.count("checked") >= 3


def test_unticking_an_area_removes_it_and_other_words_need_the_other_box(client, world):
    client.login(world.editor)
    url = f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi"
    refused = _post(client, url, area=["tthc"], area_other="Văn hóa công sở")
    assert refused.status_code == 400
    assert "Đánh dấu ô “Khác”" in html.unescape(refused.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Initiative)) == 0
    assert _post(client, url, area=["tthc", "cong_vu"]).status_code == 302
    initiative = db.session.scalar(sa.select(Initiative))
    edit = f"/sang-kien/{initiative.id}/sua"
    assert _post(client, edit, area=["cong_vu"], version=str(initiative.version)).status_code == 302
    db.session.expire_all()
    assert db.session.get(Initiative, initiative.id).areas == ["cong_vu"]
    assert set(db.session.scalars(sa.select(InitiativeArea.area))) == {"cong_vu"}


def test_no_area_ticked_is_refused_and_keeps_the_form(client, world):
    client.login(world.editor)
    response = _post(client, f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi", area=[], title="Giữ tên này")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Chọn ít nhất một lĩnh vực cải cách hành chính." in page and 'value="Giữ tên này"' in page


def test_an_initiative_counts_in_each_of_its_areas_and_once_in_the_totals(world):
    two = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED, area="tthc")
    two.areas = ["tthc", "chinh_quyen_so"]
    factories.initiative(world.campaign, world.other_school, actor=world.other_editor, status=State.REGISTERED,
                         area="chinh_quyen_so")
    db.session.commit()
    figures = campaign_figures(world.campaign)
    by_area = {a.area: a.total for a in figures.areas}
    assert by_area == {"tthc": 1, "chinh_quyen_so": 2}
    assert sum(figures.by_kind.values()) == 2 and figures.areas_overlap


def test_the_initiatives_list_finds_an_initiative_by_any_of_its_areas(client, world):
    item = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED,
                                area="tthc", title="Một cửa liên thông")
    item.areas = ["tthc", "de_an_06"]
    db.session.commit()
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/sang-kien?area=de_an_06").get_data(as_text=True)
    assert "Một cửa liên thông" in page
    page = client.get(f"/phong-trao/{world.campaign.id}/sang-kien?area=cong_vu").get_data(as_text=True)
    assert "Một cửa liên thông" not in page


def test_an_imported_answer_keeps_every_area_and_the_words_of_other():
    codes, other = parsing.split_areas("Cải cách thủ tục hành chính, Văn hóa công sở")
    assert codes == ["tthc"] and other == ["Văn hóa công sở"]


def test_an_imported_registration_is_in_every_area_ticked_and_other_is_khac_with_its_words():
    from thidua.imports import services as import_services

    from tests.imports import helpers as h

    office = h.office_2023()
    data = ('"Dấu thời gian","Tên đơn vị","Tên mô hình, giải pháp, sáng kiến","Loại (Mô hình/Giải pháp/Sáng kiến)",'
            '"Lĩnh vực CCHC"\r\n'
            '"20/08/2023 14:03:11","THPT Kim Liên","Học bạ số","Giải pháp",'
            '"Cải cách thủ tục hành chính, Đề án 06, Văn hóa công sở"\r\n').encode("utf-8")
    batch = h.upload(office, "dk.csv", data)
    plan = import_services.plan_batch(batch)
    notes = " ".join(note for row in plan.rows for note in row.notes)
    assert "ghi là Khác: Văn hóa công sở" in notes
    import_services.apply_batch(batch, actor=office.secretariat)
    db.session.commit()
    initiative = db.session.scalar(sa.select(Initiative))
    assert initiative.areas == ["tthc", "de_an_06", "khac"] and initiative.area_other == "Văn hóa công sở"
