"""Technologies and projects as Excel/CSV rows: their columns, checks and keys."""

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs.models import Program, Track
from rdportfolio.core import tabular
from rdportfolio.core.lookups import among
from rdportfolio.core.tabular import cells

from .models import (
    DevelopmentPhase,
    Field,
    Project,
    ProjectStatus,
    Technology,
    TechnologyStatus,
    TechnologyStatusChange,
)

Column = tabular.Column

TECHNOLOGY_COLUMNS = [
    Column("code", "코드", "code", required=True, help_ko="LF-001"),
    Column(
        "track",
        "트랙",
        "track",
        required=True,
        export="program__track",
        choices=Track,
    ),
    Column(
        "field",
        "분야",
        "field",
        required=True,
        help_ko="분야 코드 또는 국문명",
        export="field__code",
    ),
    Column("name_ko", "국문명", "Korean name", required=True),
    Column("name_en", "영문명", "English name", required=True),
    Column("status", "상태", "status", required=False, choices=TechnologyStatus),
    Column("target_commercialisation_year", "목표 사업화 연도", "target commercialisation year"),
    Column("value_chain_rationale", "가치사슬 근거", "value-chain rationale (Korean)"),
    Column("value_chain_rationale_en", "가치사슬 근거(영문)", "value-chain rationale (English)"),
]


def _technology_load(rows):
    fields = {}
    for f in Field.objects.all():
        for name in (f.code, f.name_ko, f.name_en):
            fields[name.casefold()] = f.pk
    return tabular.Context(
        {"programs": dict(Program.objects.values_list("track", "pk")), "fields": fields}
    )


_TECHNOLOGY_CELLS: dict[str, Callable[..., Any]] = {
    "code": lambda v: cells.required_text(v, max_length=20),
    "track": cells.Choice(Track),
    "name_ko": lambda v: cells.required_text(v, max_length=300),
    "name_en": lambda v: cells.required_text(v, max_length=300),
    "status": cells.Choice(TechnologyStatus, default="candidate"),
    "target_commercialisation_year": cells.optional_year,
    "value_chain_rationale": lambda v: cells.optional_text(v, max_length=10_000),
    "value_chain_rationale_en": lambda v: cells.optional_text(v, max_length=10_000),
}


def _technology_convert(row, ctx):
    values, errors = TECHNOLOGIES.cells(row, _TECHNOLOGY_CELLS)
    field_name = cells.text(row.get("field"))
    field_id = ctx.lookups["fields"].get(field_name.casefold())
    if field_id is None:
        errors.append(
            ("분야", gettext("Unknown field “%(value)s”.") % {"value": field_name})
            if field_name
            else ("분야", gettext("This column is required."))
        )
    program_id = ctx.lookups["programs"].get(values.get("track"))
    if "track" in values and program_id is None:
        errors.append(("트랙", gettext("No programme exists for this track yet.")))
    if errors:
        raise tabular.RowErrors(errors)
    values["field_id"] = field_id
    values["program_id"] = program_id
    del values["track"]
    return values


def _technology_existing(rows, ctx):
    codes = [r["code"] for r in rows]
    return {(t.code,): t for t in Technology.objects.filter(among(Technology, "code", codes))}


def _technology_statuses_record(*, created, updated, reason):
    # Bulk writes skip Technology.save(): the status history gets its rows here, by the
    # same COPY as the technologies (bulk_create took 0.7 s of a 1.3 s import of 5,000).
    now = timezone.now()
    today = timezone.localdate(now)
    moved = [
        (pk, values) for pk, previous, values in updated if previous["status"] != values["status"]
    ]
    tabular.rows_create(
        TechnologyStatusChange,
        [
            {"technology_id": pk, "status": values["status"], "changed_on": today, "note": reason}
            for pk, values in [*created, *moved]
        ],
        now=now,
    )


TECHNOLOGIES = tabular.Spec(
    kind="technologies",
    label=_("Technologies"),
    model=Technology,
    columns=TECHNOLOGY_COLUMNS,
    key=lambda v: (v["code"],),
    key_description=_("code"),
    compare_fields=[
        "program_id",
        "field_id",
        "name_ko",
        "name_en",
        "status",
        "target_commercialisation_year",
        "value_chain_rationale",
        "value_chain_rationale_en",
    ],
    load=_technology_load,
    convert=_technology_convert,
    existing=_technology_existing,
    after_write=_technology_statuses_record,
    export_order=("code",),
)


PROJECT_COLUMNS = [
    Column(
        "project_number", "과제번호", "project number", required=True, help_ko="RS-2024-00123456"
    ),
    Column(
        "technology",
        "기술 코드",
        "technology code",
        required=True,
        help_ko="LF-001",
        export="technology__code",
    ),
    Column("title_ko", "국문 과제명", "Korean title", required=True),
    Column("title_en", "영문 과제명", "English title"),
    Column("lead_organisation", "주관기관", "lead organisation", required=True),
    Column(
        "development_phase",
        "연구 단계",
        "development phase",
        required=False,
        choices=DevelopmentPhase,
    ),
    Column("start_year", "시작 연도", "start year", required=True),
    Column("end_year", "종료 연도", "end year", required=True),
    Column("status", "상태", "status", required=False, choices=ProjectStatus),
]


def _project_load(rows):
    codes = {cells.text(r.get("technology")) for r in rows}
    return tabular.Context(
        {
            "technologies": dict(
                Technology.objects.filter(among(Technology, "code", codes)).values_list(
                    "code", "pk"
                )
            )
        }
    )


_PROJECT_CELLS: dict[str, Callable[..., Any]] = {
    "project_number": lambda v: cells.required_text(v, max_length=30),
    "title_ko": lambda v: cells.required_text(v, max_length=300),
    "title_en": lambda v: cells.optional_text(v, max_length=300),
    "lead_organisation": lambda v: cells.required_text(v, max_length=200),
    "development_phase": cells.Choice(DevelopmentPhase, default=DevelopmentPhase.APPLIED),
    "start_year": cells.year,
    "end_year": cells.year,
    "status": cells.Choice(ProjectStatus, default=ProjectStatus.PLANNED),
}


def _project_convert(row, ctx):
    values, errors = PROJECTS.cells(row, _PROJECT_CELLS)
    code = cells.text(row.get("technology"))
    technology_id = ctx.lookups["technologies"].get(code)
    if technology_id is None:
        errors.append(
            ("기술 코드", gettext("Unknown technology “%(value)s”.") % {"value": code})
            if code
            else ("기술 코드", gettext("This column is required."))
        )
    if (
        "start_year" in values
        and "end_year" in values
        and values["end_year"] < values["start_year"]
    ):
        errors.append(("종료 연도", gettext("The end year is before the start year.")))
    if errors:
        raise tabular.RowErrors(errors)
    values["technology_id"] = technology_id
    return values


def _project_existing(rows, ctx):
    numbers = [r["project_number"] for r in rows]
    return {
        (p.project_number,): p
        for p in Project.objects.filter(among(Project, "project_number", numbers))
    }


def _project_starts_check(plan):
    # The strategy's rules before work starts (IP rights, added by the partners app), for the
    # projects the file moves to "in progress".
    for number, current, values in plan.update:
        if (
            values["status"] == ProjectStatus.IN_PROGRESS
            and current.status != ProjectStatus.IN_PROGRESS
        ):
            for message in current.start_problems():
                plan.add_error(number, "상태", message)


PROJECTS = tabular.Spec(
    kind="projects",
    label=_("Projects"),
    model=Project,
    columns=PROJECT_COLUMNS,
    key=lambda v: (v["project_number"],),
    key_description=_("project number"),
    compare_fields=[
        "technology_id",
        "title_ko",
        "title_en",
        "lead_organisation",
        "development_phase",
        "start_year",
        "end_year",
        "status",
    ],
    load=_project_load,
    convert=_project_convert,
    existing=_project_existing,
    check=_project_starts_check,
    export_order=("project_number",),
)
