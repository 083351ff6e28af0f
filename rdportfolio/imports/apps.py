from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.roles import Rows


class ImportsConfig(AppConfig):
    name = "rdportfolio.imports"
    label = "imports"
    verbose_name = _("Excel/CSV imports")
    role_policy = {"importjob": Rows.JOB}
