"""ASGI entry point (daphne serves it; streaming needs ASGI).

Before serving its first request the process marks generations orphaned by a previous process
interrupted (generator/startup.py).
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takoss.settings")

django_application = get_asgi_application()

from generator.startup import RecoverOnFirstRequest  # noqa: E402  (needs the apps loaded)

application = RecoverOnFirstRequest(django_application)
