"""WSGI entry point, for tools that need one; serve Takoss with ASGI for live progress."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takoss.settings")

application = get_wsgi_application()
