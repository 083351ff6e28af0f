"""Projects matched with their partner institutions: the questions lower apps ask of partners.

Technologies sit below partners and cannot import them; their querysets ask these through
``ProjectQuerySet.partner_queries``, which ``PartnersConfig.ready`` fills with this module.
"""

from django.db.models import Q, QuerySet

from technologies.models import Project


def projects_partnered_in(country: str) -> QuerySet[Project]:
    """Projects that collaborate with an institution in ``country`` (an ISO 3166 code)."""
    return Project.objects.filter(collaborations__institution__country=country.upper())


def projects_partnered_named(text: str) -> QuerySet[Project]:
    """Projects with a partner institution whose English or Korean name holds ``text``."""
    return Project.objects.filter(
        Q(collaborations__institution__name__icontains=text)
        | Q(collaborations__institution__name_ko__icontains=text)
    )
