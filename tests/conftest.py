"""Shared fixtures: the seeded portfolio, the personas, and the environment guard."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from rdportfolio.celery import app as celery_app
from rdportfolio.core import roles
from tests.environment import unavailable

ROOT = Path(__file__).resolve().parent.parent


# What a test needs beyond the embedded mode, read from its fixtures, as marks: CI's embedded
# pass runs the rest on SQLite with tasks in-process (`-m "not services and not browser"`).
NEEDS = {
    "services": {"on_postgresql", "with_broker", "real_worker", "drill"},
    "browser": {"chromium_browser"},
}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by the marks
def pytest_collection_modifyitems(items):
    for item in items:
        for mark, fixtures in NEEDS.items():
            if fixtures & set(item.fixturenames):
                item.add_marker(mark)


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = (
        "in-process (eager)" if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL
    )
    return f"rdportfolio: database={engine}, celery broker={broker}"


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,  # under pytest-xdist: a database per worker (its suffix)
):
    """The test database, seeded with the published facts and the synthetic demo portfolio.

    pytest-django's own fixture creates it only when a collected test asks for ``db``; the
    browser tests reach it through a live server of their own (tests/test_browser.py), so it
    is created here whatever runs. Seeding is idempotent: a reused database costs nothing.
    """
    from django.test.utils import setup_databases, teardown_databases

    if os.environ.get("RDP_TEST_SQLITE_FILE"):  # SQLite's own locking, as the embedded mode has
        settings.DATABASES["default"]["TEST"]["NAME"] = os.environ["RDP_TEST_SQLITE_FILE"]
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases={"default"},
            serialized_aliases=set(),
            keepdb=django_db_keepdb and not django_db_createdb,
        )
        # Without demo logins: tests make their own personas, the same on SQLite and PostgreSQL.
        with override_settings(RDP_DEMO_LOGINS=False), open(os.devnull, "w") as devnull:
            call_command("seed", "--demo", stdout=devnull)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=request.config.option.verbose)


@pytest.fixture(scope="session", autouse=True)
def _plain_http_for_the_session():
    """What the per-test settings below do, for objects built once per session.

    The live server of the browser tests builds its middleware once, before any
    function-scoped fixture runs: under production settings (CI) it would redirect
    the browser to https and set cookies a plain-http page cannot send back.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Persona passwords are hashed with MD5: full PBKDF2 costs about 0.3 s a user, for nothing
    a test checks (the production hasher is Django's default, unchanged)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache; user ids repeat between tests. /health/ keeps its
    # results a few seconds per process: each test asks afresh.
    from rdportfolio.core.health import Remembered

    cache.clear()
    Remembered.kept.clear()


@pytest.fixture(autouse=True)
def _test_client_settings(settings):
    # The test client speaks plain HTTP; production settings (CI) would redirect it to https.
    settings.SECURE_SSL_REDIRECT = False
    # Tests do not run collectstatic; the manifest storage of production would have no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def with_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        unavailable("needs a broker: set CELERY_BROKER_URL=redis://... (CI does)")


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        unavailable("needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")


def _user(django_user_model, username, role=None, *, staff=False, superuser=False):
    user = django_user_model.objects.create_user(
        username=username, password="a-long-test-password", is_staff=staff, is_superuser=superuser
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def ministry_editor(django_user_model):
    return _user(django_user_model, "t_editor", roles.MINISTRY_EDITOR, staff=True)


@pytest.fixture
def evaluation_manager(django_user_model):
    return _user(django_user_model, "t_manager", roles.EVALUATION_MANAGER, staff=True)


@pytest.fixture
def evaluator(django_user_model):
    return _user(django_user_model, "t_evaluator", roles.EVALUATOR, staff=True)


@pytest.fixture
def cto_viewer(django_user_model):
    return _user(django_user_model, "t_cto", roles.CTO_VIEWER)


@pytest.fixture
def analyst(django_user_model):
    return _user(django_user_model, "t_analyst", roles.ANALYST)


@pytest.fixture
def outsider(django_user_model):
    return _user(django_user_model, "t_outsider")


@pytest.fixture
def real_worker(on_postgresql):
    """A real Celery worker process on Redis, consuming a queue of its own; tasks sent go there.

    Needs committed data (transactional tests) on PostgreSQL; yields the worker process.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL.startswith("redis://"):
        unavailable("needs Redis: set CELERY_BROKER_URL=redis://... (CI does)")
    queue = f"rdportfolio-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        # The worker must see the test database, not the one DATABASE_URL names.
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SECRET_KEY": "worker-test",
    }
    worker = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rdportfolio",
            "worker",
            "-Q",
            queue,
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield worker
    finally:
        celery_app.conf.task_default_queue = previous_queue
        worker.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            # Shown by pytest when the test failed.
            print("celery worker log:", worker.communicate(timeout=30)[0][-3000:])


@pytest.fixture
def scenarios_computed(monkeypatch):
    """Scenario results computed as soon as they are requested, in this process.

    They are sent to the workers after commit; these tests run inside a transaction that
    never commits, with no worker (tests/scenarios/test_worker.py has a real one), so the callback
    runs at once and the task runs eagerly.
    """
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, **_kw: func())
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
