from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _roles_sync(sender, apps=None, **kwargs):
    from django.apps import apps as installed_apps

    from rdportfolio.core.roles import roles_sync

    # migrate sends the migrated state's apps; flush sends none.
    roles_sync(apps or installed_apps)


class RdportfolioConfig(AppConfig):
    """The site: settings, URLs, the seed command, and the roles kept in step with the models."""

    name = "rdportfolio"
    verbose_name = _("R&D portfolio")

    def ready(self):
        # After every migrate (and every flush, which tests do): the role groups hold exactly the
        # permissions rdportfolio.core.roles gives them, for every model that exists by then.
        post_migrate.connect(_roles_sync, sender=self, dispatch_uid="rdportfolio-roles-sync")
