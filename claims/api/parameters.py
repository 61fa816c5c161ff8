"""A list reads the query parameters it documents, and refuses any other with a 400 naming it:
a misspelt filter (?stauts=accepted) would otherwise be ignored and the whole list answered
as if it were the filtered one."""

from collections.abc import Iterable

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter, SearchFilter
from rest_framework.settings import api_settings


def refuse_unknown(request, known: Iterable[str]) -> None:
    """Raise a 400 naming each query parameter of the request that is not in `known`."""
    known = {*known, api_settings.URL_FORMAT_OVERRIDE}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        listed = ", ".join(sorted(known))
        raise ValidationError(
            {
                name.encode("unicode_escape").decode(): [f"Unknown parameter: this list reads {listed}."]
                for name in unknown
            }
        )


def _known(view, queryset) -> set[str]:
    """What the view's pagination, filter backends and own `query_parameters` read."""
    known = set(getattr(view, "query_parameters", ()))
    paginator = getattr(view, "paginator", None)
    for name in ("page_query_param", "page_size_query_param", "cursor_query_param"):
        if getattr(paginator, name, None):
            known.add(getattr(paginator, name))
    for backend in view.filter_backends:
        if issubclass(backend, DjangoFilterBackend):
            filterset = backend().get_filterset_class(view, queryset)
            known.update(filterset.base_filters if filterset else ())
        elif issubclass(backend, SearchFilter):
            known.add(backend.search_param)
        elif issubclass(backend, OrderingFilter):
            known.add(backend.ordering_param)
    return known


def _refuse_unknown_ordering(request, queryset, view) -> None:
    """DRF's OrderingFilter drops a field it cannot order by and answers in the default order,
    which a client takes for the order it asked for."""
    for backend in view.filter_backends:
        if not issubclass(backend, OrderingFilter) or backend.ordering_param not in request.query_params:
            continue
        valid = {name for name, _ in backend().get_valid_fields(queryset, view, {"request": request})}
        asked = [term.strip() for term in request.query_params[backend.ordering_param].split(",")]
        unknown = [term for term in asked if term.removeprefix("-") not in valid]
        if unknown:
            raise ValidationError(
                {
                    backend.ordering_param: [
                        f"Cannot order by {', '.join(unknown)}: order by {', '.join(sorted(valid))}, "
                        "with a leading - for descending."
                    ]
                }
            )


class KnownParameters(BaseFilterBackend):
    """First among a list's filter backends: the others then only see parameters they read."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) == "list":
            refuse_unknown(request, _known(view, queryset))
            _refuse_unknown_ordering(request, queryset, view)
        return queryset
