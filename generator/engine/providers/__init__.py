"""Model providers: Anthropic, OpenAI, Google Gemini and OpenAI-compatible servers (Ollama, LM
Studio, vLLM, llama.cpp's server) reading requirements into the same AppSpec as the offline
analyzer, through the providers' official SDKs.

The interface callers use (the CLI, and the Django side with per-project choices and per-user
keys) is plain data in, plain data out:

- :class:`ProviderConfig` / :func:`config_from_env`: which provider and model, key, address;
- :func:`read_requirements` -> :class:`ModelReading` (spec, usage, questions), and
  :func:`model_analyzer`, the same as an analyzer for ``pipeline.generate(analyzer=…)``;
- :func:`read_change_request` -> :class:`ModelChange` (a change request against a spec);
- :func:`check_model` -> :class:`ModelCheck` (can this local model drive Takoss, how fast);
- :func:`estimate_request` -> :class:`RequestEstimate` (prompt size, fits, most it could cost);
- :class:`ModelCatalog`: context windows and prices, overridable from settings.

Keys are the caller's to store; this package only sends them. Budgets are the caller's too: the
usage record says what a call cost.
"""

from __future__ import annotations

from generator.engine.providers.catalog import (
    DEFAULT_CATALOG,
    ModelCatalog,
    ModelInfo,
    estimate_tokens,
)
from generator.engine.providers.changes import ModelChange, read_change_request
from generator.engine.providers.check import ModelCheck, check_model
from generator.engine.providers.config import (
    MODEL_PROVIDERS,
    PROVIDERS,
    ProviderConfig,
    ProviderConfigError,
    config_from_env,
)
from generator.engine.providers.reading import (
    ContextTooLong,
    ModelCancelled,
    ModelOutputInvalid,
    ModelProgress,
    ModelReading,
    ModelUsage,
    ProviderError,
    ProviderFailed,
    RequestEstimate,
    estimate_request,
    model_analyzer,
    read_requirements,
)

__all__ = [
    "DEFAULT_CATALOG",
    "MODEL_PROVIDERS",
    "PROVIDERS",
    "ContextTooLong",
    "ModelCancelled",
    "ModelCatalog",
    "ModelChange",
    "ModelCheck",
    "ModelInfo",
    "ModelOutputInvalid",
    "ModelProgress",
    "ModelReading",
    "ModelUsage",
    "ProviderConfig",
    "ProviderConfigError",
    "ProviderError",
    "ProviderFailed",
    "RequestEstimate",
    "check_model",
    "config_from_env",
    "estimate_request",
    "estimate_tokens",
    "model_analyzer",
    "read_change_request",
    "read_requirements",
]
