"""An international project loaded from files (issue 30): its collaborations, their IP
agreements, then its budget lines naming the partners; Korean errors per row and column."""

import pytest

from budgets.models import BudgetLine
from partners.models import Collaboration, IPAgreement
from rdportfolio.imports.models import ImportStatus
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
