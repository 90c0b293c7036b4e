"""Property tests: no text crashes the analyzer, and whatever it returns is a sound AppSpec."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.engine.analysis import MAX_REQUIREMENTS_CHARS, AnalysisError, analyze
from generator.engine.spec import USER, AppSpec

_VOCABULARY = """
a an the each every many several one users customers members admins teams team app system
platform page list data has have with contains belongs to can create edit delete manage track
place book order post comment review search filter sort upload export and or but where that
which who tasks task projects project orders order items order-items posts comments tags tag
categories category people person children statuses analyses classes class title name price
due date status priority description email url photo is_active published created at optional
unique ( ) , . ; : - / low medium high draft archived many-to-many one-to-one user profile
bio avatar notes quantity stock of for on in by it they there is are be assigned tagged
# ## * 1. **bold** `code`
"""
_WORDS = [*_VOCABULARY.split(), "\n", "\n- ", "\n## ", "\n\n"]
_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str) -> None:
    try:
        spec = analyze(text)
    except AnalysisError:
        assert not text.strip() or len(text) > MAX_REQUIREMENTS_CHARS
        return
    again = AppSpec.from_text(spec.to_json())
    assert again == spec
    assert again.warnings == spec.warnings
    assert 0.0 <= spec.confidence <= 1.0
    assert USER not in {e.name for e in spec.entities}
    known = {e.name for e in spec.entities} | {USER}
    assert all(r.source in known and r.target in known for r in spec.relationships)


@_SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _check(text)


@_SETTINGS
@given(st.lists(st.sampled_from(_WORDS), max_size=80))
def test_word_salad_never_crashes(words: list[str]) -> None:
    _check(" ".join(words))


@_SETTINGS
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40).map(" ".join))
def test_analysis_is_deterministic(text: str) -> None:
    try:
        first = analyze(text)
    except AnalysisError:
        return
    assert analyze(text) == first
