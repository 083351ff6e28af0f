"""The OpenAPI schema, built once per process and language, then served from memory.

Building it walks every view and serializer (about a second here, far more on a busy
machine): rebuilt per request, a few anonymous requests would tie up every web worker. The
schema changes only with the code, so a process keeps what it built; the first request of
each language and format builds it while others wait for that one build.
"""

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.response import Response

    class _SpectacularAPIView(SpectacularAPIView):
        # drf-spectacular leaves its get() without types: it answers with DRF's Response.
        def get(self, request: Request, *args: Any, **kwargs: Any) -> Response: ...
else:
    _SpectacularAPIView = SpectacularAPIView


class CompactOpenApiJsonRenderer(OpenApiJsonRenderer):
    """JSON without the four-space indent (a third of the bytes); ``indent=`` in Accept still works."""

    def get_indent(
        self, accepted_media_type: str, renderer_context: Mapping[str, Any]
    ) -> int | None:
        return super(OpenApiJsonRenderer, self).get_indent(accepted_media_type, renderer_context)


class CompactOpenApiJsonRenderer2(CompactOpenApiJsonRenderer):
    media_type = "application/json"


class SchemaView(_SpectacularAPIView):
    renderer_classes = [
        OpenApiYamlRenderer,
        CompactOpenApiJsonRenderer,
        CompactOpenApiJsonRenderer2,
    ]

    # (language, format, media type, API version, ?lang=): (content, content type)
    _built: dict[tuple[str | None, ...], tuple[bytes, str]] = {}
    _lock = threading.Lock()

    @extend_schema(exclude=True)
    def get(  # type: ignore[override]  # what was built is sent as a plain HttpResponse
        self, request: "Request", *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response: HttpResponse
        renderer = request.accepted_renderer
        key = (
            get_language(),
            renderer.format,
            renderer.media_type,
            request.version,
            request.GET.get("lang"),
        )
        built = self._built.get(key)
        if built is None:
            with self._lock:
                built = self._built.get(key)
                if built is None:
                    response = super().get(request, *args, **kwargs)
                    if response.status_code != 200:
                        return response
                    response = self.finalize_response(request, response, *args, **kwargs)
                    response.render()
                    built = (response.content, response["Content-Type"])
                    self._built[key] = built
        content, content_type = built
        response = HttpResponse(content, content_type=content_type)
        response["Cache-Control"] = "public, max-age=300"
        return response

    @classmethod
    def forget(cls) -> None:
        """Drop what was built (tests that change the views)."""
        cls._built.clear()
