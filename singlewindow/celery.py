import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "singlewindow.settings.local")

app = Celery("singlewindow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The pipeline's tasks live in the project package, which is not an installed app.
app.conf.imports = ("singlewindow.tasks",)
