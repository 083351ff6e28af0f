"""Hostile query strings on every list: a 400 naming the parameter, never a server error.

Each list endpoint's parameters are read from the OpenAPI schema (so a new filter is fuzzed
without anyone remembering to), and each gets values that broke earlier versions: a lone
"%", a NUL, an invalid UTF-8 sequence (a lone surrogate), a value of 5,000 characters,
numbers too big for any column. An unknown parameter is refused by name.
"""

import json
from urllib.parse import quote

import pytest
from django.test import Client

from rdportfolio.core.api_docs import SchemaView
from tests.api.client import LISTS, api

pytestmark = pytest.mark.django_db

HOSTILE = [
    "%",
    "%9",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: sent as the bytes ED A0 80, which are not UTF-8
    "x" * 5000,
    "9" * 40,
    "-1",
    "1e309",
    "NaN",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    " ",
    "true,false",
]
ENDPOINTS = [f"/api/v1/{name}/" for name in LISTS] + ["/api/v1/share/"]


def raw(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture(scope="module")
def parameters(django_db_blocker):
    """Each endpoint's documented query parameters, from the schema as clients see it."""
    with django_db_blocker.unblock():
        client = Client()
        response = client.get("/api/v1/schema/", {"format": "json"}, secure=True)
    paths = json.loads(response.content)["paths"]
    found = {}
    for endpoint in ENDPOINTS:
        operation = paths[endpoint]["get"]
        found[endpoint] = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    return found


def errors(response) -> dict:
    return {error["attr"]: error["detail"] for error in response.json()["errors"]}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_parameter_takes_any_value_without_a_server_error(endpoint, parameters, analyst):
    client = api(analyst)
    assert parameters[endpoint], "the schema lists the endpoint's parameters"
    for name in parameters[endpoint]:
        for value in HOSTILE:
            response = client.get(f"{endpoint}?{name}={raw(value)}")
            assert response.status_code in (200, 400), (endpoint, name, value, response.content)
            if response.status_code == 400:
                named = errors(response)
                assert name in named, (endpoint, name, value, named)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_unknown_parameter_is_refused_by_name(endpoint, analyst):
    response = api(analyst).get(endpoint, {"countries": "DE"})
    assert response.status_code == 400
    assert "Unknown parameter" in errors(response)["countries"]


def test_a_nul_anywhere_is_a_400_in_the_admin_and_the_dashboards(ministry_editor, cto_viewer):
    editor = Client()
    editor.force_login(ministry_editor)
    nul = raw("a\x00b")
    response = editor.get(f"/admin/technologies/technology/?q={nul}")
    assert response.status_code == 400 and b"(parameter q)" in response.content
    viewer = Client()
    viewer.force_login(cto_viewer)
    assert viewer.get(f"/technologies/?field={nul}").status_code == 400


def test_a_nul_in_the_address_is_a_400_on_every_admin_page_and_the_api(ministry_editor, analyst):
    """A NUL in an id (``/admin/…/1%00/history/``) reached PostgreSQL: 500s on 41 of 133 probes."""
    from django.contrib import admin

    editor = Client()
    editor.force_login(ministry_editor)
    pages = [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/1%00/{page}"
        for model in admin.site._registry
        for page in ("change/", "history/", "history/1/", "delete/")
    ]
    for url in [*pages, "/technologies/1%00/", "/partners/%00/"]:
        response = editor.get(url)
        assert response.status_code == 400, url
        assert b"Null characters are not allowed (the address)" in response.content, url
    refused = api(analyst).get("/api/v1/projects/1%00/")
    assert refused.status_code == 400 and errors(refused) == {
        "path": "Null characters are not allowed (the address)."
    }


def test_the_schema_is_built_once_per_process_and_language(monkeypatch):
    SchemaView.forget()
    builds = []
    original = SchemaView.generator_class.get_schema

    def counting(self, *args, **kwargs):
        builds.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaView.generator_class, "get_schema", counting)
    client = Client()
    first = client.get("/api/v1/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    again = [
        client.get("/api/v1/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
        for _ in range(5)
    ]
    assert len(builds) == 1
    assert all(response.content == first.content for response in again)
    korean = client.get("/api/v1/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert len(builds) == 2 and korean.content != first.content
    # Errors are documented once, not per operation and field (the schema was 3 MB).
    assert len(first.content) < 600_000


def test_a_json_body_over_the_limit_is_a_413_that_says_so(ministry_editor, settings):
    """Django's RequestDataTooBig came through DRF as a bare 500."""
    from partners.models import Institution

    before = Institution.objects.count()
    body = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 100_000)})
    response = api(ministry_editor).post(
        "/api/v1/institutions/", body, content_type="application/json"
    )
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["code"] == "too_large"
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes" in error["detail"]
    assert Institution.objects.count() == before


def test_the_schema_documents_a_database_out_of_reach_and_a_body_too_large():
    paths = api().get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    operations = [
        (method, operation)
        for path in paths.values()
        for method, operation in path.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert all("503" in operation["responses"] for _method, operation in operations)
    writes = [operation for method, operation in operations if method in {"post", "put", "patch"}]
    assert writes and all("413" in operation["responses"] for operation in writes)
    unavailable = paths["/api/v1/programs/"]["get"]["responses"]["503"]
    assert unavailable["content"]["application/json"]["schema"]["$ref"].endswith(
        "/UnavailableErrorResponse"
    )
