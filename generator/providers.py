"""The web app's side of the model providers: per-project choice, keys, budget, runs, the check.

The engine (generator/engine/providers/) reads requirements with a model and says what it cost;
this module decides which model a project's run may use and with whose key, refuses runs over
the owner's monthly budget, wraps ``read_requirements`` into the pipeline's analyzer (streaming
the model's progress into the run's events, recording tokens, cost and any fallback on the run),
and runs the local model check for the settings page.

Keys: the project owner's stored key (accounts.ProviderKey, decrypted only here, only to build
the request); the operator's environment keys only when TAKOSS_PROVIDER_ENV_KEYS allows. A key
never reaches an event, a log line, an error message or a template.
"""

from __future__ import annotations

import calendar
import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Sum
from django.utils import timezone

from accounts import crypto
from accounts.models import ProviderKey
from generator.engine.events import Cancelled, CancelToken, Event, EventSink, EventType
from generator.engine.pipeline import Analyzer, default_analyzer
from generator.engine.providers import (
    DEFAULT_CATALOG,
    PROVIDERS,
    ModelCatalog,
    ModelCheck,
    ModelInfo,
    ModelProgress,
    ModelUsage,
    ProviderConfig,
    ProviderConfigError,
    check_model,
    estimate_request,
    read_requirements,
)
from generator.engine.providers.config import (
    DEFAULT_MODELS,
    KEY_VARIABLES,
    OFFLINE,
    OPENAI_COMPATIBLE,
    PROVIDER_LABELS,
)
from generator.engine.spec import AppSpec
from generator.models import PROVIDER_CHOICES, Generation, Project, SpecVersion

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.4  # seconds between two "Reading with …" events of one run
SETTINGS_ANCHOR = "/accounts/settings/#model-providers"


class BudgetExceededError(Exception):
    """The owner has spent their monthly budget with model providers; offline runs still go."""

    def __init__(self, *, spent: Decimal, budget: Decimal, resets_at: datetime) -> None:
        self.spent = spent
        self.budget = budget
        self.resets_at = resets_at
        super().__init__(
            f"This month's model budget is spent: ${spent:.2f} of ${budget:.2f}. Choose the "
            f"offline analyzer, or wait until {resets_at:%-d %B %Y} (an admin can raise your "
            "budget)."
        )


# --- choices and defaults ---------------------------------------------------------------------


def provider_choices() -> list[tuple[str, str]]:
    return list(PROVIDER_CHOICES)


def default_model(provider: str) -> str:
    return DEFAULT_MODELS.get(provider, "")


def catalog() -> ModelCatalog:
    """The engine's catalog with the prices of TAKOSS_MODEL_PRICES over it."""
    overrides: dict[str, ModelInfo] = {}
    for key, price in settings.TAKOSS_MODEL_PRICES.items():
        provider, _, model = key.partition(":")
        base = DEFAULT_CATALOG.info(provider, model.rstrip("*"))
        overrides[key] = replace(
            base, input_price=Decimal(price["input"]), output_price=Decimal(price["output"])
        )
    return DEFAULT_CATALOG.with_models(overrides) if overrides else DEFAULT_CATALOG


# --- keys -------------------------------------------------------------------------------------


def stored_key(user: User, provider: str) -> str | None:
    row = ProviderKey.objects.for_user(user).filter(provider=provider).first()
    if row is None:
        return None
    try:
        return crypto.decrypt(row.key_encrypted)
    except crypto.InvalidToken:
        # The encryption key changed without rotating: the person must save the key again.
        logger.warning("Provider key %s of user %s cannot be decrypted", row.pk, user.pk)
        return None


def environment_key(provider: str) -> str | None:
    if not settings.TAKOSS_PROVIDER_ENV_KEYS:
        return None
    return settings.TAKOSS_PROVIDER_API_KEYS.get(provider) or None


def api_key(user: User, provider: str) -> str | None:
    """The key a run of ``user``'s project sends: theirs, else the operator's if allowed."""
    return stored_key(user, provider) or environment_key(provider)


def _no_key_message(provider: str) -> str:
    where = f"add your {PROVIDER_LABELS[provider]} key in Settings → Model providers"
    if settings.TAKOSS_PROVIDER_ENV_KEYS:
        where += f" (or the operator sets {KEY_VARIABLES[provider]})"
    return f"No API key for {PROVIDER_LABELS[provider]}: {where} ({SETTINGS_ANCHOR})."


# --- validating a project's choice ------------------------------------------------------------


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an OpenAI-compatible server's address, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Give the server's http:// or https:// address, e.g. http://127.0.0.1:11434/v1."
    if parts.username or parts.password:
        return "Leave credentials out of the address; store a key in Settings instead."
    return None


def provider_clean(*, owner: User, provider: str, model: str, base_url: str) -> dict[str, str]:
    """The project's model choice, checked and with defaults filled, or ``ValidationError`` by
    field (``provider``, ``model``, ``base_url``). An empty provider means the site's default."""
    provider = (provider or settings.TAKOSS_DEFAULT_PROVIDER).strip()
    model, base_url = model.strip(), base_url.strip()
    if provider not in PROVIDERS:
        raise ValidationError(
            {"provider": f"Unknown provider “{provider}”: choose one of {', '.join(PROVIDERS)}."}
        )
    if provider == OFFLINE:
        return {"provider": OFFLINE, "model": "", "base_url": ""}
    errors: dict[str, str] = {}
    if provider == OPENAI_COMPATIBLE:
        base_url = base_url or settings.TAKOSS_OPENAI_COMPATIBLE_BASE_URL
        if not base_url:
            errors["base_url"] = (
                "Give the OpenAI-compatible server's address, e.g. http://127.0.0.1:11434/v1 "
                "for Ollama (Settings → Check a local model lists its models)."
            )
        elif problem := base_url_problem(base_url):
            errors["base_url"] = problem
        if not model:
            errors["model"] = "Name the model to use (Settings → Check a local model lists them)."
    else:
        base_url = ""
        if not api_key(owner, provider):
            errors["provider"] = _no_key_message(provider)
    if len(model) > Project._meta.get_field("model").max_length:  # type: ignore[operator]
        errors["model"] = "That model name is too long."
    if errors:
        raise ValidationError(errors)
    return {"provider": provider, "model": model or default_model(provider), "base_url": base_url}


def provider_config(*, owner: User, provider: str, model: str, base_url: str) -> ProviderConfig:
    """The engine's config for a run of ``owner``'s project (their key, the site's limits);
    ProviderConfigError when it cannot be used (no key, no address)."""
    if provider == OPENAI_COMPATIBLE:
        address = base_url or settings.TAKOSS_OPENAI_COMPATIBLE_BASE_URL or None
    else:
        address = None  # the provider's own
    return ProviderConfig(
        provider=provider,
        model=model,
        api_key=api_key(owner, provider),
        base_url=address,
        timeout=float(settings.TAKOSS_MODEL_TIMEOUT_SECONDS),
        max_retries=settings.TAKOSS_MODEL_RETRIES,
    ).checked()


def context_problem(
    *, owner: User, choice: dict[str, str], name: str, description: str, requirements: str
) -> str | None:
    """Why the requirements would not fit the chosen model's context window, or None: such a
    request is refused here, before a run starts, rather than sent."""
    if choice["provider"] == OFFLINE:
        return None
    config = provider_config(owner=owner, **choice)
    estimate = estimate_request(
        config, requirements, name=name, description=description, catalog=catalog()
    )
    if estimate.fits:
        return None
    needed = estimate.prompt_tokens + estimate.max_output_tokens
    return (
        f"Too long for {config.provider} {config.model}: reading it would need about "
        f"{needed:,} tokens (the text and up to {estimate.max_output_tokens:,} for the answer) "
        f"but the model's context window is {estimate.context_window:,}. Shorten the text, or "
        "choose a model with a larger window."
    )


# --- budget -----------------------------------------------------------------------------------


def month_start(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime | None = None) -> datetime:
    start = month_start(now)
    days = calendar.monthrange(start.year, start.month)[1]
    return month_start(start + timedelta(days=days))


def month_spend(user: User) -> Decimal:
    """What ``user``'s runs cost with model providers this calendar month, in USD."""
    total = Generation.objects.filter(
        project__owner=user, created_at__gte=month_start(), cost_usd__isnull=False
    ).aggregate(total=Sum("cost_usd"))["total"]
    return Decimal(total or 0)


def budget_check(*, user: User, provider: str) -> None:
    """Refuse (``BudgetExceededError``) a model run for ``user`` once their month is spent."""
    if provider in ("", OFFLINE):
        return
    spent, budget = month_spend(user), user.model_budget
    if spent >= budget:
        raise BudgetExceededError(spent=spent, budget=budget, resets_at=next_month_start())


def run_fields(*, project: Project, version: SpecVersion | None) -> dict[str, str]:
    """A new run's provider and model, after the budget check. A run that builds a version
    reads no requirements: it asks no model, costs nothing and is never refused."""
    if version is not None:
        return {}
    budget_check(user=project.owner, provider=project.provider)
    return {"provider": project.provider, "model": project.model}


# --- the run's analysis -----------------------------------------------------------------------


class ResequencedSink:
    """Numbers the run's events itself, so events from the model's reading can sit between
    the pipeline's (whose reporter numbers its own from 1)."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self._next = 1
        self._progress = 0
        self._lock = threading.Lock()

    def emit(self, event: Event) -> None:
        with self._lock:
            self._progress = event.progress
            self.sink.emit(replace(event, seq=self._next))
            self._next += 1

    def inject(self, type: EventType, phase: str, message: str, data: dict[str, Any]) -> None:
        with self._lock:
            event = Event(self._next, type, phase, message, self._progress, data, time.time())
            self.sink.emit(event)
            self._next += 1


class _ProgressRelay:
    """Takes the model's progress from inside its stream (an event loop, where the database
    may not be touched) and emits the newest as a ``phase_progress`` event from a thread of its
    own, at most one per PROGRESS_INTERVAL."""

    def __init__(self, sink: ResequencedSink, interval: float = PROGRESS_INTERVAL) -> None:
        self.sink = sink
        self.interval = interval
        self.latest: ModelProgress | None = None
        self.sent: tuple[int, int] | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="takoss-model-progress", daemon=True)

    def __call__(self, progress: ModelProgress) -> None:
        self.latest = progress

    def __enter__(self) -> _ProgressRelay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _loop(self) -> None:
        try:
            while not self.done.wait(self.interval):
                self._send()
            self._send()
        finally:
            connections.close_all()  # this thread's own connections

    def _send(self) -> None:
        progress = self.latest
        if progress is None or (progress.turn, progress.output_tokens) == self.sent:
            return
        self.sent = (progress.turn, progress.output_tokens)
        repair = f" (repair {progress.turn - 1})" if progress.turn > 1 else ""
        message = (
            f"Reading with {progress.provider} {progress.model}{repair}: "
            f"~{progress.output_tokens:,} tokens"
        )
        data = {
            "provider": progress.provider,
            "model": progress.model,
            "turn": progress.turn,
            "tokens": progress.output_tokens,
        }
        try:
            self.sink.inject(EventType.PHASE_PROGRESS, "analysis", message, data)
        except Exception:  # a missed progress line must not fail the run
            logger.exception("Could not record the model's progress")


@dataclass
class ModelReading:
    """What a run that reads with a model hands the pipeline: the sink and the analyzer."""

    sink: ResequencedSink
    analyzer: Analyzer


def model_reading(generation: Generation, sink: EventSink) -> ModelReading | None:
    """The analyzer for ``generation`` when it reads its requirements with a model, else None."""
    if not generation.used_model or generation.version_id is not None:
        return None
    project = generation.project
    resequenced = ResequencedSink(sink)

    def analyze(
        text: str,
        *,
        name: str | None = None,
        description: str = "",
        cancel: CancelToken | None = None,
    ) -> AppSpec:
        offline = default_analyzer()
        try:
            config = provider_config(
                owner=project.owner,
                provider=generation.provider,
                model=generation.model,
                base_url=project.base_url,
            )
        except ProviderConfigError as exc:  # e.g. the key was revoked after the run started
            return _fell_back(generation, offline(text, name=name, description=description,
                                                  cancel=cancel), str(exc))  # fmt: skip
        try:
            with _ProgressRelay(resequenced) as relay:
                reading = read_requirements(
                    config,
                    text,
                    name=name,
                    description=description,
                    cancel=cancel,
                    progress=relay,
                    catalog=catalog(),
                    offline=offline,
                )
        except Cancelled as exc:  # what was sent before the cancel was paid for: record it
            if (spent := getattr(exc, "usage", None)) is not None:
                _record_usage(generation, spent)
            raise
        _record_usage(generation, reading.usage)
        return reading.spec

    return ModelReading(resequenced, analyze)


def _record_usage(generation: Generation, usage: ModelUsage) -> None:
    Generation.objects.filter(pk=generation.pk).update(
        model=usage.model,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=usage.cost,
        fell_back=usage.fell_back,
        model_warning="\n".join(usage.warnings),
    )


def _fell_back(generation: Generation, spec: AppSpec, reason: str) -> AppSpec:
    label = PROVIDER_LABELS[generation.provider]
    warning = f"{label} was not used ({reason}); the offline analyzer read the text instead."
    Generation.objects.filter(pk=generation.pk).update(fell_back=True, model_warning=warning)
    return AppSpec.from_data({**spec.to_dict(), "warnings": [warning, *spec.warnings]})


def usage_summary(generation: Generation) -> dict[str, Any] | None:
    """The run's model and cost as the API and the pages show them (None: no model asked)."""
    if not generation.provider:
        return None
    return {
        "provider": generation.provider,
        "model": generation.model,
        "inputTokens": generation.input_tokens,
        "outputTokens": generation.output_tokens,
        "costUsd": str(generation.cost_usd) if generation.cost_usd is not None else None,
        "fellBack": generation.fell_back,
        "warning": generation.model_warning,
    }


# --- the local model check ----------------------------------------------------------------------


def model_check(*, user: User, base_url: str, model: str = "") -> ModelCheck:
    """Check an OpenAI-compatible server from this server, within TAKOSS_MODEL_CHECK_SECONDS.

    Raises ``ValidationError`` for an address that is not http(s). The person's stored
    OpenAI-compatible key, if any, is sent.
    """
    base_url, model = base_url.strip(), model.strip()
    if problem := base_url_problem(base_url):
        raise ValidationError({"base_url": problem})
    return check_model(
        base_url,
        model=model or None,
        api_key=stored_key(user, OPENAI_COMPATIBLE),
        time_limit=float(settings.TAKOSS_MODEL_CHECK_SECONDS),
        catalog=catalog(),
    )
