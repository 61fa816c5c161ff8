from rest_framework import authentication, exceptions


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
