"""Refused sign-ins (django-axes): which address a request comes from, and what a locked-out
sign-in is answered.

Axes counts failed sign-ins to the admin and to POST /api/v1/auth/token/ per account and per
address (settings: LOGIN_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES). A sign-in it refuses is a 429
with Retry-After: JSON {"detail": ...} under /api/, a page saying so in the admin.
"""

from math import ceil

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import admin
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

API_PREFIX = "/api/"


def client_address(request: HttpRequest) -> str:
    """The address the API's throttles count by: REMOTE_ADDR, or the one TRUSTED_PROXY_COUNT
    proxies put in X-Forwarded-For. Sign-in failures are counted by the same address."""
    return BaseThrottle().get_ident(request)


def seconds_left(request: HttpRequest, credentials: dict | None = None) -> int:
    """How long the lockout lasts at most: the cool-off after the latest failure counted
    against the account or address that is locked."""
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    handler = AxesProxyHandler.get_implementation()
    latest = None
    for attempts in handler.get_user_attempts(request, credentials):
        found = attempts.aggregate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
        if (found["failures"] or 0) >= limit and (latest is None or found["latest"] > latest):
            latest = found["latest"]
    if latest is None:
        return ceil(cool_off.total_seconds())
    return max(1, ceil((latest + cool_off - timezone.now()).total_seconds()))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After, in JSON for the API, a page for the admin."""
    wait = seconds_left(request, credentials)
    minutes = ceil(wait / 60)
    message = (f"Too many failed sign-ins for this account or from this address: sign-in is "
               f"refused, even with the right password, for {minutes} more "
               f"minute{'s' if minutes != 1 else ''}.")
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": message}, status=429)
    else:
        context = {**admin.site.each_context(request), "title": "Sign-in refused", "message": message}
        response = TemplateResponse(request, "admin/login_locked_out.html", context, status=429)
        response.render()
    response["Retry-After"] = str(wait)
    return response
