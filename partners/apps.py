from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        # Projects live in the app below this one and cannot import it: the rule plugs in here.
        from technologies.models import Project

        from .models import collaborations_without_implementation_right

        if collaborations_without_implementation_right not in Project.start_checks:
            Project.start_checks.append(collaborations_without_implementation_right)
