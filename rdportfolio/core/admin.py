"""The bases of every app's admin: history and revert, won columns, read-only rows, exports."""

from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import AnonymousUser, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Field, Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import tabular
from .admin_delete import delete_selected_in_bulk
from .admin_stale import UnchangedSinceOpenedForm, UnchangedSinceOpenedMixin
from .exports import file_response
from .history import bulk_delete_with_history
from .models import rows_copy
from .money import format_won
from .won_input import WonInputMixin

_Extra = dict[str, Any] | None  # a view's extra context

if TYPE_CHECKING:  # what the mixins below go with; at run time they are as written
    from django_stubs_ext import StrOrPromise

    class _HistoryAdmin(admin.ModelAdmin[Any]):  # django-simple-history's, which has no types
        def history_form_view(self, *args: Any, **kwargs: Any) -> HttpResponse: ...

    _InlineBase = admin.options.InlineModelAdmin[Any, Any]
    _ChangeListBase = admin.ModelAdmin[Any]
else:
    _HistoryAdmin, _InlineBase, _ChangeListBase = SimpleHistoryAdmin, object, object

TIMESTAMPS = ("created_at", "updated_at")
PROVENANCE = ("source", "is_synthetic")


class ReadableHistory(HistoricalRecordContextHelper):
    """Changes as people read them: an empty value is "–", not "Deleted … (pk=None)" (what
    django-simple-history 3.13 writes for a foreign key that was empty), and won amounts
    with their 억 figure."""

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        if value is None or (isinstance(value, DeletedObject) and value.pk is None):
            return "–"
        field = self.model._meta.get_field(change.field)
        if isinstance(value, int) and field.name.endswith("_won"):
            return f"{value:,} ({format_won(value, 'eok', 'ko')})"
        return super().prepare_delta_change_value(change, value)


class NamedCellsMixin(_InlineBase):
    """For a tabular inline: every cell's input named by its column.

    A tabular inline labels its columns once, in the table's head; each row's inputs have no
    label of their own, so a screen reader announces a bare "edit text" (axe: label,
    select-name). The column's name goes on each input as aria-label. (The autocomplete's
    select2 box gets the same name from static/js/admin-labels.js.)
    """

    def formfield_for_dbfield(
        self, db_field: "Field[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            widget = formfield.widget
            # A related field's widget is wrapped (the add/change links); the input is inside.
            inner: Any = getattr(widget, "widget", widget)
            inner.attrs.setdefault("aria-label", formfield.label)
        return formfield

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset: Any = super().get_formset(request, obj, **kwargs)  # a class, subclassed here

        class Named(formset):
            def add_fields(self, form: forms.Form, index: int | None) -> None:
                super().add_fields(form, index)
                if "DELETE" in form.fields:  # the row's "delete?" box, added by the formset
                    form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete")

        Named.__name__ = formset.__name__
        return Named


class PortfolioModelAdmin(UnchangedSinceOpenedMixin, WonInputMixin, _HistoryAdmin):
    """The base of every portfolio admin: what the row is about first, where it came from last.

    The "History" page lists every version of the row with who changed it and when (from
    django-simple-history); users who may change the row can revert to an earlier version.
    A save from a form opened before someone else's save is refused (admin_stale).
    """

    form = UnchangedSinceOpenedForm
    readonly_fields: ClassVar[tuple[str, ...]] = TIMESTAMPS

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if not self.keeps_versions():
            # Rows written once by the system (status changes, reconciliations) keep no versions:
            # their History page is Django's own log of admin actions.
            cast(Any, self).object_history_template = "admin/object_history.html"  # per instance

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        # A form whose own fields are unchanged (only an inline row was edited, say a budget
        # line under its project) saves nothing of its own: no empty version of the parent.
        # The inline rows keep their own history, each naming its parent.
        # (Only on the change form: a revert posts the old version as unchanged data, and must
        # still save it.)
        match = request.resolver_match
        on_change_form = bool(match and match.url_name and match.url_name.endswith("_change"))
        if change and on_change_form and not form.has_changed():
            return
        super().save_model(request, obj, form, change)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The admin's autocomplete (a budget line's collaboration, say) names each result by
        # str(), which reads related rows: with the joins the list declares for the same
        # names, not a query or two per result (44 queries for 20 collaborations).
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if isinstance(self.list_select_related, list | tuple) and self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset, may_have_duplicates

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> ReadableHistory:
        return ReadableHistory(self.model, historical_record)

    def keeps_versions(self) -> bool:
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def deletion_names(self, queryset: QuerySet[Any]) -> Iterable[tuple[Any, str]] | None:
        """(pk, name as str() gives it) of each row, read as values without building the
        rows; None (the default): the log names each row with str(), from its instance."""
        return None

    def log_deletions(  # type: ignore[override]  # bulk: written by COPY, not returned
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> list[LogEntry] | None:
        names = self.deletion_names(queryset)
        if names is not None:
            # A model that names its rows from values (budget lines, by the ten thousand):
            # one log entry a row, as Django writes them, sent in one COPY. Building each
            # line, its project and their log entries took 1.2 s for 10,000 lines.
            content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
            now, user_id = timezone.now(), request.user.pk
            rows_copy(
                LogEntry,
                "action_time user_id content_type_id object_id object_repr action_flag "
                "change_message".split(),
                (
                    (now, user_id, content_type.pk, str(pk), name[:200], DELETION, "")
                    for pk, name in names
                ),
            )
            return None
        # Each log entry names its row with str(), which for most rows reads a related one (a
        # budget line is named by its project's number): read them with the rows, not one
        # query a row. The change list's own queryset does this already; other callers may not.
        related = self.list_select_related
        if isinstance(related, list | tuple) and related:
            queryset = queryset.select_related(*related)
        return super().log_deletions(request, queryset)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # "Delete selected": the history of ten thousand rows in a few statements, not one
        # INSERT a row (rows that others point to still go through Django's delete).
        if not self.keeps_versions():
            return super().delete_queryset(request, queryset)
        bulk_delete_with_history(queryset, user=request.user, reason="Admin: delete selected")

    def deletes_in_bulk(self) -> bool:
        """Whether "delete selected" deletes these rows in bulk: rows with versions that
        nothing points to (no deletion cascades to show before confirming)."""
        return self.keeps_versions() and not self.model._meta.related_objects

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)  # Any: the stubs' tuples are off
        if "delete_selected" in actions and self.deletes_in_bulk():
            # Django's own confirmation posts back every id: refused past 1,000 rows.
            _function, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_in_bulk, name, description)
        return actions

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: _Extra = None
    ) -> HttpResponse:
        # Who may not view rows of this kind gets 403, whatever the id (not a 404 that tells
        # which ids exist, nor a server error on a model without versions).
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if not self.keeps_versions():
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: _Extra = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if not self.keeps_versions():
            raise Http404
        # django-simple-history would save a read-only user's POST as an empty change (and an
        # audit entry in their name): reverting is for those who may change the row.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = list(super().get_fields(request, obj))
        tail = [f for f in (*PROVENANCE, *TIMESTAMPS) if f in fields]
        return [f for f in fields if f not in tail] + tail


def won_column(field_name: str, description: "StrOrPromise") -> Callable[[Any, Any], str]:
    """A changelist column that shows whole won as 억 원 / 조 원 and sorts by the raw amount."""

    @admin.display(description=description, ordering=field_name)
    def column(self: Any, obj: Any) -> str:
        return format_won(getattr(obj, field_name))

    column.__name__ = f"{field_name}_display"
    return column


def country_filter(lookup: str, institution_model: type[Any]) -> type[admin.SimpleListFilter]:
    """A list filter offering only the countries that institutions are actually in.

    Django's default would list all 249 ISO countries.
    """

    class CountryListFilter(admin.SimpleListFilter):
        title = _("country")
        parameter_name = "country"

        def lookups(
            self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
        ) -> list[tuple[str, str]]:
            codes = (
                institution_model.objects.order_by().values_list("country", flat=True).distinct()
            )
            return sorted(
                ((code, countries.name(code)) for code in codes), key=lambda pair: str(pair[1])
            )

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            if self.value():
                return queryset.filter(**{lookup: self.value()})
            return queryset

    return CountryListFilter


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's "all values" filter for a column an index leads with, on a big table.

    Django lists the choices with ``SELECT DISTINCT`` over the whole table: 80 ms of every
    budget-line list page at a million lines, for eight years. This walks the index from
    one value to the next instead (a loose index scan, one probe per value; PostgreSQL and
    SQLite both run the recursive statement), and gives the same values in the same order.
    Nulls are not listed: use it on NOT NULL columns.
    """

    def __init__(
        self,
        field: "Field[Any, Any]",
        request: HttpRequest,
        params: dict[str, list[str]],
        model: type[Model],
        model_admin: "admin.ModelAdmin[Any]",
        field_path: str,
    ) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        # The values in a list: the template only iterates them (the stubs say a queryset).
        self.lookup_choices = _distinct_by_index(field.model, field)  # type: ignore[assignment]


def _distinct_by_index(model: type[Model], field: "Field[Any, Any]") -> list[Any]:
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(cast(str, field.column))  # never None
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE walk(value) AS (
                    SELECT MIN({column}) FROM {table}
                    UNION ALL
                    SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > walk.value)
                    FROM walk WHERE walk.value IS NOT NULL
                )
                SELECT value FROM walk WHERE value IS NOT NULL"""  # noqa: S608 - names quoted
        )
        return [value for (value,) in cursor.fetchall()]


class ReadOnlyAdminMixin:
    """Rows people read but never add, change or delete here (the system writes them)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def may_import(user: PermissionsMixin | AnonymousUser, kind: str) -> bool:
    """Whether ``user`` may import rows of ``kind``: they may start import jobs, and add and
    change such rows themselves (the jobs write in their name)."""
    opts = tabular.spec_for(kind).model._meta
    return user.has_perms(
        [
            "imports.add_importjob",
            f"{opts.app_label}.add_{opts.model_name}",
            f"{opts.app_label}.change_{opts.model_name}",
        ]
    )


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def tabular_download(
    spec: "tabular.Spec", queryset: QuerySet[Any], file_format: str
) -> FileResponse:
    """The rows of ``queryset`` in the spec's import columns, as an Excel or CSV download."""
    stamp = timezone.localdate().isoformat()

    def build(file: IO[bytes]) -> int:
        file.write(tabular.export_file(spec, queryset, file_format))
        return queryset.count()

    return file_response(
        filename=f"{spec.kind}-{stamp}.{file_format}",
        content_type=CONTENT_TYPES[file_format],
        build=build,
    )


def template_download(spec: "tabular.Spec", file_format: str) -> HttpResponse:
    response = HttpResponse(
        tabular.template_file(spec, file_format), content_type=CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{spec.kind}-template.{file_format}"'
    return response


class TabularExportMixin(_ChangeListBase):
    """For a changelist: export the selected rows (importable), and links to import and to the
    template of the kind of rows named by ``import_kind``."""

    import_kind: str = ""
    change_list_template = "admin/import_export_change_list.html"

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        for name in ("export_xlsx", "export_csv"):
            function = getattr(type(self), name)
            actions[name] = (function, name, function.short_description)
        return actions

    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Any]) -> FileResponse:
        return tabular_download(tabular.spec_for(self.import_kind), queryset, "xlsx")

    # Django reads an action's label off the function, an attribute mypy cannot type.
    cast(Any, export_xlsx).short_description = _("Export selected to Excel (importable)")

    def export_csv(self, request: HttpRequest, queryset: QuerySet[Any]) -> FileResponse:
        return tabular_download(tabular.spec_for(self.import_kind), queryset, "csv")

    cast(Any, export_csv).short_description = _("Export selected to CSV (importable)")

    def changelist_view(self, request: HttpRequest, extra_context: _Extra = None) -> HttpResponse:
        extra = {
            "import_kind": self.import_kind,
            "may_import": may_import(request.user, self.import_kind),
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})
