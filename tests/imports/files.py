"""What the import tests share: spreadsheets built in memory, and the staff's clicks."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from rdportfolio.imports.models import ImportJob

LINE_HEADERS = [
    "과제번호",
    "회계연도",
    "기준",
    "금액(원)",
    "국제협력",
    "협력기관",
    "협력기관 국가",
    "협력 역할",
]


def xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, encoding="utf-8-sig") -> bytes:
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def new_lines(project, count=3, start_year=2031):
    return [
        [project.project_number, start_year + i, "계획", 1_000_000_000 + i, "N"]
        for i in range(count)
    ]


def upload(client, kind, name, content, captured):
    """What staff do: pick the file on the import page; the check runs (in-process here)."""
    with captured(execute=True):
        response = client.post(
            reverse("admin:imports_importjob_add"),
            {"kind": kind, "file": SimpleUploadedFile(name, content)},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.order_by("-pk").first()


def confirm(client, job, captured):
    with captured(execute=True):
        response = client.post(reverse("admin:imports_importjob_confirm", args=[job.pk]))
    assert response.status_code == 302
    return ImportJob.objects.order_by("-pk").first()


def errors_of(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]
