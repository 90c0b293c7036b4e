"""The ER diagram for a page: the engine's Graphviz picture, or a short notice when it is missing.

The layout, the SVG and its cache are generator.engine.diagram's (the generated project's
docs/er.svg is the same picture). A page must render without Graphviz, so its absence is logged
and shown in place of the diagram instead of failing the page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.html import format_html

from generator.engine.diagram import DiagramUnavailable, er_svg

logger = logging.getLogger(__name__)


def er_diagram_svg(spec: dict[str, Any]) -> str:
    """HTML for the diagram of ``spec`` (plain data): the SVG, a notice, or "" without entities."""
    try:
        return er_svg(spec)
    except DiagramUnavailable as error:
        logger.warning("ER diagram unavailable: %s", error)
        return format_html(
            '<p class="er-unavailable" data-testid="er-unavailable">Diagram unavailable: {}</p>',
            str(error),
        )
