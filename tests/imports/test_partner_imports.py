"""An international project loaded from files (issue 30): its collaborations, their IP
agreements, then its budget lines naming the partners; Korean errors per row and column."""

import io

import pytest
from django.urls import reverse

from budgets.models import BudgetLine
from partners.models import Collaboration, Institution, IPAgreement
from rdportfolio.imports.models import ImportStatus
from technologies.models import Project, Technology
from tests.factories import InstitutionFactory, ProjectFactory
from tests.imports.files import LINE_HEADERS, confirm, errors_of, upload, xlsx

pytestmark = pytest.mark.django_db

COLLABORATION_HEADERS = [
    "과제번호",
    "협력기관",
    "협력기관 국가",
    "협력 역할",
    "시작 연도",
    "종료 연도",
]
IP_HEADERS = [
    "과제번호",
    "협력기관",
    "협력기관 국가",
    "국내 지분(%)",
    "해외 지분(%)",
    "국내 실시권",
]


def test_a_project_its_partners_agreements_and_lines_load_from_files(
    staff, django_capture_on_commit_callbacks
):
    captured = django_capture_on_commit_callbacks
    project = ProjectFactory(project_number="RS-2025-77000001", start_year=2025, end_year=2029)
    mit = InstitutionFactory(name="Import Institute of Technology", country="US")
    itri = InstitutionFactory(name="Import Research Institute", country="TW")
    number = project.project_number
    collaborations = upload(
        staff,
        "collaborations",
        "c.xlsx",
        xlsx(
            COLLABORATION_HEADERS,
            [
                [number, mit.name, "US", "lead_partner", 2025, 2029],
                [number, itri.name, "TW", "co_researcher", 2026, 2028],
            ],
        ),
        captured,
    )
    assert collaborations.status == ImportStatus.CHECKED, collaborations.errors
    confirm(staff, collaborations, captured)
    assert Collaboration.objects.filter(project=project).count() == 2
    agreements = upload(
        staff,
        "ip_agreements",
        "ip.xlsx",
        xlsx(
            IP_HEADERS,
            [
                [number, mit.name, "US", 60, 40, "exclusive"],
                [number, itri.name, "TW", 70, 30, "비독점"],
            ],
        ),
        captured,
    )
    assert agreements.status == ImportStatus.CHECKED, agreements.errors
    confirm(staff, agreements, captured)
    assert IPAgreement.objects.filter(collaboration__project=project).count() == 2
    lines = upload(
        staff,
        "budget_lines",
        "lines.xlsx",
        xlsx(
            LINE_HEADERS,
            [
                [number, 2026, "계획", 3_000_000_000, "Y", mit.name, "US", "lead_partner"],
                [number, 2026, "계획", 1_000_000_000, "Y", itri.name, "TW", "co_researcher"],
                [number, 2026, "계획", 5_000_000_000, "N", "", "", ""],
            ],
        ),
        captured,
    )
    assert lines.status == ImportStatus.CHECKED, lines.errors
    confirm(staff, lines, captured)
    saved = BudgetLine.objects.filter(project=project, fiscal_year=2026)
    assert {(line.amount_won, line.is_international) for line in saved} == {
        (3_000_000_000, True),
        (1_000_000_000, True),
        (5_000_000_000, False),
    }
    assert {line.collaboration.institution.country for line in saved if line.collaboration} == {
        "US",
        "TW",
    }


def test_bad_partner_rows_are_named_and_nothing_is_written(
    staff, django_capture_on_commit_callbacks
):
    project = ProjectFactory(project_number="RS-2025-77000002", start_year=2025, end_year=2029)
    known = InstitutionFactory(name="Known Institute", country="DE")
    number = project.project_number
    job = upload(
        staff,
        "collaborations",
        "c.xlsx",
        xlsx(
            COLLABORATION_HEADERS,
            [
                [number, known.name, "DE", "lead_partner", 2025, 2029],  # fine on its own
                [number, "한국 연구원", "KR", "lead_partner", 2025, 2029],
                [number, "Nowhere Institute", "FR", "lead_partner", 2025, 2029],
                ["RS-0000-00000000", known.name, "DE", "lead_partner", 2025, 2029],
                [number, known.name, "JP", "lead_partner", 2025, 2029],
            ],
        ),
        django_capture_on_commit_callbacks,
    )
    errors = errors_of(job)
    assert job.status == ImportStatus.REFUSED
    by_row = {row: (column, message) for row, column, message in errors}
    assert by_row[3][0] == "협력기관 국가" and "foreign partner" in by_row[3][1]
    assert by_row[4][0] == "협력기관" and "Nowhere Institute" in by_row[4][1]
    assert by_row[5][0] == "과제번호"
    assert by_row[6][0] == "협력기관" and "DE" in by_row[6][1]  # recorded in Germany, not Japan
    assert 2 not in by_row
    assert not Collaboration.objects.filter(project=project).exists()


def test_a_line_marked_international_without_a_partner_is_refused(
    staff, django_capture_on_commit_callbacks
):
    project = ProjectFactory(project_number="RS-2025-77000003", start_year=2025, end_year=2029)
    job = upload(
        staff,
        "budget_lines",
        "lines.xlsx",
        xlsx(LINE_HEADERS, [[project.project_number, 2026, "계획", 10**9, "Y", "", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.REFUSED
    ((row, column, message),) = errors_of(job)
    assert row == 2 and column == "국제협력" and "foreign partner" in message
    assert not BudgetLine.objects.filter(project=project).exists()


# --- One workbook: the project, its partners, their agreements and its lines ----------------


def workbook(sheets: dict[str, tuple[list, list]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, (headers, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


PROJECT_HEADERS = ["과제번호", "기술 코드", "국문 과제명", "주관기관", "시작 연도", "종료 연도"]


def international_project(number, *, won=2_000_000_000, partner_country="US"):
    technology = Technology.objects.get(code="LF-001")
    # Sheets in any order, named by kind or label: the import writes them in the kinds' order.
    return workbook(
        {
            "budget_lines": (
                LINE_HEADERS,
                [
                    [
                        number,
                        2026,
                        "계획",
                        won,
                        "Y",
                        "Workbook Institute",
                        partner_country,
                        "lead_partner",
                    ]
                ],
            ),
            "국제협력 참여": (
                COLLABORATION_HEADERS,
                [[number, "Workbook Institute", "US", "lead_partner", 2026, 2028]],
            ),
            "ip_agreements": (
                IP_HEADERS,
                [[number, "Workbook Institute", "US", 60, 40, "exclusive"]],
            ),
            "institutions": (
                ["기관명", "국가", "유형"],
                [["Workbook Institute", "US", "university"]],
            ),
            "projects": (
                PROJECT_HEADERS,
                [[number, technology.code, "워크북 과제", "(주)워크북", 2026, 2028]],
            ),
        }
    )


def test_an_international_project_loads_from_one_workbook(
    staff, django_capture_on_commit_callbacks
):
    captured = django_capture_on_commit_callbacks
    number = "RS-2026-77000010"
    check = upload(staff, "", "project.xlsx", international_project(number), captured)
    assert check.kind == "workbook"
    assert check.status == ImportStatus.CHECKED, check.errors
    assert check.created_count == 5
    # The check wrote nothing, though each sheet was checked against the ones before it.
    assert not Project.objects.filter(project_number=number).exists()
    assert not Institution.objects.filter(name="Workbook Institute").exists()
    page = staff.get(reverse("admin:imports_importjob_progress", args=[check.pk])).content.decode()
    assert "Sheet “budget_lines”" in page and "Workbook Institute" in page
    done = confirm(staff, check, captured)
    assert done.status == ImportStatus.SUCCEEDED, (done.errors, done.message)
    line = BudgetLine.objects.get(project__project_number=number)
    assert line.is_international and line.collaboration.institution.country == "US"
    assert line.collaboration.ip_agreement.grants_domestic_implementation


def test_an_error_on_a_later_sheet_writes_nothing_and_names_the_sheet(
    staff, django_capture_on_commit_callbacks
):
    number = "RS-2026-77000011"
    content = international_project(number, partner_country="KR")
    check = upload(staff, "", "project.xlsx", content, django_capture_on_commit_callbacks)
    assert check.status == ImportStatus.REFUSED
    errors = errors_of(check)
    assert errors and all(
        row == 2 and column.startswith("budget_lines › ") for row, column, _m in errors
    )
    assert not Project.objects.filter(project_number=number).exists()


def test_a_workbook_changed_since_its_check_is_refused(staff, django_capture_on_commit_callbacks):
    captured = django_capture_on_commit_callbacks
    number = "RS-2026-77000012"
    check = upload(staff, "", "project.xlsx", international_project(number), captured)
    assert check.status == ImportStatus.CHECKED, check.errors
    # A second writer adds the institution between the check and the import.
    InstitutionFactory(name="Workbook Institute", country="US")
    done = confirm(staff, check, captured)
    assert done.status == ImportStatus.REFUSED and "Changed since the check" in done.message
    assert not Project.objects.filter(project_number=number).exists()


def test_a_sheet_named_after_nothing_is_refused_by_name(staff, django_capture_on_commit_callbacks):
    content = workbook(
        {
            "collaborations": (COLLABORATION_HEADERS, []),
            "budget_lines": (LINE_HEADERS, []),
            "메모": (["note"], [["hello"]]),
        }
    )
    job = upload(staff, "workbook", "w.xlsx", content, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.REFUSED
    assert "“메모”" in job.errors[0]["message"]


def test_the_workbook_template_has_a_sheet_for_each_kind(staff):
    from openpyxl import load_workbook

    response = staff.get(reverse("admin:imports_importjob_template", args=["workbook", "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "projects",
        "institutions",
        "collaborations",
        "ip_agreements",
        "budget_lines",
    ]
    assert [c.value for c in book["collaborations"][1]][:3] == [
        "과제번호",
        "협력기관",
        "협력기관 국가",
    ]
