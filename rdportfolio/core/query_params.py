"""Query parameters every API view checks first: known names, bounded values, no NUL."""

from typing import TYPE_CHECKING, Any, cast

from rest_framework import filters
from rest_framework.exceptions import ValidationError

from .drf import StrictFilterBackend

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView
    from rest_framework.pagination import CursorPagination
    from rest_framework.request import Request

    _ViewBase = GenericAPIView[Any]  # what the mixin goes with, for its super() calls
else:
    _ViewBase = object

# Longer than any code, name or cursor a list can take; a search for 5,000 characters is a mistake.
QUERY_VALUE_MAX_LENGTH = 1000


class QueryParamsMixin(_ViewBase):
    """Query parameters are checked before anything else: an unknown one (a typo such as
    ``?countries=DE``), a value over 1,000 characters or one holding a NUL character gets a 400
    naming the parameter, rather than a list silently unfiltered or a database error."""

    def initial(self, request: "Request", *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        allowed = self.allowed_query_params()
        errors: dict[str, list[str]] = {}
        for name, values in request.query_params.lists():
            if name not in allowed:
                errors[name] = [
                    f"Unknown parameter; this endpoint takes {', '.join(sorted(allowed))}."
                ]
            elif any(len(value) > QUERY_VALUE_MAX_LENGTH for value in values):
                errors[name] = [f"Longer than {QUERY_VALUE_MAX_LENGTH} characters."]
            elif any("\x00" in value for value in values):
                errors[name] = ["Null characters are not allowed."]
        if errors:
            raise ValidationError(errors)

    def lists_rows(self) -> bool:
        """Whether this request lists rows (and so takes paging, ordering and filters)."""
        action: str | None = getattr(self, "action", None)  # a viewset's
        if action is not None:
            return action == "list"
        return (
            self.lookup_url_kwarg not in self.kwargs
            if self.lookup_url_kwarg
            else (self.lookup_field not in self.kwargs)
        )

    def allowed_query_params(self) -> set[str]:
        allowed = {"format"}
        if not self.lists_rows():
            return allowed
        paginator = cast("CursorPagination | None", self.paginator)  # the API pages by cursor
        if paginator is not None:
            # Every paginator here names its page size parameter (the stubs allow None).
            allowed |= {paginator.cursor_query_param, cast(str, paginator.page_size_query_param)}
        for backend_class in self.filter_backends:
            backend = backend_class()
            if isinstance(backend, filters.OrderingFilter):
                allowed.add(backend.ordering_param)
            elif isinstance(backend, filters.SearchFilter):
                if getattr(self, "search_fields", None):
                    allowed.add(backend.search_param)
            elif isinstance(backend, StrictFilterBackend):
                filterset_class = backend.get_filterset_class(self, self.get_queryset().none())
                if filterset_class is not None:
                    allowed |= set(filterset_class.base_filters)
        return allowed
