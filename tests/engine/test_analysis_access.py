"""Entities the text makes public, and only those: the analyzer's one rule about who reads."""

from __future__ import annotations

import pytest

from generator.engine.analysis import analyze
from generator.engine.analysis.access import public_entities
from generator.engine.spec import Access


@pytest.mark.parametrize(
    "clause",
    [
        "published posts are public",
        "posts are publicly visible",
        "anyone can browse the posts",
        "visitors can read posts without an account",
        "posts are visible to everyone",
    ],
)
def test_a_clause_saying_so_makes_the_entities_it_mentions_public(clause: str) -> None:
    clauses = [(clause, {"Post"}), ("authors write comments", {"Comment"})]
    assert public_entities(clauses, ["Comment", "Post"]) == ["Post"]


@pytest.mark.parametrize(
    "clause",
    [
        "posts are not public until they are published",
        "a calendar of public holidays",
        "only members can browse the posts",
        "posts are private",
    ],
)
def test_other_words_make_nothing_public(clause: str) -> None:
    assert public_entities([(clause, {"Post"})], ["Post"]) == []


def test_the_analysis_marks_public_entities_and_says_so() -> None:
    spec = analyze(
        "A blog where authors write posts with a title and a body. Published posts are public. "
        "Readers leave comments on posts."
    )

    access = {e.name: e.access for e in spec.entities}
    assert access["Post"] == Access.PUBLIC
    assert all(value == Access.AUTO for name, value in access.items() if name != "Post")
    assert "Post is public: anyone may read it, signed in or not (change it on the plan)." in (
        spec.notes
    )
