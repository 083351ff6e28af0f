import asyncio
import json
import logging
import sys
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from health_check.views import HealthCheckView

from rdportfolio.core.api_errors import RETRY_SECONDS, UNAVAILABLE
from rdportfolio.core.auth import CountedPasswordChangeView
from rdportfolio.core.health import Remembered, may_read


@require_GET
@never_cache
def live(request):
    """Liveness for load balancers and compose: this process answers and the database too.

    Kept apart from /health/: a late KPI run is for an operator to look into, not a reason to
    take web processes out of service.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def health_checks() -> list:
    """What /health/ checks (django-health-check's shape: one line per check, 500 if any
    fails), listed explicitly: the library's defaults include DNS and mail, which fail offline.

    The broker and the workers only where there are any (production); the embedded mode runs
    tasks in-process.
    """
    checks: list[str | tuple[str, dict[str, Any]]] = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "budgets.kpi.health.ShareFigures",
        "rdportfolio.imports.health.ImportJobs",
    ]
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        broker = settings.CELERY_BROKER_URL
        if broker.startswith("redis"):
            checks.append(("health_check.contrib.redis.Redis", {"client_factory": _broker_client}))
        # limit=1: answered as soon as one worker replies, not after the whole timeout.
        ping = {"timeout": timedelta(seconds=2), "limit": 1}
        checks += [("health_check.contrib.celery.Ping", ping), "rdportfolio.core.health.Watchdogs"]
    return checks


def _broker_client():
    from redis.asyncio import Redis

    return Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)


class HealthView(HealthCheckView):
    """/health/ for an operator's monitor: the database, the cache, the broker, the workers,
    beat's watchdogs, the KPI's figures and the import jobs. JSON with ?format=json or Accept:
    application/json. Anyone else is told ``{"status": "ok"}`` or ``"error"`` (and 500)."""

    @property
    def checks(self):
        return health_checks()

    def get_checks(self):
        return (Remembered(check) for check in super().get_checks())

    async def get(self, request, *args, **kwargs):
        if await may_read(request):
            return await super().get(request, *args, **kwargs)
        results = await asyncio.gather(*(check.get_result() for check in self.get_checks()))
        failing = any(result.error for result in results)
        return JsonResponse(
            {"status": "error" if failing else "ok"}, status=500 if failing else 200
        )


def admin_password_change(request):
    """The admin's password change (its page, its context), the old password counted."""
    request.current_app = admin.site.name
    return CountedPasswordChangeView.as_view(
        success_url=reverse("admin:password_change_done"),
        extra_context=admin.site.each_context(request),
    )(request)


CSP_REPORT_MAX_BYTES = 8192
csp_log = logging.getLogger("rdportfolio.csp")


@csrf_exempt  # browsers send reports without a token
@require_POST
def csp_report(request):
    """Where browsers report what the Content-Security-Policy refused: logged as a warning, so a
    page the policy breaks (or an attempt it stopped) is seen. Bounded: reports are small."""
    if int(request.headers.get("Content-Length") or 0) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        report = json.loads(request.body or b"{}").get("csp-report", {})
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    csp_log.warning(
        "CSP refused %s on %s (%s)",
        str(report.get("blocked-uri", "?"))[:200],
        str(report.get("document-uri", "?"))[:200],
        str(report.get("violated-directive") or report.get("effective-directive", "?"))[:100],
    )
    return HttpResponse(status=204)


def favicon(request):
    # Resolved per request: with the manifest storage the hashed name exists only after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)


def _api_error(status: int, kind: str, code: str, detail: str) -> JsonResponse:
    # The same shape as the API's own errors (drf-standardized-errors).
    return JsonResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}, status=status
    )


def not_found(request, exception):
    """A URL no route matches: JSON under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(
            404, "client_error", "not_found", f"No API endpoint or record at {request.path}."
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    """An error of ours (500), or the database out of reach (503, to try again shortly: an
    outage, or SQLite's write lock held past its wait). Pages drawn without the database:
    no user, no session, only the request's language."""
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    if request.path.startswith("/api/"):
        if unavailable:
            response = _api_error(503, "server_error", "unavailable", UNAVAILABLE)
            response["Retry-After"] = str(RETRY_SECONDS)
            return response
        return _api_error(500, "server_error", "error", "A server error occurred.")
    try:
        page = defaults.server_error(
            request, template_name="503.html" if unavailable else "500.html"
        )
    except Exception:  # the page itself failed (its static files missing, say): a plain one
        logging.getLogger(__name__).exception("the error page could not be drawn")
        page = HttpResponseServerError(f"<h1>{UNAVAILABLE if unavailable else 'Server Error'}</h1>")
    if unavailable:
        page.status_code, page["Retry-After"] = 503, str(RETRY_SECONDS)
    return page
