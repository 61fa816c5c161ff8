#!/bin/sh
# Container start: bring the schema up to date, load the seed data, then run the image's
# command (gunicorn, see the Dockerfile's CMD) in this process's place.
set -eu

python manage.py migrate --no-input

# Loading the seed again rewrites the seed rows to what the fixtures say (loaddata saves raw,
# so no history entry records it). Set LOAD_FIXTURES=0 once the database holds real curation.
if [ "${LOAD_FIXTURES:-1}" = "1" ]; then
    python manage.py loaddata evidence_types sigma1r_als
fi

exec "$@"
