"""Fields, technologies and projects in the REST API."""

import django_filters
from rest_framework import serializers

from programs.models import Track
from rdportfolio.core.api import AuditedModelViewSet, ModelCleanSerializer
from rdportfolio.core.api_schema import export_schema
from rdportfolio.core.drf import IntegerFilter, StrictFilterSet

from .models import DevelopmentPhase, Field, Project, ProjectStatus, Technology, TechnologyStatus


class FieldSerializer(ModelCleanSerializer):
    class Meta:
        model = Field
        fields = ["id", "code", "name_ko", "name_en", "description", "created_at", "updated_at"]


class TechnologySerializer(ModelCleanSerializer):
    track = serializers.CharField(source="program.track", read_only=True)
    field_code = serializers.CharField(source="field.code", read_only=True)

    class Meta:
        model = Technology
        fields = [
            "id",
            "code",
            "program",
            "track",
            "field",
            "field_code",
            "name_ko",
            "name_en",
            "status",
            "target_commercialisation_year",
            "value_chain_rationale",
            "value_chain_rationale_en",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class ProjectSerializer(ModelCleanSerializer):
    technology_code = serializers.CharField(source="technology.code", read_only=True)
    track = serializers.CharField(source="technology.program.track", read_only=True)
    field_code = serializers.CharField(source="technology.field.code", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "project_number",
            "technology",
            "technology_code",
            "track",
            "field_code",
            "title_ko",
            "title_en",
            "lead_organisation",
            "development_phase",
            "start_year",
            "end_year",
            "status",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class FieldFilter(StrictFilterSet):
    class Meta:
        model = Field
        fields = ["code"]


class TechnologyFilter(StrictFilterSet):
    track = django_filters.ChoiceFilter(field_name="program__track", choices=Track.choices)
    field = django_filters.CharFilter(
        field_name="field__code", help_text="Field code, e.g. semiconductors."
    )
    status = django_filters.MultipleChoiceFilter(choices=TechnologyStatus.choices)
    country = django_filters.CharFilter(
        method="filter_country",
        help_text="ISO 3166 code of a partner institution of any of its projects.",
    )
    target_commercialisation_year_min = IntegerFilter("target_commercialisation_year", "gte")
    target_commercialisation_year_max = IntegerFilter("target_commercialisation_year", "lte")

    class Meta:
        model = Technology
        fields = [
            "program",
            "track",
            "field",
            "status",
            "country",
            "is_synthetic",
            "target_commercialisation_year",
        ]

    def filter_country(self, queryset, name, value):
        return queryset.with_partner_country(value)


class ProjectFilter(StrictFilterSet):
    track = django_filters.ChoiceFilter(
        field_name="technology__program__track", choices=Track.choices
    )
    program = IntegerFilter(field_name="technology__program")
    field = django_filters.CharFilter(field_name="technology__field__code")
    technology_code = django_filters.CharFilter(field_name="technology__code")
    status = django_filters.MultipleChoiceFilter(choices=ProjectStatus.choices)
    development_phase = django_filters.ChoiceFilter(choices=DevelopmentPhase.choices)
    country = django_filters.CharFilter(
        method="filter_country", help_text="ISO 3166 code of a partner institution."
    )
    start_year_min = IntegerFilter("start_year", "gte")
    start_year_max = IntegerFilter("start_year", "lte")
    end_year_min = IntegerFilter("end_year", "gte")
    end_year_max = IntegerFilter("end_year", "lte")

    class Meta:
        model = Project
        fields = [
            "technology",
            "track",
            "program",
            "field",
            "status",
            "start_year",
            "end_year",
            "is_synthetic",
        ]

    def filter_country(self, queryset, name, value):
        return queryset.with_partner_country(value)


@export_schema
class FieldViewSet(AuditedModelViewSet):
    """Industrial fields (semiconductors, secondary batteries, ...)."""

    queryset = Field.objects.all()
    serializer_class = FieldSerializer
    filterset_class = FieldFilter
    search_fields = ["code", "name_ko", "name_en"]
    ordering_fields = ["id", "code"]
    export_name = "fields"


@export_schema
class TechnologyViewSet(AuditedModelViewSet):
    """The 190 technologies of the strategy and the legacy programme's themes."""

    queryset = Technology.objects.select_related("program", "field")
    serializer_class = TechnologySerializer
    filterset_class = TechnologyFilter
    search_fields = ["code", "name_ko", "name_en"]
    ordering_fields = ["id", "code", "status", "target_commercialisation_year"]
    export_name = "technologies"


@export_schema
class ProjectViewSet(AuditedModelViewSet):
    """Funded projects, numbered the NTIS way."""

    queryset = Project.objects.select_related("technology__program", "technology__field")
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ["project_number", "title_ko", "title_en", "lead_organisation"]
    ordering_fields = ["id", "project_number", "start_year", "end_year"]
    export_name = "projects"
