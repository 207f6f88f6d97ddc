from __future__ import annotations

import pytest

from thidua import create_app
from thidua.extensions import db

from tests.conftest import Client, Config


@pytest.fixture
def other_app():
    """Another app on the suite's settings with some changed (same SECRET_KEY: sessions carry over)."""
    made = []

    def make(**settings):
        config = type("OtherConfig", (Config,), settings)
        made.append(create_app(config))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def signed_in_client(app, signed_in: Client) -> Client:
    """A client of `app` carrying the session cookie of a client already signed in to the suite's app."""
    other = Client(app)
    cookie = signed_in.http.get_cookie("session")
    other.http.set_cookie("session", cookie.value)
    return other
