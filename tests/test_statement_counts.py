"""The main pages run a small number of SQL statements, and no more for ten times the data: no query per row."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import assert_few_statements, count_statements
from thidua.audit import AuditLog
from thidua.auth.models import User
from thidua.campaigns.models import CampaignUnit
from thidua.extensions import db
from thidua.phases import Extension
from thidua.registration.models import Initiative, InitiativeAuthor
from thidua.timeutil import utcnow
from thidua.units.models import Unit

# (page, who looks at it, the statements it runs: the test allows HEADROOM more)
PAGES = [
    ("/don-vi", "editor", 6),  # 4 + the initiatives' areas + the unit's latest notifications
    ("/phong-trao", "secretariat", 3),  # user, campaigns, their figures
    # the hub: user, campaign, block figures (3), initiatives by state, committee (2), rubric, award list,
    # report versions, targets, extensions
    ("/phong-trao/{campaign}", "secretariat", 13),
    ("/phong-trao/{campaign}/sang-kien", "secretariat", 6),  # with the page's initiatives' areas
    ("/phong-trao/{campaign}/sang-kien?q=truong&status=registered", "secretariat", 6),
    ("/don-vi-truc-thuoc", "secretariat", 5),
    ("/quan-tri/tai-khoan", "secretariat", 3),
    ("/nhat-ky", "secretariat", 4),
    ("/sang-kien/{initiative}", "head", 6),  # user, initiative, its areas, authors, history (with its origin), extensions
]


def grow(world, units: int) -> None:
    """Add `units` schools to the campaign, each with two initiatives, authors, accounts, audit rows."""
    start = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
    unit_rows = [
        {"code": f"thpt-tang-{start + i}", "name": f"Trường THPT Tăng Trưởng {start + i}", "short_name": "",
         "block": "Khối trực thuộc" if i % 3 else "Khối các phòng thuộc Sở", "unit_type": "thpt", "district": "Hà Đông",
         "email": "", "parent_id": world.root.id, "is_active": True, "search_text": f"truong thpt tang truong {start + i}",
         "created_at": utcnow(), "updated_at": utcnow()}
        for i in range(units)
    ]
    db.session.execute(sa.insert(Unit), unit_rows)
    ids = db.session.scalars(sa.select(Unit.id).where(Unit.code.like("thpt-tang-%")).order_by(Unit.id)).all()[-units:]
    db.session.execute(sa.insert(CampaignUnit), [{"campaign_id": world.campaign.id, "unit_id": u} for u in ids])
    db.session.execute(sa.insert(User), [
        {"username": f"u{u}", "full_name": f"Cán bộ {u}", "email": "", "phone": "", "job_title": "",
         "password_hash": "x", "role": "unit_editor", "unit_id": u, "is_active_account": True,
         "created_at": utcnow()} for u in ids
    ])
    now = utcnow()
    initiative_rows = [
        {"campaign_id": world.campaign.id, "unit_id": u, "status": "registered" if n else "draft", "version": 1,
         "kind": "giai_phap", "title": f"Giải pháp số {u}-{n}", "area": "tthc", "author_type": "ca_nhan",
         "created_at": now, "updated_at": now, "registered_at": now}
        for u in ids for n in range(2)
    ]
    db.session.execute(sa.insert(Initiative), initiative_rows)
    initiative_ids = db.session.scalars(sa.select(Initiative.id).where(Initiative.unit_id.in_(ids))).all()
    db.session.execute(sa.insert(InitiativeAuthor), [
        {"initiative_id": i, "position": 0, "full_name": "Nguyễn Văn A", "job_title": "", "contribution": 100}
        for i in initiative_ids
    ])
    db.session.execute(sa.insert(Extension), [
        {"campaign_id": world.campaign.id, "unit_id": u, "phase": "registration",
         "until": world.campaign.registration_deadline + timedelta(days=3), "reason": "Gia hạn",
         "granted_by_id": world.secretariat.id, "granted_at": now} for u in ids[::5]
    ])
    db.session.execute(sa.insert(AuditLog), [
        {"at": now, "actor_id": world.secretariat.id, "action": "initiative.transition", "object_type": "initiative",
         "object_id": i, "campaign_id": world.campaign.id, "unit_id": None, "from_state": "draft",
         "to_state": "registered"} for i in initiative_ids
    ])
    db.session.commit()


def own_initiative(world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    db.session.commit()
    return initiative


def measure(client, url: str) -> int:
    with count_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.mark.parametrize(("page", "who", "runs"), PAGES, ids=[p[0] for p in PAGES])
def test_page_statement_count_is_small_and_does_not_grow_tenfold(world, client, page, who, runs):
    initiative = own_initiative(world)
    client.login(getattr(world, who))
    url = page.format(campaign=world.campaign.id, initiative=initiative.id)

    grow(world, 20)
    client.get(url)  # warm-up: the first request of a session loads a few things once
    small = measure(client, url)
    grow(world, 180)
    large = measure(client, url)

    assert_few_statements(small, large, about=runs, what=f"{url}, 20 units then 200")


# --- the report pages print the targets board: its few statements, whatever the units and targets -----------

REPORT_PAGES = [
    # 10 before the targets + the targets board's 3 (targets, participants with progress, values); a campaign
    # without targets costs 2 of them (its targets, its participants)
    ("/phong-trao/{campaign}/bao-cao-ubnd", 13),
    # per campaign of the period (here one): 10 before the targets + the board's 3
    ("/tong-ket", 13),
]


def accepted_values(world) -> None:
    """Every participant without a value gets an accepted value for every collective target."""
    from thidua.targets.models import Target, TargetValue

    targets = db.session.scalars(sa.select(Target.id).where(Target.campaign_id == world.campaign.id,
                                                           Target.applies_to == "units")).all()
    done = set(db.session.execute(sa.select(TargetValue.target_id, TargetValue.unit_id)).all())
    units = db.session.scalars(sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == world.campaign.id))
    db.session.execute(sa.insert(TargetValue), [
        {"campaign_id": world.campaign.id, "target_id": t, "unit_id": u, "value": 100 if u % 2 else 0,
         "state": "accepted", "version": 1, "updated_at": utcnow()}
        for u in units for t in targets if (t, u) not in done])
    db.session.commit()


@pytest.mark.parametrize(("page", "runs"), REPORT_PAGES, ids=[p[0] for p in REPORT_PAGES])
def test_report_pages_with_targets_run_few_statements_that_do_not_grow_with_the_units(world, client, page, runs):
    client.login(world.secretariat)
    assert client.post(f"/phong-trao/{world.campaign.id}/chi-tieu/mac-dinh").status_code == 302
    url = page.format(campaign=world.campaign.id)
    grow(world, 20)
    accepted_values(world)
    client.get(url)
    small = measure(client, url)
    grow(world, 180)
    accepted_values(world)
    large = measure(client, url)
    assert "Tỷ lệ đơn vị đạt chỉ tiêu thi đua" in client.get(url).get_data(as_text=True)  # the section is there
    assert_few_statements(small, large, about=runs, what=f"{url}, 20 units then 200")


# --- the public gallery: no more statements for 50 published models than for 5 ---------------------

def publish_models(world, count: int) -> None:
    """Published models with reports, files and adoptions, made through the gallery's service."""
    from datetime import date

    from thidua.gallery import services
    from thidua.results.models import ReportIndicator, ResultReport
    from thidua.workflow import State

    adopters = [factories.unit() for n in range(2)]
    adopter_users = [factories.user(factories.Role.UNIT_EDITOR, unit) for unit in adopters]
    for n in range(count):
        initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SHORTLISTED,
                                          title=f"Mô hình một cửa số {n}")
        db.session.add(ResultReport(initiative_id=initiative.id, achievements="Giảm thời gian", indicators=[
            ReportIndicator(position=0, name="Thời gian", before=5, after=2)]))
        db.session.flush()
        entry = services.publish_initiative(initiative, actor=world.secretariat, title=initiative.title,
                                            summary="**Tóm tắt**", public_file_ids=[])
        for user in adopter_users:
            services.record_adoption(entry, actor=user, adopted_on=date(2024, 10, 1), note="Áp dụng")
    db.session.commit()


# Anonymous renders are measured with the page cache emptied: the gallery's version, then the render.
GALLERY_PAGES = [
    ("/thu-vien", None, 4),  # version, count, page, filter options
    ("/thu-vien?q=mot+cua&area=tthc&sort=nhan-rong", None, 4),
    ("/thu-vien", "head", 4),  # the signed-in user, count, page, filter options (never cached)
    ("/thu-vien.json?q=mo+hinh", None, 3),
    ("/thu-vien/feed.atom", None, 2),
    ("/thu-vien/thong-ke", None, 4),
]


def rendered(client, page: str) -> int:
    client.app.extensions["gallery_pages"].clear()
    return measure(client, page)


@pytest.mark.parametrize(("page", "who", "runs"), GALLERY_PAGES, ids=[f"{p[0]}-{p[1]}" for p in GALLERY_PAGES])
def test_gallery_page_statement_count_is_small_and_does_not_grow_with_50_models(world, client, page, who, runs):
    if who:
        client.login(getattr(world, who))
    publish_models(world, 5)
    client.get(page)
    small = rendered(client, page)
    publish_models(world, 45)
    large = rendered(client, page)
    assert_few_statements(small, large, about=runs, what=f"{page}, 5 models then 50")


def test_gallery_detail_statement_count_does_not_grow_with_adoptions(world, client):
    from thidua.gallery.models import GalleryEntry

    publish_models(world, 1)
    entry = db.session.scalar(sa.select(GalleryEntry))
    url = f"/thu-vien/{entry.id}-{entry.slug}"
    client.get(url)
    small = rendered(client, url)
    from datetime import date

    from thidua.gallery import services

    for n in range(20):
        adopter = factories.user(factories.Role.UNIT_EDITOR, factories.unit())
        services.record_adoption(entry, actor=adopter, adopted_on=date(2024, 10, 2), note="Áp dụng")
    db.session.commit()
    large = rendered(client, url)
    # version, entry, initiative, report, indicators, files, adoptions, award
    assert_few_statements(small, large, about=8, what=f"{url}, 2 adoptions then 22")


@pytest.mark.parametrize("page", ["/thu-vien", "/thu-vien?q=mot+cua", "/thu-vien.json", "/thu-vien/feed.atom",
                                  "/thu-vien/thong-ke"])
def test_an_unchanged_public_gallery_page_costs_one_statement_when_asked_again(world, client, page):
    publish_models(world, 5)
    client.get(page)
    assert measure(client, page) == 1  # the gallery's version; the page comes from the cache


# --- the two forms every unit sends on the evening of the deadline ------------------------------

def sent(client, url: str, data: dict, token: str) -> list[str]:
    with count_statements() as statements:
        response = client.post(url, {**data, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return statements


def a_bigger_school(world, drafts: int = 8) -> None:
    """The school with more drafts of its own, and 20 more units in the campaign with their initiatives."""
    for n in range(drafts):
        factories.initiative(world.campaign, world.school, actor=world.editor, title=f"Bản nháp thêm {n}")
    db.session.commit()
    grow(world, 20)


def test_a_new_draft_runs_a_dozen_statements_whatever_the_size_of_its_unit(world, client):
    """The user, the campaign, participation, the extension, the initiative and its area, the unit's progress (its
    row read, then recomputed: thidua/progress.py), the audit row: the phase is checked once, and the draft is not read
    back after the commit for its address. A complete draft waits for the head: the draft's round, the heads not yet
    told (one query), their notification (thidua/notifications/events.py). None of it grows with the unit's drafts
    or the campaign's units."""
    from tests.registration.test_deadlines import form_data

    client.login(world.editor)
    url = f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi"
    token = client.csrf_token(url)
    small = sent(client, url, form_data(title="Số hóa hồ sơ tuyển sinh lớp 10"), token)
    a_bigger_school(world)
    large = sent(client, url, form_data(title="Số hóa hồ sơ tuyển sinh lớp 6"), token)
    assert_few_statements(small, large, about=12, what="a new draft, then with 8 more drafts and 20 more units")


def test_sending_a_registration_runs_about_nine_statements_whatever_the_size_of_its_unit(world, client):
    """The user, the initiative (with its unit and campaign), the extension, the audit row, the update, the unit's
    progress (read, recomputed), the editors not yet told and their notification: a collective's authors are not read
    one by one, and nothing grows with the unit's drafts or the campaign's units."""
    from thidua.registration.models import InitiativeAuthor

    first = own_initiative(world)
    client.login(world.head)
    token = client.csrf_token()
    small = sent(client, f"/sang-kien/{first.id}/trang-thai", {"target": "registered"}, token)
    a_bigger_school(world)
    second = own_initiative(world)
    for n in range(8):
        db.session.add(InitiativeAuthor(initiative_id=second.id, full_name=f"Tác giả {n}", position=n))
    db.session.commit()
    large = sent(client, f"/sang-kien/{second.id}/trang-thai", {"target": "registered"}, token)
    assert_few_statements(small, large, about=9,
                          what="sending a registration, then with 8 authors, 8 more drafts, 20 more units")
    db.session.expire_all()
    assert {db.session.get(Initiative, i.id).status for i in (first, second)} == {"registered"}


# --- the campaign's hub, every step under way: no more statements for 200 units than for 20 ---------------

def every_step_under_way(world, units: int) -> None:
    """More committee members with sheets, lines on the award list, report versions and target values."""
    from thidua.auth.roles import Role
    from thidua.awards.models import AwardEntry, AwardList
    from thidua.reports.models import CityReport
    from thidua.review.models import Assignment, CommitteeMember, Criterion, Review
    from thidua.targets import services as target_services
    from thidua.targets.models import TargetValue

    campaign = world.campaign
    if not target_services.targets_of(campaign.id):
        target_services.apply_default_targets(campaign, actor=world.secretariat)
        db.session.add(Criterion(campaign_id=campaign.id, position=0, name="Tính mới", max_score=100))
    award_list = db.session.scalar(sa.select(AwardList).where(AwardList.campaign_id == campaign.id))
    if award_list is None:
        award_list = AwardList(campaign_id=campaign.id, status="draft")
        db.session.add(award_list)
        db.session.flush()
    initiatives = db.session.scalars(sa.select(Initiative.id).where(Initiative.campaign_id == campaign.id,
                                                                    Initiative.status == "registered")
                                     .order_by(Initiative.id.desc()).limit(units)).all()
    target = target_services.targets_of(campaign.id)[0]
    for n, initiative_id in enumerate(initiatives):
        reviewer = factories.user(Role.REVIEWER, world.office_unit)
        db.session.add(CommitteeMember(campaign_id=campaign.id, user_id=reviewer.id))
        assignment = Assignment(campaign_id=campaign.id, initiative_id=initiative_id, reviewer_id=reviewer.id)
        db.session.add(assignment)
        db.session.flush()
        if n % 2:
            db.session.add(Review(assignment_id=assignment.id, status="submitted", total=80))
        db.session.add(AwardEntry(award_list_id=award_list.id, initiative_id=initiative_id, position=n))
    number = db.session.scalar(sa.select(sa.func.count()).select_from(CityReport))
    db.session.add(CityReport(campaign_id=campaign.id, number=number + 1, draft={}, created_by_id=world.secretariat.id))
    valued = set(db.session.scalars(sa.select(TargetValue.unit_id).where(TargetValue.target_id == target.id)))
    for unit_id in db.session.scalars(sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign.id)):
        if unit_id not in valued:
            db.session.add(TargetValue(campaign_id=campaign.id, target_id=target.id, unit_id=unit_id, value=1,
                                       state="sent" if unit_id % 2 else "accepted"))
    db.session.commit()


def test_the_hub_costs_a_few_statements_whatever_the_size_of_every_step(world, client):
    client.login(world.secretariat)
    url = f"/phong-trao/{world.campaign.id}"
    grow(world, 20)
    every_step_under_way(world, 10)
    client.get(url)
    small = measure(client, url)
    grow(world, 180)
    every_step_under_way(world, 100)
    large = measure(client, url)
    # 13 of a campaign without targets + the targets' rounds and values + the award list's decisions and lines
    assert_few_statements(small, large, about=17, what="the hub, 20 units then 200, every step under way")
