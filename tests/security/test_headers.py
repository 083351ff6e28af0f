"""The headers a browser gets from production as it runs: gunicorn with its config file,
production settings. A Content-Security-Policy with no inline script or style, a
Permissions-Policy, and no server software named."""

import http.client
import json

import pytest
from django.test import Client

from tests.processes import collected_static, free_port, gunicorn, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    response.read()
    return response


def _answers(port: int) -> bool:
    try:
        return _get(port, "/health/live/").status == 200
    except OSError:
        return False


def test_gunicorn_sends_the_security_headers_and_no_server_banner(on_postgresql, tmp_path):
    port = free_port()
    server = gunicorn(
        port, env=collected_static(tmp_path / "static"), log=tmp_path / "gunicorn.log"
    )
    try:
        wait_for(lambda: _answers(port), timeout=30, what="gunicorn")
        for path in ("/accounts/login/", "/admin/login/", "/api/v1/docs/", "/no-such-page/"):
            response = _get(port, path)
            # The pages themselves, not error pages in their place.
            assert response.status == (404 if path == "/no-such-page/" else 200), path
            assert "gunicorn" not in (response.getheader("Server") or "").lower(), path
            policy = response.getheader("Content-Security-Policy") or ""
            assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
            assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy, path
            assert "camera=()" in (response.getheader("Permissions-Policy") or ""), path
            assert response.getheader("X-Frame-Options") == "DENY", path
            assert response.getheader("X-Content-Type-Options") == "nosniff", path
    finally:
        stop(server)


def test_browsers_report_what_the_policy_refused(caplog):
    report = {
        "csp-report": {
            "document-uri": "https://rdportfolio.example/technologies/",
            "blocked-uri": "inline",
            "violated-directive": "script-src-elem",
        }
    }
    response = Client().post(
        "/csp-report/", json.dumps(report), content_type="application/csp-report", secure=True
    )
    assert response.status_code == 204
    assert "CSP refused inline on https://rdportfolio.example/technologies/" in caplog.text
    too_big = Client().post(
        "/csp-report/", "x" * 9000, content_type="application/csp-report", secure=True
    )
    assert too_big.status_code == 413
    assert Client().post("/csp-report/", "{", content_type="application/json").status_code == 400


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/programs/", "/api/v1/share/", "/api/v1/scenarios/solve/"])
def test_a_browser_on_the_api_gets_json_not_the_browsable_pages(analyst, url):
    """DRF's browsable pages ran inline event handlers, which the CSP refuses (console errors);
    a browser reads the JSON, and Swagger UI (/api/v1/docs/) is for exploring."""
    client = Client()
    client.force_login(analyst)
    response = client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response["Content-Type"].startswith("application/json")
    assert b"<html" not in response.content
    refused = client.get("/api/v1/programs/", {"format": "api"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "format"
