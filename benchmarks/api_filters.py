"""Benchmark: each documented filter and ordering of /api/v1/budget-lines/ at a million lines.

Not a test. On the database benchmarks/share_recompute.py loads, an analyst's request for
the first page (100 lines) and for the page after it (its ``next`` link: the cursor), for
every filter the API documents and each ordering, in-process through the whole API (token,
filters, cursor, JSON). Prints the median server time of each and the queries it made;
the goal is 20 ms or less for each. The floor beside them: the same first page read with a
bare ``values()`` query (the URL without filters).

    .venv/bin/python benchmarks/api_filters.py
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_MS = 20


def main() -> None:
    from benchmarks import django_on_bench_database, serve_in_process

    django_on_bench_database(API_THROTTLE_USER="100000000/minute")
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from budgets.models import BudgetLine
    from technologies.models import Project, Technology

    serve_in_process()
    lines = BudgetLine.objects.order_by().count()
    if lines < 100_000:
        sys.exit("The benchmark database is nearly empty: run benchmarks/share_recompute.py first.")
    user, _created = User.objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get(name="Analyst"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    technology = Technology.objects.get(code="LF-001")
    project = Project.objects.filter(technology=technology).order_by("pk").first()
    collaboration = project.collaborations.order_by("pk").first()
    cases = [
        ("no filter", {}),
        ("fiscal_year", {"fiscal_year": 2025}),
        ("fiscal_year_min + max", {"fiscal_year_min": 2024, "fiscal_year_max": 2026}),
        ("basis", {"basis": "executed"}),
        ("fiscal_year + basis", {"fiscal_year": 2025, "basis": "planned"}),
        ("is_international", {"is_international": "true"}),
        ("track", {"track": "game_changer"}),
        ("program", {"program": technology.program_id}),
        ("technology", {"technology": technology.pk}),
        ("field", {"field": technology.field.code}),
        ("country", {"country": "DE"}),
        ("country=unassigned", {"country": "unassigned"}),
        ("project", {"project": project.pk}),
        ("collaboration", {"collaboration": collaboration.pk if collaboration else 0}),
        ("search (project number)", {"search": project.project_number}),
        ("ordering=-id", {"ordering": "-id"}),
        ("ordering=fiscal_year", {"ordering": "fiscal_year"}),
        ("ordering=-fiscal_year", {"ordering": "-fiscal_year"}),
        ("ordering=amount_won", {"ordering": "amount_won"}),
        ("ordering=-amount_won", {"ordering": "-amount_won"}),
        ("track + ordering=-amount_won", {"track": "leapfrogging", "ordering": "-amount_won"}),
    ]
    print(f"{lines:,} budget lines; median of 9 requests each, after one to warm up")
    print(f"{'request':<32} {'first page ms':>14} {'next page ms':>13} {'rows':>5} {'queries':>8}")
    worst = 0.0

    def timed(url, params):
        times, response = [], None
        for attempt in range(10):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, params, HTTP_HOST="127.0.0.1")
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(
                    f"{url} {params} answered {response.status_code}: {response.content[:300]}"
                )
            if attempt:
                times.append(elapsed)
        return statistics.median(times), response.json(), len(queries.captured_queries)

    for name, params in cases:
        first, body, queries = timed("/api/v1/budget-lines/", params)
        following = float("nan")
        if body.get("next"):
            following, _body, _queries = timed(body["next"], {})
        worst = max(worst, first, following if following == following else 0)
        print(
            f"{name:<32} {first:>14.1f} {following:>13.1f} {len(body['results']):>5} {queries:>8}"
        )
    floor = []
    for _ in range(9):
        started = time.perf_counter()
        list(
            BudgetLine.objects.order_by("id").values(
                "id", "project__project_number", "collaboration__institution__country"
            )[:100]
        )
        floor.append((time.perf_counter() - started) * 1000)
    print(f"floor: the first 100 lines by values(), no API: {statistics.median(floor):.1f} ms")
    print(f"slowest request: {worst:.1f} ms (goal: <= {GOAL_MS} ms each)")


if __name__ == "__main__":
    main()
