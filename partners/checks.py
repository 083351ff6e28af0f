"""The checks a project must pass before it starts, that concern its partners."""

from django.utils.translation import gettext as _

from .models import Collaboration


def collaborations_without_implementation_right(project) -> list[str]:
    """The strategy's rule before a project starts: each collaboration has an IP agreement
    that lets the domestic company implement the results. One message per collaboration that
    does not, naming it."""
    problems = []
    collaborations = (
        Collaboration.objects.filter(project=project)
        .select_related("institution", "ip_agreement")
        .order_by("institution__name", "role")
    )
    for collaboration in collaborations:
        agreement = getattr(collaboration, "ip_agreement", None)
        if agreement is None:
            problems.append(
                _(
                    "The collaboration with %(institution)s (%(role)s) has no IP agreement: add "
                    "one that gives the domestic company the right to implement before the "
                    "project starts."
                )
                % {
                    "institution": collaboration.institution.name,
                    "role": collaboration.get_role_display(),
                }
            )
        elif not agreement.grants_domestic_implementation:
            problems.append(
                _(
                    "The IP agreement of the collaboration with %(institution)s (%(role)s) gives "
                    "the domestic company no right to implement."
                )
                % {
                    "institution": collaboration.institution.name,
                    "role": collaboration.get_role_display(),
                }
            )
    return problems
