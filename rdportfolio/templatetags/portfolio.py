"""Tags every page's frame uses."""

from django import template

from budgets.kpi.models import RunStatus, ShareRun
from budgets.models import BudgetLine

register = template.Library()


@register.inclusion_tag("includes/demo_banner.html", takes_context=True)
def demo_banner(context):
    """The demo notice, on every page while synthetic rows feed the figures: what the latest
    recompute read (the page's own run where it read one, else one indexed query), or before
    any recompute, whether such lines exist."""
    freshness = context.get("freshness")
    run = getattr(freshness, "run", None)
    if run is not None:
        return {"synthetic": run.synthetic_inputs}
    synthetic = (
        ShareRun.objects.filter(status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .values_list("synthetic_inputs", flat=True)
        .first()
    )
    if synthetic is None:
        synthetic = BudgetLine.objects.filter(is_synthetic=True).exists()
    return {"synthetic": synthetic}
