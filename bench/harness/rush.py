"""The deadline rush: N units each sign in and register an initiative, concurrently, against gunicorn.

Each unit head (a distinct account, one per unit):
  1. signs in: GET /dang-nhap for the CSRF token, POST the form (302);
  2. opens the new-registration form of the open campaign (GET, CSRF token);
  then, once every unit is signed in and holds its form (the evening of the deadline: the forms are
  filled, everyone presses the button within minutes):
  3. POSTs the complete registration (302 to the new draft), and
  4. sends it: POSTs the transition to "Đã đăng ký" with the same session's CSRF token (302).

A submission is steps 3 + 4: one registered initiative. Submissions per second = N ÷ the wall time of
phase 2 (steps 3-4 for all units); the sign-in phase is timed too. Afterwards the database is read:
for each unit, how many registered initiatives it gained in the campaign — lost = units that gained
none, duplicated = units that gained more than one. Both must be zero.

    .venv/bin/python -m bench.harness.rush --scale M --units 1000 --database-url postgresql+psycopg://...
"""
from __future__ import annotations

import argparse
import threading
import time
from collections import Counter

import sqlalchemy as sa

from bench.harness.common import (Client, Load, Server, bench_app, conditions, database_name, default_url,
                                  location_path, percentile, run_load, write_results)
from bench.harness.generate import HEAD_PASSWORD, Manifest, prepare
from bench.harness.pages import POSTING_HEADS, registration_form

TARGET_RATE, TARGET_P95_MS = 200, 500


def registered_per_unit(app, campaign_id: int, usernames: list[str]) -> Counter:
    from thidua.auth.models import User
    from thidua.extensions import db
    from thidua.registration.models import Initiative

    with app.app_context():
        rows = db.session.execute(
            sa.select(User.username, sa.func.count(Initiative.id))
            .join(Initiative, Initiative.unit_id == User.unit_id)
            .where(User.username.in_(usernames), Initiative.campaign_id == campaign_id,
                   Initiative.status == "registered")
            .group_by(User.username)).all()
        db.session.remove()
        db.engine.dispose()
    return Counter(dict(rows))


def rush(port: int, manifest: Manifest, usernames: list[str], *, concurrency: int, deadline_s: float) -> dict:
    clients: dict[int, Client] = {}
    path = f"/don-vi/phong-trao/{manifest.rush_campaign_id}/dang-ky-moi"
    started_at = time.monotonic()

    def sign_in(i):
        client = Client(port)
        client.login(usernames[i], HEAD_PASSWORD)
        response = client.get(path)
        client.token = response.csrf()
        clients[i] = client
        return response

    request_times: list[float] = []
    submission_times: list[float] = []
    failures: Counter = Counter()
    lock = threading.Lock()

    def timed(call):
        started = time.perf_counter()
        response = call()
        with lock:
            request_times.append((time.perf_counter() - started) * 1000)
        return response

    def submit(i):
        if time.monotonic() - started_at > deadline_s:
            raise TimeoutError("past the rush's window")
        client = clients[i]
        began = time.perf_counter()
        response = timed(lambda: client.post(path, registration_form(client.token, i)))
        if response.status != 302 or not location_path(response).startswith("/sang-kien/"):
            with lock:
                failures[f"registration POST {response.status}"] += 1
            return response
        initiative = location_path(response).rsplit("/", 1)[1]
        response = timed(lambda: client.post(f"/sang-kien/{initiative}/trang-thai",
                                             {"csrf_token": client.token, "target": "registered", "reason": ""}))
        if response.status != 302:
            with lock:
                failures[f"transition POST {response.status}"] += 1
        else:
            with lock:
                submission_times.append((time.perf_counter() - began) * 1000)
        return response

    signing = run_load(len(usernames), concurrency, sign_in)
    signed = [i for i in range(len(usernames)) if i in clients]
    submitting = run_load(len(signed), concurrency, lambda k: submit(signed[k]))
    return {"sign_in": signing, "submit": submitting, "request_ms": request_times,
            "submission_ms": submission_times, "failures": failures, "signed_in": len(signed)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--database-url")
    parser.add_argument("--units", type=int, default=1000, help="unit heads in the rush (N)")
    parser.add_argument("--concurrency", type=int, default=64, help="clients sending at the same time")
    parser.add_argument("--window", type=float, default=300, help="seconds the whole rush may take")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    url = args.database_url or default_url(args.scale)
    app = bench_app(url)
    with app.app_context():
        manifest, _ = prepare(args.scale, args.seed)
        from thidua.extensions import db
        db.session.remove()
    heads = manifest.heads[:max(0, len(manifest.heads) - POSTING_HEADS)]
    if args.units > len(heads):
        raise SystemExit(f"scale {args.scale} has {len(heads)} unit heads for the rush, fewer than {args.units}")
    usernames = heads[:args.units]
    before = registered_per_unit(app, manifest.rush_campaign_id, usernames)
    situation = conditions(url, f", {args.concurrency} concurrent clients")
    with Server(url) as server:
        result = rush(server.port, manifest, usernames, concurrency=args.concurrency, deadline_s=args.window)
    after = registered_per_unit(app, manifest.rush_campaign_id, usernames)
    gained = {u: after.get(u, 0) - before.get(u, 0) for u in usernames}
    lost = sum(1 for g in gained.values() if g == 0)
    duplicated = sum(1 for g in gained.values() if g > 1)
    stored = sum(gained.values())
    submit: Load = result["submit"]
    sign_in: Load = result["sign_in"]
    rate = len(result["submission_ms"]) / submit.seconds if submit.seconds else 0
    p95 = percentile(result["request_ms"], 0.95)
    errors = sign_in.errors + submit.errors + sum(result["failures"].values())
    holds = rate >= TARGET_RATE and p95 < TARGET_P95_MS and errors == 0 and lost == 0 and duplicated == 0
    lines = [
        f"## Deadline rush, scale {args.scale}, {database_name(url)}", "",
        f"{args.units:,} unit heads (distinct accounts, PBKDF2 1,000-round hashes), {situation}, window "
        f"{args.window:.0f} s.", "",
        "| figure | value |", "|---|---:|",
        f"| sign-in phase (GET+POST /dang-nhap, GET form): wall time | {sign_in.seconds:.1f} s "
        f"({len(sign_in.latencies) / sign_in.seconds if sign_in.seconds else 0:.0f} units/s, p95 {sign_in.p95:.0f} ms "
        f"per unit) |",
        f"| submissions (registration POST + transition POST) per second | {rate:.1f} |",
        f"| submission phase wall time | {submit.seconds:.1f} s |",
        f"| request p95 / median (the two POSTs) | {p95:.0f} ms / {percentile(result['request_ms'], 0.5):.0f} ms |",
        f"| submission p95 (both POSTs of one unit) | {percentile(result['submission_ms'], 0.95):.0f} ms |",
        f"| errors (HTTP ≥ 400, refused, unexpected answers) | {errors} "
        f"{dict(result['failures']) if result['failures'] else ''} |",
        f"| registered initiatives stored (counted in the database) | {stored} of {args.units} |",
        f"| lost / duplicated | {lost} / {duplicated} |",
        f"| targets (≥ {TARGET_RATE}/s, p95 < {TARGET_P95_MS} ms, 0 errors, 0 lost) | {'hold' if holds else 'MISSED'} |",
    ]
    print("\n".join(lines), flush=True)
    if not args.no_write:
        write_results(f"rush-{args.scale}-{database_name(url)}", "\n".join(lines))
    return {"rate": rate, "p95": p95, "errors": errors, "lost": lost, "duplicated": duplicated, "stored": stored}


if __name__ == "__main__":
    main()
