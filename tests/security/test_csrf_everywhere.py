"""Every state-changing request without a CSRF token is refused, for a user the access table lets in.

Generated from the URL map like the access matrix: a new POST route is covered on arrival.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from thidua.access import ACCESS, PUBLIC, SIGNED_IN
from thidua.auth.roles import Role
from thidua.extensions import db

from tests.test_access import _COLLECTION_APP, build_url, world  # noqa: F401  (the matrix's world)

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
ROUTES = sorted(
    (rule.endpoint, rule.rule, method)
    for rule in _COLLECTION_APP.url_map.iter_rules()
    for method in sorted(rule.methods & STATE_CHANGING)
)
# Who tries each route: a role the access table admits, with the world's own record.
BY_ROLE = {Role.SECRETARIAT: "secretariat", Role.UNIT_HEAD: "head", Role.UNIT_EDITOR: "editor",
           Role.REVIEWER: "reviewer", Role.LEADER: "leader"}


def _user_for(endpoint: str, world):
    rule = ACCESS[endpoint]
    if rule == PUBLIC:
        return None
    if rule == SIGNED_IN:
        return world.secretariat
    for role, attribute in BY_ROLE.items():
        if role in rule:
            return getattr(world, attribute)
    raise AssertionError(endpoint)


def _row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in ("login_failure",)}


def test_there_are_state_changing_routes_to_check():
    assert len(ROUTES) > 40


@pytest.mark.parametrize(("endpoint", "rule_text", "method"), ROUTES,
                         ids=[f"{endpoint}-{method}" for endpoint, _, method in ROUTES])
def test_a_state_changing_request_without_the_csrf_token_is_refused_and_changes_nothing(client, world, endpoint,
                                                                                        rule_text, method):
    user = _user_for(endpoint, world)
    if user is not None:
        client.login(user)
    url = build_url(endpoint, rule_text, world)
    before = _row_counts()
    response = client.http.open(url, method=method, data={"title": "Không có mã CSRF", "target": "registered"})
    assert response.status_code == 400, f"{method} {url} -> {response.status_code}"
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert _row_counts() == before


def test_a_token_of_another_session_is_refused(client, make_client, world):
    """A token lifted from someone else's page is worth nothing in this session."""
    attacker = make_client()
    attacker.login(world.other_head)
    stolen = attacker.csrf_token()
    client.login(world.head)
    response = client.http.post(f"/sang-kien/{world.initiative.id}/trang-thai",
                                data={"target": "registered", "csrf_token": stolen})
    assert response.status_code == 400
