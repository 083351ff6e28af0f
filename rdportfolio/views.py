from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def health(request):
    """Liveness for load balancers and compose health checks: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
    if request.path.startswith("/api/"):
        return _api_error(500, "server_error", "error", "A server error occurred.")
    return defaults.server_error(request)
