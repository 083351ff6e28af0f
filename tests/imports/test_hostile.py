"""Hostile files: every one refused within a second with its row and column, nothing written.

The cells and files a careless or malicious upload brings: exponents that would take
minutes to expand, Infinity, formulas, a cell of megabytes, a workbook that unzips to
hundreds of megabytes, more rows than allowed, data on the wrong sheet, no data at all.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from budgets.models import BudgetLine
from rdportfolio.imports.models import ImportJob, ImportStatus
from tests.factories import CollaborationFactory
from tests.imports.files import LINE_HEADERS, csv_bytes, errors_of, upload, xlsx

pytestmark = pytest.mark.django_db

HEADERS = LINE_HEADERS[:5]


def row(amount, year=2031):
    return ["RS-IMPORT-0001", year, "계획", amount, "N"]


def refused_quickly(staff, captured, name, content):
    before = (BudgetLine.objects.count(), BudgetLine.history.count())
    job = upload(staff, "budget_lines", name, content, captured)
    assert job.status == ImportStatus.REFUSED, (job.status, job.message)
    # The check's own time: the first request of a session also loads templates and catalogues.
    checked = (job.finished_at - job.started_at).total_seconds()
    assert checked < 1, f"a hostile file must be refused within a second, not {checked:.2f} s"
    assert (BudgetLine.objects.count(), BudgetLine.history.count()) == before
    return errors_of(job)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1e200000", "without an exponent"),
        ("1e1000000", "without an exponent"),  # 9 characters, minutes of CPU to expand
        ("Infinity", "is not a whole number of won"),
        ("-Infinity", "is not a whole number of won"),
        ("NaN", "is not a whole number of won"),
        ("9" * 40, "has too many digits"),
        ("1000000000000001", "more than 1,000조 원"),
        ("0x1F", "is not a whole number of won"),
        ("1_000", "is not a whole number of won"),
        ("12억", "is not a whole number of won"),
    ],
)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_hostile_numbers_are_refused_by_row_and_column(
    staff, fresh_project, django_capture_on_commit_callbacks, cell, message, file_format
):
    rows = [row(1), row(cell, 2032)]
    content = csv_bytes(HEADERS, rows) if file_format == "csv" else xlsx(HEADERS, rows)
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, f"n.{file_format}", content)
    assert [(r, c) for r, c, _m in errors] == [(3, "금액(원)")]
    assert message in errors[0][2]


def sheet_patched(content: bytes, replacements: dict[str, str]) -> bytes:
    """The workbook with its XML edited: what a hand-made or hostile file holds (openpyxl
    would not write an infinite number or a cell past Excel's 32,767 characters)."""
    source, patched = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith(".xml"):
                for old, new in replacements.items():
                    data = data.replace(old.encode(), new.encode())
            archive.writestr(item, data)
    return patched.getvalue()


def test_infinite_and_undefined_excel_numbers_are_refused(
    staff, fresh_project, django_capture_on_commit_callbacks
):
    # A crafted sheet: 1e309 reads as infinity; "nan" is no number Excel writes at all (the
    # reader takes it for the float NaN, refused in its row and column).
    content = sheet_patched(
        xlsx(HEADERS, [row(111_111), row(222_222, 2032)]), {"<v>111111</v>": "<v>1e309</v>"}
    )
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "inf.xlsx", content)
    assert errors == [(2, "금액(원)", "“inf” is not a number.")]
    content = sheet_patched(
        xlsx(HEADERS, [row(111_111), row(222_222, 2032)]), {"<v>222222</v>": "<v>nan</v>"}
    )
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "nan.xlsx", content)
    assert errors == [(3, "금액(원)", "“nan” is not a number.")]


def test_a_formula_is_refused_saying_so(staff, fresh_project, django_capture_on_commit_callbacks):
    content = xlsx(HEADERS, [row(1), row("=SUM(D2:D2)*2", 2032)])
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "f.xlsx", content)
    assert errors == [
        (
            3,
            "금액(원)",
            "This cell holds a formula (=SUM(D2:D2)*2): paste its value instead "
            "(Paste Special → Values).",
        )
    ]


def test_a_two_megabyte_cell_is_refused(staff, fresh_project, django_capture_on_commit_callbacks):
    huge = "가" * (2 * 2**20)
    errors = refused_quickly(
        staff, django_capture_on_commit_callbacks, "big.csv", csv_bytes(HEADERS, [row(huge)])
    )
    assert errors == [
        (2, None, "Row 2: a cell holds more than 32,767 characters, or a quote is not closed.")
    ]
    content = sheet_patched(xlsx(HEADERS, [row("HUGE")]), {">HUGE<": f">{huge[:40_000]}<"})
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "big.xlsx", content)
    assert errors == [
        (2, "금액(원)", "This cell holds 40,000 characters; a cell holds at most 32,767.")
    ]


def test_a_workbook_that_unzips_past_the_limit_is_refused_before_reading(
    staff, django_capture_on_commit_callbacks
):
    # A few kilobytes that unzip to 300 MB of sheet: the check never parses it.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (300 * 2**20))
    errors = refused_quickly(
        staff, django_capture_on_commit_callbacks, "bomb.xlsx", buffer.getvalue()
    )
    assert errors == [
        (
            None,
            None,
            "This Excel file unzips to 300 MB of sheets, more than 200 MB: save it as CSV, "
            "or split it.",
        )
    ]


@override_settings(RDP_IMPORT_MAX_ROWS=5, RDP_IMPORT_XLSX_MAX_ROWS=3)
@pytest.mark.parametrize(
    ("file_format", "message"),
    [
        ("csv", "The file has more than 5 rows; split it into smaller files."),
        (
            "xlsx",
            "The sheet “Sheet” reaches row 9, past the limit of 3 rows (empty rows count where "
            "the sheet keeps them: delete the rows below your table). Save it as CSV (up to 5 "
            "rows) or split it.",
        ),
    ],
)
def test_more_rows_than_allowed_are_refused(
    staff, fresh_project, django_capture_on_commit_callbacks, file_format, message
):
    rows = [row(i + 1, 2031) for i in range(8)]
    content = csv_bytes(HEADERS, rows) if file_format == "csv" else xlsx(HEADERS, rows)
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, f"r.{file_format}", content)
    assert errors == [(None, None, message)]


def test_a_file_of_headers_only_is_refused(staff, django_capture_on_commit_callbacks):
    errors = refused_quickly(
        staff, django_capture_on_commit_callbacks, "h.csv", csv_bytes(HEADERS, [])
    )
    assert errors == [(1, None, "The file has its header row but no rows of data.")]


def test_data_on_a_second_sheet_is_pointed_out(staff, django_capture_on_commit_callbacks):
    book = Workbook()
    book.active.title = "표지"
    book.active.append(["2031 예산 (부서 내부용)"])
    data = book.create_sheet("예산")
    data.append(HEADERS)
    data.append(row(1))
    buffer = io.BytesIO()
    book.save(buffer)
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "s.xlsx", buffer.getvalue())
    assert errors[-1] == (
        None,
        None,
        "Only the first sheet (“표지”) is read; this workbook also has: “예산”.",
    )


def test_a_wrong_partner_country_names_the_partners_there_are(
    staff, fresh_project, django_capture_on_commit_callbacks
):
    collaboration = CollaborationFactory(project=fresh_project)
    name = collaboration.institution.name
    content = csv_bytes(LINE_HEADERS[:7], [row(1)[:4] + ["Y", name, "DE"]])
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "c.csv", content)
    assert errors == [
        (2, "협력기관", f"“{name}” is a partner of project RS-IMPORT-0001 in US, not in DE.")
    ]
    content = csv_bytes(LINE_HEADERS[:7], [row(1)[:4] + ["Y", "Nowhere Lab", ""]])
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "c.csv", content)
    assert errors[0][2] == (
        "Project RS-IMPORT-0001 has no collaboration with “Nowhere Lab”; its partners are: "
        f"{name} (US)."
    )


@override_settings(RDP_UPLOAD_MAX_BYTES=4096)
def test_an_upload_over_the_limit_is_stopped_while_it_streams(staff):
    response = staff.post(
        reverse("admin:imports_importjob_add"),
        {"kind": "budget_lines", "file": SimpleUploadedFile("big.csv", b"x" * 10_000)},
    )
    assert response.status_code == 200
    assert "The file is larger than 0 MB: split it, or save it as CSV." in response.content.decode()
    assert not ImportJob.objects.exists()


@override_settings(RDP_IMPORT_TIME_LIMIT_SECONDS=0)
def test_a_check_past_its_time_limit_fails_saying_so(
    staff, fresh_project, django_capture_on_commit_callbacks
):
    rows = [[fresh_project.project_number, 2031, "계획", i + 1, "N"] for i in range(4500)]
    job = upload(
        staff,
        "budget_lines",
        "slow.csv",
        csv_bytes(HEADERS, rows),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.FAILED
    assert job.message == (
        "Checking took longer than 0 minutes and was stopped; nothing was written. "
        "Split the file into smaller ones."
    )


def one_row_workbook(sheet_xml_edits):
    """A workbook of a header and one row, its sheet's XML then edited as a hostile file's."""
    return sheet_patched(xlsx(HEADERS, [row(1)]), sheet_xml_edits)


@pytest.mark.parametrize(
    "edits",
    [
        {'<c r="E2"': '<c r="XFD2"'},  # one cell far to the right: calamine filled every column
        {'<dimension ref="A1:E2"': '<dimension ref="A1:XFD2"'},  # declared, not written
        {'<c r="E2"': '<c r="AAA2"'},  # column 703, just past ZZ
    ],
)
def test_a_cell_beyond_column_zz_is_refused_before_any_cell_is_loaded(
    staff, django_capture_on_commit_callbacks, monkeypatch, edits
):
    content = one_row_workbook(edits)
    assert len(content) < 10_000
    loaded = []
    monkeypatch.setattr("python_calamine.load_workbook", lambda *a, **k: loaded.append(1))
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "wide.xlsx", content)
    assert errors == [
        (
            None,
            None,
            "The sheet “Sheet” has a cell beyond column ZZ: an import reads at most 702 "
            "columns. Delete the cells far to the right, or copy the table to a new sheet.",
        )
    ]
    assert loaded == []


@pytest.mark.parametrize(
    "edits",
    [
        # One cell at Excel's last row: a few kilobytes that declared a million rows.
        {'<row r="2"': '<row r="1048576"', '<c r="A2"': '<c r="A1048576"'},
        {'<dimension ref="A1:E2"': '<dimension ref="A1:E1048576"'},
    ],
)
def test_a_sheet_reaching_past_the_row_limit_is_refused_before_any_cell_is_loaded(
    staff, django_capture_on_commit_callbacks, monkeypatch, edits
):
    monkeypatch.setattr("python_calamine.load_workbook", lambda *a, **k: 1 / 0)
    errors = refused_quickly(
        staff, django_capture_on_commit_callbacks, "tall.xlsx", one_row_workbook(edits)
    )
    assert errors == [
        (
            None,
            None,
            "The sheet “Sheet” reaches row 1,048,576, past the limit of 300,000 rows (empty "
            "rows count where the sheet keeps them: delete the rows below your table). Save it "
            "as CSV (up to 1,000,000 rows) or split it.",
        )
    ]


def test_a_million_empty_rows_are_counted_and_refused_at_once(
    staff, django_capture_on_commit_callbacks
):
    # Empty rows, numbered or not: each is a row element, and the reader would walk them all.
    empty = "".join("<row/>" for _ in range(1_000_000))
    content = one_row_workbook({"</sheetData>": f"{empty}</sheetData>"})
    errors = refused_quickly(staff, django_capture_on_commit_callbacks, "empty.xlsx", content)
    assert "reaches row 1,000,002, past the limit of 300,000 rows" in errors[0][2]


def test_the_upload_tells_a_workbook_from_its_sheets_text_alone(monkeypatch):
    """No web process loads a workbook: which sheets there are and which hold rows come from
    the sheets' text (the check, in a worker, loads the one it reads)."""
    from rdportfolio.core import tabular

    book = Workbook()
    book.active.title = "institutions"
    book.active.append(["기관명", "국가"])
    book.active.append(["ITRI", "TW"])
    book.create_sheet("collaborations").append(["과제번호"])
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr("python_calamine.load_workbook", lambda *a, **k: 1 / 0)
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: 1 / 0)
    assert tabular.is_workbook(buffer.getvalue())
    assert tabular.workbook_sheets(buffer.getvalue()) == [("institutions", "institutions")]


class _FillingDisk:
    """A real temporary file on a disk that fills after ``room`` bytes, as a full upload
    directory does (the kernel's ENOSPC)."""

    def __init__(self, room, **kwargs):
        import tempfile

        self._file, self._room = tempfile.NamedTemporaryFile(**kwargs), room  # noqa: SIM115
        self.name = self._file.name

    def write(self, data):
        import errno

        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_full_upload_directory_says_so_and_frees_its_partial_file(staff, tmp_path, monkeypatch):
    """A bare 500 before, and the partial file kept open in the web worker."""
    opened = []

    def temporary_file(**kwargs):
        opened.append(_FillingDisk(200_000, **{**kwargs, "dir": tmp_path}))
        return opened[-1]

    monkeypatch.setattr(
        "django.core.files.uploadedfile.tempfile.NamedTemporaryFile", temporary_file
    )
    response = staff.post(
        reverse("admin:imports_importjob_add"),
        {"kind": "budget_lines", "file": SimpleUploadedFile("big.csv", b"x" * 500_000)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The server has no room for this upload just now" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert len(opened) == 1 and opened[0].closed
    assert list(tmp_path.iterdir()) == []  # the partial file is gone, its space given back
