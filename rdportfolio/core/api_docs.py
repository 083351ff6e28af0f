"""The OpenAPI schema, built once per process and language, then served from memory.

Building it walks every view and serializer (about a second here, far more on a busy
machine): rebuilt per request, a few anonymous requests would tie up every web worker. The
schema changes only with the code, so a process keeps what it built; the first request of
each language and format builds it while others wait for that one build.
"""

import threading

from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView


class CompactOpenApiJsonRenderer(OpenApiJsonRenderer):
    """JSON without the four-space indent (a third of the bytes); ``indent=`` in Accept still works."""

    def get_indent(self, accepted_media_type, renderer_context):
        return super(OpenApiJsonRenderer, self).get_indent(accepted_media_type, renderer_context)


class CompactOpenApiJsonRenderer2(CompactOpenApiJsonRenderer):
    media_type = "application/json"


class SchemaView(SpectacularAPIView):
    renderer_classes = [
        OpenApiYamlRenderer,
        CompactOpenApiJsonRenderer,
        CompactOpenApiJsonRenderer2,
    ]

    _built: dict = {}
    _lock = threading.Lock()

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
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
