"""How long an RQ worker takes to start a job: RQ's plain worker against thidua's, which builds the
app once before forking (thidua.jobs.worker.Worker).

    .venv/bin/python bench/job_start.py --redis-url redis://127.0.0.1:6379/9 [--jobs 20]

Each run queues N jobs that find nothing to do (their row does not exist: execute returns at once)
and times `rq worker --burst` working them off, with N = 1 and N = 1 + jobs; the difference divided
by `jobs` is what each job costs before its handler would run (fork, app, database connection).
The database is a temporary SQLite file migrated to head. The Redis database given is emptied.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _burst(redis_url: str, env: dict, jobs: int, worker_class: str | None) -> float:
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(redis_url)
    connection.flushdb()
    queue = Queue("thidua", connection=connection)
    for n in range(jobs):
        queue.enqueue("thidua.jobs.runner.run_job", 10**9 + n)
    rq = Path(sys.executable).with_name("rq")
    command = [str(rq), "worker", "--burst", "-u", redis_url, "thidua"]
    if worker_class:
        command[2:2] = ["-w", worker_class]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--jobs", type=int, default=20)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="thidua-bench-jobs-")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite", "SECRET_KEY": "bench",
           "THIDUA_UPLOAD_FOLDER": f"{workdir}/files"}
    subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "thidua", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    print(f"{'worker':<34} {'start (1 job)':>14} {'per further job':>16}")
    for label, worker_class in (("rq.Worker (app built in each job)", None),
                                ("thidua.jobs.worker.Worker", "thidua.jobs.worker.Worker")):
        one = min(_burst(args.redis_url, env, 1, worker_class) for _ in range(3))
        many = min(_burst(args.redis_url, env, 1 + args.jobs, worker_class) for _ in range(3))
        print(f"{label:<34} {one * 1000:>11.0f} ms {(many - one) / args.jobs * 1000:>13.0f} ms")


if __name__ == "__main__":
    main()
