"""The performance harness at a tiny scale, so that it does not rot: it builds a campaign, serves it with
gunicorn, measures every page, runs the report job and a small deadline rush with nothing lost."""
from __future__ import annotations

import pytest

from bench.harness import pages, rush
from thidua.extensions import db

pytest.importorskip("gunicorn")


def test_pages_and_rush_at_a_tiny_scale(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()

    summary = pages.main(["--scale", "XS", "--database-url", url, "--requests", "4", "--export-requests", "1",
                          "--fresh", "--no-write"])

    figures = summary["XS"]
    assert set(figures["counts"]) == {page.name for page in pages.pages(figures["manifest"])}
    assert all(count > 0 for count in figures["counts"].values())
    for name, load in figures["loads"].items():
        assert load.errors == 0, name
        assert len(load.latencies) >= 1 and load.throughput > 0, name
    assert figures["reports"][0]["status"] == "done"

    result = rush.main(["--scale", "XS", "--database-url", url, "--units", "20", "--concurrency", "8", "--no-write"])

    assert result["stored"] == 20
    assert (result["errors"], result["lost"], result["duplicated"]) == (0, 0, 0)
