"""Foreign institutions as Excel/CSV rows."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rdportfolio.core import tabular
from rdportfolio.core.lookups import among
from rdportfolio.core.tabular import cells

from ..models import (
    HOME_COUNTRY,
    Institution,
    InstitutionKind,
)

if TYPE_CHECKING:
    from django_countries.fields import Country

Column = tabular.Column


INSTITUTION_COLUMNS = [
    Column(
        "name", "기관명", "name", required=True, help_ko="Massachusetts Institute of Technology"
    ),
    Column("country", "국가", "country", required=True, help_ko="US (ISO 3166-1)"),
    Column("kind", "유형", "kind", required=True, choices=InstitutionKind),
    Column("name_ko", "국문 기관명", "Korean name"),
    Column("city", "도시", "city"),
    Column("website", "웹사이트", "website"),
]


_INSTITUTION_CELLS: dict[str, Callable[..., Any]] = {
    "name": lambda v: cells.required_text(v, max_length=200),
    "country": cells.country,
    "kind": cells.Choice(InstitutionKind),
    "name_ko": lambda v: cells.optional_text(v, max_length=200),
    "city": lambda v: cells.optional_text(v, max_length=100),
    "website": cells.website,
}


def _institution_convert(row, ctx):
    values, errors = INSTITUTIONS.cells(row, _INSTITUTION_CELLS)
    if values.get("country") == HOME_COUNTRY:
        errors.append(
            (
                "국가",
                gettext(
                    "A Korean institution cannot be a foreign partner: partners are "
                    "institutions outside Korea."
                ),
            )
        )
    if errors:
        raise tabular.RowErrors(errors)
    return values


def _institution_existing(rows, ctx):
    names = {r["name"] for r in rows}
    return {
        # A CountryField gives a Country (the plugin types it as a CharField's str).
        (i.name, cast("Country", i.country).code): i
        for i in Institution.objects.filter(among(Institution, "name", names))
    }


INSTITUTIONS = tabular.Spec(
    kind="institutions",
    label=_("Institutions"),
    model=Institution,
    columns=INSTITUTION_COLUMNS,
    key=lambda v: (v["name"], v["country"]),
    key_description=_("name and country"),
    compare_fields=["kind", "name_ko", "city", "website"],
    convert=_institution_convert,
    existing=_institution_existing,
    export_order=("country", "name"),
)
