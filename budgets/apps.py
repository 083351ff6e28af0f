from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.roles import Rows


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budgets and targets")
    role_policy = {"yearclosing": Rows.ACT}
    dashboard_permission = "budgets.view_budgetline"

    def ready(self):
        from rdportfolio.core import tabular

        from . import imports

        tabular.register(imports.BUDGET_LINES)
