from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("technologies/", views.technologies, name="technologies"),
    path("technologies/export.csv", views.technologies_csv, name="technologies-csv"),
    path("technologies/<str:code>/", views.technology_detail, name="technology"),
    path("partners/", views.partners, name="partners"),
    path("units/", views.unit_set, name="unit-set"),
]
