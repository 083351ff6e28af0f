"""Django's model backend, reading a user's permissions in one query instead of two.

API tokens are DRF's own (``TokenAuthentication``: the token and its user in one query);
with this backend a call's permission check costs one query more, on every call.

Every page and API request asks whether the user holds some permission; Django's
ModelBackend reads the user's own permissions and their groups' in two queries. Here
both come in one (the same rows, as a set of "app_label.codename"), cached on the user
object for the request as Django does. Nothing is kept across requests, so a
permission taken away counts from the next request on. The statement is written by
hand: compiling it from the ORM cost more than running it, on every request.
"""

from typing import Any

from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import PasswordChangeView
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def _permissions_sql() -> str:
    """The user's own and their groups' permissions (the user's id twice, as parameters)."""
    user_model = get_user_model()
    q = connection.ops.quote_name
    permission = q(Permission._meta.db_table)
    content_type = q(ContentType._meta.db_table)
    user_permissions = q(user_model.user_permissions.through._meta.db_table)
    user_groups = q(user_model.groups.through._meta.db_table)
    group_permissions = q(Group.permissions.through._meta.db_table)
    return (
        f"SELECT ct.app_label, p.codename FROM {permission} p "  # noqa: S608 -- table names
        f"JOIN {content_type} ct ON ct.id = p.content_type_id WHERE p.id IN ("
        f"SELECT permission_id FROM {user_permissions} WHERE user_id = %s UNION "
        f"SELECT gp.permission_id FROM {group_permissions} gp "
        f"JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
    )


class PortfolioBackend(ModelBackend):
    # ``user_obj``: a user or AnonymousUser; the cache is set on it as ModelBackend's is.
    def get_all_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type__app_label", "codename")
            else:
                with connection.cursor() as cursor:
                    cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                    rows = cursor.fetchall()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        perms: set[str] = user_obj._perm_cache
        return perms


class TokensRevokedWithThePassword:
    """Not a rule for passwords: Django calls ``password_changed`` on every entry of
    AUTH_PASSWORD_VALIDATORS once a new password is saved, whichever form or command set it,
    and this one deletes the user's API tokens then. A token outlived a password change
    before, so a leaked token kept working after its owner changed the password to be safe."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        from rest_framework.authtoken.models import Token

        if user is not None and user.pk is not None:
            Token.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return str(_("Changing the password revokes your API tokens: ask for a new one after."))


class CountedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's own password change, its old password checked through ``authenticate``:
    a wrong one counts toward django-axes' lockout as a wrong login does (it was unlimited,
    so a stolen session could guess the password at leisure)."""

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        old: str = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.get_username(), password=old)
        if user is None or user.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old


class CountedPasswordChangeView(PasswordChangeView):
    form_class = CountedPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}
