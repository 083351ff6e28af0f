"""Building blocks shared by every app: timestamps, provenance, year bounds."""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import Field
    from django_stubs_ext import StrOrPromise

# Fiscal years this system can hold. Wide enough for pre-strategy records and
# the game-changer track's long tail, narrow enough to catch typos like 20240.
MIN_YEAR = 1990
MAX_YEAR = 2100

# The largest amount one figure may hold: 1,000조 원, about 175 times the ministry's yearly
# R&D budget. Anything above is a typo (a unit slip), and sums of many such figures in a year
# would leave the 64-bit range the KPI adds them up in.
MAX_WON = 10**15

year_validators = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
won_validators = [MinValueValidator(0), MaxValueValidator(MAX_WON)]


def year_field(
    verbose_name: "StrOrPromise", **kwargs: Any
) -> "models.PositiveSmallIntegerField[Any, Any]":
    kwargs.setdefault(
        "help_text", format_lazy(_("A year between {min} and {max}."), min=MIN_YEAR, max=MAX_YEAR)
    )
    return models.PositiveSmallIntegerField(verbose_name, validators=year_validators, **kwargs)


def won_field(verbose_name: "StrOrPromise", **kwargs: Any) -> "models.BigIntegerField[Any, Any]":
    """Whole won in a signed 64-bit column (never float, never negative, at most MAX_WON)."""
    kwargs.setdefault(
        "help_text", _("Whole won, no fractions; 1억 원 = 100,000,000; at most 1,000조 원.")
    )
    return models.BigIntegerField(verbose_name, validators=won_validators, **kwargs)


def year_in_range(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": MIN_YEAR, f"{field}__lte": MAX_YEAR})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition,
        name=f"%(app_label)s_%(class)s_{field}_in_range",
        violation_error_message=format_lazy(
            _("{field} must be between {min} and {max}."), field=field, min=MIN_YEAR, max=MAX_YEAR
        ),
    )


def not_negative(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": 0})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition,
        name=f"%(app_label)s_%(class)s_{field}_not_negative",
        violation_error_message=format_lazy(_("{field} cannot be negative."), field=field),
    )


def at_most_max_won(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__lte": MAX_WON})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition,
        name=f"%(app_label)s_%(class)s_{field}_at_most_max",
        violation_error_message=format_lazy(
            _("{field} cannot be more than 1,000조 원 (10^15 won)."), field=field
        ),
    )


def end_not_before_start(start: str, end: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": models.F(start)}),
        name=f"%(app_label)s_%(class)s_{end}_not_before_{start}",
        violation_error_message=format_lazy(
            _("{end} cannot be before {start}."), end=end, start=start
        ),
    )


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class SourcedModel(TimeStampedModel):
    """A row that says where it came from: a published fact, or synthetic demo data."""

    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Where this figure or record comes from (publication, date, section)."),
    )
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Invented for the demo portfolio, not a published fact."),
    )

    class Meta:
        abstract = True


def validate_end_not_before_start(instance: models.Model, start: str, end: str) -> None:
    """The form-side twin of ``end_not_before_start``: a message on the end field."""
    start_value, end_value = getattr(instance, start), getattr(instance, end)
    if start_value is not None and end_value is not None and end_value < start_value:
        opts = instance._meta
        raise ValidationError(
            {
                end: format_lazy(
                    _("{end} ({end_value}) cannot be before {start} ({start_value})."),
                    end=cast("Field[Any, Any]", opts.get_field(end)).verbose_name,
                    end_value=end_value,
                    start=cast("Field[Any, Any]", opts.get_field(start)).verbose_name,
                    start_value=start_value,
                )
            }
        )


def rows_copy(model: type[Any], columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples of ``columns``, attribute names) into ``model``'s table.

    On PostgreSQL with COPY: derived rows written by the system (the KPI's snapshots and
    rollups) by the thousand in milliseconds, where building model instances for
    ``bulk_create`` cost more than computing them. Elsewhere, ``bulk_create``. No signals,
    no ``save()``: only for rows nothing needs to hear about.
    """
    rows = list(rows)
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
        table = quote(model._meta.db_table)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        model.objects.bulk_create(
            (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=2000
        )
    return len(rows)
