"""The offline analyzer: requirements text in, AppSpec out, on a real English parser.

No network and no key: spaCy's small English pipeline (a pinned registry package) gives
sentences, tags, lemmas and a dependency parse (nlp.py); document.py cuts the text into units
and keeps its layout (headings, bullets, user stories); reading.py applies the modelling rules to
each parse; modelling.py decides entities, roles, links and validations and says what it left
out. The work is bounded (a token budget, linear pre-processing) and honours a cancel token.

Text with no domain content is refused with AnalysisError; anything else gives a valid AppSpec
with warnings and notes. LLM analyzers return the same AppSpec and fall back to this one.
"""

from __future__ import annotations

import textwrap
import threading
from collections import OrderedDict

from generator.engine import naming
from generator.engine.analysis import access, document, features, hints, modelling, nlp, pages
from generator.engine.analysis.evidence import Evidence
from generator.engine.analysis.reading import UnitReader, mark_app_phrase
from generator.engine.events import CancelToken
from generator.engine.spec import AppSpec, Entity, FeatureCategory, SpecError

MAX_REQUIREMENTS_CHARS = 20_000
FALLBACK_NAME = "My App"
NO_DOMAIN = (
    "No app could be read from this text: it names nothing the app would store. Describe the "
    "things your app keeps and who uses it, e.g. 'A task manager where users create projects; "
    "each project has tasks with a title, a due date and a priority'."
)
_ACRONYMS = frozenset({"crm", "hr", "lms", "erp", "iot", "cms", "api", "faq", "pos", "rsvp"})
_QUALITY = frozenset({"simple", "small", "nice", "basic", "new", "good", "great", "easy",
                      "modern", "little", "full", "complete", "whole", "my", "our"})  # fmt: skip

__all__ = ["MAX_REQUIREMENTS_CHARS", "AnalysisError", "analyze", "requirements_problem"]


class AnalysisError(ValueError):
    """The requirements cannot be analysed (empty, too long, or no domain content)."""


def requirements_problem(text: str) -> str | None:
    """Why ``text`` would be refused as requirements (empty, too long, no domain content), or
    None. Callers that take text from people (forms, the API) check it before starting a run."""
    problem = _size_problem(text)
    if problem:
        return problem
    try:
        analyze(text)
    except AnalysisError as exc:
        return str(exc)
    return None


def _size_problem(text: str) -> str | None:
    if not text or not text.strip():
        return (
            "The requirements are empty: describe the app you want, e.g. 'A task manager where "
            "users create projects and each project has tasks with a due date'."
        )
    if len(text) > MAX_REQUIREMENTS_CHARS:
        return (
            f"The requirements are {len(text):,} characters long; "
            f"the limit is {MAX_REQUIREMENTS_CHARS:,}."
        )
    return None


def analyze(
    text: str,
    *,
    name: str | None = None,
    description: str = "",
    cancel: CancelToken | None = None,
) -> AppSpec:
    """Read plain-English requirements into an AppSpec.

    Raises AnalysisError for text that cannot be read (see requirements_problem) and the
    engine's Cancelled when ``cancel`` is set while the text is being read.
    """
    problem = _size_problem(text)
    if problem:
        raise AnalysisError(problem)
    data = _cached(text, cancel)
    app_name = name.strip() if name and name.strip() else str(data["name"])
    data = {k: v for k, v in data.items() if not k.startswith("_")}
    data = {**data, "name": app_name, "description": description or _summary(text)}
    try:
        return AppSpec.from_data(data)
    except (SpecError, ValueError) as exc:  # a rule made something the spec refuses: smaller
        warnings = [*data["warnings"], f"The analysis was simplified: {exc}"]
        return AppSpec(
            name=app_name, description=data["description"], confidence=0.1, warnings=warnings
        )


_cache: OrderedDict[str, dict] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 16


def confidence_signals(text: str) -> list[float]:
    """The signals the confidence of ``text``'s reading is computed from (for calibration)."""
    return list(_cached(text, None)["_signals"])


def _cached(text: str, cancel: CancelToken | None) -> dict:
    """Analysis is deterministic, so the form's check and the run share one reading."""
    with _cache_lock:
        if text in _cache:
            _cache.move_to_end(text)
            return _cache[text]
    data = _read(text, cancel)
    with _cache_lock:
        _cache[text] = data
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def _read(text: str, cancel: CancelToken | None) -> dict:
    doc = document.split(text)
    units = doc.units
    parsed = list(nlp.parse([u.text for u in units], cancel=cancel))
    parsed = [nlp.reread_verbless(d) if i < nlp.REREAD_LIMIT else d for i, d in enumerate(parsed)]
    evidence = Evidence(stories=doc.stories)
    phrase: list[str] = []
    for parse in parsed[:2]:
        phrase = phrase or mark_app_phrase(parse, evidence)
    story = 0
    for unit, parse in zip(units, parsed, strict=False):
        if cancel is not None:
            cancel.raise_if_cancelled()
        UnitReader(evidence, unit, story if unit.kind == "story" else None).read(parse)
        story += unit.kind == "story"
    model = modelling.decide(evidence)
    assumed = modelling.assume_app_defaults(evidence) if not model.entities else []
    if assumed:
        model = modelling.decide(evidence)
    if not model.entities:
        raise AnalysisError(NO_DOMAIN)
    warnings = _warnings(model, assumed, read=len(parsed), units=len(units), doc=doc)
    entities = modelling.entity_data(model)
    names = [e["name"] for e in entities]
    to_name = {k: naming.to_pascal(k.replace("_", " ")) for k in evidence.things}
    clauses = [(t, {to_name[k] for k in keys if k in to_name}) for t, keys in evidence.clauses]
    found = features.detect(clauses, names)
    public = access.public_entities(clauses, names)
    for entity in entities:
        if entity["name"] in public:
            entity["access"] = "public"
    relationships = modelling.relationship_data(model)
    if any(r["target"] == "User" for r in relationships) and not any(
        f.category == FeatureCategory.AUTHENTICATION for f in found
    ):
        found.insert(0, _auth_feature())
    has = {f.category for f in found}
    specs = [Entity.model_validate({"name": e["name"], "fields": e["fields"]}) for e in entities]
    plan = pages.plan(specs, authentication=FeatureCategory.AUTHENTICATION in has,
                      analytics=FeatureCategory.ANALYTICS in has)  # fmt: skip
    return {
        "name": _app_name(phrase, units),
        "entities": entities,
        "relationships": relationships,
        "roles": modelling.role_data(model),
        "features": [f.model_dump() for f in found],
        "pages": [p.model_dump() for p in plan],
        "warnings": warnings,
        "notes": [*model.notes, *(access.public_note(name) for name in public)],
        "confidence": modelling.confidence(model, doc.stories),
        "_signals": modelling.signals(model, doc.stories),
    }


def _warnings(
    model: modelling.Model, assumed: list[str], *, read: int, units: int, doc: document.Document
) -> list[str]:
    warnings = list(model.warnings)
    if assumed:
        warnings.insert(
            0,
            f"The text names only the kind of app, so {', '.join(assumed)} were assumed; "
            "describe what it stores to get the app you mean.",
        )
    if read < units:
        warnings.insert(0, f"The text is long: only its first {read} of {units} sentences "
                           "were read.")  # fmt: skip
    if doc.skipped:
        warnings.append(f"{doc.skipped} piece(s) of text with no words were skipped.")
    return warnings


def _app_name(phrase: list[str], units: list[document.Unit]) -> str:
    words = [w for w in phrase if w.lower() not in _QUALITY and any(c.isalpha() for c in w)]
    words = [w for w in words if w.lower() not in hints.APP_NOUNS]
    if not words and units and ":" in units[0].text[:60]:
        title = units[0].text.split(":", 1)[0].split()[-4:]
        words = [w for w in title if w.isalpha() and w.lower() not in hints.APP_NOUNS]
    if not words:
        return FALLBACK_NAME
    return " ".join(w.upper() if w.lower() in _ACRONYMS else w.capitalize() for w in words[-4:])


def _auth_feature() -> features.Feature:
    return features.Feature(
        name="User authentication",
        category=FeatureCategory.AUTHENTICATION,
        description="Sign up, log in and log out; records belong to their users.",
        priority=features.Priority.HIGH,
    )


def _summary(text: str) -> str:
    """The description: the text on one line, cut at a word with an ellipsis past 300 characters."""
    return textwrap.shorten(" ".join(text.split()), 300, placeholder=" …")
