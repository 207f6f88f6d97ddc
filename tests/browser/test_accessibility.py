"""Every role's main pages pass axe-core (WCAG 2.1 A/AA and best practice: nothing serious or
critical), desktop (1280×900) and phone (390×844), and a person can work them by keyboard alone.

axe-core comes from npm (package.json at the root; scripts/test.sh runs `npm ci`). Without it the
checks are skipped on a developer's machine and fail in CI.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from thidua.auth.models import User
from thidua.extensions import db
from thidua.reports.models import CityReport
from thidua.targets import services as target_services
from thidua.workflow import State

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS
from tests.browser.helpers import field
from tests.gallery.conftest import make_model
from tests.review import scoring_world

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
SKIP_LINK = "Bỏ qua, đến nội dung chính"
MODEL_TITLE = "Một cửa điện tử trong tiếp nhận hồ sơ tuyển sinh lớp 10"
# One round of hashing: a hundred logins through the real form stay quick.
_FAST_HASH = generate_password_hash(factories.PASSWORD, method="pbkdf2:sha256:1")


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci --no-audit --no-fund` at the repository root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@dataclass
class Site:
    """The ids the pages' addresses are made of."""
    campaign: int
    entry: int
    other_entry: int
    unpublished: int
    registered: int
    under_review: int
    assignment: int


def build_site(world) -> Site:
    """A campaign with something on every page: a registered initiative (its report open to write),
    one under review with a rubric, a committee and a reviewer's sheet, a published model on the
    award list waiting for the leader, another school's model, one not yet published, the default
    targets and a report to UBND Thành phố."""
    scoring = scoring_world.build(world)
    registered = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED,
                                      title="Số hóa hồ sơ học bạ")
    target_services.apply_default_targets(world.campaign, actor=world.secretariat)
    model = make_model(world, title=MODEL_TITLE, files=("cong-khai-quy-trinh.pdf",))
    other_model = make_model(world, title="Ứng dụng chữ ký số cho hồ sơ chuyên môn của giáo viên",
                             area="chinh_quyen_so", unit=world.other_school)
    unpublished = make_model(world, title="Làm sạch dữ liệu dân cư học sinh theo Đề án 06", area="de_an_06",
                             publish=False, files=("cong-khai-ket-qua.pdf",))
    award_list = factories.decided_award(world, model, decided=False)
    award_list.status = "submitted"
    db.session.add(CityReport(campaign_id=world.campaign.id, number=1))
    db.session.execute(sa.update(User).values(password_hash=_FAST_HASH))
    db.session.commit()
    from thidua.gallery.models import GalleryEntry

    def entry(initiative) -> int:
        return db.session.scalar(sa.select(GalleryEntry.id).where(GalleryEntry.initiative_id == initiative.id))

    return Site(campaign=world.campaign.id, entry=entry(model), other_entry=entry(other_model),
                unpublished=unpublished.id, registered=registered.id, under_review=scoring.initiative.id,
                assignment=scoring.assignments[0].id)


UNIT_PAGES = {
    "dashboard": "/don-vi",
    "initiative": "/sang-kien/{s.registered}",
    "registration-form": "/don-vi/phong-trao/{s.campaign}/dang-ky-moi",
    "report-form": "/sang-kien/{s.registered}/bao-cao",  # opened in Đợt 2 (REPORT_TIME)
    "targets-sheet": "/phong-trao/{s.campaign}/chi-tieu-cua-don-vi",
    "outstanding-people": "/phong-trao/{s.campaign}/ca-nhan-xuat-sac",
    "adopt-model": "/thu-vien/{s.other_entry}/nhan-rong",  # another school's model
    "account": "/tai-khoan",
}
PAGES = {
    None: {
        "login": "/dang-nhap",
        "gallery": "/thu-vien",
        "model": "/thu-vien/{s.entry}",
        "gallery-stats": "/thu-vien/thong-ke",
        "password-forgot": "/quen-mat-khau",
    },
    "editor": UNIT_PAGES,
    "head": UNIT_PAGES,
    "secretariat": {
        "campaigns": "/phong-trao",
        "campaign": "/phong-trao/{s.campaign}",
        "initiatives": "/phong-trao/{s.campaign}/sang-kien",
        "progress-board": "/phong-trao/{s.campaign}/tien-do",
        "units": "/don-vi-truc-thuoc",
        "accounts": "/quan-tri/tai-khoan",
        "committee": "/phong-trao/{s.campaign}/hoi-dong",
        "assign": "/phong-trao/{s.campaign}/hoi-dong/phan-cong",
        "review-progress": "/phong-trao/{s.campaign}/hoi-dong/tien-do",
        "ranking": "/phong-trao/{s.campaign}/hoi-dong/xep-hang",
        "award-list": "/phong-trao/{s.campaign}/khen-thuong",
        "city-report": "/phong-trao/{s.campaign}/bao-cao-ubnd",
        "targets-board": "/phong-trao/{s.campaign}/chi-tieu/bang",
        "targets-setup": "/phong-trao/{s.campaign}/chi-tieu",
        "targets-check": "/phong-trao/{s.campaign}/chi-tieu/kiem-tra",
        "campaign-form": "/phong-trao/{s.campaign}/sua",
        "participants": "/phong-trao/{s.campaign}/don-vi-tham-gia",
        "rubric": "/phong-trao/{s.campaign}/hoi-dong/tieu-chi",
        "award-levels": "/phong-trao/{s.campaign}/hoi-dong/hinh-thuc-khen-thuong",
        "reminders": "/phong-trao/{s.campaign}/nhac-viec",
        "account-form": "/quan-tri/tai-khoan/moi",
        "unit-form": "/don-vi-truc-thuoc/moi",
        "publish-model": "/sang-kien/{s.unpublished}/cong-bo",
        "period-summary": "/tong-ket",
        "audit-log": "/nhat-ky",
        "outstanding-people": "/phong-trao/{s.campaign}/chi-tieu/ca-nhan",
        "nominations-incoming": "/phong-trao/{s.campaign}/de-xuat-cap-duoi",
        "nominations-outgoing": "/phong-trao/{s.campaign}/trinh-cap-tren",
        "google-forms-import": "/phong-trao/{s.campaign}/nhap-google-forms",
        "replications": "/quan-tri/nhan-rong",
    },
    "leader": {
        "dashboard": "/lanh-dao",
        "award-approval": "/phong-trao/{s.campaign}/khen-thuong/duyet",
        "campaign": "/phong-trao/{s.campaign}",
        "award-list": "/phong-trao/{s.campaign}/khen-thuong",
    },
    "reviewer": {
        "assignments": "/hoi-dong",
        "scoring-sheet": "/hoi-dong/phieu-cham/{s.assignment}",
    },
}
# Đợt 2: registration closed on 30/09/2024, the results reports are open.
REPORT_TIME = datetime(2024, 10, 5, 9, 0)
CASES = [(role, name, url) for role, pages in PAGES.items() for name, url in pages.items()]


@pytest.fixture
def open_page(browser, base_url):
    """A page in a context of its own, desktop or phone. The app's Content-Security-Policy allows only
    its own scripts, so the context sets it aside for axe-core's script tag (it is not what is checked)."""
    contexts = []

    def make(*, phone: bool = False):
        options = {"base_url": base_url, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "bypass_csp": True}
        if phone:
            options.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        else:
            options.update(viewport=DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, user) -> None:
    page.goto("/dang-nhap")
    field(page, "Tên đăng nhập").fill(user.username)
    field(page, "Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất", include_hidden=True)).to_be_attached()


def axe_violations(page, axe_source: Path) -> list[dict]:
    page.add_script_tag(path=str(axe_source))
    result = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                        resultTypes: ['violations']})""", TAGS)
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """Each rule broken: its id, impact and help, then the elements (selectors) and what to fix on each."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:10]:
            fix = "; ".join(line.strip() for line in (node.get("failureSummary") or "").splitlines()[1:] if line.strip())
            lines.append(f"    {' '.join(map(str, node['target']))} — {fix[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def test_the_check_reports_what_it_finds(world, open_page, axe_source):
    """The checker itself: an unlabelled box and a faint text are caught and named in the message."""
    page = open_page()
    page.goto("/dang-nhap")
    page.evaluate("""() => { const main = document.querySelector('main');
      main.insertAdjacentHTML('beforeend', '<input id="khong-nhan" type="text">'
        + '<p id="mo" style="color:#ccc;background:#fff">Chữ mờ</p>'); }""")
    violations = axe_violations(page, axe_source)
    found = {v["id"]: v for v in violations}
    assert {"label", "color-contrast"} <= set(found), sorted(found)
    message = describe(violations)
    assert "label (critical)" in message and "#khong-nhan" in message
    assert "color-contrast (serious)" in message and "#mo" in message


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize(("role", "name", "url"), CASES, ids=[f"{role or 'public'}-{name}" for role, name, _ in CASES])
def test_page_has_no_serious_accessibility_violations(world, clock, open_page, axe_source, role, name, url, phone):
    site = build_site(world)
    if name == "report-form":
        clock.at(REPORT_TIME)
    page = open_page(phone=phone)
    if role:
        sign_in(page, getattr(world, role))
    address = url.format(s=site)
    response = page.goto(address)
    assert response.ok, f"{address}: {response.status}"
    assert address in page.url, f"{address} sent the browser to {page.url}"  # a model's address may gain its slug
    page.wait_for_load_state("load")
    violations = axe_violations(page, axe_source)
    assert not violations, f"{address} as {role or 'anyone'} ({'phone' if phone else 'desktop'}):\n" + describe(violations)


# Forms sent back with their errors: (who, where, the button that sends). Sent empty, except where the
# form would take it empty: a score above the maximum on the scoring sheet, a word for a number in the report.
ERROR_CASES = {
    "login": (None, "/dang-nhap", "Đăng nhập"),
    "registration-form": ("editor", "/don-vi/phong-trao/{s.campaign}/dang-ky-moi", "Lưu bản nháp"),
    "campaign-form": ("secretariat", "/phong-trao/moi", "Lưu"),
    "account-form": ("secretariat", "/quan-tri/tai-khoan/moi", "Lưu"),
    "unit-form": ("secretariat", "/don-vi-truc-thuoc/moi", "Lưu"),
    "report-form": ("editor", "/sang-kien/{s.registered}/bao-cao", "Lưu báo cáo"),
    "scoring-sheet": ("reviewer", "/hoi-dong/phieu-cham/{s.assignment}", "Lưu nháp"),
}


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_a_form_sent_back_with_errors_has_no_serious_accessibility_violations(world, clock, open_page, axe_source,
                                                                             name, phone):
    role, url, button = ERROR_CASES[name]
    site = build_site(world)
    if name == "report-form":
        clock.at(REPORT_TIME)
    page = open_page(phone=phone)
    if role:
        sign_in(page, getattr(world, role))
    page.goto(url.format(s=site))
    if name == "scoring-sheet":
        page.get_by_label("Điểm – Tính mới, sáng tạo", exact=True).fill("35")  # out of 30
    elif name == "report-form":
        page.get_by_label("Trước khi áp dụng 1", exact=True).fill("năm")  # not a number
    # The server's own messages, not the browser's bubbles for `required`.
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".has-error, [aria-invalid=true], .flash-error").first).to_be_visible()
    violations = axe_violations(page, axe_source)
    assert not violations, f"{name} with its errors ({'phone' if phone else 'desktop'}):\n" + describe(violations)


# --- keyboard alone ------------------------------------------------------------------------------

# What has the focus, and whether it shows: its own outline or shadow (or, for the phone's menu box,
# which is drawn by its label, the label's).
FOCUSED = """() => { const e = document.activeElement;
  const drawn = e.labels && e.labels.length && getComputedStyle(e).opacity === '0' ? e.labels[0] : e;
  const s = getComputedStyle(drawn), label = e.labels && e.labels.length ? e.labels[0].innerText.trim() : '';
  return {tag: e.tagName.toLowerCase(), type: e.type || '', checked: !!e.checked, label,
          text: (e.getAttribute('aria-label') || e.innerText || e.value || '').trim(), inNav: !!e.closest('nav'),
          style: `${s.outlineStyle} ${s.outlineWidth} / ${s.boxShadow}`,
          visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'}; }"""


def tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_keyboard_skip_link_navigation_and_primary_action_with_a_visible_focus(world, open_page, phone):
    build_site(world)
    page = open_page(phone=phone)
    sign_in(page, world.secretariat)
    page.goto("/phong-trao")  # a fresh load: nothing focused yet

    first = tab(page)
    assert (first["tag"], first["text"]) == ("a", SKIP_LINK), first
    assert first["visible"], "the skip link shows no focus"
    expect(page.get_by_role("link", name=SKIP_LINK)).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "noi-dung-chinh"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    # The next Tab goes on from the main content, past the menu: the page's primary action first.
    assert tab(page)["text"] == "+ Tạo phong trào"

    # From the top again: the main navigation comes next, then the page's own primary action.
    page.goto("/phong-trao")
    tab(page)
    seen = []
    for _ in range(40):
        focused = tab(page)
        assert focused["visible"], f"{focused['tag']} “{focused['text']}” shows no focus"
        seen.append(focused)
        if focused["text"] == "+ Tạo phong trào":
            break
        if focused["type"] == "checkbox" and not focused["checked"]:
            assert phone and focused["text"] == "Mở menu", focused
            page.keyboard.press("Space")  # the phone's menu opens from the keyboard
            expect(page.get_by_role("navigation", name="Chính")).to_be_visible()
    texts = [f["text"] for f in seen]
    assert any(f["inNav"] and f["text"] == "Phong trào" for f in seen), texts
    assert any(f["inNav"] and f["text"] == "Đăng xuất" for f in seen), texts
    assert texts[-1] == "+ Tạo phong trào", texts
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo phong trào")


TITLE_LABEL = "Tên mô hình, giải pháp, sáng kiến"
AREA = "Cải cách thủ tục hành chính"
NEED_LABEL = "Sự cần thiết (thực trạng và hạn chế)"


def _tab_to(page, wanted, *, limit: int = 80) -> dict:
    for _ in range(limit):
        focused = tab(page)
        assert focused["visible"], f"{focused['tag']} “{focused['label'] or focused['text']}” shows no focus ({focused['style']})"
        if wanted(focused):
            return focused
        assert focused["tag"] != "body", "the keyboard went round the page without reaching it"
    raise AssertionError("the keyboard never reached it")


def test_a_unit_registers_an_initiative_by_keyboard_alone(world, open_page):
    site = build_site(world)
    page = open_page()
    sign_in(page, world.editor)
    page.goto(f"/don-vi/phong-trao/{site.campaign}/dang-ky-moi")
    title = "Tiếp nhận hồ sơ chuyển trường trực tuyến"
    need = "Phụ huynh phải đến trường nhiều lần để nộp hồ sơ."

    tab(page)  # the skip link, to the form
    page.keyboard.press("Enter")
    # Saved without a title: refused, and the keyboard starts again from the top of the page.
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Lưu bản nháp")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Chưa lưu được")
    expect(field(page, TITLE_LABEL)).to_have_attribute("aria-invalid", "true")

    page.goto(f"/don-vi/phong-trao/{site.campaign}/dang-ky-moi")
    tab(page)
    page.keyboard.press("Enter")
    _tab_to(page, lambda f: f["label"] == TITLE_LABEL)
    page.keyboard.type(title)
    _tab_to(page, lambda f: f["type"] == "radio" and f["label"] == "Mô hình")
    page.keyboard.press("ArrowDown")  # within the group the arrows choose: Giải pháp
    _tab_to(page, lambda f: f["type"] == "checkbox" and f["label"] == AREA)
    page.keyboard.press("Space")
    _tab_to(page, lambda f: f["label"] == NEED_LABEL)
    page.keyboard.type(need)
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Lưu bản nháp")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("Đã lưu bản nháp")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text(need)
    expect(page.locator("main")).to_contain_text(AREA)
    expect(page.locator("main")).to_contain_text("Giải pháp")
