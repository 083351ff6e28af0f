"""Scenarios for analysts and editors: ``/api/v1/scenarios/`` and each one's ``results/``.

Editors (``scenarios.change_scenario``) create and change drafts, publish and revise them; analysts
and CTO viewers read published ones. Writes go through ``scenario_services``: an adjustment
the engine refuses is a 400 naming the adjustment and its field, and nothing is written.
"""

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django_countries import countries
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from budgets.kpi.freshness import LATE_AFTER
from programs.models import Track
from rdportfolio.core.api import (
    CodeRelatedField,
    Conflict,
    DecimalTextField,
    ExportMixin,
    StrictCharField,
)
from rdportfolio.core.api_schema import PortfolioAutoSchema
from rdportfolio.core.drf import (
    PortfolioModelPermissions,
)
from technologies.models import Field, Technology

from .engine import AdjustmentError, Kind
from .models import (
    Adjustment,
    ResultStatus,
    Scenario,
    ScenarioResult,
)
from .services import (
    ADJUSTMENT_FIELDS,
    ScenarioLocked,
    ScenarioNotReady,
    scenario_create,
    scenario_publish,
    scenario_result_request,
    scenario_revise,
    scenario_update,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# A scenario's own columns: the JSON adds its adjustments and its result.
SCENARIO_FIELDS = [
    "id",
    "name",
    "description",
    "owner",
    "status",
    "published_at",
    "revision",
    "revision_of",
    "created_at",
    "updated_at",
]


class AdjustmentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    track = serializers.ChoiceField(choices=Track.choices, required=False, allow_blank=True)
    field = CodeRelatedField(
        slug_field="code", queryset=Field.objects.all(), required=False, allow_null=True
    )
    technology = CodeRelatedField(
        slug_field="code", queryset=Technology.objects.all(), required=False, allow_null=True
    )
    note = StrictCharField(required=False, allow_blank=True, max_length=300)
    percent = DecimalTextField(
        max_digits=7,
        decimal_places=3,
        required=False,
        allow_null=True,
        help_text=Adjustment._meta.get_field("percent").help_text,
    )

    class Meta:
        model = Adjustment
        fields = ["position", *ADJUSTMENT_FIELDS]
        read_only_fields = ["position"]

    def validate(self, attrs):
        for name in ("country", "partner_country"):
            code = attrs.get(name)
            if not code:
                continue
            if code.upper() not in countries:
                raise ValidationError({name: [f"{code!r} is not an ISO 3166-1 alpha-2 code."]})
            attrs[name] = code.upper()
        return attrs


class ResultSerializer(serializers.ModelSerializer):
    rates = serializers.DictField(
        child=serializers.CharField(),
        help_text="Track -> its execution rate observed in closed years, as a decimal string "
        '("0.923077"), as the expected path used it.',
    )
    late = serializers.SerializerMethodField(
        help_text="Pending or running for longer than a compute takes: its worker may be lost."
    )

    class Meta:
        model = ScenarioResult
        fields = [
            "id",
            "status",
            "scenario_revision",
            "created_at",
            "finished_at",
            "line_count",
            "beyond_won",
            "error",
            "rates",
            "late",
        ]

    def get_late(self, result) -> bool:
        waiting = result.status in (ResultStatus.PENDING, ResultStatus.RUNNING)
        return waiting and timezone.now() - result.created_at > LATE_AFTER


class ScenarioSerializer(serializers.ModelSerializer):
    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True)
    owner: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="null: made by the system"
    )
    adjustments = AdjustmentSerializer(many=True, required=False)
    result = serializers.SerializerMethodField()

    class Meta:
        model = Scenario
        fields = [*SCENARIO_FIELDS, "adjustments", "result"]
        read_only_fields = ["status", "published_at", "revision", "revision_of"]

    def get_result(self, scenario) -> dict | None:
        result = scenario.current_result()  # prefetched: constant queries for the list
        return ResultSerializer(result).data if result else None


def _refused(error: AdjustmentError, count: int) -> ValidationError:
    """The engine's refusal as DRF's shape for a nested list: one entry per adjustment."""
    entries: list[dict[str, list[str]]] = [{} for _ in range(count)]
    if 1 <= error.number <= count:
        entries[error.number - 1] = {error.field_name: [error.message]}
        return ValidationError({"adjustments": entries})
    return ValidationError({"adjustments": [error.message]})


class ScenarioExportSerializer(serializers.ModelSerializer):
    """A scenario as one row of a CSV or XLSX list (the adjustments are in the JSON)."""

    owner: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="null: made by the system"
    )

    class Meta:
        model = Scenario
        fields = SCENARIO_FIELDS


class ScenarioSchema(PortfolioAutoSchema):
    # A published scenario refuses changes, deletion, publishing again and recomputing: 409.
    def _should_add_error_response(self, responses, status_code):
        if status_code == "409":
            return (
                self.method in ("PUT", "PATCH", "DELETE", "POST") and status_code not in responses
            )
        return super()._should_add_error_response(responses, status_code)


class ScenarioViewSet(ExportMixin, viewsets.ModelViewSet):
    """What-if scenarios toward the target path: ordered adjustments and their computed result.

    Drafts are visible to editors only; published scenarios are read-only (revise one into a
    new draft). Creating or changing the adjustments recomputes the result in the background:
    ``result.status`` says when it is ready.
    """

    serializer_class = ScenarioSerializer
    permission_classes = [PortfolioModelPermissions]
    queryset = Scenario.objects.all()
    export_name = "scenarios"
    schema = ScenarioSchema()

    def get_serializer_class(self):
        accepted = getattr(self.request, "accepted_renderer", None)
        if self.action == "list" and getattr(accepted, "format", None) in ("csv", "xlsx"):
            return ScenarioExportSerializer
        return ScenarioSerializer

    throttle_scope = "recompute"  # read by the recompute action's throttle alone

    def get_queryset(self):
        return (
            Scenario.objects.visible_to(self.request.user)
            .select_related("owner")
            .prefetch_related("adjustments__field", "adjustments__technology", "results")
            .order_by("-id")
        )

    def _write(self, write, serializer):
        adjustments = serializer.validated_data.get("adjustments")
        if adjustments is not None:
            adjustments = [dict(adjustment) for adjustment in adjustments]
        try:
            return write(adjustments)
        except AdjustmentError as error:
            raise _refused(error, len(adjustments or [])) from error
        except ScenarioLocked as error:
            raise Conflict("A published scenario is read-only: revise it into a new draft.") from (
                error
            )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = self._write(
            lambda adjustments: scenario_create(
                name=data["name"],
                description=data.get("description", ""),
                owner=self.request.user,
                adjustments=adjustments or [],
            ),
            serializer,
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = self._write(
            lambda adjustments: scenario_update(
                scenario_id=serializer.instance.pk,
                name=data.get("name"),
                description=data.get("description"),
                adjustments=adjustments,
            ),
            serializer,
        )

    def perform_destroy(self, instance):
        if instance.is_published:
            raise Conflict("A published scenario is kept: its figures were reported.")
        instance.delete()

    def _editor(self):
        if not self.request.user.has_perm("scenarios.change_scenario"):
            raise PermissionDenied("Only ministry editors change scenarios.")
        return self.get_object()

    @extend_schema(request=None, responses={200: ScenarioSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Freeze a draft whose current result succeeded."""
        scenario = self._editor()
        try:
            scenario = scenario_publish(scenario_id=scenario.pk)
        except ScenarioLocked as error:
            raise Conflict("Already published.") from error
        except ScenarioNotReady as error:
            raise Conflict(
                "Its figures for the current adjustments are not computed yet (or failed): "
                "wait for result.status 'succeeded', or recompute."
            ) from error
        return Response(self.get_serializer(scenario).data)

    @extend_schema(request=None, responses={201: ScenarioSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new draft with the same adjustments."""
        scenario = scenario_revise(scenario_id=self._editor().pk, owner=request.user)
        return Response(self.get_serializer(scenario).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: ResultSerializer})
    # A few a minute per user (API_THROTTLE_RECOMPUTE), on top of requests joining a waiting one.
    @action(
        detail=True,
        methods=["post"],
        throttle_classes=[ScopedRateThrottle],
    )
    def recompute(self, request, pk=None):
        """Compute the draft's result again (after the budget lines changed, or a lost worker)."""
        scenario = self._editor()
        if scenario.is_published:
            raise Conflict("A published scenario's figures are kept as they were published.")
        with transaction.atomic():
            result = scenario_result_request(scenario=scenario)
        return Response(ResultSerializer(result).data, status=status.HTTP_202_ACCEPTED)
