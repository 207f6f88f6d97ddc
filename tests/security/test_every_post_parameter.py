"""Every POST route, every parameter it reads, every action it dispatches on: hostile values never give a 500.

Generated from the URL map, so a new route is fuzzed on arrival. Which parameters a route reads is
learnt by watching it: the request's form and query string record every key the view (or its
WTForms form) asks for. Routes that branch on a button's value (`action`, `mode`, `target` …) are
walked branch by branch, with the values the view's own source compares against, so the keys of
each branch are learnt and fuzzed too. The hand-written fuzz tests beside this one go deeper on the
main forms (a refused post saves nothing); this one makes sure nothing is left out.
"""
from __future__ import annotations

import inspect
import re

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from tests.security.test_csrf_everywhere import ROUTES, _user_for
from tests.test_access import build_url, world  # noqa: F401  (the access matrix's world)

HOSTILE = ["", " ", "abc", "-1", "0", "1,5,5", "99999999999999999999", "1e309", "NaN", "2024-02-30",
           "<script>alert(1)</script>", "Đ" * 3000, "🎉"]
POSTS = [(endpoint, rule, method) for endpoint, rule, method in ROUTES if method == "POST"]
# Comparisons in a view's source: `action == "up"`, `mode in ("all", "good_rows")`, `target != "x"`.
_COMPARED = re.compile(r"""(?:==|!=)\s*["']([\w.-]{1,40})["']|\bin\s*[\(\[\{]((?:\s*["'][\w.-]{1,40}["']\s*,?)+)[\)\]\}]""")


class _Recording(ImmutableMultiDict):
    """Form and query data that note every key asked for."""

    asked: set[str] | None = None

    def _note(self, key):
        if _Recording.asked is not None and isinstance(key, str):
            _Recording.asked.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _Recording


def _compared_literals(view) -> list[str]:
    """The values the view compares its input with, and those of its module's *_ACTIONS constants."""
    view = inspect.unwrap(view)
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return []
    found = set()
    for single, group in _COMPARED.findall(source):
        found |= {single} if single else set(re.findall(r"""["']([\w.-]+)["']""", group))
    module = inspect.getmodule(view)
    for name, value in vars(module).items():
        if name.endswith("ACTIONS") and name in source and isinstance(value, (set, frozenset, tuple, list, dict)):
            found |= {item for item in value if isinstance(item, str)}
    return sorted(found)


_BUTTON = re.compile(r'<(?:button|input)[^>]*\bname="([\w-]+)"[^>]*\bvalue="([^"]*)"')


def _page_values(client, url) -> set[str]:
    """The values the route's own page sends with its buttons and hidden fields."""
    response = client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        return set()
    return {value for name, value in _BUTTON.findall(response.get_data(as_text=True))
            if name != "csrf_token" and len(value) <= 40}


def test_there_are_post_routes_to_fuzz():
    assert len(POSTS) > 40


@pytest.mark.parametrize(("endpoint", "rule_text", "method"), POSTS, ids=[e for e, _, _ in POSTS])
def test_no_value_of_any_parameter_of_any_post_route_gives_a_500(app, client, world, monkeypatch, endpoint,
                                                                 rule_text, method):
    user = _user_for(endpoint, world)
    if user is not None:
        client.login(user)
    token = client.csrf_token()
    url = build_url(endpoint, rule_text, world)
    monkeypatch.setattr(app, "request_class", _RecordingRequest)
    literals = sorted(set(_compared_literals(app.view_functions[endpoint])) | _page_values(client, url))
    failures = []

    def post(data: dict) -> set[str]:
        _Recording.asked = set()
        try:
            response = client.post(url, {"csrf_token": token, **data}, token=False)
            if response.status_code >= 500:
                failures.append(f"{data!r:.120} -> {response.status_code}")
            return _Recording.asked - {"csrf_token"}
        finally:
            _Recording.asked = None

    # Learn the keys of the plain post, then of each branch a compared value opens.
    branches: dict[str, dict] = {key: {} for key in post({})}
    for key in list(branches):
        for literal in literals:
            for learnt in post({key: literal}) - set(branches):
                branches[learnt] = {key: literal}
    for key, base in branches.items():
        for value in HOSTILE + literals:
            post({**base, key: value})
    assert not failures, f"POST {url}:\n" + "\n".join(failures[:10])
