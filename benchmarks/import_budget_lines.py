"""Benchmark: import N rows from an Excel (or CSV) file, as ministry staff would, beside the
floor: PostgreSQL's own ``COPY`` of the same rows into the same table, in the same run.

Not a test. Against a database of its own (default PostgreSQL
``rdportfolio_import_bench``, created and seeded if missing), it writes a file of N new
rows of one kind with the template's Korean headers, then times, through the same job
code the admin uses (in-process, as a Celery worker runs it):

* the check (dry run): read, validate every row, compare with the database;
* the import: check again, then write every row and its audit history in one
  transaction (the job's own time; the KPI recompute it requests runs after it, on
  another worker in production, and is shown apart);
* the same file imported again (it must add nothing);
* the floor: the written rows deleted and put back by one ``COPY``.

    .venv/bin/python benchmarks/import_budget_lines.py                  # 100,000 lines, xlsx
    .venv/bin/python benchmarks/import_budget_lines.py --format csv
    .venv/bin/python benchmarks/import_budget_lines.py --kind projects --rows 5000
    .venv/bin/python benchmarks/import_budget_lines.py --database-url sqlite:////tmp/bench.sqlite3
"""

import argparse
import io
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
    parser.add_argument(
        "--kind",
        choices=["budget_lines", "projects", "technologies", "institutions"],
        default="budget_lines",
    )
    parser.add_argument("--rows", "--lines", type=int, default=None)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rdportfolio_import_bench"
    )
    args = parser.parse_args()
    args.rows = args.rows or (100_000 if args.kind == "budget_lines" else 5_000)

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
    from rdportfolio.core.tabular import csv_bytes, spec_for, xlsx_bytes
    from rdportfolio.imports.models import ImportJob
    from rdportfolio.imports.services import import_job_create
    from technologies.models import Technology

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the job runs here, as a worker would run it
    from budgets.kpi import services as kpi_services
    from budgets.kpi.tasks import recompute_share

    # The recompute an import requests runs on another worker in production: kept out of
    # the import's time here, and timed on its own after it.
    requested = []
    kpi_services.share_run_enqueue = lambda *, run_id: requested.append(run_id) or True
    call_command("migrate", verbosity=0)
    if not Technology.objects.exists():
        with open(os.devnull, "w") as devnull:
            call_command("seed", "--demo", stdout=devnull)
    user, _ = get_user_model().objects.get_or_create(username="bench_editor")

    spec = spec_for(args.kind)
    model = spec.model
    ours = KINDS[args.kind](args.rows)
    stored = model.objects.filter(**ours["filter"])
    _remove(model, stored)  # start from none of the benchmark's rows: the import creates them
    if connection.vendor == "postgresql":
        # What autovacuum does between imports in production: without it, each run's import
        # writes into indexes holding the last run's 100,000 dead entries, and grows slower.
        with connection.cursor() as cursor:
            for table in (model._meta.db_table, model.history.model._meta.db_table):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
    headers = [c.header_ko for c in spec.columns][: len(ours["rows"][0])]
    rows = ours["rows"]
    started = time.perf_counter()
    content = xlsx_bytes(headers, rows) if args.format == "xlsx" else csv_bytes(headers, rows)
    print(
        f"{len(rows):,} {args.kind}, {args.format} file of {len(content) / 2**20:.1f} MB "
        f"written in {time.perf_counter() - started:.1f} s; database {connection.vendor}"
    )

    def run(dry_run, confirms=None):
        with transaction.atomic():
            job = import_job_create(
                kind=args.kind,
                file_name=f"bench.{args.format}",
                content=content,
                requested_by=user,
                dry_run=dry_run,
                confirms=confirms,
            )
        job = ImportJob.objects.get(pk=job.pk)
        return job, (job.finished_at - job.started_at).total_seconds()

    check, check_s = run(True)
    print(
        f"check (dry run):   {check_s:6.2f} s  {check.status}: "
        f"{check.created_count:,} new, {check.error_count} errors, "
        f"{len(rows) / check_s:,.0f} rows/s"
    )
    imported, import_s = run(False, check)
    history = model.history.filter(history_change_reason=f"Import #{imported.pk}").count()
    print(
        f"import:            {import_s:6.2f} s  {imported.status}: {imported.created_count:,} "
        f"added, {history:,} history rows, {len(rows) / import_s:,.0f} rows/s "
        "(checked again, written, history; the job's own time)"
    )
    for run_id in requested:
        started = time.perf_counter()
        recompute_share.apply(args=[run_id])
        status = ShareRun.objects.get(pk=run_id).status
        print(
            f"  then the KPI recompute it requested: {time.perf_counter() - started:.2f} s, "
            f"{status} (another worker's job)"
        )
    requested.clear()
    again, again_s = run(False)
    print(
        f"same file again:   {again_s:6.2f} s  {again.status}: {again.created_count} added, "
        f"{again.updated_count} changed, {again.unchanged_count:,} unchanged"
    )
    if connection.vendor == "postgresql":
        rows_s, floor_s = _copy_floor(model, stored, f"Import #{imported.pk}")
        print(
            f"floor: COPY of the same {len(rows):,} rows into the table: {rows_s:.2f} s "
            f"({len(rows) / rows_s:,.0f} rows/s); and of their history rows too: {floor_s:.2f} s "
            f"({len(rows) / floor_s:,.0f} rows/s); import / floor = {import_s / floor_s:.1f}"
        )


def _remove(model, queryset):
    from rdportfolio.core.history import bulk_delete_with_history

    ids = list(queryset.values_list("pk", flat=True))
    model.history.filter(**{f"{model._meta.pk.attname}__in": ids})._raw_delete("default")
    if model._meta.related_objects:
        queryset.delete()
    else:
        bulk_delete_with_history(model.objects.filter(pk__in=ids))
    model.history.filter(**{f"{model._meta.pk.attname}__in": ids})._raw_delete("default")


def _copy_floor(model, queryset, reason: str) -> tuple[float, float]:
    """The imported rows and their history rows read out, deleted, vacuumed away, and put
    back by COPY, each timed with its commit (foreign keys are checked at commit): what PostgreSQL itself
    needs to store them. Returns (rows, rows and history)."""
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    history_table = quote(model.history.model._meta.db_table)
    ids = list(queryset.values_list("pk", flat=True))
    rows, history = io.BytesIO(), io.BytesIO()
    with connection.cursor() as cursor:
        for buffer, sql, params in [
            (rows, f"SELECT * FROM {table} WHERE id = ANY(%s)", [ids]),  # noqa: S608
            (
                history,
                f"SELECT * FROM {history_table} WHERE history_change_reason = %s",  # noqa: S608
                [reason],
            ),
        ]:
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                for chunk in copy:
                    buffer.write(chunk)
        related = [r.related_model for r in model._meta.related_objects]
        with transaction.atomic():
            for other in related:  # rows the import's after-write hooks added (status changes)
                link = _fk_to(other, model)
                if link:
                    other._base_manager.filter(**{f"{link}__in": ids})._raw_delete("default")
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])  # noqa: S608
            cursor.execute(
                f"DELETE FROM {history_table} WHERE history_change_reason = %s",  # noqa: S608
                [reason],
            )
        # As before the import: vacuumed, so that the COPY, like the import, does not meet the
        # deleted rows' dead index entries (with them, the unique indexes' checks visit each
        # dead row: 0.65 s more per 100,000 lines, a floor that flattered the import).
        for name in (table, history_table):
            cursor.execute(f"VACUUM ANALYZE {name}")
    timings = []
    for buffers in ([(table, rows)], [(history_table, history)]):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for name, buffer in buffers:
                with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
        timings.append(time.perf_counter() - started)
    return timings[0], timings[0] + timings[1]


def _fk_to(other, model) -> str | None:
    return next((f.name for f in other._meta.concrete_fields if f.related_model is model), None)


def _budget_lines(count):
    from technologies.models import Project, Technology

    per_project = len(YEARS) * len(BASES)
    projects_needed = -(-count // per_project)
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
    rows = []
    for i in range(projects_needed):
        for year in YEARS:
            for basis in BASES:
                if len(rows) < count:
                    won = 10_000_000 + (i * 7919 + year * 31 + len(basis)) % 900_000_000
                    rows.append([f"BENCH-{i:07d}", year, basis, won, "Y" if i % 4 == 0 else "N"])
    return {"rows": rows, "filter": {"project__project_number__startswith": "BENCH-"}}


def _projects(count):
    from technologies.models import Technology

    codes = list(
        Technology.objects.exclude(code__startswith="BX-")
        .order_by("code")
        .values_list("code", flat=True)
    )
    rows = [
        [
            f"BENCH-P{i:07d}",
            codes[i % len(codes)],
            f"벤치마크 과제 {i}",
            f"Benchmark project {i}",
            "(주)벤치마크",
            "응용연구",
            2025,
            2029,
            "계획",
        ]
        for i in range(count)
    ]
    return {"rows": rows, "filter": {"project_number__startswith": "BENCH-P"}}


def _technologies(count):
    from technologies.models import Field

    fields = list(Field.objects.values_list("code", flat=True))
    rows = [
        [f"BX-{i:05d}", "초격차", fields[i % len(fields)], f"기술 {i}", f"Technology {i}", "후보"]
        for i in range(count)
    ]
    return {"rows": rows, "filter": {"code__startswith": "BX-"}}


def _institutions(count):
    rows = [
        [f"Bench Institute {i}", ("US", "DE", "JP", "GB")[i % 4], "연구기관", f"벤치 연구소 {i}"]
        for i in range(count)
    ]
    return {"rows": rows, "filter": {"name__startswith": "Bench Institute "}}


KINDS = {
    "budget_lines": _budget_lines,
    "projects": _projects,
    "technologies": _technologies,
    "institutions": _institutions,
}


if __name__ == "__main__":
    main()
