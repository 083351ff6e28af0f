"""Benchmarks (not tests): each script says at its top what it measures. Shared start-up here."""

import os

BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/rdportfolio_bench"


def django_on_bench_database(**environment) -> None:
    """Set Django up on the million-line database (``BENCH_DATABASE_URL`` to choose another),
    with no queue (the benchmark runs the work itself); ``environment`` adds settings."""
    os.environ.update(
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE),
        SECRET_KEY="benchmark-only",  # noqa: S106 - a throwaway process
        DJANGO_SETTINGS_MODULE="rdportfolio.settings",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL="",
        **environment,
    )
    import django

    django.setup()


def serve_in_process() -> None:
    """Settings for requests through Django's test client against production settings: any
    host, no HTTPS redirect, static files without collectstatic's manifest."""
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
