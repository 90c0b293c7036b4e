"""Can this local model drive Takoss? List an OpenAI-compatible server's models, ask the chosen
one for a tiny AppSpec under a time limit, validate it, and say how it went and how fast.

Local models often chat instead of answering in JSON, or run out of context: this check finds
out before anyone builds with one. It uses the same path as a real reading (read_requirements
with no fallback), so what passes here passes there.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from generator.engine.events import Cancelled, CancelToken
from generator.engine.providers import wire
from generator.engine.providers.catalog import DEFAULT_CATALOG, ModelCatalog
from generator.engine.providers.config import OPENAI_COMPATIBLE, ProviderConfig
from generator.engine.providers.reading import (
    ModelUsage,
    ProviderError,
    describe_error,
    read_requirements,
)

CHECK_REQUIREMENTS = (
    "A reading list: members keep books with a title, an author and a rating from 1 to 5."
)
DEFAULT_TIME_LIMIT = 120.0


@dataclass(slots=True)
class ModelCheck:
    base_url: str
    model: str
    models: list[str] = field(default_factory=list)  # what the server lists
    usable: bool = False  # it gave a valid AppSpec within the time limit
    seconds: float = 0.0
    tokens_per_second: float | None = None
    entities: list[str] = field(default_factory=list)  # what it read from the check's text
    problems: list[str] = field(default_factory=list)
    usage: ModelUsage | None = None

    @property
    def verdict(self) -> str:
        if self.usable:
            repairs = self.usage.repair_turns if self.usage else 0
            fixed = f" after {repairs} repair turn(s)" if repairs else ""
            speed = f", {self.tokens_per_second:.1f} tokens/s" if self.tokens_per_second else ""
            return (
                f"{self.model} can drive Takoss: a valid AppSpec{fixed} in "
                f"{self.seconds:.1f} s{speed}"
            )
        what = "; ".join(self.problems) or "no valid answer"
        return f"{self.model or 'the model'} cannot drive Takoss: {what}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "model": self.model,
            "models": list(self.models),
            "usable": self.usable,
            "seconds": round(self.seconds, 3),
            "tokens_per_second": self.tokens_per_second,
            "entities": list(self.entities),
            "problems": list(self.problems),
            "verdict": self.verdict,
            "usage": self.usage.to_dict() if self.usage else None,
        }


def check_model(
    base_url: str,
    *,
    model: str | None = None,
    api_key: str | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    context_window: int | None = None,
    catalog: ModelCatalog = DEFAULT_CATALOG,
    cancel: CancelToken | None = None,
) -> ModelCheck:
    """Check the server at ``base_url`` (its OpenAI-compatible root, e.g. ``…/v1``)."""
    config = ProviderConfig(
        provider=OPENAI_COMPATIBLE,
        model=model or "",
        api_key=api_key,
        base_url=base_url,
        timeout=time_limit,
        max_retries=0,
        context_window=context_window,
    )
    report = ModelCheck(base_url=base_url, model=model or "")
    try:
        report.models = asyncio.run(asyncio.wait_for(wire.list_models(config), time_limit))
    except Exception as exc:
        report.problems.append(f"cannot list the server's models: {describe_error(exc, config)}")
        if not model:
            return report
    if not model:
        if not report.models:
            report.problems.append("the server lists no model")
            return report
        report.model = report.models[0]
    elif report.models and model not in report.models:
        report.problems.append(
            f"the server does not list {model} (it lists {', '.join(report.models[:10])})"
        )
    config = replace(config, model=report.model)
    _ask(report, config, time_limit, catalog, cancel)
    return report


def _ask(
    report: ModelCheck,
    config: ProviderConfig,
    time_limit: float,
    catalog: ModelCatalog,
    cancel: CancelToken | None,
) -> None:
    token = CancelToken()
    timer = threading.Timer(time_limit, token.cancel, args=("time limit",))
    relay = threading.Thread(target=_relay, args=(cancel, token), daemon=True) if cancel else None
    timer.start()
    if relay is not None:
        relay.start()
    started = time.monotonic()
    try:
        reading = read_requirements(
            config, CHECK_REQUIREMENTS, cancel=token, catalog=catalog, fallback=False
        )
    except Cancelled:
        if cancel is not None and cancel.cancelled:
            raise
        report.problems.append(f"no valid answer within the time limit of {time_limit:g} s")
        return
    except ProviderError as exc:
        report.problems.append(exc.reason)
        report.usage = exc.usage
        return
    finally:
        report.seconds = time.monotonic() - started
        timer.cancel()
        token.cancel("check over")  # stops the relay thread
    report.usable = True
    report.usage = reading.usage
    report.entities = [entity.name for entity in reading.spec.entities]
    if report.seconds > 0 and reading.usage.output_tokens:
        report.tokens_per_second = round(reading.usage.output_tokens / report.seconds, 1)


def _relay(source: CancelToken, target: CancelToken) -> None:
    """Pass the caller's cancel on to the check's own token until the check is over."""
    while not target.cancelled:
        if source.wait(0.05):
            target.cancel(source.reason)
            return
