"""The client's address behind reverse proxies: read from X-Forwarded-For only through trusted ones."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from thidua import create_app
from thidua.auth.models import LoginFailure
from thidua.extensions import db

from tests.conftest import Client, Config


def _failed_sign_in_from(app, forwarded_for: str | None) -> str:
    client = Client(app)
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    token = client.csrf_token()
    client.http.post("/dang-nhap", data={"csrf_token": token, "username": "khong-co", "password": "sai"},
                     headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})  # the proxy's own address
    db.session.expire_all()
    return db.session.scalars(sa.select(LoginFailure.remote_addr).order_by(LoginFailure.id.desc())).first()


@pytest.fixture
def behind(app):
    def build(hops: int):
        class ProxiedConfig(Config):
            TRUSTED_PROXIES = hops

        return create_app(ProxiedConfig)

    return build


def test_without_trusted_proxies_a_forwarded_address_is_ignored(app):
    assert app.config["TRUSTED_PROXIES"] == 0
    assert _failed_sign_in_from(app, "203.0.113.7") == "10.0.0.1"


def test_through_one_trusted_proxy_the_client_address_is_the_one_it_appended(behind):
    assert _failed_sign_in_from(behind(1), "203.0.113.7") == "203.0.113.7"


def test_an_address_a_client_forged_in_front_of_the_proxys_is_ignored(behind):
    # The client sent "X-Forwarded-For: 198.51.100.1"; nginx appended the real one after it.
    assert _failed_sign_in_from(behind(1), "198.51.100.1, 203.0.113.7") == "203.0.113.7"


def test_two_proxies_read_the_address_two_hops_back(behind):
    assert _failed_sign_in_from(behind(2), "198.51.100.1, 203.0.113.7, 10.0.0.9") == "203.0.113.7"
