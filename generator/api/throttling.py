"""Per-user rate limits on the endpoints that start generations, and per-address ones on login.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (env: TAKOSS_API_GENERATE_RATE,
TAKOSS_API_AUTH_RATE). The blocking, the streaming and the regenerate endpoints share one
counter per user. The cap on concurrent runs is separate (services.ConcurrencyLimitError).
Addresses come from takoss.clientip (``X-Forwarded-For`` only from TAKOSS_TRUSTED_PROXIES), not
from DRF's own reading of the header, which believes any client.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from takoss.clientip import client_ip


class ClientAddressThrottle(SimpleRateThrottle):
    """A DRF throttle that counts anonymous callers by takoss.clientip's address."""

    def get_ident(self, request: Any) -> str:
        return client_ip(request)


class GenerateThrottle(ClientAddressThrottle, UserRateThrottle):
    scope = "generate"


class AuthThrottle(ClientAddressThrottle, AnonRateThrottle):
    """Login, register and refresh, counted per client address whoever the caller is."""

    scope = "auth"

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
