"""The example prompts Takoss offers (dashboard, wizard, GET /api/examples) each verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.engine.events import ListSink
from generator.engine.pipeline import GenerationRequest, generate
from generator.examples import EXAMPLES

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.key for example in EXAMPLES])
def test_every_offered_example_generates_a_verified_app(tmp_path: Path, example) -> None:
    result = generate(
        GenerationRequest(
            out_dir=tmp_path / example.key, name=example.name, requirements=example.requirements
        ),
        sink=ListSink(),
    )
    assert result.success, result.error
    assert result.spec is not None and result.verification is not None
    assert result.verification.passed and result.verification.tests_run > 0
    # An example that the analyzer only half understands would teach the wrong thing.
    assert len(result.spec.entities) >= 2, [e.name for e in result.spec.entities]
    assert result.spec.warnings == [], result.spec.warnings
