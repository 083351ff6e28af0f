"""The real services: CI must run on PostgreSQL and Redis, never silently on SQLite."""

import os

import pytest
from django.conf import settings
from django.db import connection

from rdportfolio.celery import app as celery_app


def test_ci_runs_on_postgresql_and_redis():
    if os.environ.get("CI") != "true":
        pytest.skip("only in CI (CI=true): a laptop may run on SQLite and in-process Celery")
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not settings.CELERY_TASK_ALWAYS_EAGER


@pytest.mark.django_db
def test_the_database_answers(on_postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13


def test_the_celery_broker_answers():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip(
            "embedded mode: no broker configured, tasks run in-process (set CELERY_BROKER_URL)"
        )
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)
        assert conn.connected
