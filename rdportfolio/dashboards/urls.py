from django.urls import path

from . import overview, partners, scenarios, search, technologies, technology, units

app_name = "dashboards"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("technologies/", technologies.technologies, name="technologies"),
    path("technologies/export.csv", technologies.technologies_csv, name="technologies-csv"),
    path("technologies/<str:code>/", technology.technology_detail, name="technology"),
    path("partners/", partners.partners, name="partners"),
    path("search/", search.search, name="search"),
    path("scenarios/", scenarios.scenario_list, name="scenarios"),
    path("scenarios/solve/", scenarios.scenario_solve, name="scenario-solve"),
    path("scenarios/<int:pk>/", scenarios.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/result/", scenarios.scenario_result, name="scenario-result"),
    path(
        "scenarios/<int:pk>/<str:action>/",
        scenarios.scenario_action,
        name="scenario-action",
    ),
    path("units/", units.unit_set, name="unit-set"),
]
