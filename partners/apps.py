from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.roles import Rows


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")
    role_policy = {"researcherdispatch": Rows.PERSONAL}
    dashboard_permission = "partners.view_institution"

    def ready(self):
        from rdportfolio.core import tabular
        from technologies.models import Project

        from . import imports, queries
        from .checks import collaborations_without_implementation_right

        # Projects live in the app below this one and cannot import it: the rule and the partner
        # queries plug in here.
        if collaborations_without_implementation_right not in Project.start_checks:
            Project.start_checks.append(collaborations_without_implementation_right)
        Project.partner_queries = queries
        tabular.register(imports.INSTITUTIONS)
        tabular.register(imports.COLLABORATIONS)
        tabular.register(imports.IP_AGREEMENTS)
