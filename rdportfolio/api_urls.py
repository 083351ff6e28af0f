"""/api/v1/: one router for every app's viewsets, the KPI, the schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from budgets.api import (
    BudgetLineViewSet,
    CollaborationTargetViewSet,
    ExchangeRateViewSet,
    MinistryBudgetViewSet,
)
from budgets.closings_api import YearClosingViewSet
from budgets.kpi.api import ShareRunViewSet, ShareView
from budgets.kpi.reconciliation_api import ReconciliationView
from budgets.scenarios.api import ScenarioViewSet
from budgets.scenarios.results_api import ScenarioResultsView
from budgets.scenarios.solve_api import SolveView
from partners.api import (
    CollaborationViewSet,
    CooperationCenterViewSet,
    InstitutionViewSet,
    IPAgreementViewSet,
    ResearcherDispatchViewSet,
)
from programs.api import ProgramViewSet, ProgramYearPlanViewSet, PublishedFigureViewSet
from technologies.api import FieldViewSet, ProjectViewSet, TechnologyViewSet

from .core.api_docs import SchemaView
from .views import HealthView

router = DefaultRouter()
router.register("programs", ProgramViewSet)
router.register("program-year-plans", ProgramYearPlanViewSet)
router.register("published-figures", PublishedFigureViewSet)
router.register("fields", FieldViewSet)
router.register("technologies", TechnologyViewSet)
router.register("projects", ProjectViewSet)
router.register("institutions", InstitutionViewSet)
router.register("cooperation-centers", CooperationCenterViewSet)
router.register("collaborations", CollaborationViewSet)
router.register("dispatches", ResearcherDispatchViewSet)
router.register("ip-agreements", IPAgreementViewSet)
router.register("budget-lines", BudgetLineViewSet)
router.register("ministry-budgets", MinistryBudgetViewSet)
router.register("exchange-rates", ExchangeRateViewSet)
router.register("targets", CollaborationTargetViewSet)
router.register("year-closings", YearClosingViewSet)
router.register("share-runs", ShareRunViewSet, basename="sharerun")
router.register("scenarios", ScenarioViewSet)

app_name = "api"
urlpatterns = [
    path("share/", ShareView.as_view(), name="share"),
    path("reconciliation/", ReconciliationView.as_view(), name="reconciliation"),
    path("scenarios/solve/", SolveView.as_view(), name="scenario-solve"),
    path("scenarios/<int:pk>/results/", ScenarioResultsView.as_view(), name="scenario-results"),
    path("health/", HealthView.as_view(), name="health"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
