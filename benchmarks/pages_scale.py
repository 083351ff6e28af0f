"""Benchmark: every dashboard page at a million budget lines beside the same page on the demo.

Not a test. Runs benchmarks/pages.py against two PostgreSQL databases in turn (the demo
seed, and the one benchmarks/share_recompute.py loads with a million lines), twice each,
alternating so drift on a busy machine hits both, and prints per page: the median server
time on the demo (the floor), at a million lines, the ratio, and the queries.

    .venv/bin/python benchmarks/pages_scale.py
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "postgres://postgres@127.0.0.1:5432/"


def run(database: str, requests: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from benchmarks.share_recompute import ensure_database

    ensure_database(BASE + database)
    env = {
        **os.environ,
        "DATABASE_URL": BASE + database,
        "SECRET_KEY": "benchmark-only",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": "",
        "PYTHONWARNINGS": "ignore",
    }
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "benchmarks/pages.py", "--json", "--requests", str(requests)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", default="rdportfolio_demo")
    parser.add_argument("--scale", default="rdportfolio_bench")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    demo, scale = [], []
    for _ in range(2):
        demo.append(run(args.demo, args.requests))
        scale.append(run(args.scale, args.requests))
    print(f"{'page':<30} {'demo ms':>8} {'1M ms':>8} {'ratio':>6} {'queries':>8}")
    for name in demo[0]:
        floor = min(r[name][0] for r in demo)
        at_scale = min(r[name][0] for r in scale)
        queries = max(r[name][2] for r in scale)
        print(f"{name:<30} {floor:>8.1f} {at_scale:>8.1f} {at_scale / floor:>6.2f} {queries:>8}")
    print("(median server time of each page, the better of two alternating runs)")


if __name__ == "__main__":
    main()
