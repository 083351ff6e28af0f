"""``/api/v1/reconciliation/``: every published figure beside the portfolio's own, for
editors and analysts (``reconciliation.py`` says what is compared with what)."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from rdportfolio.core.api import ExportMixin
from rdportfolio.core.api_schema import EXPORT_PARAMETER
from rdportfolio.core.drf import PortfolioModelPermissions, StrictBooleanField

from .api import ShareSchema
from .models import ShareRun
from .reconciliation import comparisons_build


def comparison_data(comparison, run) -> dict:
    """A comparison as the API gives it: values as decimal strings (won are whole numbers)."""

    def text(value):
        return None if value is None else f"{value.normalize():f}"

    return {
        "code": comparison.code,
        "subject": comparison.subject,
        "track": comparison.track,
        "period": comparison.period,
        "unit": comparison.unit,
        "published": text(comparison.published),
        "portfolio": text(comparison.portfolio),
        "difference": text(comparison.difference),
        "difference_percent": text(comparison.difference_percent),
        "differs": comparison.differs,
        "definition": comparison.definition,
        "portfolio_definition": comparison.portfolio_definition,
        "source": comparison.source,
        "source_url": comparison.source_url,
        "run": run.pk if run else None,
        "computed_at": serializers.DateTimeField().to_representation(run.finished_at)
        if run
        else None,
    }


COMPARISON_FIELDS: "dict[str, serializers.Field[Any, Any, Any, Any]]" = {
    "code": serializers.CharField(),
    "subject": serializers.CharField(),
    "track": serializers.CharField(help_text="The programme's track; empty for the registry."),
    "period": serializers.CharField(help_text="A year, or a programme's span (2024–2030)."),
    "unit": serializers.CharField(help_text="won, %, count or KRW/USD."),
    "published": serializers.CharField(help_text="As published, a decimal string."),
    "portfolio": serializers.CharField(allow_null=True, help_text="The portfolio's own."),
    "difference": serializers.CharField(allow_null=True, help_text="portfolio - published"),
    "difference_percent": serializers.CharField(allow_null=True),
    "differs": serializers.BooleanField(
        help_text="More than 1% apart (won, shares), or not equal (counts)."
    ),
    "definition": serializers.CharField(),
    "portfolio_definition": serializers.CharField(),
    "source": serializers.CharField(),
    "source_url": serializers.CharField(),
    "run": serializers.IntegerField(allow_null=True),
    "computed_at": serializers.DateTimeField(allow_null=True),
}


class ReconciliationPermission(PortfolioModelPermissions):
    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.has_perms(["kpi.view_reconciliation", "kpi.view_sharesnapshot"])
        )


class ReconciliationView(ExportMixin, generics.GenericAPIView):
    """Every published figure beside the portfolio's own: each programme's yearly and total
    plan and its counts of technologies and projects against the lines and records beneath
    them, and each registry figure (the ministry's totals, the global-cooperation line, the
    strategy's 6% and 15%) against the KPI, as of the latest run. ``differs`` marks what is
    more than 1% apart (a count: not equal)."""

    permission_classes = [ReconciliationPermission]
    pagination_class = None
    filter_backends = []
    export_name = "reconciliation"
    schema = ShareSchema()

    def allowed_query_params(self) -> set[str]:
        return {"format", "differs"}

    @extend_schema(
        parameters=[
            OpenApiParameter("differs", bool, description="true: only the figures that differ."),
            EXPORT_PARAMETER,
        ],
        responses=inline_serializer(
            "ReconciliationResponse",
            {
                "run": serializers.IntegerField(allow_null=True),
                "computed_at": serializers.DateTimeField(allow_null=True),
                "results": inline_serializer("Comparison", COMPARISON_FIELDS, many=True),
            },
        ),
    )
    def get(self, request, *args, **kwargs):
        try:
            differs = StrictBooleanField(required=False).clean(request.query_params.get("differs"))
        except DjangoValidationError as error:
            raise ValidationError({"differs": error.messages}) from error
        run = ShareRun.objects.latest_succeeded()
        rows = [comparison_data(c, run) for c in comparisons_build(run) if not differs or c.differs]
        if getattr(request.accepted_renderer, "format", "json") in ("csv", "xlsx"):
            response = Response(rows)
            response["Content-Disposition"] = (
                f'attachment; filename="reconciliation.{request.accepted_renderer.format}"'
            )
            return response
        computed_at = rows[0]["computed_at"] if rows else None
        return Response(
            {"run": run.pk if run else None, "computed_at": computed_at, "results": rows}
        )
