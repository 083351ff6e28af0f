"""Writing a checked plan in bulk (COPY on PostgreSQL): the rows, their defaults, their
history, and what comes after, as the slow per-object path wrote them."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook

from budgets.models import BudgetLine, ExchangeRate
from rdportfolio.core.models import MAX_WON
from rdportfolio.core.tabular import (
    cells,
    csv_bytes,
    import_plan,
    plan_write,
    rows_create,
    spec_for,
    writing,
)
from rdportfolio.core.tabular.reading import file_rows
from technologies.models import Technology, TechnologyStatusChange
from tests.factories import CollaborationFactory, FieldFactory, ProgramFactory, ProjectFactory
from tests.imports.files import LINE_HEADERS

pytestmark = pytest.mark.django_db


def lines_plan(rows):
    spec = spec_for("budget_lines")
    rows = [row + [""] * (7 - len(row)) for row in rows]
    plan = import_plan(spec=spec, content=csv_bytes(LINE_HEADERS[:7], rows), file_format="csv")
    assert not plan.errors, plan.errors
    return spec, plan


def partner_of(project) -> list[str]:
    """The partner columns of a line that pays for ``project``'s one collaboration."""
    institution = CollaborationFactory(project=project).institution
    return [institution.name, institution.country.code]


def test_new_rows_get_their_defaults_and_one_history_row_each(ministry_editor):
    this_year = timezone.localdate().year
    project = ProjectFactory(
        project_number="RS-WRITE-1", start_year=this_year, end_year=this_year + 4
    )
    spec, plan = lines_plan(
        [
            ["RS-WRITE-1", this_year + 1, "계획", 5_000_000_000, "Y", *partner_of(project)],
            ["RS-WRITE-1", this_year, "집행", 7, "N"],
        ]
    )
    started = timezone.now()
    plan_write(spec=spec, plan=plan, user=ministry_editor, reason="Import #77")
    lines = list(BudgetLine.objects.filter(project=project).order_by("fiscal_year"))
    assert [(x.fiscal_year, x.basis, x.amount_won, x.is_international) for x in lines] == [
        (this_year, "executed", 7, False),
        (this_year + 1, "planned", 5_000_000_000, True),
    ]
    for line in lines:
        assert line.source == "Import #77" and not line.is_synthetic
        assert started <= line.created_at <= line.updated_at <= timezone.now()
        history = list(line.history.all())
        assert [(h.history_type, h.history_user_id, h.history_change_reason) for h in history] == [
            ("+", ministry_editor.pk, "Import #77")
        ]
        assert history[0].amount_won == line.amount_won
    # The ids came from the table's own sequence: the next line made by the ORM does not collide.
    added = BudgetLine.objects.create(
        project=project, fiscal_year=this_year + 2, basis="planned", amount_won=1
    )
    assert added.pk > max(line.pk for line in lines)


def test_history_outlives_the_user_and_the_project_it_names(django_user_model):
    """The bulk-written histories keep the user and the project without database
    constraints (bulk_history): deleting either still leaves each history row, its user
    set to none by Django, its project id kept as it was."""
    editor = django_user_model.objects.create_user("leaving_editor")
    project = ProjectFactory(project_number="RS-WRITE-GONE", start_year=2031, end_year=2035)
    spec, plan = lines_plan([["RS-WRITE-GONE", 2031, "계획", 100, "N"]])
    plan_write(spec=spec, plan=plan, user=editor, reason="Import #5")
    line = BudgetLine.objects.get(project=project)
    history = BudgetLine.history.filter(id=line.pk)
    assert list(history.values_list("history_user_id", "project_id")) == [(editor.pk, project.pk)]
    editor.delete()
    assert list(history.values_list("history_user_id", "project_id")) == [(None, project.pk)]
    project_id = project.pk
    line.delete()  # a project's lines protect it: they go first
    project.delete()
    assert list(history.order_by("history_id").values_list("history_type", "project_id")) == [
        ("+", project_id),
        ("-", project_id),
    ]


def test_changed_rows_are_updated_in_place_with_their_new_values_in_history(ministry_editor):
    project = ProjectFactory(project_number="RS-WRITE-2", start_year=2031, end_year=2035)
    partner = partner_of(project)
    rows = [
        ["RS-WRITE-2", 2031, "계획", 100, "N"],
        ["RS-WRITE-2", 2032, "계획", 200, "Y", *partner],
    ]
    spec, plan = lines_plan(rows)
    plan_write(spec=spec, plan=plan, user=ministry_editor, reason="first")
    before = {line.fiscal_year: line for line in BudgetLine.objects.filter(project=project)}
    rows[1][3] = 250
    spec, plan = lines_plan(rows)
    assert (len(plan.create), len(plan.update), plan.unchanged) == (0, 1, 1)
    plan_write(spec=spec, plan=plan, user=None, reason="second")
    after = {line.fiscal_year: line for line in BudgetLine.objects.filter(project=project)}
    assert (after[2032].amount_won, after[2032].is_international) == (250, True)
    assert after[2032].pk == before[2032].pk
    assert after[2032].updated_at > before[2032].updated_at
    assert after[2031].updated_at == before[2031].updated_at  # the unchanged row is left alone
    assert [
        (h.history_type, h.amount_won, h.is_international, h.history_change_reason)
        for h in after[2032].history.all()
    ] == [("~", 250, True, "second"), ("+", 200, True, "first")]


def test_technologies_written_in_bulk_record_their_status_history(ministry_editor):
    ProgramFactory()
    FieldFactory(code="semis", name_ko="반도체 소재", name_en="Semiconductor materials")
    spec = spec_for("technologies")
    header = ["코드", "트랙", "분야", "국문명", "영문명", "상태"]

    def write(status, reason):
        content = csv_bytes(header, [["LF-901", "초격차", "semis", "기술", "Tech", status]])
        plan = import_plan(spec=spec, content=content, file_format="csv")
        assert not plan.errors, plan.errors
        plan_write(spec=spec, plan=plan, user=ministry_editor, reason=reason)

    write("후보", "one")
    write("후보", "two")  # nothing changes: no status change either
    write("선정", "three")
    technology = Technology.objects.get(code="LF-901")
    assert technology.status == "selected"
    assert list(
        TechnologyStatusChange.objects.filter(technology=technology)
        .order_by("pk")
        .values_list("status", "note")
    ) == [("candidate", "one"), ("selected", "three")]


def test_rows_go_in_by_a_binary_copy_and_read_back_exactly(on_postgresql, monkeypatch):
    project = ProjectFactory(project_number="RS-BINARY", start_year=2031, end_year=2100)
    partner = CollaborationFactory(project=project, start_year=2031, end_year=2100)
    chosen = spy_on_binary_types(monkeypatch)
    now = timezone.now()
    ids = rows_create(
        BudgetLine,
        [
            {"project_id": project.pk, "fiscal_year": 2100, "basis": "planned",
             "amount_won": MAX_WON, "is_international": True, "collaboration_id": partner.pk},
            {"project_id": project.pk, "fiscal_year": 2031, "basis": "executed",
             "amount_won": 0, "is_international": False, "collaboration_id": None},
        ],
        now=now,
        reason="Import #5 “따옴표”\t탭",
    )  # fmt: skip
    assert chosen == ["binary"]
    assert list(
        BudgetLine.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "fiscal_year", "basis", "amount_won", "is_international", "collaboration_id",
            "source", "is_synthetic", "created_at",
        )
    ) == [
        (2100, "planned", MAX_WON, True, partner.pk, "Import #5 “따옴표”\t탭", False, now),
        (2031, "executed", 0, False, None, "Import #5 “따옴표”\t탭", False, now),
    ]  # fmt: skip


def test_a_column_with_no_binary_form_goes_in_as_text(on_postgresql, monkeypatch):
    chosen = spy_on_binary_types(monkeypatch)
    rows_create(
        ExchangeRate, [{"fiscal_year": 2099, "krw_per_usd": Decimal("1350.25")}], now=timezone.now()
    )
    assert chosen == ["text"]
    assert ExchangeRate.objects.get(fiscal_year=2099).krw_per_usd == Decimal("1350.25")


@pytest.mark.parametrize(
    ("first_row", "expected"),
    [
        ([1, 2031, "planned", True], [20, 21, 1043, 16]),
        ([1, 2031, "planned", None], [20, 21, 1043, 16]),  # a NULL fits any column
        ([1, "2031", "planned", True], None),  # text for a smallint: psycopg would refuse it
        ([1, True, "planned", True], None),  # a bool is an int to Python, not to PostgreSQL
        ([1, 2031, 7, True], None),
    ],
)
def test_binary_only_when_each_value_is_its_columns_type(on_postgresql, first_row, expected):
    columns = ["id", "fiscal_year", "basis", "is_international"]
    with connection.cursor() as cursor:
        assert writing._binary_types(cursor, "budgets_budgetline", columns, first_row) == expected


def spy_on_binary_types(monkeypatch) -> list[str]:
    chosen = []
    real = writing._binary_types

    def spy(*args):
        types = real(*args)
        chosen.append("binary" if types else "text")
        return types

    monkeypatch.setattr(writing, "_binary_types", spy)
    return chosen


def xlsx_with_blank_rows_above() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"] = "head"
    sheet["A5"], sheet["B5"], sheet["C5"] = 2031, "text", True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_fast_excel_reader_numbers_rows_as_excel_does():
    rows = list(file_rows(xlsx_with_blank_rows_above(), "xlsx"))
    assert [number for number, _values in rows] == [3, 5]
    assert rows[1][1][:3] == [2031.0, "text", True]
    assert cells.year(rows[1][1][0]) == 2031


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("계획", "planned"), ("Planned", "planned"), ("planned", "planned"), (" 집행 ", "executed")],
)
def test_a_choice_reads_its_code_or_a_label_in_either_language(cell, expected):
    from budgets.models import Basis

    assert cells.Choice(Basis)(cell) == expected


def test_a_refused_choice_lists_the_labels_a_person_writes(settings):
    from django.utils import translation

    from technologies.models import ProjectStatus

    with translation.override("ko"), pytest.raises(cells.CellError) as refused:
        cells.Choice(ProjectStatus)("중단됨")
    message = str(refused.value)
    assert "계획 (planned)" in message and "진행 중 (in_progress)" in message
