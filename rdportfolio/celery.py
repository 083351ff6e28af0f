"""The Celery app. Without CELERY_BROKER_URL the settings make tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdportfolio.settings")

app = Celery("rdportfolio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
