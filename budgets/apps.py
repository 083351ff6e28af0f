from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budgets and targets")

    def ready(self):
        from rdportfolio.core import tabular

        from . import imports

        tabular.register(imports.BUDGET_LINES)
