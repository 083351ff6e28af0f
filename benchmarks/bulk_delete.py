"""Benchmark: deleting 10,000 budget lines with their history, against a bare SQL DELETE.

Not a test. On the database benchmarks/share_recompute.py loads, inside transactions that
are rolled back (nothing is lost): bulk_delete_with_history (what the admin's "delete
selected" runs), the admin action's own work (its log entries too), the admin's pages as
staff use them (a filtered list, "select all", the confirmation page, "Yes, I'm sure"),
a SQL DELETE of the same ids (the floor, which writes no history) and the ORM's per-row
delete as before.

    .venv/bin/python benchmarks/bulk_delete.py
"""

import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class Rollback(Exception):
    pass


def main() -> None:
    from benchmarks import django_on_bench_database, serve_in_process

    django_on_bench_database()
    serve_in_process()
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client, RequestFactory

    from budgets.models import BudgetLine
    from rdportfolio.core.history import bulk_delete_with_history

    ids = list(
        BudgetLine.objects.filter(source="benchmark")
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    user, _created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    model_admin = admin.site._registry[BudgetLine]

    def lines():
        return BudgetLine.objects.filter(pk__in=ids)

    def admin_action():
        request = RequestFactory().post("/admin/budgets/budgetline/")
        request.user = user
        model_admin.log_deletions(request, lines())
        model_admin.delete_queryset(request, lines())

    # What staff do: filter the list, "select all", "Delete selected", then "Yes, I'm sure"
    # on the confirmation page: both requests through the admin, as a browser sends them.
    flow_filter = {"fiscal_year": 2025, "project__technology__program__track": "legacy"}
    flow_url = (
        "/admin/budgets/budgetline/?fiscal_year=2025&project__technology__program__track=legacy"
    )
    flow_count = BudgetLine.objects.filter(**flow_filter).count()
    flow = {}

    def admin_pages():
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        page = client.post(
            flow_url,
            {
                "action": "delete_selected",
                "select_across": "1",
                "index": "0",
                "_selected_action": [ids[0]],
            },
        )
        flow.setdefault("page", []).append(time.perf_counter() - started)
        html = page.content.decode()
        start = html.index('<form method="post">')
        fields = {}
        for name, value in HIDDEN.findall(html[start : html.index("</form>", start)]):
            fields.setdefault(name, []).append(value)
        started = time.perf_counter()
        done = client.post(flow_url, fields)
        flow.setdefault("delete", []).append(time.perf_counter() - started)
        if done.status_code != 302 or BudgetLine.objects.filter(**flow_filter).exists():
            raise SystemExit(f"the admin did not delete the lines ({done.status_code})")

    def sql():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM budgets_budgetline WHERE id = ANY(%s)", [ids])

    def timed(work) -> float:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                work()
                raise Rollback
        except Rollback:
            pass
        return time.perf_counter() - started

    cases = [
        ("bulk_delete_with_history", lambda: bulk_delete_with_history(lines(), user=user), 3),
        ("admin 'delete selected' (its log too)", admin_action, 3),
        (f"admin pages, select all ({flow_count:,} lines)", admin_pages, 3),
        ("floor: SQL DELETE, no history", sql, 3),
        ("before: ORM delete, a history row each", lambda: lines().delete(), 1),
    ]
    results = {name: statistics.median(timed(work) for _ in range(n)) for name, work, n in cases}
    floor = results["floor: SQL DELETE, no history"]
    print(f"{len(ids):,} budget lines, rolled back after each run")
    for name, seconds in results.items():
        print(f"{name:<42} {seconds:7.3f} s  {seconds / floor:7.1f}x the floor")
    page, delete = statistics.median(flow["page"]), statistics.median(flow["delete"])
    print(
        f"  of which the confirmation page {page:.3f} s; the deletion {delete:.3f} s, "
        f"{delete * 10_000 / flow_count:.3f} s per 10,000 lines (goal: <= 1 s)"
    )


if __name__ == "__main__":
    main()
