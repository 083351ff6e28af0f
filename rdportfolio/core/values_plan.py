"""Reading a serializer's fields straight from ``values()``: the plan, built once per class.

DRF builds a serializer's fields (a deep copy of each declared field, a model lookup for
each generated one) every time it is instantiated: more time than reading a page of rows.
The API's lists read rows with ``values()`` and convert only what needs it, with the fields
of one serializer built per class and kept.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

# (column, ORM path, field) of one field; a converter turns one database value into the JSON's.
PlanEntry = tuple[str, str, serializers.Field[Any, Any, Any, Any]]
Converter = Callable[[Any], Any]

_PLAN_TEMPLATES: dict[type, list[PlanEntry] | None] = {}


def plan_template(serializer_class: type[serializers.Serializer[Any]]) -> list[PlanEntry] | None:
    """(column, ORM path, field) of each field of a serializer class, built once; None for
    serializers whose fields values() cannot read (many-valued or computed ones)."""
    if serializer_class not in _PLAN_TEMPLATES:
        template: list[PlanEntry] | None = []
        for name, field in serializer_class().fields.items():
            if isinstance(field, serializers.ManyRelatedField | serializers.SerializerMethodField):
                template = None
                break
            path = cast(str, field.source).replace(".", "__")  # a bound field has its source
            if isinstance(field, serializers.SlugRelatedField):
                path = f"{path}__{field.slug_field}"  # the related row's slug, not its id
            assert template is not None  # noqa: S101 - None only on the way out (break)
            template.append((name, path, field))
        _PLAN_TEMPLATES[serializer_class] = template
    return _PLAN_TEMPLATES[serializer_class]


def datetime_converter(field: serializers.DateTimeField) -> Converter:
    """DRF's DateTimeField output (ISO 8601 in the current zone, "Z" for UTC) without its
    per-value machinery; the field's own method where it is configured otherwise."""
    if getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601 or getattr(
        field, "timezone", None
    ):
        return field.to_representation
    zone = timezone.get_current_timezone()

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            return value
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def row_converter(converters: Sequence[Converter | None]) -> Callable[[Iterable[Any]], list[Any]]:
    """A function from a row's values to the list the serializer gives: only the columns
    with a converter are touched (two of fifteen for budget lines), not every value."""
    touched = [(index, convert) for index, convert in enumerate(converters) if convert is not None]
    width = len(converters)

    def convert_row(values: Iterable[Any]) -> list[Any]:
        row = list(values)
        if len(row) != width:
            raise ValueError(f"{len(row)} values for {width} columns")
        for index, convert in touched:
            value = row[index]
            if value is not None:
                row[index] = convert(value)
        return row

    return convert_row


def plain_representation(
    serializer_class: type[serializers.Serializer[Any]], instance: Any
) -> dict[str, Any]:
    """What ``serializer_class(instance).data`` gives for a flat serializer, from the fields
    built once per class: one small object on every request (the share's run) is not worth
    building a serializer for. Nested or computed fields: the serializer itself."""
    template = plan_template(serializer_class)
    if template is None:
        return serializer_class(instance).data
    data = {}
    for name, path, field in template:
        if isinstance(field, serializers.PrimaryKeyRelatedField) and "__" not in path:
            data[name] = getattr(instance, f"{path}_id")  # the id, not a query for the row
            continue
        value = instance
        for part in path.split("__"):
            value = getattr(value, part, None) if value is not None else None
        if value is not None and isinstance(field, serializers.DateTimeField):
            value = datetime_converter(field)(value)
        elif value is not None:
            value = field.to_representation(value)
        data[name] = value
    return data
