#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "curation.settings")
    if "SECRET_KEY" not in os.environ and "DEBUG" not in os.environ:
        # A machine with no secret configured is a developer's: management commands run in
        # local mode there, and say so. The servers (wsgi.py, asgi.py) get no such default,
        # so a deployment without SECRET_KEY still refuses to start.
        os.environ["DEBUG"] = "1"
        print("SECRET_KEY is not set: running in local mode (DEBUG on, a development key). "
              "Set SECRET_KEY, or DEBUG=0 to refuse, for anything else.", file=sys.stderr)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
