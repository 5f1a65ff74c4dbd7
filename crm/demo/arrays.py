"""Small vectorised helpers: draws and text columns as numpy object arrays."""

import numpy as np


def pick(rng: np.random.Generator, options, n: int, weights=None) -> np.ndarray:
    """Indexes into ``options`` drawn with the given weights."""
    if weights is None:
        return rng.integers(0, len(options), n)
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(options), size=n, p=p / p.sum())


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def object_array(values) -> np.ndarray:
    """A 1-d object array; numpy would otherwise turn a list of strings into a fixed-width one."""
    values = list(values)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def uniform_between(rng, low, high):
    """One draw per element between two arrays of timestamps."""
    return low + (rng.random(len(low)) * np.maximum(high - low, 0)).astype(np.int64)


def int_texts(values: np.ndarray) -> np.ndarray:
    return object_array(map(str, values.tolist()))


def bool_texts(values: np.ndarray) -> np.ndarray:
    return np.where(values, "1", "0").astype(object)


def nullable(texts: np.ndarray, present: np.ndarray) -> np.ndarray:
    out = texts.astype(object, copy=True)
    out[~present] = None
    return out


def nulls(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def blanks(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


def constant(value: str, n: int) -> np.ndarray:
    return np.full(n, value, dtype=object)


def draw(rng: np.random.Generator, options, n: int) -> np.ndarray:
    return object_array(options)[rng.integers(0, len(options), n)]
