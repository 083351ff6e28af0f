"""Imports checked before they write: templates, exports that import back, the whole round, bad files."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from budgets.kpi.models import RunTrigger, ShareRun
from budgets.models import BudgetLine
from rdportfolio.core import tabular
from rdportfolio.core.tabular import writing
from rdportfolio.imports.models import ImportJob, ImportStatus
from tests.factories import CollaborationFactory
from tests.imports.files import LINE_HEADERS, confirm, csv_bytes, errors_of, new_lines, upload, xlsx

pytestmark = pytest.mark.django_db


# --- templates and exports ------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(tabular.all_specs()))
def test_templates_have_the_korean_headers(staff, kind):
    response = staff.get(reverse("admin:imports_importjob_template", args=[kind, "xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in next(workbook["data"].iter_rows(max_row=1))]
    assert headers == [c.header_ko for c in tabular.spec_for(kind).columns]
    assert workbook["설명"]["A1"].value == "열"
    csv_response = staff.get(reverse("admin:imports_importjob_template", args=[kind, "csv"]))
    assert csv_response.content.decode("utf-8-sig").splitlines()[0] == ",".join(headers)


@pytest.mark.parametrize("kind", list(tabular.all_specs()))
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_an_export_imports_back_as_unchanged(
    staff, django_capture_on_commit_callbacks, kind, file_format
):
    # Export and import read the same columns (the kind's spec): they cannot drift apart.
    model = tabular.spec_for(kind).model
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True)[:40])
    response = staff.post(
        changelist, {"action": f"export_{file_format}", "_selected_action": ids, "index": 0}
    )
    assert response.status_code == 200
    job = upload(
        staff,
        kind,
        f"export.{file_format}",
        response.getvalue(),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.CHECKED, job.errors
    assert (job.rows_total, job.unchanged_count, job.created_count, job.updated_count) == (
        len(ids),
        len(ids),
        0,
        0,
    )


# --- the whole round: check, preview, import ---------------------------------------------------


def test_a_korean_excel_file_is_checked_previewed_then_imported_once(
    staff, fresh_project, django_capture_on_commit_callbacks, ministry_editor
):
    collaboration = CollaborationFactory(project=fresh_project)
    rows = new_lines(fresh_project) + [
        [
            fresh_project.project_number,
            2031,
            "계획",
            "2,500,000,000",
            "Y",
            collaboration.institution.name,
            collaboration.institution.country.code,
            "",
        ]
    ]
    content = xlsx(LINE_HEADERS, rows)
    before = BudgetLine.objects.count()
    check = upload(staff, "budget_lines", "예산.xlsx", content, django_capture_on_commit_callbacks)
    assert check.status == ImportStatus.CHECKED and check.dry_run
    assert (check.created_count, check.error_count) == (4, 0)
    assert BudgetLine.objects.count() == before  # a check writes nothing
    page = staff.get(reverse("admin:imports_importjob_progress", args=[check.pk])).content.decode()
    assert 'id="import-preview"' in page and 'id="import-confirm"' in page

    runs_before = ShareRun.objects.filter(trigger=RunTrigger.IMPORT).count()
    done = confirm(staff, check, django_capture_on_commit_callbacks)
    assert done.status == ImportStatus.SUCCEEDED and done.confirms == check
    assert BudgetLine.objects.count() == before + 4
    line = BudgetLine.objects.get(collaboration=collaboration, fiscal_year=2031)
    assert line.amount_won == 2_500_000_000 and line.is_international
    # One KPI recompute for the file, not one per row.
    assert ShareRun.objects.filter(trigger=RunTrigger.IMPORT).count() == runs_before + 1
    # Every written row has its history entry, with who imported it.
    history = BudgetLine.history.filter(history_change_reason=f"Import #{done.pk}")
    assert history.count() == 4
    assert set(history.values_list("history_user", flat=True)) == {ministry_editor.pk}

    # A second click on Import leads to the same import, not a second one.
    assert confirm(staff, check, django_capture_on_commit_callbacks).pk == done.pk
    # The same file again adds nothing.
    again = upload(staff, "budget_lines", "예산.xlsx", content, django_capture_on_commit_callbacks)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)
    assert (
        'id="import-confirm"'
        not in staff.get(
            reverse("admin:imports_importjob_progress", args=[again.pk])
        ).content.decode()
    )


def test_changed_rows_are_updated_with_history(
    staff, fresh_project, django_capture_on_commit_callbacks
):
    rows = new_lines(fresh_project, 2)
    job = upload(
        staff,
        "budget_lines",
        "a.csv",
        csv_bytes(LINE_HEADERS[:5], rows),
        django_capture_on_commit_callbacks,
    )
    confirm(staff, job, django_capture_on_commit_callbacks)
    rows[0][3] = 7_000_000_000
    job = upload(
        staff,
        "budget_lines",
        "b.csv",
        csv_bytes(LINE_HEADERS[:5], rows),
        django_capture_on_commit_callbacks,
    )
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    done = confirm(staff, job, django_capture_on_commit_callbacks)
    line = BudgetLine.objects.get(project=fresh_project, fiscal_year=2031)
    assert line.amount_won == 7_000_000_000
    assert list(line.history.values_list("amount_won", flat=True)) == [7_000_000_000, 1_000_000_000]
    assert line.history.first().history_change_reason == f"Import #{done.pk}"


def test_korean_excel_csv_in_cp949_is_read(
    staff, fresh_project, django_capture_on_commit_callbacks
):
    content = csv_bytes(LINE_HEADERS[:5], new_lines(fresh_project, 2), encoding="cp949")
    job = upload(staff, "budget_lines", "cp949.csv", content, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.CHECKED and job.created_count == 2


# --- bad files: a clear error, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["RS-IMPORT-0001", 2031, "계획", "12억", "N"], "금액(원)", "is not a whole number of won"),
        (["RS-IMPORT-0001", 2031, "계획", -5, "N"], "금액(원)", "cannot be negative"),
        (["RS-IMPORT-0001", 2031, "계획", 1.5, "N"], "금액(원)", "no decimals"),
        (["RS-IMPORT-0001", 3031, "계획", 1, "N"], "회계연도", "between 1990 and 2100"),
        (["RS-IMPORT-0001", 2031, "예측", 1, "N"], "기준", "is not one of"),
        (["RS-NOWHERE", 2031, "계획", 1, "N"], "과제번호", "Unknown project"),
        (["RS-IMPORT-0001", 2031, "계획", 1, "maybe"], "국제협력", "is not Y or N"),
        (["RS-IMPORT-0001", 2031, "계획", 2**60, "N"], "금액(원)", "too large for an Excel number"),
        (["", 2031, "계획", 1, "N"], "과제번호", "required"),
        (
            ["RS-IMPORT-0001", 2036, "계획", 1, "N"],
            "회계연도",
            "outside the project's years (2031–2035)",
        ),
    ],
)
def test_one_bad_row_refuses_the_whole_file_naming_row_and_column(
    staff, fresh_project, django_capture_on_commit_callbacks, row, column, message
):
    rows = new_lines(fresh_project, 5) + [row]
    before = BudgetLine.objects.count()
    job = upload(
        staff,
        "budget_lines",
        "bad.xlsx",
        xlsx(LINE_HEADERS[:5], rows),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.REFUSED
    assert any(r == 7 and c == column and message in m for r, c, m in errors_of(job)), job.errors
    page = staff.get(reverse("admin:imports_importjob_progress", args=[job.pk])).content.decode()
    assert 'id="import-errors"' in page and 'id="import-confirm"' not in page
    # Confirming a refused check is refused too.
    staff.post(reverse("admin:imports_importjob_confirm", args=[job.pk]))
    assert BudgetLine.objects.count() == before


@pytest.mark.parametrize("blank_heading", [False, True], ids=["every column named", "a blank"])
def test_cells_past_the_header_refuse_their_row_and_a_blank_heading_is_skipped(
    fresh_project, blank_heading
):
    # A column without a heading (a note column) is read past; a cell beyond the last
    # heading is something the file meant that no column takes: its row is refused.
    headers = LINE_HEADERS[:5]
    rows = new_lines(fresh_project, 2)
    if blank_heading:
        headers = [*headers[:1], "", *headers[1:]]
        rows = [[row[0], "메모", *row[1:]] for row in rows]
    rows[1] = [*rows[1], "", "stray"]
    spec = tabular.spec_for("budget_lines")
    with translation.override("en"):
        plan = tabular.import_plan(spec=spec, content=csv_bytes(headers, rows), file_format="csv")
    assert plan.errors == [
        {
            "row": 3,
            "column": None,
            "message": "This row has more cells than the header has columns.",
        }
    ]
    # Each row's cells land in their own columns, whatever the blank column holds (the file
    # is refused all the same: the plan is shown, never written).
    assert [(values["fiscal_year"], values["amount_won"]) for _n, values in plan.create] == [
        (2031, 1_000_000_000),
        (2032, 1_000_000_001),
    ]


def test_duplicate_rows_are_named(staff, fresh_project, django_capture_on_commit_callbacks):
    rows = new_lines(fresh_project, 2) + [new_lines(fresh_project, 1)[0]]
    job = upload(
        staff,
        "budget_lines",
        "dup.csv",
        csv_bytes(LINE_HEADERS[:5], rows),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.REFUSED
    assert errors_of(job) == [
        (4, None, "Duplicate of row 2 (the same project, year, basis and partner).")
    ]


def test_a_line_for_a_partner_must_be_international(
    staff, fresh_project, django_capture_on_commit_callbacks
):
    collaboration = CollaborationFactory(project=fresh_project)
    row = [
        fresh_project.project_number,
        2031,
        "계획",
        1,
        "N",
        collaboration.institution.name,
        "US",
        "",
    ]
    job = upload(
        staff,
        "budget_lines",
        "p.csv",
        csv_bytes(LINE_HEADERS, [row]),
        django_capture_on_commit_callbacks,
    )
    assert (
        "국제협력" in [c for _r, c, _m in errors_of(job)]
    ) and job.status == ImportStatus.REFUSED


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["project", "year", "basis", "amount"], "Unknown column “year”"),
        (["과제번호", "회계연도", "기준"], "Required column “금액(원)” is missing."),
        (["과제번호", "회계연도", "기준", "금액(원)", "금액(원)"], "appears twice"),
    ],
)
def test_wrong_headers_refuse_the_file_and_list_the_expected_ones(
    staff, fresh_project, django_capture_on_commit_callbacks, headers, expected
):
    job = upload(
        staff,
        "budget_lines",
        "h.csv",
        csv_bytes(headers, [["x"] * len(headers)]),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.REFUSED
    messages = [m for _r, _c, m in errors_of(job)]
    assert any(expected in m for m in messages), messages
    assert any(m.startswith("Expected headers: 과제번호*") for m in messages)


def test_a_large_junk_file_is_refused_quickly_and_writes_nothing(
    staff, django_capture_on_commit_callbacks
):
    junk = os.urandom(3 * 2**20)
    before = BudgetLine.objects.count()
    job = upload(staff, "budget_lines", "junk.xlsx", junk, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.REFUSED
    assert "not an Excel (.xlsx) file" in job.errors[0]["message"]
    job = upload(staff, "budget_lines", "junk.csv", junk, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.REFUSED
    assert (
        "neither UTF-8 nor CP949" in job.errors[0]["message"]
        or "not a CSV" in job.errors[0]["message"]
    )
    assert BudgetLine.objects.count() == before


def test_a_csv_of_many_junk_rows_lists_the_first_thousand_errors(
    staff, django_capture_on_commit_callbacks
):
    rows = [["RS-NOWHERE", "x", "y", "z", "q"]] * 3000
    job = upload(
        staff,
        "budget_lines",
        "junk.csv",
        csv_bytes(LINE_HEADERS[:5], rows),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.REFUSED
    assert job.error_count == 3000 * 5 and len(job.errors) == 1000
    page = staff.get(reverse("admin:imports_importjob_progress", args=[job.pk])).content.decode()
    assert "The first 1000 of 15000 errors" in page


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("lines.txt", b"a,b", "neither an Excel (.xlsx) nor a CSV"),
        ("lines.csv", b"", "The submitted file is empty."),
    ],
)
def test_uploads_that_are_not_files_we_take_are_refused_on_the_form(staff, name, content, expected):
    response = staff.post(
        reverse("admin:imports_importjob_add"),
        {"kind": "budget_lines", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not ImportJob.objects.filter(file_name=name).exists()


def test_a_failure_while_writing_leaves_nothing_behind(
    staff, fresh_project, django_capture_on_commit_callbacks, monkeypatch
):
    check = upload(
        staff,
        "budget_lines",
        "a.csv",
        csv_bytes(LINE_HEADERS[:5], new_lines(fresh_project, 3)),
        django_capture_on_commit_callbacks,
    )
    before = (BudgetLine.objects.count(), BudgetLine.history.count())

    real_history_copy = writing.history_copy

    def explode(*args, **kwargs):
        real_history_copy(*args, **kwargs)
        raise RuntimeError("disk full")

    # The lines and their history are written, then the write fails: the transaction takes
    # both back.
    monkeypatch.setattr(writing, "history_copy", explode)
    job = confirm(staff, check, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED and "Nothing was written" in job.message
    assert (BudgetLine.objects.count(), BudgetLine.history.count()) == before


def test_rows_of_spaces_are_skipped_and_a_short_row_misses_its_last_cells(fresh_project):
    rows = new_lines(fresh_project, 3)
    content = csv_bytes(LINE_HEADERS[:5], [rows[0], ["  ", "\t", ""], rows[1][:3], rows[2]])
    spec = tabular.spec_for("budget_lines")
    with translation.override("en"):
        plan = tabular.import_plan(spec=spec, content=content, file_format="csv")
    # Row 3 (spaces only) is no row; row 4 stops after the basis: its amount is missing.
    assert plan.total == 3
    assert plan.errors == [{"row": 4, "column": "금액(원)", "message": "This column is required."}]
    assert [values["fiscal_year"] for _n, values in plan.create] == [2031, 2033]
