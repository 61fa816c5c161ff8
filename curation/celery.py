"""The Celery app: background work (webhook deliveries) on the Redis broker at REDIS_URL.

Run a worker with `make worker` (or the compose file's worker service). Settings come from
Django's, those named CELERY_*; tasks from each app's tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "curation.settings")

app = Celery("curation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
