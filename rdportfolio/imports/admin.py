"""Excel and CSV in the admin: upload, a check that writes nothing, then the import.

Staff pick a file (or "Import from Excel/CSV" on a changelist); the file is
checked as a job (every error listed with its row and column, or a preview of
what would change); "Import" then writes it as a second job, all rows or none.
Large files run on the Celery workers and the page shows their progress.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rdportfolio.core import tabular
from rdportfolio.core.admin import (
    CONTENT_TYPES,
    ReadOnlyAdminMixin,
    may_import,
    template_download,
)

from .messages import import_refusal_of_upload
from .models import ImportJob, job_kinds
from .services import (
    AlreadyImported,
    ImportRefused,
    import_job_confirm,
    import_job_confirm_refusal,
    import_job_create,
)


def _kind_choices():
    return [("", _("Recognise it from the headers")), *job_kinds()]


# The workbook template: what loads an international project, its partners and its money.
WORKBOOK_TEMPLATE_KINDS = [
    "projects",
    "institutions",
    "collaborations",
    "ip_agreements",
    "budget_lines",
]


def may_import_workbook(user, content: bytes) -> bool:
    try:
        kinds = [kind for _sheet, kind in tabular.workbook_sheets(content)]
    except tabular.FileRefused:
        return True  # the check refuses the file, saying why; it writes nothing
    return all(may_import(user, kind) for kind in kinds)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=_kind_choices, required=False)
    file = forms.FileField(
        label=_("Excel (.xlsx) or CSV file"),
        help_text=_("First row: the template's headers. Nothing is written until you confirm."),
    )


def _kind_of_upload(chosen: str, name: str, content: bytes) -> tuple[str, str | None]:
    """The kind to check the file as, or why not: the headers say what a file holds, so a
    projects file uploaded as technologies is named for what it is, not met with a dozen
    "unknown column" errors."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ("xlsx", "csv") or not content or chosen == tabular.WORKBOOK:
        return chosen, None  # the job refuses it, saying why
    if suffix == "xlsx" and not chosen and tabular.is_workbook(content):
        return tabular.WORKBOOK, None
    try:
        kinds = tabular.kinds_of_file(content, suffix)
    except tabular.FileRefused:
        kinds = []  # unreadable: the check says why, row by row
    labels = dict(tabular.kind_choices())
    if chosen:
        if kinds and chosen not in kinds:
            return chosen, gettext(
                "The headers are those of %(found)s, not %(chosen)s: choose %(found)s, or "
                "“Recognise it from the headers”."
            ) % {"found": labels[kinds[0]], "chosen": labels[chosen]}
        return chosen, None
    if not kinds:
        return chosen, gettext(
            "The headers are not those of any template: download the template of what the "
            "file holds (above), or choose its kind to see which columns differ."
        )
    return kinds[0], None


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "file_name",
        "dry_run",
        "status",
        "rows_total",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "requested_by",
        "created_at",
    )
    list_filter = ("kind", "status", "dry_run")
    list_select_related = ("requested_by",)
    search_fields = ("file_name",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request, obj=None):
        # Adding is uploading: the one write staff make here (a job is a record of what happened).
        return admin.ModelAdmin.has_add_permission(self, request)

    def get_urls(self):
        custom = [
            path(
                "template/<str:kind>.<str:file_format>",
                self.admin_site.admin_view(self.template_view),
                name="imports_importjob_template",
            ),
            path(
                "<int:job_id>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="imports_importjob_confirm",
            ),
            path(
                "<int:job_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="imports_importjob_progress",
            ),
        ]
        return custom + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, initial=request.GET)
        too_large = import_refusal_of_upload(request)
        if too_large:
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", too_large)
        elif request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            kind, refusal = _kind_of_upload(form.cleaned_data["kind"], upload.name, content)
            if refusal:
                form.add_error("kind" if form.cleaned_data["kind"] else "file", refusal)
            else:
                allowed = (
                    may_import_workbook(request.user, content)
                    if kind == tabular.WORKBOOK
                    else may_import(request.user, kind)
                )
                if not allowed:
                    raise PermissionDenied
                try:
                    job = import_job_create(
                        kind=kind,
                        file_name=upload.name,
                        content=content,
                        requested_by=request.user,
                        dry_run=True,
                    )
                except ImportRefused as refused:
                    form.add_error("file", str(refused))
                else:
                    return redirect("admin:imports_importjob_progress", job_id=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import from Excel or CSV"),
            "form": form,
            "kinds": [
                (kind, label)
                for kind, label in tabular.kind_choices()
                if may_import(request.user, kind)
            ],
            "workbook_kinds": ", ".join(WORKBOOK_TEMPLATE_KINDS),
        }
        return TemplateResponse(request, "admin/imports/importjob/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:imports_importjob_progress", job_id=object_id)

    def progress_view(self, request, job_id: int):
        job = get_object_or_404(self.get_queryset(request), pk=job_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        spec = job.spec
        imported = job.imports.order_by("-pk").first() if job.dry_run else None
        model = (spec.model if spec else ImportJob)._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(job),
            "job": job,
            "imported": imported,
            "confirm_refusal": (
                import_job_confirm_refusal(job, request.user)
                if job.dry_run and imported is None
                else None
            ),
            "may_import": (
                may_import_workbook(request.user, bytes(job.content))
                if spec is None
                else may_import(request.user, job.kind)
            ),
            "preview_tables": _preview_tables(job),
            "changelist_url": reverse(f"admin:{model.app_label}_{model.model_name}_changelist"),
        }
        return TemplateResponse(request, "admin/imports/importjob/progress.html", context)

    def confirm_view(self, request, job_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        checked = get_object_or_404(ImportJob, pk=job_id, dry_run=True)
        allowed = (
            may_import_workbook(request.user, bytes(checked.content))
            if checked.kind == tabular.WORKBOOK
            else may_import(request.user, checked.kind)
        )
        if not allowed:
            raise PermissionDenied
        try:
            job = import_job_confirm(checked=checked, user=request.user)
        except AlreadyImported as done:
            # A double click, or a second tab: the file is imported once.
            return redirect("admin:imports_importjob_progress", job_id=done.existing.pk)
        except ImportRefused as refused:
            messages.error(request, str(refused))
            return redirect("admin:imports_importjob_progress", job_id=checked.pk)
        return redirect("admin:imports_importjob_progress", job_id=job.pk)

    def template_view(self, request, kind: str, file_format: str):
        if kind == tabular.WORKBOOK and file_format == "xlsx":
            response = HttpResponse(
                tabular.workbook_template(WORKBOOK_TEMPLATE_KINDS),
                content_type=CONTENT_TYPES["xlsx"],
            )
            response["Content-Disposition"] = 'attachment; filename="workbook-template.xlsx"'
            return response
        if kind not in tabular.all_specs() or file_format not in ("xlsx", "csv"):
            raise PermissionDenied
        if not self.has_view_permission(request) and not may_import(request.user, kind):
            raise PermissionDenied
        return template_download(tabular.spec_for(kind), file_format)


def _preview_tables(job) -> list[tuple[str, list[str], list[dict]]]:
    """The preview as tables: one, or for a workbook one per sheet, each under its headers."""
    if job.spec is not None:
        return [("", [c.header_ko for c in job.spec.columns], job.preview)]
    kept = job.preview and job.file_removed_at is None  # the sheets' kinds are read from it
    kinds = dict(tabular.workbook_sheets(bytes(job.content))) if kept else {}
    tables = []
    for sheet, kind in kinds.items():
        rows = [row for row in job.preview if row.get("sheet") == sheet]
        headers = [c.header_ko for c in tabular.spec_for(kind).columns]
        tables.append((sheet, headers, rows))
    return tables
