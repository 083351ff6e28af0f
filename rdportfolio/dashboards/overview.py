"""The overview: the share against its target path, the gap, budgets by track and year."""

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from budgets.figures import figure_basis
from budgets.kpi.models import (
    Dimension,
    FieldRollup,
    ShareRun,
    ShareSnapshot,
    TargetOrigin,
)
from budgets.models import Basis, CollaborationTarget, TargetPlan, TotalBasis
from partners.models import Institution
from programs.models import TRACK_ORDER, Program, Track
from technologies.models import TechnologyStatus

from .access import dashboard_page, percent, reader_display
from .filters import BasisForm, GapYearForm
from .gap import gap_breakdown, gap_texts


@dataclass(frozen=True, kw_only=True)
class PathYear:
    """A year of the share path: its KPI figure (``best``), the other bases beside it, the
    target and where it came from; with its amounts as the reader reads them once
    ``_path_texts`` gave them (empty before)."""

    year: int
    closed: bool
    executed: ShareSnapshot | None
    planned: ShareSnapshot | None
    in_progress: ShareSnapshot | None  # executed so far, in a year not closed
    target_share: Decimal | None
    target_origin: str
    target_assumed: bool
    best: ShareSnapshot | None
    share_text: str = ""
    target_text: str = ""
    international_text: str = ""
    gap_text: str = ""
    gap_abs_text: str = ""  # the tile says it in words: a negative gap is a lead
    gap_is_shortfall: bool = False
    in_progress_text: str = ""


def share_path(run) -> list[PathYear]:
    """Per year: its KPI figure (``best``: executed once the ministry closed the year, planned
    until then), the execution so far of a year not closed, the target and where it came
    from; for the chart and the table."""
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
        any_row = planned or executed
        if any_row is None:
            continue  # a year of allocated lines only: no KPI figure
        closed = any_row.year_closed
        in_progress = executed if not closed and executed and executed.share is not None else None
        path.append(
            PathYear(
                year=year,
                closed=closed,
                executed=executed if closed else None,
                planned=planned,
                in_progress=in_progress,
                target_share=any_row.target_share,
                target_origin=any_row.target_origin,
                target_assumed=any_row.target_origin in ASSUMED_TARGETS,
                best=by_basis.get(figure_basis(year, {year} if closed else ())),
            )
        )
    return path


ASSUMED_TARGETS = (TargetOrigin.INTERPOLATED, TargetOrigin.HELD)


def counting_rules(path: list[PathYear], run) -> dict:
    """What the figures on the page count, said with this run's own inputs: the closed
    years, the totals divided by, the published target points and their sources."""
    points = []
    if run is not None and run.target_plan_id:
        points = list(
            CollaborationTarget.objects.filter(plan_id=run.target_plan_id).order_by("fiscal_year")
        )
    closed = [p.year for p in path if p.closed]
    return {
        "closed_years": ", ".join(map(str, closed)) or "–",
        "open_years": ", ".join(str(p.year) for p in path if not p.closed) or "–",
        "budgeted_fallback": ", ".join(
            str(p.year)
            for p in path
            if p.closed and p.best and p.best.total_basis == TotalBasis.BUDGETED
        ),
        "points": points,
        "assumed_years": ", ".join(str(p.year) for p in path if p.target_assumed),
    }


def _budget_chart(display, basis: str, run) -> dict:
    """Budget per track and year, summed from the field rollups of ``run``."""
    by_track = (
        FieldRollup.objects.of_run(run)
        .filter(basis=basis)
        .order_by()
        .values_list("fiscal_year", "track")
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
            "url": f"{reverse('dashboards:technologies')}?{urlencode({'track': track})}",
        }
        for track in TRACK_ORDER
        if any((track, y) in cells for y in years)
    ]
    # The table under the chart: each year's amount per track, as the tooltips write them.
    table = [{"year": y, "cells": [s["labels"][i] for s in series]} for i, y in enumerate(years)]
    return {"years": years, "series": series, "axis": display.axis_label, "table": table}


def _share_chart(path: list[PathYear], final_target) -> dict:
    def point(row):
        return None if row is None or row.share is None else str(row.share)

    return {
        "years": [p.year for p in path],
        "executed": [point(p.executed) for p in path],
        "planned": [point(p.planned) for p in path],
        "in_progress": [point(p.in_progress) for p in path],
        "target": [None if p.target_share is None else str(p.target_share) for p in path],
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
        "label": _("Share by year: %(figures)s.")
        % {
            "figures": "; ".join(
                f"{p.year} {percent(p.best.share if p.best else None)}"
                f" ({_('target')} {percent(p.target_share)})"
                for p in path
            )
        },
        "names": {
            "executed": _("Executed (year closed)"),
            "planned": _("Planned (projection)"),
            "target": _("Target path"),
            "in_progress": _("Executed so far (year not closed)"),
        },
    }


def _path_texts(path: list[PathYear], display) -> list[PathYear]:
    texts = []
    for p in path:
        best = p.best
        gap = best.gap_won if best else None
        texts.append(
            replace(
                p,
                share_text=percent(best.share if best else None),
                target_text=percent(p.target_share),
                international_text=display.text(best.international_won if best else None, p.year),
                gap_text=display.text(gap, p.year),
                gap_abs_text=display.text(abs(gap) if gap is not None else None, p.year),
                gap_is_shortfall=gap is not None and gap > 0,
                in_progress_text=percent(p.in_progress.share) if p.in_progress else "",
            )
        )
    return texts


def _headline(path: list[PathYear], final_target, display) -> dict | None:
    """The question the page answers first: will the target year reach its target, by how
    much is it short, and which years of the path are behind."""
    if final_target is None:
        return None
    row = next((p for p in path if p.year == final_target.fiscal_year), None)
    if row is None or row.best is None or row.best.share is None:
        return None
    best, year = row.best, row.year
    goal = f"{final_target.target_share.normalize():f}%"
    behind = [p.year for p in path if p.best is not None and (p.best.gap_won or 0) > 0]
    later = [p.best for p in path if p.year > year and p.best and p.best.share is not None]
    lowest = min(later, key=lambda best: best.share or 0, default=None)
    words = {
        "year": year,
        "goal": goal,
        "share": percent(best.share),
        "target": percent(best.target_share),
        "amount": display.text(abs(best.gap_won), year) if best.gap_won is not None else "–",
    }
    short = best.gap_won is not None and best.gap_won > 0
    if row.closed:  # the ministry closed the year: what was spent
        answer = (
            _("No: %(share)s executed in %(year)s against %(target)s, %(amount)s short.")
            if short
            else _("Yes: %(share)s executed in %(year)s against %(target)s, %(amount)s ahead.")
        )
    elif short:
        answer = _(
            "Not on the present plan: %(share)s planned for %(year)s against %(target)s, "
            "%(amount)s of international collaboration short."
        )
    else:
        answer = _(
            "Yes on the present plan: %(share)s planned for %(year)s against %(target)s, "
            "%(amount)s ahead."
        )
    after = ""
    if lowest is not None and lowest.gap_won and lowest.gap_won > 0:
        after = _(
            "After %(year)s the planned share falls to %(share)s in %(later)s, below the "
            "%(goal)s that must hold."
        ) % {**words, "share": percent(lowest.share), "later": lowest.fiscal_year}
    return {
        "question": _("Will %(goal)s be reached in %(year)s?") % words,
        "answer": answer % words,
        "status": best.status,
        "verdict": best.get_status_display(),
        "short": short,
        "behind": ", ".join(str(y) for y in behind),
        "after": after,
        "year": year,
    }


@dashboard_page
def overview(request):
    display = reader_display(request)
    basis_form = BasisForm(request.GET or None)
    budget_basis = basis_form.basis_value()
    freshness = ShareRun.objects.freshness()
    run = freshness.run
    path = _path_texts(share_path(run), display)
    this_year = timezone.localdate().year
    current = next((p for p in path if p.year == this_year), path[-1] if path else None)
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
    years = [p.year for p in path]
    gap_form = GapYearForm(request.GET or None, years=years)
    gap_year = None
    if gap_form.is_valid():
        gap_year = gap_form.cleaned_data.get("gap_year")
    default_year = (
        final_target.fiscal_year
        if final_target and final_target.fiscal_year in years
        else (current.year if current else None)
    )
    gap_year = gap_year or default_year
    gap = gap_breakdown(run, gap_year, path) if gap_year and not gap_form.errors else None
    if gap:
        gap = gap_texts(gap, display)
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
        "budget_basis_label": Basis(budget_basis).label,
        "basis_form": basis_form,
        "final_target": final_target,
        "display": display,
        "headline": _headline(path, final_target, display),
        "gap": gap,
        "gap_form": gap_form,
        "rules": counting_rules(path, run),
    }
    status = 400 if gap_form.errors else 200
    return render(request, "dashboards/overview.html", context, status=status)
