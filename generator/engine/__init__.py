"""The Takoss generation engine: plain Python, no Django import.

requirements text -> AppSpec (analysis) -> files (stacks) -> verification -> deterministic ZIP.
"""

from __future__ import annotations

GENERATOR_VERSION = "0.1.0"
