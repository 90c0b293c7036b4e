"""The ER diagram: Graphviz's layout with crow's-foot ends, escaped text, the same bytes for the
same spec, a cache, clear errors without dot, and the generated project's docs/er.svg."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from generator.engine import diagram
from generator.engine.diagram import DiagramUnavailable, er_dot, er_svg
from generator.engine.spec import AppSpec
from generator.engine.stacks.base import RenderContext
from generator.engine.stacks.django import DjangoStack

SVG = "{http://www.w3.org/2000/svg}"
LONG = "a_field_name_far_too_long_for_any_box"
SPEC: dict[str, Any] = {
    "name": "Clinic",
    "entities": [
        {"name": "Owner", "fields": [{"name": "email", "type": "email"}]},
        {"name": "Pet", "fields": [{"name": LONG, "type": "string"}]},
        {"name": "Chip", "fields": [{"name": "code", "type": "string"}]},
        {"name": "Vet", "fields": []},
    ],
    "relationships": [
        {"kind": "many_to_one", "source": "Pet", "target": "Owner", "name": "owner"},
        {"kind": "one_to_one", "source": "Chip", "target": "Pet", "name": "pet"},
        {"kind": "many_to_many", "source": "Vet", "target": "Pet", "name": "patients"},
        {"kind": "many_to_one", "source": "Vet", "target": "User", "required": False},
    ],
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    diagram.clear_cache()
    yield
    diagram.clear_cache()


def edges(dot: str) -> dict[str, tuple[str, str]]:
    """(arrowtail, arrowhead) of each edge, by its id; the tail is the relationship's target."""
    found = {}
    for line in dot.splitlines():
        if "->" in line:
            attrs = dict(re.findall(r"(\w+)=(\w+)", line))
            found[attrs["id"]] = (attrs["arrowtail"], attrs["arrowhead"])
    return found


def test_each_kind_of_relationship_has_its_crows_foot_ends() -> None:
    ends = edges(er_dot(SPEC))

    assert ends["r0"] == ("teetee", "crowodot")  # many pets to exactly one owner
    assert ends["r1"] == ("teetee", "teeodot")  # a chip to exactly one pet, a pet to zero or one
    assert ends["r2"] == ("crowodot", "crowodot")  # many vets to many pets
    assert ends["r3"] == ("teeodot", "crowodot")  # an optional user: zero or one


def test_the_svg_has_a_box_per_entity_the_users_box_and_named_edges() -> None:
    root = ET.fromstring(er_svg(SPEC))

    nodes = root.findall(f".//{SVG}g[@class='node er-entity']")
    assert [n.get("data-entity") for n in nodes] == ["Owner", "Pet", "Chip", "Vet", "User"]
    user = nodes[-1]
    assert "(provided by the framework)" in "".join(user.itertext())
    relations = root.findall(f".//{SVG}g[@class='edge er-relation']")
    assert len(relations) == 4
    labels = [t.text for t in root.findall(f".//{SVG}text[@class='er-label']")]
    assert labels == ["\xa0owner\xa0", "\xa0pet\xa0", "\xa0patients\xa0"]
    # Crow's-foot shapes are drawn at the ends, and the odot circles for "zero".
    assert root.findall(f".//{SVG}g[@class='edge er-relation']/{SVG}ellipse[@class='er-end']")


def test_a_long_name_is_shortened_with_an_ellipsis_and_kept_whole_in_its_title() -> None:
    root = ET.fromstring(er_svg(SPEC))

    field = next(t for t in root.iter(f"{SVG}text") if (t.text or "").startswith("a_field"))
    assert field.text is not None and field.text.endswith("…") and len(field.text) < len(LONG)
    title = field.find(f"{SVG}title")
    assert title is not None and title.text == LONG

    named = {**SPEC, "relationships": [{**SPEC["relationships"][0], "name": LONG}]}
    label = ET.fromstring(er_svg(named)).find(f".//{SVG}text[@class='er-label']")
    assert label is not None and label.text is not None and "…" in label.text
    title = label.find(f"{SVG}title")
    assert title is not None and title.text == LONG


def test_the_svg_scales_and_carries_no_prolog_comment_or_fixed_size() -> None:
    svg = er_svg(SPEC)
    root = ET.fromstring(svg)

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="er-diagram" role="img"')
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert "width" not in root.attrib and "height" not in root.attrib
    assert len(root.get("viewBox", "").split()) == 4
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None


@pytest.mark.parametrize(
    "hostile",
    ["<script>alert(1)</script>", "a\"b'c&d", "back\\N\\slash", "x>]; y [label=<z>"],
)
def test_hostile_names_are_escaped_everywhere(hostile: str) -> None:
    spec = {
        "name": hostile,
        "entities": [
            {"name": hostile, "fields": [{"name": hostile, "type": hostile}]},
            {"name": "Other", "fields": []},
        ],
        "relationships": [{"source": "Other", "target": hostile, "name": hostile}],
    }

    svg = er_svg(spec)

    assert "<script" not in svg
    root = ET.fromstring(svg)  # well-formed: nothing broke out of its text
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    shown = hostile if len(hostile) <= diagram.MAX_NAME else hostile[: diagram.MAX_NAME - 1]
    assert any(shown in text for text in texts)
    assert [n.get("data-entity") for n in root.iter(f"{SVG}g") if n.get("data-entity")] == [
        hostile,
        "Other",
    ]


def test_the_same_spec_gives_the_same_bytes() -> None:
    first = er_svg(SPEC)
    diagram.clear_cache()  # lay it out again, not from the cache

    assert er_svg(SPEC) == first
    assert er_svg(SPEC, standalone=True) != first  # with its white ground


def test_layouts_are_cached_by_their_dot_text(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = diagram._run_dot

    def counting(dot: str) -> str:
        calls.append(dot)
        return real(dot)

    monkeypatch.setattr(diagram, "_run_dot", counting)
    er_svg(SPEC)
    er_svg({**SPEC, "features": [{"name": "Search"}]})  # the same picture
    assert len(calls) == 1

    er_svg({**SPEC, "entities": SPEC["entities"][:2]})
    assert len(calls) == 2

    monkeypatch.setattr(diagram, "CACHE_SIZE", 1)
    er_svg({**SPEC, "entities": SPEC["entities"][:1]})  # a third picture: the others go
    er_svg(SPEC)
    assert len(calls) == 4


def test_without_entities_there_is_no_diagram() -> None:
    assert er_svg({"name": "Empty", "entities": []}) == ""


def test_a_missing_dot_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)

    with pytest.raises(DiagramUnavailable) as error:
        er_svg(SPEC)

    assert "make setup" in str(error.value) and "apt-get install graphviz" in str(error.value)


def test_a_stuck_dot_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    def stuck(*args: object, **kwargs: object) -> None:
        assert kwargs["timeout"] == diagram.DOT_TIMEOUT
        raise subprocess.TimeoutExpired("dot", diagram.DOT_TIMEOUT)

    monkeypatch.setattr(diagram.subprocess, "run", stuck)

    with pytest.raises(DiagramUnavailable, match="longer than"):
        er_svg(SPEC)


def test_the_generated_project_documents_its_model_with_the_same_picture() -> None:
    spec = AppSpec.from_data(SPEC)
    ctx = RenderContext(generator_version="0.1.0", python_version="3.13", pins={})

    files = {f.path: f.content for f in DjangoStack().render_phase("database", spec, ctx)}

    assert files["docs/er.svg"] == er_svg(spec.to_dict(), standalone=True) + "\n"
    assert "![Entity-relationship diagram](er.svg)" in files["docs/er.md"]
    assert "```mermaid" in files["docs/er.md"]
