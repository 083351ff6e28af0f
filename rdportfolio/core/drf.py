"""The classes DRF's settings name (permissions, paging, ordering).

This module must not import rest_framework.views, generics or viewsets:
importing those reads DEFAULT_PERMISSION_CLASSES, which points here.
"""

import copy
import weakref
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django_filters import fields as filter_fields
from django_filters import rest_framework as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, pagination, parsers, permissions
from rest_framework.exceptions import NotFound, ParseError, ValidationError

if TYPE_CHECKING:  # not at run time: see above
    from django_stubs_ext import StrOrPromise
    from rest_framework.request import Request
    from rest_framework.views import APIView


class PortfolioModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions, reading included: a role without ``view_x`` sees no x."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class CursorPagination(pagination.CursorPagination):
    """Cheap on a million rows: no COUNT(*), a keyset on the ordering instead of an OFFSET."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"
    invalid_cursor_message = (
        "Not a cursor this list gave out: follow the `next` and `previous` links as they are."
    )

    def _invalid_cursor(self) -> ValidationError:
        # A malformed parameter, like any other: 400 naming it (DRF's own answer is a 404).
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def decode_cursor(self, request: "Request") -> pagination.Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise self._invalid_cursor() from error
        if (
            cursor is not None
            and cursor.position is not None
            and "\x00" in cast(str, cursor.position)  # text: the stubs say an int
        ):
            raise self._invalid_cursor()
        return cursor

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: "Request",
        view: "APIView | None" = None,
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError) as error:
            # The cursor's position does not fit the ordering field (text for a number, a
            # date that is not one): a forged cursor, not a server fault.
            if request.query_params.get(self.cursor_query_param):
                raise self._invalid_cursor() from error
            raise

    def get_page_size(self, request: "Request") -> int | None:
        # DRF ignores a page size it cannot read, and caps one above the maximum: say so instead.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"'{raw}' is not a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: "APIView") -> list[Any]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = (
                    f"Rows per page, 1 to {self.max_page_size} (default {self.page_size})."
                )
            elif parameter["name"] == self.cursor_query_param:
                parameter["description"] = "Opaque: follow the `next` and `previous` links."
        return parameters


class StrictSearchFilter(filters.SearchFilter):
    """Search whose refusals name the parameter, like every other filter's."""

    def get_search_terms(self, request: "Request") -> list[str]:
        value = request.query_params.get(self.search_param, "")
        if "\x00" in value:
            raise ValidationError({self.search_param: ["Null characters are not allowed."]})
        return super().get_search_terms(request)


class StrictOrderingFilter(filters.OrderingFilter):
    """Ordering that refuses unknown fields (400) and always ends on ``id``, for stable cursors."""

    def get_ordering(
        self, request: "Request", queryset: QuerySet[Any], view: "APIView"
    ) -> list[str]:
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            valid = {
                name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            }
            unknown = [field for field in fields if field.lstrip("-") not in valid]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(valid))}."
                        ]
                    }
                )
            ordering = fields
        if not params or not ordering:  # left out, or only blanks and commas
            ordering = list(self.get_default_ordering(view) or ["id"])
        if not any(field.lstrip("-") == "id" for field in ordering):
            # Ties broken in the first field's direction: one index on (field, id) then
            # serves the ordering both ways.
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return ordering


class BoundedIntegerField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # What a 64-bit column holds: a larger number is a 400, not an error from the driver.
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """Ids and years are whole numbers: 0.5 is an error, not a match for nothing."""

    field_class = BoundedIntegerField


class StrictBooleanField(forms.Field):
    """true / false (or 1 / 0); anything else is an error, not a silently ignored filter."""

    default_error_messages = {"invalid": "Use true or false."}

    TRUE, FALSE = {"true", "1"}, {"false", "0"}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(
            f"'{value}' is not a boolean: use true or false.", code="invalid"
        )


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # DRF's BooleanWidget turns any unknown word into "no filter"; read the raw text instead.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


# The largest id a 64-bit key holds; a larger number is refused before any database sees it
# (SQLite raises OverflowError on it, a server error).
MAX_ID = 2**63 - 1


class BoundedModelChoiceField(filter_fields.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        text = str(value).strip() if value is not None else ""
        if text.lstrip("+-").isdigit() and abs(int(text)) > MAX_ID:
            raise forms.ValidationError(
                "Out of range: ids are whole numbers up to 2^63 - 1.", code="invalid_choice"
            )
        return super().to_python(value)


class BoundedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedModelChoiceField


def _bounded(default: dict[str, Any]) -> dict[str, Any]:
    return {**default, "filter_class": BoundedModelChoiceFilter}


class _ShallowFields(dict[str, forms.Field]):
    """A filter form's fields, copied shallowly into each form.

    A Django form deep-copies its class's fields for every instance, so that a form may
    change its own; a filter form only reads a request's parameters with them and changes
    none, and the deep copy (widgets, choices, error messages) was most of its cost.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: copy.copy(field) for name, field in self.items()}


class StrictFilterSet(django_filters.FilterSet):
    """The base of every API filter set: typed filters refuse values they do not understand.

    Booleans accept only true/false, ids and years only whole numbers, and a
    typed parameter sent empty ("?start_date_min=") is an error rather than
    a filter that silently does nothing.
    """

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        # Years and counts: whole numbers only (the default accepts 2024.5).
        models.IntegerField: {"filter_class": IntegerFilter},
        models.BigIntegerField: {"filter_class": IntegerFilter},
        models.SmallIntegerField: {"filter_class": IntegerFilter},
        models.PositiveIntegerField: {"filter_class": IntegerFilter},
        models.PositiveSmallIntegerField: {"filter_class": IntegerFilter},
        models.ForeignKey: _bounded(django_filters.FilterSet.FILTER_DEFAULTS[models.ForeignKey]),
        models.OneToOneField: _bounded(
            django_filters.FilterSet.FILTER_DEFAULTS[models.OneToOneField]
        ),
    }

    # Built once per filter set class, not per request (see __init__). Weak: a class made
    # on the fly does not stay alive for its entry here.
    _form_classes: ClassVar[weakref.WeakKeyDictionary[type, type]] = weakref.WeakKeyDictionary()

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: "HttpRequest | Request | None" = None,
        prefix: str | None = None,
    ) -> None:
        """django-filter's own __init__ (26.x), with each filter copied shallowly.

        django-filter deep-copies every filter, and builds a new form class from new form
        fields, on each request: for a list with seventeen filters that cost more than its
        query. A filter only needs its own ``model`` and ``parent`` (its method is looked up
        on the filter set it serves); the form class is the same for every request, as no
        filter here depends on the request, and Django copies a form class's fields into
        each form it makes.
        """
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        model = queryset.model
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = model
            filter_.parent = self
            if filter_.method is not None:
                # A method filter calls through a FilterMethod that points at its filter: the
                # copy needs its own, or it would look for the method on the class's filter.
                filter_.method = filter_.method

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        if cls not in StrictFilterSet._form_classes:
            form_class = super().get_form_class()
            form_class.base_fields = _ShallowFields(form_class.base_fields)
            StrictFilterSet._form_classes[cls] = form_class
        return StrictFilterSet._form_classes[cls]

    def is_valid(self) -> bool:
        valid: bool = super().is_valid()
        for name, field in self.form.fields.items():
            if (
                name in self.form.data
                and self.form.data.get(name) == ""
                and not isinstance(field, forms.CharField)
                and name not in self.form.errors
            ):
                self.form.add_error(
                    name,
                    forms.ValidationError(
                        "Empty; leave the parameter out to not filter by it.", code="invalid"
                    ),
                )
                valid = False
        return valid and not self.form.errors


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter with our strict base, also for views that only list ``filterset_fields``."""

    filterset_base = StrictFilterSet
    # A view that lists only ``filterset_fields`` gets its filter set class made once, not on
    # every request (django-filter makes a new class per call).
    _auto_classes: ClassVar[dict[tuple[type, type[models.Model], str], Any]] = {}

    def get_filterset_class(self, view: "APIView", queryset: QuerySet[Any] | None = None) -> Any:
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        fields = getattr(view, "filterset_fields", None)
        if not fields:
            return None
        key = (type(view), queryset.model, repr(fields))
        if key not in self._auto_classes:
            self._auto_classes[key] = super().get_filterset_class(view, queryset)
        return self._auto_classes[key]

    def filter_queryset(
        self, request: "Request", queryset: QuerySet[Any], view: "APIView"
    ) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or _filters_nothing(filterset_class, request):
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset.form))
        return cast("QuerySet[Any]", filterset.qs)  # django-filter has no types


def _filters_nothing(filterset_class: type[Any], request: "Request") -> bool:
    """Whether a request names none of the filters of a filter set that only filters by
    them: its list is then the queryset as it is, without a form built and cleaned for
    nothing (0.5 ms of a 7 ms page of budget lines). Unknown parameters were refused before."""
    return (
        filterset_class.qs is django_filters.FilterSet.qs
        and filterset_class.filter_queryset is django_filters.FilterSet.filter_queryset
        and not any(name in filterset_class.base_filters for name in request.query_params)
    )


def filter_errors(form: forms.Form) -> dict[str, list["StrOrPromise"]]:
    """A filter form's errors as messages.

    django-filter formats each message with ``message % params``; a message that quotes the
    value ("'%' is not a boolean") then fails with a TypeError, a 500. Here only messages that
    have parameters are formatted.
    """
    return {
        name: [error.message % error.params if error.params else error.message for error in errors]
        for name, errors in form.errors.as_data().items()
    }


class StrictJSONParser(parsers.JSONParser):
    """JSON whose strings are valid Unicode: an unpaired surrogate cannot be stored or sent back."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        data = super().parse(stream, media_type, parser_context)
        _check_unicode(data)
        return data


def _check_unicode(value: object) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ParseError(
                "The request holds text that is not valid Unicode (an unpaired surrogate)."
            ) from error
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_unicode(key)
            _check_unicode(item)
    elif isinstance(value, list):
        for item in value:
            _check_unicode(item)
