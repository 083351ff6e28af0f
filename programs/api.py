import django_filters
from rest_framework import serializers

from rdportfolio.core.api import AuditedModelViewSet, ModelCleanSerializer
from rdportfolio.core.api_schema import export_schema
from rdportfolio.core.drf import StrictFilterSet

from .models import Measure, Program, ProgramYearPlan, PublishedFigure, Track


class ProgramSerializer(ModelCleanSerializer):
    class Meta:
        model = Program
        fields = [
            "id",
            "track",
            "name_ko",
            "name_en",
            "target_technology_count",
            "commercialisation_horizon_years",
            "start_year",
            "end_year",
            "planned_total_won",
            "description",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class ProgramYearPlanSerializer(ModelCleanSerializer):
    track = serializers.CharField(source="program.track", read_only=True)

    class Meta:
        model = ProgramYearPlan
        fields = [
            "id",
            "program",
            "track",
            "fiscal_year",
            "planned_won",
            "technologies_started",
            "projects_started",
            "source",
            "is_synthetic",
        ]


class ProgramFilter(StrictFilterSet):
    track = django_filters.ChoiceFilter(choices=Track.choices)

    class Meta:
        model = Program
        fields = ["track", "is_synthetic"]


@export_schema
class ProgramViewSet(AuditedModelViewSet):
    """The strategy's tracks (leapfrogging, foundational, game-changer) and the legacy programme."""

    queryset = Program.objects.all()
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    search_fields = ["name_ko", "name_en"]
    ordering_fields = ["id", "track", "start_year", "planned_total_won"]
    export_name = "programs"


@export_schema
class ProgramYearPlanViewSet(AuditedModelViewSet):
    """Programme figures as published (e.g. 148.7 billion won for leapfrogging in 2024)."""

    queryset = ProgramYearPlan.objects.select_related("program")
    serializer_class = ProgramYearPlanSerializer
    filterset_fields = ["program", "fiscal_year"]
    ordering_fields = ["id", "fiscal_year", "planned_won"]
    export_name = "program-year-plans"


class PublishedFigureSerializer(ModelCleanSerializer):
    class Meta:
        model = PublishedFigure
        fields = [
            "id",
            "code",
            "description_ko",
            "description_en",
            "definition_ko",
            "definition_en",
            "fiscal_year",
            "amount_won",
            "quantity",
            "unit",
            "measure",
            "source",
            "source_url",
            "published_on",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class PublishedFigureFilter(StrictFilterSet):
    measure = django_filters.ChoiceFilter(choices=Measure.choices)

    class Meta:
        model = PublishedFigure
        fields = ["code", "fiscal_year", "measure"]


@export_schema
class PublishedFigureViewSet(AuditedModelViewSet):
    """The registry of published figures: each with its definition and source. The
    portfolio's own value beside each is in /reconciliation/."""

    queryset = PublishedFigure.objects.all()
    serializer_class = PublishedFigureSerializer
    filterset_class = PublishedFigureFilter
    search_fields = ["code", "description_ko", "description_en"]
    ordering_fields = ["id", "code", "fiscal_year"]
    export_name = "published-figures"
