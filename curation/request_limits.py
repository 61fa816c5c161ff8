"""Query strings that no page can use are refused before any view runs, for every face.

A NUL (%00) cannot be sent to PostgreSQL, and the admin's list filters and autocomplete would
send it (a server error); a value of thousands of characters, or a search of hundreds of
words, makes SQLite give up ("LIKE or GLOB pattern too complex", "Expression tree is too
large") where PostgreSQL answers. Each is a 400 naming the parameter: in JSON under /api/, as
DRF words a field error, in plain text elsewhere.
"""

from django.http import HttpResponseBadRequest, JsonResponse

# The longest value a page reads: the similar-claims text (claims/api/serializers.py) is 2,000.
MAX_VALUE_LENGTH = 2000
# Searches: the API's ?search= and the admin's ?q=.
SEARCH_PARAMETERS = ("search", "q")
MAX_SEARCH_WORDS = 50


def problems(query) -> dict[str, list[str]]:
    """{parameter: [why]} for each parameter of a QueryDict that no page can use."""
    found = {}
    for name, values in query.lists():
        shown = name.encode("unicode_escape").decode()
        for value in values:
            if "\x00" in name or "\x00" in value:
                found[shown] = ["Null characters are not allowed."]
            elif len(value) > MAX_VALUE_LENGTH:
                found[shown] = [f"Longer than the {MAX_VALUE_LENGTH:,} characters a parameter may be."]
            elif name in SEARCH_PARAMETERS and len(value.split()) > MAX_SEARCH_WORDS:
                found[shown] = [f"A search of more than {MAX_SEARCH_WORDS} words."]
    return found


class QueryLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = problems(request.GET)
        if not found:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(found, status=400)
        lines = [f"{name}: {' '.join(why)}" for name, why in found.items()]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
