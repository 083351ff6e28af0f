"""The technology list: filters, sort, the status counts, the radar, the CSV; the status history."""

import datetime
import re

import pytest
from django.db.models import Sum
from django.utils import timezone

from budgets.models import Basis, BudgetLine
from technologies.models import Technology, TechnologyStatus, TechnologyStatusChange
from tests.dashboards.pages import browser, chart_data, csv_rows
from tests.factories import (
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


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


def test_status_counts_follow_the_filters(cto_viewer):
    data = chart_data(
        browser(cto_viewer).get("/technologies/", {"track": "game_changer"}), "status-counts-data"
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
    assert min(radii) > 0 and max(radii) <= 1
    assert len(data["ring_edges"]) == len(data["rings"]) and data["ring_edges"][-1] == 1


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


def test_partner_counts_and_the_sort_by_them_come_from_the_latest_recompute(cto_viewer):
    # Counted by the recompute from every collaboration (see PartnerRollup), not per request:
    # the CSV and the sort agree with a count of the collaborations as the run saw them.
    from budgets.kpi.services import share_recompute
    from partners.models import Collaboration
    from tests.factories import CollaborationFactory, InstitutionFactory

    share_recompute(force=True)
    partners: dict[str, set] = {}
    for code, institution_id in Collaboration.objects.values_list(
        "project__technology__code", "institution_id"
    ):
        partners.setdefault(code, set()).add(institution_id)
    client = browser(cto_viewer)
    frame = csv_rows(client.get("/technologies/export.csv")).set_index("code")
    counts = {code: len(partners.get(code, ())) for code in frame.index}
    assert frame["partner_count"].to_dict() == counts and max(counts.values()) > 1
    codes = table_codes(client.get("/technologies/", {"sort": "-partner_count"}))
    assert [counts[code] for code in codes] == sorted(
        (counts[code] for code in codes), reverse=True
    )
    assert counts[codes[0]] == max(counts.values())
    # A new partner shows once the recompute it requested has run.
    technology = Technology.objects.get(code=codes[-1])
    project = technology.projects.first()
    assert project is not None
    CollaborationFactory(project=project, institution=InstitutionFactory(country="NZ"))
    stale = csv_rows(client.get("/technologies/export.csv")).set_index("code")
    assert stale.loc[technology.code, "partner_count"] == counts[technology.code]
    share_recompute()
    fresh = csv_rows(client.get("/technologies/export.csv")).set_index("code")
    assert fresh.loc[technology.code, "partner_count"] == counts[technology.code] + 1
    assert "NZ" in fresh.loc[technology.code, "partner_countries"].split()


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
