"""What the page tests share: the pages, a browser speaking as a user, reading charts and CSVs."""

import io
import json
import re

import pandas as pd
from django.test import Client

PAGES = ["/", "/technologies/", "/technologies/LF-001/", "/partners/"]
# The overview's 13th: the target plan's published points, for "how the share is counted".
MAX_QUERIES = 13


def browser(user=None, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def chart_data(response, element_id):
    """The figures a chart draws, as the page hands them to the browser."""
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def csv_rows(response):
    return pd.read_csv(io.BytesIO(b"".join(response.streaming_content)), dtype={"code": str})
