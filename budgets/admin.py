from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from partners.admin import CollaborationInline, InstitutionAdmin
from partners.models import Institution
from rdportfolio.core.admin import PortfolioModelAdmin, country_filter, won_column
from rdportfolio.core.money import format_won
from technologies.admin import ProjectAdmin, TechnologyAdmin
from technologies.models import Project, Technology

from .admin_imports import ImportExportMixin
from .models import (
    BudgetLine,
    CollaborationTarget,
    ExchangeRate,
    MinistryBudget,
    PlanReconciliation,
    RunTrigger,
    ShareRun,
    ShareSnapshot,
    TargetPlan,
)
from .services import share_recompute_request


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = ("fiscal_year", "basis", "amount_won", "is_international", "collaboration", "source")
    autocomplete_fields = ("collaboration",)


# Staff work top-down: a project's collaborations and budget lines sit under
# it. Those models live in higher apps, so the project admin is completed here
# rather than making `technologies` import them. Excel import and export need
# every app too, so they are added here the same way.
admin.site.unregister(Project)
admin.site.unregister(Technology)
admin.site.unregister(Institution)


@admin.register(Project)
class ProjectWithLinesAdmin(ImportExportMixin, ProjectAdmin):
    inlines = [CollaborationInline, BudgetLineInline]
    import_kind = "projects"


@admin.register(Technology)
class TechnologyWithImportAdmin(ImportExportMixin, TechnologyAdmin):
    import_kind = "technologies"


@admin.register(Institution)
class InstitutionWithImportAdmin(ImportExportMixin, InstitutionAdmin):
    import_kind = "institutions"


@admin.register(BudgetLine)
class BudgetLineAdmin(ImportExportMixin, PortfolioModelAdmin):
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
        "fiscal_year",
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
    # A million lines: do not count the unfiltered table on every page view.
    show_full_result_count = False
    amount = won_column("amount_won", _("amount"))

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


class CollaborationTargetInline(admin.TabularInline):
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
class PlanReconciliationAdmin(PortfolioModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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


@admin.register(ShareRun)
class ShareRunAdmin(admin.ModelAdmin):
    """Recompute runs of the share: written by the system, read by people."""

    change_list_template = "admin/budgets/sharerun/change_list.html"
    list_display = (
        "id",
        "status",
        "trigger",
        "requested_by",
        "started_at",
        "duration_display",
        "line_count",
        "snapshot_link",
        "fingerprint_short",
        "forced",
    )
    list_filter = ("status", "trigger")
    list_select_related = ("requested_by",)
    readonly_fields = [f.name for f in ShareRun._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        urls = [
            path(
                "recompute/",
                self.admin_site.admin_view(self.recompute_view),
                name="budgets_sharerun_recompute",
            )
        ]
        return urls + super().get_urls()

    def recompute_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("budgets.recompute_share"):
            raise PermissionDenied
        run = share_recompute_request(
            trigger=RunTrigger.ADMIN, requested_by=request.user, force=True
        )
        self.message_user(
            request,
            _("Recompute requested: run #%(id)s. Figures update when it finishes.")
            % {"id": run.pk},
            messages.SUCCESS,
        )
        return redirect("admin:budgets_sharerun_changelist")

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_recompute": request.user.has_perm("budgets.recompute_share"),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("duration"))
    def duration_display(self, obj):
        duration = obj.duration
        return f"{duration.total_seconds():.2f} s" if duration is not None else "–"

    @admin.display(description=_("snapshot rows"))
    def snapshot_link(self, obj):
        if not obj.snapshot_count:
            return obj.snapshot_count if obj.snapshot_count is not None else "–"
        url = reverse("admin:budgets_sharesnapshot_changelist") + f"?run__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.snapshot_count)

    @admin.display(description=_("input fingerprint"))
    def fingerprint_short(self, obj):
        return obj.fingerprint[:12]


@admin.register(ShareSnapshot)
class ShareSnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "run",
        "fiscal_year",
        "basis",
        "dimension",
        "key",
        "international",
        "total",
        "share",
        "target_share",
        "gap",
        "status",
        "is_projection",
    )
    list_filter = ("dimension", "basis", "status", "is_projection", "fiscal_year")
    list_select_related = ("run",)
    readonly_fields = [f.name for f in ShareSnapshot._meta.fields]
    show_full_result_count = False
    list_per_page = 200
    international = won_column("international_won", _("international"))
    total = won_column("total_won", _("ministry total"))
    gap = won_column("gap_won", _("gap"))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if "run__id__exact" not in request.GET:
            latest = ShareRun.objects.latest_succeeded()
            queryset = queryset.filter(run=latest) if latest else queryset.none()
        return queryset

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "run__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
