"""The entity-relationship diagram of a spec, laid out by Graphviz's ``dot``, as SVG.

One picture for the web pages and the generated project's docs/er.svg. The ``graphviz`` package
writes the DOT (its quoting); this module runs ``dot`` itself, because the package's ``pipe()``
takes no timeout and the live panel must never wait on a stuck layout. Each entity is an
HTML-like table (a name header, then one row per field with its type); relationships carry
crow's-foot ends (``crow`` many, ``tee`` one, ``odot`` optional) and their name as an edge label
that dot lays out with the nodes, so a label never lies on a box.

The SVG is post-processed once: no XML prolog, comments or fixed size (a viewBox only, so it
scales), a ``<title>`` for every shortened name, and classes (``er-box``, ``er-header``,
``er-name``, ``er-field``, ``er-type``, ``er-line``, ``er-end``, ``er-label``) so a page's CSS
can colour it; Graphviz's own colours stay as presentation attributes for a standalone file.
Text is escaped for DOT's HTML labels going in and by ElementTree coming out. Same spec and
same Graphviz, same bytes; recent results are kept in a small LRU cache keyed by the DOT text.
Whether a page shows an error or raises is the caller's business.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import graphviz

SVG_NS = "http://www.w3.org/2000/svg"
DOT_TIMEOUT = 10.0  # seconds; 60 entities (the most a spec has) with 120 links take about one
CACHE_SIZE = 32
MAX_FIELDS = 12  # rows per box; the rest is counted ("… 3 more")
MAX_NAME = 24  # characters of an entity, field or relationship name before the ellipsis
USER = "User"  # generator.engine.spec.USER; repeated so this module needs only plain data
# What each end of a relationship looks like. The edge runs from the target (the "one" side,
# drawn above) to the source; Graphviz draws the first shape of a name nearest the box.
ZERO_OR_MANY = "crowodot"
EXACTLY_ONE = "teetee"
ZERO_OR_ONE = "teeodot"
KIND_WORDS = {
    "many_to_one": "many to one",
    "one_to_one": "one to one",
    "many_to_many": "many to many",
}
# Marker colours: Graphviz paints with them, the post-processing turns each into a class (and
# keeps it as the colour a standalone file shows). Each one is used for one role only.
BOX_FILL, BOX_STROKE = "#ffffff", "#d0d7de"
HEADER_FILL, NAME_COLOUR = "#0969da", "#fffffe"
FIELD_COLOUR, TYPE_COLOUR = "#1f2328", "#59636e"
LINE_COLOUR, LABEL_COLOUR = "#57606a", "#24292f"
FONT = "DejaVu Sans Mono"
# Monospace fonts a browser may pick instead: none is wider than DejaVu Sans Mono (0.6 em), so
# text never runs out of the box dot measured for it.
FONT_STACK = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace"
CLASSES = {
    ("polygon", "fill", BOX_FILL): "er-box",
    ("polygon", "stroke", BOX_STROKE): "er-outline",
    ("polygon", "fill", HEADER_FILL): "er-header",
    ("text", "fill", NAME_COLOUR): "er-name",
    ("text", "fill", FIELD_COLOUR): "er-field",
    ("text", "fill", TYPE_COLOUR): "er-type",
    ("text", "fill", LABEL_COLOUR): "er-label",
    ("path", "stroke", LINE_COLOUR): "er-line",
}


class DiagramUnavailable(RuntimeError):
    """Graphviz is missing, failed or took too long: the message says which, and what to do."""


@dataclass(slots=True)
class _Box:
    node: str  # the DOT id: e0, e1… in spec order, never a user's word
    name: str
    rows: list[tuple[str, str]]  # (field name, type)
    note: str = ""  # for a box that is not one of the spec's entities
    more: int = 0


@dataclass(slots=True)
class _Drawing:
    dot: str
    titles: dict[str, str]  # DOT id -> the full words for the SVG's <title>
    shortened: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # id -> (shown, full)
    names: dict[str, str] = field(default_factory=dict)  # node id -> entity name


def er_svg(spec: Mapping[str, Any], *, standalone: bool = False) -> str:
    """The diagram of ``spec`` (an AppSpec as plain data) as SVG, or "" when it has no entities.

    ``standalone`` draws a white background, for a file opened on its own (a dark viewer would
    otherwise show dark text on dark). Raises DiagramUnavailable when ``dot`` cannot draw it.
    """
    drawing = _drawing(spec)
    if drawing is None:
        return ""
    raw = _layout(drawing.dot)
    title = f"Entity-relationship diagram of {spec.get('name') or 'the app'}"
    return _finish(raw, drawing, title=title, desc=_describe(spec), standalone=standalone)


def er_dot(spec: Mapping[str, Any]) -> str:
    """The DOT source that er_svg lays out ("" without entities): for debugging and tests."""
    drawing = _drawing(spec)
    return drawing.dot if drawing is not None else ""


# --- DOT ---------------------------------------------------------------------------------------


def _drawing(spec: Mapping[str, Any]) -> _Drawing | None:
    entities = _mappings(spec.get("entities"))
    if not entities:
        return None
    boxes: dict[str, _Box] = {}
    for entity in entities:
        name = str(entity.get("name") or "")
        if name in boxes:
            continue
        fields = _mappings(entity.get("fields"))
        rows = [(str(f.get("name") or ""), str(f.get("type") or "string")) for f in fields]
        boxes[name] = _Box(
            f"e{len(boxes)}", name, rows[:MAX_FIELDS], more=max(0, len(rows) - MAX_FIELDS)
        )
    relations = _mappings(spec.get("relationships"))
    for relation in relations:  # the framework's User, or a name the plan does not define yet
        for end in (str(relation.get("target") or ""), str(relation.get("source") or "")):
            if end and end not in boxes:
                note = "provided by the framework" if end == USER else "not described"
                boxes[end] = _Box(f"e{len(boxes)}", end, [], note=note)

    graph = graphviz.Digraph(
        "er",
        graph_attr={
            "rankdir": "TB",
            "nodesep": "0.5",
            "ranksep": "0.6",
            "pad": "0.15",
            "bgcolor": "transparent",
            "fontname": FONT,
        },
        node_attr={"shape": "none", "margin": "0", "fontname": FONT, "fontsize": "12"},
        edge_attr={
            "dir": "both",
            "color": LINE_COLOUR,
            "fontname": FONT,
            "fontsize": "11",
            "fontcolor": LABEL_COLOUR,
            "arrowsize": "0.9",
            "penwidth": "1.2",
        },
    )
    drawing = _Drawing(dot="", titles={})
    for box in boxes.values():
        label, shortened = _table(box)
        graph.node(box.node, label=label)
        drawing.titles[box.node] = box.name + (f" ({box.note})" if box.note else "")
        drawing.names[box.node] = box.name
        if shortened:
            drawing.shortened[box.node] = shortened
    for index, relation in enumerate(relations):
        source = boxes.get(str(relation.get("source") or ""))
        target = boxes.get(str(relation.get("target") or ""))
        if source is None or target is None:
            continue
        kind = str(relation.get("kind") or "many_to_one")
        name = str(relation.get("name") or "")
        tail, head = _ends(kind, required=relation.get("required", True) is not False)
        edge_id = f"r{index}"
        attrs = {"id": edge_id, "arrowtail": tail, "arrowhead": head}
        if name:
            shown = _short(name)
            # A space's width either side keeps neighbouring labels (two loops) apart.
            attrs["label"] = f"<&#160;{_html(shown)}&#160;>"
            if shown != name:
                drawing.shortened[edge_id] = [(f"\xa0{shown}\xa0", name)]
        graph.edge(target.node, source.node, **attrs)
        words = KIND_WORDS.get(kind, kind.replace("_", " "))
        drawing.titles[edge_id] = (
            f"{source.name} → {target.name}" + (f": {name}" if name else "") + f" ({words})"
        )
    drawing.dot = graph.source
    return drawing


def _ends(kind: str, *, required: bool) -> tuple[str, str]:
    """(the target's end, the source's end) in crow's-foot notation."""
    one = EXACTLY_ONE if required else ZERO_OR_ONE
    if kind == "many_to_many":
        return ZERO_OR_MANY, ZERO_OR_MANY
    if kind == "one_to_one":
        return one, ZERO_OR_ONE
    return one, ZERO_OR_MANY


def _table(box: _Box) -> tuple[str, list[tuple[str, str]]]:
    """An HTML-like label for ``box`` and the (shown, full) pairs of its shortened names."""
    shortened: list[tuple[str, str]] = []

    def shown(text: str) -> str:
        short = _short(text)
        if short != text:
            shortened.append((short, text))
        return _html(short)

    header = (
        f'<TR><TD COLSPAN="2" BGCOLOR="{HEADER_FILL}" CELLPADDING="6">'
        f'<FONT COLOR="{NAME_COLOUR}"><B>{shown(box.name)}</B></FONT></TD></TR>'
    )
    rows = [
        f'<TR><TD ALIGN="LEFT"><FONT COLOR="{FIELD_COLOUR}">{shown(name)}</FONT></TD>'
        f'<TD ALIGN="LEFT"><FONT COLOR="{TYPE_COLOUR}">{_html(_short(kind))}</FONT></TD></TR>'
        for name, kind in box.rows
    ]
    if box.note:
        rows.append(
            f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT COLOR="{TYPE_COLOUR}">'
            f"({_html(box.note)})</FONT></TD></TR>"
        )
    if box.more:
        rows.append(
            f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT COLOR="{TYPE_COLOUR}">'
            f"… {box.more} more</FONT></TD></TR>"
        )
    table = (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
        f'COLOR="{BOX_STROKE}" BGCOLOR="{BOX_FILL}">{header}{"".join(rows)}</TABLE>'
    )
    return f"<{table}>", shortened


def _short(text: str) -> str:
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def _html(text: str) -> str:
    """Text for a DOT HTML-like label: entities for the markup characters, and printable only."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
        .replace("\\", "&#92;")
    )


# --- dot ---------------------------------------------------------------------------------------

_cache: OrderedDict[str, str] = OrderedDict()
_cache_lock = threading.Lock()


def _layout(dot: str) -> str:
    """dot's SVG for ``dot``, from the cache when the same DOT was laid out lately."""
    key = hashlib.sha256(dot.encode()).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    svg = _run_dot(dot)
    with _cache_lock:
        _cache[key] = svg
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return svg


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _run_dot(dot: str) -> str:
    program = shutil.which("dot")
    if program is None:
        raise DiagramUnavailable(
            "Graphviz's dot program is not installed: run `make setup`, or install the Debian "
            "package yourself (apt-get install graphviz)."
        )
    try:
        done = subprocess.run(
            [program, "-Tsvg"],
            input=dot.encode(),
            capture_output=True,
            timeout=DOT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise DiagramUnavailable(f"Graphviz took longer than {DOT_TIMEOUT:g} s.") from error
    except OSError as error:
        raise DiagramUnavailable(f"Graphviz's dot could not start: {error}.") from error
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise DiagramUnavailable(
            f"Graphviz's dot failed: {reason[0] if reason else f'exit {done.returncode}'}."
        )
    return done.stdout.decode()


# --- SVG ---------------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{SVG_NS}}}{tag}"


def _finish(raw: str, drawing: _Drawing, *, title: str, desc: str, standalone: bool) -> str:
    ET.register_namespace("", SVG_NS)
    # Comments (Graphviz's version among them) and the prolog are dropped by the parser.
    source = ET.fromstring(raw.encode())
    view_box = _view_box(source.get("viewBox", ""))
    attributes = {"class": "er-diagram", "role": "img", "viewBox": view_box}
    width = float(view_box.split()[2])
    if width > 0:  # never wider than dot's size (points, 4/3 px): a small model stays crisp
        attributes["style"] = f"max-width: {round(width * 4 / 3)}px"
    root = ET.Element(_q("svg"), attributes)
    ET.SubElement(root, _q("title")).text = title
    ET.SubElement(root, _q("desc")).text = desc
    if standalone:
        ET.SubElement(root, _q("rect"), {"width": "100%", "height": "100%", "fill": "#ffffff"})
    for child in source:
        root.append(child)
    graph = root.find(_q("g"))
    if graph is not None:
        for old in graph.findall(_q("title")):  # "er", a tooltip over the whole picture
            graph.remove(old)
        for group in graph.findall(_q("g")):
            _finish_group(group, drawing)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _view_box(value: str) -> str:
    numbers = [float(n) for n in value.split()] if value else [0.0, 0.0, 0.0, 0.0]
    return " ".join(f"{n:g}" for n in numbers)


def _finish_group(group: ET.Element, drawing: _Drawing) -> None:
    kind = group.get("class", "")
    title = group.find(_q("title"))
    key = title.text if title is not None else None
    if kind == "edge":
        key = group.get("id")
    if title is not None and key in drawing.titles:
        title.text = drawing.titles[key]
    if kind == "node" and key in drawing.names:
        group.set("class", "node er-entity")
        group.set("data-entity", drawing.names[key])
    elif kind == "edge":
        group.set("class", "edge er-relation")
    queue = list(drawing.shortened.get(key or "", []))
    middle = ""
    for element in group.iter():
        tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
        name = _class_of(tag, element, in_edge=kind == "edge")
        if name:
            element.set("class", name)
        if name == "er-header":
            xs = [float(point.split(",")[0]) for point in element.get("points", "").split()]
            middle = f"{(min(xs) + max(xs)) / 2:g}" if xs else ""
        if tag == "text":
            element.set("font-family", FONT_STACK)
            if name == "er-name" and middle:  # centred in any font, not only dot's
                element.set("text-anchor", "middle")
                element.set("x", middle)
            if queue and element.text == queue[0][0]:
                ET.SubElement(element, _q("title")).text = queue.pop(0)[1]


def _class_of(tag: str, element: ET.Element, *, in_edge: bool) -> str:
    for attribute in ("fill", "stroke"):
        found = CLASSES.get((tag, attribute, (element.get(attribute) or "").lower()))
        if found:
            return found
    if in_edge and tag in {"polygon", "polyline", "ellipse"}:
        return "er-end"
    return ""


def _describe(spec: Mapping[str, Any]) -> str:
    names = ", ".join(str(e.get("name")) for e in _mappings(spec.get("entities")))
    relations = "; ".join(
        f"{r.get('source')} to {r.get('target')} "
        f"({KIND_WORDS.get(str(r.get('kind') or 'many_to_one'), '')})"
        for r in _mappings(spec.get("relationships"))
    )
    return f"Entities: {names}." + (f" Relationships: {relations}." if relations else "")


def _mappings(items: Iterable[Any] | None) -> list[Mapping[str, Any]]:
    return [item for item in items or [] if isinstance(item, Mapping)]
