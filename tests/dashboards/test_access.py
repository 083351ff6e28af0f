"""Who may see the dashboards: anonymous readers log in, roles without the portfolio are refused."""

import pytest

from tests.dashboards.pages import PAGES, browser

pytestmark = pytest.mark.django_db


# --- who sees the pages ------------------------------------------------------------------------


# Beside the pages: the technologies' export, the search and the scenarios, guarded apart.
READS = PAGES + ["/technologies/export.csv", "/search/?q=LF", "/scenarios/"]


@pytest.mark.parametrize("url", READS)
def test_anonymous_readers_are_sent_to_log_in(url):
    response = browser().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", READS)
@pytest.mark.parametrize("persona", ["outsider", "evaluator"])
def test_roles_without_the_portfolio_are_refused(request, url, persona):
    assert browser(request.getfixturevalue(persona)).get(url).status_code == 403


@pytest.mark.parametrize("url", READS)
@pytest.mark.parametrize("persona", ["cto_viewer", "analyst", "ministry_editor"])
def test_cto_viewers_and_up_see_every_page(request, url, persona):
    response = browser(request.getfixturevalue(persona)).get(url)
    assert response.status_code == 200
    if response.streaming:
        assert b"LF-001" in b"".join(response.streaming_content)


@pytest.mark.parametrize("url", PAGES)
def test_public_setting_opens_the_pages_read_only(settings, url):
    settings.RDP_DASHBOARDS_PUBLIC = True
    client = browser()
    response = client.get(url)
    assert response.status_code == 200
    assert "/api/v1/share/" not in response.content.decode()  # the API would answer 401
    assert client.post(url).status_code == 405


def test_cto_logs_in_on_the_site_not_the_admin(cto_viewer):
    client = browser()
    response = client.post(
        "/accounts/login/?next=/partners/",
        {"username": "t_cto", "password": "a-long-test-password", "next": "/partners/"},
    )
    assert response.status_code == 302 and response["Location"] == "/partners/"
    assert client.get("/partners/").status_code == 200
