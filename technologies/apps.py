from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechnologiesConfig(AppConfig):
    name = "technologies"
    verbose_name = _("Technologies")
