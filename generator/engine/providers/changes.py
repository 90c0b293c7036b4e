"""Change requests read by a model: the current spec and a follow-up text in, the next spec out.

The model returns the whole next spec, what it changed in words, the renames it made (so the
next version's migration renames rather than drops) and questions. The answer passes the same
boundary as requirements (``AppSpec.from_data``) and the renames are checked against both specs;
invalid answers get the same repair turns, and after them (or when the provider fails) the
offline change reader (changes.read_change) reads the text, with a warning.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from generator.engine.events import CancelToken
from generator.engine.providers import wire
from generator.engine.providers.catalog import DEFAULT_CATALOG, ModelCatalog
from generator.engine.providers.config import OFFLINE, OPENAI_COMPATIBLE, ProviderConfig
from generator.engine.providers.prompts import (
    CHANGE_SYSTEM,
    change_message,
    change_schema,
    with_schema_text,
)
from generator.engine.providers.reading import (
    MAX_QUESTIONS,
    ModelUsage,
    Progress,
    ProviderError,
    _model_info,
    _price_warning,
    _strings,
    converse,
    fallback_warning,
)
from generator.engine.spec import AppSpec, SpecError
from generator.engine.versions import Renames


@dataclass(frozen=True, slots=True)
class ModelChange:
    spec: AppSpec  # the spec after the change
    renames: Renames  # from the given spec's names to the new ones
    usage: ModelUsage
    notes: list[str] = field(default_factory=list)  # what was done, in words
    unread: list[str] = field(default_factory=list)  # parts not understood (offline reader)
    questions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec.to_dict(),
            "renames": self.renames.to_dict(),
            "usage": self.usage.to_dict(),
            "notes": list(self.notes),
            "unread": list(self.unread),
            "questions": list(self.questions),
        }


def read_change_request(
    config: ProviderConfig,
    spec: AppSpec,
    text: str,
    *,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    catalog: ModelCatalog = DEFAULT_CATALOG,
    fallback: bool = True,
) -> ModelChange:
    """Read ``text`` as a change to ``spec`` with ``config``'s model (or offline).

    Raises ProviderConfigError, the offline reader's ChangeError (text it cannot read, when it
    is the one reading), Cancelled, and with ``fallback=False`` the model's ProviderError.
    """
    from generator.engine.changes import MAX_CHANGE_CHARS, ChangeError, read_change

    if len(text) > MAX_CHANGE_CHARS or not text.strip():
        return _offline(read_change(spec, text, cancel=cancel), OFFLINE, "")  # its own words
    config = config.checked()
    if config.provider == OFFLINE:
        return _offline(read_change(spec, text, cancel=cancel), OFFLINE, "")
    usage = ModelUsage(provider=config.provider, model=config.model)
    info = _model_info(config, catalog)
    schema = change_schema()
    system = CHANGE_SYSTEM
    if config.provider == OPENAI_COMPATIBLE:
        system = with_schema_text(system, schema)
    message = change_message(spec.to_json(indent=None), text)
    started = time.monotonic()
    try:
        new, renames, notes, questions = converse(
            config,
            info,
            wire.Turn(system, [wire.Message("user", message)], schema, info.max_output_tokens),
            lambda answer: _changed_spec(spec, answer),
            usage=usage,
            cancel=cancel,
            progress=progress,
        )
    except ProviderError as exc:
        usage.seconds = time.monotonic() - started
        usage.error = exc.reason
        _price_warning(usage, config, catalog)
        if not fallback:
            exc.usage = usage
            raise
        warning = fallback_warning(config, exc.reason).replace(
            "the offline analyzer read the text", "the offline change reader read the change"
        )
        usage.fell_back = True
        usage.warnings.append(warning)
        try:
            change = read_change(spec, text, cancel=cancel)
        except ChangeError as error:
            raise ChangeError(f"{warning} {error.message}") from None
        offline = _offline(change, config.provider, config.model)
        return ModelChange(
            offline.spec, offline.renames, usage, [warning, *offline.notes], offline.unread
        )
    usage.seconds = time.monotonic() - started
    _price_warning(usage, config, catalog)
    notes = [*notes, *(f"Question: {q}" for q in questions)]
    return ModelChange(new, renames, usage, notes, [], questions)


def _offline(change: Any, provider: str, model: str) -> ModelChange:
    usage = ModelUsage(provider=provider, model=model)
    return ModelChange(change.spec, change.renames, usage, list(change.notes), list(change.unread))


def _changed_spec(
    before: AppSpec, answer: dict[str, Any]
) -> tuple[AppSpec, Renames, list[str], list[str]]:
    data = answer.get("spec")
    if not isinstance(data, dict):
        raise SpecError(['"spec" must be a JSON object holding the whole changed specification'])
    data = {**data, "name": before.name, "slug": before.slug}  # a change never renames the app
    after = AppSpec.from_data(data)
    if not after.entities:
        raise SpecError(["the changed spec has no entities left; keep what the change leaves"])
    renames = Renames.from_dict(answer.get("renames") if isinstance(answer.get("renames"), dict)
                                else None)  # fmt: skip
    problems = _rename_problems(before, after, renames)
    if problems:
        raise SpecError(problems)
    notes = _strings(answer.get("changes"))
    questions = _strings(answer.get("questions"))[:MAX_QUESTIONS]
    if after.canonical_json() == before.canonical_json():
        notes.append("The model changed nothing in the spec.")
    return after, renames, notes, questions


def _rename_problems(before: AppSpec, after: AppSpec, renames: Renames) -> list[str]:
    problems = []
    for old, new in renames.entities.items():
        if before.entity(old) is None:
            problems.append(f"renames.entities: {old!r} is not an entity of the current spec")
        if after.entity(new) is None:
            problems.append(f"renames.entities: {new!r} is not an entity of the changed spec")
    for entity, mapping in renames.fields.items():
        now = after.entity(entity)
        was = before.entity(renames.entity_old_name(entity))
        if now is None or was is None:
            problems.append(f"renames.fields: {entity!r} is not an entity of both specs")
            continue
        for old, new in mapping.items():
            if was.field(old) is None:
                problems.append(f"renames.fields.{entity}: {old!r} is not a field it had")
            if now.field(new) is None:
                problems.append(f"renames.fields.{entity}: {new!r} is not a field it has")
    return problems
