"""Imports of technologies, projects and institutions; who may import; progress; a real worker."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import BudgetLine
from partners.models import Institution, IPAgreement
from rdportfolio.imports.models import ImportJob, ImportStatus
from rdportfolio.imports.services import import_job_create
from technologies.models import ProjectStatus, Technology, TechnologyStatusChange
from tests.factories import CollaborationFactory, ProjectFactory
from tests.imports.files import LINE_HEADERS, confirm, csv_bytes, errors_of, upload, xlsx

pytestmark = pytest.mark.django_db


# --- the other kinds ----------------------------------------------------------------------------


def test_technologies_import_with_their_first_status(staff, django_capture_on_commit_callbacks):
    headers = ["코드", "트랙", "분야", "국문명", "영문명", "상태", "목표 사업화 연도"]
    rows = [
        ["LF-901", "초격차", "반도체", "시험 기술", "Test technology", "선정", 2030],
        ["LF-902", "leapfrogging", "semiconductors", "시험 기술 2", "Test technology 2", "", ""],
    ]
    check = upload(
        staff, "technologies", "t.xlsx", xlsx(headers, rows), django_capture_on_commit_callbacks
    )
    assert check.status == ImportStatus.CHECKED, check.errors
    confirm(staff, check, django_capture_on_commit_callbacks)
    first = Technology.objects.get(code="LF-901")
    assert (first.status, first.field.code, first.target_commercialisation_year) == (
        "selected",
        "semiconductors",
        2030,
    )
    assert Technology.objects.get(code="LF-902").status == "candidate"
    assert TechnologyStatusChange.objects.filter(technology=first, status="selected").exists()
    bad = upload(
        staff,
        "technologies",
        "t.csv",
        csv_bytes(headers, [["LF-903", "초격차", "우주", "a", "b", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    assert errors_of(bad) == [(2, "분야", "Unknown field “우주”.")]


def test_projects_name_an_unknown_technology(staff, django_capture_on_commit_callbacks):
    headers = ["과제번호", "기술 코드", "국문 과제명", "주관기관", "시작 연도", "종료 연도"]
    rows = [["RS-IMPORT-0100", "XX-000", "과제", "(주)시험", 2025, 2024]]
    job = upload(
        staff, "projects", "p.csv", csv_bytes(headers, rows), django_capture_on_commit_callbacks
    )
    assert sorted(errors_of(job)) == [
        (2, "기술 코드", "Unknown technology “XX-000”."),
        (2, "종료 연도", "The end year is before the start year."),
    ]


def test_a_project_cannot_be_imported_into_progress_without_ip_rights(
    staff, django_capture_on_commit_callbacks
):
    project = ProjectFactory(project_number="RS-IMPORT-0200", status=ProjectStatus.PLANNED)
    collaboration = CollaborationFactory(project=project)
    headers = ["과제번호", "기술 코드", "국문 과제명", "주관기관", "시작 연도", "종료 연도", "상태"]
    row = [
        project.project_number,
        project.technology.code,
        project.title_ko,
        project.lead_organisation,
        2024,
        2028,
        "진행 중",
    ]
    job = upload(
        staff, "projects", "p.csv", csv_bytes(headers, [row]), django_capture_on_commit_callbacks
    )
    assert job.status == ImportStatus.REFUSED
    (error,) = job.errors
    assert error["row"] == 2 and collaboration.institution.name in error["message"]
    IPAgreement.objects.create(
        collaboration=collaboration,
        domestic_share_percent=60,
        foreign_share_percent=40,
        implementation_right="non_exclusive",
    )
    job = upload(
        staff, "projects", "p.csv", csv_bytes(headers, [row]), django_capture_on_commit_callbacks
    )
    assert job.status == ImportStatus.CHECKED and job.updated_count == 1


def test_institutions_by_name_and_country(staff, django_capture_on_commit_callbacks):
    headers = ["기관명", "국가", "유형", "웹사이트"]
    rows = [
        ["Institut Test", "FR", "연구기관", "www.test.fr"],
        ["Institut Test", "Germany", "대학", ""],
        ["Nowhere Lab", "Atlantis", "대학", ""],
    ]
    job = upload(
        staff, "institutions", "i.csv", csv_bytes(headers, rows), django_capture_on_commit_callbacks
    )
    assert errors_of(job) == [(4, "국가", "Unknown country “Atlantis”: use the ISO code, e.g. US.")]
    confirm_job = upload(
        staff,
        "institutions",
        "i.csv",
        csv_bytes(headers, rows[:2]),
        django_capture_on_commit_callbacks,
    )
    confirm(staff, confirm_job, django_capture_on_commit_callbacks)
    assert (
        Institution.objects.get(name="Institut Test", country="FR").website == "https://www.test.fr"
    )
    assert Institution.objects.get(name="Institut Test", country="DE").kind == "university"


# --- who may import ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "refusal"),
    [
        # Staff without the permission are refused; others are not admin users at all.
        ("evaluation_manager", 403),
        ("evaluator", 403),
        ("analyst", 302),
        ("cto_viewer", 302),
    ],
)
def test_only_editors_import(client, request, persona, refusal):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:imports_importjob_add"))
    assert response.status_code == refusal
    response = client.post(
        reverse("admin:imports_importjob_add"),
        {"kind": "budget_lines", "file": SimpleUploadedFile("a.csv", b"x")},
    )
    assert response.status_code == refusal
    if refusal == 302:
        assert response["Location"].startswith(reverse("admin:login"))
    assert not ImportJob.objects.exists()


def test_changelists_offer_import_and_templates_to_editors(staff):
    page = staff.get(reverse("admin:technologies_technology_changelist")).content.decode()
    assert reverse("admin:imports_importjob_add") + "?kind=technologies" in page
    assert reverse("admin:imports_importjob_template", args=["technologies", "xlsx"]) in page


# --- progress and the real worker ---------------------------------------------------------------


def test_the_progress_page_refreshes_until_the_job_is_done(staff, ministry_editor):
    job = ImportJob.objects.create(
        kind="budget_lines",
        file_name="big.xlsx",
        file_format="xlsx",
        content=b"x",
        requested_by=ministry_editor,
        status=ImportStatus.CHECKING,
        rows_total=100_000,
        rows_done=42_000,
    )
    page = staff.get(reverse("admin:imports_importjob_progress", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'value="42"' in page and "42,000 / 100,000" in page


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_file_and_reports_progress(real_worker, django_user_model):
    user = django_user_model.objects.create_user("t_import", password="a-long-test-password")
    # Years already begun: executed amounts for a year to come are refused.
    project = ProjectFactory(project_number="RS-WORKER-0001", start_year=2019, end_year=2026)
    rows = [
        [project.project_number, year, basis, 1_000 + year, "N"]
        for year in range(2019, 2027)
        for basis in ("계획", "집행")
    ]
    job = import_job_create(
        kind="budget_lines",
        file_name="w.csv",
        content=csv_bytes(LINE_HEADERS[:5], rows),
        requested_by=user,
        dry_run=False,
    )  # autocommit: the job is queued at once
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.5)
    assert job.status == ImportStatus.SUCCEEDED, job.message
    assert (job.rows_done, job.rows_total, job.created_count) == (16, 16, 16)
    assert BudgetLine.objects.filter(project=project).count() == 16
    assert BudgetLine.history.filter(history_change_reason=f"Import #{job.pk}").count() == 16
