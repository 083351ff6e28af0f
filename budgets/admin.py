"""The money records in the admin: budget lines (also under their project), totals, targets."""

from collections.abc import Iterator, Mapping
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet, model_to_dict
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from partners.models import Collaboration, Institution
from rdportfolio.core.admin import (
    IndexedValuesFilter,
    NamedCellsMixin,
    PortfolioModelAdmin,
    TabularExportMixin,
    country_filter,
    won_column,
)
from rdportfolio.core.admin_paging import LargeTablePaginator
from rdportfolio.core.admin_stale import (
    OPENED,
    UnchangedSinceOpenedForm,
    UnchangedSinceOpenedInlineForm,
)
from rdportfolio.core.won_input import WonInputMixin
from technologies.admin import project_inline_add

from .closings_admin import CONFIRM_LABEL, YearClosingAdmin
from .figures import (
    LINE_FIELDS,
    LineFigure,
    figure_moves,
    figure_moves_message,
    line_figure,
    lines_changed,
    total_changed,
)
from .models import (
    BudgetLine,
    CollaborationTarget,
    ExchangeRate,
    MinistryBudget,
    TargetPlan,
    YearClosing,
)

admin.site.register(YearClosing, YearClosingAdmin)

CONFIRM_FIELD = "confirm_kpi_change"


def _line_figure(values: Mapping[str, Any]) -> LineFigure:
    # Validated values: year, basis and won are there; a domestic line's collaboration may not be.
    return line_figure(*cast(Iterator[Any], (values.get(name) for name in LINE_FIELDS)))


class FigureMoveConfirmForm(UnchangedSinceOpenedForm):
    """A form whose save may move a year's KPI figure: refused, with the move said, until
    the editor ticks the confirmation (figures.CONFIRM_POINTS)."""

    confirm_kpi_change = forms.BooleanField(
        label=CONFIRM_LABEL,
        required=False,
        help_text=_(
            "Needed only when the save moves a year's KPI figure by more than 0.1 points: "
            "the form then says by how much."
        ),
    )

    def moves(self, cleaned_data) -> list:
        raise NotImplementedError

    def clean(self):
        cleaned_data = super().clean()
        if not self.errors:
            moves = self.moves(cleaned_data)
            if moves and not cleaned_data.get(CONFIRM_FIELD):
                self.add_error(CONFIRM_FIELD, figure_moves_message(moves))
        return cleaned_data


class BudgetLineForm(FigureMoveConfirmForm):
    class Meta:
        model = BudgetLine
        fields = [
            "project",
            "fiscal_year",
            "basis",
            "amount_won",
            "collaboration",
            "source",
            "is_synthetic",
        ]

    def moves(self, cleaned_data):
        # At clean() the instance still holds what is stored: the line before the change.
        line = self.instance
        old = _line_figure(model_to_dict(line, LINE_FIELDS)) if line.pk else None
        return figure_moves(*lines_changed([(old, _line_figure(cleaned_data))]))


class MinistryBudgetForm(FigureMoveConfirmForm):
    class Meta:
        model = MinistryBudget
        fields = ["fiscal_year", "basis", "total_won", "source", "is_synthetic"]

    def moves(self, cleaned_data):
        total = self.instance
        old = (total.fiscal_year, total.basis) if total.pk else None
        new = (cleaned_data["fiscal_year"], cleaned_data["basis"])
        return figure_moves(*total_changed(old, new, cleaned_data["total_won"]))


class BudgetLineFormSet(BaseInlineFormSet):
    """A project's budget lines edited together: their changes' effect on the KPI added up,
    and confirmed once for all of them."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        changes = []
        for form in self.forms:
            # A private BaseFormSet method the stubs leave out.
            deleted = self._should_delete_form(form)  # type: ignore[attr-defined]
            if not (form.has_changed() or deleted):
                continue
            old = _line_figure(form.initial) if form.instance.pk else None
            changes.append((old, None if deleted else _line_figure(form.cleaned_data)))
        moves = figure_moves(*lines_changed(changes)) if changes else []
        name = f"{self.prefix}-{CONFIRM_FIELD}"
        if moves and self.data.get(name) != "1":
            # The box to tick goes with the message: an inline table has no row for it.
            raise forms.ValidationError(
                format_html(
                    '{} <label><input type="checkbox" name="{}" value="1"> {}</label>',
                    figure_moves_message(moves),
                    name,
                    CONFIRM_LABEL,
                )
            )


class BudgetLineInline(NamedCellsMixin, WonInputMixin, admin.TabularInline):
    model = BudgetLine
    form = UnchangedSinceOpenedInlineForm  # a line saved by someone else since: refused
    formset = BudgetLineFormSet
    extra = 0
    # "International" is not typed: it follows from the collaboration (shown once saved).
    fields = (
        "fiscal_year",
        "basis",
        "amount_won",
        "collaboration",
        "is_international",
        "source",
        OPENED,
    )
    readonly_fields = ("is_international",)

    def get_queryset(self, request):
        # Each row is named by its project's number: one join, not a query per line.
        return super().get_queryset(request).select_related("project")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "collaboration":
            # This project's own collaborations only (a handful), not every project's: the
            # project is the page's object. Read from the URL, not stored on this shared admin.
            match = request.resolver_match
            object_id = match.kwargs.get("object_id") if match else None
            kwargs["queryset"] = (
                Collaboration.objects.filter(project_id=unquote(object_id))
                .select_related("project", "institution")
                .order_by("institution__name", "role")
                if object_id and str(unquote(object_id)).isdigit()
                else Collaboration.objects.none()
            )
            # A foreign key's form field: never None (the stubs allow it for any db field).
            field = cast(
                "forms.ModelChoiceField[Collaboration]",
                super().formfield_for_foreignkey(db_field, request, **kwargs),
            )
            # Read once for the page, not once per line: each inline form copies the field
            # and would run its query again (72 queries for a project of 72 lines).
            field.choices = [
                ("", field.empty_label),
                *(
                    (c.pk, f"{c.institution} · {c.get_role_display()}")
                    for c in cast("QuerySet[Collaboration]", field.queryset)  # set just above
                ),
            ]
            field.help_text = _(
                "This project's collaborations. A collaboration added above appears here once "
                "the project is saved: save, then name it on its lines."
            )
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# Staff work top-down: a project's budget lines sit under it, after its collaborations.
project_inline_add(BudgetLineInline)


@admin.register(BudgetLine)
class BudgetLineAdmin(TabularExportMixin, PortfolioModelAdmin):
    form = BudgetLineForm
    import_kind = "budget_lines"
    list_display = (
        "project",
        "fiscal_year",
        "basis",
        "amount",
        "is_international",
        "partner",
        "is_synthetic",
    )
    list_filter = (
        ("fiscal_year", IndexedValuesFilter),
        "basis",
        "is_international",
        "project__technology__program__track",
        "project__technology__field",
        country_filter("collaboration__institution__country", Institution),
        "is_synthetic",
    )
    list_select_related = ("project", "collaboration__institution")
    search_fields = (
        "project__project_number",
        "project__title_ko",
        "project__technology__name_ko",
        "project__technology__name_en",
    )
    autocomplete_fields = ("project", "collaboration")
    # A million lines: do not count the unfiltered table on every page view, nor count every
    # filter's choices on request ("Show counts": 28 queries and 3.3 s a page at 1M lines;
    # the dashboards give those totals from the rollups).
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # Nor count the whole table to say how many lines it holds: PostgreSQL's estimate, "about".
    paginator = LargeTablePaginator
    amount = won_column("amount_won", _("amount"))

    def deletion_names(self, queryset):
        # As str() names a line ("RS-2024-001 · 2025 계획"), from values.
        rows = queryset.order_by().values_list(
            "pk", "project__project_number", "fiscal_year", "basis"
        )
        # Each basis's label translated once, not once a line (0.14 s of 10,000 lines).
        labels = BudgetLine.basis_labels()
        return (
            (pk, BudgetLine.label_for(number, year, basis, labels=labels))
            for pk, number, year, basis in rows.iterator(chunk_size=5000)
        )

    @admin.display(description=_("partner"), ordering="collaboration__institution__name")
    def partner(self, obj):
        return obj.collaboration.institution if obj.collaboration_id else "–"


@admin.register(MinistryBudget)
class MinistryBudgetAdmin(PortfolioModelAdmin):
    form = MinistryBudgetForm
    list_display = ("fiscal_year", "basis", "total", "source", "is_synthetic")
    list_filter = ("basis", "is_synthetic")
    total = won_column("total_won", _("total"))


@admin.register(ExchangeRate)
class ExchangeRateAdmin(PortfolioModelAdmin):
    list_display = ("fiscal_year", "krw_per_usd", "source", "is_synthetic")


class CollaborationTargetInline(NamedCellsMixin, admin.TabularInline):
    model = CollaborationTarget
    extra = 0
    fields = ("fiscal_year", "target_share", "source")


@admin.register(TargetPlan)
class TargetPlanAdmin(PortfolioModelAdmin):
    list_display = ("name", "adopted_on", "supersedes", "is_current", "source")
    list_select_related = ("supersedes",)
    search_fields = ("name",)
    inlines = [CollaborationTargetInline]

    def get_queryset(self, request):
        self._current_id = getattr(TargetPlan.objects.current(), "id", None)
        return super().get_queryset(request)

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, obj):
        return obj.id == self._current_id


@admin.register(CollaborationTarget)
class CollaborationTargetAdmin(PortfolioModelAdmin):
    list_display = ("plan", "fiscal_year", "target_share", "source")
    list_filter = ("plan", "fiscal_year")
    list_select_related = ("plan",)
