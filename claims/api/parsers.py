import codecs
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate(value) -> str | None:
    """The first lone surrogate in a string or in the strings of a (nested) list, as U+XXXX.
    Objects are looked at by their own _checked_object call."""
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        return f"U+{ord(found.group()):X}" if found else None
    if isinstance(value, list):
        return next((found for item in value if (found := _surrogate(item))), None)
    return None


def _checked_object(pairs):
    """A key given twice is ambiguous (parsers disagree on which one wins), and a lone
    surrogate (a "\\ud800" escape without its pair) is no character: no database stores it and
    no page can be encoded with it, error messages quoting it included. Both are refused."""
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} is given twice in one object")
        found = _surrogate(key) or _surrogate(value)
        if found:
            name = key.encode("unicode_escape").decode()
            raise ValueError(f"'{name}' holds a lone surrogate ({found}), which is no character")
        seen[key] = value
    return seen


class JSONParser(parsers.JSONParser):
    """DRF's, with a body nested deeper than the decoder can follow answered as a 400 (a 2 KB
    body of a thousand brackets must not be a server error), and an object that names a key
    twice or holds a lone surrogate refused."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.load(
                codecs.getreader(encoding)(stream),
                parse_constant=json.strict_constant if self.strict else None,
                object_pairs_hook=_checked_object,
            )
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        found = _surrogate(data)
        if found:
            raise ParseError(f"JSON parse error - a lone surrogate ({found}), which is no character")
        return data
