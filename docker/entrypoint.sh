#!/bin/sh
# Container start: bring the schema up to date, load the seed data, then run the image's
# command (gunicorn, see the Dockerfile's CMD) in this process's place.
set -eu

python manage.py migrate --no-input

# The seed goes into an empty database only: reloading it would undo curators' work on
# seeded rows without a trace.
python manage.py seed evidence_types sigma1r_als

exec "$@"
