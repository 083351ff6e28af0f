"""OpenAPI additions shared by the apps' APIs.

Kept apart from ``rdportfolio.core.api``: DRF's settings import that module, and
drf-spectacular reads DRF's settings when it is imported.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi import AutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import serializers

EXPORT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "xlsx"],
    description=(
        "json (default, paged) or csv / xlsx: every row that matches the filters in one file, "
        "not one page. xlsx refuses more than 1,048,575 rows (Excel's limit) with a 400; use csv then."
    ),
)


def export_schema(viewset_class):
    """Document ``format`` on the list endpoint of a viewset."""
    return extend_schema_view(list=extend_schema(parameters=[EXPORT_PARAMETER]))(viewset_class)


class ConflictError(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("conflict", "conflict")])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ConflictErrorResponse(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = ConflictError(many=True)


# What the model's full_clean() can add to a field's own error codes.
MODEL_CLEAN_CODES = {
    "invalid",
    "unique",
    "blank",
    "null",
    "min_value",
    "max_value",
    "invalid_choice",
    "max_length",
}
LIST_FILTER_CODES = {
    "invalid",
    "invalid_choice",
    "invalid_list",
    "invalid_pk_value",
    "min_value",
    "max_value",
}
# Every list validates these besides its filters.
LIST_PARAMETERS = ("page_size", "ordering", "format", "search")


class PortfolioAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, told about the errors our views add.

    Writes run the model's full_clean() (codes beyond the serializer's, and
    non-field errors from constraints); lists refuse a bad page size,
    ordering or export format; deleting a record still in use is a 409.
    """

    def _should_add_error_response(self, responses, status_code):
        if status_code == "409":
            return self.method == "DELETE" and status_code not in responses
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(self, status_code):
        if status_code == "409":
            return ConflictErrorResponse
        return super()._get_error_response_serializer(status_code)

    def _is_list(self):
        return self.method == "GET" and self._is_list_view()

    def _should_add_validation_error_response(self):
        # Every operation of ours refuses an empty or unknown ?format=.
        return True

    def _get_validation_error_codes_by_field(self, data_fields):
        codes = super()._get_validation_error_codes_by_field(data_fields)
        codes["format"] |= {"invalid"}
        if self.method in ("POST", "PUT", "PATCH"):
            for name in list(codes):
                codes[name] |= MODEL_CLEAN_CODES
            codes["non_field_errors"] |= {"invalid", "unique"}
        elif self.method == "GET" and (
            self._is_list() or getattr(self.view, "filterset_class", None)
        ):
            filterset_class = getattr(self.view, "filterset_class", None)
            filters = list(filterset_class.base_filters) if filterset_class else []
            filters += list(getattr(self.view, "filterset_fields", None) or [])
            for name in [*LIST_PARAMETERS, *filters, *list(codes)]:  # what the filter forms may say
                codes[name] |= LIST_FILTER_CODES
        return codes
