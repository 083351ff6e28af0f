"""Every export answers what its JSON answers, for any documented filter, empty or not.

A property test over the filters the OpenAPI schema documents for each list: the values a
client may send (the schema's own enums, integers at and beyond PostgreSQL's range, ids
that do not exist, text) in any combination of one or two filters. Whatever the JSON list
answers, the CSV and the XLSX answer too: the same status, and on 200 the same rows in the
same order (an empty list is a file with its header only). On PostgreSQL the CSV is written
by COPY, whose SQL Django cannot build for a filter it knows matches nothing: that was a 500
while the JSON answered 200 with no rows.
"""

import csv
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.client import LISTS, api

pytestmark = pytest.mark.django_db

# Beyond 32 and 64 bits, negative, zero, far years: the values that broke the COPY path.
INTEGERS = st.one_of(
    st.sampled_from([0, -1, 1, 2024, 2028, 20718956, 2**31, 2**63, 10**30]),
    st.integers(min_value=-(2**40), max_value=2**40),
)
TEXTS = st.one_of(st.sampled_from(["", "US", "TW", "KR", "반도체", "bogus"]), st.text(max_size=8))


def _documented_filters():
    schema = api().get("/api/v1/schema/", {"format": "json"}).json()
    filters = {}
    for endpoint in LISTS:
        operation = schema["paths"][f"/api/v1/{endpoint}/"]["get"]
        filters[endpoint] = {
            parameter["name"]: parameter.get("schema", {})
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "query"
            and parameter["name"] not in {"cursor", "page_size", "format", "ordering"}
        }
    return filters


def _values(spec):
    items = spec.get("items", spec)
    if "enum" in items:
        values = st.sampled_from([*items["enum"], "bogus"])
    elif items.get("type") == "integer":
        values = INTEGERS
    elif items.get("type") == "boolean":
        values = st.sampled_from(["true", "false", "maybe"])
    else:
        values = TEXTS
    return values.map(str)


def _rows(client, url, params):
    """The JSON's status and its rows' ids over every page (None when it refuses)."""
    response = client.get(url, {**params, "page_size": 1000})
    ids = []
    while response.status_code == 200:
        ids += [row["id"] for row in response.json()["results"]]
        if not response.json()["next"]:
            return 200, ids
        response = client.get(response.json()["next"])
    return response.status_code, None


@pytest.fixture(scope="module")
def filters(django_db_blocker):
    with django_db_blocker.unblock():
        return _documented_filters()


@pytest.mark.parametrize("endpoint", LISTS)
def test_every_export_answers_what_its_json_answers(analyst, filters, endpoint):
    documented = filters[endpoint]
    assert documented, f"{endpoint} documents no filter"
    client, url = api(analyst), f"/api/v1/{endpoint}/"
    chosen = st.dictionaries(
        st.sampled_from(sorted(documented)), st.just(None), min_size=1, max_size=2
    ).flatmap(
        lambda names: st.fixed_dictionaries({name: _values(documented[name]) for name in names})
    )

    @given(params=chosen)
    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,  # CI runs the same examples every time: a failure reproduces
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(params):
        status, ids = _rows(client, url, params)
        assert status in (200, 400), (params, status)
        as_csv = client.get(url, {**params, "format": "csv"})
        as_xlsx = client.get(url, {**params, "format": "xlsx"})
        assert (as_csv.status_code, as_xlsx.status_code) == (status, status), params
        if status != 200:
            return
        text = b"".join(as_csv.streaming_content).decode("utf-8-sig")
        csv_ids = [int(row["id"]) for row in csv.DictReader(io.StringIO(text))]
        assert csv_ids == ids, params
        assert text.splitlines()[0].startswith("id,")  # the header, even over no rows
        sheet = pd.read_excel(io.BytesIO(as_xlsx.getvalue()), engine="calamine")
        assert [int(pk) for pk in sheet["id"]] == ids, params

    check()


def test_an_excel_list_on_a_full_disk_says_so_and_keeps_nothing(analyst, monkeypatch):
    """ENOSPC while the file is built: a 503 that says why and what to ask for instead (a
    500 "server error" before), its partial file closed, so removed."""
    import errno
    import tempfile

    opened, real = [], tempfile.TemporaryFile

    class FullDisk:
        def __init__(self):
            self._file = real()  # noqa: SIM115 - closed by the code tested
            opened.append(self._file)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._file, name)

    monkeypatch.setattr("rdportfolio.core.exports.tempfile.TemporaryFile", FullDisk)
    client = api(analyst)
    client.raise_request_exception = False  # a 5xx is reported as the error it answers
    response = client.get("/api/v1/budget-lines/", {"format": "xlsx"})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    (error,) = response.json()["errors"]
    assert error["code"] == "unavailable" and "format=csv" in error["detail"]
    assert len(opened) == 1 and opened[0].closed
