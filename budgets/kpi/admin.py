"""The KPI in the admin: runs and their snapshots, read-only; editors may ask for a recompute."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.admin import ReadOnlyAdminMixin, won_column
from rdportfolio.core.money import format_won

from .models import Reconciliation, RunTrigger, ShareRun, ShareSnapshot
from .reconciliation import TOLERANCE_PERCENT, comparisons_build
from .services import share_recompute_request


@admin.register(ShareRun)
class ShareRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Recompute runs of the share: written by the system, read by people, pruned by retention."""

    change_list_template = "admin/kpi/sharerun/change_list.html"
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

    def get_urls(self):
        urls = [
            path(
                "recompute/",
                self.admin_site.admin_view(self.recompute_view),
                name="kpi_sharerun_recompute",
            )
        ]
        return urls + super().get_urls()

    def recompute_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("kpi.recompute_share"):
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
        return redirect("admin:kpi_sharerun_changelist")

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_recompute": request.user.has_perm("kpi.recompute_share"),
            "freshness": ShareRun.objects.freshness(),
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
        url = reverse("admin:kpi_sharesnapshot_changelist") + f"?run__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.snapshot_count)

    @admin.display(description=_("input fingerprint"))
    def fingerprint_short(self, obj):
        return obj.fingerprint[:12]


@admin.register(ShareSnapshot)
class ShareSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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


def comparison_rows(comparisons) -> list[dict]:
    """Comparisons as the page shows them: each value in its unit, the difference signed."""

    def shown(value, unit):
        if value is None:
            return "–"
        if unit == "won":
            return format_won(int(value))
        if unit == "%":
            return f"{value:.2f}%"
        return f"{value.normalize():,f}" if unit == "count" else f"{value:,.2f} {unit}"

    return [
        {
            "comparison": c,
            "published": shown(c.published, c.unit),
            "portfolio": shown(c.portfolio, c.unit),
            "difference": shown(c.difference, c.unit).replace("-", "−"),
            "percent": "–" if c.difference_percent is None else f"{c.difference_percent:+.2f}%",
        }
        for c in comparisons
    ]


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every published figure beside the portfolio's own, as of the latest run; what differs
    by more than 1% (a count: at all) first, or alone."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perms(["kpi.view_reconciliation", "kpi.view_sharesnapshot"])

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = ShareRun.objects.latest_succeeded()
        comparisons = comparisons_build(run)
        differing = request.GET.get("differs") == "1"
        if differing:
            comparisons = [c for c in comparisons if c.differs]
        comparisons.sort(key=lambda c: not c.differs)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.model._meta.verbose_name_plural.capitalize(),
            "run": run,
            "rows": comparison_rows(comparisons),
            "differing": differing,
            "differing_count": sum(c.differs for c in comparisons),
            "tolerance": TOLERANCE_PERCENT,
        }
        return TemplateResponse(request, "admin/kpi/reconciliation.html", context)
