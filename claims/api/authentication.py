from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from claims.models import ApiToken
from claims.models.tokens import digest

# last_used_at is written at most this often per token: not one write per request.
USE_RECORDED_EVERY = timedelta(minutes=5)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with a named token (admin, create_api_token). Keys it does
    not know pass on to DRF's own tokens (POST /api/v1/auth/token/)."""

    def authenticate_credentials(self, key):
        if "\x00" in key:
            # No key holds one, and DRF's own tokens, asked next, would send it to
            # PostgreSQL, which refuses a NUL in any string: a server error, not a 401.
            raise exceptions.AuthenticationFailed("Invalid token.")
        token = (ApiToken.objects.usable().select_related("user")
                 .filter(key_digest=digest(key)).first())
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and found[1].read_only and request.method not in permissions.SAFE_METHODS:
            raise exceptions.PermissionDenied("This token is read-only: it may read, not change.")
        return found


class RefuseUnknownCredentials(authentication.BaseAuthentication):
    """Runs after the schemes the API speaks. A request that still carries an Authorization
    header (a Bearer token, a misspelt scheme) meant to sign in and did not: answering it as
    anonymous would hide the mistake and serve it less than its owner expects."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if header:
            scheme = header.split()[0].decode("latin-1") if header.split() else ""
            raise exceptions.AuthenticationFailed(
                f"Authorization scheme {scheme!r} is not understood here: send "
                "'Authorization: Token <key>' (POST /api/v1/auth/token/ gives one).")
        return None

    def authenticate_header(self, request):
        return "Token"
