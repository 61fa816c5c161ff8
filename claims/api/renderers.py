import json

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON, written by orjson: the same document, several times faster on big pages.

    Datetimes and anything orjson does not know go through DRF's own encoder, so they read
    as before; an indented response (Accept: application/json; indent=2) is DRF's."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        try:
            if indent:
                return super().render(data, accepted_media_type, renderer_context)
            return orjson.dumps(data, default=JSONEncoder().default, option=_OPTIONS)
        except (orjson.JSONEncodeError, UnicodeEncodeError):
            # A lone surrogate (an error message quoting a body's "\\ud800") is no UTF-8, and an
            # integer past 64 bits no orjson number: written as JSON can, escaped, not a 500.
            return json.dumps(data, cls=self.encoder_class, ensure_ascii=True, indent=indent).encode()
