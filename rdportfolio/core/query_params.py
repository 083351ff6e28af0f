"""Query parameters every API view checks first: known names, bounded values, no NUL."""

from rest_framework import filters
from rest_framework.exceptions import ValidationError

from .drf import StrictFilterBackend

# Longer than any code, name or cursor a list can take; a search for 5,000 characters is a mistake.
QUERY_VALUE_MAX_LENGTH = 1000


class QueryParamsMixin:
    """Query parameters are checked before anything else: an unknown one (a typo such as
    ``?countries=DE``), a value over 1,000 characters or one holding a NUL character gets a 400
    naming the parameter, rather than a list silently unfiltered or a database error."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = self.allowed_query_params()
        errors = {}
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
        action = getattr(self, "action", None)
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
        paginator = self.paginator
        if paginator is not None:
            allowed |= {paginator.cursor_query_param, paginator.page_size_query_param}
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
