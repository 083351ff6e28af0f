from typing import TYPE_CHECKING

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django_countries import countries
from django_countries.serializer_fields import CountryField
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from programs.models import Track
from rdportfolio.core.api import AuditedModelViewSet, ModelCleanSerializer, PersonalCharField
from rdportfolio.core.api_schema import export_schema
from rdportfolio.core.drf import IntegerFilter, StrictFilterSet

from .models import (
    CenterStatus,
    Collaboration,
    CollaborationRole,
    CooperationCenter,
    DispatchStatus,
    ImplementationRight,
    Institution,
    InstitutionKind,
    IPAgreement,
    ResearcherDispatch,
)

if TYPE_CHECKING:
    from technologies.models import Field


class InstitutionSerializer(CountryFieldMixin, ModelCleanSerializer):
    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "name_ko",
            "country",
            "kind",
            "city",
            "website",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class CooperationCenterSerializer(ModelCleanSerializer):
    country = CountryField(source="institution.country", read_only=True)
    field_codes: "serializers.SlugRelatedField[Field]" = serializers.SlugRelatedField(
        source="fields", slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = CooperationCenter
        fields = [
            "id",
            "institution",
            "country",
            "name_ko",
            "name_en",
            "opened_year",
            "status",
            "fields",
            "field_codes",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class CollaborationSerializer(ModelCleanSerializer):
    project_number = serializers.CharField(source="project.project_number", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    country = CountryField(source="institution.country", read_only=True)

    class Meta:
        model = Collaboration
        fields = [
            "id",
            "project",
            "project_number",
            "institution",
            "institution_name",
            "country",
            "center",
            "role",
            "start_year",
            "end_year",
            "contribution_won",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


SEE_RESEARCHER_NAMES = "partners.see_researcher_names"


class ResearcherDispatchSerializer(ModelCleanSerializer):
    researcher_name = PersonalCharField(permission=SEE_RESEARCHER_NAMES, max_length=100)
    host_institution = serializers.IntegerField(
        source="collaboration.institution_id", read_only=True
    )
    country = CountryField(source="collaboration.institution.country", read_only=True)

    class Meta:
        model = ResearcherDispatch
        fields = [
            "id",
            "collaboration",
            "host_institution",
            "country",
            "researcher_name",
            "home_organisation",
            "start_date",
            "end_date",
            "status",
            "direct_participation_confirmed",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class IPAgreementSerializer(ModelCleanSerializer):
    project_number = serializers.CharField(
        source="collaboration.project.project_number", read_only=True
    )
    country = CountryField(source="collaboration.institution.country", read_only=True)

    class Meta:
        model = IPAgreement
        fields = [
            "id",
            "collaboration",
            "project_number",
            "country",
            "domestic_share_percent",
            "foreign_share_percent",
            "implementation_right",
            "territory",
            "signed_on",
            "term_years",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]


class CountryFilter(django_filters.CharFilter):
    """An ISO 3166 code, case-insensitive; an unknown code is a 400, not an empty list."""

    def filter(self, queryset, value):
        return super().filter(queryset, value.upper() if value else value)


def country_code_validate(value):
    if value and value.upper() not in countries:
        raise DjangoValidationError(
            f"'{value}' is not an ISO 3166-1 alpha-2 country code.", code="invalid"
        )


class InstitutionFilter(StrictFilterSet):
    country = CountryFilter(validators=[country_code_validate])
    kind = django_filters.ChoiceFilter(choices=InstitutionKind.choices)

    class Meta:
        model = Institution
        fields = ["country", "kind", "is_synthetic"]


class CooperationCenterFilter(StrictFilterSet):
    country = CountryFilter(field_name="institution__country", validators=[country_code_validate])
    status = django_filters.ChoiceFilter(choices=CenterStatus.choices)
    field = django_filters.CharFilter(field_name="fields__code", distinct=True)

    class Meta:
        model = CooperationCenter
        fields = ["institution", "country", "status", "field"]


class CollaborationFilter(StrictFilterSet):
    country = CountryFilter(field_name="institution__country", validators=[country_code_validate])
    track = django_filters.ChoiceFilter(
        field_name="project__technology__program__track", choices=Track.choices
    )
    field = django_filters.CharFilter(field_name="project__technology__field__code")
    role = django_filters.ChoiceFilter(choices=CollaborationRole.choices)
    start_year_min = IntegerFilter("start_year", "gte")
    start_year_max = IntegerFilter("start_year", "lte")

    class Meta:
        model = Collaboration
        fields = [
            "project",
            "institution",
            "center",
            "country",
            "track",
            "field",
            "role",
            "start_year",
        ]


class ResearcherDispatchFilter(StrictFilterSet):
    country = CountryFilter(
        field_name="collaboration__institution__country", validators=[country_code_validate]
    )
    status = django_filters.ChoiceFilter(choices=DispatchStatus.choices)
    start_date_min = django_filters.DateFilter("start_date", "gte")
    start_date_max = django_filters.DateFilter("start_date", "lte")

    class Meta:
        model = ResearcherDispatch
        fields = ["collaboration", "country", "status", "direct_participation_confirmed"]


class IPAgreementFilter(StrictFilterSet):
    country = CountryFilter(
        field_name="collaboration__institution__country", validators=[country_code_validate]
    )
    implementation_right = django_filters.ChoiceFilter(choices=ImplementationRight.choices)

    class Meta:
        model = IPAgreement
        fields = ["collaboration", "country", "implementation_right"]


@export_schema
class InstitutionViewSet(AuditedModelViewSet):
    """Foreign universities, research institutes and companies."""

    queryset = Institution.objects.all()
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    search_fields = ["name", "name_ko", "city"]
    ordering_fields = ["id", "name", "country"]
    export_name = "institutions"


@export_schema
class CooperationCenterViewSet(AuditedModelViewSet):
    """Industry Technology Cooperation Centers hosted at foreign institutions."""

    queryset = CooperationCenter.objects.select_related("institution").prefetch_related("fields")
    serializer_class = CooperationCenterSerializer
    filterset_class = CooperationCenterFilter
    search_fields = ["name_ko", "name_en", "institution__name"]
    ordering_fields = ["id", "opened_year"]
    export_name = "cooperation-centers"


@export_schema
class CollaborationViewSet(AuditedModelViewSet):
    """Who works with whom on which project: role, years and contribution in won."""

    queryset = Collaboration.objects.select_related("project", "institution")
    serializer_class = CollaborationSerializer
    filterset_class = CollaborationFilter
    search_fields = ["project__project_number", "institution__name", "institution__name_ko"]
    ordering_fields = ["id", "start_year", "contribution_won"]
    export_name = "collaborations"


@export_schema
class ResearcherDispatchViewSet(AuditedModelViewSet):
    """Domestic researchers dispatched to partner institutions."""

    queryset = ResearcherDispatch.objects.select_related("collaboration__institution")
    serializer_class = ResearcherDispatchSerializer
    filterset_class = ResearcherDispatchFilter
    ordering_fields = ["id", "start_date"]
    export_name = "dispatches"

    @property
    def search_fields(self):
        # A search by name would tell who was dispatched where: only for who may see names.
        request = getattr(self, "request", None)
        if request is not None and request.user.has_perm(SEE_RESEARCHER_NAMES):
            return ["researcher_name", "home_organisation"]
        return ["home_organisation"]


@export_schema
class IPAgreementViewSet(AuditedModelViewSet):
    """Ownership of jointly developed IP and the domestic right to implement it."""

    queryset = IPAgreement.objects.select_related(
        "collaboration__project", "collaboration__institution"
    )
    serializer_class = IPAgreementSerializer
    filterset_class = IPAgreementFilter
    ordering_fields = ["id", "signed_on"]
    export_name = "ip-agreements"
