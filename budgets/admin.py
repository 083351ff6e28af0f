"""The money records in the admin: budget lines (also under their project), totals, targets."""

from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext_lazy as _

from partners.models import Collaboration, Institution
from rdportfolio.core.admin import (
    IndexedValuesFilter,
    NamedCellsMixin,
    PortfolioModelAdmin,
    ReadOnlyAdminMixin,
    TabularExportMixin,
    country_filter,
    won_column,
)
from rdportfolio.core.admin_paging import LargeTablePaginator
from rdportfolio.core.money import format_won
from rdportfolio.core.won_input import WonInputMixin
from technologies.admin import project_inline_add

from .models import (
    BudgetLine,
    CollaborationTarget,
    ExchangeRate,
    MinistryBudget,
    PlanReconciliation,
    TargetPlan,
)


class BudgetLineInline(NamedCellsMixin, WonInputMixin, admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = ("fiscal_year", "basis", "amount_won", "is_international", "collaboration", "source")

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
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # Read once for the page, not once per line: each inline form copies the field
            # and would run its query again (72 queries for a project of 72 lines).
            field.choices = [
                ("", field.empty_label),
                *((c.pk, f"{c.institution} · {c.get_role_display()}") for c in field.queryset),
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
            (pk, BudgetLine.label_for(*line, labels=labels))
            for pk, *line in rows.iterator(chunk_size=5000)
        )

    @admin.display(description=_("partner"), ordering="collaboration__institution__name")
    def partner(self, obj):
        return obj.collaboration.institution if obj.collaboration_id else "–"


@admin.register(MinistryBudget)
class MinistryBudgetAdmin(PortfolioModelAdmin):
    list_display = ("fiscal_year", "total", "source", "is_synthetic")
    list_filter = ("is_synthetic",)
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


@admin.register(PlanReconciliation)
class PlanReconciliationAdmin(ReadOnlyAdminMixin, PortfolioModelAdmin):
    """Published programme figures against the planned budget lines beneath them."""

    list_display = (
        "program",
        "fiscal_year",
        "published",
        "lines",
        "difference",
        "difference_percent",
    )
    list_filter = ("program__track", "fiscal_year")

    def get_queryset(self, request):
        return PlanReconciliation.objects.with_line_totals()

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("programs.view_programyearplan") and request.user.has_perm(
            "budgets.view_budgetline"
        )

    published = won_column("planned_won", _("published plan"))

    @admin.display(description=_("budget lines (planned)"), ordering="lines_won")
    def lines(self, obj):
        return format_won(obj.lines_won)

    @admin.display(description=_("difference"), ordering="difference_won")
    def difference(self, obj):
        return format_won(obj.difference_won)

    @admin.display(description=_("difference (%)"))
    def difference_percent(self, obj):
        if not obj.planned_won:
            return "–"
        return f"{Decimal(obj.difference_won) * 100 / obj.planned_won:+.2f}%"
