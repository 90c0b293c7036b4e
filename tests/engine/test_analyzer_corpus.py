"""The rule-based analyzer finds the entities and fields a careful reader lists, across a varied
corpus."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.engine.analysis import analyze
from generator.engine.analysis.evaluation import entity_key, evaluate, score
from generator.engine.spec import AppSpec, FieldType

CORPUS = Path(__file__).parent / "data" / "corpus.yaml"


def _corpus() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def test_corpus_is_large_and_varied() -> None:
    cases = _corpus()
    assert len(cases) >= 45
    assert len({c["id"] for c in cases}) == len(cases)
    assert sum(1 for c in cases if not c["entities"]) >= 3
    assert all(entity_key(n) != "user" for c in cases for n in c["entities"])


def test_entity_precision_and_recall_on_the_corpus() -> None:
    # Given the corpus, when every text is analysed, then entities match the hand-made lists.
    scores = score(_corpus(), analyze)
    report = "\n".join(f"{i}: missed {sorted(m)} extra {sorted(x)}" for i, m, x in scores.misses)
    assert scores.precision >= 0.90, report
    assert scores.recall >= 0.90, report


def test_corpus_annotates_fields_of_every_type() -> None:
    cases = _corpus()
    annotated = [c for c in cases if c.get("fields")]
    assert len(annotated) >= 25
    types = {t for c in annotated for fields in c["fields"].values() for kinds in fields.values()
             for t in kinds.split("|")}  # fmt: skip
    assert types == {t.value for t in FieldType}


def test_field_precision_recall_and_types_on_the_corpus() -> None:
    # Given the annotated fields, when every text is analysed, then the fields a reader lists
    # come out under the same names, with few extras, and almost always with the right type.
    fields = evaluate(_corpus(), analyze).fields
    report = "\n".join(f"{w}: missed {sorted(m)} extra {sorted(x)}" for w, m, x in fields.misses)
    report += "".join(f"\n{w}.{n}: {got}, expected {want}" for w, n, got, want in
                      fields.wrong_types)  # fmt: skip
    assert fields.recall >= 0.85, report
    assert fields.precision >= 0.85, report
    assert fields.type_accuracy >= 0.9, report


def test_takoss_examples_are_in_the_corpus_verbatim() -> None:
    texts = {c["id"]: " ".join(c["text"].split()) for c in _corpus()}
    assert texts["takoss-blog"].startswith("Create a blog application with user authentication")
    assert texts["takoss-tasks"].startswith("A task manager for small teams.")
    assert texts["takoss-store"].startswith("Build an online store.")


def test_field_scores_count_names_alternatives_renames_and_types() -> None:
    # Given a spec that renamed "type" and typed one field wrongly, and a case with alternatives
    case = {
        "id": "t",
        "text": "unused",
        "entities": ["Room"],
        "fields": {"Room": {"type": "enum", "nightly_rate": "decimal", "size|area": "float",
                            "floor": "integer"}},
    }  # fmt: skip
    spec = AppSpec.from_data(
        {
            "name": "T",
            "entities": [
                {
                    "name": "Room",
                    "fields": [
                        {
                            "name": "type",
                            "type": "enum",
                            "choices": [{"value": "single"}, {"value": "double"}],
                        },
                        {"name": "nightly_rate", "type": "string"},
                        {"name": "area", "type": "float"},
                        {"name": "colour", "type": "string"},
                    ],
                }
            ],
        }
    )
    # When it is scored
    fields = evaluate([case], lambda _text: spec).fields
    # Then three of four names match (one by alternative, one through the rename), one is extra,
    # and two of the three matched names have the annotated type
    room = spec.entity("Room")
    assert room is not None and room.field("type_value") is not None
    assert (fields.expected, fields.produced, fields.correct, fields.typed) == (4, 4, 3, 2)
    assert fields.misses == [("t/Room", {"floor"}, {"colour"})]
    assert fields.wrong_types == [("t/Room", "nightly_rate", "string", "decimal")]
