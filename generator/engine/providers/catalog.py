"""What each model can take and what it costs: context windows, output limits, prices.

The defaults here are a starting point (USD per million tokens, list prices when this was
written); the Django settings override or extend them (:meth:`ModelCatalog.with_models`). A model
not listed gets its provider's defaults and no price: its cost is reported as unknown rather
than guessed. Token counts before sending are estimates (:func:`estimate_tokens`), deliberately
on the high side so a refusal happens here rather than as the provider's context error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.engine.providers.config import ANTHROPIC, GEMINI, OPENAI, OPENAI_COMPATIBLE

MILLION = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    context_window: int  # tokens in and out together
    max_output_tokens: int  # what Takoss asks the model to stay under
    input_price: Decimal | None = None  # USD per million input tokens
    output_price: Decimal | None = None  # USD per million output tokens

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelInfo:
        """From settings: {"context_window": 200000, "max_output_tokens": 16000,
        "input_price": "3", "output_price": "15"} (prices in USD per million tokens)."""
        prices = {
            key: Decimal(str(data[key])) if data.get(key) is not None else None
            for key in ("input_price", "output_price")
        }
        return cls(int(data["context_window"]), int(data["max_output_tokens"]), **prices)

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal | None:
        if self.input_price is None or self.output_price is None:
            return None
        total = input_tokens * self.input_price + output_tokens * self.output_price
        return (total / MILLION).quantize(Decimal("0.000001"))


def _info(window: int, output: int, price_in: str | None, price_out: str | None) -> ModelInfo:
    return ModelInfo(
        window,
        output,
        Decimal(price_in) if price_in is not None else None,
        Decimal(price_out) if price_out is not None else None,
    )


# Keyed "provider:model"; a key ending in "*" covers every model starting with what precedes it
# (the longest match wins), so dated snapshots share their family's entry.
DEFAULT_MODELS: dict[str, ModelInfo] = {
    "anthropic:claude-opus-4-5*": _info(200_000, 16_000, "5", "25"),
    "anthropic:claude-opus-4-6*": _info(200_000, 16_000, "5", "25"),
    "anthropic:claude-sonnet-4*": _info(200_000, 16_000, "3", "15"),
    "anthropic:claude-haiku-4-5*": _info(200_000, 16_000, "1", "5"),
    "openai:gpt-5*": _info(400_000, 16_000, "1.25", "10"),
    "openai:gpt-5-mini*": _info(400_000, 16_000, "0.25", "2"),
    "openai:gpt-5-nano*": _info(400_000, 16_000, "0.05", "0.40"),
    "openai:gpt-4.1*": _info(1_047_576, 16_000, "2", "8"),
    "openai:gpt-4.1-mini*": _info(1_047_576, 16_000, "0.40", "1.60"),
    "gemini:gemini-2.5-pro*": _info(1_048_576, 16_000, "1.25", "10"),
    "gemini:gemini-2.5-flash*": _info(1_048_576, 16_000, "0.30", "2.50"),
    "gemini:gemini-2.5-flash-lite*": _info(1_048_576, 16_000, "0.10", "0.40"),
}
# A model the table does not know: its provider's usual window, no price. Local servers are
# often started with a small context (Ollama's and LM Studio's default is 4,096): 8,192 is a
# guess to override with --context-window once the server's setting is known.
PROVIDER_DEFAULTS: dict[str, ModelInfo] = {
    ANTHROPIC: _info(200_000, 16_000, None, None),
    OPENAI: _info(128_000, 16_000, None, None),
    GEMINI: _info(1_048_576, 16_000, None, None),
    OPENAI_COMPATIBLE: _info(8_192, 4_096, "0", "0"),  # runs on your own machine: free
}


class ModelCatalog:
    def __init__(
        self,
        models: Mapping[str, ModelInfo] | None = None,
        provider_defaults: Mapping[str, ModelInfo] | None = None,
    ) -> None:
        self.models = dict(DEFAULT_MODELS if models is None else models)
        self.provider_defaults = dict(
            PROVIDER_DEFAULTS if provider_defaults is None else provider_defaults
        )

    def with_models(self, models: Mapping[str, ModelInfo | Mapping[str, Any]]) -> ModelCatalog:
        """This catalog with ``models`` (same keys as DEFAULT_MODELS; a ModelInfo or its
        from_dict form, as settings hold it) added or replaced."""
        added = {
            key: info if isinstance(info, ModelInfo) else ModelInfo.from_dict(info)
            for key, info in models.items()
        }
        return ModelCatalog({**self.models, **added}, self.provider_defaults)

    def info(self, provider: str, model: str) -> ModelInfo:
        exact = self.models.get(f"{provider}:{model}")
        if exact is not None:
            return exact
        best: tuple[int, ModelInfo] | None = None
        for key, info in self.models.items():
            if not key.endswith("*"):
                continue
            prefix = key[:-1]
            if f"{provider}:{model}".startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), info)
        if best is not None:
            return best[1]
        return self.provider_defaults[provider]


DEFAULT_CATALOG = ModelCatalog()


def estimate_tokens(text: str) -> int:
    """An upper-side guess of ``text``'s token count: three UTF-8 bytes a token (English prose
    runs about four characters a token, JSON and other scripts fewer)."""
    return math.ceil(len(text.encode("utf-8")) / 3)
