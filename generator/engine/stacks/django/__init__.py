"""The Django + DRF + HTMX stack (see stack.py)."""

from __future__ import annotations

from generator.engine.stacks.django.stack import DjangoStack

__all__ = ["DjangoStack"]
