"""Excel and CSV in the admin: templates, exports, and imports checked before they write.

Staff pick a file on a changelist ("Import from Excel/CSV"); the file is
checked as a job (a dry run: every error listed with its row and column, or a
preview of what would change); "Import" then writes it as a second job, all
rows or none. Large files run on the Celery workers and the page shows their
progress.
"""

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import imports
from .models import ImportJob, ImportKind, ImportStatus
from .services import ImportRefused, import_job_create

KIND_MODELS = {kind: spec.model for kind, spec in imports.SPECS.items()}


def _may_import(user, kind: str) -> bool:
    opts = KIND_MODELS[kind]._meta
    return user.has_perms(
        [
            "budgets.add_importjob",
            f"{opts.app_label}.add_{opts.model_name}",
            f"{opts.app_label}.change_{opts.model_name}",
        ]
    )


def _xlsx(headers: list[str], rows, notes: list[list[str]] | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if notes:
        guide = workbook.create_sheet("설명")
        for note in notes:
            guide.append(note)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(headers: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    # A BOM, so that Excel opens the Korean headers as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _download(content: bytes, file_format: str, name: str) -> HttpResponse:
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def template_file(kind: str, file_format: str) -> bytes:
    spec = imports.SPECS[kind]
    headers = [c.header_ko for c in spec.columns]
    if file_format == "csv":
        return _csv(headers, [])
    notes = [["열", "필수", "English", "설명"]] + [
        [c.header_ko, "예" if c.required else "", c.header_en, c.help_ko] for c in spec.columns
    ]
    return _xlsx(headers, [], notes)


class ImportExportMixin:
    """For a changelist: export the selected rows, and links to import and to the template."""

    import_kind: str = ""
    change_list_template = "admin/import_export_change_list.html"

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name in ("export_xlsx", "export_csv"):
            function = getattr(type(self), name)
            actions[name] = (function, name, function.short_description)
        return actions

    def _export(self, queryset, file_format):
        spec = imports.SPECS[self.import_kind]
        headers = [c.header_ko for c in spec.columns]
        rows = imports.export_values(self.import_kind, queryset)
        content = _xlsx(headers, rows) if file_format == "xlsx" else _csv(headers, rows)
        stamp = timezone.localdate().isoformat()
        return _download(content, file_format, f"{self.import_kind}-{stamp}")

    def export_xlsx(self, request, queryset):
        return self._export(queryset, "xlsx")

    export_xlsx.short_description = _("Export selected to Excel (importable)")

    def export_csv(self, request, queryset):
        return self._export(queryset, "csv")

    export_csv.short_description = _("Export selected to CSV (importable)")

    def changelist_view(self, request, extra_context=None):
        extra = {
            "import_kind": self.import_kind,
            "may_import": _may_import(request.user, self.import_kind),
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("Excel (.xlsx) or CSV file"),
        help_text=_("First row: the template's headers. Nothing is written until you confirm."),
    )


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
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

    def has_change_permission(self, request, obj=None):
        return False  # a job is a record of what happened

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        custom = [
            path(
                "template/<str:kind>.<str:file_format>",
                self.admin_site.admin_view(self.template_view),
                name="budgets_importjob_template",
            ),
            path(
                "<int:job_id>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="budgets_importjob_confirm",
            ),
            path(
                "<int:job_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="budgets_importjob_progress",
            ),
        ]
        return custom + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, initial=request.GET)
        if request.method == "POST" and form.is_valid():
            kind = form.cleaned_data["kind"]
            upload = form.cleaned_data["file"]
            if not _may_import(request.user, kind):
                raise PermissionDenied
            try:
                job = import_job_create(
                    kind=kind,
                    file_name=upload.name,
                    content=upload.read(),
                    requested_by=request.user,
                    dry_run=True,
                )
            except ImportRefused as refused:
                form.add_error("file", str(refused))
            else:
                return redirect("admin:budgets_importjob_progress", job_id=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import from Excel or CSV"),
            "form": form,
            "kinds": [
                (kind, label)
                for kind, label in ImportKind.choices
                if _may_import(request.user, kind)
            ],
        }
        return TemplateResponse(request, "admin/budgets/importjob/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:budgets_importjob_progress", job_id=object_id)

    def progress_view(self, request, job_id: int):
        job = get_object_or_404(self.get_queryset(request), pk=job_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        spec = imports.SPECS[job.kind]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(job),
            "job": job,
            "imported": job.imports.order_by("-pk").first() if job.dry_run else None,
            "may_confirm": (
                job.dry_run
                and job.status == ImportStatus.CHECKED
                and (job.created_count or job.updated_count)
                and _may_import(request.user, job.kind)
            ),
            "preview_columns": [c.header_ko for c in spec.columns],
            "changelist_url": reverse(
                f"admin:{spec.model._meta.app_label}_{spec.model._meta.model_name}_changelist"
            ),
        }
        return TemplateResponse(request, "admin/budgets/importjob/progress.html", context)

    def confirm_view(self, request, job_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        checked = get_object_or_404(ImportJob, pk=job_id, dry_run=True)
        if not _may_import(request.user, checked.kind):
            raise PermissionDenied
        if checked.status != ImportStatus.CHECKED:
            messages.error(request, _("Only a file that passed its check can be imported."))
            return redirect("admin:budgets_importjob_progress", job_id=checked.pk)
        earlier = checked.imports.exclude(status=ImportStatus.FAILED).first()
        if earlier is not None:
            # A double click, or a second tab: the file is imported once.
            return redirect("admin:budgets_importjob_progress", job_id=earlier.pk)
        job = import_job_create(
            kind=checked.kind,
            file_name=checked.file_name,
            content=bytes(checked.content),
            requested_by=request.user,
            dry_run=False,
            confirms=checked,
            language=checked.language,
        )
        return redirect("admin:budgets_importjob_progress", job_id=job.pk)

    def template_view(self, request, kind: str, file_format: str):
        if kind not in imports.SPECS or file_format not in ("xlsx", "csv"):
            raise PermissionDenied
        if not self.has_view_permission(request) and not _may_import(request.user, kind):
            raise PermissionDenied
        return _download(template_file(kind, file_format), file_format, f"{kind}-template")
