import sys

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.roles import Rows


class EvaluationsConfig(AppConfig):
    name = "technologies.evaluations"
    label = "evaluations"
    verbose_name = _("Evaluations")
    role_policy = {
        "evaluationround": Rows.EVALUATION,
        "evaluationlayer": Rows.EVALUATION,
        "evaluationassignment": Rows.EVALUATION,
    }

    def ready(self):
        # django-simple-history says an app's historical models live in the app's package when
        # its label ("evaluations") is not its path, but puts them on .models: put them where
        # they say they are (manage.py shell imports them from there).
        from . import models

        for name in dir(models):
            if name.startswith("Historical"):
                setattr(sys.modules[self.name], name, getattr(models, name))
