"""Benchmark: server time and queries of each dashboard page at the demo scale.

Not a test. It uses whatever database the environment configures (the
embedded SQLite by default, or DATABASE_URL), seeds the demo portfolio if it
is missing, logs a CTO viewer in through Django's test client and requests
every page N times (after one warm-up), then prints the median and the 90th
percentile of the server time (view, templates, SQL; no network, no browser)
and the number of SQL queries per request.

    .venv/bin/python benchmarks/pages.py                 # SQLite in var/, 30 requests per page
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rdportfolio_dev SECRET_KEY=x \\
        .venv/bin/python benchmarks/pages.py --requests 50
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("overview", "/"),
    ("technologies", "/technologies/"),
    ("technologies, filtered", "/technologies/?field=semiconductors&country=US"),
    ("technologies, horizon rings", "/technologies/?rings=horizon&year=2025"),
    ("technologies, text search", "/technologies/?q=battery"),
    ("technologies CSV", "/technologies/export.csv"),
    ("technology LF-001", "/technologies/LF-001/"),
    ("partners", "/partners/"),
]


def main():
    from benchmarks import serve_in_process

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--unit", default="eok", choices=["eok", "jo", "usd"])
    parser.add_argument("--json", action="store_true", help="one JSON object, for pages_scale.py")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdportfolio.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rdportfolio.core import roles
    from technologies.models import Technology

    serve_in_process()
    call_command("migrate", verbosity=0)
    if not Technology.objects.exists():
        with open(os.devnull, "w") as devnull:
            call_command("seed", "--demo", stdout=devnull)
    user, _created = get_user_model().objects.get_or_create(username="bench_cto")
    user.groups.add(Group.objects.get(name=roles.CTO_VIEWER))
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    client.post("/units/", {"unit": args.unit, "next": "/"})

    engine = connection.vendor
    if not args.json:
        print(
            f"{Technology.objects.count()} technologies, database {engine}, unit {args.unit}, "
            f"{args.requests} requests per page"
        )
        print(f"{'page':<30} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    results = {}
    for name, url in PAGES:
        timings = []
        for attempt in range(args.requests + 1):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
            if attempt:  # the first request warms caches (templates, permissions)
                timings.append(elapsed * 1000)
        p90 = statistics.quantiles(timings, n=10)[-1]
        results[name] = [statistics.median(timings), p90, len(queries.captured_queries)]
        if not args.json:
            print(
                f"{name:<30} {statistics.median(timings):>10.1f} {p90:>8.1f} "
                f"{len(queries.captured_queries):>8}"
            )
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
