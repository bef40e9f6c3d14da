# The Celery app is imported here so that tasks are bound to it whenever Django starts.
from .celery import app as celery_app

__all__ = ("celery_app",)
