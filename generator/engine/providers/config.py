"""Which model to ask and how: the provider, the model, its key, its address, its limits.

A :class:`ProviderConfig` is plain data: the Django side builds one per run from the project's
choice and the person's stored key; the CLI builds one from its options and the environment
(:func:`config_from_env`). Keys never appear in ``repr``, in messages or in errors raised here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

OFFLINE = "offline"
ANTHROPIC = "anthropic"
OPENAI = "openai"
GEMINI = "gemini"
OPENAI_COMPATIBLE = "openai-compatible"
PROVIDERS = (OFFLINE, ANTHROPIC, OPENAI, GEMINI, OPENAI_COMPATIBLE)
MODEL_PROVIDERS = (ANTHROPIC, OPENAI, GEMINI, OPENAI_COMPATIBLE)

KEY_VARIABLES = {
    ANTHROPIC: "ANTHROPIC_API_KEY",
    OPENAI: "OPENAI_API_KEY",
    GEMINI: "GEMINI_API_KEY",
    OPENAI_COMPATIBLE: "TAKOSS_OPENAI_COMPATIBLE_API_KEY",  # optional: local servers need none
}
BASE_URL_VARIABLE = "TAKOSS_OPENAI_COMPATIBLE_BASE_URL"
# The model used when none is named. Names change often: the Django settings override these.
DEFAULT_MODELS = {
    ANTHROPIC: "claude-sonnet-4-6",
    OPENAI: "gpt-5-mini",
    GEMINI: "gemini-2.5-flash",
    OPENAI_COMPATIBLE: "",  # the server's first model (check_model lists them)
}
PROVIDER_LABELS = {
    OFFLINE: "the offline analyzer",
    ANTHROPIC: "Anthropic",
    OPENAI: "OpenAI",
    GEMINI: "Google Gemini",
    OPENAI_COMPATIBLE: "the OpenAI-compatible server",
}


class ProviderConfigError(ValueError):
    """The provider cannot be asked as configured (unknown, no key, no address)."""


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """One provider and model, with everything needed to call it.

    ``timeout`` is seconds per HTTP request (connect and each read); ``max_retries`` bounds
    the client's own retries of 429s, 5xx and dropped connections. ``context_window`` and
    ``max_output_tokens`` override the catalog's entry for this model.
    """

    provider: str
    model: str = ""
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    timeout: float = 120.0
    max_retries: int = 2
    context_window: int | None = None
    max_output_tokens: int | None = None

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ProviderConfigError(
                f"unknown provider {self.provider!r}; choose one of {', '.join(PROVIDERS)}"
            )

    def checked(self) -> ProviderConfig:
        """This config with its model defaulted, or ProviderConfigError saying what is missing."""
        if self.provider == OFFLINE:
            return self
        if self.provider != OPENAI_COMPATIBLE and not self.api_key:
            raise ProviderConfigError(
                f"no API key for {PROVIDER_LABELS[self.provider]}: set "
                f"{KEY_VARIABLES[self.provider]} (or choose --provider offline)"
            )
        if self.provider == OPENAI_COMPATIBLE and not self.base_url:
            raise ProviderConfigError(
                "the OpenAI-compatible provider needs the server's address: pass --base-url "
                f"(e.g. http://127.0.0.1:11434/v1 for Ollama) or set {BASE_URL_VARIABLE}"
            )
        model = self.model or DEFAULT_MODELS[self.provider]
        if not model:
            raise ProviderConfigError(
                "name the model to use with --model (takoss check-model --base-url URL lists "
                "the server's models)"
            )
        return replace(self, model=model)


def config_from_env(
    provider: str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    environ: Mapping[str, str] | None = None,
    **limits: float | int | None,
) -> ProviderConfig:
    """A config for ``provider`` with the key and address taken from the environment unless
    given: ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY, TAKOSS_OPENAI_COMPATIBLE_BASE_URL
    (and TAKOSS_OPENAI_COMPATIBLE_API_KEY for a server that wants one)."""
    env = os.environ if environ is None else environ
    if provider not in PROVIDERS:
        raise ProviderConfigError(
            f"unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}"
        )
    key = api_key or (env.get(KEY_VARIABLES[provider], "") if provider in KEY_VARIABLES else "")
    url = base_url or (env.get(BASE_URL_VARIABLE, "") if provider == OPENAI_COMPATIBLE else "")
    return ProviderConfig(
        provider=provider,
        model=model or "",
        api_key=key or None,
        base_url=url or None,
        **{k: v for k, v in limits.items() if v is not None},  # type: ignore[arg-type]
    )
