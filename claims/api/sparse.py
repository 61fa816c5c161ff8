"""?fields=: a client that wants less asks for less."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError


def requested_fields(request, known: tuple[str, ...]) -> set[str] | None:
    """The fields named in ?fields=a,b (None: all of them); an unknown name is a 400."""
    raw = request.query_params.get("fields")
    if raw is None:
        return None
    names = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = sorted(names - set(known))
    if unknown or not names:
        raise ValidationError({"fields": [f"Unknown field(s): {', '.join(unknown) or '(none)'}. "
                                          f"Known: {', '.join(known)}."]})
    return names


def only(representation: dict, fields: set[str] | None) -> dict:
    if fields is None:
        return representation
    return {key: value for key, value in representation.items() if key in fields}


def parameter(known: tuple[str, ...]) -> OpenApiParameter:
    return OpenApiParameter(
        "fields", str, description=(
            "Comma-separated fields to return, e.g. fields=id,uid,text,evidence_counts; "
            "leaving out evidence, reviews or versions also saves their queries. "
            f"Known: {', '.join(known)}."))
