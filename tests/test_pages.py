"""The CTO dashboards, through Django's test client: access, figures, filters, units, queries."""

import datetime
import io
import json
import re
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.kpi.models import Dimension, ShareRun, ShareSnapshot
from budgets.models import Basis, BudgetLine, ExchangeRate
from partners.models import ResearcherDispatch
from programs.models import Track
from technologies.models import Technology, TechnologyStatus, TechnologyStatusChange

from .factories import BudgetLineFactory, CollaborationFactory, ProjectFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/technologies/", "/technologies/LF-001/", "/partners/"]
MAX_QUERIES = 15


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


# --- who sees the pages ------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES + ["/technologies/export.csv"])
def test_anonymous_readers_are_sent_to_log_in(url):
    response = browser().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["outsider", "evaluator"])
def test_roles_without_the_portfolio_are_refused(request, url, persona):
    assert browser(request.getfixturevalue(persona)).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["cto_viewer", "analyst", "ministry_editor"])
def test_cto_viewers_and_up_see_every_page(request, url, persona):
    assert browser(request.getfixturevalue(persona)).get(url).status_code == 200


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


# --- 1. overview -------------------------------------------------------------------------------


def test_overview_tiles_show_this_years_share_from_the_latest_run(cto_viewer):
    run = ShareRun.objects.latest_succeeded()
    year = timezone.localdate().year
    rows = {
        r.basis: r
        for r in ShareSnapshot.objects.filter(
            run=run, dimension=Dimension.OVERALL, fiscal_year=year
        )
    }
    executed = rows.get(Basis.EXECUTED)
    best = executed if executed and executed.status != "no_data" else rows[Basis.PLANNED]
    page = browser(cto_viewer).get("/").content.decode()
    assert f"{best.share:.2f}%" in page
    assert f"{best.target_share:.2f}%" in page
    assert f"run #{run.pk}" in page


def test_overview_counts_technologies_per_track_against_the_plan(cto_viewer):
    page = browser(cto_viewer).get("/").content.decode()
    for track, planned in [
        (Track.LEAPFROGGING, 80),
        (Track.FOUNDATIONAL, 100),
        (Track.GAME_CHANGER, 10),
    ]:
        count = (
            Technology.objects.filter(program__track=track)
            .exclude(status=TechnologyStatus.DROPPED)
            .count()
        )
        assert re.search(rf"<strong>{count}</strong> / {planned}", page), track


def test_share_path_chart_has_executed_planned_target_and_the_goal(cto_viewer):
    data = chart_data(browser(cto_viewer).get("/"), "share-path-data")
    assert data["years"] == list(range(2023, 2031))
    assert data["executed"][0] is not None and data["executed"][-1] is None  # 2030 not closed
    assert all(value is not None for value in data["planned"])
    assert data["target"][0] == "6.0000" and data["target"][5] == "15.0000"
    assert Decimal(data["goal"]) == 15
    assert data["goal_label"] == "15% goal for 2028"


def test_budget_stack_is_the_sum_of_budget_lines_per_track_and_year(cto_viewer):
    data = chart_data(browser(cto_viewer).get("/"), "budget-stack-data")
    leapfrogging = next(s for s in data["series"] if s["name"] == "Leapfrogging")
    index = data["years"].index(2024)
    won = BudgetLine.objects.filter(
        basis=Basis.PLANNED, fiscal_year=2024, project__technology__program__track="leapfrogging"
    ).aggregate(total=Sum("amount_won"))["total"]
    assert won == 148_700_000_000  # the published 2024 figure (FACTS.md)
    assert leapfrogging["values"][index] == "148.700"  # KRW billion in English
    assert leapfrogging["labels"][index] == "KRW 148.7 billion"


def test_budget_stack_follows_the_basis(cto_viewer):
    client = browser(cto_viewer)
    planned = chart_data(client.get("/"), "budget-stack-data")
    executed = chart_data(client.get("/", {"basis": "executed"}), "budget-stack-data")
    assert max(executed["years"]) < max(planned["years"])
    assert client.get("/", {"basis": "spent"}).status_code == 200  # unknown basis: planned


# --- 5. units ----------------------------------------------------------------------------------


def test_unit_switch_changes_every_amount(cto_viewer):
    client = browser(cto_viewer, language="ko")
    eok = chart_data(client.get("/"), "budget-stack-data")
    response = client.post("/units/", {"unit": "usd", "next": "/technologies/"})
    assert response.status_code == 302 and response["Location"] == "/technologies/"
    usd = chart_data(client.get("/"), "budget-stack-data")
    assert eok["axis"] == "억 원" and usd["axis"] == "백만 달러"
    rate = ExchangeRate.objects.get(fiscal_year=2024).krw_per_usd
    index = eok["years"].index(2024)
    won = 148_700_000_000
    assert eok["series"][0]["values"][index] == "1487.000"
    assert usd["series"][0]["values"][index] == f"{won / float(rate) / 1e6:.3f}"
    assert "달러" in usd["series"][0]["labels"][index]
    client.post("/units/", {"unit": "jo", "next": "/"})
    assert chart_data(client.get("/"), "budget-stack-data")["axis"] == "조 원"


def test_unknown_unit_is_refused_by_name(cto_viewer):
    response = browser(cto_viewer).post("/units/", {"unit": "yen", "next": "/"})
    assert response.status_code == 400
    assert "yen" in response.content.decode()


def test_unit_switch_never_redirects_to_another_host(cto_viewer):
    response = browser(cto_viewer).post("/units/", {"unit": "jo", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_totals_beyond_javascript_integers_reach_charts_as_strings(cto_viewer):
    technology = Technology.objects.get(code="LF-001")
    project = ProjectFactory(technology=technology, start_year=2029, end_year=2029)
    BudgetLineFactory(project=project, fiscal_year=2029, amount_won=2**53 + 1)
    data = chart_data(browser(cto_viewer).get("/technologies/LF-001/"), "budget-years-data")
    planned = data["series"][0]
    index = data["years"].index(2029)
    assert isinstance(planned["values"][index], str)
    # 20,000,000,000 won of seeded lines plus 2**53 + 1, in billions, exact to the won's rounding
    seeded = BudgetLine.objects.filter(
        project__technology=technology, fiscal_year=2029, basis=Basis.PLANNED
    ).aggregate(total=Sum("amount_won"))["total"]
    assert planned["labels"][index] == f"KRW {seeded / 10**9:,.1f} billion"


# --- 2. technologies ---------------------------------------------------------------------------


def table_codes(response):
    table = response.content.decode().split('id="technology-table"')[1].split("</table>")[0]
    return re.findall(r'<td><a href="/technologies/([^/"]+)/">', table)


def test_filters_narrow_the_table(cto_viewer):
    client = browser(cto_viewer)
    everything = client.get("/technologies/")
    assert "210 technologies match" in everything.content.decode()
    leapfrogging = client.get("/technologies/", {"track": "leapfrogging"})
    codes = table_codes(leapfrogging)
    assert len(codes) == 80 and all(code.startswith("LF-") for code in codes)
    us_semis = client.get("/technologies/", {"field": "semiconductors", "country": "US"})
    codes = set(table_codes(us_semis))
    expected = set(
        Technology.objects.filter(
            field__code="semiconductors",
            projects__collaborations__institution__country="US",
        ).values_list("code", flat=True)
    )
    assert codes == expected and codes
    searched = table_codes(client.get("/technologies/", {"q": "패키징"}))
    assert "LF-001" in searched


def test_sorting_by_planned_budget_puts_the_largest_first(cto_viewer):
    codes = table_codes(browser(cto_viewer).get("/technologies/", {"sort": "-planned_won"}))
    largest = (
        BudgetLine.objects.filter(basis=Basis.PLANNED)
        .values("project__technology__code")
        .annotate(total=Sum("amount_won"))
        .order_by("-total")
        .first()
    )
    assert codes[0] == largest["project__technology__code"]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"track": "moonshot"}, "Track"),
        ({"country": "XX"}, "Partner country"),
        ({"status": "done"}, "Status"),
        ({"sort": "price"}, "Sort by"),
        ({"year": "soon"}, "Radar year"),
        ({"year": "2999"}, "Radar year"),
        ({"rings": "colour"}, "Radar rings"),
    ],
)
def test_bad_filters_get_a_400_naming_the_filter(cto_viewer, params, named):
    response = browser(cto_viewer).get("/technologies/", params)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<span class="error" role="alert">{named}:' in page
    assert 'id="technology-table"' not in page
    assert browser(cto_viewer).get("/technologies/export.csv", params).status_code == 400


def test_a_future_radar_year_is_refused(cto_viewer):
    next_year = timezone.localdate().year + 1
    response = browser(cto_viewer).get("/technologies/", {"year": next_year})
    assert response.status_code == 400
    assert "not later" in response.content.decode()


def test_funnel_counts_the_filtered_pipeline(cto_viewer):
    data = chart_data(
        browser(cto_viewer).get("/technologies/", {"track": "game_changer"}), "funnel-data"
    )
    counts = {stage["name"]: stage["value"] for stage in data["stages"]}
    assert counts == {
        "Candidate": Technology.objects.filter(
            program__track="game_changer", status="candidate"
        ).count(),
        "Selected": Technology.objects.filter(
            program__track="game_changer", status="selected"
        ).count(),
        "In progress": 0,
        "Commercialised": 0,
    }


def radar_codes(response):
    data = chart_data(response, "radar-data")
    return [p["code"] for s in data["series"] for p in s["points"]]


def test_radar_shows_every_technology_however_many(cto_viewer):
    client = browser(cto_viewer)
    before = radar_codes(client.get("/technologies/"))
    assert len(before) == Technology.objects.exclude(status=TechnologyStatus.DROPPED).count()
    assert len(set(before)) == len(before)
    TechnologyFactory.create_batch(150)
    after = radar_codes(client.get("/technologies/"))
    assert len(after) == len(before) + 150


def test_radar_marks_technologies_that_moved_since_last_year(cto_viewer):
    this_year = timezone.localdate().year
    technology = TechnologyFactory(status=TechnologyStatus.SELECTED)
    # Its history says it was a candidate last year; saving a new status records today's move.
    TechnologyStatusChange.objects.filter(technology=technology).update(
        changed_on=datetime.date(this_year - 1, 6, 1), status=TechnologyStatus.CANDIDATE
    )
    technology.status = TechnologyStatus.IN_PROGRESS
    technology.save()
    response = browser(cto_viewer).get("/technologies/", {"q": technology.code})
    (point,) = [p for s in chart_data(response, "radar-data")["series"] for p in s["points"]]
    assert point["movement"] == "moved"
    assert point["before"] == "Candidate" and point["status"] == "In progress"
    assert technology.code in response.content.decode().split('id="moved-table"')[1]
    # A year earlier it had just entered the portfolio.
    earlier = browser(cto_viewer).get(
        "/technologies/", {"q": technology.code, "year": this_year - 1}
    )
    (point,) = [p for s in chart_data(earlier, "radar-data")["series"] for p in s["points"]]
    assert point["movement"] == "new" and point["status"] == "Candidate"


def test_radar_rings_by_horizon(cto_viewer):
    data = chart_data(browser(cto_viewer).get("/technologies/", {"rings": "horizon"}), "radar-data")
    assert data["rings"] == ["≤ 3 years", "4–6 years", "7–10 years", "> 10 years"]
    radii = [p["value"][0] for s in data["series"] for p in s["points"]]
    assert min(radii) > 0 and max(radii) < len(data["rings"])


def test_csv_export_has_every_filtered_row_not_just_one_page(cto_viewer):
    client = browser(cto_viewer)
    frame = csv_rows(client.get("/technologies/export.csv"))
    assert len(frame) == Technology.objects.count() == 210  # more than the 100-row page
    us = csv_rows(
        client.get("/technologies/export.csv", {"country": "US", "track": "leapfrogging"})
    )
    assert len(us) == len(
        table_codes(client.get("/technologies/", {"country": "US", "track": "leapfrogging"}))
    )
    assert us["partner_countries"].str.contains("US").all()
    row = frame.set_index("code").loc["LF-001"]
    assert (
        row["planned_won"]
        == BudgetLine.objects.filter(
            project__technology__code="LF-001", basis=Basis.PLANNED
        ).aggregate(total=Sum("amount_won"))["total"]
    )
    assert row["name_ko"] == "이종 칩 집적 반도체 패키징"


# --- 3. one technology -------------------------------------------------------------------------


def test_technology_page_has_its_budget_projects_partners_and_history(cto_viewer):
    response = browser(cto_viewer).get("/technologies/LF-001/")
    page = response.content.decode()
    technology = Technology.objects.get(code="LF-001")
    for project in technology.projects.all():
        assert project.project_number in page
    assert "Taiwan" in page and "United States" in page
    assert "2023-12-05" in page  # status history
    data = chart_data(response, "budget-years-data")
    assert [s["name"] for s in data["series"]] == ["Planned", "Allocated", "Executed"]
    assert data["years"] == sorted(
        set(
            BudgetLine.objects.filter(project__technology=technology).values_list(
                "fiscal_year", flat=True
            )
        )
    )


def test_unknown_technology_is_404(cto_viewer):
    assert browser(cto_viewer).get("/technologies/NO-SUCH/").status_code == 404


def test_dispatched_researchers_are_named_only_to_those_who_may_see_them(
    cto_viewer, ministry_editor
):
    dispatch = ResearcherDispatch.objects.select_related(
        "collaboration__project__technology"
    ).first()
    url = f"/technologies/{dispatch.collaboration.project.technology.code}/"
    institution = dispatch.collaboration.institution
    count = ResearcherDispatch.objects.filter(
        collaboration__project__technology=dispatch.collaboration.project.technology,
        collaboration__institution=institution,
    ).count()
    cto_page = browser(cto_viewer).get(url).content.decode()
    assert dispatch.researcher_name not in cto_page
    researchers = "1 researcher" if count == 1 else f"{count} researchers"
    assert f"{institution.name} ({institution.country.code}): {researchers}" in cto_page
    assert dispatch.researcher_name in browser(ministry_editor).get(url).content.decode()


# --- 4. partners -------------------------------------------------------------------------------


def test_world_map_is_international_won_per_country_from_the_run(cto_viewer):
    data = chart_data(browser(cto_viewer).get("/partners/"), "world-map-data")
    run = ShareRun.objects.latest_succeeded()
    us_won = ShareSnapshot.objects.filter(
        run=run, dimension=Dimension.COUNTRY, key="US", basis=Basis.PLANNED
    ).aggregate(total=Sum("international_won"))["total"]
    us = next(row for row in data["rows"] if row["numeric"] == "840")
    assert us["name"] == "United States of America"  # django-countries' name
    assert us["value"] == f"{us_won / 10**9:.3f}"
    assert "unassigned" not in {row["numeric"] for row in data["rows"]}


def test_partner_page_lists_institutions_and_centres(cto_viewer):
    page = browser(cto_viewer).get("/partners/").content.decode()
    assert "Massachusetts Institute of Technology" in page
    assert "Industry Technology Cooperation Center at MIT" in page
    assert 'id="center-table"' in page


# --- 7. queries --------------------------------------------------------------------------------


def page_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", PAGES + ["/technologies/export.csv", "/technologies/?rings=horizon"]
)
def test_pages_cost_a_fixed_number_of_queries_whatever_the_data(cto_viewer, url):
    client = browser(cto_viewer)
    client.post("/units/", {"unit": "usd", "next": "/"})
    before = page_queries(client, url)
    assert before <= MAX_QUERIES
    technology = Technology.objects.get(code="LF-001")
    for _ in range(30):
        project = ProjectFactory(technology=technology)
        collaboration = CollaborationFactory(project=project)
        BudgetLineFactory(project=project, collaboration=collaboration, is_international=True)
    TechnologyFactory.create_batch(30)
    assert page_queries(client, url) == before


# --- status history ----------------------------------------------------------------------------


def test_status_changes_are_recorded_when_saved(ministry_editor):
    technology = TechnologyFactory(status=TechnologyStatus.CANDIDATE)
    technology.name_en = "Renamed"
    technology.save()
    technology.status = TechnologyStatus.SELECTED
    technology.save()
    assert list(technology.status_changes.values_list("status", flat=True)) == [
        "candidate",
        "selected",
    ]
    assert technology.status_changes.last().changed_on == timezone.localdate()


def test_seeded_history_gives_every_technology_a_status_since_the_strategy():
    missing = Technology.objects.filter(status_changes__isnull=True)
    assert not missing.exists()
    day = timezone.localdate()
    current = Technology.objects.with_status_on(day, "status_now").values_list(
        "status", "status_now"
    )
    assert all(status == status_now for status, status_now in current)
