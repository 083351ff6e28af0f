"""One technology and the partners page; every page at a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from budgets.kpi.models import Dimension, ShareRun, ShareSnapshot
from budgets.kpi.services import share_recompute
from budgets.models import Basis, BudgetLine
from partners.models import ResearcherDispatch
from technologies.models import Technology
from tests.dashboards.pages import MAX_QUERIES, PAGES, browser, chart_data
from tests.factories import (
    BudgetLineFactory,
    CollaborationFactory,
    ProjectFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


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


def test_a_long_technology_page_shows_its_first_rows_and_all_on_request(cto_viewer):
    """72 projects at a million lines made a page of hundreds of rows: the projects and
    partners tables show their first LIST_ROWS, each with how many there are and a link to
    all; the planned won of each shown project is still its own lines' sum."""
    from partners.models import CooperationCenter
    from rdportfolio.dashboards.technology import LIST_ROWS
    from tests.factories import InstitutionFactory

    technology = TechnologyFactory(code="LONG-1")
    projects = [
        ProjectFactory(technology=technology, project_number=f"LONG-{n:02d}", start_year=2024)
        for n in range(LIST_ROWS + 3)
    ]
    for n, project in enumerate(projects):
        BudgetLineFactory(project=project, basis=Basis.PLANNED, amount_won=(n + 1) * 10**8)
        CollaborationFactory(project=project)
    # A centre known only through the last partner, which the first rows do not show.
    last = InstitutionFactory(name="Zeta Last Institute", country="ZA")
    CollaborationFactory(project=projects[-1], institution=last)
    CooperationCenter.objects.create(
        institution=last, name_ko="제타 센터", name_en="Zeta Centre", opened_year=2024
    )
    client = browser(cto_viewer)
    page = client.get("/technologies/LONG-1/").content.decode()
    shown = [p.project_number for p in projects[:LIST_ROWS]]
    assert all(number in page for number in shown)
    assert projects[-1].project_number not in page.split('id="partners"')[0]
    assert f"The first {LIST_ROWS} of {len(projects)} projects are shown" in page
    assert f"The first {LIST_ROWS} of {len(projects) + 1} collaborations are shown" in page
    assert "Zeta Centre" in page  # centres still come from every partner
    # Each shown project's planned won is its own line's: 1억 for the first, 2억 the next.
    assert re.search(r"<td>LONG-00</td>(?:(?!</tr>).)*KRW 0\.1 billion</td></tr>", page)
    assert re.search(r"<td>LONG-01</td>(?:(?!</tr>).)*KRW 0\.2 billion</td></tr>", page)
    whole = client.get("/technologies/LONG-1/?all=1").content.decode()
    assert all(p.project_number in whole for p in projects)
    main = whole.split('<main id="main"')[1]  # the demo banner above it says "are shown" too
    assert "Zeta Last Institute" in main and "are shown" not in main
    korean = browser(cto_viewer, language="ko").get("/technologies/LONG-1/").content.decode()
    assert f"과제 {len(projects)}개 중 처음 {LIST_ROWS}개" in korean


def test_a_technologys_rows_read_each_cell_in_the_readers_language(cto_viewer):
    """The projects and partners tables are built from plain rows (the page at a million
    lines): each cell still says what the record holds, labels translated."""
    from decimal import Decimal

    from partners.models import CollaborationRole, CooperationCenter, IPAgreement
    from tests.factories import InstitutionFactory

    technology = TechnologyFactory(code="ROWS-1")
    project = ProjectFactory(
        technology=technology,
        project_number="ROWS-P1",
        title_ko="행 시험 과제",
        title_en="Row test project",
        development_phase="applied",
        status="in_progress",
        start_year=2025,
        end_year=2027,
    )
    BudgetLineFactory(project=project, basis=Basis.PLANNED, amount_won=3 * 10**8)
    munich = InstitutionFactory(name="Munich Institute", country="DE")
    centre = CooperationCenter.objects.create(
        institution=munich, name_ko="뮌헨 센터", name_en="Munich Centre", opened_year=2024
    )
    with_ip = CollaborationFactory(
        project=project,
        institution=munich,
        center=centre,
        role=CollaborationRole.CO_RESEARCHER,
        contribution_won=5 * 10**8,
    )
    IPAgreement.objects.create(
        collaboration=with_ip,
        domestic_share_percent=Decimal("62.50"),
        foreign_share_percent=Decimal("37.50"),
        implementation_right="exclusive",
        territory="KR, US",
    )
    CollaborationFactory(
        project=project, institution=InstitutionFactory(name="Zurich Lab", country="CH")
    )

    def cells(page, first_cell):
        row = re.search(rf"<tr>\s*<td>{first_cell}(.*?)</tr>", page, re.S).group(0)
        return [
            re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]

    english = browser(cto_viewer, "en").get("/technologies/ROWS-1/").content.decode()
    assert cells(english, "ROWS-P1") == [
        "ROWS-P1",
        "Row test project",
        "(주)시험",
        "2025–2027",
        "Applied research",
        "In progress",
        "KRW 0.3 billion",
    ]
    assert cells(english, "Munich Institute") == [
        "Munich Institute<br><small>via 뮌헨 센터</small>",
        "Germany",
        "Joint researcher",
        "ROWS-P1",
        "2024–2028",
        "KRW 0.5 billion",
        "62.50% / 37.50%",
        "Exclusive, South Korea, United States of America",
    ]
    zurich = cells(english, "Zurich Lab")
    assert zurich[1] == "Switzerland" and zurich[6:] == [
        '<span class="warning">no agreement</span>',
        "–",
    ]
    korean = browser(cto_viewer, "ko").get("/technologies/ROWS-1/").content.decode()
    assert cells(korean, "ROWS-P1")[1] == "행 시험 과제"
    munich_ko = cells(korean, "Munich Institute")
    assert munich_ko[0] == "Munich Institute<br><small>경유 뮌헨 센터</small>"
    assert munich_ko[1] == "독일" and munich_ko[2] == "공동 연구"


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


@pytest.mark.parametrize("unit", ["eok", "usd"])
@pytest.mark.parametrize(
    "url",
    PAGES + ["/technologies/export.csv", "/technologies/?rings=horizon", "/technologies/?q=Test"],
)
def test_pages_cost_a_fixed_number_of_queries_whatever_the_data(cto_viewer, url, unit):
    client = browser(cto_viewer)
    client.post("/units/", {"unit": unit, "next": "/"})
    before = page_queries(client, url)
    assert before <= MAX_QUERIES + (unit == "usd")  # dollars read the yearly rates too
    technology = Technology.objects.get(code="LF-001")
    for _ in range(30):
        project = ProjectFactory(technology=technology)
        collaboration = CollaborationFactory(project=project)
        BudgetLineFactory(project=project, collaboration=collaboration, is_international=True)
    TechnologyFactory.create_batch(30)
    share_recompute()  # the rollups grow with the new lines and technologies too
    assert page_queries(client, url) == before
