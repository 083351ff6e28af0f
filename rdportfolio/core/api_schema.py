"""OpenAPI additions shared by the apps' APIs.

Kept apart from ``rdportfolio.core.api``: DRF's settings import that module, and
drf-spectacular reads DRF's settings when it is imported.

drf-spectacular's extension hooks have no types: calling one is marked ``no-untyped-call``
(registering an extension calls one too, its ``__init_subclass__``).
"""

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from drf_standardized_errors.openapi import AutoSchema
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ParseErrorResponseSerializer,
    ServerErrorEnum,
    ValidationErrorEnum,
)
from rest_framework import serializers

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
    from drf_spectacular.utils import Direction

_ViewSet = TypeVar("_ViewSet", bound=type)

EXPORT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "xlsx"],
    description=(
        "json (default, paged) or csv / xlsx: every row that matches the filters in one file, "
        "not one page. xlsx refuses more than 1,048,575 rows (Excel's limit) with a 400; use csv then."
    ),
)


def export_schema(viewset_class: _ViewSet) -> _ViewSet:
    """Document ``format`` on the list endpoint of a viewset."""
    return extend_schema_view(list=extend_schema(parameters=[EXPORT_PARAMETER]))(viewset_class)


class PersonalCharFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """A person's name (``PersonalCharField``): null in responses to roles without the names."""

    target_class = "rdportfolio.core.api.PersonalCharField"

    def map_serializer_field(
        self, auto_schema: "SpectacularAutoSchema", direction: "Direction"
    ) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(  # type: ignore[no-untyped-call]
            self.target, direction, bypass_extensions=True
        )
        if direction == "response":
            schema["nullable"] = True
            schema["description"] = "null where the reader's role does not include names."
        return schema


class FieldError(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="invalid, required, min_value, unique, ...")
    detail = serializers.CharField(help_text="What is wrong, in the request's language.")
    attr = serializers.CharField(
        help_text="The field, query parameter (e.g. page_size, cursor) or non_field_errors."
    )


class ValidationErrorResponse(serializers.Serializer[Any]):
    """Every 400 for invalid input: one error per field or parameter, named in ``attr``."""

    type = serializers.ChoiceField(choices=ValidationErrorEnum.choices)
    errors = FieldError(many=True)  # type: ignore[assignment]  # a field, over Serializer.errors


# Two shared shapes instead of one per operation and field (which made the schema 3 MB).
VALIDATION_ONLY_400 = PolymorphicProxySerializer(
    component_name="ValidationErrorResponse400",
    serializers={ValidationErrorEnum.VALIDATION_ERROR.value: ValidationErrorResponse},
    resource_type_field_name="type",
)
VALIDATION_OR_PARSE_400 = PolymorphicProxySerializer(
    component_name="ErrorResponse400",
    serializers={
        ValidationErrorEnum.VALIDATION_ERROR.value: ValidationErrorResponse,
        ClientErrorEnum.CLIENT_ERROR.value: ParseErrorResponseSerializer,
    },
    resource_type_field_name="type",
)


class StrictFilterExtension(DjangoFilterExtension):  # type: ignore[no-untyped-call]
    """django-filter's parameters, with the bounds our filters enforce (``from_year`` 1990 to
    2100): a schema-driven client never sends what is then refused."""

    target_class = "rdportfolio.core.drf.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(
        self,
        auto_schema: "SpectacularAutoSchema",
        model: type[Model],
        filterset_class: type[Any],
        field_name: str,
        filter_field: Any,
    ) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]]
        parameters = super().resolve_filter_field(  # type: ignore[no-untyped-call]
            auto_schema, model, filterset_class, field_name, filter_field
        )
        bounds = {
            "minimum": filter_field.extra.get("min_value"),
            "maximum": filter_field.extra.get("max_value"),
        }
        for parameter in parameters:
            parameter["schema"].update({k: v for k, v in bounds.items() if v is not None})
        return parameters


def decimal_pattern(field: serializers.DecimalField) -> str:
    """A decimal string with at least one digit; no sign where the field takes no negatives.

    drf-spectacular's own pattern (``^-?\\d{0,3}(?:\\.\\d{0,2})?$``) admits "" and "-".
    """
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    whole, places = field.max_whole_digits, field.decimal_places
    return rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"


def _error_response(name: str, code: str, kind: Any) -> type[serializers.Serializer[Any]]:
    """The error shape (drf-standardized-errors') of an answer whose code is always ``code``."""
    fields = {
        "code": serializers.ChoiceField(choices=[(code, code)]),
        "detail": serializers.CharField(),
        "attr": serializers.CharField(allow_null=True),
    }
    error = type(f"{name}Error", (serializers.Serializer,), fields)
    body = {"type": serializers.ChoiceField(choices=kind.choices), "errors": error(many=True)}
    return type(f"{name}ErrorResponse", (serializers.Serializer,), body)


# Deleting a record still in use; a body over the upload limit; the database out of reach.
ERROR_RESPONSES = {
    "409": _error_response("Conflict", "conflict", ClientErrorEnum),
    "413": _error_response("TooLarge", "too_large", ClientErrorEnum),
    "503": _error_response("Unavailable", "unavailable", ServerErrorEnum),
}


class PortfolioAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, told about the errors our views add.

    Every operation may answer 400 (a bad field, filter, page size, cursor, ordering, export
    format or an unknown parameter, named in ``attr``) and 503 (the database out of reach,
    with Retry-After); deleting a record still in use is a 409; a body over the upload limit
    a 413.
    """

    def _should_add_error_response(self, responses: dict[str, Any], status_code: str) -> bool:
        if status_code in ERROR_RESPONSES and status_code in responses:
            return False
        if status_code == "409":
            return self.method == "DELETE"
        if status_code == "413":
            return self.method in ("POST", "PUT", "PATCH")
        if status_code == "503":
            return True
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(
        self, status_code: str
    ) -> type[serializers.Serializer[Any]] | serializers.Serializer[Any]:
        if status_code in ERROR_RESPONSES:
            return ERROR_RESPONSES[status_code]
        return super()._get_error_response_serializer(status_code)

    def _is_list(self) -> bool:
        return self.method == "GET" and self._is_list_view()

    def _should_add_validation_error_response(self) -> bool:
        # Every operation of ours refuses an empty or unknown ?format= or an unknown parameter.
        return True

    def _map_serializer_field(
        self,
        field: serializers.Field[Any, Any, Any, Any],
        direction: "Direction",
        bypass_extensions: bool = False,
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(  # type: ignore[no-untyped-call]
            field, direction, bypass_extensions
        )
        if (
            isinstance(field, serializers.DecimalField)
            and schema.get("format") == "decimal"
            and field.max_whole_digits
            and field.decimal_places
        ):
            schema["pattern"] = decimal_pattern(field)
        return schema

    def _get_response_for_code(
        self,
        serializer: Any,
        status_code: str | int,
        media_types: list[str] | None = None,
        direction: "Direction" = "response",
    ) -> dict[str, Any]:
        # Errors are JSON whatever format was asked for (ExportMixin.finalize_response).
        if str(status_code)[0] in "45":
            media_types = ["application/json"]
        response: dict[str, Any] = super()._get_response_for_code(  # type: ignore[no-untyped-call]
            serializer, status_code, media_types, direction
        )
        return response

    def _get_http400_serializer(self) -> PolymorphicProxySerializer:
        # One shared shape: ``attr`` names the field or parameter. (drf-standardized-errors
        # would enumerate every field's error codes per operation: 600 components, 3 MB.)
        if self._should_add_parse_error_response():
            return VALIDATION_OR_PARSE_400
        return VALIDATION_ONLY_400
