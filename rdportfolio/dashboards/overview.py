"""The overview: the share against its target path, the gap, budgets by track and year."""

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.kpi.models import BudgetRollup, Dimension, ShareRun, ShareSnapshot, ShareStatus
from budgets.models import Basis, CollaborationTarget, TargetPlan
from partners.models import Institution
from programs.models import TRACK_ORDER, Program, Track
from technologies.models import TechnologyStatus

from .access import dashboard_page, percent, reader_display
from .filters import BasisForm


def share_path(run) -> list[dict]:
    """Per year: executed and planned share, target, gaps; for the chart and the table."""
    rows = (
        ShareSnapshot.objects.filter(run=run, dimension=Dimension.OVERALL)
        .exclude(basis=Basis.ALLOCATED)
        .order_by("fiscal_year", "basis")
        if run
        else []
    )
    years: dict[int, dict] = defaultdict(dict)
    for row in rows:
        years[row.fiscal_year][row.basis] = row
    path = []
    for year, by_basis in sorted(years.items()):
        executed = by_basis.get(Basis.EXECUTED)
        planned = by_basis.get(Basis.PLANNED)
        if executed and executed.status == ShareStatus.NO_DATA:
            executed = None
        any_row = executed or planned
        path.append(
            {
                "year": year,
                "executed": executed,
                "planned": planned,
                "target_share": any_row.target_share if any_row else None,
                "best": executed or planned,
            }
        )
    return path


def _budget_chart(display, basis: str, run) -> dict:
    """Budget per track and year, summed from the technology rollups of ``run``."""
    by_track = (
        BudgetRollup.objects.of_run(run)
        .filter(basis=basis, technology__isnull=False)
        .order_by()
        .values_list("fiscal_year", "technology__program__track")
        .annotate(total=Sum("total_won"))
    )
    years = sorted({year for year, _track, _total in by_track})
    cells = {(track, year): int(total) for year, track, total in by_track}
    tracks = dict(Track.choices)
    series = [
        {
            "name": str(tracks[track]),
            "values": [display.value(cells.get((track, y), 0), y) for y in years],
            "labels": [display.text(cells.get((track, y), 0), y) for y in years],
        }
        for track in TRACK_ORDER
        if any((track, y) in cells for y in years)
    ]
    return {"years": years, "series": series, "axis": display.axis_label}


def _share_chart(path: list[dict], final_target) -> dict:
    def point(row):
        return None if row is None or row.share is None else str(row.share)

    return {
        "years": [p["year"] for p in path],
        "executed": [point(p["executed"]) for p in path],
        "planned": [point(p["planned"]) for p in path],
        "target": [None if p["target_share"] is None else str(p["target_share"]) for p in path],
        "goal": str(final_target.target_share) if final_target else None,
        "goal_label": (
            _("%(share)s%% goal for %(year)s")
            % {
                "share": f"{final_target.target_share.normalize():f}",
                "year": final_target.fiscal_year,
            }
            if final_target
            else ""
        ),
        "names": {
            "executed": _("Executed"),
            "planned": _("Planned (projection)"),
            "target": _("Target path"),
        },
    }


def _path_texts(path: list[dict], display) -> None:
    for p in path:
        best = p["best"]
        p["share_text"] = percent(best.share if best else None)
        p["target_text"] = percent(p["target_share"])
        p["international_text"] = display.text(best.international_won if best else None, p["year"])
        gap = best.gap_won if best else None
        p["gap_text"] = display.text(gap, p["year"])
        # The tile says it in words: a negative gap is a lead, not a shortfall.
        p["gap_abs_text"] = display.text(abs(gap) if gap is not None else None, p["year"])
        p["gap_is_shortfall"] = gap is not None and gap > 0


@dashboard_page
def overview(request):
    display = reader_display(request)
    basis_form = BasisForm(request.GET or None)
    budget_basis = basis_form.basis_value()
    freshness = ShareRun.objects.freshness()
    run = freshness.run
    path = share_path(run)
    this_year = timezone.localdate().year
    current = next((p for p in path if p["year"] == this_year), path[-1] if path else None)
    plan = TargetPlan.objects.current()
    final_target = (
        CollaborationTarget.objects.filter(plan=plan).order_by("-fiscal_year").first()
        if plan
        else None
    )
    programs = sorted(
        Program.objects.strategy().annotate(
            technology_count=Count(
                "technologies", filter=~Q(technologies__status=TechnologyStatus.DROPPED)
            )
        ),
        key=lambda program: TRACK_ORDER.index(program.track),
    )
    # Institutions that have a collaboration: a semi-join, not a join over every collaboration.
    partners = Institution.objects.partners().aggregate(
        institutions=Count("pk"), countries=Count("country", distinct=True)
    )
    _path_texts(path, display)
    context = {
        "run": run,
        "freshness": freshness,
        "current": current,
        "this_year": this_year,
        "path": path,
        "programs": programs,
        "partners": partners,
        "share_chart": _share_chart(path, final_target),
        "budget_chart": _budget_chart(display, budget_basis, run),
        "budget_basis": budget_basis,
        "basis_form": basis_form,
        "final_target": final_target,
        "display": display,
    }
    return render(request, "dashboards/overview.html", context)
