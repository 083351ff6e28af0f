"""Benchmark: import N budget lines from an Excel (or CSV) file, as ministry staff would.

Not a test. Against a database of its own (default PostgreSQL
``rdportfolio_import_bench``, created and seeded if missing), it adds the
projects the lines belong to, writes a file of N new budget lines with the
template's Korean headers, then times, through the same job code the admin
uses (in-process, as a Celery worker runs it):

* the check (dry run): read, validate every row, compare with the database;
* the import: check again, then write every line and its audit history in one
  transaction, and request one KPI recompute;
* the same file imported again (it must add nothing).

    .venv/bin/python benchmarks/import_budget_lines.py                  # 100,000 lines, xlsx
    .venv/bin/python benchmarks/import_budget_lines.py --format csv
    .venv/bin/python benchmarks/import_budget_lines.py --database-url sqlite:////tmp/bench.sqlite3
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASES = ("planned", "allocated", "executed")
YEARS = range(2023, 2031)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rdportfolio_import_bench"
    )
    args = parser.parse_args()

    if args.database_url.startswith("postgres"):
        import psycopg

        name = args.database_url.rsplit("/", 1)[1]
        admin_url = args.database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdportfolio.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from budgets.kpi.models import ShareRun
    from budgets.models import BudgetLine
    from rdportfolio.core.tabular import csv_bytes, spec_for, xlsx_bytes
    from rdportfolio.imports.models import ImportJob
    from rdportfolio.imports.services import import_job_create
    from technologies.models import Project, Technology

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the job runs here, as a worker would run it
    call_command("migrate", verbosity=0)
    if not Technology.objects.exists():
        with open(os.devnull, "w") as devnull:
            call_command("seed", "--demo", stdout=devnull)
    user, _ = get_user_model().objects.get_or_create(username="bench_editor")

    per_project = len(YEARS) * len(BASES)
    projects_needed = -(-args.lines // per_project)
    technology_ids = list(Technology.objects.values_list("pk", flat=True))
    existing = set(
        Project.objects.filter(project_number__startswith="BENCH-").values_list(
            "project_number", flat=True
        )
    )
    Project.objects.bulk_create(
        [
            Project(
                technology_id=technology_ids[i % len(technology_ids)],
                project_number=f"BENCH-{i:07d}",
                title_ko=f"벤치마크 과제 {i}",
                lead_organisation="(주)벤치마크",
                start_year=2023,
                end_year=2030,
                is_synthetic=True,
                source="benchmark",
            )
            for i in range(projects_needed)
            if f"BENCH-{i:07d}" not in existing
        ],
        batch_size=5000,
    )
    # Start from none of the benchmark's lines, so the import creates all of them.
    BudgetLine.history.filter(project__project_number__startswith="BENCH-").delete()
    BudgetLine.objects.filter(project__project_number__startswith="BENCH-").delete()

    spec = spec_for("budget_lines")
    headers = [c.header_ko for c in spec.columns]
    rows = []
    for i in range(projects_needed):
        for year in YEARS:
            for basis in BASES:
                if len(rows) < args.lines:
                    won = 10_000_000 + (i * 7919 + year * 31 + len(basis)) % 900_000_000
                    rows.append([f"BENCH-{i:07d}", year, basis, won, "Y" if i % 4 == 0 else "N"])
    started = time.perf_counter()
    content = (
        xlsx_bytes(headers[:5], rows) if args.format == "xlsx" else csv_bytes(headers[:5], rows)
    )
    print(
        f"{len(rows):,} lines, {args.format} file of {len(content) / 2**20:.1f} MB "
        f"written in {time.perf_counter() - started:.1f} s; database {connection.vendor}"
    )

    def run(dry_run, confirms=None):
        started = time.perf_counter()
        with transaction.atomic():
            job = import_job_create(
                kind="budget_lines",
                file_name=f"bench.{args.format}",
                content=content,
                requested_by=user,
                dry_run=dry_run,
                confirms=confirms,
            )
        job = ImportJob.objects.get(pk=job.pk)
        return job, time.perf_counter() - started

    runs_before = ShareRun.objects.count()
    check, check_s = run(True)
    print(
        f"check (dry run):   {check_s:6.1f} s  {check.status}: "
        f"{check.created_count:,} new, {check.error_count} errors"
    )
    imported, import_s = run(False, check)
    history = BudgetLine.history.filter(history_change_reason=f"Import #{imported.pk}").count()
    print(
        f"import:            {import_s:6.1f} s  {imported.status}: {imported.created_count:,} "
        f"added, {history:,} history rows, {len(rows) / import_s:,.0f} lines/s, "
        f"KPI runs requested: {ShareRun.objects.count() - runs_before}"
    )
    again, again_s = run(False)
    print(
        f"same file again:   {again_s:6.1f} s  {again.status}: {again.created_count} added, "
        f"{again.updated_count} changed, {again.unchanged_count:,} unchanged"
    )


if __name__ == "__main__":
    main()
