"""Schemathesis over the whole OpenAPI schema: no server errors, no response that breaks it.

The schema and every request go through the WSGI app itself: no server, no network.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from rdportfolio.wsgi import application


def https_application(environ, start_response):
    # As if behind the TLS proxy: production settings (CI) redirect plain HTTP to https.
    environ["wsgi.url_scheme"] = "https"
    return application(environ, start_response)


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", https_application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Django's test client does the same: a request must not close the connection that
    # holds the test's transaction (it would, on PostgreSQL, at the end of each request).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(ministry_editor):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=ministry_editor).key


@pytest.mark.django_db
@schema.parametrize()
# Derandomized: CI runs the same examples every time, so a failure reproduces.
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_schema(case, editor_token):
    # As an editor, so that writes are exercised too. What must hold: no server error, only
    # documented status codes and content types, bodies that match the schema, and invalid
    # input refused. (A schema-valid id of a row that does not exist is a 400 by design.)
    response = case.call(
        headers={"Authorization": f"Token {editor_token}", "Accept-Language": "en"}
    )
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
    )


ROLES = ["anonymous", "analyst", "cto_viewer", "evaluator", "evaluation_manager"]


@pytest.fixture
def role_headers(request):
    """Each role's view of the API (the editor's is above): its token, or none."""
    from rest_framework.authtoken.models import Token

    headers = {"anonymous": {"Accept-Language": "en"}}
    for role in ROLES[1:]:
        token = Token.objects.create(user=request.getfixturevalue(role)).key
        headers[role] = {"Accept-Language": "en", "Authorization": f"Token {token}"}
    return headers


@pytest.mark.django_db
@schema.parametrize()
# Generated examples only, fewer per operation (the editor's test above also runs schemathesis'
# coverage phase, its boundary values): five roles each, and most of their answers are 401/403.
@settings(
    max_examples=5,
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_role_gets_only_documented_answers(case, role_headers):
    for role, headers in role_headers.items():
        response = case.call(headers=headers)
        try:
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
            )
        except Exception as failure:
            raise AssertionError(f"as {role}: {failure}") from failure
