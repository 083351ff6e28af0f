"""The unit switch in the header: 억 원, 조 원 or US dollars, kept in the session."""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rdportfolio.core.money import UNITS


@require_POST
def unit_set(request):
    """Remember the reader's unit (억 원, 조 원, US dollars) and go back where they were."""
    unit = request.POST.get("unit", "")
    if unit not in UNITS:
        return render(
            request,
            "dashboards/bad_request.html",
            {"message": _("Unknown unit “%(unit)s”: choose eok, jo or usd.") % {"unit": unit}},
            status=400,
        )
    request.session["unit"] = unit
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)
