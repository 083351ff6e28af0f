from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.roles import Rows


class KpiConfig(AppConfig):
    name = "budgets.kpi"
    label = "kpi"
    verbose_name = _("International-collaboration share")
    role_policy = {
        "sharerun": Rows.SYSTEM,
        "sharesnapshot": Rows.SYSTEM,
        "reconciliation": Rows.SYSTEM,  # published figures beside the portfolio's: read only
    }
    dashboard_permission = "kpi.view_sharesnapshot"

    def ready(self):
        from . import signals

        signals.connect()
