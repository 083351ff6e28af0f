import datetime

import django_filters
from django.utils import timezone
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError

from partners.api import country_code_validate
from programs.models import Track
from rdportfolio.core.api import (
    AuditedModelViewSet,
    ExportMixin,
    ModelCleanSerializer,
    PortfolioModelPermissions,
)
from rdportfolio.core.api_schema import EXPORT_PARAMETER, PortfolioAutoSchema, export_schema
from rdportfolio.core.drf import (
    IntegerFilter,
    StrictBooleanFilter,
    StrictFilterBackend,
    StrictFilterSet,
)

from .models import (
    UNASSIGNED,
    Basis,
    BudgetLine,
    CollaborationTarget,
    Dimension,
    MinistryBudget,
    ShareRun,
    ShareSnapshot,
    TargetPlan,
)


class BudgetLineSerializer(ModelCleanSerializer):
    project_number = serializers.CharField(source="project.project_number", read_only=True)
    track = serializers.CharField(source="project.technology.program.track", read_only=True)
    field_code = serializers.CharField(source="project.technology.field.code", read_only=True)
    country = CountryField(
        source="collaboration.institution.country",
        read_only=True,
        allow_null=True,
        help_text="Partner country of the collaboration the line pays for; null for lines without one.",
    )

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "project",
            "project_number",
            "track",
            "field_code",
            "fiscal_year",
            "basis",
            "amount_won",
            "is_international",
            "collaboration",
            "country",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class MinistryBudgetSerializer(ModelCleanSerializer):
    class Meta:
        model = MinistryBudget
        fields = [
            "id",
            "fiscal_year",
            "total_won",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class CollaborationTargetSerializer(ModelCleanSerializer):
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    plan_adopted_on = serializers.DateField(source="plan.adopted_on", read_only=True)

    class Meta:
        model = CollaborationTarget
        fields = [
            "id",
            "plan",
            "plan_name",
            "plan_adopted_on",
            "fiscal_year",
            "target_share",
            "source",
            "created_at",
            "updated_at",
        ]


class BudgetLineFilter(StrictFilterSet):
    fiscal_year_min = IntegerFilter("fiscal_year", "gte")
    fiscal_year_max = IntegerFilter("fiscal_year", "lte")
    basis = django_filters.ChoiceFilter(choices=Basis.choices)
    track = django_filters.ChoiceFilter(
        field_name="project__technology__program__track", choices=Track.choices
    )
    program = IntegerFilter(field_name="project__technology__program")
    technology = IntegerFilter(field_name="project__technology")
    field = django_filters.CharFilter(field_name="project__technology__field__code")
    country = django_filters.CharFilter(
        method="filter_country",
        validators=[lambda value: value.lower() == UNASSIGNED or country_code_validate(value)],
        help_text="ISO 3166 code of the collaboration's institution, or 'unassigned' for international lines without one.",
    )

    class Meta:
        model = BudgetLine
        fields = [
            "project",
            "collaboration",
            "fiscal_year",
            "basis",
            "is_international",
            "track",
            "program",
            "field",
            "country",
        ]

    def filter_country(self, queryset, name, value):
        if value.lower() == UNASSIGNED:
            return queryset.filter(is_international=True, collaboration__isnull=True)
        return queryset.filter(collaboration__institution__country=value.upper())


class MinistryBudgetFilter(StrictFilterSet):
    fiscal_year_min = IntegerFilter("fiscal_year", "gte")
    fiscal_year_max = IntegerFilter("fiscal_year", "lte")

    class Meta:
        model = MinistryBudget
        fields = ["fiscal_year", "is_synthetic"]


class CollaborationTargetFilter(StrictFilterSet):
    current = StrictBooleanFilter(
        method="filter_current", help_text="true: only the plan in force."
    )
    fiscal_year_min = IntegerFilter("fiscal_year", "gte")
    fiscal_year_max = IntegerFilter("fiscal_year", "lte")

    class Meta:
        model = CollaborationTarget
        fields = ["plan", "fiscal_year", "current"]

    def filter_current(self, queryset, name, value):
        plan = TargetPlan.objects.current()
        if plan is None:
            return queryset.none() if value else queryset
        return queryset.filter(plan=plan) if value else queryset.exclude(plan=plan)


@export_schema
class BudgetLineViewSet(AuditedModelViewSet):
    """Project budget lines per fiscal year and basis, in whole won."""

    queryset = BudgetLine.objects.select_related(
        "project__technology__program", "project__technology__field", "collaboration__institution"
    )
    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter
    search_fields = ["project__project_number"]
    ordering_fields = ["id", "fiscal_year", "amount_won"]
    export_name = "budget-lines"


@export_schema
class MinistryBudgetViewSet(AuditedModelViewSet):
    """The ministry's industrial R&D budget per year: the share's denominator."""

    queryset = MinistryBudget.objects.all()
    serializer_class = MinistryBudgetSerializer
    filterset_class = MinistryBudgetFilter
    ordering_fields = ["id", "fiscal_year"]
    export_name = "ministry-budgets"


@export_schema
class CollaborationTargetViewSet(AuditedModelViewSet):
    """Target shares per year, in percent (decimal strings), grouped in versioned plans."""

    queryset = CollaborationTarget.objects.select_related("plan")
    serializer_class = CollaborationTargetSerializer
    filterset_class = CollaborationTargetFilter
    ordering_fields = ["id", "fiscal_year"]
    export_name = "targets"


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
    from_year = IntegerFilter("fiscal_year", "gte", min_value=1990, max_value=2100)
    to_year = IntegerFilter("fiscal_year", "lte", min_value=1990, max_value=2100)
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
            self.run = ShareRun.objects.latest_succeeded()
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

    def filter_queryset(self, queryset):
        backend = StrictFilterBackend()
        filterset = backend.get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        rows = filterset.qs
        self.run = filterset.run
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
            OpenApiParameter("from_year", int, description="First fiscal year (1990-2100)."),
            OpenApiParameter(
                "to_year", int, description="Last fiscal year (1990-2100), not before from_year."
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
                "results": ShareRowSerializer(many=True),
            },
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if isinstance(
            getattr(response, "data", None), list
        ):  # JSON: say which run, and when it was computed
            run = ShareRunSerializer(self.run).data if self.run else None
            response.data = {
                "run": run,
                "computed_at": run["finished_at"] if run else None,
                "results": response.data,
            }
        return response
