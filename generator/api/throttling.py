"""Per-user rate limits on the endpoints that start generations, and per-address ones on login.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (env: TAKOSS_API_GENERATE_RATE,
TAKOSS_API_AUTH_RATE). The blocking, the streaming and the regenerate endpoints share one
counter per user. The cap on concurrent runs is separate (services.ConcurrencyLimitError).
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class GenerateThrottle(UserRateThrottle):
    scope = "generate"


class AuthThrottle(AnonRateThrottle):
    """Login, register and refresh, counted per client address whoever the caller is."""

    scope = "auth"

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
