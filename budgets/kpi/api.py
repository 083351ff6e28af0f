"""The share for analysts: ``/api/v1/share/``, one run's figures, overall or broken down."""

import datetime

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError

from rdportfolio.core.api import ExportMixin, PortfolioModelPermissions
from rdportfolio.core.api_schema import EXPORT_PARAMETER, PortfolioAutoSchema
from rdportfolio.core.drf import IntegerFilter, StrictFilterBackend, StrictFilterSet, filter_errors
from rdportfolio.core.models import MAX_YEAR, MIN_YEAR
from rdportfolio.core.values_plan import plain_representation

from ..models import Basis
from .models import Dimension, ShareRun, ShareSnapshot


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
    as_of = django_filters.DateFilter(
        method="filter_as_of", help_text="The run that was current at the end of this day (Seoul)."
    )

    class Meta:
        model = ShareSnapshot
        fields = ["basis", "by", "from_year", "to_year", "as_of"]

    def filter_by(self, queryset, name, value):
        return queryset  # applied in ``qs``, together with the run

    def filter_as_of(self, queryset, name, value):
        return queryset

    def clean_years(self):
        data = self.form.cleaned_data
        if data.get("from_year") and data.get("to_year") and data["to_year"] < data["from_year"]:
            self.form.add_error("to_year", "to_year cannot be before from_year.")

    def is_valid(self):
        if super().is_valid():
            self.clean_years()
        return not self.form.errors

    @property
    def qs(self):
        queryset = super().qs
        as_of = self.form.cleaned_data.get("as_of")
        if as_of:
            end_of_day = datetime.datetime.combine(
                as_of, datetime.time.max, tzinfo=timezone.get_current_timezone()
            )
            self.run = ShareRun.objects.as_of(end_of_day)
            if self.run is None:
                raise NotFound(f"No share had been computed by the end of {as_of.isoformat()}.")
        else:
            # The latest run, read with whether it is current (one query for both).
            self.freshness = ShareRun.objects.freshness()
            self.run = self.freshness.run
        by = self.form.cleaned_data.get("by") or "overall"
        dimension = Dimension.TRACK if by == "program" else by
        return queryset.filter(run=self.run, dimension=dimension).order_by(
            "fiscal_year", "basis", "key"
        )


class ShareRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShareSnapshot
        fields = [
            "fiscal_year",
            "basis",
            "dimension",
            "key",
            "international_won",
            "total_won",
            "share",
            "target_share",
            "target_won",
            "gap_won",
            "status",
            "is_projection",
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
    ``status`` is on_track, behind, no_data or no_target. Rows come from the
    latest successful recompute, or from the one current at ``as_of``.
    """

    queryset = ShareSnapshot.objects.all()
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
                datetime.date,
                description="The run that was current at the end of this day (Seoul).",
            ),
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
        freshness = None if request.query_params.get("as_of") else self.freshness
        stale = bool(freshness and freshness.stale)
        reason = freshness.message() if stale else None
        if isinstance(getattr(response, "data", None), list):
            run = plain_representation(ShareRunSerializer, self.run) if self.run else None
            response.data = {
                "run": run,
                "computed_at": run["finished_at"] if run else None,
                "stale": stale,
                "stale_reason": reason,
                "results": response.data,
            }
        else:  # a CSV or XLSX file: the same, as headers
            response["X-Share-Run"] = str(self.run.pk) if self.run else ""
            response["X-Share-Stale"] = "true" if stale else "false"
        return response
