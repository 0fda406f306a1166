"""Type aliases shared across robustad (layer 0: stdlib and numpy only)."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

#: Anything :func:`robustad.data.validation.check_features` accepts: a 2-D array-like or a
#: pandas DataFrame.
ArrayLike: TypeAlias = Any
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
