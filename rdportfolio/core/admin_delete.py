"""The admin's "delete selected" for rows nothing else points to, by the ten thousand.

Django's own action lists every selected row on its confirmation page and posts each id
back as a form field. For 12,660 budget lines (a year of a track, "select all" on a
filtered list) that was a 2.2 MB page built in 5 s, and a confirmation that Django then
refused with 400 Bad Request: more fields than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (1,000).
Nothing could be deleted that way.

Here the confirmation counts the selection in SQL and names its first rows; when the
whole filtered list was selected, the form carries that choice (``select_across`` on the
same filtered address), not the ids. The number confirmed goes with the form: if the
selection holds another number when the deletion runs (someone added or removed lines
meanwhile), nothing is deleted and the page asks again.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from .admin import PortfolioModelAdmin

# Rows named on the confirmation page; the rest are counted.
SHOWN = 100


def delete_selected_in_bulk(
    modeladmin: "PortfolioModelAdmin", request: HttpRequest, queryset: QuerySet[Any]
) -> TemplateResponse | None:
    """Delete the selected rows, their history written in bulk, after a confirmation."""
    if not modeladmin.has_delete_permission(request):
        raise PermissionDenied
    count = queryset.count()
    if request.POST.get("post"):
        if request.POST.get("selection_count") == str(count):
            modeladmin.log_deletions(request, queryset)
            modeladmin.delete_queryset(request, queryset)
            modeladmin.message_user(
                request,
                _("Successfully deleted %(count)d %(items)s.")
                % {"count": count, "items": model_ngettext(modeladmin.opts, count)},
                messages.SUCCESS,
            )
            return None
        messages.warning(
            request,
            ngettext(
                "The selection changed since the confirmation page: it now holds %(count)s "
                "row. Nothing was deleted; confirm again.",
                "The selection changed since the confirmation page: it now holds %(count)s "
                "rows. Nothing was deleted; confirm again.",
                count,
            )
            % {"count": f"{count:,}"},
        )
    return _confirmation(modeladmin, request, queryset, count)


def _confirmation(
    modeladmin: "PortfolioModelAdmin", request: HttpRequest, queryset: QuerySet[Any], count: int
) -> TemplateResponse:
    opts = modeladmin.model._meta
    shown_ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:SHOWN])
    shown = modeladmin.model._base_manager.filter(pk__in=shown_ids).order_by("pk")
    names = modeladmin.deletion_names(shown)
    shown_names = [name for _pk, name in names] if names is not None else list(map(str, shown))
    select_across = request.POST.get("select_across") == "1"
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Delete multiple objects"),
        "subtitle": None,
        "objects_name": str(model_ngettext(opts, count)),
        "shown_names": shown_names,
        "more": count - len(shown_names),
        "more_text": f"{count - len(shown_names):,}",
        "model_count": [(opts.verbose_name_plural, f"{count:,}")],
        "selection_count": count,
        "select_across": select_across,
        # With "select all", the filtered address says which rows: no id is posted back but
        # the one Django needs to see an action at all.
        "selected_ids": shown_ids[:1]
        if select_across
        else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "opts": opts,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": request.POST.get("action", "delete_selected"),
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/delete_selected_in_bulk.html", context)
