"""Benchmark: recompute the international-collaboration share over N budget lines on PostgreSQL.

Not a test. It loads N synthetic budget lines (default 1,000,000) with COPY
into a database of its own (default ``rdportfolio_bench``, created if
missing), on top of the seeded facts and demo portfolio, then prints:

* the full recompute (aggregation, snapshot rows, run bookkeeping; forced so
  that it always writes), median of 5;
* the share's aggregation as one hand-written SQL statement (the floor), median of 5,
  and the same with the pages' rollups, and the partners per technology and country
  (the floor of what the recompute now reads);
* that statement storing its rows in a table of its own, replacing the last run's, and
  committed: the floor of what the recompute does (it reads, and it writes and commits the
  figures and rollups, replacing the previous run's);
* a recompute of unchanged data, which must skip;
* their ratio.

Run it from the project root:

    .venv/bin/python benchmarks/share_recompute.py                 # 1,000,000 lines
    .venv/bin/python benchmarks/share_recompute.py --lines 100000  # quicker
    .venv/bin/python benchmarks/share_recompute.py --database-url postgres://postgres@127.0.0.1:5432/other_bench
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_SOURCE = "benchmark"
YEARS = range(2023, 2031)
BASES = ("planned", "allocated", "executed")
COLLABORATIONS_PER_PROJECT = 2

FLOOR_SQL = """
SELECT bl.fiscal_year, bl.basis, t.program_id, t.field_id, i.country,
       COALESCE(SUM(bl.amount_won) FILTER (WHERE bl.is_international), 0),
       COUNT(*) FILTER (WHERE bl.is_international),
       COUNT(*)
FROM budgets_budgetline bl
JOIN technologies_project p ON p.id = bl.project_id
JOIN technologies_technology t ON t.id = p.technology_id
LEFT JOIN partners_collaboration c ON c.id = bl.collaboration_id
LEFT JOIN partners_institution i ON i.id = c.institution_id
GROUP BY 1, 2, 3, 4, 5
"""


# What the recompute reads since the pages' rollups come from the same scan: the share's
# groups and the sums per technology and per partner institution, by hand.
FLOOR_WITH_ROLLUPS_SQL = """
SELECT bl.fiscal_year, bl.basis, t.program_id, t.field_id, i.country, p.technology_id,
       c.institution_id,
       GROUPING(t.program_id, t.field_id, i.country, p.technology_id, c.institution_id) AS part,
       COALESCE(SUM(bl.amount_won) FILTER (WHERE bl.is_international), 0) AS international_won,
       COUNT(*) FILTER (WHERE bl.is_international) AS international_lines,
       COUNT(*) AS lines,
       SUM(bl.amount_won) AS total_won
FROM budgets_budgetline bl
JOIN technologies_project p ON p.id = bl.project_id
JOIN technologies_technology t ON t.id = p.technology_id
LEFT JOIN partners_collaboration c ON c.id = bl.collaboration_id
LEFT JOIN partners_institution i ON i.id = c.institution_id
GROUP BY GROUPING SETS ((1, 2, 3, 4, 5), (1, 2, 6), (1, 2, 7))
"""

# And the partner institutions per technology and country, from the collaborations.
FLOOR_PARTNERS_SQL = """
SELECT p.technology_id, i.country, COUNT(DISTINCT c.institution_id) AS institutions
FROM partners_collaboration c
JOIN technologies_project p ON p.id = c.project_id
JOIN partners_institution i ON i.id = c.institution_id
GROUP BY 1, 2
"""


def ensure_database(url: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.pop("dbname")
    info["dbname"] = "postgres"
    with psycopg.connect(**info, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def load_lines(target: int) -> None:
    """COPY enough benchmark projects, collaborations and lines to reach ``target`` lines in all."""
    from django.db import connection, transaction

    from budgets.models import BudgetLine
    from partners.models import Institution
    from technologies.models import Technology

    existing = BudgetLine.objects.count()
    if existing >= target:
        print(f"{existing:,} budget lines already loaded")
        vacuumed()
        return
    rng = random.Random(7)  # noqa: S311 - benchmark data, not secrets
    slots = 1 + COLLABORATIONS_PER_PROJECT
    projects_needed = math.ceil((target - existing) / (len(YEARS) * len(BASES) * slots))
    technologies = list(Technology.objects.exclude(status="candidate").values_list("id", flat=True))
    institutions = list(Institution.objects.values_list("id", flat=True))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        offset = raw.execute("SELECT COALESCE(MAX(id), 0) FROM technologies_project").fetchone()[0]
        with raw.copy(
            "COPY technologies_project (id, created_at, updated_at, source, is_synthetic, technology_id, "
            "project_number, title_ko, title_en, lead_organisation, development_phase, start_year, end_year, status) "
            "FROM STDIN"
        ) as copy:
            for n in range(projects_needed):
                copy.write_row(
                    (
                        offset + 1 + n,
                        "now",
                        "now",
                        BENCH_SOURCE,
                        True,
                        technologies[n % len(technologies)],
                        f"BENCH-{offset + n:09d}",
                        "벤치마크 과제",
                        "Benchmark project",
                        "(주)벤치",
                        "applied",
                        YEARS[0],
                        YEARS[-1],
                        "in_progress",
                    )
                )
        collab_offset = raw.execute(
            "SELECT COALESCE(MAX(id), 0) FROM partners_collaboration"
        ).fetchone()[0]
        with raw.copy(
            "COPY partners_collaboration (id, created_at, updated_at, source, is_synthetic, project_id, "
            "institution_id, center_id, role, start_year, end_year, contribution_won) FROM STDIN"
        ) as copy:
            for n in range(projects_needed):
                first = rng.randrange(len(institutions))
                for k in range(COLLABORATIONS_PER_PROJECT):
                    copy.write_row(
                        (
                            collab_offset + 1 + n * COLLABORATIONS_PER_PROJECT + k,
                            "now",
                            "now",
                            BENCH_SOURCE,
                            True,
                            offset + 1 + n,
                            institutions[(first + k) % len(institutions)],
                            None,
                            "lead_partner" if k == 0 else "co_researcher",
                            YEARS[0],
                            YEARS[-1],
                            0,
                        )
                    )
        written = 0
        with raw.copy(
            "COPY budgets_budgetline (created_at, updated_at, source, is_synthetic, project_id, fiscal_year, "
            "basis, amount_won, is_international, collaboration_id) FROM STDIN"
        ) as copy:
            for n in range(projects_needed):
                for year in YEARS:
                    for basis in BASES:
                        for k in range(slots):
                            if existing + written >= target:
                                break
                            collaboration = (
                                None
                                if k == 0
                                else collab_offset + 1 + n * COLLABORATIONS_PER_PROJECT + k - 1
                            )
                            copy.write_row(
                                (
                                    "now",
                                    "now",
                                    BENCH_SOURCE,
                                    True,
                                    offset + 1 + n,
                                    year,
                                    basis,
                                    rng.randrange(10**7, 5 * 10**9),
                                    collaboration is not None,
                                    collaboration,
                                )
                            )
                            written += 1
        raw.execute(
            "SELECT setval(pg_get_serial_sequence('technologies_project', 'id'), (SELECT MAX(id) FROM technologies_project))"
        )
        raw.execute(
            "SELECT setval(pg_get_serial_sequence('partners_collaboration', 'id'), (SELECT MAX(id) FROM partners_collaboration))"
        )
    vacuumed(after_load=True)
    print(
        f"loaded {projects_needed:,} projects, {projects_needed * COLLABORATIONS_PER_PROJECT:,} collaborations, "
        f"{written:,} budget lines with COPY in {time.perf_counter() - started:.1f} s"
    )


def vacuumed(*, after_load: bool = False) -> None:
    """VACUUM ANALYZE the database after a load, as autovacuum does in production (this
    machine's PostgreSQL runs with autovacuum off). Without it the project text search's
    trigram index kept the 14,000 loaded projects in its pending list: its first scan took
    650 ms, so PostgreSQL scanned the table instead (11 ms a search against 0.1 ms); and no
    index-only scan could skip the heap of a million lines never vacuumed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'technologies_project' "
            "AND last_vacuum IS NULL AND last_autovacuum IS NULL"
        )
        if after_load or cursor.fetchone()[0]:
            started = time.perf_counter()
            cursor.execute("VACUUM ANALYZE")
            print(f"VACUUM ANALYZE after the load: {time.perf_counter() - started:.1f} s")
            return
        # Each run replaces the rollups (and the floor its tables): without autovacuum, the
        # dead rows of every earlier benchmark run stay, and each DELETE scans them all (1.3
        # million after a hundred runs: 13 of a DELETE's 16 ms). Autovacuum clears them in
        # production; here each benchmark starts as it would leave them.
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_dead_tup > 10000 ORDER BY relname"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def seconds(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rdportfolio_bench"
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("CELERY_BROKER_URL", "")  # no queue: the benchmark runs the work itself
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdportfolio.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from budgets.kpi.models import ShareRun
    from budgets.kpi.reading import share_inputs_read
    from budgets.kpi.rule import share_snapshots_build
    from budgets.kpi.services import share_recompute

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("seed", "--demo", stdout=devnull)
    load_lines(args.lines)

    def statement(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

        return run

    floor = statement(FLOOR_SQL)
    floor_lines, floor_partners = statement(FLOOR_WITH_ROLLUPS_SQL), statement(FLOOR_PARTNERS_SQL)

    def floor_all():
        floor_lines()
        floor_partners()

    with connection.cursor() as cursor:
        for table, sql in [
            ("bench_floor_rows", FLOOR_WITH_ROLLUPS_SQL),
            ("bench_floor_partners", FLOOR_PARTNERS_SQL),
        ]:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} AS {sql} WITH NO DATA")

    def floor_stored():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_floor_rows")
            cursor.execute(f"INSERT INTO bench_floor_rows {FLOOR_WITH_ROLLUPS_SQL}")
            cursor.execute("DELETE FROM bench_floor_partners")
            cursor.execute(f"INSERT INTO bench_floor_partners {FLOOR_PARTNERS_SQL}")

    floor()  # warm the cache once for all
    share_recompute(force=True)
    # Alternate them so that drift on a busy 2-core machine hits all alike.
    recompute_runs, floor_runs, floor_all_runs, compute_runs, skip_runs = [], [], [], [], []
    stored_runs = []
    for _ in range(args.repeat):
        recompute_runs.append(seconds(lambda: share_recompute(force=True)))
        stored_runs.append(seconds(floor_stored))
        floor_all_runs.append(seconds(floor_all))
        floor_runs.append(seconds(floor))
        compute_runs.append(seconds(lambda: share_snapshots_build(share_inputs_read())))
        skip_runs.append(seconds(share_recompute))  # unchanged: reads, compares, writes nothing
    recompute, floor_time, floor_all_time, compute, skip = (
        statistics.median(r)
        for r in (recompute_runs, floor_runs, floor_all_runs, compute_runs, skip_runs)
    )
    run = ShareRun.objects.latest_succeeded()
    skipped = ShareRun.objects.order_by("-pk").first()
    print(f"budget lines:                 {run.line_count:,}")
    print(f"snapshot rows per run:        {run.snapshot_count:,}")
    print(
        f"rollup rows per run:          {run.rollups.count():,} of budget lines, "
        f"{run.partner_rollups.count():,} of partners"
    )
    print(
        f"recompute (full, forced):     {recompute:.3f} s median of {args.repeat}  {[round(t, 3) for t in recompute_runs]}"
    )
    print(f"  of which read + build:      {compute:.3f} s")
    print(
        f"hand-written SQL (floor):     {floor_time:.3f} s median of {args.repeat}  {[round(t, 3) for t in floor_runs]}"
    )
    print(f"ratio recompute / floor:      {recompute / floor_time:.2f}")
    print(
        f"same statement + rollups:     {floor_all_time:.3f} s median of {args.repeat}  {[round(t, 3) for t in floor_all_runs]}"
    )
    print(f"ratio recompute / that floor: {recompute / floor_all_time:.2f}")
    stored = statistics.median(stored_runs)
    print(
        f"same, stored and committed:   {stored:.3f} s median of {args.repeat}  {[round(t, 3) for t in stored_runs]}"
    )
    print(
        f"ratio recompute / stored:     {recompute / stored:.2f}   (goal: <= 1.2 at 1M, <= 2 at 100k)"
    )
    print(
        f"unchanged data (skip):        {skip:.3f} s median of {args.repeat}, status {skipped.status}"
    )


if __name__ == "__main__":
    main()
