"""WSGI app for the API load benchmark: the product plus the bare comparison views."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdportfolio.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = "benchmarks.urls"
