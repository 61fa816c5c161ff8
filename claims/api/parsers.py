import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json


def _refuse_repeated_keys(pairs):
    """A key given twice is ambiguous (parsers disagree on which one wins): refused, never
    silently the last."""
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} is given twice in one object")
        seen[key] = value
    return seen


class JSONParser(parsers.JSONParser):
    """DRF's, with a body nested deeper than the decoder can follow answered as a 400 (a 2 KB
    body of a thousand brackets must not be a server error), and an object that names a key
    twice refused."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return json.load(codecs.getreader(encoding)(stream),
                             parse_constant=json.strict_constant if self.strict else None,
                             object_pairs_hook=_refuse_repeated_keys)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None

