"""The records' JSON Schema (fixtures/schema/curation.schema.json), applied to every record.

The jsonschema library is the judge and writes every message; but it takes about a
millisecond a record, so each record is first run through a predicate compiled from the same
schema (the handful of keywords it uses), and only records that fail it are handed to
jsonschema to say why. A keyword the compiler does not know stops it from compiling.
"""

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from jsonschema import Draft202012Validator

from claims.interchange.records import KINDS

SCHEMA_PATH = Path(settings.BASE_DIR) / "fixtures" / "schema" / "curation.schema.json"


@cache
def schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as file:
        return json.load(file)


@cache
def _validators() -> dict[str, tuple[Callable[[object], bool], Draft202012Validator]]:
    root = schema()
    return {name: (_compile(root["$defs"][name], root),
                   Draft202012Validator(root).evolve(schema={"$ref": f"#/$defs/{name}"}))
            for name in KINDS}


def problems(record: dict) -> list[tuple[str, str]]:
    """What the schema finds wrong with one record, as (field, message), in field order."""
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        known = ", ".join(KINDS)
        if kind is None:
            return [("kind", f"missing: every record says its kind, one of {known}")]
        return [("kind", f"unknown kind {json.dumps(kind, ensure_ascii=False)}: one of {known}")]
    fast, validator = _validators()[kind]
    if fast(record):
        return []
    found = []
    for error in validator.iter_errors(record):
        found.extend(_described(error, record, kind))
    order = {name: rank for rank, name in enumerate(("kind", *KINDS[kind].fields))}
    return sorted(set(found), key=lambda p: (order.get(p[0].split("/")[0], len(order)), p))


def _described(error, record: dict, kind: str) -> list[tuple[str, str]]:
    path = "/".join(str(part) for part in error.absolute_path)
    if error.validator == "required" and not path:
        return [(name, "missing: required in a " + KINDS[kind].name.replace("_", " ") + " record")
                for name in error.validator_value if name not in record]
    if error.validator == "additionalProperties" and not path:
        allowed = set(error.schema.get("properties", {}))
        return [(name, f"unknown field in a {KINDS[kind]} record (a typo?)")
                for name in record if name not in allowed]
    if error.validator in ("oneOf", "anyOf") and not path:
        options = [sorted(s.get("required", [])) for s in error.validator_value]
        names = " or ".join("/".join(o) for o in options)
        many = error.validator == "oneOf" and any(all(n in record for n in o) for o in options)
        return [(names, f"a {KINDS[kind]} record names exactly one of {names}" if many
                 else f"missing: a {KINDS[kind]} record needs {names}")]
    return [(path or "record", error.message)]


# --- the compiled predicate ---

_TYPES = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
}
_ANNOTATIONS = {"title", "description", "$schema", "$id", "discriminator", "$defs"}


def _same(a, b) -> bool:
    """JSON equality: true is not 1."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _compile(node: dict, root: dict) -> Callable[[object], bool]:
    checks = tuple(_keyword(keyword, value, node, root) for keyword, value in node.items()
                   if keyword not in _ANNOTATIONS)
    if len(checks) == 1:
        return checks[0]

    def check_all(v):
        for check in checks:
            if not check(v):
                return False
        return True

    return check_all


def _keyword(keyword: str, value, node: dict, root: dict) -> Callable[[object], bool]:
    if keyword == "$ref":
        return _compile(root["$defs"][value.removeprefix("#/$defs/")], root)
    if keyword == "type":
        names = {value} if isinstance(value, str) else set(value)
        if names <= {"string", "null", "array", "object"}:  # plain Python types: one isinstance
            plain = tuple({"string": str, "null": type(None), "array": list, "object": dict}[t]
                          for t in names)
            return lambda v: isinstance(v, plain)
        tests = [_TYPES[t] for t in names]
        return lambda v: any(test(v) for test in tests)
    if keyword == "enum":
        if all(isinstance(option, str) for option in value):
            options = frozenset(value)
            return lambda v: isinstance(v, str) and v in options
        return lambda v: any(_same(v, option) for option in value)
    if keyword == "const":
        return lambda v: _same(v, value)
    if keyword == "pattern":
        search = re.compile(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None
    if keyword == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= value
    if keyword == "minimum":
        return lambda v: not _TYPES["number"](v) or v >= value
    if keyword == "required":
        return lambda v: not isinstance(v, dict) or all(name in v for name in value)
    if keyword == "properties":
        compiled = {name: _compile(sub, root) for name, sub in value.items()}

        def check_properties(v):
            if isinstance(v, dict):
                for name, item in v.items():
                    check = compiled.get(name)
                    if check is not None and not check(item):
                        return False
            return True

        return check_properties
    if keyword == "additionalProperties" and value is False:
        allowed = frozenset(node.get("properties", {}))
        return lambda v: not isinstance(v, dict) or allowed.issuperset(v)
    if keyword == "items":
        item = _compile(value, root)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)
    if keyword == "uniqueItems" and value is True:
        return lambda v: not isinstance(v, list) or len(
            {json.dumps(x, sort_keys=True) for x in v}) == len(v)
    if keyword in ("oneOf", "anyOf"):
        options = [_compile(sub, root) for sub in value]
        if keyword == "anyOf":
            return lambda v: any(option(v) for option in options)
        return lambda v: sum(1 for option in options if option(v)) == 1
    raise ValueError(f"The schema uses {keyword!r}, which the fast check does not know.")
