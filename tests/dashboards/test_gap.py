"""The overview's first answer (will the target year reach its target?) and where the gap
is, by track, field and partner country: figures checked against the budget lines."""

import pytest
from django.db.models import Q, Sum
from hypothesis import given
from hypothesis import strategies as st

from budgets.kpi.models import Dimension, ShareRun, ShareSnapshot
from budgets.models import Basis, BudgetLine, CollaborationTarget, TargetPlan
from rdportfolio.core.money import apportion
from tests.dashboards.pages import browser

pytestmark = pytest.mark.django_db


@given(
    total=st.integers(min_value=0, max_value=10**15),
    weights=st.lists(st.integers(min_value=0, max_value=10**14), min_size=1, max_size=12),
)
def test_apportioned_parts_add_up_to_the_whole_and_follow_the_weights(total, weights):
    parts = apportion(total, weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(part - exact) < 1 + 1e-6 * exact  # within one won of the exact share


def final_target():
    plan = TargetPlan.objects.current()
    return CollaborationTarget.objects.filter(plan=plan).order_by("-fiscal_year").first()


def best_overall(year):
    run = ShareRun.objects.latest_succeeded()
    rows = {
        r.basis: r
        for r in ShareSnapshot.objects.filter(
            run=run, dimension=Dimension.OVERALL, fiscal_year=year
        )
    }
    executed = rows.get(Basis.EXECUTED)
    return executed if executed and executed.status != "no_data" else rows[Basis.PLANNED]


def test_the_overview_opens_with_the_target_years_answer(cto_viewer):
    target = final_target()
    best = best_overall(target.fiscal_year)
    response = browser(cto_viewer).get("/")
    page = response.content.decode()
    headline = page[
        page.index("data-headline") : page.index("</section>", page.index("data-headline"))
    ]
    goal = f"{target.target_share.normalize():f}%"
    assert f"Will {goal} be reached in {target.fiscal_year}?" in headline
    assert f"{best.share:.2f}%" in headline and f"{best.target_share:.2f}%" in headline
    assert best.get_status_display() in headline
    # It comes before every other figure of the page.
    assert page.index("data-headline") < page.index('data-tile="share"')
    if best.gap_won > 0:
        assert "short" in headline
        assert response.context["display"].text(best.gap_won, target.fiscal_year) in headline


def test_the_answer_in_korean(cto_viewer):
    target = final_target()
    page = browser(cto_viewer, language="ko").get("/").content.decode()
    assert f"{target.fiscal_year}년에 {target.target_share.normalize():f}%" in page
    assert "어디가 모자란가" in page


def lines_of(year, basis, **filters):
    return BudgetLine.objects.filter(fiscal_year=year, basis=basis, **filters)


def won(queryset, condition=None):
    return queryset.aggregate(won=Sum("amount_won", filter=condition))["won"] or 0


def test_track_and_field_shortfalls_add_up_to_the_gap_and_match_the_lines(cto_viewer):
    target = final_target()
    year = target.fiscal_year
    best = best_overall(year)
    gap = browser(cto_viewer).get("/").context["gap"]
    assert gap["year"] == year
    for rows, path in [
        (gap["tracks"], "project__technology__program__track"),
        (gap["fields"], "project__technology__field__code"),
    ]:
        assert rows, path
        assert sum(r.gap for r in rows) == best.gap_won
        assert sum(r.part for r in rows) == best.target_won
        everything = won(lines_of(year, best.basis))
        for r in rows:
            mine = lines_of(year, best.basis, **{path: r.key})
            assert r.budget == won(mine)
            assert r.international == won(mine, Q(is_international=True))
            assert abs(r.part - best.target_won * r.budget / everything) <= 1
            assert r.gap == r.part - r.international


def test_countries_show_what_each_adds_this_year_and_the_year_before(cto_viewer):
    year = final_target().fiscal_year
    gap = browser(cto_viewer).get("/").context["gap"]
    assert gap["countries"]
    for row in gap["countries"]:
        for fiscal_year, amount in [(year, row.international), (year - 1, row.previous)]:
            basis = best_overall(fiscal_year).basis
            lines = lines_of(fiscal_year, basis, collaboration__institution__country=row.key)
            assert amount == won(lines), (row.key, fiscal_year)
    assert [r.international for r in gap["countries"]] == sorted(
        (r.international for r in gap["countries"]), reverse=True
    )


def test_any_year_can_be_broken_down_and_rows_lead_to_their_technologies(cto_viewer):
    client = browser(cto_viewer)
    response = client.get("/", {"gap_year": 2026})
    gap = response.context["gap"]
    assert gap["year"] == 2026 and gap["previous_year"] == 2025
    page = response.content.decode()
    assert "Shortfall by track, 2026" in page
    for row in gap["tracks"]:
        assert f'href="/technologies/?track={row.key}"' in page
        assert client.get(row.url).status_code == 200
    country = next(r for r in gap["countries"] if r.url)
    assert client.get(country.url).status_code == 200


@pytest.mark.parametrize(
    ("value", "message"),
    [("2040", "2040 is not a year the figures cover"), ("soon", "soon is not a year")],
)
def test_a_year_outside_the_figures_is_refused_by_name(cto_viewer, value, message):
    response = browser(cto_viewer).get("/", {"gap_year": value})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_without_figures_the_page_says_so_and_shows_no_gap(cto_viewer):
    ShareRun.objects.all().delete()
    response = browser(cto_viewer).get("/")
    assert response.status_code == 200
    assert response.context["gap"] is None and response.context["headline"] is None
