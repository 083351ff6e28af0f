"""One search box for the portfolio: technologies, projects, companies, institutions, centres."""

import pytest
from django.db.models import Q

from technologies.models import Project, Technology
from tests.dashboards.pages import browser

pytestmark = pytest.mark.django_db


def hits(client, text):
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    return {s["key"]: s["hits"] for s in response.context["sections"]}


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Massachusetts", "institutions", "Massachusetts Institute of Technology"),
        ("매사추세츠", "institutions", "Massachusetts Institute of Technology"),
        ("Caltech", "institutions", "Caltech"),
        ("imec", "institutions", "imec"),
        ("Stanford", "centres", "스탠퍼드 산업기술협력센터"),  # Korean page, Korean name
        ("산업기술협력센터", "centres", "MIT 산업기술협력센터"),
    ],
)
def test_institutions_and_centres_are_found_in_either_language(cto_viewer, text, kind, expected):
    found = hits(browser(cto_viewer, "ko" if kind == "centres" else "en"), text)[kind]
    assert any(expected in hit["label"] for hit in found), (text, found)


def test_a_company_is_found_with_its_projects_and_leads_to_its_technologies(cto_viewer):
    client = browser(cto_viewer)
    company = Project.objects.filter(lead_organisation__contains="다온").first().lead_organisation
    found = hits(client, "다온")["companies"]
    hit = next(h for h in found if h["label"] == company)
    assert hit["detail"] == Project.objects.filter(lead_organisation=company).count()
    listed = client.get(hit["url"]).context["total"]
    assert (
        listed == Technology.objects.filter(projects__lead_organisation=company).distinct().count()
    )


def test_technologies_and_projects_by_code_number_and_name(cto_viewer):
    client = browser(cto_viewer)
    technology = Technology.objects.get(code="LF-001")
    found = hits(client, technology.name_en.split()[0])["technologies"]
    assert any(h["url"] == "/technologies/LF-001/" for h in found)
    project = technology.projects.first()
    found = hits(client, project.project_number)["projects"]
    assert [h["url"] for h in found] == ["/technologies/LF-001/"]


def test_the_technology_list_finds_technologies_by_their_partners(cto_viewer):
    client = browser(cto_viewer)
    total = client.get("/technologies/", {"q": "Massachusetts"}).context["total"]
    assert (
        total
        == Technology.objects.filter(
            projects__collaborations__institution__name="Massachusetts Institute of Technology"
        )
        .distinct()
        .count()
        > 0
    )


@pytest.mark.parametrize("term", ["LF-00", "패키징", "Institute", "대학", "다온", "RS-20", "zzz"])
def test_the_technology_lists_search_matches_a_plain_reading_of_every_field(cto_viewer, term):
    """The list's text search (two subqueries, read once a page) finds exactly the
    technologies whose own code or names, or one of whose projects' number, titles or lead
    organisation, or one of whose partners' names holds the text, whatever its case."""
    from partners.models import Collaboration

    def holds(*values):
        return any(term.casefold() in (value or "").casefold() for value in values)

    expected = {t.code for t in Technology.objects.all() if holds(t.code, t.name_ko, t.name_en)}
    expected |= {
        p.technology.code
        for p in Project.objects.select_related("technology")
        if holds(p.project_number, p.title_ko, p.title_en, p.lead_organisation)
    }
    expected |= {
        c.project.technology.code
        for c in Collaboration.objects.select_related("project__technology", "institution")
        if holds(c.institution.name, c.institution.name_ko)
    }
    response = browser(cto_viewer).get("/technologies/", {"q": term})
    assert response.status_code == 200
    assert response.context["total"] == len(expected)
    listed = browser(cto_viewer).get("/technologies/export.csv", {"q": term})
    codes = {
        line.split(",")[0] for line in b"".join(listed.streaming_content).decode().splitlines()[1:]
    }
    assert codes == expected


def test_hits_per_kind_are_capped_and_say_there_are_more(cto_viewer):
    response = browser(cto_viewer).get("/search/", {"q": "-"})  # every project number has one
    projects = next(s for s in response.context["sections"] if s["key"] == "projects")
    assert len(projects["hits"]) == 20 and projects["more"]
    assert "More match" in response.content.decode()


def test_a_search_too_long_is_refused_by_name_and_an_empty_one_asks(cto_viewer):
    client = browser(cto_viewer)
    response = client.get("/search/", {"q": "x" * 101})
    assert response.status_code == 400
    assert "Search: Ensure this value has at most 100 characters" in response.content.decode()
    response = client.get("/search/")
    assert response.status_code == 200 and response.context["sections"] == []


def test_on_postgresql_the_project_text_search_can_use_its_trigram_index(on_postgresql):
    """The index (technologies migration 0008) is over the very expressions Django writes for
    icontains, UPPER(col::text): an index on other expressions would never be used, and the
    search would scan every project again (11–17 ms at 14,000 projects)."""
    from django.db import connection, transaction

    projects = (
        Project.objects.filter(
            Q(project_number__icontains="Institute")
            | Q(title_ko__icontains="Institute")
            | Q(title_en__icontains="Institute")
            | Q(lead_organisation__icontains="Institute")
        )
        .order_by()
        .values("technology_id")
    )  # as the search's subquery: no order
    sql, params = projects.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # A test database is small enough that a scan is cheaper: take scans off the table
        # to see whether the index can answer at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "technologies_project_text_trgm" in plan, plan
