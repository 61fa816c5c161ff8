from rest_framework.authtoken import views
from rest_framework.settings import api_settings


class ObtainAuthToken(views.ObtainAuthToken):
    """POST /api/v1/auth/token/: DRF's token view, with the project's parsers (DRF's names its own).

    authenticate() is handed Django's request, not DRF's wrapper: django-axes marks the request
    it is given as locked out, and its middleware, which answers the lockout, sees only Django's.
    """

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "request": self.request._request}
