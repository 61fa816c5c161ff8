"""SQL queries per request, counted in-process with Django's test client.

    DJANGO_SETTINGS_MODULE=curation.settings python bench/queries.py PATH...

Run from the app's directory with the environment the server gets (same database and
settings). Each path is requested twice and the second request is counted, as a warm
worker would serve it (with API_CACHE=1 the first one fills the cache). Prints JSON:
{"app": <where the claims package was loaded from>, "paths": {path: {status, queries}}}.
"""

import json
import sys


def read(response, whole: bool = True):
    """A streamed response runs its queries as it is read: read it to the end (or, for the
    unmeasured first request, not at all: a download can take minutes)."""
    if response.streaming:
        if whole:
            for _ in response.streaming_content:
                pass
        response.close()
    return response


def main(paths: list[str]) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import claims

    client = Client(HTTP_HOST="127.0.0.1")
    counted = {}
    for path in paths:
        read(client.get(path), whole=False)
        with CaptureQueriesContext(connection) as captured:
            response = read(client.get(path))
        counted[path] = {"status": response.status_code, "queries": len(captured.captured_queries)}
    return {"app": claims.__file__, "paths": counted}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
