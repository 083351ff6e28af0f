"""Fixtures of the import tests: an editor in the admin, and a project to import lines into."""

import pytest
from django.test import Client

from rdportfolio.celery import app as celery_app
from tests.factories import ProjectFactory


@pytest.fixture
def staff(ministry_editor, monkeypatch):
    # Jobs run in this process, as the embedded mode runs them; a real worker has its own test.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    # English, so that the messages below read as written; jobs answer in the requester's language.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(ministry_editor)
    return client


@pytest.fixture
def fresh_project():
    return ProjectFactory(project_number="RS-IMPORT-0001", start_year=2031, end_year=2035)
