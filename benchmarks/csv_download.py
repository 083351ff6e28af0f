"""Benchmark (not a test): a million budget lines as CSV through gunicorn, as production serves it.

gunicorn with its production config (gthread), production settings, PostgreSQL. Prints:

* the API's ``/api/v1/budget-lines/?format=csv`` read as fast as the client can: seconds,
  MB, rows, whether ``X-Row-Count`` equals the rows received and the stream ended properly;
* the floor, in the same run: PostgreSQL ``COPY (the same columns, same joins) TO STDOUT``
  read by psycopg, and the ratio;
* a slow reader holding the download open (``--hold`` seconds at ``--rate`` KB/s) while
  ``/health/live/`` is asked every second: the download still arrives whole, and the
  liveness answers stay fast (the worker's other threads serve them).

    .venv/bin/python benchmarks/csv_download.py                      # 1M lines, 60 s hold
    .venv/bin/python benchmarks/csv_download.py --lines 100000 --hold 20
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLOOR = """
COPY (
  SELECT bl.id, bl.project_id, p.project_number, pr.track, f.code, bl.fiscal_year, bl.basis,
         bl.amount_won, bl.is_international, bl.collaboration_id, i.country, bl.source,
         bl.is_synthetic, bl.created_at, bl.updated_at
  FROM budgets_budgetline bl
  JOIN technologies_project p ON p.id = bl.project_id
  JOIN technologies_technology t ON t.id = p.technology_id
  JOIN programs_program pr ON pr.id = t.program_id
  JOIN technologies_field f ON f.id = t.field_id
  LEFT JOIN partners_collaboration c ON c.id = bl.collaboration_id
  LEFT JOIN partners_institution i ON i.id = c.institution_id
  ORDER BY bl.id
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rdportfolio_bench"
    )
    parser.add_argument("--hold", type=float, default=60, help="seconds the slow reader takes")
    parser.add_argument("--rate", type=float, default=256, help="KB/s the slow reader reads")
    args = parser.parse_args()

    from benchmarks.share_recompute import ensure_database, load_lines

    ensure_database(args.database_url)
    os.environ.update(
        DATABASE_URL=args.database_url,
        SECRET_KEY="benchmark-only",  # noqa: S106 - a throwaway process of its own
        DJANGO_SETTINGS_MODULE="rdportfolio.settings",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL="",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from rdportfolio.core import roles

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    load_lines(args.lines)
    analyst, _created = get_user_model().objects.get_or_create(username="bench_analyst")
    analyst.groups.add(Group.objects.get(name=roles.ANALYST))
    token = Token.objects.get_or_create(user=analyst)[0].key

    floor_seconds, floor_bytes = [], 0
    same_seconds, same_bytes = [], 0
    same_sql, same_params = api_copy_statement()
    out = Path(tempfile.mkdtemp()) / "floor.csv"
    for _ in range(3):
        # COPY to a file: the plain columns, then the API's own formatted statement.
        for sql, params, times in (
            (FLOOR, None, floor_seconds),
            (same_sql, same_params, same_seconds),
        ):
            started = time.perf_counter()
            with (
                connection.cursor() as cursor,
                cursor.connection.cursor().copy(sql, params) as copy,
                out.open("wb") as file,
            ):
                for chunk in copy:
                    file.write(chunk)
            times.append(time.perf_counter() - started)
            if times is floor_seconds:
                floor_bytes = out.stat().st_size
            else:
                same_bytes = out.stat().st_size
    out.unlink()
    connection.close()

    port = 18000 + os.getpid() % 1000
    log = Path(tempfile.mkdtemp()) / "gunicorn.log"
    server = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:rdportfolio.gunicorn_conf",
            "rdportfolio.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(port)
        worker_pid = worker_of(server.pid)
        rss_before = rss_mb(worker_pid)
        peak = {"rss": rss_before}
        sampling = threading.Event()

        def sample():
            while not sampling.is_set():
                peak["rss"] = max(peak["rss"], rss_mb(worker_pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        fast = [download(port, token) for _ in range(3)]
        sampling.set()
        sampler.join()
        slow_result = {}
        reader = threading.Thread(
            target=lambda: slow_result.update(download(port, token, rate=args.rate, hold=args.hold))
        )
        reader.start()
        latencies = []
        while reader.is_alive():
            started = time.perf_counter()
            status = get(port, "/health/live/").status
            latencies.append((time.perf_counter() - started, status))
            time.sleep(1)
        reader.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    api = statistics.median(r["seconds"] for r in fast)
    floor = statistics.median(floor_seconds)
    last = fast[-1]
    print(f"rows in the table: {last['declared']:,}")
    print(
        f"API CSV via gunicorn : {api:6.2f} s  {last['bytes'] / 1e6:7.1f} MB  rows {last['rows']:,}"
        f"  X-Row-Count {last['declared']:,}  whole={last['whole']}  (median of 3)"
    )
    same = statistics.median(same_seconds)
    print(
        f"floor: COPY to a file: {floor:6.2f} s  {floor_bytes / 1e6:7.1f} MB  (plain columns, median of 3)"
    )
    print(f"ratio API / floor    : {api / floor:6.1f}x")
    print(
        f"COPY of the API's own statement to a file: {same:6.2f} s  {same_bytes / 1e6:7.1f} MB"
        f"  (values formatted as the JSON's); ratio API / that: {api / same:.2f}x"
    )
    print(
        f"gunicorn worker memory: {rss_before:.0f} MB before, peak {peak['rss']:.0f} MB during "
        "the three downloads"
    )
    print(
        f"slow reader: {slow_result['seconds']:.0f} s at {args.rate:.0f} KB/s, "
        f"{slow_result['bytes'] / 1e6:.1f} MB, rows {slow_result['rows']:,} of "
        f"{slow_result['declared']:,}, whole={slow_result['whole']}"
    )
    ok = [seconds for seconds, status in latencies if status == 200]
    print(
        f"/health/live/ meanwhile: {len(ok)}/{len(latencies)} answered 200, "
        f"median {statistics.median(ok) * 1000:.0f} ms, max {max(ok) * 1000:.0f} ms"
    )


def api_copy_statement() -> tuple[str, tuple]:
    """The formatted SELECT the API's budget-line CSV runs on PostgreSQL, as COPY TO STDOUT."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from budgets.api import BudgetLineViewSet
    from rdportfolio.core.copy_export import copy_select

    view = BudgetLineViewSet(action="list", format_kwarg=None)
    view.request = Request(APIRequestFactory().get("/api/v1/budget-lines/?format=csv"))
    sql, params = copy_select(view.get_queryset(), *view.copy_plan())
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params


def worker_of(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise SystemExit("no gunicorn worker")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get(port: int, path: str, token: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"X-Forwarded-Proto": "https"}
    if token:
        headers["Authorization"] = f"Token {token}"
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    if not token:
        response.read()
    return response


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/health/live/").status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def download(port: int, token: str, rate: float | None = None, hold: float = 0) -> dict:
    """The whole CSV; with ``rate``, read at most that many KB/s (stopping at ``hold`` seconds
    of pacing, then reading the rest at full speed)."""
    started = time.perf_counter()
    response = get(port, "/api/v1/budget-lines/?format=csv", token)
    declared = int(response.getheader("X-Row-Count"))
    size, newlines, whole = 0, 0, True
    try:
        while chunk := response.read(64 * 1024):
            size += len(chunk)
            newlines += chunk.count(b"\n")
            elapsed = time.perf_counter() - started
            if rate and elapsed < hold:
                time.sleep(max(0.0, size / (rate * 1024) - elapsed))
    except http.client.IncompleteRead:
        whole = False
    return {
        "seconds": time.perf_counter() - started,
        "bytes": size,
        "rows": newlines - 1,
        "declared": declared,
        "whole": whole and newlines - 1 == declared,
    }


if __name__ == "__main__":
    main()
