from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableForLoggedInUsers(DefaultContentNegotiation):
    """The browsable API for people who are logged in; plain JSON for everyone else."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if not request.user.is_authenticated:
            renderers = [r for r in renderers if not isinstance(r, BrowsableAPIRenderer)]
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        # DRF answers an unknown ?format= with a bare 404, as if the object were missing.
        matching = [r for r in renderers if r.format == format]
        if not matching:
            known = ", ".join(dict.fromkeys(r.format for r in renderers))
            raise ValidationError({"format": [f"Unknown format {format!r} here: this endpoint "
                                              f"gives {known}."]})
        return matching
