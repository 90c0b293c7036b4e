"""Parsers for the model-provider settings (README "Model providers in the web app").

settings.py calls these once; each fails fast with ImproperlyConfigured naming the variable.
Nothing here imports the engine: settings load before any app, and the engine's provider package
takes a second to import.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# The engine's generator.engine.providers.config.PROVIDERS, spelled out (tests check they agree).
PROVIDERS = ("offline", "anthropic", "openai", "gemini", "openai-compatible")
KEY_VARIABLES = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "openai-compatible": "TAKOSS_OPENAI_COMPATIBLE_API_KEY",
}


def env_usd(name: str, default: str) -> Decimal:
    raw = os.environ.get(name, default).strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an amount of US dollars.") from None
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must be zero or more (US dollars).")
    return value


def env_provider_keys() -> dict[str, str]:
    """The operator's provider keys from the environment (used only when allowed)."""
    return {
        provider: key
        for provider, variable in KEY_VARIABLES.items()
        if (key := os.environ.get(variable, "").strip())
    }


def env_encryption_keys(name: str) -> list[str]:
    """Fernet keys, comma-separated, newest first (MultiFernet encrypts with the first)."""
    from cryptography.fernet import Fernet

    keys = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (32 url-safe base64-encoded bytes; "
                "make one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)."
            ) from None
    return keys


def env_model_prices(name: str) -> dict[str, dict[str, str]]:
    """``{"provider:model": {"input": "0.25", "output": "2"}}``, USD per million tokens; a key
    ending in ``*`` covers a model family, as in the engine's catalog."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        data: Any = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f'{name} must be a JSON object: {{"provider:model": {{…}}}}.')
    prices: dict[str, dict[str, str]] = {}
    for key, entry in data.items():
        provider = str(key).partition(":")[0]
        if provider not in KEY_VARIABLES or ":" not in str(key):
            raise ImproperlyConfigured(
                f"{name}: {key!r} must be 'provider:model' with a provider among "
                f"{', '.join(KEY_VARIABLES)}."
            )
        if not isinstance(entry, dict) or not {"input", "output"} <= set(entry):
            raise ImproperlyConfigured(
                f'{name}: {key!r} needs {{"input": …, "output": …}} (USD per million tokens).'
            )
        try:
            values = {part: Decimal(str(entry[part])) for part in ("input", "output")}
        except InvalidOperation:
            raise ImproperlyConfigured(f"{name}: {key!r} has a price that is not a number.") from (
                None
            )
        if any(v < 0 for v in values.values()):
            raise ImproperlyConfigured(f"{name}: {key!r} has a negative price.")
        prices[str(key)] = {part: str(value) for part, value in values.items()}
    return prices
