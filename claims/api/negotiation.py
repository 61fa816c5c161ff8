from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableForLoggedInUsers(DefaultContentNegotiation):
    """The browsable API for people who are logged in; plain JSON for everyone else."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if not request.user.is_authenticated:
            renderers = [r for r in renderers if not isinstance(r, BrowsableAPIRenderer)]
        return super().select_renderer(request, renderers, format_suffix)
