"""With the database out of reach, people get a page that says so and to try again (503,
in their language, styled), the API a JSON error of its usual shape: not a bare "Server
Error (500)". gunicorn as production runs it, its database at a port where none listens."""

import http.client
import json
import socket

from tests.processes import collected_static, free_port, gunicorn, stop, wait_for


def _get(port, path, language="en"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "GET",
        path,
        # A signed-in person's session: reading it needs the database.
        headers={
            "X-Forwarded-Proto": "https",
            "Accept-Language": language,
            "Cookie": "sessionid=k3y0fas1gnedinsess10n0000000000",
        },
    )
    response = connection.getresponse()
    return response, response.read().decode()


def _answers(port):
    try:
        return _get(port, "/health/live/")[0].status
    except OSError:
        return None


def test_every_page_says_the_database_is_unreachable_and_to_try_again(tmp_path):
    port = free_port()
    # A port held by this test and listening to nothing: connections to it are refused, and
    # no other test's server can take it meanwhile.
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    dead = f"postgres://postgres@127.0.0.1:{held.getsockname()[1]}/rdportfolio"
    production = {"DATABASE_URL": dead, **collected_static(tmp_path / "static")}
    server = gunicorn(port, env=production, log=tmp_path / "gunicorn.log")
    try:
        assert wait_for(lambda: _answers(port), timeout=30, what="gunicorn") == 503
        for path in ("/", "/technologies/", "/partners/", "/admin/", "/accounts/login/"):
            response, page = _get(port, path)
            assert response.status == 503, (path, page[:300])
            assert response.getheader("Retry-After") == "30"
            assert "<h1>Unavailable for a moment</h1>" in page, path
            assert 'rel="stylesheet"' in page  # the site's own look, not a bare line
        response, page = _get(port, "/", language="ko")
        assert response.status == 503 and "잠시 이용할 수 없습니다" in page
        response, body = _get(port, "/api/v1/technologies/")
        assert response.status == 503 and response.getheader("Retry-After") == "30"
        assert json.loads(body)["errors"][0]["code"] == "unavailable"
    finally:
        stop(server)
        held.close()
    assert "OperationalError" in (tmp_path / "gunicorn.log").read_text()  # logged for staff
