"""The OpenAPI schema documents every answer an operation can give, not only its success:
a client generated from it must know the refusals too."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken

from claims.api.serializers import RefusesUnknownFields

_DETAIL = inline_serializer("Problem", {"detail": serializers.CharField()})
# Keys are the fields or parameters at fault (non_field_errors for the whole body), not one fixed name.
_FIELDS = {"type": "object", "description": "Messages per field or parameter",
           "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}},
                                              {"type": "object"}, {"type": "string"}]}}
_WRITES = ("POST", "PUT", "PATCH", "DELETE")


class CurationSchema(AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # These bodies answer a field they do not know with a 400 naming it: the schema says
        # so, and a client generated from it cannot send a misspelt one.
        if direction == "request" and isinstance(force_instance(serializer), RefusesUnknownFields):
            schema["additionalProperties"] = False
        return schema

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        view, method = self.view, self.method
        is_detail = "{" in self.path
        conditional = hasattr(view, "check_if_match")

        def add(code, serializer, description):
            if code not in bodies:
                body = (self._get_response_for_code(serializer, code, direction=direction)
                        if serializer else {})
                if "content" in body:
                    # Refusals are JSON, also where the success is another media type.
                    schema = next(iter(body["content"].values()))
                    body["content"] = {media: schema for media in [*body["content"], "application/json"]}
                bodies[code] = {**body, "description": description}

        add("400", _FIELDS, "The request is malformed; nothing was changed. Messages name "
                            "the parameter or field.")
        add("401", _DETAIL, "Credentials are missing or not understood.")
        if method in _WRITES:
            add("403", _DETAIL, "Your role does not allow this (or the four-eyes rule).")
            add("409", _DETAIL, "The object's state does not allow this now; the message "
                                "names the state and what is possible.")
        if isinstance(view, ObtainAuthToken):
            add("429", _DETAIL, "Too many failed sign-ins for this account or from this address: "
                                "refused for LOGIN_COOLOFF_MINUTES, even with the right password.")
        if is_detail:
            add("404", _DETAIL, "No such object, or not one you may see.")
        if conditional and method == "GET" and is_detail:
            add("304", None, "Not modified: the copy whose ETag you sent in If-None-Match "
                             "is current.")
        if conditional and method in _WRITES and is_detail:
            add("412", _DETAIL, "If-Match named a copy that is no longer current; nothing "
                                "was changed.")
            add("428", _DETAIL, "This deployment requires If-Match on writes "
                                "(API_REQUIRE_IF_MATCH).")
        return bodies
