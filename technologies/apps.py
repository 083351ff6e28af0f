from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechnologiesConfig(AppConfig):
    name = "technologies"
    verbose_name = _("Technologies")
    role_policy: dict = {}  # records only
    dashboard_permission = "technologies.view_technology"

    def ready(self):
        from rdportfolio.core import tabular

        from . import imports

        tabular.register(imports.TECHNOLOGIES)
        tabular.register(imports.PROJECTS)
