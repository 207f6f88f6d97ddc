"""The app as gunicorn serves it in the bench: the product's factory, plus what only the bench adds.

- `/__bench/floor`: a fixed 20 KB page through the same server, the same app and its middleware; every
  figure is also printed as a ratio to it (the machines are noisy; ratios taken in one run compare).
- The clock frozen at the bench's moment (THIDUA_BENCH_NOW, naive UTC ISO), so the generated
  campaign's dates mean the same on every run.

    gunicorn -w 2 -b 127.0.0.1:PORT bench.harness.wsgi:app     # with DATABASE_URL, SECRET_KEY ... set
"""
from __future__ import annotations

import os
from datetime import datetime

from thidua import access, create_app, timeutil

FLOOR_BODY = ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>floor</title></head><body>"
              + "<p>Phong trào thi đua Cải cách hành chính — trang cố định để đo sàn.</p>\n" * 260
              + "</body></html>").encode()[:20 * 1024]


def floor():
    return FLOOR_BODY, 200, {"Content-Type": "text/html; charset=utf-8"}


def make_app():
    if os.environ.get("THIDUA_BENCH_NOW"):
        timeutil.freeze(datetime.fromisoformat(os.environ["THIDUA_BENCH_NOW"]))
    app = create_app()
    app.add_url_rule("/__bench/floor", "bench_floor", floor)
    access.ACCESS["bench_floor"] = access.PUBLIC
    return app


app = make_app()
