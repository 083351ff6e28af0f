"""Drill-down: what a chart's point, bar, stage or country stands for opens the list it
filters; the partners page filtered by year, country, kind and text, with per-year figures."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Sum

from budgets.kpi.models import Dimension, ShareRun, ShareSnapshot
from budgets.models import Basis, BudgetLine
from partners.models import InstitutionKind
from technologies.models import Technology
from tests.dashboards.pages import browser, chart_data

pytestmark = pytest.mark.django_db


def test_every_radar_point_opens_its_technology(cto_viewer):
    client = browser(cto_viewer)
    data = chart_data(client.get("/technologies/"), "radar-data")
    points = [p for s in data["series"] for p in s["points"]]
    assert points
    assert all(p["url"] == f"/technologies/{p['code']}/" for p in points)
    assert client.get(points[0]["url"]).status_code == 200


def test_a_pipeline_stage_narrows_the_list_as_it_stands_to_that_status(cto_viewer):
    client = browser(cto_viewer)
    data = chart_data(client.get("/technologies/", {"track": "leapfrogging"}), "status-counts-data")
    for stage in data["stages"]:
        query = parse_qs(urlsplit(stage["url"]).query)
        assert query["track"] == ["leapfrogging"]  # the filters already chosen stay
        status = query["status"][0]
        page = client.get(stage["url"])
        assert page.status_code == 200
        expected = Technology.objects.filter(program__track="leapfrogging", status=status).count()
        assert page.context["total"] == expected == stage["value"]


def test_a_map_country_and_a_budget_bar_open_their_lists(cto_viewer):
    client = browser(cto_viewer)
    rows = chart_data(client.get("/partners/"), "world-map-data")["rows"]
    us = next(r for r in rows if r["url"].endswith("country=US"))
    listed = client.get(us["url"]).context["total"]
    assert listed == Technology.objects.with_partner_country("US").count() > 0
    series = chart_data(client.get("/"), "budget-stack-data")["series"]
    for s in series:
        track = parse_qs(urlsplit(s["url"]).query)["track"][0]
        assert (
            client.get(s["url"]).context["total"]
            == Technology.objects.filter(program__track=track).count()
        )


def test_partners_of_one_year_show_that_years_figures(cto_viewer):
    run = ShareRun.objects.latest_succeeded()
    response = browser(cto_viewer).get("/partners/", {"year": 2026})
    assert response.status_code == 200
    expected = dict(
        ShareSnapshot.objects.filter(
            run=run, dimension=Dimension.COUNTRY, basis=Basis.PLANNED, fiscal_year=2026
        ).values_list("key", "international_won")
    )
    rows = response.context["map_rows"]
    assert rows and {r["code"]: r["won"] for r in rows} == {k: v for k, v in expected.items() if v}
    institution = response.context["institutions"][0]
    direct = BudgetLine.objects.filter(
        collaboration__institution=institution.pk,
        fiscal_year=2026,
        basis=Basis.PLANNED,
        is_international=True,
    ).aggregate(won=Sum("amount_won"))["won"]
    assert institution.international_won == direct


def test_over_all_years_each_country_has_a_column_per_year(cto_viewer):
    response = browser(cto_viewer).get("/partners/")
    years = response.context["years"]
    assert years == sorted(years) and len(years) > 3
    page = response.content.decode()
    for year in years:
        assert f'<th scope="col" class="num">{year}</th>' in page
    assert all(len(r["years"]) == len(years) for r in response.context["map_rows"])


def test_partners_filtered_by_country_kind_and_text(cto_viewer):
    client = browser(cto_viewer)
    response = client.get("/partners/", {"country": "US"})
    assert [r["code"] for r in response.context["map_rows"]] == ["US"]
    assert response.context["institutions"]
    assert all(i.country_code == "US" for i in response.context["institutions"])
    assert all(c.country_code == "US" for c in response.context["centers"])
    institutes = client.get("/partners/", {"kind": "research_institute"}).context["institutions"]
    assert institutes
    assert all(i.kind == InstitutionKind.RESEARCH_INSTITUTE.label for i in institutes)
    for text in ("Massachusetts", "매사추세츠"):
        names = [i.name for i in client.get("/partners/", {"q": text}).context["institutions"]]
        assert "Massachusetts Institute of Technology" in names, text
    centers = client.get("/partners/", {"q": "MIT"}).context["centers"]
    # The centre at MIT is found by its own name (its host's name has no "MIT" in it).
    assert "Industry Technology Cooperation Center at MIT" in [c.name for c in centers]
    for c in centers:
        names = (c.name, c.institution)  # the reader's language's name, its host's name
        assert any("mit" in name.casefold() for name in names), names


@pytest.mark.parametrize(
    ("params", "message"),
    [({"year": "soon"}, "Year"), ({"country": "ZZ"}, "Partner country"), ({"kind": "x"}, "Kind")],
)
def test_a_bad_partner_filter_is_refused_by_name(cto_viewer, params, message):
    response = browser(cto_viewer).get("/partners/", params)
    assert response.status_code == 400
    assert f"<li>{message}: " in response.content.decode()


def test_the_technology_csv_with_korean_labels_has_the_same_rows(cto_viewer):
    from django.utils import translation

    from programs.models import Track
    from technologies.models import TechnologyStatus
    from tests.dashboards.pages import csv_rows

    client = browser(cto_viewer)
    params = {"track": "leapfrogging"}
    codes = csv_rows(client.get("/technologies/export.csv", params))
    korean = csv_rows(client.get("/technologies/export.csv", {**params, "labels": "ko"}))
    assert list(korean.columns)[:6] == ["코드", "국문명", "영문명", "트랙", "분야", "상태"]
    assert list(korean["코드"]) == list(codes["code"])
    assert list(korean["계획 예산(원)"]) == list(codes["planned_won"])
    with translation.override("ko"):
        assert set(korean["트랙"]) == {str(Track.LEAPFROGGING.label)}
        statuses = {str(label) for _code, label in TechnologyStatus.choices}
    assert set(korean["상태"]) <= statuses
    refused = client.get("/technologies/export.csv", {"labels": "fr"})
    assert refused.status_code == 400 and "labels must be" in refused.content.decode()


def test_ip_territories_read_in_the_pages_language(cto_viewer):
    from partners.models import IPAgreement

    agreement = IPAgreement.objects.select_related("collaboration__project__technology").first()
    agreement.territory = "worldwide"
    agreement.save()
    code = agreement.collaboration.project.technology.code
    korean = browser(cto_viewer, "ko").get(f"/technologies/{code}/").content.decode()
    assert "worldwide" not in korean and "전 세계" in korean
    agreement.territory = "KR, US"
    agreement.save()
    english = browser(cto_viewer, "en").get(f"/technologies/{code}/").content.decode()
    assert "South Korea, United States of America" in english


def test_radar_points_are_numbered_as_the_list_beside_it(cto_viewer):
    response = browser(cto_viewer).get("/technologies/")
    data = chart_data(response, "radar-data")
    numbered = {p["code"]: p["n"] for s in data["series"] for p in s["points"]}
    assert sorted(numbered.values()) == list(range(1, len(numbered) + 1))
    listed = [
        (p["n"], p["code"])
        for group in response.context["radar_list"]
        for ring in group["rings"]
        for p in ring["points"]
    ]
    assert [n for n, _code in listed] == list(range(1, len(numbered) + 1))  # in list order
    assert all(numbered[code] == n for n, code in listed)
    page = response.content.decode()
    first = listed[0]
    assert f'<li value="{first[0]}"><a href="/technologies/{first[1]}/">' in page


def test_a_technologys_rationale_is_in_the_pages_language(cto_viewer):
    technology = Technology.objects.get(code="LF-001")
    assert technology.value_chain_rationale and technology.value_chain_rationale_en
    korean = browser(cto_viewer, "ko").get("/technologies/LF-001/").content.decode()
    english = browser(cto_viewer, "en").get("/technologies/LF-001/").content.decode()
    assert technology.value_chain_rationale in korean
    assert technology.value_chain_rationale_en not in korean
    assert technology.value_chain_rationale_en.replace("'", "&#x27;") in english


def test_the_migration_moves_english_only_rationales_to_the_english_field():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("technologies.migrations.0006_technology_rationale_english")
    english = Technology.objects.get(code="LF-002")
    english.value_chain_rationale, english.value_chain_rationale_en = "Named among them.", ""
    english.save()
    korean = Technology.objects.get(code="LF-003")
    korean.value_chain_rationale, korean.value_chain_rationale_en = "후보 중 하나.", ""
    korean.save()
    migration.rationale_by_language(apps, None)
    english.refresh_from_db()
    korean.refresh_from_db()
    assert (english.value_chain_rationale, english.value_chain_rationale_en) == (
        "",
        "Named among them.",
    )
    assert (korean.value_chain_rationale, korean.value_chain_rationale_en) == ("후보 중 하나.", "")
