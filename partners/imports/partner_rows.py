"""Rows that name a project's partner: the project by number, the collaboration by the
partner's name, country and (where needed) role. Read once per file; shared by collaborations,
IP agreements and budget lines."""

from django.utils.translation import gettext

from rdportfolio.core.lookups import among
from rdportfolio.core.tabular import cells
from technologies.models import Project

from ..models import (
    Collaboration,
)


def collaboration_lookups(numbers: set[str]) -> dict:
    """The projects of these numbers and their collaborations, read once for a whole file."""
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
    return {
        "projects": projects,
        "spans": spans,
        "collaborations": collaborations,
        "partners": partners,
    }


def project_of(row, ctx, errors) -> int | None:
    number = cells.text(row.get("project"))
    project_id = ctx.lookups["projects"].get(number)
    if project_id is None:
        errors.append(
            ("과제번호", gettext("Unknown project “%(value)s”.") % {"value": number})
            if number
            else ("과제번호", gettext("This column is required."))
        )
    return project_id


def collaboration_of(row, role: str | None, project_id, ctx, errors) -> int | None:
    """The collaboration a row names (partner name, country, role), or None with the error."""
    institution = cells.text(row.get("institution"))
    if not institution or project_id is None:
        return None
    country = cells.text(row.get("institution_country")).upper()
    found = ctx.lookups["collaborations"].get((project_id, institution.casefold(), country), [])
    if role:
        found = [c for c in found if c[1] == role]
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
