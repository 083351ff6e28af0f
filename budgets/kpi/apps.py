from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "budgets.kpi"
    label = "kpi"
    verbose_name = _("International-collaboration share")

    def ready(self):
        from . import signals

        signals.connect()
