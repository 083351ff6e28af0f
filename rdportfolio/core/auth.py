"""Django's model backend, reading a user's permissions in one query instead of two.

Every page and API request asks whether the user holds some permission; Django's
ModelBackend reads the user's own permissions and their groups' in two queries. Here
both come in one (the same rows, as a set of "app_label.codename"), cached on the user
object for the request as Django does. Nothing is kept across requests, so a
permission taken away counts from the next request on. The statement is written by
hand: compiling it from the ORM cost more than running it, on every request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def _permissions_sql(user: str = "%s", select: str = "ct.app_label, p.codename") -> str:
    """The user's own and their groups' permissions; ``user`` is a parameter or a column."""
    user_model = get_user_model()
    q = connection.ops.quote_name
    permission = q(Permission._meta.db_table)
    content_type = q(ContentType._meta.db_table)
    user_permissions = q(user_model.user_permissions.through._meta.db_table)
    user_groups = q(user_model.groups.through._meta.db_table)
    group_permissions = q(Group.permissions.through._meta.db_table)
    return (
        f"SELECT {select} FROM {permission} p "  # noqa: S608 -- table and column names
        f"JOIN {content_type} ct ON ct.id = p.content_type_id WHERE p.id IN ("
        f"SELECT permission_id FROM {user_permissions} WHERE user_id = {user} UNION "
        f"SELECT gp.permission_id FROM {group_permissions} gp "
        f"JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = {user})"
    )


class PortfolioBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
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
        return user_obj._perm_cache


class PortfolioTokenAuthentication(TokenAuthentication):
    """DRF's token check, with the token and its user read by one hand-written statement.

    The same rules as DRF's (an unknown token or an inactive user is refused with DRF's
    messages); only the ORM's compiling of a select_related() on every API call is gone.
    """

    def authenticate_credentials(self, key):
        user_model = get_user_model()
        token_model = self.get_model()
        q = connection.ops.quote_name
        # On PostgreSQL the user's permissions come in the same statement, as an array: the
        # permission check that follows on every call then costs no query of its own.
        with_permissions = connection.vendor == "postgresql"
        names = "ct.app_label || '.' || p.codename"
        permissions = (
            f", ARRAY({_permissions_sql('u.id', select=names)}) AS token_permissions"
            if with_permissions
            else ""
        )
        statement = (
            f"SELECT u.*, t.created AS token_created{permissions} "  # noqa: S608 -- table names
            f"FROM {q(user_model._meta.db_table)} u "
            f"JOIN {q(token_model._meta.db_table)} t ON t.user_id = u.id WHERE t.key = {{key}}"
        )
        if with_permissions:
            statement = _prepared(statement)
        rows = list(user_model.objects.raw(statement.format(key="%s"), [key]))
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = rows[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if with_permissions and not user.is_superuser:
            user._perm_cache = set(user.token_permissions)  # what PortfolioBackend would read
        token = token_model(key=key, user=user, created=user.token_created)
        return (user, token)


PREPARED_STATEMENT = "rdp_token_user"


def _prepared(statement: str) -> str:
    """The token's statement prepared once per database session, and how to run it.

    Planning it (seven tables) cost the database about 1 ms on every API call, as much as
    running it; a prepared statement is planned once per session. A new connection prepares
    it again, and a statement prepared in a session outlives a rolled-back transaction.
    (A pooler that hands one server session to many clients, such as PgBouncer in
    transaction mode, would not keep it: this project connects to PostgreSQL directly.)
    """
    connection.ensure_connection()
    session = connection.connection
    if not getattr(session, "rdp_token_prepared", False):
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE {PREPARED_STATEMENT}(text) AS {statement.format(key='$1')}")
        session.rdp_token_prepared = True
    return f"EXECUTE {PREPARED_STATEMENT}({{key}})"
