"""A scenario's figures for analysts: ``/api/v1/scenarios/{id}/results/``, JSON, CSV or XLSX."""

from typing import TYPE_CHECKING, cast

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from rdportfolio.core.api import ExportMixin
from rdportfolio.core.api_schema import EXPORT_PARAMETER, PortfolioAutoSchema
from rdportfolio.core.drf import (
    IntegerFilter,
    PortfolioModelPermissions,
    StrictFilterBackend,
    StrictFilterSet,
    filter_errors,
)
from rdportfolio.core.models import MAX_YEAR, MIN_YEAR

from .api import ResultSerializer
from .engine import Path
from .models import ResultStatus, Scenario, ScenarioFigure
from .services import scenario_current_result

if TYPE_CHECKING:
    from rest_framework.response import Response


class FigureFilter(StrictFilterSet):
    path = django_filters.ChoiceFilter(choices=Path.choices)
    by = django_filters.ChoiceFilter(
        field_name="dimension",
        choices=[(c, c) for c in ("overall", "track", "field", "country")],
        help_text="overall, track, field or country; all if left out.",
    )
    from_year = IntegerFilter("fiscal_year", "gte", min_value=MIN_YEAR, max_value=MAX_YEAR)
    to_year = IntegerFilter("fiscal_year", "lte", min_value=MIN_YEAR, max_value=MAX_YEAR)

    class Meta:
        model = ScenarioFigure
        fields = ["path", "by", "from_year", "to_year"]


class FigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScenarioFigure
        fields = [
            "path",
            "fiscal_year",
            "dimension",
            "key",
            "international_won",
            "total_won",
            "share",
            "target_share",
            "target_won",
            "gap_won",
            "status",
            "difference_won",
        ]


class ScenarioResultsSchema(PortfolioAutoSchema):
    # One object (the scenario, its result and the figures), not a list of them.
    def _is_list_view(self, serializer=None):
        return False


YEAR_SCHEMA = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}


class ScenarioResultsView(ExportMixin, generics.ListAPIView):
    """A scenario's figures: baseline, scenario and expected paths per year, overall (with
    target, gap in won and verdict) and by track, field and country, each with its difference
    from the baseline. ``share`` is percent with four places; amounts are whole won. JSON,
    ``?format=csv`` or ``?format=xlsx``."""

    serializer_class = FigureSerializer
    permission_classes = [PortfolioModelPermissions]
    queryset = ScenarioFigure.objects.all()
    pagination_class = None
    filter_backends = [StrictFilterBackend]
    filterset_class = FigureFilter
    export_name = "scenario"
    schema = ScenarioResultsSchema()
    scenario = result = None

    @extend_schema(
        # Listed here: the schema reads filters only from list views, and this one returns one object.
        parameters=[
            OpenApiParameter("path", enum=Path.values),
            OpenApiParameter(
                "by",
                enum=["overall", "track", "field", "country"],
                description="overall, track, field or country; all if left out.",
            ),
            OpenApiParameter("from_year", YEAR_SCHEMA, description="First fiscal year."),
            OpenApiParameter("to_year", YEAR_SCHEMA, description="Last fiscal year."),
            EXPORT_PARAMETER,
        ],
        responses=inline_serializer(
            "ScenarioResultsResponse",
            {
                "scenario": inline_serializer(
                    "ScenarioSummary",
                    {
                        "id": serializers.IntegerField(),
                        "name": serializers.CharField(),
                        "status": serializers.CharField(),
                        "revision": serializers.IntegerField(),
                    },
                ),
                "result": ResultSerializer(allow_null=True),
                "results": FigureSerializer(many=True),
            },
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def lists_rows(self) -> bool:
        return True  # the scenario's id is in the path, and its figures are a list

    def get_queryset(self):
        self.scenario = get_object_or_404(
            Scenario.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.result = scenario_current_result(self.scenario)
        if self.result is None or self.result.status != ResultStatus.SUCCEEDED:
            return ScenarioFigure.objects.none()
        return ScenarioFigure.objects.filter(result=self.result).order_by(
            "path", "dimension", "key", "fiscal_year"
        )

    def filter_queryset(self, queryset):
        filterset = StrictFilterBackend().get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset.form))
        return filterset.qs

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        result = ResultSerializer(self.result).data if self.result else None
        if isinstance(getattr(response, "data", None), list):
            # super().list() ran get_queryset(), which found the scenario (or answered 404).
            scenario = cast(Scenario, self.scenario)
            listed = cast("Response", response)  # the JSON list's, not an export's file
            listed.data = {
                "scenario": {
                    "id": scenario.pk,
                    "name": scenario.name,
                    "status": scenario.status,
                    "revision": scenario.revision,
                },
                "result": result,
                "results": listed.data,
            }
        else:
            response["X-Scenario-Result"] = str(self.result.pk) if self.result else ""
            response["X-Scenario-Result-Status"] = self.result.status if self.result else ""
        return response
