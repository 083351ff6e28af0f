"""Response headers every page carries beyond Django's own."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


class NullCharacterMiddleware:
    """Refuses a path or a query string holding a NUL character with a 400 that names it.

    PostgreSQL cannot compare text with NUL in it: such a value, in an admin search or any
    filter, or as the id in an admin URL (``/admin/…/1%00/history/``), would otherwise
    reach the database and come back as a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path_info:
            return self.refuse(request, "path")
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return self.refuse(request, name.replace("\x00", "\\0"))
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, name: str) -> HttpResponse:
        detail = f"Null characters are not allowed ({'the address' if name == 'path' else f'parameter {name}'})."
        if request.path.startswith("/api/"):
            # The API's error shape (drf-standardized-errors).
            body = {
                "type": "validation_error",
                "errors": [{"code": "invalid", "detail": detail, "attr": name}],
            }
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"message": detail}, status=400)
