"""``POST /api/v1/scenarios/solve/``: the least won per year, and where, to be on the path.

Anyone who may read scenarios may ask (nothing is written); ``save`` turns the proposal into a
draft scenario, for those who may add scenarios.
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rdportfolio.core.api import DecimalTextField, StrictCharField
from rdportfolio.core.models import MAX_WON

from .engine import AdjustmentError
from .models import Scenario
from .solve import BY, SOURCES, SolveRequest, scenario_from_solution, scenario_solve


class JSONBooleanField(serializers.BooleanField):
    """true or false, as JSON has them: 0, "yes" or "1" are refused, not guessed at."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


# A declared field named as an attribute of Field or Serializer (source, save, label) shadows
# nothing: DRF's metaclass takes declared fields out of the class. The stubs cannot know that.


class SolveSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=BY, default="track")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a declared field (see above)
        choices=SOURCES,
        default="shift",
        help_text="shift: move domestic won to international; add: new international won.",
    )
    max_move_percent = DecimalTextField(
        max_digits=6,
        decimal_places=3,
        min_value=Decimal(0),
        max_value=Decimal(100),
        default=Decimal(100),
        help_text="shift: the most of a scope's domestic won that may move in a year, percent.",
    )
    # Bounded as every amount is (1,000조 won): a limit beyond any budget says nothing more.
    max_add_won = serializers.IntegerField(
        min_value=0,
        max_value=MAX_WON,
        required=False,
        allow_null=True,
        help_text="add: the most per scope and year.",
    )
    caps = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_WON),
        required=False,
        default=dict,
        help_text="Scope (track or field code) -> the most won over the open years.",
    )
    programme_totals = JSONBooleanField(
        default=True, help_text="by=track: keep each track within its programme's published total."
    )
    scenario = serializers.IntegerField(
        required=False, allow_null=True, help_text="Start from this scenario's figures."
    )
    save = JSONBooleanField(  # type: ignore[assignment]  # a declared field (see above)
        default=False, help_text="Save the proposal as a draft."
    )
    name = StrictCharField(required=False, max_length=200)


class AllocationSerializer(serializers.Serializer):
    scope = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    won = serializers.IntegerField()


class LimitSerializer(serializers.Serializer):
    scope = serializers.CharField()
    years = serializers.ListField(child=serializers.IntegerField())
    cap_won = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (see above)


class SolutionSerializer(serializers.Serializer):
    feasible = serializers.BooleanField(help_text="Every open plan year reaches its target.")
    total_won = serializers.IntegerField(help_text="The won proposed, all years.")
    needed_won = serializers.DictField(
        child=serializers.IntegerField(), help_text="Year -> the won that closes its gap."
    )
    allocation = AllocationSerializer(many=True)
    shortfall_won = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Year -> what no allocation within the limits closes.",
    )
    binding = serializers.ListField(
        child=serializers.CharField(), help_text="The limits that hold a short year back."
    )
    limits = LimitSerializer(many=True)
    scenario = serializers.IntegerField(allow_null=True, help_text="The draft saved, if asked.")


class ReadsScenarios(BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("scenarios.view_scenario")


class SolveView(APIView):
    # Asking changes nothing: readers of scenarios may ask (checked in ``post``); saving is
    # for those who may add scenarios.
    permission_classes = [IsAuthenticated, ReadsScenarios]

    def get_serializer(self, *args, **kwargs):  # for the schema
        return SolveSerializer(*args, **kwargs)

    @extend_schema(
        request=SolveSerializer, responses={200: SolutionSerializer, 201: SolutionSerializer}
    )
    def post(self, request):
        params = SolveSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if data["save"] and not request.user.has_perm("scenarios.add_scenario"):
            raise PermissionDenied("Only ministry editors save scenarios.")
        if data["save"] and not data.get("name"):
            raise ValidationError({"name": ["Name the scenario to save."]})
        scenario_id = data.get("scenario")
        if scenario_id is not None:
            get_object_or_404(Scenario.objects.visible_to(request.user), pk=scenario_id)
        solve = SolveRequest(
            by=data["by"],
            source=data["source"],
            max_move_percent=data["max_move_percent"],
            max_add_won=data.get("max_add_won"),
            caps=data["caps"],
            programme_totals=data["programme_totals"],
            scenario_id=scenario_id,
        )
        try:
            solution, problem = scenario_solve(solve)
        except ValueError as error:  # a limit that names no scope, a scenario the engine refuses
            name, _sep, message = str(error).partition(": ")
            raise ValidationError({name if message else "detail": [message or str(error)]}) from (
                error
            )
        body = {
            "feasible": solution.feasible,
            "total_won": solution.total_won,
            "needed_won": {str(y): won for y, won in solution.needed_won.items()},
            "allocation": [
                {"scope": scope, "fiscal_year": year, "won": won}
                for (scope, year), won in sorted(solution.allocation_won.items())
            ],
            "shortfall_won": {str(y): won for y, won in solution.shortfall_won.items()},
            "binding": solution.binding,
            "limits": [
                {"scope": s.scope, "years": list(s.years), "cap_won": s.cap_won, "label": s.label}
                for s in problem.spans
            ],
            "scenario": None,
        }
        if data["save"]:
            try:
                scenario = scenario_from_solution(
                    request=solve, solution=solution, name=data["name"], owner=request.user
                )
            except AdjustmentError as error:
                raise ValidationError({"detail": [str(error)]}) from error
            body["scenario"] = scenario.pk
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(body)
