"""The API of what editors do to a year's KPI figure: the confirmation a write needs when it
moves the figure by more than the threshold, and closing and reopening a year."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from rdportfolio.core.api import ExportMixin
from rdportfolio.core.api_schema import export_schema
from rdportfolio.core.drf import (
    CursorPagination,
    PortfolioModelPermissions,
    StrictBooleanField,
    StrictBooleanFilter,
    StrictFilterSet,
)

from .figures import FigureState, figure_moves, figure_moves_message
from .models import YearClosing
from .services import ClosingRefused, FigureMoveUnconfirmed, fiscal_year_close, fiscal_year_reopen

CONFIRM_PARAMETER = OpenApiParameter(
    "confirm_kpi_change",
    OpenApiTypes.BOOL,
    description=(
        "true to save a change that moves a year's KPI figure by more than 0.1 percentage "
        "points; without it such a change is refused with a 400 saying by how much."
    ),
)


def kpi_change_confirmed(request) -> bool:
    try:
        return bool(
            StrictBooleanField(required=False).clean(request.query_params.get("confirm_kpi_change"))
        )
    except DjangoValidationError as error:
        raise ValidationError({"confirm_kpi_change": error.messages}) from error


# What the mixins below go with, for their super() calls; at run time they are as written.
if TYPE_CHECKING:
    from rdportfolio.core.query_params import QueryParamsMixin

    _ConfirmableBase = QueryParamsMixin
else:
    _ConfirmableBase = object


class KpiChangeConfirmable(_ConfirmableBase):
    """A viewset whose writes take ``confirm_kpi_change`` (the API refuses unknown parameters)."""

    def allowed_query_params(self) -> set[str]:
        allowed = super().allowed_query_params()
        if getattr(self, "action", None) in WRITES:
            allowed.add("confirm_kpi_change")
        return allowed


WRITES = ("create", "update", "partial_update", "destroy", "reopen")

if TYPE_CHECKING:
    from rdportfolio.core.api import AuditedModelViewSet

    class _FigureMoveBase(KpiChangeConfirmable, AuditedModelViewSet): ...

else:
    _FigureMoveBase = KpiChangeConfirmable


class FigureMoveChecked(_FigureMoveBase):
    """Writes that may move a year's KPI figure: refused, with the move said, unless the
    request confirms it (``confirm_kpi_change=true``). ``figure_change`` says what a write
    changes as a ``FigureState`` before and after."""

    def figure_change(self, before_row, after_values) -> tuple[FigureState, FigureState]:
        raise NotImplementedError

    def _check(self, before_row, after_values) -> None:
        before, after = self.figure_change(before_row, after_values)
        moves = figure_moves(before, after)
        if moves and not kpi_change_confirmed(self.request):
            raise ValidationError({"confirm_kpi_change": [figure_moves_message(moves)]})

    def perform_create(self, serializer):
        self._check(None, serializer.validated_data)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        self._check(serializer.instance, serializer.validated_data)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        self._check(instance, None)
        super().perform_destroy(instance)


class YearClosingSerializer(serializers.ModelSerializer):
    is_standing = serializers.SerializerMethodField(
        help_text="In force: not reopened since. The year's KPI figure is executed."
    )

    class Meta:
        model = YearClosing
        fields = [
            "id",
            "fiscal_year",
            "closed_on",
            "is_standing",
            "reopened_at",
            "reopen_reason",
            "source",
            "is_synthetic",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["reopened_at", "reopen_reason", "is_synthetic"]

    def get_is_standing(self, closing) -> bool:
        return closing.is_standing


class YearReopenSerializer(serializers.Serializer):
    reopen_reason = serializers.CharField(
        help_text="Why the year is reopened; kept in its history."
    )


class YearClosingFilter(StrictFilterSet):
    is_standing = StrictBooleanFilter(
        field_name="reopened_at", lookup_expr="isnull", help_text="true: closings in force."
    )

    class Meta:
        model = YearClosing
        fields = ["fiscal_year", "is_standing"]


def _closing_refused(error) -> ValidationError:
    if isinstance(error, FigureMoveUnconfirmed):
        return ValidationError({"confirm_kpi_change": [error.message]})
    return ValidationError({error.field: [error.message]})


@extend_schema_view(
    create=extend_schema(parameters=[CONFIRM_PARAMETER]),
    reopen=extend_schema(
        parameters=[CONFIRM_PARAMETER],
        request=YearReopenSerializer,
        responses=YearClosingSerializer,
    ),
)
@export_schema
class YearClosingViewSet(
    KpiChangeConfirmable,
    ExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The ministry's closings of fiscal years: a closed year's KPI figure is its executed
    spending, an open year's its plan. Editors close a year (POST) and reopen it with a reason
    (POST …/reopen/); a closing is never edited or deleted."""

    queryset = YearClosing.objects.all()
    serializer_class = YearClosingSerializer
    filterset_class = YearClosingFilter
    permission_classes = [PortfolioModelPermissions]
    pagination_class = CursorPagination
    lookup_value_regex = r"[0-9]+"
    ordering_fields = ["id", "fiscal_year"]
    export_name = "year-closings"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            closing = fiscal_year_close(
                fiscal_year=data["fiscal_year"],
                closed_on=data["closed_on"],
                closed_by=request.user,
                source=data.get("source", ""),
                confirmed=kpi_change_confirmed(request),
            )
        except (ClosingRefused, FigureMoveUnconfirmed) as error:
            raise _closing_refused(error) from error
        return Response(self.get_serializer(closing).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        if not request.user.has_perm("budgets.change_yearclosing"):
            raise PermissionDenied
        closing = self.get_object()
        serializer = YearReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            closing = fiscal_year_reopen(
                closing_id=closing.pk,
                reopened_by=request.user,
                reason=serializer.validated_data["reopen_reason"],
                confirmed=kpi_change_confirmed(request),
            )
        except (ClosingRefused, FigureMoveUnconfirmed) as error:
            raise _closing_refused(error) from error
        return Response(self.get_serializer(closing).data)
