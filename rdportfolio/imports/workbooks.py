"""A workbook import: a sheet for each kind, checked and written in one transaction.

Each sheet is checked, then written, so that the next sheet finds the rows it names (a
project's collaborations, then their IP agreements, then the budget lines that pay for
them). A check rolls everything back at the end: it writes nothing, but it has seen each
sheet as it would be imported. A confirmed import keeps it, all sheets or none: the first
sheet with an error, or a sheet whose rows changed since the check, rolls back the whole.
"""

import logging
from typing import cast

from django.utils.translation import gettext as _
from django.utils.translation import override

from rdportfolio.core import tabular
from rdportfolio.core.turns import write_turn

from .messages import import_written_meanwhile, too_slow_message
from .models import ImportJob, ImportStatus
from .services import (
    IMPORT_TURN,
    ImportTooSlow,
    _counts,
    _import_finish,
    job_progress,
)

logger = logging.getLogger(__name__)


class _RolledBack(Exception):
    """The end of a check, or an import that cannot be kept: nothing stays written."""


def workbook_carry_out(job: ImportJob) -> ImportJob:
    progress, _deadline = job_progress(job)
    content = bytes(job.content)
    sheets: list[tuple[str, tabular.Plan]] = []
    checked = _signatures(cast(ImportJob, job.confirms).signature) if job.confirms_id else {}
    changed: dict[str, list[int]] = {}
    if not job.dry_run:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING)
    try:
        # A check writes too, then rolls back: in turn with the imports, like them.
        with override(job.language), write_turn(IMPORT_TURN):
            for sheet, kind in tabular.workbook_sheets(content):
                spec = tabular.spec_for(kind)
                plan = tabular.import_plan(
                    spec=spec, content=content, file_format="xlsx", progress=progress, sheet=sheet
                )
                sheets.append((sheet, plan))
                if plan.error_count:
                    break  # the sheets after it would miss its rows: checked once it is right
                if job.confirms_id:
                    rows = tabular.plans_differ(checked.get(sheet, ""), plan)
                    if rows:
                        changed[sheet] = rows
                        break
                tabular.plan_write(
                    spec=spec, plan=plan, user=job.requested_by, reason=f"Import #{job.pk}"
                )
            if job.dry_run or changed or any(plan.error_count for _sheet, plan in sheets):
                raise _RolledBack
    except _RolledBack:
        pass
    except tabular.FileRefused as refused:
        errors = [_on_sheet(sheets[-1][0], e) for e in refused.errors] if sheets else refused.errors
        return _import_finish(
            job, status=ImportStatus.REFUSED, errors=errors, error_count=len(errors)
        )
    except ImportTooSlow:
        return _import_finish(job, status=ImportStatus.FAILED, message=too_slow_message(job))
    except Exception as exc:
        logger.exception("workbook import %s failed; nothing was written", job.pk)
        return _import_finish(
            job,
            status=ImportStatus.FAILED,
            message=f"Nothing was written: {type(exc).__name__}: {exc}",
        )
    return _workbook_finish(job, sheets, changed)


def _workbook_finish(job, sheets, changed) -> ImportJob:
    whole = _joined(sheets)
    counts = _counts(whole)
    if changed:
        with override(job.language):
            message = _(
                "Changed since the check: %(count)s rows. Nothing was written; check the file "
                "again to see what it would do now."
            ) % {"count": sum(map(len, changed.values()))} + import_written_meanwhile(job)
            errors = [
                _on_sheet(
                    sheet, {"row": row, "column": None, "message": _("Changed since the check.")}
                )
                for sheet, rows in changed.items()
                for row in rows[:1000]
            ]
        return _import_finish(
            job,
            status=ImportStatus.REFUSED,
            message=message,
            errors=errors,
            error_count=len(errors),
        )
    if whole.error_count:
        return _import_finish(job, status=ImportStatus.REFUSED, **counts)
    if job.dry_run:
        signature = "\n".join(f"{sheet}\t{plan.signature()}" for sheet, plan in sheets)
        return _import_finish(job, status=ImportStatus.CHECKED, signature=signature, **counts)
    return _import_finish(job, status=ImportStatus.SUCCEEDED, **counts)


def _signatures(text: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)


def _on_sheet(sheet: str, error: dict) -> dict:
    """An error as the job lists it: its column says on which sheet."""
    column = error.get("column")
    return {**error, "column": f"{sheet} › {column}" if column else sheet}


def _joined(sheets: list[tuple[str, tabular.Plan]]) -> tabular.Plan:
    """The sheets' plans as one, for the job's counts; errors and preview rows name their sheet."""
    whole = tabular.Plan()
    for sheet, plan in sheets:
        whole.total += plan.total
        whole.create += plan.create
        whole.update += plan.update
        whole.unchanged += plan.unchanged
        whole.error_count += plan.error_count
        whole.errors += [_on_sheet(sheet, error) for error in plan.errors]
        whole.preview += [{**row, "sheet": sheet} for row in plan.preview]
    return whole
