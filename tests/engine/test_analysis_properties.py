"""Property tests: whatever text comes in, up to the size limit, the analyzer gives a sound AppSpec
or refuses it with AnalysisError, never anything else, and it does so in seconds, not minutes.

The time bound here is a generous guard against the blow-ups of the old analyzer (minutes on a
few kilobytes of separators); the one-second goal itself is measured in bench/analyzer_speed.py.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.engine.analysis import MAX_REQUIREMENTS_CHARS, AnalysisError, analyze
from generator.engine.spec import USER, AppSpec

LIMIT = MAX_REQUIREMENTS_CHARS
GUARD_SECONDS = 5.0
_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_WORDS = """
a an the each every many several one users customers members admins team app system platform
list has have with contains belongs to can create edit delete manage track place book order
post comment review tag and or but where that which who tasks projects orders items posts tags
categories people children title name price due date status priority description email photo
low medium high quantity of for on in by it they is are as I want so want
""".split()
_SEPARATORS = ["a:", "a,", "I ", "a - ", "- a\n", "* a\n", "1. a\n", ": ", ", ", "; ", "—", "(",
               ")", "\n", "#", "## a\n", "a/", "&", "+", "...", "a (b, c) "]  # fmt: skip


def _fill(piece: str, count: int) -> str:
    return (piece * count)[:LIMIT]


repeated_separators = st.builds(
    _fill, st.sampled_from(_SEPARATORS), st.integers(min_value=1, max_value=LIMIT)
)
comma_lists = st.builds(
    lambda head, words, count: (head + ", ".join(words * count))[:LIMIT],
    st.sampled_from(["", "crm: ", "Tasks have ", "Users create ", "- "]),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=3_000),
)
deep_parentheses = st.builds(
    lambda depth, inner: ("(" * depth + inner + ")" * depth)[:LIMIT],
    st.integers(min_value=1, max_value=LIMIT // 2),
    st.sampled_from(["x", "tasks", "low, medium, high", ""]),
)
layouts = st.builds(
    lambda line, count: _fill(line, count),
    st.sampled_from([
        "Tasks:\n- title\n- due date\n",
        "## Projects\n- name: - a - b\n",
        "a: b: c: d - e - f\n",
        "* * * - - - : : :\n",
        "As a user, I want to create tasks, so that I can plan.\n",
        "As a , I want to ,\n",
    ]),
    st.integers(min_value=1, max_value=2_000),
)  # fmt: skip
huge_words = st.builds(
    lambda letters, size: (letters * size)[:size],
    st.sampled_from(["x", "ab", "Task", "é", "日本", "🎉", "a-b", "a_b"]),
    st.integers(min_value=1, max_value=LIMIT),
)
word_salad = st.lists(st.sampled_from([*_WORDS, *_SEPARATORS]), max_size=400).map(" ".join)
# Varied words repeated up to the limit: every piece is worth parsing, the most work per character.
salad_at_the_limit = st.lists(
    st.sampled_from([*_WORDS, *_SEPARATORS]), min_size=20, max_size=200
).map(lambda words: _fill(" ".join(words) + ". ", LIMIT))
unicode_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=LIMIT
)
any_text = st.one_of(
    st.text(max_size=LIMIT),
    unicode_text,
    word_salad,
    salad_at_the_limit,
    repeated_separators,
    comma_lists,
    deep_parentheses,
    layouts,
    huge_words,
)


def _check(text: str) -> bool:
    """Whether the text was analysed (rather than refused), after checking what came back."""
    started = time.perf_counter()
    try:
        spec = analyze(text)
    except AnalysisError as refused:
        assert str(refused)
        spec = None
    elapsed = time.perf_counter() - started
    assert elapsed < GUARD_SECONDS, f"{elapsed:.1f} s for {len(text)} characters"
    if spec is None:
        return False
    assert AppSpec.from_text(spec.to_json()) == spec
    assert 0.0 <= spec.confidence <= 1.0
    names = {e.name for e in spec.entities}
    assert USER not in names
    assert all(r.source in names and r.target in names | {USER} for r in spec.relationships)
    return True


def _record(text: str, analysed: bool) -> None:
    """What the examples were, for --hypothesis-show-statistics."""
    event(f"{'analysed' if analysed else 'refused'}, {len(text) // 5_000 * 5}k+ characters")


@_SETTINGS
@given(any_text)
def test_any_text_gives_a_sound_spec_or_a_refusal_within_seconds(text: str) -> None:
    _record(text, _check(text))


@settings(_SETTINGS, max_examples=25)
@given(
    st.one_of(
        salad_at_the_limit, repeated_separators, deep_parentheses, huge_words, comma_lists, layouts
    )
)
def test_adversarial_shapes_at_any_size_within_seconds(text: str) -> None:
    _record(text, _check(text))


@pytest.mark.parametrize("piece", _SEPARATORS)
def test_separators_filling_the_whole_limit_are_refused_quickly(piece: str) -> None:
    assert not _check(_fill(piece, LIMIT))


def test_one_character_over_the_limit_is_refused_for_its_length() -> None:
    text = ("Users create projects with a title. " * 600)[: LIMIT + 1]
    with pytest.raises(AnalysisError, match="the limit is 20,000"):
        analyze(text)
