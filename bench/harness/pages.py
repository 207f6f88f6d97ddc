"""The pages a province uses most, served by gunicorn (2 workers, 127.0.0.1), at one or more scales.

For each scale: generates the campaign (bench/harness/generate.py; kept when the database already holds
it), counts the SQL statements of one request of each page in-process (an SQLAlchemy event listener, as
tests/conftest.py does), then starts gunicorn and measures, with `--concurrency` clients (default: one per
worker), the median, p95 and throughput of each page and of the 20 KB floor page, and prints every figure
also as a ratio to the floor's. Then, in a fresh process as a worker would be, the report to UBND Thành
phố (time and peak RSS). Writes its tables into bench/RESULTS.md.

    .venv/bin/python -m bench.harness.pages --scale M --database-url postgresql+psycopg://USER@HOST:PORT/DB
    .venv/bin/python -m bench.harness.pages --scale S M L --database-url ...      # compares L with M
    .venv/bin/python -m bench.harness.pages --scale S                              # SQLite in /tmp/thidua-bench
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa

from bench.harness.common import (CSRF_RE, ROOT, WORKDIR, Client, Load, Server, bench_app, conditions, database_name,
                                  default_url, run_load, write_results)
from bench.harness.generate import HEAD_PASSWORD, Manifest, prepare

SECRETARIAT = ("vanphong", "bench-password")  # bench/board.py
GALLERY_QUERY = "/thu-vien?q=" + quote("một cửa")
TARGET_P95_MS = 150
TARGET_THROUGHPUT_RATIO = 1 / 3
POSTING_HEADS = 8  # the last unit heads post the registration form; the rush uses the first ones


def registration_form(token: str, n: int) -> dict:
    """A complete registration, as the form at /don-vi/phong-trao/<id>/dang-ky-moi sends it."""
    return {
        "csrf_token": token, "version": "", "kind": "giai_phap", "area": "chinh_quyen_so", "solution_type": "",
        "title": f"Số hóa hồ sơ tuyển sinh đầu cấp, đợt {n}", "novelty": "moi", "improves_on": "",
        "need": "Hồ sơ tuyển sinh còn nộp bản giấy, phụ huynh phải đến trường nhiều lần.",
        "objectives": "100% hồ sơ tuyển sinh đầu cấp tiếp nhận trực tuyến.",
        "content": "1. Xây dựng biểu mẫu trực tuyến; 2. Kết nối cơ sở dữ liệu dân cư; 3. Tập huấn giáo viên.",
        "scope": "Học sinh lớp 1 và lớp 6 của đơn vị.", "start_date": "2024-11-01", "end_date": "2025-05-31",
        "first_applied_date": "", "budget": "Nguồn chi thường xuyên",
        "expected_results": "Thời gian tiếp nhận hồ sơ giảm từ 5 ngày xuống 1 ngày.", "author_type": "tap_the",
        "collective_name": "Tổ Văn phòng", "people_in_charge": "Nguyễn Thị Lan, Phó Hiệu trưởng",
        "contact_name": "Nguyễn Thị Lan", "contact_position": "Phó Hiệu trưởng", "contact_phone": "0243 826 1234",
    }


@dataclass
class Page:
    name: str
    path: str
    who: str  # "secretariat", "head", "poster", "anonymous"
    post: bool = False


def pages(manifest: Manifest) -> list[Page]:
    c, r = manifest.campaign_id, manifest.rush_campaign_id
    return [
        Page("unit dashboard", "/don-vi", "head"),
        Page("registration form POST", f"/don-vi/phong-trao/{r}/dang-ky-moi", "poster", post=True),
        Page("compliance board", f"/phong-trao/{c}/tien-do?phase=report", "secretariat"),
        Page("review ranking", f"/phong-trao/{c}/hoi-dong/xep-hang", "secretariat"),
        Page("gallery search", GALLERY_QUERY, "anonymous"),
        Page("award-list export", f"/phong-trao/{c}/khen-thuong.xlsx", "secretariat"),
    ]


def _account(page: Page, manifest: Manifest, n: int) -> tuple[str, str] | None:
    if page.who == "secretariat":
        return SECRETARIAT
    if page.who == "head":
        return manifest.heads[n % max(1, len(manifest.heads) // 2)], HEAD_PASSWORD
    if page.who == "poster":
        return manifest.heads[-1 - n % POSTING_HEADS], HEAD_PASSWORD
    return None


def count_statements(app, manifest: Manifest) -> dict[str, int]:
    """The SQL statements of one request of each page, in-process (after a warm-up request)."""
    from thidua.extensions import db

    counts = {}
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    for page in pages(manifest):
        client = app.test_client()
        account = _account(page, manifest, 0)
        if account:
            token = CSRF_RE.search(client.get("/dang-nhap").get_data(as_text=True)).group(1)
            assert client.post("/dang-nhap", data={"username": account[0], "password": account[1],
                                                   "csrf_token": token}).status_code == 302
        if page.post:
            token = CSRF_RE.search(client.get(page.path).get_data(as_text=True)).group(1)
            call = lambda: client.post(page.path, data=registration_form(token, 0))  # noqa: E731
        else:
            call = lambda: client.get(page.path)  # noqa: E731
        assert call().status_code < 400, page.path
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            statements.clear()
            response = call()
            response.get_data()
            counts[page.name] = len(statements)
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)
    return counts


def measure(port: int, manifest: Manifest, *, requests: int, concurrency: int, export_requests: int) -> dict:
    """Floor and pages over HTTP; returns {name: Load}."""
    results: dict[str, Load] = {}
    floor_clients = [Client(port) for _ in range(concurrency)]
    run_load(concurrency * 5, concurrency, lambda i: floor_clients[i % concurrency].get("/__bench/floor"))
    results["floor (20 KB page)"] = run_load(requests * 2, concurrency,
                                             lambda i: floor_clients[i % concurrency].get("/__bench/floor"))
    for page in pages(manifest):
        clients = []
        for n in range(concurrency):
            client = Client(port)
            account = _account(page, manifest, n)
            if account:
                client.login(*account)
            if page.post:
                client.token = client.get(page.path).csrf()
            clients.append(client)
        if page.post:
            def one(i, page=page, clients=clients):
                client = clients[i % concurrency]
                return client.post(page.path, registration_form(client.token, i))
        else:
            def one(i, page=page, clients=clients):
                return clients[i % concurrency].get(page.path)
        count = export_requests if page.path.endswith(".xlsx") else requests
        run_load(concurrency, concurrency, one)  # warm-up: one request per client
        results[page.name] = run_load(count, concurrency, one)
    return results


def report_job(url: str, manifest: Manifest, runs: int) -> list[dict]:
    """bench/report.py's worker: a fresh process runs the report job and prints time and peak RSS."""
    figures = []
    for _ in range(runs):
        output = subprocess.run([sys.executable, str(ROOT / "bench" / "report.py"), "--child", url,
                                 str(WORKDIR / "files"), str(manifest.campaign_id)],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout
        figures.append(json.loads(output.strip().splitlines()[-1]))
        if figures[-1]["status"] != "done":
            raise SystemExit(f"the report job failed: {figures[-1]['error']}")
    return figures


def table(scale: str, manifest: Manifest, loads: dict[str, Load], counts: dict[str, int]) -> list[str]:
    floor = loads["floor (20 KB page)"]
    lines = [f"| page | statements | median ms | p95 ms | req/s | median ÷ floor | p95 ÷ floor | req/s ÷ floor "
             f"| errors | size KiB | p95 < {TARGET_P95_MS} ms | ≥ ⅓ floor req/s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|:-:|"]
    for name, load in loads.items():
        is_floor = name.startswith("floor")
        ratio = load.throughput / floor.throughput if floor.throughput else 0
        lines.append(
            f"| {name} | {'' if is_floor else counts.get(name, '')} | {load.median:.1f} | {load.p95:.1f} | "
            f"{load.throughput:.1f} | {load.median / floor.median:.1f} | {load.p95 / floor.p95:.1f} | {ratio:.2f} | "
            f"{load.errors} | {load.size / 1024:.0f} | "
            f"{'' if is_floor else ('yes' if load.p95 < TARGET_P95_MS else 'NO')} | "
            f"{'' if is_floor else ('yes' if ratio >= TARGET_THROUGHPUT_RATIO else 'NO')} |")
    return lines


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", nargs="+", default=["S"], choices=["XS", "S", "M", "L"])
    parser.add_argument("--database-url", help="default: SQLite files in /tmp/thidua-bench, one per scale")
    parser.add_argument("--requests", type=int, default=60, help="requests per page (after a warm-up)")
    parser.add_argument("--export-requests", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=2, help="concurrent clients (default: one per worker)")
    parser.add_argument("--report-runs", type=int, default=1, help="report jobs to run (0: none)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--fresh", action="store_true", help="regenerate even when the database holds the scale")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args(argv)

    summary = {}
    for scale in args.scale:
        url = args.database_url or default_url(scale)
        app = bench_app(url)
        with app.app_context():
            manifest, seconds = prepare(scale, args.seed, fresh=args.fresh)
            from thidua.extensions import db
            db.session.remove()
        made = f"generated in {seconds:.1f} s" if seconds is not None else "kept from an earlier run"
        print(f"== scale {scale} on {database_name(url)}: {manifest.units:,} units, {manifest.initiatives:,} "
              f"initiatives, {manifest.scores:,} criterion scores ({made})", flush=True)
        counts = count_statements(app, manifest)
        with app.app_context():
            db.engine.dispose()
        situation = conditions(url, f", {args.concurrency} concurrent clients")
        with Server(url) as server:
            loads = measure(server.port, manifest, requests=args.requests, concurrency=args.concurrency,
                            export_requests=args.export_requests)
        lines = table(scale, manifest, loads, counts)
        print("\n".join(lines), flush=True)
        reports = report_job(url, manifest, args.report_runs) if args.report_runs else []
        report_lines = [f"- report to UBND Thành phố, run {n}: {r['seconds']:.2f} s, worker peak RSS "
                        f"{r['rss_peak_kib'] / 1024:.0f} MiB (before the job {r['rss_before_kib'] / 1024:.0f} MiB); "
                        f"Word {r['docx'] / 1024:.0f} KiB, XLSX {r['xlsx'] / 1024:.0f} KiB; targets < 10 s, "
                        f"< 300 MiB: {'yes' if r['seconds'] < 10 and r['rss_peak_kib'] < 300 * 1024 else 'NO'}"
                        for n, r in enumerate(reports, start=1)]
        print("\n".join(report_lines), flush=True)
        summary[scale] = {"loads": loads, "counts": counts, "reports": reports, "manifest": manifest}
        text = [f"## Pages, scale {scale}, {database_name(url)}", "",
                f"{manifest.units:,} units, {manifest.initiatives:,} initiatives, {manifest.scores:,} criterion "
                f"scores. {situation}; {args.requests} requests per page ({args.export_requests} for the export) "
                f"after one warm-up request per client. Statements: one request in-process. Unit heads sign in "
                f"with a PBKDF2 (1,000 rounds) hash.", "", *lines, "", *report_lines]
        if not args.no_write:
            write_results(f"pages-{scale}-{database_name(url)}", "\n".join(text))
    if len(summary) > 1:
        compare = _compare(summary)
        print("\n".join(compare))
        if not args.no_write:
            write_results(f"scales-{database_name(args.database_url or 'sqlite')}",
                          "\n".join([f"## Scales compared, {database_name(args.database_url or 'sqlite')} "
                                     f"(same run)", "", *compare]))
    return summary


def _compare(summary: dict) -> list[str]:
    scales = list(summary)
    lines = ["| page | " + " | ".join(f"statements {s}" for s in scales) + " | "
             + " | ".join(f"median ÷ floor {s}" for s in scales) + " | last ÷ first (≤ 2) |",
             "|---|" + "---:|" * (2 * len(scales) + 1)]
    for name in summary[scales[0]]["counts"]:
        ratios = []
        for s in scales:
            loads = summary[s]["loads"]
            ratios.append(loads[name].median / loads["floor (20 KB page)"].median)
        growth = ratios[-1] / ratios[0] if ratios[0] else 0
        lines.append(f"| {name} | " + " | ".join(str(summary[s]["counts"][name]) for s in scales) + " | "
                     + " | ".join(f"{r:.1f}" for r in ratios) + f" | {growth:.1f} {'yes' if growth <= 2 else 'NO'} |")
    return lines


if __name__ == "__main__":
    main()
