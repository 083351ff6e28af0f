"""Who may see the dashboards, and how amounts and names are shown to the reader."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from budgets.models import ExchangeRate
from rdportfolio.core.money import DEFAULT_UNIT, Display
from rdportfolio.core.roles import dashboard_permissions

PAGE_SIZE = 100


def dashboard_page(view):
    """GET only; open to anyone when RDP_DASHBOARDS_PUBLIC is on, else to CTO viewers and up."""

    @wraps(view)
    @require_GET
    def wrapper(request, *args, **kwargs):
        if not settings.RDP_DASHBOARDS_PUBLIC:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(dashboard_permissions()):
                raise PermissionDenied(_("Your role does not include the dashboards."))
        return view(request, *args, **kwargs)

    return wrapper


def reader_display(request) -> Display:
    """Amounts in the reader's unit (kept in the session) and language, at the stored rates."""
    unit = request.session.get("unit", DEFAULT_UNIT)
    # Rates matter to dollars only: won readers (most) save the query.
    rates = ExchangeRate.objects.by_year() if unit == "usd" else {}
    return Display(unit, rates, settings.RDP_DEFAULT_KRW_PER_USD)


def percent(value) -> str:
    return "–" if value is None else f"{value:.2f}%"


def query_without_page(request) -> str:
    """The page's query string without ``page``, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
