"""The project's URLs plus bare Django views, for the API load benchmark only.

The bare views return the same rows as the API's first page, read with
``values()`` and sent as JSON with no DRF, no auth and no paging machinery:
the floor the API is compared with. Never routed in the product.
"""

from django.http import JsonResponse
from django.urls import include, path

from budgets.kpi.api import ShareRowSerializer
from budgets.kpi.models import ShareRun, ShareSnapshot
from budgets.models import BudgetLine

LINE_FIELDS = {
    "id": "id",
    "project": "project_id",
    "project_number": "project__project_number",
    "track": "project__technology__program__track",
    "field_code": "project__technology__field__code",
    "fiscal_year": "fiscal_year",
    "basis": "basis",
    "amount_won": "amount_won",
    "is_international": "is_international",
    "collaboration": "collaboration_id",
    "country": "collaboration__institution__country",
    "source": "source",
    "is_synthetic": "is_synthetic",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
# The same columns as the API, each read from where its serializer field reads it.
SHARE_FIELDS = [field.source.replace(".", "__") for field in ShareRowSerializer().fields.values()]


def bare_budget_lines(request):
    rows = list(BudgetLine.objects.order_by("id").values(*LINE_FIELDS.values())[:100])
    return JsonResponse({"results": rows})


def bare_share(request):
    run = ShareRun.objects.latest_succeeded()
    rows = list(
        ShareSnapshot.objects.filter(run=run, dimension="overall")
        .order_by("fiscal_year", "basis", "key")
        .values(*SHARE_FIELDS)
    )
    return JsonResponse({"run": run.pk, "computed_at": run.finished_at, "results": rows})


urlpatterns = [
    path("bare/budget-lines/", bare_budget_lines),
    path("bare/share/", bare_share),
    path("", include("rdportfolio.urls")),
]
