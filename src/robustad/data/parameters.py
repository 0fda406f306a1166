"""Checks of scalar parameters (counts, numbers in a range, column lists), worded alike.

Every public function of the package that takes such a parameter validates it here, so that a
bad value always gets the same kind of message: the parameter's name, what is accepted, and
what was given. Booleans are never accepted as numbers (``True`` is not a count).

Examples
--------
>>> from robustad.data.parameters import check_count, check_number
>>> check_count("steps", 40)
40
>>> check_number("fpr", 0.01, minimum=0, maximum=1, exclusive=True)
0.01
>>> check_number("fpr", 1.5, minimum=0, maximum=1, exclusive=True)
Traceback (most recent call last):
...
robustad.exceptions.InvalidParameterError: fpr must be a finite number in (0, 1); got 1.5
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from robustad.exceptions import InvalidParameterError

__all__ = ["check_columns", "check_count", "check_number"]


def check_count(name: str, value: Any, *, minimum: int = 1) -> int:
    """``value`` as an int, which must be a whole number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise InvalidParameterError(f"{name} must be {kind}; got {value!r}")
    return int(value)


def check_number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive: bool | tuple[bool, bool] = False,
    meaning: str = "",
) -> float:
    """``value`` as a float, which must be finite and lie within the bounds.

    Parameters
    ----------
    name
        The parameter's name, for the message.
    minimum, maximum
        Bounds (None: unbounded on that side).
    exclusive
        Whether the bounds themselves are excluded: one flag for both, or (lower, upper).
    meaning
        What the number is (added to the message in parentheses, e.g. its unit).
    """
    low_open, high_open = (exclusive, exclusive) if isinstance(exclusive, bool) else exclusive
    valid = isinstance(value, numbers.Real) and not isinstance(value, bool)
    number = float(value) if valid else math.nan
    ok = math.isfinite(number)
    if ok and minimum is not None:
        ok = number > minimum if low_open else number >= minimum
    if ok and maximum is not None:
        ok = number < maximum if high_open else number <= maximum
    if not ok:
        raise InvalidParameterError(
            f"{name} must be a finite number{_range(minimum, maximum, low_open, high_open)}"
            f"{f' ({meaning})' if meaning else ''}; got {value!r}"
        )
    return number


def _range(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
    return ""


def check_columns(
    name: str, columns: Any, n_columns: int, *, allow_empty: bool = True
) -> tuple[int, ...]:
    """Distinct column indices in ``[0, n_columns)``, as a tuple of ints."""
    if isinstance(columns, str | bytes) or not isinstance(columns, Sequence | np.ndarray):
        raise InvalidParameterError(f"{name} must be a sequence of column indices; got {columns!r}")
    chosen = list(columns)
    valid = all(
        isinstance(c, numbers.Integral) and not isinstance(c, bool) and 0 <= int(c) < n_columns
        for c in chosen
    )
    if (not chosen and not allow_empty) or not valid or len(set(chosen)) != len(chosen):
        raise InvalidParameterError(
            f"{name} must be distinct column indices in [0, {n_columns}); got {columns!r}"
        )
    return tuple(int(c) for c in chosen)
