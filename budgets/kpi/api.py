"""The share for analysts: ``/api/v1/share/``, one run's figures, overall or broken down."""

import datetime
from typing import TYPE_CHECKING, cast

import django_filters
from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError

from rdportfolio.core.api import ExportMixin
from rdportfolio.core.api_schema import EXPORT_PARAMETER, PortfolioAutoSchema, export_schema
from rdportfolio.core.drf import (
    CursorPagination,
    IntegerFilter,
    PortfolioModelPermissions,
    StrictFilterBackend,
    StrictFilterSet,
    filter_errors,
)
from rdportfolio.core.models import MAX_YEAR, MIN_YEAR
from rdportfolio.core.values_plan import plain_representation

from ..models import Basis
from .models import Dimension, RunStatus, ShareRun, ShareSnapshot

if TYPE_CHECKING:
    from rest_framework.response import Response

    from .freshness import Freshness


class ShareFilter(StrictFilterSet):
    """The share's query: one run (latest, or current at ``as_of``), one breakdown, some years."""

    BY_CHOICES = [
        (choice, choice) for choice in ("overall", "track", "program", "field", "country")
    ]

    basis = django_filters.ChoiceFilter(
        choices=Basis.choices, help_text="All three bases if left out."
    )
    by = django_filters.ChoiceFilter(
        choices=BY_CHOICES,
        method="filter_by",
        help_text="overall (the default) or a breakdown; program = track.",
    )
    from_year = IntegerFilter("fiscal_year", "gte", min_value=MIN_YEAR, max_value=MAX_YEAR)
    to_year = IntegerFilter("fiscal_year", "lte", min_value=MIN_YEAR, max_value=MAX_YEAR)
    as_of = django_filters.CharFilter(
        method="filter_as_of",
        help_text="The run that was current at this moment: a date-time (Seoul time unless it "
        "names its zone), or a day, meaning its end.",
    )
    run = IntegerFilter(
        "run",
        method="filter_as_of",
        min_value=1,
        help_text="The figures of this run (see /share-runs/).",
    )

    class Meta:
        model = ShareSnapshot
        fields = ["basis", "by", "from_year", "to_year", "as_of", "run"]

    def filter_by(self, queryset, name, value):
        return queryset  # applied in ``qs``, together with the run

    def filter_as_of(self, queryset, name, value):
        return queryset

    def clean_years(self):
        data = self.form.cleaned_data
        if data.get("from_year") and data.get("to_year") and data["to_year"] < data["from_year"]:
            self.form.add_error("to_year", "to_year cannot be before from_year.")
        if data.get("as_of") and data.get("run") is not None:
            self.form.add_error("run", "Ask for one run: either run or as_of, not both.")
        if data.get("as_of"):
            try:
                self.moment = moment_of(data["as_of"])
            except ValueError as error:
                self.form.add_error("as_of", str(error))

    def is_valid(self):
        if super().is_valid():
            self.clean_years()
        return not self.form.errors

    @property
    def qs(self):
        queryset = super().qs
        run_id = self.form.cleaned_data.get("run")
        # self.run is not the filter: django-filter takes declared filters out of the class.
        if run_id is not None:
            self.run = share_run_of(run_id)  # type: ignore[assignment]  # (see above)
        elif self.form.cleaned_data.get("as_of"):
            self.run = ShareRun.objects.as_of(self.moment)
            if self.run is None:
                raise NotFound(not_computed_by(self.moment))
        else:
            # The latest run, read with whether it is current (one query for both).
            self.freshness = ShareRun.objects.freshness()
            self.run = self.freshness.run  # type: ignore[assignment]  # not the filter (above)
        by = self.form.cleaned_data.get("by") or "overall"
        dimension = Dimension.TRACK if by == "program" else by
        return queryset.filter(run=self.run, dimension=dimension).order_by(
            "fiscal_year", "basis", "key"
        )


def moment_of(text: str) -> datetime.datetime:
    """``as_of`` as a moment: a date-time (Seoul unless it names its zone), or a day's end;
    a moment still to come is refused, not answered with today's figures."""
    zone = timezone.get_current_timezone()
    try:
        if len(text) == 10:
            moment = datetime.datetime.combine(
                datetime.date.fromisoformat(text), datetime.time.max, tzinfo=zone
            )
        else:
            moment = datetime.datetime.fromisoformat(text.replace(" ", "+"))
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=zone)
    except ValueError as error:
        raise ValueError(
            "Use a date (2026-03-01) or a date-time (2026-03-01T10:27, Seoul time, or with its "
            "zone: 2026-03-01T10:27+09:00)."
        ) from error
    if moment.date() > timezone.localdate() or (len(text) > 10 and moment > timezone.now()):
        raise ValueError("as_of is in the future: no figures were reported then yet.")
    return moment


def not_computed_by(moment: datetime.datetime) -> str:
    said = f"No share kept here had been computed by {timezone.localtime(moment).isoformat()}."
    days = settings.RDP_SHARE_RUN_RETENTION_DAYS
    if days and moment < timezone.now() - datetime.timedelta(days=days):
        said += (
            f" Runs that stopped being current more than {days} days ago are not kept "
            "(RDP_SHARE_RUN_RETENTION_DAYS)."
        )
    return said


def share_run_of(run_id: int) -> ShareRun:
    """A run whose figures can be read, or a 404 that says why not."""
    run = ShareRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"No run {run_id}: it never existed, or it was pruned by the retention.")
    if run.status != RunStatus.SUCCEEDED:
        raise NotFound(f"Run {run_id} wrote no figures: it is {run.status}.")
    return run


class ShareRowSerializer(serializers.ModelSerializer):
    run = serializers.IntegerField(source="run_id", help_text="The run these figures are of.")
    computed_at = serializers.DateTimeField(
        source="run.finished_at", help_text="When the run computed them."
    )

    class Meta:
        model = ShareSnapshot
        fields = [
            "fiscal_year",
            "basis",
            "dimension",
            "key",
            "international_won",
            "total_won",
            "total_basis",
            "share",
            "target_share",
            "target_origin",
            "target_won",
            "gap_won",
            "status",
            "is_projection",
            "year_closed",
            "synthetic_inputs",
            "run",
            "computed_at",
        ]


class ShareRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShareRun
        fields = [
            "id",
            "status",
            "trigger",
            "started_at",
            "finished_at",
            "fingerprint",
            "line_count",
            "synthetic_inputs",
        ]


YEAR_SCHEMA = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}


class ShareSchema(PortfolioAutoSchema):
    # One object (the run and its rows), not a list of them.
    def _is_list_view(self, serializer=None):
        return False


class ShareView(ExportMixin, generics.ListAPIView):
    """The international-collaboration share per year: overall or broken down.

    ``share`` and ``target_share`` are percent, as decimal strings with four
    places ("6.0000" is 6%); amounts are integers in won. ``gap_won`` is the
    target in won minus international won: positive is a shortfall.
    ``status`` is on_track, behind, no_data, no_target, inconsistent, baseline
    (the plan's starting level: no verdict) or in_progress (executed spending of
    a year the ministry has not closed). A year's KPI figure is its executed row
    where ``year_closed``, its planned row (``is_projection``) otherwise.
    ``total_basis`` says which ministry total divided the figure (executed:
    settled where there is one), ``target_origin`` whether the target was
    published or assumed (interpolated, held), ``synthetic_inputs`` whether demo
    rows fed it. Rows come from the latest successful recompute, from the one
    current at ``as_of``, or from ``run``; every row (and every CSV/XLSX line)
    names its run and when it was computed.
    """

    queryset = ShareSnapshot.objects.select_related("run")
    serializer_class = ShareRowSerializer
    permission_classes = [PortfolioModelPermissions]
    pagination_class = None
    filter_backends = [StrictFilterBackend]
    filterset_class = ShareFilter
    export_name = "share"
    schema = ShareSchema()
    run = freshness = None  # set by filter_queryset

    def filter_queryset(self, queryset):
        backend = StrictFilterBackend()
        filterset = backend.get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset.form))
        rows = filterset.qs
        self.run = filterset.run
        self.freshness = getattr(filterset, "freshness", None)
        return rows

    @extend_schema(
        # Listed here: the schema reads filters only from list views, and this one returns one object.
        parameters=[
            OpenApiParameter(
                "basis",
                enum=Basis.values,
                description="planned, allocated or executed; all three if left out.",
            ),
            OpenApiParameter(
                "by",
                enum=[c for c, _ in ShareFilter.BY_CHOICES],
                description="overall (default) or a breakdown; program = track.",
            ),
            OpenApiParameter(
                "from_year", YEAR_SCHEMA, description="First fiscal year (1990-2100)."
            ),
            OpenApiParameter(
                "to_year",
                YEAR_SCHEMA,
                description="Last fiscal year (1990-2100), not before from_year.",
            ),
            OpenApiParameter(
                "as_of",
                str,
                description="The run that was current at this moment: 2026-03-01T10:27 (Seoul "
                "time), 2026-03-01T10:27+09:00, or a day (2026-03-01: its end). Not in the future.",
            ),
            OpenApiParameter("run", int, description="The figures of this run (see /share-runs/)."),
            EXPORT_PARAMETER,
        ],
        responses=inline_serializer(
            "ShareResponse",
            {
                "run": ShareRunSerializer(allow_null=True),
                "computed_at": serializers.DateTimeField(allow_null=True),
                "stale": serializers.BooleanField(
                    help_text="True when the figures miss changes: a newer recompute failed, "
                    "waits or is under way (false for as_of)."
                ),
                "stale_reason": serializers.CharField(
                    allow_null=True, help_text="Why, for people; null when not stale."
                ),
                "results": ShareRowSerializer(many=True),
            },
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        # Whether these figures include every change: only the latest run can be stale; a run
        # read "as of" a day is what was reported then, by definition.
        freshness = self.freshness
        stale = bool(freshness and freshness.stale)
        reason = cast("Freshness", freshness).message() if stale else None  # stale: there is one
        if isinstance(getattr(response, "data", None), list):
            listed = cast("Response", response)  # the JSON list's, not an export's file
            run = plain_representation(ShareRunSerializer, self.run) if self.run else None
            listed.data = {
                "run": run,
                "computed_at": run["finished_at"] if run else None,
                "stale": stale,
                "stale_reason": reason,
                "results": listed.data,
            }
        else:  # a CSV or XLSX file: the same, as headers
            response["X-Share-Run"] = str(self.run.pk) if self.run else ""
            response["X-Share-Stale"] = "true" if stale else "false"
        return response


class ShareRunFilter(StrictFilterSet):
    class Meta:
        model = ShareRun
        fields = ["status", "trigger"]


class ShareRunListSerializer(serializers.ModelSerializer):
    current_until = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When a later run's figures replaced this run's; null while it is current "
        "(and for runs that wrote no figures). It was current from finished_at until then.",
    )
    # A method field: the summary is computed from ``error``, which values() cannot do.
    error_summary = serializers.SerializerMethodField(
        help_text="What went wrong, in one line; empty unless it failed."
    )

    class Meta:
        model = ShareRun
        fields = [
            "id",
            "status",
            "trigger",
            "forced",
            "created_at",
            "started_at",
            "finished_at",
            "current_until",
            "fingerprint",
            "target_plan",
            "line_count",
            "snapshot_count",
            "synthetic_inputs",
            "error_summary",
        ]

    def get_error_summary(self, run) -> str:
        return run.error_summary


class NewestFirst(CursorPagination):
    ordering = "-id"


@export_schema
class ShareRunViewSet(ExportMixin, viewsets.ReadOnlyModelViewSet):
    """Every recompute of the share, newest first: which are kept, when each was current, and
    what it read. ``/share/?run=<id>`` gives a run's figures."""

    serializer_class = ShareRunListSerializer
    filterset_class = ShareRunFilter
    permission_classes = [PortfolioModelPermissions]
    pagination_class = NewestFirst
    lookup_value_regex = r"[0-9]+"
    export_name = "share-runs"

    def get_queryset(self):
        return ShareRun.objects.with_current_until()
