"""Collaborations and their IP agreements as Excel/CSV rows: a foreign institution's part
in a project, and who owns what it yields."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rdportfolio.core import tabular
from rdportfolio.core.lookups import among
from rdportfolio.core.tabular import cells

from ..models import (
    HOME_COUNTRY,
    Collaboration,
    CollaborationRole,
    CooperationCenter,
    ImplementationRight,
    Institution,
    IPAgreement,
)
from .partner_rows import collaboration_lookups, collaboration_of, project_of

Column = tabular.Column

# --- Collaborations: a foreign institution's part in a project -----------------------------

PARTNER_COLUMNS = [
    Column(
        "project",
        "과제번호",
        "project number",
        required=True,
        help_ko="RS-2024-00123456",
        export="project__project_number",
    ),
    Column(
        "institution",
        "협력기관",
        "partner institution",
        required=True,
        help_ko="Massachusetts Institute of Technology",
        export="institution__name",
    ),
    Column(
        "institution_country",
        "협력기관 국가",
        "partner country",
        required=True,
        help_ko="US (ISO 3166-1)",
        export="institution__country",
    ),
]

COLLABORATION_COLUMNS = [
    *PARTNER_COLUMNS,
    Column("role", "협력 역할", "partner role", required=True, choices=CollaborationRole),
    Column("start_year", "시작 연도", "start year", required=True, help_ko="2025"),
    Column("end_year", "종료 연도", "end year", required=True, help_ko="2029"),
    Column(
        "contribution_won",
        "협력 금액(원)",
        "contribution (won)",
        required=False,
        help_ko="12000000000",
    ),
    Column(
        "center",
        "협력센터",
        "cooperation centre",
        required=False,
        help_ko="센터 영문명 (협력기관이 운영하는 센터일 때)",
        export="center__name_en",
    ),
]


def _collaboration_load(rows):
    numbers = {cells.text(r.get("project")) for r in rows}
    names = {cells.text(r.get("institution")) for r in rows}
    institutions: dict[tuple[str, str], int] = {}
    countries_of: dict[str, list[str]] = {}
    for pk, name, country in Institution.objects.filter(
        among(Institution, "name", names)
    ).values_list("pk", "name", "country"):
        institutions[(name.casefold(), country)] = pk
        countries_of.setdefault(name.casefold(), []).append(country)
    centers = {
        (name.casefold(), institution_id): pk
        for pk, institution_id, name_en, name_ko in CooperationCenter.objects.values_list(
            "pk", "institution_id", "name_en", "name_ko"
        )
        for name in (name_en, name_ko)
    }
    return tabular.Context(
        {
            **collaboration_lookups(numbers),
            "institutions": institutions,
            "countries_of": countries_of,
            "centers": centers,
        }
    )


_COLLABORATION_CELLS: dict[str, Callable[..., Any]] = {
    "institution_country": cells.country,
    "role": cells.Choice(CollaborationRole),
    "start_year": cells.year,
    "end_year": cells.year,
}


def _institution_of(row, values, ctx, errors) -> int | None:
    name = cells.text(row.get("institution"))
    if not name:
        errors.append(("협력기관", gettext("This column is required.")))
        return None
    country = values.get("institution_country")
    if country == HOME_COUNTRY:
        errors.append(
            (
                "협력기관 국가",
                gettext(
                    "A Korean institution cannot be a foreign partner: partners are "
                    "institutions outside Korea."
                ),
            )
        )
        return None
    institution_id = ctx.lookups["institutions"].get((name.casefold(), country))
    if institution_id is None and country:
        elsewhere = ctx.lookups["countries_of"].get(name.casefold())
        errors.append(
            (
                "협력기관",
                gettext("“%(name)s” is recorded in %(countries)s, not in %(country)s.")
                % {"name": name, "countries": ", ".join(sorted(elsewhere)), "country": country}
                if elsewhere
                else gettext(
                    "Unknown institution “%(name)s” (%(country)s): import it with the "
                    "institutions first."
                )
                % {"name": name, "country": country},
            )
        )
    return institution_id


def _collaboration_convert(row, ctx):
    values, errors = COLLABORATIONS.cells(row, _COLLABORATION_CELLS)
    project_id = project_of(row, ctx, errors)
    institution_id = _institution_of(row, values, ctx, errors)
    try:
        values["contribution_won"] = (
            cells.won(row.get("contribution_won")) if cells.text(row.get("contribution_won")) else 0
        )
    except cells.CellError as exc:
        errors.append(("협력 금액(원)", str(exc)))
    if values.get("end_year") is not None and values.get("start_year") is not None:
        if values["end_year"] < values["start_year"]:
            errors.append(("종료 연도", gettext("The end year is before the start year.")))
    center_name = cells.text(row.get("center"))
    center_id = None
    if center_name and institution_id is not None:
        center_id = ctx.lookups["centers"].get((center_name.casefold(), institution_id))
        if center_id is None:
            errors.append(
                (
                    "협력센터",
                    gettext("“%(center)s” is not a cooperation centre of this institution.")
                    % {"center": center_name},
                )
            )
    if errors:
        raise tabular.RowErrors(errors)
    values.pop("institution_country")
    values.update(project_id=project_id, institution_id=institution_id, center_id=center_id)
    return values


def _collaboration_existing(rows, ctx):
    projects = {r["project_id"] for r in rows}
    return {
        (c.project_id, c.institution_id, c.role): c
        for c in Collaboration.objects.filter(among(Collaboration, "project_id", projects))
    }


COLLABORATIONS = tabular.Spec(
    kind="collaborations",
    label=_("Collaborations"),
    model=Collaboration,
    columns=COLLABORATION_COLUMNS,
    key=lambda v: (v["project_id"], v["institution_id"], v["role"]),
    key_description=_("project, partner and role"),
    compare_fields=["start_year", "end_year", "contribution_won", "center_id"],
    load=_collaboration_load,
    convert=_collaboration_convert,
    existing=_collaboration_existing,
    export_order=("project__project_number", "institution__name", "role"),
)


# --- IP agreements: who owns joint results, and the domestic right to implement them -------

IP_AGREEMENT_COLUMNS = [
    # An agreement is a collaboration's: its partner columns are read through it.
    *(replace(column, export=f"collaboration__{column.export}") for column in PARTNER_COLUMNS),
    Column(
        "role",
        "협력 역할",
        "partner role",
        required=False,
        help_ko="같은 기관이 여러 역할일 때",
        export="collaboration__role",
    ),
    Column(
        "domestic_share_percent",
        "국내 지분(%)",
        "domestic ownership (%)",
        required=True,
        help_ko="60",
    ),
    Column(
        "foreign_share_percent",
        "해외 지분(%)",
        "foreign ownership (%)",
        required=True,
        help_ko="40",
    ),
    Column(
        "implementation_right",
        "국내 실시권",
        "domestic right to implement",
        required=True,
        choices=ImplementationRight,
    ),
    Column("territory", "실시 지역", "territory", required=False, help_ko="worldwide"),
    Column("signed_on", "체결일", "signed on", required=False, help_ko="2025-03-01"),
    Column(
        "term_years", "기간(년)", "term (years)", required=False, help_ko="비우면 권리 존속 기간"
    ),
]
_IP_CELLS: dict[str, Callable[..., Any]] = {
    "role": cells.Choice(CollaborationRole, default=""),
    "domestic_share_percent": cells.percent,
    "foreign_share_percent": cells.percent,
    "implementation_right": cells.Choice(ImplementationRight),
    "territory": lambda v: cells.optional_text(v, max_length=200) or "worldwide",
    "signed_on": cells.optional_date,
    "term_years": lambda v: cells.optional_whole_number(v, at_most=100),
}


def _ip_agreement_load(rows):
    return tabular.Context(collaboration_lookups({cells.text(r.get("project")) for r in rows}))


def _ip_agreement_convert(row, ctx):
    values, errors = IP_AGREEMENTS.cells(row, _IP_CELLS)
    project_id = project_of(row, ctx, errors)
    if not cells.text(row.get("institution")):
        errors.append(("협력기관", gettext("This column is required.")))
    collaboration_id = collaboration_of(row, values.get("role"), project_id, ctx, errors)
    domestic, foreign = values.get("domestic_share_percent"), values.get("foreign_share_percent")
    if domestic is not None and foreign is not None and domestic + foreign != 100:
        errors.append(
            (
                "해외 지분(%)",
                gettext(
                    "Domestic (%(domestic)s%%) and foreign (%(foreign)s%%) ownership must add "
                    "up to 100%%."
                )
                % {"domestic": domestic, "foreign": foreign},
            )
        )
    if errors:
        raise tabular.RowErrors(errors)
    values.pop("role")
    values["collaboration_id"] = collaboration_id
    return values


def _ip_agreement_existing(rows, ctx):
    ids = {r["collaboration_id"] for r in rows}
    return {
        (a.collaboration_id,): a
        for a in IPAgreement.objects.filter(among(IPAgreement, "collaboration_id", ids))
    }


IP_AGREEMENTS = tabular.Spec(
    kind="ip_agreements",
    label=_("IP agreements"),
    model=IPAgreement,
    columns=IP_AGREEMENT_COLUMNS,
    key=lambda v: (v["collaboration_id"],),
    key_description=_("collaboration"),
    compare_fields=[
        "domestic_share_percent",
        "foreign_share_percent",
        "implementation_right",
        "territory",
        "signed_on",
        "term_years",
    ],
    load=_ip_agreement_load,
    convert=_ip_agreement_convert,
    existing=_ip_agreement_existing,
    export_order=("collaboration__project__project_number", "collaboration__institution__name"),
)
