"""Budget lines as Excel/CSV rows: their columns, checks and keys.

A line names its project by number and, when it pays for a collaboration, the
partner by name (and country, and role where the partner has several).
"""

from collections import namedtuple
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.imports import collaboration_lookups, collaboration_of, project_of
from partners.models import CollaborationRole
from rdportfolio.core import tabular
from rdportfolio.core.lookups import among
from rdportfolio.core.tabular import cells

from .models import Basis, BudgetLine, executed_year_not_begun

Column = tabular.Column

BUDGET_LINE_COLUMNS = [
    Column(
        "project",
        "과제번호",
        "project number",
        required=True,
        help_ko="RS-2024-00123456",
        export="project__project_number",
    ),
    Column("fiscal_year", "회계연도", "fiscal year", required=True, help_ko="2025"),
    Column("basis", "기준", "basis", required=True, choices=Basis),
    Column("amount_won", "금액(원)", "amount (won)", required=True, help_ko="148700000000"),
    Column(
        "is_international",
        "국제협력",
        "international",
        required=False,
        help_ko="Y / N",
        export_as=cells.yes_no,
    ),
    Column(
        "institution",
        "협력기관",
        "partner institution",
        required=False,
        help_ko="기관명 (협력 예산일 때)",
        export="collaboration__institution__name",
    ),
    Column(
        "institution_country",
        "협력기관 국가",
        "partner country",
        required=False,
        help_ko="US",
        export="collaboration__institution__country",
    ),
    Column(
        "role",
        "협력 역할",
        "partner role",
        required=False,
        help_ko="같은 기관이 여러 역할일 때",
        export="collaboration__role",
    ),
]


def _budget_line_load(rows):
    return tabular.Context(collaboration_lookups({cells.text(r.get("project")) for r in rows}))


def _project_of(row, values, ctx, errors) -> int | None:
    project_id = project_of(row, ctx, errors)
    if project_id is not None and "fiscal_year" in values:
        _pk, start, end = ctx.lookups["spans"][cells.text(row.get("project"))]
        if not start <= values["fiscal_year"] <= end:
            errors.append(
                (
                    "회계연도",
                    gettext("%(year)s is outside the project's years (%(start)s–%(end)s).")
                    % {"year": values["fiscal_year"], "start": start, "end": end},
                )
            )
    return project_id


_role = cells.Choice(CollaborationRole, default="")
# Built once: a converter per column, each choice set's lookup made on first use.
_LINE_CELLS: dict[str, Callable[..., Any]] = {
    "fiscal_year": cells.year,
    "basis": cells.Choice(Basis),
    "amount_won": cells.won,
    "role": _role,
}


def _budget_line_convert(row, ctx):
    values, errors = BUDGET_LINES.cells(row, _LINE_CELLS)
    project_id = _project_of(row, values, ctx, errors)
    collaboration_id = collaboration_of(row, values.get("role"), project_id, ctx, errors)
    _international_checked(row, errors)
    not_begun = executed_year_not_begun(values.get("basis"), values.get("fiscal_year"))
    if not_begun:
        errors.append(("회계연도", not_begun))
    if errors:
        raise tabular.RowErrors(errors)
    values.pop("role")
    values.update(
        project_id=project_id,
        collaboration_id=collaboration_id,
        # As BudgetLine.save() sets it: international is paying for a foreign partner.
        is_international=collaboration_id is not None,
    )
    return values


def _international_checked(row, errors) -> None:
    """The "international" column may be left empty; filled in, it must say what the partner
    column says (the KPI counts a line as international only through its partner)."""
    institution = cells.text(row.get("institution"))
    try:
        said = cells.boolean(row.get("is_international"), default=bool(institution))
    except cells.CellError as exc:
        errors.append(("국제협력", str(exc)))
        return
    if said and not institution:
        errors.append(
            (
                "국제협력",
                gettext(
                    "An international line pays for a collaboration with a foreign partner: "
                    "name the partner institution (협력기관), or mark the line N."
                ),
            )
        )
    elif institution and not said:
        errors.append(
            ("국제협력", gettext("A line that pays for a collaboration is international."))
        )


# A stored line as the plan needs it: its key, and the fields an import compares and writes.
StoredLine = namedtuple(
    "StoredLine",
    [
        "pk",
        "project_id",
        "fiscal_year",
        "basis",
        "collaboration_id",
        "amount_won",
        "is_international",
    ],
)


def _budget_line_existing(rows, ctx):
    return _stored_lines({r["project_id"] for r in rows})


def _budget_line_existing_up_front(ctx):
    # Every line of the projects the file names: what it may meet, before its rows are read.
    return _stored_lines(set(ctx.lookups["projects"].values()))


def _stored_lines(project_ids: set[int]) -> dict:
    stored = BudgetLine.objects.filter(among(BudgetLine, "project_id", project_ids)).order_by()
    # Tuples, not model instances: the history is copied by the database (history_copy).
    return {
        (line.project_id, line.fiscal_year, line.basis, line.collaboration_id): line
        for line in map(StoredLine._make, stored.values_list(*StoredLine._fields).iterator(5000))
    }


BUDGET_LINES = tabular.Spec(
    kind="budget_lines",
    label=_("Budget lines"),
    model=BudgetLine,
    columns=BUDGET_LINE_COLUMNS,
    key=lambda v: (v["project_id"], v["fiscal_year"], v["basis"], v["collaboration_id"]),
    key_description=_("project, year, basis and partner"),
    compare_fields=["amount_won", "is_international"],
    load=_budget_line_load,
    convert=_budget_line_convert,
    existing=_budget_line_existing,
    existing_up_front=_budget_line_existing_up_front,
    export_order=("project__project_number", "fiscal_year", "basis", "pk"),
)
