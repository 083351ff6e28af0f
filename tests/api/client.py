"""What the API tests share: the endpoints, a client speaking as a user, paging through all."""

from rest_framework.test import APIClient

LISTS = [
    "programs",
    "program-year-plans",
    "fields",
    "technologies",
    "projects",
    "institutions",
    "cooperation-centers",
    "collaborations",
    "dispatches",
    "ip-agreements",
    "budget-lines",
    "ministry-budgets",
    "targets",
]


def api(user=None, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def all_pages(client, url, params=None):
    rows, response = [], client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        if not response.json()["next"]:
            return rows
        response = client.get(response.json()["next"])
