"""WSGI entry point (gunicorn posc.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posc.settings")

application = get_wsgi_application()
