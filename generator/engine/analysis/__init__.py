"""The offline, rule-based English analyzer: requirements text in, AppSpec out.

No network, no model, no key: sentences are tagged with word lists and read with a handful of
clause patterns (see reader.py). Anything that is not empty or too long gives a valid AppSpec;
text the rules cannot read gives a smaller spec with warnings and a low confidence, never an
exception. LLM analyzers, which return the same AppSpec, live elsewhere.
"""

from __future__ import annotations

from generator.engine.analysis import appname, build, reader
from generator.engine.analysis.entities import Findings
from generator.engine.analysis.text import sentences
from generator.engine.events import CancelToken
from generator.engine.spec import AppSpec

MAX_REQUIREMENTS_CHARS = 20_000

__all__ = ["MAX_REQUIREMENTS_CHARS", "AnalysisError", "analyze", "requirements_problem"]


class AnalysisError(ValueError):
    """The requirements cannot be analysed at all (empty or too long)."""


def requirements_problem(text: str) -> str | None:
    """Why ``text`` would be refused as requirements (empty, too long, no domain content), or
    None. Callers that take text from people (forms, the API) check it before starting a run."""
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
    problem = requirements_problem(text)
    if problem:
        raise AnalysisError(problem)
    lines = sentences(text)
    phrase = appname.app_phrase(lines)
    findings = Findings(domain=appname.domain_words(phrase, lines))
    reader.read(lines, findings)
    app_name = name.strip() if name and name.strip() else appname.app_name(phrase)
    return build.build(findings, name=app_name, description=description or _summary(text))


def _summary(text: str) -> str:
    return " ".join(text.split())[:300]
