# The Celery app is loaded with Django, so that tasks are sent through it (curation/celery.py).
from curation.celery import app as celery_app

__all__ = ("celery_app",)
