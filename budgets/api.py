from collections.abc import Iterator
from typing import Any, cast

import django_filters
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from partners.api import country_code_validate
from programs.models import Track
from rdportfolio.core.api import (
    AuditedModelViewSet,
    ModelCleanSerializer,
)
from rdportfolio.core.api_schema import export_schema
from rdportfolio.core.drf import (
    IntegerFilter,
    StrictBooleanFilter,
    StrictFilterSet,
)
from technologies.models import Technology

from .closings_api import CONFIRM_PARAMETER, FigureMoveChecked
from .figures import LINE_FIELDS, line_figure, lines_changed, total_changed
from .models import (
    Basis,
    BudgetLine,
    CollaborationTarget,
    ExchangeRate,
    MinistryBudget,
    TargetPlan,
    TotalBasis,
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

    def validate(self, attrs):
        # Read-only (set from the collaboration), but a client that says otherwise is told why
        # rather than silently corrected.
        said = self.initial_data.get("is_international") if hasattr(self, "initial_data") else None
        if said is not None:
            collaboration = attrs.get(
                "collaboration", getattr(self.instance, "collaboration", None)
            )
            if str(said).lower() in ("true", "1") and collaboration is None:
                raise serializers.ValidationError(
                    {
                        "is_international": "A line is international exactly when it pays for "
                        "a collaboration with a foreign partner: name the collaboration."
                    }
                )
            if str(said).lower() in ("false", "0") and collaboration is not None:
                raise serializers.ValidationError(
                    {"is_international": "A line that pays for a collaboration is international."}
                )
        return super().validate(attrs)

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
            "basis",
            "total_won",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class ExchangeRateSerializer(ModelCleanSerializer):
    class Meta:
        model = ExchangeRate
        fields = [
            "id",
            "fiscal_year",
            "krw_per_usd",
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
            "kind",
            "source",
            "created_at",
            "updated_at",
        ]


class BudgetLineFilter(StrictFilterSet):
    fiscal_year_min = IntegerFilter("fiscal_year", "gte")
    fiscal_year_max = IntegerFilter("fiscal_year", "lte")
    basis = django_filters.ChoiceFilter(choices=Basis.choices)
    track = django_filters.ChoiceFilter(
        field_name="project__technology__program__track",
        choices=Track.choices,
        method="filter_technologies",
    )
    program = IntegerFilter(field_name="project__technology__program", method="filter_technologies")
    technology = IntegerFilter(field_name="project__technology")
    field = django_filters.CharFilter(
        field_name="project__technology__field__code", method="filter_technologies"
    )
    country = django_filters.CharFilter(
        field_name="collaboration__institution__country",
        method="filter_country",
        validators=[country_code_validate],
        help_text="ISO 3166 code of the partner institution of the collaboration the line pays for.",
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

    def filter_technologies(self, queryset, name, value):
        """The lines of the matching technologies, whose ids are read first (210 at most).

        Joined through to programmes and fields instead, PostgreSQL takes every track for a
        quarter of the lines: for a page of game-changer lines (1%) in id order it walked
        16,000 lines, probing three tables for each (23 ms at a million lines; 9 ms so).
        """
        technologies = Technology.objects.filter(
            **{name.removeprefix("project__technology__"): value}
        )
        ids = list(technologies.order_by().values_list("pk", flat=True))
        return queryset.filter(project__technology__in=ids)

    def filter_country(self, queryset, name, value):
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


@extend_schema_view(
    create=extend_schema(parameters=[CONFIRM_PARAMETER]),
    partial_update=extend_schema(parameters=[CONFIRM_PARAMETER]),
    destroy=extend_schema(parameters=[CONFIRM_PARAMETER]),
)
@export_schema
class BudgetLineViewSet(FigureMoveChecked, AuditedModelViewSet):
    """Project budget lines per fiscal year and basis, in whole won."""

    queryset = BudgetLine.objects.select_related(
        "project__technology__program", "project__technology__field", "collaboration__institution"
    )
    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter
    search_fields = ["project__project_number"]
    ordering_fields = ["id", "fiscal_year", "amount_won"]
    export_name = "budget-lines"

    def figure_change(self, line, values):
        # A stored line's collaboration by its id: no query for the object.
        stored = (
            {
                "fiscal_year": line.fiscal_year,
                "basis": line.basis,
                "amount_won": line.amount_won,
                "collaboration": line.collaboration_id,
            }
            if line is not None
            else {}
        )
        old = line_figure(**stored) if stored else None
        new = None
        if values is not None:
            after = {**stored, **values}
            # Validated: year, basis and won are there; a domestic line's collaboration may not be.
            new = line_figure(*cast(Iterator[Any], (after.get(name) for name in LINE_FIELDS)))
        return lines_changed([(old, new)])


@extend_schema_view(
    create=extend_schema(parameters=[CONFIRM_PARAMETER]),
    partial_update=extend_schema(parameters=[CONFIRM_PARAMETER]),
    destroy=extend_schema(parameters=[CONFIRM_PARAMETER]),
)
@export_schema
class MinistryBudgetViewSet(FigureMoveChecked, AuditedModelViewSet):
    """The ministry's industrial R&D budget per year and basis (budgeted, settled): the
    share's denominator. Executed shares divide by the settled total where there is one."""

    queryset = MinistryBudget.objects.all()
    serializer_class = MinistryBudgetSerializer
    filterset_class = MinistryBudgetFilter
    ordering_fields = ["id", "fiscal_year"]
    export_name = "ministry-budgets"

    def figure_change(self, total, values):
        old = (total.fiscal_year, total.basis) if total is not None else None
        if values is None:
            return total_changed(old, None, None)
        new = (
            values.get("fiscal_year", getattr(total, "fiscal_year", None)),
            values.get("basis", getattr(total, "basis", TotalBasis.BUDGETED)),
        )
        return total_changed(old, new, values.get("total_won", getattr(total, "total_won", None)))


@export_schema
class CollaborationTargetViewSet(AuditedModelViewSet):
    """Target shares per year, in percent (decimal strings), grouped in versioned plans."""

    queryset = CollaborationTarget.objects.select_related("plan")
    serializer_class = CollaborationTargetSerializer
    filterset_class = CollaborationTargetFilter
    ordering_fields = ["id", "fiscal_year"]
    export_name = "targets"


@export_schema
class ExchangeRateViewSet(AuditedModelViewSet):
    """Won per US dollar per year: for showing figures in dollars, never for sums."""

    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    filterset_fields = ["fiscal_year", "is_synthetic"]
    ordering_fields = ["id", "fiscal_year"]
    export_name = "exchange-rates"
