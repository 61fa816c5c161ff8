"""Anonymous reads of the JSON API, served from a cache of rendered responses.

A response is stored under the data version (claims/data_version.py), the absolute URL with
its query string as given, and the Accept header. Every committed write moves the version on,
so the very next read misses and is rendered afresh; entries under old versions are never read
again and expire after API_CACHE_SECONDS. A hit answers before the session and authentication
middleware and touches no database.

Only anonymous requests take part: none carrying an Authorization header or a session cookie.
Only 200 responses in application/json that set no cookie are stored. API_CACHE turns it off.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from claims import data_version

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
READS = ("GET", "HEAD")


def is_anonymous_read(request: HttpRequest) -> bool:
    """A GET or HEAD of the API with no credentials: no Authorization header, no session cookie."""
    return (request.method in READS
            and request.path_info.startswith(API_PREFIX)
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES)


def response_key(request: HttpRequest, version: int) -> str:
    """The cache key: data version, absolute URL as given, Accept header; GET and HEAD share it."""
    accept = request.headers.get("Accept", "").strip()
    digest = hashlib.sha256(f"{request.build_absolute_uri()}\n{accept}".encode()).hexdigest()
    return f"api:response:{version}:{digest}"


def is_storable(response: HttpResponse) -> bool:
    """A 200 in JSON that sets no cookie."""
    return (response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").split(";")[0].strip() == "application/json")


class CachedReadsMiddleware:
    """Serves anonymous API reads from the cache. It sits before the session middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (settings.API_CACHE and is_anonymous_read(request)):
            return self.get_response(request)
        version = _quietly(data_version.current)
        if version is None:
            return self.get_response(request)
        key = response_key(request, version)
        stored = _quietly(cache.get, key)
        if stored is not None:
            return _rebuild(stored, request)

        response = self.get_response(request)
        if is_storable(response):
            # The view's headers and those of the middleware further in; the outer ones add theirs
            # to a hit as they do to this response.
            _quietly(cache.set, key, {"content": response.content, "headers": dict(response.items())},
                     timeout=settings.API_CACHE_SECONDS)
        response["X-Cache"] = "miss"
        return response


def _rebuild(stored: dict, request: HttpRequest) -> HttpResponse:
    tag = stored["headers"].get("ETag")
    if tag and tag in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}:
        response = HttpResponseNotModified()
        response["ETag"] = tag
    else:
        response = HttpResponse(stored["content"])
        for name, value in stored["headers"].items():
            response[name] = value
    response["X-Cache"] = "hit"
    return response


def _quietly(operation, *args, **kwargs):
    """The operation's result, or None when the cache cannot be reached: slower reads, never failed ones."""
    try:
        return operation(*args, **kwargs)
    except Exception:
        logger.warning("The API response cache is unavailable", exc_info=True)
        return None
