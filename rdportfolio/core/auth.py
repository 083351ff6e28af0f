"""Django's model backend, reading a user's permissions in one query instead of two.

Every page and API request asks whether the user holds some permission; Django's
ModelBackend reads the user's own permissions and their groups' in two queries. Here
both come in one (the same rows, as a set of "app_label.codename"), cached on the user
object for the request as Django does. Nothing is kept across requests, so a
permission taken away counts from the next request on.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class PortfolioBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                permissions = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = permissions.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
