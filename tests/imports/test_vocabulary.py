"""One vocabulary for a choice, wherever staff meet it (the template's explanation sheet, the
admin, the importer's messages), and an upload recognised for what it holds."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from rdportfolio.core import tabular
from rdportfolio.imports.models import ImportJob
from technologies.models import ProjectStatus
from tests.imports.files import LINE_HEADERS, csv_bytes

pytestmark = pytest.mark.django_db

PROJECT_HEADERS = [
    "과제번호",
    "기술 코드",
    "국문 과제명",
    "주관기관",
    "시작 연도",
    "종료 연도",
    "상태",
]


def explanation(kind):
    sheet = load_workbook(io.BytesIO(tabular.template_file(tabular.spec_for(kind), "xlsx")))["설명"]
    return {row[0]: row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_the_template_lists_the_labels_the_admin_shows_and_the_importer_reads():
    listed = explanation("projects")["상태"].split(" / ")
    with translation.override("ko"):
        assert listed == [str(label) for _code, label in ProjectStatus.choices]
        for (code, _label), word in zip(ProjectStatus.choices, listed, strict=True):
            assert tabular.cells.Choice(ProjectStatus)(word) == code
    assert explanation("budget_lines")["기준"] == "계획 / 배정 / 집행"


def test_a_refused_choice_names_the_korean_labels_not_only_codes():
    with translation.override("ko"), pytest.raises(tabular.CellError) as refused:
        tabular.cells.Choice(ProjectStatus)("보류")
    message = str(refused.value)
    assert "“보류”" in message and "중지 (suspended)" in message


def post(client, kind, name, content):
    return client.post(
        reverse("admin:imports_importjob_add"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_a_file_is_recognised_from_its_headers(staff, django_capture_on_commit_callbacks):
    content = csv_bytes(
        PROJECT_HEADERS, [["RS-KIND-1", "LF-001", "과제", "(주)가람", 2026, 2028, ""]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(staff, "", "p.csv", content)
    assert response.status_code == 302
    assert ImportJob.objects.order_by("-pk").first().kind == "projects"
    lines = csv_bytes(LINE_HEADERS[:5], [["RS-KIND-1", 2026, "계획", 1, "N"]])
    with django_capture_on_commit_callbacks(execute=True):
        assert post(staff, "", "l.csv", lines).status_code == 302
    assert ImportJob.objects.order_by("-pk").first().kind == "budget_lines"


def test_a_file_uploaded_as_another_kind_is_named_for_what_it_is(staff):
    content = csv_bytes(
        PROJECT_HEADERS, [["RS-KIND-2", "LF-001", "과제", "(주)가람", 2026, 2028, ""]]
    )
    before = ImportJob.objects.count()
    response = post(staff, "technologies", "p.csv", content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The headers are those of Projects, not Technologies" in page
    assert ImportJob.objects.count() == before  # nothing stored, no dozen "unknown column" errors


def test_headers_of_no_template_are_refused_when_the_kind_is_left_to_them(staff):
    response = post(staff, "", "x.csv", csv_bytes(["이름", "값"], [["a", "1"]]))
    assert response.status_code == 200
    assert "The headers are not those of any template" in response.content.decode()
