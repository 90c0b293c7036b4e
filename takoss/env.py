"""Reads the environment once, with typed helpers that fail fast on bad values.

Settings call these; nothing else in Takoss reads os.environ for configuration.
"""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is too small; the minimum is {minimum}.")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        allowed = ", ".join(choices)
        raise ImproperlyConfigured(f"{name}={value!r} is not supported; use one of {allowed}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_PERIODS = "s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?"
_RATE = re.compile(rf"^\s*([1-9][0-9]*)\s*/\s*({_PERIODS})\s*$")


def env_rate(name: str, default: str) -> str:
    """A request rate such as ``30/hour`` (DRF's throttle format: N per second/minute/hour/day)."""
    raw = os.environ.get(name, default)
    match = _RATE.match(raw)
    if match is None:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate; write it as N/second, N/minute, N/hour or N/day."
        )
    return f"{match.group(1)}/{match.group(2)}"
