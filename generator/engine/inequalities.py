"""The lowest values that satisfy "a > b" and "a >= b" rules between bounded variables on grids.

The spec uses it to refuse comparisons no row could satisfy (rules that go round in a circle, or
minimum/maximum values that leave no room between them); stacks use the same values to write
sample data that passes every rule. Plain arithmetic on fractions: it knows nothing of fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    step: Fraction  # values are whole multiples of the step
    low: Fraction  # inclusive bounds, finite
    high: Fraction
    start: Fraction  # where to start when ``low`` allows lower: a pleasant value such as 1


@dataclass(frozen=True, slots=True)
class Above:
    """``big`` > ``small``, or ``big`` >= ``small`` when not strict."""

    big: str
    small: str
    strict: bool


class NoRoom(ValueError):
    """No value of ``name`` meets its own bounds and the rules together."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no value of {name!r} meets its bounds and the rules")


def up(value: Fraction, step: Fraction, *, strict: bool) -> Fraction:
    """The smallest multiple of ``step`` above ``value`` (or equal to it, when not strict)."""
    units = math.floor(value / step) + 1 if strict else math.ceil(value / step)
    return units * step


def down(value: Fraction, step: Fraction, *, strict: bool) -> Fraction:
    """The largest multiple of ``step`` below ``value`` (or equal to it, when not strict)."""
    units = math.ceil(value / step) - 1 if strict else math.floor(value / step)
    return units * step


def cycle(rules: Iterable[Above]) -> list[str] | None:
    """Names along a loop of rules ("a", "b", "a" for a > b > a), or None when there is none."""
    edges: dict[str, list[str]] = {}
    for rule in rules:
        edges.setdefault(rule.big, []).append(rule.small)
        edges.setdefault(rule.small, [])
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in edges:
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def lowest(variables: Sequence[Variable], rules: Sequence[Above]) -> dict[str, Fraction]:
    """The least values (from each start) meeting every bound and rule; rules must not loop.

    Upper bounds flow down the rules first (if a > b, b stays below a's highest value), so a
    variable that starts as low as it may never pushes a larger one past its own maximum.
    Raises NoRoom naming a variable whose bounds leave nothing once the rules are applied.
    """
    by_name = {v.name: v for v in variables}
    order = _smallest_first(list(by_name), rules)
    high = {v.name: down(v.high, v.step, strict=False) for v in variables}
    for name in reversed(order):
        for rule in rules:
            if rule.small == name:
                step = by_name[name].step
                high[name] = min(high[name], down(high[rule.big], step, strict=rule.strict))
    values: dict[str, Fraction] = {}
    for name in order:
        var = by_name[name]
        low = up(var.low, var.step, strict=False)
        if high[name] < low:
            raise NoRoom(name)
        value = up(min(max(var.start, low), high[name]), var.step, strict=False)
        for rule in rules:
            if rule.big == name:
                value = max(value, up(values[rule.small], var.step, strict=rule.strict))
        values[name] = value
    return values


def _smallest_first(names: list[str], rules: Sequence[Above]) -> list[str]:
    """Names ordered so that each comes after everything it must exceed (in the given order)."""
    done: set[str] = set()
    order: list[str] = []

    def visit(name: str) -> None:
        done.add(name)
        for rule in rules:
            if rule.big == name and rule.small not in done:
                visit(rule.small)
        order.append(name)

    for name in names:
        if name not in done:
            visit(name)
    return order
