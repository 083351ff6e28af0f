"""Tags every page's frame uses."""

from django import template

from budgets.kpi.models import RunStatus, ShareRun
from budgets.models import BudgetLine

register = template.Library()


@register.inclusion_tag("includes/demo_banner.html")
def demo_banner():
    """The demo notice, on every page while synthetic rows feed the figures: what the latest
    recompute read (one indexed query), or before any recompute, whether such lines exist."""
    synthetic = (
        ShareRun.objects.filter(status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .values_list("synthetic_inputs", flat=True)
        .first()
    )
    if synthetic is None:
        synthetic = BudgetLine.objects.filter(is_synthetic=True).exists()
    return {"synthetic": synthetic}
