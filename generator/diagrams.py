"""The entity-relationship diagram of a spec as a self-contained SVG (no JavaScript, no CDN).

Entities are boxes on a grid, each listing its fields; relationships are straight lines between
box edges, labelled with their cardinality and name. Colours come from the page's CSS variables
through classes, so the picture follows the light/dark theme. Every text is XML-escaped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

BOX_WIDTH = 210
HEADER = 28
ROW = 18
PADDING = 8
GAP_X = 90
GAP_Y = 70
MARGIN = 20
MAX_FIELDS = 12
CARDINALITY = {"many_to_one": "N : 1", "one_to_one": "1 : 1", "many_to_many": "N : M"}


@dataclass(frozen=True, slots=True)
class Box:
    name: str
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    def edge_point(self, toward: tuple[float, float]) -> tuple[float, float]:
        """Where the line from the centre toward ``toward`` leaves the box."""
        cx, cy = self.center
        dx, dy = toward[0] - cx, toward[1] - cy
        if dx == 0 and dy == 0:
            return cx, cy
        scale = min(
            (self.width / 2) / abs(dx) if dx else math.inf,
            (self.height / 2) / abs(dy) if dy else math.inf,
        )
        return cx + dx * scale, cy + dy * scale


def er_diagram_svg(spec: dict[str, Any]) -> str:
    entities = list(spec.get("entities") or [])
    if not entities:
        return ""
    known = {str(e.get("name")) for e in entities}
    for relation in spec.get("relationships") or []:  # e.g. the framework's own User
        for end in (relation.get("source"), relation.get("target")):
            if end and end not in known:
                known.add(end)
                entities.append({"name": end, "fields": [], "builtin": True})
    boxes = _layout(entities)
    by_name = {box.name: box for box in boxes}
    width = max(box.x + box.width for box in boxes) + MARGIN
    height = max(box.y + box.height for box in boxes) + MARGIN
    title = f"Entity-relationship diagram of {spec.get('name', 'the app')}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="er-diagram" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-labelledby="er-title er-desc">',
        f'<title id="er-title">{escape(title)}</title>',
        f'<desc id="er-desc">{escape(_describe(spec))}</desc>',
    ]
    for relation in spec.get("relationships") or []:
        source, target = by_name.get(relation.get("source")), by_name.get(relation.get("target"))
        if source is not None and target is not None:
            parts.append(_relation(source, target, relation))
    parts.extend(_box(box) for box in boxes)
    parts.append("</svg>")
    return "".join(parts)


def _layout(entities: list[dict[str, Any]]) -> list[Box]:
    columns = max(1, math.ceil(math.sqrt(len(entities))))
    sized = []
    for entity in entities:
        fields = entity.get("fields") or []
        lines: list[str] = [
            f"{f.get('name', '')}: {f.get('type', '')}" for f in fields[:MAX_FIELDS]
        ]
        if entity.get("builtin"):
            lines = ["(provided by the framework)"]
        if len(fields) > MAX_FIELDS:
            lines.append(f"… {len(fields) - MAX_FIELDS} more")
        height = HEADER + PADDING + ROW * max(1, len(lines))
        sized.append((str(entity.get("name", "")), height, tuple(lines)))
    boxes, y = [], MARGIN
    for start in range(0, len(sized), columns):
        row = sized[start : start + columns]
        for index, (name, height, texts) in enumerate(row):
            x = MARGIN + index * (BOX_WIDTH + GAP_X)
            boxes.append(Box(name, x, y, BOX_WIDTH, height, texts))
        y += max(height for _, height, _ in row) + GAP_Y
    return boxes


def _box(box: Box) -> str:
    texts = "".join(
        f'<text class="er-field" x="{box.x + PADDING:.0f}" '
        f'y="{box.y + HEADER + PADDING + ROW * index + 10:.0f}">{escape(line)}</text>'
        for index, line in enumerate(box.lines)
    )
    return (
        f'<g class="er-entity" data-entity={quoteattr(box.name)}>'
        f'<rect class="er-box" x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" '
        f'height="{box.height:.0f}" rx="6"/>'
        f'<rect class="er-header" x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" '
        f'height="{HEADER}" rx="6"/>'
        f'<text class="er-name" x="{box.x + PADDING:.0f}" y="{box.y + 19:.0f}">'
        f"{escape(box.name)}</text>{texts}</g>"
    )


def _relation(source: Box, target: Box, relation: dict[str, Any]) -> str:
    parts = (CARDINALITY.get(relation.get("kind", ""), ""), relation.get("name") or "")
    label = " ".join(part for part in parts if part)
    if source is target:  # a self-reference: a loop on the box's right side
        x, y = source.x + source.width, source.y + HEADER
        path = f"M{x:.0f},{y:.0f} c40,-10 40,50 0,40"
        return (
            f'<g class="er-relation"><path class="er-line" d="{path}" fill="none"/>'
            f'<text class="er-label" x="{x + 34:.0f}" y="{y + 24:.0f}">{escape(label)}</text></g>'
        )
    x1, y1 = source.edge_point(target.center)
    x2, y2 = target.edge_point(source.center)
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    return (
        f'<g class="er-relation"><line class="er-line" x1="{x1:.0f}" y1="{y1:.0f}" '
        f'x2="{x2:.0f}" y2="{y2:.0f}"/><circle class="er-end" cx="{x2:.0f}" cy="{y2:.0f}" r="4"/>'
        f'<text class="er-label" x="{mx:.0f}" y="{my - 4:.0f}" text-anchor="middle">'
        f"{escape(label)}</text></g>"
    )


def _describe(spec: dict[str, Any]) -> str:
    names = ", ".join(str(e.get("name")) for e in spec.get("entities") or [])
    relations = "; ".join(
        f"{r.get('source')} to {r.get('target')} ({CARDINALITY.get(r.get('kind', ''), '')})"
        for r in spec.get("relationships") or []
    )
    return f"Entities: {names}." + (f" Relationships: {relations}." if relations else "")
