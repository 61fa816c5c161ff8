# The curation service: gunicorn on port 8000, static files served by whitenoise.
# Run it with docker compose (docker-compose.yml, docs/deployment.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The project and its dependencies, from pyproject.toml (README.md is part of its metadata).
COPY pyproject.toml README.md ./
COPY curation/ curation/
COPY claims/ claims/
RUN pip install . && rm -rf build ./*.egg-info

COPY manage.py gunicorn.conf.py ./
COPY fixtures/ fixtures/
COPY docker/entrypoint.sh docker/entrypoint.sh

# Hashed, compressed static files for whitenoise (DEBUG off selects the manifest storage).
# The settings refuse to load without a real SECRET_KEY (50+ characters, 5+ different): this throwaway one exists for this
# command only and is not kept in the image.
RUN SECRET_KEY=collectstatic-at-build-time-only-never-served-nor-kept-in-the-image DEBUG=0 python manage.py collectstatic --no-input

# Code and static files stay owned by root: the service reads them and writes nothing here.
# Its home is the one writable place (gunicorn keeps its control socket in ~/.gunicorn).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
       --shell /usr/sbin/nologin app \
    && install -d -o 10001 -g 10001 /var/lib/curation/releases
USER 10001:10001
# Data releases (release_curation) are kept for ever: compose mounts a volume here.
ENV RELEASES_ROOT=/var/lib/curation/releases

# gunicorn reads its worker count from WEB_CONCURRENCY; override it in the environment.
ENV WEB_CONCURRENCY=3
EXPOSE 8000

# /healthz answers 200 when the database answers; 127.0.0.1 must stay in ALLOWED_HOSTS.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# migrate, load the seed fixtures, then exec the command below.
ENTRYPOINT ["/bin/sh", "/app/docker/entrypoint.sh"]
CMD ["gunicorn", "curation.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
