"""Scenarios toward the target: the list, one scenario (its paths on one chart, the gaps by
year, where it differs from the baseline) with its editor, and the solver's page.

Readers (CTO viewers, analysts) see published scenarios; ministry editors see and edit drafts:
each save is checked by the engine first (a refusal is shown on the adjustment and field it
names, nothing written), then computed by a worker; the page polls until the figures are in.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budgets.scenarios.engine import AdjustmentError
from budgets.scenarios.models import ResultStatus, Scenario, ScenarioFigure
from budgets.scenarios.services import (
    ScenarioLocked,
    ScenarioNotReady,
    scenario_adjustments_data,
    scenario_create,
    scenario_publish,
    scenario_result_request,
    scenario_revise,
    scenario_update,
)
from rdportfolio.core.roles import dashboard_permissions

from .access import reader_display
from .scenario_forms import AdjustmentFormSet, BaseAdjustmentFormSet, ScenarioForm
from .scenario_view import goal_year, result_context, scenario_solve_page

EDIT = "scenarios.change_scenario"


@dataclass(frozen=True)
class ScenarioRow:
    """A scenario in the list: its state, and its share and gap in the goal year."""

    pk: int
    name: str
    status: str
    result_status: str  # empty when its figures are there
    owner: str
    updated_at: datetime.datetime
    goal_share: Decimal | None
    goal_gap_text: str
    goal_status: str


def _scenario_row(scenario, result, figures, display, goal) -> ScenarioRow:
    figure = figures.get(result.pk) if result is not None else None
    owner = scenario.owner
    return ScenarioRow(
        pk=scenario.pk,
        name=scenario.name,
        status=scenario.get_status_display(),
        result_status=(
            result.get_status_display()
            if result is not None and result.status != ResultStatus.SUCCEEDED
            else ""
        ),
        owner=(owner.get_full_name() or owner.username) if owner else "–",
        updated_at=scenario.updated_at,
        goal_share=figure.share if figure else None,
        goal_gap_text=display.text(figure.gap_won, goal) if figure else "",
        goal_status=figure.status if figure else "",
    )


def _adjustment_text(a, display) -> str:
    """One adjustment in a line, amounts as the reader reads them (50억 원, not 5000000000)."""
    parts = [f"{a.get_kind_display()}: {a.from_year}–{a.to_year}"]
    if a.track:
        parts.append(a.get_track_display())
    if a.field:
        parts.append(str(a.field))
    if a.technology:
        parts.append(a.technology.code)
    if a.country:
        parts.append(a.country)
    if a.amount_won is not None:
        parts.append(display.text(a.amount_won, a.from_year))
    if a.percent is not None:
        parts.append(f"{floatformat(a.percent, '-3')}%")
    text = " · ".join(parts)
    if a.partner_country:
        text += f" → {a.partner_country}"
    extra = [f"+{a.slip_years}" if a.slip_years else "", a.note]
    return " · ".join([text, *filter(None, extra)])


def visible_scenarios(user):
    if not user.is_authenticated:
        # Public dashboards show what was published, never drafts.
        return Scenario.objects.filter(status="published")
    return Scenario.objects.visible_to(user)


def scenario_page(view):
    """Readers as on the dashboards; writes (POST) for ministry editors only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and (
            request.method == "POST" or not settings.RDP_DASHBOARDS_PUBLIC
        ):
            return redirect_to_login(request.get_full_path())
        if request.user.is_authenticated and not settings.RDP_DASHBOARDS_PUBLIC:
            if not request.user.has_perms(dashboard_permissions()):
                raise PermissionDenied(_("Your role does not include the dashboards."))
        if request.method == "POST" and not request.user.has_perm(EDIT):
            raise PermissionDenied(_("Only ministry editors change scenarios."))
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@scenario_page
def scenario_list(request):
    """Every scenario the reader may see, with its verdict for the goal year; editors start one."""
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scenario = scenario_create(
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            owner=request.user,
        )
        return redirect("dashboards:scenario", pk=scenario.pk)
    display = reader_display(request)
    scenarios = list(
        visible_scenarios(request.user).select_related("owner").prefetch_related("results")
    )
    goal = goal_year()
    results = {scenario.pk: scenario.current_result() for scenario in scenarios}
    # One query for every scenario's goal-year figure.
    figures = (
        {
            figure.result_id: figure
            for figure in ScenarioFigure.objects.filter(
                result__in=[r for r in results.values() if r is not None],
                path="scenario",
                dimension="overall",
                fiscal_year=goal,
            )
        }
        if goal is not None
        else {}
    )
    rows = [
        _scenario_row(scenario, results[scenario.pk], figures, display, goal)
        for scenario in scenarios
    ]
    return render(
        request,
        "dashboards/scenarios.html",
        {
            "display": display,
            "scenarios": rows,
            "goal_year": goal,
            "form": form,
            "can_edit": request.user.has_perm(EDIT),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _formset_initial(scenario) -> list[dict]:
    initial = []
    for data in scenario_adjustments_data(scenario):
        row = dict(data)
        row["field"] = data["field"].code if data["field"] else None
        row["technology"] = data["technology"].code if data["technology"] else None
        initial.append(row)
    return initial


def _refusal_on_form(formset, kept, error: AdjustmentError) -> None:
    form = kept[error.number - 1] if 1 <= error.number <= len(kept) else None
    if form is None:
        formset._non_form_errors = formset.error_class([error.message])
        return
    target = error.field_name if error.field_name in form.fields else None
    form.add_error(target, error.message)


@require_http_methods(["GET", "POST"])
@scenario_page
def scenario_detail(request, pk: int):
    scenario = get_object_or_404(
        visible_scenarios(request.user).select_related("owner", "revision_of"), pk=pk
    )
    editable = request.user.has_perm(EDIT) and not scenario.is_published
    form = ScenarioForm(request.POST or None, instance=scenario, prefix="scenario")
    formset = AdjustmentFormSet(
        request.POST or None, initial=_formset_initial(scenario), prefix="adjustments"
    )
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("A published scenario is read-only: revise it."))
        if form.is_valid() and formset.is_valid():
            kept = cast(BaseAdjustmentFormSet, formset).kept_forms()
            try:
                scenario_update(
                    scenario_id=scenario.pk,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    adjustments=[f.adjustment() for f in kept],
                )
            except AdjustmentError as error:
                _refusal_on_form(formset, kept, error)
                status = 400
            else:
                if not request.headers.get("HX-Request"):
                    messages.success(request, _("Saved; the figures are being computed."))
                    return redirect("dashboards:scenario", pk=scenario.pk)
                scenario.refresh_from_db()
                form = ScenarioForm(instance=scenario, prefix="scenario")
                formset = AdjustmentFormSet(
                    initial=_formset_initial(scenario), prefix="adjustments"
                )
        else:
            status = 400
    display = reader_display(request)
    adjustments = [
        _adjustment_text(adjustment, display)
        for adjustment in scenario.adjustments.select_related("field", "technology")
    ]
    context = {
        "scenario": scenario,
        "adjustments": adjustments,
        "editable": editable,
        "can_edit": request.user.has_perm(EDIT),
        "form": form,
        "formset": formset,
        **result_context(request, scenario),
    }
    # htmx swaps the editor and the figures in place; other requests get the whole page.
    template = (
        "dashboards/scenario_body.html"
        if request.headers.get("HX-Request")
        else "dashboards/scenario_detail.html"
    )
    return render(request, template, context, status=status)


@require_GET
@scenario_page
def scenario_result(request, pk: int):
    """The figures alone: what the page polls while a worker computes them."""
    scenario = get_object_or_404(visible_scenarios(request.user), pk=pk)
    return render(
        request,
        "includes/scenario_result.html",
        {"scenario": scenario, **result_context(request, scenario)},
    )


@require_POST
@scenario_page
def scenario_action(request, pk: int, action: str):
    """Publish, revise, recompute or delete, from the scenario's page."""
    scenario = get_object_or_404(Scenario.objects.visible_to(request.user), pk=pk)
    try:
        if action == "publish":
            scenario_publish(scenario_id=scenario.pk)
            messages.success(request, _("Published: its figures are fixed from now on."))
        elif action == "revise":
            scenario = scenario_revise(scenario_id=scenario.pk, owner=request.user)
            messages.success(request, _("A new draft with the same adjustments."))
        elif action == "recompute" and not scenario.is_published:
            with transaction.atomic():
                scenario_result_request(scenario=scenario)
        elif action == "delete" and not scenario.is_published:
            scenario.delete()
            messages.success(request, _("Scenario deleted."))
            return redirect("dashboards:scenarios")
        else:
            raise PermissionDenied(_("A published scenario is read-only: revise it."))
    except ScenarioLocked:
        messages.error(request, _("Already published."))
    except ScenarioNotReady:
        messages.error(
            request,
            _("Its figures for the current adjustments are not computed yet, or failed: "
              "wait, or compute again."),
        )  # fmt: skip
    return redirect(reverse("dashboards:scenario", args=[scenario.pk]))


@require_http_methods(["GET", "POST"])
@scenario_page
def scenario_solve(request):
    """The least won per year, and where, to be on the path (POST saves it, for editors)."""
    return scenario_solve_page(request, visible_scenarios(request.user))
