"""The registry of output stacks: a key ("django") names a class that renders AppSpecs.

Stacks are imported lazily, on first use, so asking for the list of stacks or rendering with
one never pays for importing the others. A stack is any object following
:class:`generator.engine.stacks.base.Stack`; what it renders is its own business.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from generator.engine.stacks.base import Stack

DEFAULT_STACK = "django"

# key -> "module:ClassName", imported on first use
_BUILTIN: dict[str, str] = {
    "django": "generator.engine.stacks.django:DjangoStack",
}
_FACTORIES: dict[str, Callable[[], Stack]] = {}


class UnknownStackError(ValueError):
    """Raised for a stack key nobody registered."""

    def __init__(self, key: str) -> None:
        self.key = key
        known = ", ".join(available_stacks())
        super().__init__(f"unknown stack {key!r}; available stacks: {known}")


def register_stack(key: str, factory: Callable[[], Stack]) -> None:
    """Add (or replace) a stack; a plug-in stack calls this once at import time."""
    _FACTORIES[key] = factory


def available_stacks() -> tuple[str, ...]:
    return tuple(sorted({*_BUILTIN, *_FACTORIES}))


def get_stack(key: str) -> Stack:
    """A fresh instance of the stack named ``key``."""
    if key in _FACTORIES:
        return _FACTORIES[key]()
    target = _BUILTIN.get(key)
    if target is None:
        raise UnknownStackError(key)
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    stack: Stack = getattr(module, class_name)()
    return stack
