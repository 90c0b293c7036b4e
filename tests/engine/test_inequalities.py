"""The lowest values meeting "a > b" rules: grids, bounds, loops, and when there is no room."""

from __future__ import annotations

from fractions import Fraction

import pytest

from generator.engine.inequalities import Above, NoRoom, Variable, cycle, down, lowest, up

CENT = Fraction(1, 100)


def _var(name: str, step: Fraction = Fraction(1), low: int = -100, high: int = 100) -> Variable:
    return Variable(name, step, Fraction(low), Fraction(high), start=Fraction(1))


def test_rounding_onto_a_grid() -> None:
    assert up(Fraction("1.001"), CENT, strict=False) == Fraction("1.01")
    assert up(Fraction(1), CENT, strict=True) == Fraction("1.01")
    assert up(Fraction(1), CENT, strict=False) == 1
    assert down(Fraction(1), Fraction(1), strict=True) == 0
    assert down(Fraction("0.5"), Fraction(1), strict=False) == 0


def test_a_loop_is_found_along_its_rules() -> None:
    rules = [Above("c", "a", True), Above("a", "b", True), Above("b", "c", False)]
    assert cycle(rules) == ["c", "a", "b", "c"]
    assert cycle(rules[:2]) is None


def test_values_start_pleasantly_and_rise_along_the_rules() -> None:
    rules = [Above("end", "start", True), Above("cap", "end", False)]
    values = lowest([_var("cap"), _var("end"), _var("start")], rules)
    assert values == {"start": 1, "end": 2, "cap": 2}


def test_a_maximum_pushes_smaller_values_down_first() -> None:
    rules = [Above("big", "small", True)]
    values = lowest([_var("big", high=0), _var("small")], rules)
    assert values == {"small": -1, "big": 0}


def test_mixed_grids_keep_each_value_on_its_own() -> None:
    rules = [Above("whole", "cents", True)]
    values = lowest([_var("whole"), _var("cents", CENT, high=0)], rules)
    assert values == {"cents": 0, "whole": 1}
    values = lowest([_var("whole", high=1), _var("cents", CENT)], rules)
    assert values == {"cents": Fraction("0.99"), "whole": 1}


def test_no_room_names_the_variable_that_cannot_fit() -> None:
    rules = [Above("big", "small", True)]
    with pytest.raises(NoRoom) as caught:
        lowest([_var("big", high=5), _var("small", low=5)], rules)
    assert caught.value.name == "small"
