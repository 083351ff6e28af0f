"""A download the client walks away from (a cancelled download, ``curl | head``) ends its
reading at once: in the embedded mode the next write goes through instead of "database is
locked", and on PostgreSQL no transaction or cursor is left open behind it."""

import http.client
import os
import socket
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.api.client import LISTS, api
from tests.factories import BudgetLineFactory, ProjectFactory
from tests.processes import ROOT, free_port, stop, wait_for

EDITOR = ("editor", "editor-demo-2026")  # rdportfolio/seed/logins.py, made by seed --demo
ANALYST_TOKEN = "demo0analyst0token000000000000000000000a"


def _embedded_environment(var_dir: Path) -> dict[str, str]:
    """What `make run` sees on a newcomer's laptop: nothing set but where var/ is."""
    unset = {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "CI", "SECRET_KEY"}
    environment = {name: value for name, value in os.environ.items() if name not in unset}
    return {**environment, "RDP_VAR_DIR": str(var_dir)}


def _abandon(port: int, path: str, *, token: str) -> bytes:
    """Start downloading ``path``, read its first bytes and hang up: a small receive window,
    so that the server is still writing when the client leaves."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\n\r\n"
    client.sendall(request.encode())
    first = client.recv(2000)
    client.close()
    return first


def _login_status(port: int) -> int:
    """An editor signs in to the admin (a write: the session and the last login)."""
    page = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    page.request("GET", "/admin/login/")
    response = page.getresponse()
    response.read()
    cookie = SimpleCookie(response.getheader("Set-Cookie"))["csrftoken"].value
    body = urlencode({"csrfmiddlewaretoken": cookie, "username": EDITOR[0], "password": EDITOR[1]})
    page.request(
        "POST",
        "/admin/login/?next=/admin/",
        body=body,
        headers={
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/admin/login/",
        },
    )
    answer = page.getresponse()
    answer.read()
    page.close()
    return answer.status


def _answers(port: int) -> bool:
    try:
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        probe.request("GET", "/health/live/")
        return probe.getresponse().status == 200
    except OSError:
        return False


def test_an_abandoned_csv_download_leaves_the_embedded_database_writable(tmp_path):
    environment = _embedded_environment(tmp_path)
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["seed", "--demo"]):
        subprocess.run(  # noqa: S603 - our own program, fixed arguments
            [*manage, *command], cwd=ROOT, env=environment, check=True, capture_output=True
        )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own program, fixed arguments
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=environment,
        stdout=(tmp_path / "runserver.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: _answers(port), timeout=60, what="runserver")
        assert _login_status(port) == 302
        for _ in range(3):
            first = _abandon(port, "/api/v1/budget-lines.csv", token=ANALYST_TOKEN)
            assert first.startswith(b"HTTP/1.1 200"), first[:200]
            # Before: 500 "database is locked", for minutes, until the server restarted.
            assert _login_status(port) == 302, (tmp_path / "runserver.log").read_text()[-3000:]
    finally:
        stop(server)


@pytest.mark.django_db(transaction=True)
def test_an_abandoned_download_leaves_no_transaction_or_cursor_open(on_postgresql, analyst):
    project = ProjectFactory()
    for year in range(2024, 2029):
        BudgetLineFactory(project=project, fiscal_year=year)
    client = api(analyst)
    # Every list: those PostgreSQL writes by COPY and those the serializer writes.
    for path in [f"/api/v1/{name}.csv" for name in LISTS]:
        response = client.get(path)
        assert response.status_code == 200, path
        next(iter(response.streaming_content))  # the reading has begun
        assert connection.in_atomic_block
        response.close()  # what the server does when the client hangs up
        assert not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors")
            assert cursor.fetchone() == (0,), path
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND state LIKE 'idle in transaction%%'"
            )
            assert cursor.fetchone() == (0,), path
