"""An uploaded file and what became of it."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.jobs import LeasedJob
from rdportfolio.core.tabular import WORKBOOK, kind_choices, spec_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def job_kinds() -> list[tuple[str, "StrOrPromise"]]:
    """What a job imports: one kind of rows, or a workbook with a sheet for each kind."""
    return [*kind_choices(), (WORKBOOK, _("Workbook: a sheet for each kind"))]


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a worker")
    CHECKING = "checking", _("Checking rows")
    WRITING = "writing", _("Writing")
    CHECKED = "checked", _("Checked: ready to import")
    REFUSED = "refused", _("Refused: errors in the file")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Failed")


FINISHED = (ImportStatus.CHECKED, ImportStatus.REFUSED, ImportStatus.SUCCEEDED, ImportStatus.FAILED)


class ImportJob(LeasedJob):
    """One Excel or CSV file, checked (dry run) or imported, with its progress and errors.

    The file is kept in the database so that any worker on any machine can read it, for
    RDP_IMPORT_KEEP_DAYS after the job finished.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=job_kinds)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(
        _("format"), max_length=4, choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")]
    )
    content = models.BinaryField(_("file"), editable=False)
    # The file goes after RDP_IMPORT_KEEP_DAYS (the job stays: who imported what, when, and
    # what it did); see imports.services.import_files_prune.
    file_removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)
    dry_run = models.BooleanField(
        _("dry run"), default=True, help_text=_("Check every row and preview; write nothing.")
    )
    confirms = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("confirms the check"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("requested by"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default="ko",
        help_text=_("The requester's language: the errors are written in it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("new rows"), default=0)
    updated_count = models.PositiveIntegerField(_("changed rows"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(
        _("errors"), default=list, blank=True, help_text=_("The first 1,000: row, column, message.")
    )
    preview = models.JSONField(_("preview"), default=list, blank=True)
    # What a check saw, row by row (tabular.Plan.signature): its import is refused if the
    # data changed since, rather than writing over edits made in between.
    signature = models.TextField(_("rows as checked"), blank=True, editable=False)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        # The table of the budgets app, where jobs lived before they had an app of their own.
        db_table = "budgets_importjob"
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.file_name}"

    @property
    def spec(self):
        """The kind's spec; None for a workbook, whose sheets each have their own."""
        return None if self.kind == WORKBOOK else spec_for(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
