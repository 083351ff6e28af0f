from django.urls import path

from . import overview, partners, search, technologies, technology, units

app_name = "dashboards"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("technologies/", technologies.technologies, name="technologies"),
    path("technologies/export.csv", technologies.technologies_csv, name="technologies-csv"),
    path("technologies/<str:code>/", technology.technology_detail, name="technology"),
    path("partners/", partners.partners, name="partners"),
    path("search/", search.search, name="search"),
    path("units/", units.unit_set, name="unit-set"),
]
