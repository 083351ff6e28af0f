from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RdportfolioConfig(AppConfig):
    name = "rdportfolio"
    verbose_name = _("R&D portfolio")
