"""Blind review: nothing that names the unit reaches a reviewer, in any response they can fetch."""
from __future__ import annotations

import re

import pytest

from thidua.extensions import db
from thidua.review.models import Assignment

from tests.review import scoring_world
from tests.review.scoring_world import form


def _everything(client, setup) -> list[tuple[str, object]]:
    """Every response a reviewer can fetch about the initiative, as they would fetch it."""
    a = setup.assignments[0]
    url = f"/hoi-dong/phieu-cham/{a.id}"
    seen = []

    def keep(label, response):
        seen.append((label, response))
        return response

    keep("home", client.get("/trang-chu", follow_redirects=True))
    keep("list", client.get("/hoi-dong"))
    page = keep("scoring page", client.get(url)).get_data(as_text=True)
    for href in re.findall(r'href="(/minh-chung/\d+)"', page):
        keep(f"download {href}", client.get(href))
    keep("invalid score", client.post(url, form(setup, [99, None, None, None, None])))
    keep("draft saved", client.post(url, form(setup, [20, None, None, None, None]), follow_redirects=True))
    keep("stale", client.post(url, form(setup, [21, None, None, None, None], version="")))
    keep("incomplete submit", client.post(url, form(setup, [20, None, None, None, None], action="submit",
                                                    version=_version(client, url))))
    keep("refused reopen", client.post(url + "/mo-lai", {"reason": "x"}))
    keep("other pages refused", client.get(f"/sang-kien/{setup.initiative.id}"))
    keep("report refused", client.get(f"/sang-kien/{setup.initiative.id}/bao-cao"))
    keep("audit refused", client.get("/nhat-ky"))
    keep("missing", client.get("/hoi-dong/phieu-cham/999999"))
    keep("submitted", client.post(url, form(setup, [20, 20, 20, 5, 5], action="submit",
                                            version=_version(client, url)), follow_redirects=True))
    keep("after submit", client.get(url))
    keep("conflict on submitted", client.post(url + "/xung-dot", {"reason": "x"}, follow_redirects=True))
    keep("account", client.get("/tai-khoan"))
    return seen


def _version(client, url) -> str:
    return re.search(r'name="version" value="(\d*)"', client.get(url).get_data(as_text=True)).group(1)


def _text(response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    body = response.get_data()
    if response.mimetype == "application/pdf":
        body = b""  # the file's own content is the unit's document; only what we add is checked
    return headers + "\n" + body.decode("utf-8", "replace")


def test_blind_review_leaks_nothing_identifying_to_the_reviewer(client, world):
    setup = scoring_world.build(world, blind=True)
    client.login(world.reviewer)
    responses = _everything(client, setup)
    secrets = [s for s in scoring_world.identifying(world) if s]
    leaks = [(label, secret) for label, response in responses for secret in secrets
             if secret.lower() in _text(response).lower()]
    assert not leaks, leaks
    statuses = {label: response.status_code for label, response in responses}
    # The walk really reached the pages it meant to.
    assert statuses["scoring page"] == 200 and statuses["invalid score"] == 400 and statuses["stale"] == 409
    assert statuses["refused reopen"] == 403 and statuses["missing"] == 404
    downloads = [response for label, response in responses if label.startswith("download")]
    assert len(downloads) == 1 and downloads[0].status_code == 200
    assert downloads[0].headers["Content-Disposition"] == "attachment; filename=minh-chung-1.pdf"
    page = dict(responses)["scoring page"].get_data(as_text=True)
    assert "Minh chứng 1 (PDF, 120 KB)" in page
    assert "nội dung do đơn vị tự viết có thể nêu tên đơn vị" in page
    assert "Đường dẫn minh chứng do đơn vị cung cấp được ẩn" in page
    assert "Chấm kín" in page


def test_the_same_walk_without_blind_review_does_show_the_unit(client, world):
    """The leak test is not vacuous: without blind review the same pages name the unit."""
    setup = scoring_world.build(world, blind=False)
    client.login(world.reviewer)
    responses = dict(_everything(client, setup))
    page = responses["scoring page"].get_data(as_text=True)
    for secret in (world.school.name, scoring_world.AUTHOR, scoring_world.EVIDENCE_NAME, scoring_world.LINK,
                   scoring_world.REPORT_PEOPLE):
        assert secret in page, secret
    download = next(r for label, r in responses.items() if label.startswith("download"))
    assert scoring_world.EVIDENCE_NAME in download.headers["Content-Disposition"]


def test_blind_review_does_not_hide_the_unit_from_the_secretariat(client, world):
    setup = scoring_world.build(world, blind=True)
    client.login(world.secretariat)
    page = client.get(f"/hoi-dong/phieu-cham/{setup.assignments[0].id}").get_data(as_text=True)
    assert world.school.name in page
    response = client.get(f"/minh-chung/{setup.evidence.id}")
    assert scoring_world.EVIDENCE_NAME in response.headers["Content-Disposition"]


@pytest.mark.parametrize("blind", [True, False])
def test_a_reviewer_whose_assignment_ended_may_no_longer_download(client, world, blind):
    setup = scoring_world.build(world, blind=blind)
    client.login(world.reviewer)
    assert client.get(f"/minh-chung/{setup.evidence.id}").status_code == 200
    assignment = db.session.get(Assignment, setup.assignments[0].id)
    from thidua.timeutil import utcnow

    assignment.conflict_at = utcnow()
    db.session.commit()
    assert client.get(f"/minh-chung/{setup.evidence.id}").status_code == 403
