"""A database from before evaluations, the KPI, import jobs and scenarios had apps of their own
migrates forward with every row, every history row, its permissions and its admin log intact."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from budgets.kpi.models import PartnerRollup, ShareRun, ShareSnapshot
from partners.models import Collaboration
from rdportfolio.imports.models import ImportJob
from technologies.evaluations.models import EvaluationAssignment, EvaluationRound
from tests.factories import ProjectFactory, TechnologyFactory

# Every app of ours as it was before the moves (e287c03), and the apps that did not exist yet.
BEFORE_THE_MOVES = [
    ("programs", "0002_history"),
    ("technologies", "0004_evaluations"),
    ("partners", "0002_history"),
    ("budgets", "0008_roles_evaluations_imports"),
    ("evaluations", None),
    ("kpi", None),
    ("scenarios", None),
    ("imports", None),
]
MOVED = {
    "technologies": ["evaluationround", "evaluationlayer", "evaluationassignment"],
    "budgets": ["sharerun", "sharesnapshot", "importjob"],
}


@pytest.fixture
def emptied(transactional_db):
    """An empty database, its roles kept (flush sends post_migrate: roles_sync refills them).
    An earlier layout cannot hold today's rows (a status longer than its column then), so the
    migrations run back over none, whichever tests ran before on this worker."""
    call_command("flush", interactive=False, verbosity=0)


def migrate(targets):
    """Migrate to ``targets``; return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ours = {app for app, _name in targets}
    nodes = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in ours]
    nodes += [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(nodes).apps


def old_rows(apps, reviewer_id, technology_id):
    """What a database of the earlier layout held, written through its own models."""
    old = {
        label: apps.get_model(*label.split("."))
        for label in (
            "technologies.EvaluationRound",
            "technologies.EvaluationLayer",
            "technologies.EvaluationAssignment",
            "technologies.HistoricalEvaluationRound",
            "technologies.Technology",
            "budgets.ShareRun",
            "budgets.ShareSnapshot",
            "budgets.ImportJob",
            "contenttypes.ContentType",
            "admin.LogEntry",
        )
    }
    now = timezone.now()
    round_ = old["technologies.EvaluationRound"].objects.create(
        name_ko="이전 차수", fiscal_year=2025
    )
    old["technologies.HistoricalEvaluationRound"].objects.create(
        id=round_.pk,
        name_ko=round_.name_ko,
        name_en="",
        fiscal_year=2025,
        description="",
        created_at=now,
        updated_at=now,
        history_date=now,
        history_type="+",
    )
    layer = old["technologies.EvaluationLayer"].objects.create(
        round=round_, order=1, kind="screening"
    )
    assignment = old["technologies.EvaluationAssignment"].objects.create(
        layer=layer,
        technology=old["technologies.Technology"].objects.get(pk=technology_id),
        reviewer_id=reviewer_id,
        pseudonym="A",
    )
    run = old["budgets.ShareRun"].objects.create(trigger="command", status="succeeded")
    old["budgets.ShareSnapshot"].objects.create(
        run=run,
        fiscal_year=2025,
        basis="planned",
        dimension="overall",
        key="",
        international_won=1,
        status="no_target",
    )
    job = old["budgets.ImportJob"].objects.create(
        kind="budget_lines",
        file_name="old.csv",
        file_format="csv",
        content=b"x",
        requested_by_id=reviewer_id,
    )
    round_type = old["contenttypes.ContentType"].objects.get(
        app_label="technologies", model="evaluationround"
    )
    old["admin.LogEntry"].objects.create(
        user_id=reviewer_id,
        content_type=round_type,
        object_id=str(round_.pk),
        object_repr="이전 차수",
        action_flag=1,
        action_time=now,
    )
    return round_.pk, assignment.pk, run.pk, job.pk


def table_counts():
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            if table == "django_migrations":
                continue  # the one table that gains rows: the migrations applied
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - our own table names
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_an_earlier_database_migrates_forward_with_every_row(emptied, evaluation_manager):
    technology = TechnologyFactory(code="GC-OLD")
    apps = migrate(BEFORE_THE_MOVES)
    round_id, assignment_id, run_id, job_id = old_rows(apps, evaluation_manager.pk, technology.pk)
    counts = table_counts()

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    after = table_counts()
    # Every table, not one row more or less; tables added since start empty, but for the
    # rollups kpi 0006 and 0007 fill for the latest successful run (pages read them before
    # the next recompute): one run's, the partners counted from the collaborations.
    filled = {"kpi_partnerrollup", "kpi_fieldrollup"}
    assert {table: n for table, n in after.items() if table in counts} == counts
    assert {table: n for table, n in after.items() if table not in set(counts) | filled} == {
        table: 0 for table in set(after) - set(counts) - filled
    }
    assert len(set(PartnerRollup.objects.values_list("run", flat=True))) <= 1
    assert PartnerRollup.objects.count() == (
        Collaboration.objects.values("project__technology", "institution__country")
        .distinct()
        .count()
    )
    round_ = EvaluationRound.objects.get(pk=round_id)
    assert round_.name_ko == "이전 차수" and round_.history.count() == 1
    assert EvaluationAssignment.objects.get(pk=assignment_id).reviewer == evaluation_manager
    assert ShareRun.objects.get(pk=run_id).snapshots.count() == 1
    assert ShareSnapshot.objects.filter(run_id=run_id).exists()
    with translation.override("en"):
        assert ImportJob.objects.get(pk=job_id).get_kind_display() == "Budget lines"
    # Content types changed app: permissions, groups and log entries followed them.
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    for app_label, models in MOVED.items():
        assert not ContentType.objects.filter(app_label=app_label, model__in=models).exists()
    entry = LogEntry.objects.get(object_repr="이전 차수")
    assert entry.get_edited_object() == round_
    evaluation_manager.refresh_from_db()
    assert evaluation_manager.has_perm("evaluations.see_reviewers")


BEFORE_THE_RULE = [
    ("partners", "0005_lighter_institution_history"),
    ("budgets", "0013_budget_line_project_id_index"),
]


@pytest.mark.django_db(transaction=True)
def test_free_flag_lines_become_domestic_with_a_report_and_korean_partners_stop_it(emptied, capsys):
    from budgets.models import BudgetLine

    project = ProjectFactory(start_year=2024, end_year=2028)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_RULE)
    old = executor.loader.project_state(BEFORE_THE_RULE).apps
    OldLine = old.get_model("budgets", "BudgetLine")
    OldInstitution = old.get_model("partners", "Institution")
    free = OldLine.objects.create(
        project_id=project.pk,
        fiscal_year=2025,
        basis="planned",
        amount_won=6_000_000_000,
        is_international=True,
    )
    korean = OldInstitution.objects.create(name="한국 연구소", country="KR", kind="university")

    # A Korean "foreign partner": the migration stops and names it, changing nothing.
    with pytest.raises(RuntimeError, match="한국 연구소"):
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    assert OldLine.objects.get(pk=free.pk).is_international

    korean.delete()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    line = BudgetLine.objects.get(pk=free.pk)
    assert line.is_international is False
    assert "foreign partner" in line.history.latest().history_change_reason
    printed = capsys.readouterr().out
    assert "1 budget lines were international without a foreign partner" in printed
    assert "2025: 1 line(s), 6,000,000,000 won" in printed


BEFORE_SCENARIOS_MOVED = [("kpi", "0010_scenario_results_leased"), ("scenarios", None)]


@pytest.mark.django_db(transaction=True)
def test_scenarios_leave_the_kpi_app_with_their_rows_history_and_permissions(
    emptied, ministry_editor
):
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from budgets.scenarios.models import Scenario, ScenarioResult

    apps = migrate(BEFORE_SCENARIOS_MOVED)
    old = {name: apps.get_model("kpi", name) for name in ("Scenario", "HistoricalScenario")}
    scenario = old["Scenario"].objects.create(name="이전 시나리오")
    old["HistoricalScenario"].objects.create(
        id=scenario.pk,
        name=scenario.name,
        description="",
        status="draft",
        revision=1,
        created_at=scenario.created_at,
        updated_at=scenario.updated_at,
        history_date=timezone.now(),
        history_type="+",
    )
    apps.get_model("kpi", "Adjustment").objects.create(
        scenario=scenario, position=1, kind="add", from_year=2026, to_year=2027, amount_won=5
    )
    result = apps.get_model("kpi", "ScenarioResult").objects.create(
        scenario=scenario, scenario_revision=1, status="succeeded"
    )
    scenario_type = apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="kpi", model="scenario"
    )
    apps.get_model("admin", "LogEntry").objects.create(
        user_id=ministry_editor.pk,
        content_type_id=scenario_type.pk,
        object_id=str(scenario.pk),
        object_repr="이전 시나리오",
        action_flag=1,
        action_time=timezone.now(),
    )
    counts = table_counts()

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert {table: n for table, n in table_counts().items() if table in counts} == counts
    moved = Scenario.objects.get(pk=scenario.pk)
    assert moved.name == "이전 시나리오" and moved.history.count() == 1
    assert [a.amount_won for a in moved.adjustments.all()] == [5]
    assert ScenarioResult.objects.get(pk=result.pk).scenario == moved
    assert not ContentType.objects.filter(app_label="kpi", model__contains="scenario").exists()
    assert ContentType.objects.get(pk=scenario_type.pk).app_label == "scenarios"
    assert LogEntry.objects.get(object_repr="이전 시나리오").get_edited_object() == moved
    ministry_editor = type(ministry_editor).objects.get(pk=ministry_editor.pk)
    assert ministry_editor.has_perm("scenarios.change_scenario")
    assert not ministry_editor.has_perm("scenarios.change_scenarioresult")
