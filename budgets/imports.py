"""Budget lines as Excel/CSV rows: their columns, checks and keys.

A line names its project by number and, when it pays for a collaboration, the
partner by name (and country, and role where the partner has several).
"""

from collections import namedtuple

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import Collaboration, CollaborationRole
from rdportfolio.core import tabular
from rdportfolio.core.lookups import among
from rdportfolio.core.tabular import cells
from technologies.models import Project

from .models import Basis, BudgetLine

Column = tabular.Column

BUDGET_LINE_COLUMNS = [
    Column(
        "project",
        "과제번호",
        "project number",
        True,
        "RS-2024-00123456",
        export="project__project_number",
    ),
    Column("fiscal_year", "회계연도", "fiscal year", True, "2025"),
    Column("basis", "기준", "basis", True, choices=Basis),
    Column("amount_won", "금액(원)", "amount (won)", True, "148700000000"),
    Column("is_international", "국제협력", "international", False, "Y / N", export_as=cells.yes_no),
    Column(
        "institution",
        "협력기관",
        "partner institution",
        False,
        "기관명 (협력 예산일 때)",
        export="collaboration__institution__name",
    ),
    Column(
        "institution_country",
        "협력기관 국가",
        "partner country",
        False,
        "US",
        export="collaboration__institution__country",
    ),
    Column(
        "role",
        "협력 역할",
        "partner role",
        False,
        "같은 기관이 여러 역할일 때",
        export="collaboration__role",
    ),
]


def _budget_line_load(rows):
    numbers = {cells.text(r.get("project")) for r in rows}
    spans = {
        number: (pk, start, end)
        for number, pk, start, end in Project.objects.filter(
            among(Project, "project_number", numbers)
        ).values_list("project_number", "pk", "start_year", "end_year")
    }
    projects = {number: pk for number, (pk, _start, _end) in spans.items()}
    collaborations: dict[tuple, list[tuple[int, str]]] = {}
    partners: dict[int, list[tuple[str, str]]] = {}
    for pk, project_id, name, country, role in Collaboration.objects.filter(
        among(Collaboration, "project_id", projects.values())
    ).values_list("pk", "project_id", "institution__name", "institution__country", "role"):
        collaborations.setdefault((project_id, name.casefold(), country), []).append((pk, role))
        collaborations.setdefault((project_id, name.casefold(), ""), []).append((pk, role))
        partners.setdefault(project_id, []).append((name, country))
    return tabular.Context(
        {
            "projects": projects,
            "spans": spans,
            "collaborations": collaborations,
            "partners": partners,
        }
    )


def _project_of(row, values, ctx, errors) -> int | None:
    number = cells.text(row.get("project"))
    project_id = ctx.lookups["projects"].get(number)
    if project_id is None:
        errors.append(
            ("과제번호", gettext("Unknown project “%(value)s”.") % {"value": number})
            if number
            else ("과제번호", gettext("This column is required."))
        )
    elif "fiscal_year" in values:
        _pk, start, end = ctx.lookups["spans"][number]
        if not start <= values["fiscal_year"] <= end:
            errors.append(
                (
                    "회계연도",
                    gettext("%(year)s is outside the project's years (%(start)s–%(end)s).")
                    % {"year": values["fiscal_year"], "start": start, "end": end},
                )
            )
    return project_id


def _collaboration_of(row, values, project_id, ctx, errors) -> int | None:
    institution = cells.text(row.get("institution"))
    if not institution or project_id is None:
        return None
    country = cells.text(row.get("institution_country")).upper()
    found = ctx.lookups["collaborations"].get((project_id, institution.casefold(), country), [])
    if values.get("role"):
        found = [c for c in found if c[1] == values["role"]]
    if not found:
        errors.append(("협력기관", _no_such_partner(row, institution, country, project_id, ctx)))
        return None
    if len(found) > 1:
        errors.append(
            (
                "협력 역할",
                gettext("“%(institution)s” has several roles in this project: name the role.")
                % {"institution": institution},
            )
        )
        return None
    return found[0][0]


def _no_such_partner(row, institution: str, country: str, project_id: int, ctx) -> str:
    """Which partners the project does have, so that the fix is in the message."""
    number = cells.text(row.get("project"))
    partners = sorted(set(ctx.lookups["partners"].get(project_id, [])))
    same_name = [c for name, c in partners if name.casefold() == institution.casefold()]
    if same_name and country:
        return gettext(
            "“%(institution)s” is a partner of project %(project)s in %(countries)s, not in "
            "%(country)s."
        ) % {
            "institution": institution,
            "project": number,
            "countries": ", ".join(same_name),
            "country": country,
        }
    if not partners:
        return gettext(
            "Project %(project)s has no collaboration yet: add the collaboration with "
            "“%(institution)s” first."
        ) % {"project": number, "institution": institution}
    return gettext(
        "Project %(project)s has no collaboration with “%(institution)s”; its partners are: "
        "%(partners)s."
    ) % {
        "project": number,
        "institution": institution,
        "partners": ", ".join(f"{name} ({c})" for name, c in partners),
    }


_role = cells.Choice(CollaborationRole, default="")
# Built once: a converter per column, each choice set's lookup made on first use.
_LINE_CELLS = {
    "fiscal_year": cells.year,
    "basis": cells.Choice(Basis),
    "amount_won": cells.won,
    "role": _role,
}


def _budget_line_convert(row, ctx):
    values, errors = BUDGET_LINES.cells(row, _LINE_CELLS)
    project_id = _project_of(row, values, ctx, errors)
    collaboration_id = _collaboration_of(row, values, project_id, ctx, errors)
    institution = cells.text(row.get("institution"))
    try:
        is_international = cells.boolean(row.get("is_international"), default=bool(institution))
    except cells.CellError as exc:
        errors.append(("국제협력", str(exc)))
        is_international = None
    if institution and is_international is False:
        errors.append(
            ("국제협력", gettext("A line that pays for a collaboration is international."))
        )
    if errors:
        raise tabular.RowErrors(errors)
    values.pop("role")
    values.update(
        project_id=project_id,
        collaboration_id=collaboration_id,
        is_international=is_international,
    )
    return values


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
