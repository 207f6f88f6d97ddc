"""One payload in every free-text field of a full campaign, then every page and spreadsheet that shows them.

The demo (registration, reports, scoring, awards, the gallery) is loaded, every free-text column
of every table gets a payload that is both HTML and a spreadsheet formula, and then:
- no page a role can open carries the payload's tags raw (escaped or sanitised only);
- no cell of any XLSX export is a formula or starts with = + - @ (they are neutralised with ').
"""
from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa

from thidua import demo
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.gallery.models import GalleryEntry
from thidua.registration.models import Initiative

PAYLOAD = '=HYPERLINK("http://evil.example","x")<script>alert(1)</script><img src=x onerror=alert(2)>'
RAW = ("<script>alert(1)", "<img src=x onerror", 'href="javascript:')
FORMULA_PREFIXES = ("=", "+", "-", "@")
# Free text typed by people; codes, states, keys and addresses are validated elsewhere.
NAMED_TEXT = {"name", "short_name", "title", "full_name", "job_title", "collective_name", "people_in_charge",
              "description", "note", "unit_of_measure", "source", "original_name", "signer_name", "signer_title",
              "number_text", "reason", "comment", "district", "block"}
SKIP = {("user_account", "password_hash"), ("audit_log", "action"), ("job", "error"), ("job", "message"),
        ("gallery_entry", "summary_html")}  # only ever written by the sanitiser, from the summary (below)


def text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if (table.name, column.name) in SKIP or column.primary_key or column.foreign_keys:
                continue
            if isinstance(column.type, sa.Text) or (isinstance(column.type, sa.String) and column.name in NAMED_TEXT):
                yield table, column


@pytest.fixture
def poisoned(app):
    runner = app.test_cli_runner()
    db.session.commit()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    poisoned = []
    with db.engine.begin() as connection:
        for table, column in text_columns():
            length = getattr(column.type, "length", None) or 100000
            value = sa.func.substr(sa.literal(PAYLOAD) + sa.func.coalesce(column, ""), 1, length)
            changed = connection.execute(table.update().values({column.name: value})).rowcount
            if changed:
                poisoned.append(f"{table.name}.{column.name}")
    from thidua.markup import markdown_to_html

    for entry in db.session.scalars(sa.select(GalleryEntry)):  # as saving the poisoned summary would render it
        entry.summary_html = markdown_to_html(entry.summary)
    db.session.commit()
    db.session.expire_all()
    assert {"unit.name", "initiative.title", "initiative.need", "result_report.achievements", "criterion.name",
            "user_account.full_name"} <= set(poisoned), poisoned
    return poisoned


def pages_for(campaign_ids, initiative_ids, entry_ids):
    pages = ["/", "/thu-vien", "/thu-vien/feed.atom", "/don-vi-truc-thuoc", "/phong-trao", "/nhat-ky", "/tong-ket",
             "/tong-quan", "/quan-tri/tai-khoan"]
    for campaign_id in campaign_ids:
        pages += [f"/phong-trao/{campaign_id}", f"/phong-trao/{campaign_id}/sang-kien",
                  f"/phong-trao/{campaign_id}/tien-do", f"/phong-trao/{campaign_id}/nhac-viec"]
    pages += [f"/sang-kien/{initiative_id}" for initiative_id in initiative_ids]
    pages += [f"/thu-vien/{entry_id}" for entry_id in entry_ids]
    return pages


def all_get_pages(app, campaign_ids):
    """Every GET route without arguments or with a campaign_id only, from the URL map."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if not rule.arguments:
            urls.add(rule.rule)
        elif rule.arguments == {"campaign_id"}:
            for campaign_id in campaign_ids:
                urls.add(rule.build({"campaign_id": campaign_id}, append_unknown=False)[1])
    return sorted(urls)


def test_no_page_shows_a_payload_raw(app, client, make_client, poisoned):
    campaign_ids = list(db.session.scalars(sa.select(Campaign.id)))
    initiative_ids = list(db.session.scalars(sa.select(Initiative.id).order_by(Initiative.id).limit(15)))
    entry_ids = list(db.session.scalars(sa.select(GalleryEntry.id).where(GalleryEntry.is_public.is_(True)).limit(5)))
    urls = sorted(set(pages_for(campaign_ids, initiative_ids, entry_ids)) | set(all_get_pages(app, campaign_ids)))
    checked = 0
    for role in (Role.SECRETARIAT, Role.LEADER, Role.UNIT_HEAD, Role.REVIEWER, None):
        browser = make_client()
        if role is not None:
            user = db.session.scalars(sa.select(User).where(User.role == role.value, User.is_active_account.is_(True))
                                      .order_by(User.id)).first()
            browser.login(user, password=demo.PASSWORD)
        for url in urls:
            response = browser.get(url)
            assert response.status_code < 500, f"{url} as {role}"
            if response.status_code != 200 or not response.content_type.startswith(("text/", "application/json",
                                                                                       "application/atom")):
                continue
            page = response.get_data(as_text=True)
            for raw in RAW:
                assert raw not in page, f"{url} as {role} shows {raw!r} unescaped"
            checked += 1
    assert checked > 50


def xlsx_urls(app, campaign_ids):
    from thidua.reports.models import CityReport

    urls = ["/tong-ket/xlsx"]
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and ("xlsx" in rule.endpoint or "export" in rule.endpoint) \
                and rule.arguments == {"campaign_id"}:
            urls += [rule.build({"campaign_id": cid}, append_unknown=False)[1] for cid in campaign_ids]
    for report in db.session.scalars(sa.select(CityReport).where(CityReport.xlsx_key.is_not(None))):
        urls.append(app.url_map.bind("localhost").build("reports.download_xlsx",
                                                        {"campaign_id": report.campaign_id, "report_id": report.id}))
    return urls


def test_no_cell_of_any_spreadsheet_export_is_a_formula(app, client, poisoned):
    campaign_ids = list(db.session.scalars(sa.select(Campaign.id)))
    office = db.session.scalars(sa.select(User).where(User.role == Role.SECRETARIAT.value)).first()
    client.login(office, password=demo.PASSWORD)
    workbooks, neutralised = 0, 0
    for url in xlsx_urls(app, campaign_ids):
        response = client.get(url)
        if response.status_code != 200 or "spreadsheetml" not in response.content_type:
            continue
        workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        workbooks += 1
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{url} {sheet.title}!{cell.coordinate} is a formula"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(FORMULA_PREFIXES), \
                            f"{url} {sheet.title}!{cell.coordinate}: {cell.value[:40]!r}"
                        neutralised += cell.value.startswith("'=HYPERLINK")
    assert workbooks >= 3 and neutralised > 10, (workbooks, neutralised)


def test_json_answers_write_markup_characters_as_escapes_and_read_back_the_same(app):
    import json

    data = {"title": PAYLOAD, "note": "A & B > C"}
    text = app.json.dumps(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data
