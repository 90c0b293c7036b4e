"""Requirements (and change requests) read by a model, validated like a pasted spec.

:func:`read_requirements` is the model-backed analyzer: it asks the configured provider for an
AppSpec through structured output, streams the answer (reporting tokens so far), and validates
it at the same boundary a pasted spec passes (``AppSpec.from_data``: names sanitised,
references and rules checked) plus one rule of the offline analyzer (an app stores something).
An answer that fails gets up to two repair turns carrying the problems; after that, or when the
provider cannot be reached, the offline analyzer reads the text and a warning names the
provider, the model and what failed (unless ``fallback=False``: then the error is raised).
A prompt that would not fit the model's context is refused before anything is sent.

Every call returns a :class:`ModelUsage` (tokens in and out as the provider counted them, the
cost from the catalog, repair turns, fallback) for the caller to record; the caller also owns
budgets and keys. Cancelling (the engine's CancelToken) closes the HTTP stream and raises the
engine's Cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.engine.events import Cancelled, CancelToken
from generator.engine.providers import wire
from generator.engine.providers.catalog import (
    DEFAULT_CATALOG,
    ModelCatalog,
    ModelInfo,
    estimate_tokens,
)
from generator.engine.providers.config import (
    OFFLINE,
    OPENAI_COMPATIBLE,
    PROVIDER_LABELS,
    ProviderConfig,
)
from generator.engine.providers.prompts import (
    REQUIREMENTS_SYSTEM,
    repair_message,
    requirements_message,
    requirements_schema,
    with_schema_text,
)
from generator.engine.spec import AppSpec, SpecError

MAX_REPAIR_TURNS = 2
MAX_QUESTIONS = 5
CANCEL_POLL_SECONDS = 0.05
MESSAGE_OVERHEAD_TOKENS = 16  # role markers and the like, per message

# --- what a call returns ---------------------------------------------------------------------


@dataclass(slots=True)
class ModelUsage:
    """What one reading cost, for the run's record and the person's budget."""

    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal | None = Decimal(0)  # USD; None when the catalog has no price for the model
    requests: int = 0  # turns sent (the first and the repairs)
    repair_turns: int = 0
    seconds: float = 0.0
    fell_back: bool = False  # the offline analyzer's reading was used instead
    error: str = ""  # what failed, when it fell back or raised
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost": str(self.cost) if self.cost is not None else None,
            "requests": self.requests,
            "repair_turns": self.repair_turns,
            "seconds": round(self.seconds, 3),
            "fell_back": self.fell_back,
            "error": self.error,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class ModelReading:
    spec: AppSpec
    usage: ModelUsage
    questions: list[str] = field(default_factory=list)  # for the person; also in spec.notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec.to_dict(),
            "usage": self.usage.to_dict(),
            "questions": list(self.questions),
        }


@dataclass(frozen=True, slots=True)
class ModelProgress:
    """Sent to the progress callback as the answer streams in."""

    provider: str
    model: str
    turn: int  # 1 for the first request, 2 and 3 for repairs
    output_tokens: int  # an estimate of the answer's tokens so far (from its length)
    characters: int


Progress = Callable[[ModelProgress], None]


# --- errors -------------------------------------------------------------------------------------


class ProviderError(Exception):
    """The model could not give a usable answer; ``reason`` says why, without any key.

    ``usage`` holds what was spent before it failed (a failed repair still cost tokens).
    """

    def __init__(self, config: ProviderConfig, reason: str, usage: ModelUsage | None = None):
        self.provider = config.provider
        self.model = config.model
        self.reason = reason
        self.usage = usage
        super().__init__(f"{PROVIDER_LABELS[config.provider]} model {config.model}: {reason}")


class ContextTooLong(ProviderError):
    """The prompt would overflow the model's context window: refused, nothing sent."""

    def __init__(self, config: ProviderConfig, *, needed: int, window: int, answer: int):
        self.needed = needed
        self.window = window
        reason = (
            f"the request would need about {needed:,} tokens (the prompt and up to {answer:,} "
            f"for the answer) but the model's context window is {window:,}; nothing was sent. "
            "Shorten the text, choose a model with a larger window, or give the window the "
            "server really has (--context-window)"
        )
        super().__init__(config, reason)


class ModelCancelled(Cancelled):
    """The engine's Cancelled, with what the cancelled reading had spent by then (the prompt of
    a turn already sent, the answer's tokens so far, estimated)."""

    def __init__(self, reason: str, usage: ModelUsage | None = None) -> None:
        super().__init__(reason)
        self.usage = usage


class ProviderFailed(ProviderError):
    """The request failed: unreachable, timed out, refused, rate limited, server error."""


class ModelOutputInvalid(ProviderError):
    """The answers (first and repairs) never passed validation."""

    def __init__(self, config: ProviderConfig, problems: list[str], usage: ModelUsage):
        self.problems = problems
        first = "; ".join(problems[:3])
        reason = f"its answer was still invalid after {usage.repair_turns} repair turn(s): {first}"
        super().__init__(config, reason, usage)


# --- reading requirements -----------------------------------------------------------------------

OfflineAnalyzer = Callable[..., AppSpec]


def read_requirements(
    config: ProviderConfig,
    text: str,
    *,
    name: str | None = None,
    description: str = "",
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    catalog: ModelCatalog = DEFAULT_CATALOG,
    fallback: bool = True,
    offline: OfflineAnalyzer | None = None,
) -> ModelReading:
    """Read ``text`` into an AppSpec with ``config``'s model (or offline, for "offline").

    Raises ProviderConfigError when the config is unusable (no key, no address), the offline
    analyzer's AnalysisError for text it refuses (empty, too long), ModelCancelled (the engine's
    Cancelled, with what was spent), and with
    ``fallback=False`` the ProviderError that stopped the model.
    """
    from generator.engine.analysis import AnalysisError, analyze

    offline_read = offline or analyze
    _check_text(text)
    config = config.checked()
    if config.provider == OFFLINE:
        spec = offline_read(text, name=name, description=description, cancel=cancel)
        return ModelReading(spec, ModelUsage(provider=OFFLINE, model=""))
    usage = ModelUsage(provider=config.provider, model=config.model)
    info = _model_info(config, catalog)

    def validate(answer: dict[str, Any]) -> tuple[AppSpec, list[str]]:
        return _requirements_spec(answer, name=name, description=description)

    started = time.monotonic()
    try:
        spec, questions = converse(
            config,
            info,
            requirements_turn(config, info, text, name=name, description=description),
            validate,
            usage=usage,
            cancel=cancel,
            progress=progress,
        )
    except ModelCancelled:
        usage.seconds = time.monotonic() - started
        usage.error = "cancelled"
        _price_warning(usage, config, catalog)
        raise
    except ProviderError as exc:
        usage.seconds = time.monotonic() - started
        usage.error = exc.reason
        _price_warning(usage, config, catalog)
        if not fallback:
            exc.usage = usage
            raise
        warning = fallback_warning(config, exc.reason)
        usage.fell_back = True
        usage.warnings.append(warning)
        try:
            spec = offline_read(text, name=name, description=description, cancel=cancel)
        except AnalysisError as error:  # say both: the model failed and the rules refuse
            raise AnalysisError(f"{warning} {error}") from None
        spec = AppSpec.from_data({**spec.to_dict(), "warnings": [warning, *spec.warnings]})
        return ModelReading(spec, usage)
    usage.seconds = time.monotonic() - started
    _price_warning(usage, config, catalog)
    return ModelReading(spec, usage, questions)


def requirements_turn(
    config: ProviderConfig, info: ModelInfo, text: str, *, name: str | None, description: str
) -> wire.Turn:
    system = REQUIREMENTS_SYSTEM
    schema = requirements_schema()
    if config.provider == OPENAI_COMPATIBLE:
        system = with_schema_text(system, schema)  # small servers may ignore response_format
    message = requirements_message(text, name=name, description=description)
    return wire.Turn(system, [wire.Message("user", message)], schema, info.max_output_tokens)


@dataclass(frozen=True, slots=True)
class RequestEstimate:
    """What reading a text would take, known before anything is sent (for budgets and forms)."""

    prompt_tokens: int  # estimated, on the high side
    max_output_tokens: int
    context_window: int
    max_cost: Decimal | None  # USD if every turn (the first and both repairs) used its limit

    @property
    def fits(self) -> bool:
        return self.prompt_tokens + self.max_output_tokens <= self.context_window


def estimate_request(
    config: ProviderConfig,
    text: str,
    *,
    name: str | None = None,
    description: str = "",
    catalog: ModelCatalog = DEFAULT_CATALOG,
) -> RequestEstimate:
    """The prompt size and the most a reading of ``text`` could cost with ``config``'s model.

    Repairs resend the conversation with the answer and the problems, so each is counted as
    the prompt plus the answers so far.
    """
    config = config.checked()
    info = _model_info(config, catalog)
    turn = requirements_turn(config, info, text, name=name, description=description)
    prompt = prompt_tokens(turn, config.provider)
    turns = 1 + MAX_REPAIR_TURNS
    answer = info.max_output_tokens
    sent = sum(prompt + i * answer for i in range(turns))
    return RequestEstimate(prompt, answer, info.context_window, info.cost(sent, turns * answer))


def model_analyzer(
    config: ProviderConfig,
    *,
    on_reading: Callable[[ModelReading], None] | None = None,
    on_usage: Callable[[ModelUsage], None] | None = None,
    progress: Progress | None = None,
    catalog: ModelCatalog = DEFAULT_CATALOG,
    fallback: bool = True,
    offline: OfflineAnalyzer | None = None,
) -> Callable[..., AppSpec]:
    """An analyzer for ``pipeline.generate(analyzer=…)`` that reads with ``config``'s model.

    ``on_reading`` receives each reading (spec, usage, questions); ``on_usage`` receives what
    each call spent, also when it failed without fallback (a failed repair was paid for too).
    """

    def analyze(
        text: str,
        *,
        name: str | None = None,
        description: str = "",
        cancel: CancelToken | None = None,
    ) -> AppSpec:
        try:
            reading = read_requirements(
                config,
                text,
                name=name,
                description=description,
                cancel=cancel,
                progress=progress,
                catalog=catalog,
                fallback=fallback,
                offline=offline,
            )
        except (ProviderError, ModelCancelled) as exc:
            if on_usage is not None and exc.usage is not None:
                on_usage(exc.usage)
            raise
        if on_usage is not None:
            on_usage(reading.usage)
        if on_reading is not None:
            on_reading(reading)
        return reading.spec

    return analyze


def fallback_warning(config: ProviderConfig, reason: str) -> str:
    return (
        f"{PROVIDER_LABELS[config.provider]} model {config.model} was not used ({reason}); "
        "the offline analyzer read the text instead."
    )


def _check_text(text: str) -> None:
    from generator.engine.analysis import MAX_REQUIREMENTS_CHARS, AnalysisError

    if not text or not text.strip():
        raise AnalysisError("The requirements are empty: describe the app you want.")
    if len(text) > MAX_REQUIREMENTS_CHARS:
        raise AnalysisError(
            f"The requirements are {len(text):,} characters long; "
            f"the limit is {MAX_REQUIREMENTS_CHARS:,}."
        )


def _requirements_spec(
    answer: dict[str, Any], *, name: str | None, description: str
) -> tuple[AppSpec, list[str]]:
    data = answer.get("spec")
    if not isinstance(data, dict):
        raise SpecError(['"spec" must be a JSON object holding the app\'s specification'])
    questions = _strings(answer.get("questions"))[:MAX_QUESTIONS]
    data = dict(data)
    data["slug"] = ""  # derived from the name, by the same rule as every spec's
    if name and name.strip():
        data["name"] = name.strip()
    if description:
        data["description"] = description
    notes = _strings(data.get("notes"))
    data["notes"] = [*notes, *(f"Question: {q}" for q in questions)]
    spec = AppSpec.from_data(data)
    if not spec.entities:
        raise SpecError(
            ["the spec has no entities: name the things the app stores, each with its fields"]
        )
    return spec, questions


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def _price_warning(usage: ModelUsage, config: ProviderConfig, catalog: ModelCatalog) -> None:
    info = catalog.info(config.provider, config.model)
    usage.cost = info.cost(usage.input_tokens, usage.output_tokens)
    if usage.cost is None and usage.requests:
        usage.warnings.append(
            f"No price is known for {config.provider} model {config.model}: its cost was not "
            "computed (add it to the price table)."
        )


# --- the conversation ----------------------------------------------------------------------------


def _model_info(config: ProviderConfig, catalog: ModelCatalog) -> ModelInfo:
    info = catalog.info(config.provider, config.model)
    return ModelInfo(
        context_window=config.context_window or info.context_window,
        max_output_tokens=config.max_output_tokens or info.max_output_tokens,
        input_price=info.input_price,
        output_price=info.output_price,
    )


def prompt_tokens(turn: wire.Turn, provider: str) -> int:
    """The estimated prompt size of ``turn``: instructions, messages and the schema (a local
    server turns the schema into a grammar, so there it counts only as written in the prompt)."""
    total = estimate_tokens(turn.system)
    total += sum(estimate_tokens(m.text) + MESSAGE_OVERHEAD_TOKENS for m in turn.messages)
    if provider != OPENAI_COMPATIBLE:
        total += estimate_tokens(json.dumps(turn.schema, separators=(",", ":")))
    return total


def check_context(config: ProviderConfig, info: ModelInfo, turn: wire.Turn) -> None:
    needed = prompt_tokens(turn, config.provider) + turn.max_output_tokens
    if needed > info.context_window:
        raise ContextTooLong(
            config, needed=needed, window=info.context_window, answer=turn.max_output_tokens
        )


def converse[T](
    config: ProviderConfig,
    info: ModelInfo,
    turn: wire.Turn,
    validate: Callable[[dict[str, Any]], T],
    *,
    usage: ModelUsage,
    cancel: CancelToken | None,
    progress: Progress | None,
) -> T:
    """Ask, validate, and repair up to MAX_REPAIR_TURNS times; ``validate`` raises SpecError
    (its messages go back to the model) or returns the result."""
    messages = list(turn.messages)
    problems: list[str] = []
    for attempt in range(1 + MAX_REPAIR_TURNS):
        current = wire.Turn(turn.system, messages, turn.schema, turn.max_output_tokens)
        check_context(config, info, current)
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            output = run_turn(
                config, current, cancel=cancel, progress=progress, turn_number=attempt + 1
            )
        except ModelCancelled as exc:
            received = exc.usage.output_tokens if exc.usage else 0
            usage.requests += 1
            usage.input_tokens += prompt_tokens(current, config.provider)
            usage.output_tokens += (received + 3) // 4
            raise ModelCancelled(str(exc), usage) from None
        usage.requests += 1
        usage.input_tokens += output.input_tokens or prompt_tokens(current, config.provider)
        usage.output_tokens += output.output_tokens or estimate_tokens(output.text)
        answer, problems = parse_answer(output.text, output.stop_reason)
        if answer is not None:
            try:
                return validate(answer)
            except SpecError as exc:
                problems = list(exc.messages)
        if attempt == MAX_REPAIR_TURNS:
            break
        usage.repair_turns += 1
        messages += [
            wire.Message("assistant", output.text or "(no answer)"),
            wire.Message("user", repair_message(problems)),
        ]
    raise ModelOutputInvalid(config, problems, usage)


_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def parse_answer(text: str, stop_reason: str = "") -> tuple[dict[str, Any] | None, list[str]]:
    """The answer object, or None and what is wrong with it. Tolerates code fences and prose
    around the object (small local models add both)."""
    cleaned = _FENCE.sub("", text.strip())
    if not cleaned:
        return None, ["the answer was empty: answer with the JSON object"]
    data: Any = None
    try:
        data = json.loads(cleaned)
    except json.JSONDecodeError as exc:
        start, end = cleaned.find("{"), cleaned.rfind("}")
        if start != -1 and end > start:
            with contextlib.suppress(json.JSONDecodeError):
                data = json.loads(cleaned[start : end + 1])
        if data is None:
            cut = " (the answer was cut off at the output limit)" if _truncated(stop_reason) else ""
            return None, [f"the answer is not valid JSON: {exc.msg} at character {exc.pos}{cut}"]
    if not isinstance(data, dict):
        return None, ["the answer must be a JSON object with the keys the schema names"]
    if "spec" not in data and ("entities" in data or "name" in data):
        data = {"spec": data, "questions": []}  # a bare spec: accept it as the answer's spec
    return data, []


def _truncated(stop_reason: str) -> bool:
    return stop_reason.lower() in {"max_tokens", "length", "max_output_tokens", "2"}


# --- one turn, cancellable -----------------------------------------------------------------------


def run_turn(
    config: ProviderConfig,
    turn: wire.Turn,
    *,
    cancel: CancelToken | None,
    progress: Progress | None,
    turn_number: int = 1,
) -> wire.TurnOutput:
    """Stream one turn in a private event loop; a cancel closes the stream at once."""
    received = 0

    def on_text(piece: str) -> None:
        nonlocal received
        received += len(piece)
        if progress is not None:
            progress(
                ModelProgress(
                    provider=config.provider,
                    model=config.model,
                    turn=turn_number,
                    output_tokens=(received + 3) // 4,
                    characters=received,
                )
            )

    async def main() -> wire.TurnOutput:
        task = asyncio.ensure_future(wire.stream_turn(config, turn, on_text))
        while True:
            done, _pending = await asyncio.wait({task}, timeout=CANCEL_POLL_SECONDS)
            if done:
                return task.result()
            if cancel is not None and cancel.cancelled:
                task.cancel()  # unwinds the SDK's `async with`: the connection is closed
                await asyncio.wait({task}, timeout=1.0)
                partial = ModelUsage(config.provider, config.model, output_tokens=received)
                raise ModelCancelled(cancel.reason, partial)  # characters, for converse

    try:
        return _run_coroutine(main)
    except Cancelled:
        raise
    except Exception as exc:  # every SDK error, worded without the key
        raise ProviderFailed(config, describe_error(exc, config)) from None


def _run_coroutine[R](main: Callable[[], Coroutine[Any, Any, R]]) -> R:
    """``asyncio.run(main())``, in a helper thread when this one already runs an event loop
    (an async view calling in): blocking, but never "cannot be called from a running loop"."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="takoss-model") as pool:
        return pool.submit(lambda: asyncio.run(main())).result()


def describe_error(exc: BaseException, config: ProviderConfig) -> str:
    """A short account of a failed request: the kind, the HTTP status and the provider's own
    message, with the key blanked out wherever it might appear."""
    status = getattr(exc, "status_code", None) or getattr(exc, "code", None)
    name = type(exc).__name__
    where = config.base_url or "the provider"
    if "Timeout" in name or isinstance(exc, TimeoutError):
        text = f"no answer within {config.timeout:g} s (timed out)"
    elif "Connect" in name:
        text = f"could not connect to {where}"
    elif isinstance(status, int) and status == 429:
        text = "rate limited or out of quota (HTTP 429)"
    elif isinstance(status, int) and status in (401, 403):
        text = f"the key was refused (HTTP {status})"
    elif isinstance(status, int) and status >= 400:
        text = f"HTTP {status}: {_provider_message(exc)}"
    else:
        text = f"{name}: {exc}"
    return _without_key(text, config)[:400]


def _provider_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
    message = getattr(exc, "message", None)
    return str(message if isinstance(message, str) else exc)


def _without_key(text: str, config: ProviderConfig) -> str:
    key = config.api_key
    if key and len(key) >= 4:
        text = text.replace(key, "[key]")
    return text
