"""The Jinja2 environment of the Django stack: delimiters, filters and helpers.

One delimiter set for every template: ``[[ ]]``, ``[% %]`` and ``[# #]``. The output is full of
Django template tags, f-strings and dict literals, so Jinja's default braces would collide; with
square brackets, ``{{ }}`` and ``{% %}`` pass through untouched and templates never need
``{% raw %}``. Templates must not contain ``[[``, ``[%`` or ``[#`` of their own.
"""

from __future__ import annotations

import html
import json
import sys
from functools import lru_cache
from pathlib import Path

import jinja2

from generator.engine import diagram
from generator.engine.spec import AppSpec
from generator.engine.stacks.django import sql
from generator.engine.stacks.django.fields import member_name, py

TEMPLATES = Path(__file__).with_name("templates")
FIRST_PARTY = frozenset({"accounts", "config", "core"})
LEFTOVER_MARKERS = ("[[", "[%", "%]", "[#", "#]")  # what an unrendered Jinja tag leaves


def imports(*lines: str) -> str:
    """An import block sorted as ruff's isort rules want it; empty lines are ignored.

    ``from x import a`` lines of the same module are merged.
    """
    straight: dict[int, set[str]] = {}
    froms: dict[int, dict[str, set[str]]] = {}
    for line in filter(None, lines):
        words = line.split()
        section = _section(words[1])
        if words[0] == "import":
            straight.setdefault(section, set()).add(words[1])
        else:
            names = {name.strip() for name in line.split(" import ", 1)[1].split(",")}
            froms.setdefault(section, {}).setdefault(words[1], set()).update(names)
    blocks = []
    for section in sorted(set(straight) | set(froms)):
        block = [f"import {module}" for module in sorted(straight.get(section, ()))]
        for module, names in sorted(froms.get(section, {}).items()):
            block.append(f"from {module} import {', '.join(sorted(names, key=_name_order))}")
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def _section(module: str) -> int:
    top = module.split(".")[0]
    if top == "__future__":
        return 0
    if top in sys.stdlib_module_names:
        return 1
    return 3 if top in FIRST_PARTY else 2


def _name_order(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def html_text(value: object) -> str:
    """Text for a Django template: HTML-escaped, and unable to open a template tag."""
    escaped = html.escape(str(value), quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")


def docstring(value: str) -> str:
    """Free text safe inside a triple-quoted docstring (no quotes, escapes or odd characters)."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in value)
    cleaned = cleaned.replace("\\", "/").replace('"', "'")
    return " ".join(cleaned.split())


def md_cell(value: str) -> str:
    return " ".join(value.replace("|", "\\|").split())


def one_line(value: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        block_start_string="[%",
        block_end_string="%]",
        variable_start_string="[[",
        variable_end_string="]]",
        comment_start_string="[#",
        comment_end_string="#]",
    )
    env.filters.update(
        py=py,
        py_json=lambda value: json.dumps(value, ensure_ascii=False),
        html=html_text,
        docstring=docstring,
        md_cell=md_cell,
        one_line=one_line,
        sql_quote=sql.quote,
    )
    env.globals.update(
        imports=imports,
        member=member_name,
        mermaid_type=sql.mermaid_type,
        mermaid_edge=_mermaid_edge,
        postgres_column=sql.postgres_column,
        table_columns=sql.table_columns,
        target_table=sql.target_table,
        m2m_columns=sql.m2m_columns,
        er_svg=er_svg,
    )
    return env


def er_svg(spec: AppSpec) -> str:
    """docs/er.svg: the picture the Takoss pages show, on a white ground of its own."""
    return diagram.er_svg(spec.to_dict(), standalone=True)


def _mermaid_edge(rel: object) -> str:
    kind = getattr(rel, "kind", "")
    required = getattr(rel, "required", False)
    if kind == "many_to_many":
        return "}o--o{"
    if kind == "one_to_one":
        return "||--o|" if required else "|o--o|"
    return "||--o{" if required else "|o--o{"
