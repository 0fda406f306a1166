"""Scalar parameter checks: one wording, bools never accepted as numbers."""

from __future__ import annotations

import numpy as np
import pytest

from robustad.data.parameters import check_columns, check_count, check_number
from robustad.exceptions import InvalidParameterError


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "3", None, float("nan")])
def test_count_refuses_what_is_not_a_positive_integer(value) -> None:
    with pytest.raises(InvalidParameterError, match="steps must be a positive integer"):
        check_count("steps", value)


def test_count_accepts_numpy_integers_and_a_lower_minimum() -> None:
    assert check_count("k", np.int64(3)) == 3
    assert check_count("restarts", 0, minimum=0) == 0
    with pytest.raises(InvalidParameterError, match="restarts must be an integer >= 0"):
        check_count("restarts", -1, minimum=0)


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (float("inf"), {}, "x must be a finite number; got inf"),
        (True, {"minimum": 0}, "x must be a finite number >= 0; got True"),
        (0.0, {"minimum": 0, "exclusive": True}, r"x must be a finite number > 0; got 0.0"),
        (1.0, {"minimum": 0, "maximum": 1, "exclusive": True}, r"in \(0, 1\); got 1.0"),
        (0.0, {"minimum": 0, "maximum": 1, "exclusive": (True, False)}, r"in \(0, 1\]"),
        ("0.5", {"maximum": 1}, r"<= 1; got '0.5'"),
        (-1, {"minimum": 0, "meaning": "a radius"}, r">= 0 \(a radius\); got -1"),
    ],
)
def test_number_names_the_range_and_the_value(value, kwargs, message) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        check_number("x", value, **kwargs)


def test_number_accepts_the_closed_bounds() -> None:
    assert check_number("x", 1, minimum=0, maximum=1) == 1.0
    assert check_number("x", np.float32(0.5), minimum=0, maximum=1, exclusive=True) == 0.5


@pytest.mark.parametrize("columns", ["ab", [0, 0], [3], [-1], [True], 2, None])
def test_columns_refuse_bad_lists(columns) -> None:
    with pytest.raises(InvalidParameterError, match="frozen"):
        check_columns("frozen", columns, 3)


def test_columns_empty_only_when_allowed() -> None:
    assert check_columns("frozen", (), 3) == ()
    assert check_columns("frozen", range(2), 3) == (0, 1)
    with pytest.raises(InvalidParameterError, match="trigger_columns"):
        check_columns("trigger_columns", [], 3, allow_empty=False)
