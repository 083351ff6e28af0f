"""Real processes for the tests: Celery workers and beat, gunicorn, a Redis of their own.

Each runs in its own session (process group), so that a test can SIGKILL a worker with
its pool children, as an operator's `kill -9` or the kernel's OOM killer would.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """The test database (not the one DATABASE_URL names), for processes the test starts."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def collected_static(folder: Path) -> dict[str, str]:
    """Production's static files in ``folder``, as its image has them (``collectstatic``): the
    environment that gives them to a process started with production settings."""
    environment = {"STATIC_ROOT": str(folder), "DEBUG": "false"}
    subprocess.run(  # noqa: S603 - our own program, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        # Production settings (a database named, never reached): the manifest storage.
        env={
            "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused",
            **os.environ,
            "SECRET_KEY": "test-static",
            **environment,
        },
        check=True,
    )
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(arguments: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A process of ours in its own session, its output in ``log``."""
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "SECRET_KEY": "test-processes",
        **env,
    }
    return subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
        arguments,
        cwd=ROOT,
        env=environment,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def celery(kind: str, *, queue: str, broker: str, env: dict[str, str], log: Path, slow: str = ""):
    """A worker (``kind="worker"``) or beat consuming and scheduling on ``queue`` only; a
    worker with ``slow`` (tests/drill_worker.py) waits at that step, to be killed there."""
    program = ["-m", "tests.drill_worker"] if slow else ["-m", "celery"]
    arguments = [sys.executable, *program, "-A", "rdportfolio", kind, "-l", "INFO"]
    if slow:
        env = {**env, "DRILL_SLOW": slow}
    if kind == "worker":
        arguments += ["-Q", queue, "-P", "solo", "--without-gossip", "--without-mingle"]
    else:
        schedule = Path(tempfile.mkdtemp()) / "beat-schedule"
        arguments += ["-s", str(schedule), "--max-interval", "1"]
    return start(
        arguments,
        {"CELERY_BROKER_URL": broker, "CELERY_TASK_DEFAULT_QUEUE": queue, **env},
        log,
    )


def gunicorn(port: int, *, env: dict[str, str], log: Path, threads: int | None = None):
    """gunicorn as production runs it (its config file, production settings), one worker."""
    arguments = [
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
    ]
    if threads is not None:
        arguments += ["--threads", str(threads)]
    return start(
        arguments,
        {"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "CELERY_BROKER_URL": "", **env},
        log,
    )


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the process and everything in its session (a worker with its pool)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        kill(process)


def redis_server(port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - a Redis of the test's own, fixed arguments
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(lambda: _answers(port), timeout=10, what=f"redis on port {port}")
    return server


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


def wait_for(condition, *, timeout: float, what: str, every: float = 0.2):
    """Poll ``condition()`` until it is true (returned) or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"waited {timeout:g} s for {what}")


def uses_redis_broker() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith(
        "redis://"
    )
