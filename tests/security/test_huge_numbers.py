"""Numbers larger than the database's integers in a URL or a query string: a 404 or the first page,
never an OverflowError (a 500). Every route of the URL map with an id, as every role."""
from __future__ import annotations

import re

import pytest

HUGE = "99999999999999999999999"
QUERY = f"?page={HUGE}&per_page={HUGE}&unit={HUGE}&campaign={HUGE}&id={HUGE}&replace={HUGE}&nam={HUGE}"


def _urls(app, method: str) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint == "static":
            continue
        path = re.sub(r"<int:[^>]+>", HUGE, rule.rule)
        path = re.sub(r"<(?:string:)?[^>]+>", "x", path)
        urls.append(path)
    return sorted(set(urls))


@pytest.mark.parametrize("role", ["anonymous", "secretariat", "leader", "editor", "reviewer"])
def test_huge_ids_and_query_numbers_never_give_a_500(app, world, client, role):
    if role != "anonymous":
        client.login(getattr(world, role))
    failures = []
    for url in _urls(app, "GET"):
        response = client.get(url + QUERY)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
        if HUGE in url and response.status_code not in (302, 401, 403, 404):
            failures.append((url, response.status_code))
    token = client.csrf_token()
    for url in _urls(app, "POST"):
        if HUGE not in url:
            continue
        response = client.post(url + QUERY, {"csrf_token": token, "action": "x", "replace": HUGE}, token=False)
        if response.status_code >= 500:
            failures.append(("POST " + url, response.status_code))
    assert not failures
