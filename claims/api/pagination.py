"""Page numbers for people, keyset cursors for crawls."""

import base64
import binascii
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from claims import data_version

logger = logging.getLogger(__name__)

_CURSOR_PREFIX = "id:"


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> int:
    """The id a cursor continues after; 0 for an empty cursor (the start of a crawl)."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    position = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not (position.isascii() and position.isdigit()
                                                   and len(position) <= 19):
        raise ValidationError({"cursor": ["Not a cursor from this API: start a crawl with "
                                          "?cursor= and follow the next links."]})
    return int(position)


def _id_of(row) -> int:
    """A page row's id, whether the page holds instances, values() dicts or bare ids."""
    if isinstance(row, dict):
        return row["id"]
    return row if isinstance(row, int) else row.pk


class CountOncePerWrite(Paginator):
    """Counts a list once per data version (claims/data_version.py) when API_COUNT_CACHE is on:
    every page of a list, for every reader who sees the same rows, shares one count until the
    next write. Keyed on the count query itself, so no two filters or visibilities share one."""

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if not settings.API_COUNT_CACHE or query is None:
            return super().count
        try:
            sql, params = query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (e.g. an unknown paper)
            return 0
        digest = hashlib.sha256(repr((self.object_list.db, sql, params)).encode()).hexdigest()
        try:
            key = f"claims:count:{data_version.current()}:{digest}"
            found = cache.get(key)
        except Exception:
            logger.warning("The count cache is unavailable", exc_info=True)
            return super().count
        if found is None:
            found = super().count
            try:
                cache.set(key, found, settings.API_CACHE_SECONDS)
            except Exception:
                logger.warning("The count cache is unavailable", exc_info=True)
        return found


class PageNumberPagination(pagination.PageNumberPagination):
    """?page=N for people; ?cursor= (empty to start) for tools that crawl everything.

    A crawl walks in id order with WHERE id > last: every page costs what the first costs,
    and claims edited, added or deleted meanwhile neither shift nor repeat what is left.
    Its envelope is {next, results}; there is no count to compute.
    """

    django_paginator_class = CountOncePerWrite
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    cursor_description = ("Crawl in id order, keyset-paginated: start with an empty cursor "
                          "(?cursor=), then follow `next` until it is null.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.strip().lstrip("0")
        if not (digits.isascii() and digits.isdigit()):
            raise ValidationError({self.page_size_query_param: [
                f"A whole number from 1 to {self.max_page_size}."]})
        # Larger asks get the largest page (as documented); no int() of a thousand digits.
        return self.max_page_size if len(digits) > 6 else min(int(digits), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = self.cursor_query_param in request.query_params
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        after = decode_cursor(request.query_params[self.cursor_query_param])
        size = self.get_page_size(request)
        rows = list(queryset.filter(pk__gt=after).order_by("pk")[:size + 1])
        self.more = len(rows) > size
        rows = rows[:size]
        self.last_id = _id_of(rows[-1]) if rows else after
        return rows

    def get_paginated_response(self, data):
        if not self.keyset:
            return super().get_paginated_response(data)
        return Response({"next": self.get_next_link(), "results": data})

    def get_next_link(self):
        if not self.keyset:
            return super().get_next_link()
        if not self.more:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, encode_cursor(self.last_id))

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = [name for name in envelope.get("required", []) if name != "count"]
        envelope["properties"]["count"]["description"] = "Absent from a crawl (?cursor=)."
        return envelope

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": self.cursor_description, "schema": {"type": "string"}}]
