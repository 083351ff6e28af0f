from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.roles import Rows


class ScenariosConfig(AppConfig):
    name = "budgets.scenarios"
    label = "scenarios"
    verbose_name = _("Scenarios")
    role_policy = {"scenarioresult": Rows.SYSTEM, "scenariofigure": Rows.SYSTEM}
