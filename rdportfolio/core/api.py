"""What every app's API shares: permissions, paging, strict filters, whole-list exports, audit."""

import copy
import itertools
import operator
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import IO, TYPE_CHECKING, Any, ClassVar, cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseBase
from rest_framework import mixins, renderers, serializers, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from . import exports
from .copy_export import CopyPlan, can_copy, column_kind, copy_select, formatted_rows
from .drf import CursorPagination, PortfolioModelPermissions
from .exports import csv_copy_response, csv_lines, csv_response, file_response
from .query_params import QueryParamsMixin
from .values_plan import Converter, PlanEntry, datetime_converter, plan_template, row_converter

if TYPE_CHECKING:  # what the mixins below go with; at run time they are as written
    _FieldBase = serializers.Field[Any, Any, Any, Any]

    class _ExportBase(mixins.ListModelMixin, QueryParamsMixin):
        def get_serializer(self, *args: Any, **kwargs: Any) -> serializers.Serializer[Any]: ...
        def get_serializer_class(self) -> type[serializers.Serializer[Any]]: ...

        paginator: CursorPagination | None
else:
    _ExportBase, _FieldBase = QueryParamsMixin, object

_Context = Mapping[str, Any] | None

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row


class Conflict(APIException):
    status_code = 409
    default_detail = "The record is still in use."
    default_code = "conflict"


class CSVRenderer(renderers.BaseRenderer):
    """Registered so that ``?format=csv`` is accepted; lists stream their own CSV (see ExportMixin)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: _Context = None
    ) -> bytes:
        if data is None:
            return b""  # e.g. 204 No Content after a DELETE
        rows = data if isinstance(data, list) else [data]
        return _csv_bytes(rows)


class XLSXRenderer(renderers.BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: _Context = None
    ) -> bytes:
        if data is None:
            return b""
        rows: Any = data if isinstance(data, list) else [data]  # then their cells
        columns = list(rows[0]) if rows else []
        rows = _flat_rows([row.get(c) for c in columns] for row in rows)
        return exports.xlsx_bytes([("data", columns, rows)])


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    if not rows:
        return b""
    columns = list(rows[0])
    values = ([_flat(row.get(c)) for c in columns] for row in rows)
    return "".join(csv_lines(itertools.chain([columns], values))).encode()


def _flat(value: Any) -> Any:
    """Many-valued fields (lists in JSON) as one cell: the values joined by ", "."""
    return ", ".join(map(str, value)) if isinstance(value, list) else value


def _flat_rows(rows: Iterable[Iterable[Any]]) -> Iterator[list[Any]]:
    return ([_flat(value) for value in row] for row in rows)


# Serializer fields whose JSON form differs from the database value (quantized decimal
# strings, ISO dates, local times); the others are written as the database returns them.
CONVERTED_FIELDS = (serializers.DecimalField, serializers.DateTimeField, serializers.DateField)


class ExportMixin(_ExportBase):
    """``?format=csv`` and ``?format=xlsx`` on a list return every matching row, never one page.

    CSV streams (a million lines never sit in memory); XLSX is built in
    write-only mode and refuses, with a 400 that says why and what to use
    instead, more rows than a sheet can hold. Columns and values are the
    JSON's: the same serializer writes both.
    """

    export_name = "export"
    renderer_classes = [
        renderers.JSONRenderer,
        CSVRenderer,
        XLSXRenderer,
    ]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> "tuple[renderers.BaseRenderer, str]":
        if request.query_params.get("format") == "" and not force:
            raise ValidationError({"format": ["Empty; use json, csv or xlsx, or leave it out."]})
        try:
            return super().perform_content_negotiation(request, force)
        except Http404 as error:
            # DRF answers an unknown ?format= with a 404, as if the endpoint were missing.
            raise ValidationError(
                {"format": ["Unknown format; use json, csv or xlsx, or leave it out."]}
            ) from error

    def values_plan(self) -> tuple[list[str], list[str], list[Converter | None]] | None:
        """How to read the serializer's fields straight from ``values()``, or None if it cannot.

        Returns (columns, ORM paths, converters). Reading values is about four
        times faster than building model instances and serializing them; the
        serializer's own fields still convert what needs it (decimals, dates,
        times), so the output is the same. Many-to-many and method fields
        cannot be read that way: such serializers are used as usual. The fields
        are built once per serializer class (building them cost more than reading
        a page); only who may see personal fields is asked per request.
        """
        template = plan_template(self.get_serializer_class())
        if template is None:
            return None
        user = self.request.user if self.request is not None else None
        columns: list[str] = []
        paths: list[str] = []
        converters: list[Converter | None] = []
        for name, path, field in template:
            columns.append(name)
            paths.append(path)
            if isinstance(field, PersonalCharField) and not (
                user and user.has_perm(field.permission)
            ):
                converters.append(_withheld)
            elif isinstance(field, serializers.DateTimeField):
                converters.append(datetime_converter(field))
            else:
                converters.append(
                    field.to_representation if isinstance(field, CONVERTED_FIELDS) else None
                )
        return columns, paths, converters

    def export_rows(self, queryset: models.QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]]]:
        """Columns and rows of a whole-list file, as the serializer would write them.

        A million lines stream in seconds through ``values_list()``; many-valued
        fields become one cell, their values joined by ", ".
        """
        plan = self.values_plan()
        if plan is None:
            serializer = self.get_serializer()
            columns = list(serializer.fields)
            rows = (serializer.to_representation(obj) for obj in queryset.iterator(chunk_size=2000))
            return columns, ([row[c] for c in columns] for row in rows)
        columns, paths, converters = plan
        values = queryset.values_list(*paths).iterator(chunk_size=5000)
        return columns, map(row_converter(converters), values)

    def json_page(self, request: Request) -> Response | None:
        """A JSON page read with ``values()`` (see values_plan); None where that cannot be done."""
        plan = self.values_plan()
        if plan is None:
            return None
        columns, paths, converters = plan
        convert = row_converter(converters)
        queryset = self.filter_queryset(self.get_queryset())
        if self.paginator is None:  # an unpaged list (the share): every row
            rows: Iterable[Any] = queryset.values_list(*paths)
            return Response([dict(zip(columns, convert(row), strict=True)) for row in rows])
        ordering = [
            field.lstrip("-") for field in self.paginator.get_ordering(request, queryset, self)
        ]
        if not set(ordering) <= set(paths):
            return None  # the cursor needs the ordering fields in each row
        page = cast("list[dict[str, Any]]", self.paginate_queryset(queryset.values(*paths)))
        take = operator.itemgetter(*paths) if len(paths) > 1 else lambda row: (row[paths[0]],)
        rows = [dict(zip(columns, convert(take(row)), strict=True)) for row in page]
        return self.get_paginated_response(rows)

    def list(  # type: ignore[override]  # a whole-list file is Django's response, not DRF's
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        export_format = getattr(request.accepted_renderer, "format", "json")
        if export_format not in ("csv", "xlsx"):
            return self.json_page(request) or super().list(request, *args, **kwargs)
        if self.paginator is not None:
            # Paging does not apply to a whole-list file, but a malformed parameter is still an error.
            self.paginator.get_page_size(request)
            if request.query_params.get(self.paginator.cursor_query_param):
                self.paginator.decode_cursor(request)
        queryset = self.filter_queryset(self.get_queryset())
        filename = f"{self.export_name}-{date.today().isoformat()}.{export_format}"  # noqa: DTZ011 - a file name
        if export_format == "xlsx":

            def build(file: IO[bytes]) -> int:
                count = queryset.count()
                if count > XLSX_MAX_ROWS:
                    raise ValidationError(
                        {
                            "format": [
                                f"{count:,} rows match, more than an Excel sheet holds "
                                f"({XLSX_MAX_ROWS:,}). Use format=csv for all of them, or "
                                "narrow the filters."
                            ]
                        }
                    )
                copy_plan = self.copy_plan()
                if copy_plan is not None:  # PostgreSQL formats the values itself
                    columns = list(self.get_serializer().fields)
                    exports.xlsx_write(
                        [("data", columns, formatted_rows(queryset, *copy_plan))], file
                    )
                    return count
                columns, rows = self.export_rows(queryset)
                exports.xlsx_write([("data", columns, _flat_rows(rows))], file)
                return count

            return file_response(
                filename=filename, content_type=XLSXRenderer.media_type, build=build
            )
        columns = list(self.get_serializer().fields)
        copy_plan = self.copy_plan()
        if copy_plan is not None:  # PostgreSQL writes the file itself
            sql, params = copy_select(queryset, *copy_plan)
            return csv_copy_response(
                filename=filename, columns=columns, count=queryset.count, sql=sql, params=params
            )

        def rows() -> Iterator[list[Any]]:
            _columns, values = self.export_rows(queryset)
            return (["" if value is None else _flat(value) for value in row] for row in values)

        return csv_response(filename=filename, columns=columns, count=queryset.count, rows=rows)

    def copy_plan(self) -> CopyPlan | None:
        """(ORM paths, column kinds) for a CSV written by COPY, or None where it cannot be."""
        plan = self.values_plan()
        if plan is None:
            return None
        _columns, paths, converters = plan
        template = cast("list[PlanEntry]", plan_template(self.get_serializer_class()))  # planned
        fields = [field for _name, _path, field in template]
        kinds = [
            column_kind(field, withheld=convert is _withheld)
            for field, convert in zip(fields, converters, strict=True)
        ]
        return (paths, kinds) if can_copy(kinds) else None

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # Errors are JSON whatever format was asked for: a spreadsheet of an error helps nobody.
        if (
            getattr(response, "status_code", 200) >= 400
            and getattr(request, "accepted_renderer", None) is not None
        ):
            if request.accepted_renderer.format in ("csv", "xlsx"):
                request.accepted_renderer = renderers.JSONRenderer()
                request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class TextOnlyMixin(_FieldBase):
    """Text must arrive as text: 12345 for a name is refused, not quietly turned into "12345"."""

    default_error_messages = {"invalid": "Not a string."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(TextOnlyMixin, serializers.CharField):
    pass


class StrictSlugField(TextOnlyMixin, serializers.SlugField):
    pass


class CodeRelatedField(serializers.SlugRelatedField[Any]):
    """A related row named by its code: text without NUL characters, or a 400 that says so
    (PostgreSQL refuses NUL in a query's text, which would otherwise be a server error)."""

    default_error_messages = {"invalid": "Not a code: text without null characters."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class DecimalTextField(TextOnlyMixin, serializers.DecimalField):
    """A decimal as the schema documents it, a string ("12.5"): 12.5 as a JSON number would
    pass through a float on its way in, and is refused."""


class PersonalCharField(StrictCharField):
    """Text that names a person: null for readers whose role lacks ``permission``.

    The same in JSON, CSV and XLSX (ExportMixin reads the field's rule), and documented as
    nullable in the schema. The view must also keep the field out of search and ordering.
    """

    def __init__(self, *, permission: str, **kwargs: Any) -> None:
        self.permission = permission
        super().__init__(**kwargs)

    def withheld(self) -> bool:
        request = self.context.get("request")
        return request is None or not request.user.has_perm(self.permission)

    def to_representation(self, value: Any) -> Any:
        return None if self.withheld() else super().to_representation(value)


def _withheld(value: Any) -> None:
    return None


class ModelCleanSerializer(serializers.ModelSerializer[Any]):
    """Runs the model's own ``full_clean()``: the API refuses exactly what the admin refuses."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
    }
    Meta: ClassVar[type[Any]]  # each serializer's own, naming its model

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        many_to_many = {f.name for f in self.Meta.model._meta.many_to_many}
        plain = {name: value for name, value in attrs.items() if name not in many_to_many}
        # Check a copy: the real instance changes only when the whole request is valid.
        candidate = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in plain.items():
            setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            # The model's "__all__" is DRF's non_field_errors, the name the schema documents.
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise ValidationError(detail) from error
        return attrs

    def get_validators(self) -> list[Any]:
        # Uniqueness is checked by full_clean() (conditional constraints included), once.
        return []


class AuditedModelViewSet(ExportMixin, viewsets.ModelViewSet[Any]):
    """Read for every role that may view; write for editors. Each write is in the record's
    audit history (simple-history, with the caller as its user: DRF sets the request's user
    that the history middleware reads), as the admin's writes are: one trail for both."""

    permission_classes = [PortfolioModelPermissions]
    pagination_class = CursorPagination
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_destroy(self, instance: Any) -> None:
        try:
            with transaction.atomic():
                super().perform_destroy(instance)
        except ProtectedError as error:
            plurals = {obj._meta.verbose_name_plural for obj in error.protected_objects}
            blockers = sorted(cast("set[str]", plurals))  # never None; lazy text sorts as text
            raise Conflict(
                f"{instance} is still referred to by {', '.join(map(str, blockers))}; delete or move those first."
            ) from error
