"""Conditional requests: ETags on details, 304 for a copy still current, and no lost updates.

A detail's ETag is a digest of its representation for the caller. Writes (PUT, PATCH,
DELETE) and workflow actions honour If-Match: a tag that is not the current one answers 412
and changes nothing, so a client that saves a stale copy cannot undo someone else's fix.
The check runs under the row's lock, in the transaction of the write. API_REQUIRE_IF_MATCH
makes If-Match required for writes (428 without it).
"""

import hashlib
import re

import orjson
from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from claims import changes

_TAG = re.compile(r'\s*(?:W/)?"([^"]*)"\s*')


def etag(data) -> str:
    """The object's state as the caller sees it; the actions the caller may take are left
    out, so that everyone who sees the same content holds the same tag."""
    data = {key: value for key, value in data.items() if key != "allowed_actions"}
    body = orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
                        default=str)
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def parse_tags(header: str, name: str) -> list[str] | None:
    """The tags of an If-Match or If-None-Match header; None for "*"."""
    if header.strip() == "*":
        return None
    tags, rest = [], header
    while rest.strip():
        match = _TAG.match(rest)
        if match is None:
            raise ValidationError({name: [f'Not a list of entity tags: {header!r}. Send the ETag '
                                          'of the copy you edited, e.g. If-Match: "3f2a...".']})
        tags.append(f'"{match.group(1)}"')
        rest = rest[match.end():]
        if rest.strip():
            if not rest.lstrip().startswith(","):
                raise ValidationError({name: [f"Not a list of entity tags: {header!r}."]})
            rest = rest.lstrip()[1:]
    return tags


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = ("This service requires If-Match on writes: read the object, then send its "
                      "ETag with your change.")


class ConditionalMixin:
    """For viewsets: ETag and Last-Modified on a detail, 304, and If-Match on writes."""

    def current_representation(self):
        """The detail as this caller would GET it now."""
        return self.get_serializer(self.get_object()).data

    def check_if_match(self):
        header = self.request.headers.get("If-Match")
        if header is None:
            if getattr(settings, "API_REQUIRE_IF_MATCH", False):
                raise PreconditionRequired()
            return
        tags = parse_tags(header, "If-Match")
        current = etag(self.current_representation())
        if tags is not None and current not in tags:
            raise PreconditionFailed(
                f"The object has changed since you read it (its ETag is now {current}): "
                "read it again and reapply your change.")

    def conditional(self, write):
        """Run write() once If-Match holds, in one transaction that holds the writers' lock
        from the check to the commit (claims/changes.py), so no other write lands between."""
        with transaction.atomic():
            changes.lock()
            self.check_if_match()
            return write()

    def update(self, request, *args, **kwargs):
        return self.conditional(lambda: super(ConditionalMixin, self).update(request, *args, **kwargs))

    def destroy(self, request, *args, **kwargs):
        return self.conditional(lambda: super(ConditionalMixin, self).destroy(request, *args, **kwargs))

    def finalize_response(self, request, response, *args, **kwargs):
        if (request.method in ("GET", "HEAD") and getattr(self, "action", None) == "retrieve"
                and response.status_code == 200 and isinstance(response.data, dict)):
            tag, modified = etag(response.data), _updated_at(response.data)
            if "If-None-Match" in request.headers:
                tags = parse_tags(request.headers["If-None-Match"], "If-None-Match")
                if tags is None or tag in tags:
                    response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = tag
            if modified:
                response["Last-Modified"] = modified
        return super().finalize_response(request, response, *args, **kwargs)


def _updated_at(data) -> str | None:
    stamp = data.get("updated_at") or data.get("created_at")
    moment = parse_datetime(stamp) if isinstance(stamp, str) else stamp
    return http_date(moment.timestamp()) if moment else None
