"""Exact tree SHAP contributions for small trees, by table look-up.

LightGBM's own ``predict(pred_contrib=True)`` walks every path of every tree for every row; on a
scoring chunk that costs ten times the prediction itself. The product's trees are small (at
most ``MAX_INTERNAL_NODES`` splits each), and a tree's contributions for a row depend only on
which way the row goes at each split: with n splits there are at most 2**n patterns. So each
tree's contributions are computed once per pattern (the same path-dependent tree SHAP that
LightGBM computes, from the same leaf counts) and a row's contributions are looked up from its
pattern: a few vector comparisons and one gather per tree.

For one leaf of value v whose path tests the distinct features 1..k, with z_j the share of the
training rows that followed the path at the splits on feature j and o_j whether the row does
(1 or 0), the leaf adds to feature j's contribution

    v * sum over S (subsets of the other k-1 features) of
        |S|! (k-|S|-1)! / k! * (o_j - z_j) * prod_{i in S} o_i * prod_{i not in S, i != j} z_i

and v * prod z_i to the expected value (Lundberg, Erion and Lee, "Consistent individualized
feature attribution for tree ensembles", 2018). Trees with categorical splits, or more splits
than the table allows, are left to LightGBM (``tree_tables`` returns None).
"""

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import factorial

import numpy as np

MAX_INTERNAL_NODES = 10  # 1,024 patterns a tree
_ZERO = 1e-35  # LightGBM's threshold for "zero" in a split with zero as missing


@dataclass(frozen=True)
class _Tree:
    """One tree's splits and its contributions for each pattern of them."""

    features: np.ndarray  # per split: the column it tests
    thresholds: np.ndarray
    default_left: np.ndarray  # per split: where a missing value goes
    missing: tuple[str, ...]  # per split: "None", "Zero" or "NaN"
    columns: np.ndarray  # the distinct columns the tree tests
    table: np.ndarray  # (2**splits, len(columns)): contributions per pattern
    expected: float


@dataclass(frozen=True)
class TreeTables:
    """The trees' tables, stacked so that a chunk is scored with a few whole-array steps."""

    expected: float  # the ensemble's expected margin (LightGBM's last contribution column)
    width: int  # columns of the model's input
    # Per split position (its bit in the tree's pattern) and tree, padded where a tree has
    # fewer splits with a split no row goes left at (threshold -inf, missing goes right).
    features: np.ndarray  # (positions, trees)
    thresholds: np.ndarray
    default_left: np.ndarray
    missing: np.ndarray  # 0 none (NaN read as 0), 1 zero, 2 NaN
    table: np.ndarray  # (trees, patterns, slots): contributions, padded with zeros
    columns: np.ndarray  # (trees, slots): the column of each slot; padding: ``width``


_MISSING = {"None": 0, "Zero": 1, "NaN": 2}


def _subset_weights(k: int) -> list[float]:
    return [factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)]


def _leaf_share(value: float, zero: list[float], one: list[int]) -> tuple[list[float], float]:
    """One leaf's contribution to each of its path's distinct features, given a row's ``one``
    fractions, and its share of the expected value (the same for every row)."""
    k = len(zero)
    weights = _subset_weights(k) if k else []
    shares = []
    for j in range(k):
        others = [i for i in range(k) if i != j]
        total = 0.0
        for size in range(k):
            for subset in combinations(others, size):
                product = 1.0
                for i in others:
                    product *= one[i] if i in subset else zero[i]
                total += weights[size] * product
        shares.append(value * (one[j] - zero[j]) * total)
    return shares, value * float(np.prod(zero)) if k else value


def _tree_table(structure: dict) -> _Tree | None:
    splits, leaves = [], []  # leaves: (value, [(split index, went left)])

    def walk(node: dict, path: list[tuple[int, bool]]) -> bool:
        if "leaf_value" in node:
            leaves.append((node["leaf_value"], node.get("leaf_count", 0), path))
            return True
        if node.get("decision_type") != "<=":
            return False  # a categorical split
        index = len(splits)
        splits.append(node)
        return walk(node["left_child"], [*path, (index, True)]) and walk(
            node["right_child"], [*path, (index, False)]
        )

    if not walk(structure, []) or len(splits) > MAX_INTERNAL_NODES:
        return None
    count = {id(node): node["internal_count"] for node in splits}
    columns = sorted({node["split_feature"] for node in splits})
    slot = {column: i for i, column in enumerate(columns)}
    table = np.zeros((2 ** len(splits), len(columns)))
    expected = 0.0
    for value, _, path in leaves:
        # The zero fraction of each distinct feature on the path: the product over its splits
        # of the share of the split's rows that went the path's way.
        features, zero = [], []
        for step, (index, left) in enumerate(path):
            node = splits[index]
            child = node["left_child"] if left else node["right_child"]
            below = child.get("internal_count", child.get("leaf_count", 0))
            share = below / count[id(node)] if count[id(node)] else 0.0
            feature = node["split_feature"]
            if feature in features:
                zero[features.index(feature)] *= share
            else:
                features.append(feature)
                zero.append(share)
            path[step] = (index, left, features.index(feature))
        # The leaf's shares for each combination of its features' one fractions (2**k), then
        # for each pattern of the tree's splits, the combination it makes.
        k = len(features)
        by_combination = np.zeros((2**k, k))
        for combination in range(2**k):
            one = [combination >> j & 1 for j in range(k)]
            by_combination[combination], base = _leaf_share(value, zero, one)
        expected += base
        patterns = np.arange(2 ** len(splits))
        one = np.ones((len(patterns), k), dtype=bool)
        for index, left, position in path:
            one[:, position] &= (patterns >> index & 1).astype(bool) == left
        combination = one @ (1 << np.arange(k)) if k else np.zeros(len(patterns), dtype=int)
        for position, feature in enumerate(features):
            table[:, slot[feature]] += by_combination[combination, position]
    return _Tree(
        features=np.array([node["split_feature"] for node in splits], dtype=np.int64),
        thresholds=np.array([node["threshold"] for node in splits], dtype=np.float64),
        default_left=np.array([node["default_left"] for node in splits], dtype=bool),
        missing=tuple(node.get("missing_type", "None") for node in splits),
        columns=np.array(columns, dtype=np.int64),
        table=table,
        expected=expected,
    )


@lru_cache(maxsize=4)
def tree_tables(model_text: str) -> TreeTables | None:
    """The look-up tables of a LightGBM model (its text), or None when a tree does not fit."""
    import lightgbm

    dump = lightgbm.Booster(model_str=model_text).dump_model()
    if dump.get("num_class", 1) != 1:
        return None
    trees = []
    for info in dump["tree_info"]:
        tree = _tree_table(info["tree_structure"])
        if tree is None:
            return None
        trees.append(tree)
    lone_leaves_and_trees = trees
    trees = [tree for tree in trees if len(tree.features)]  # a lone leaf adds to expected only
    width = dump["max_feature_idx"] + 1
    patterns = max((len(tree.table) for tree in trees), default=1)
    slots = max((len(tree.columns) for tree in trees), default=1)
    table = np.zeros((len(trees), patterns, slots))
    columns = np.full((len(trees), slots), width, dtype=np.int64)
    for t, tree in enumerate(trees):
        table[t, : len(tree.table), : len(tree.columns)] = tree.table
        columns[t, : len(tree.columns)] = tree.columns
    positions = max((len(tree.features) for tree in trees), default=0)
    features = np.zeros((positions, len(trees)), dtype=np.int64)
    thresholds = np.full((positions, len(trees)), -np.inf)
    default_left = np.zeros((positions, len(trees)), dtype=bool)
    missing = np.full((positions, len(trees)), 2, dtype=np.int8)
    for t, tree in enumerate(trees):
        used = len(tree.features)
        features[:used, t] = tree.features
        thresholds[:used, t] = tree.thresholds
        default_left[:used, t] = tree.default_left
        missing[:used, t] = [_MISSING[m] for m in tree.missing]
    return TreeTables(
        expected=sum(tree.expected for tree in lone_leaves_and_trees),
        width=width,
        features=features,
        thresholds=thresholds,
        default_left=default_left,
        missing=missing,
        table=table,
        columns=columns,
    )


def _goes_left(tables: TreeTables, columns: np.ndarray, position: int) -> np.ndarray:
    """Per tree and row: whether the row goes left at the tree's split in ``position``, as
    LightGBM decides. ``columns``: the input with one column per row (contiguous)."""
    values = columns[tables.features[position]]
    thresholds = tables.thresholds[position][:, None]
    missing = tables.missing[position][:, None]
    if not (missing == 1).any() and not np.isnan(values).any():
        return values <= thresholds
    nan = np.isnan(values)
    # LightGBM reads NaN as 0 at a split that does not treat NaN as missing.
    values = np.where(nan & (missing != 2), 0.0, values)
    default = ((missing == 1) & (np.abs(values) <= _ZERO)) | ((missing == 2) & nan)
    return np.where(default, tables.default_left[position][:, None], values <= thresholds)


# Trees scored at once: bounds the memory of the gathered contributions (trees x rows x slots).
_TREES_AT_ONCE = 32


def contributions(tables: TreeTables, x: np.ndarray) -> np.ndarray:
    """Per row of ``x``: each column's contribution to the margin, then the expected margin in
    the last column, as ``Booster.predict(x, pred_contrib=True)`` returns them."""
    rows = len(x)
    # Padded slots point at the last column, the expected margin, and add nothing to it.
    result = np.zeros((tables.width + 1, rows))
    result[tables.width] = tables.expected
    if not len(tables.table) or not rows:
        return result.T.copy()
    columns = np.ascontiguousarray(x.T)
    patterns = np.zeros((len(tables.table), rows), dtype=np.int64)
    for position in range(len(tables.features)):
        patterns |= _goes_left(tables, columns, position).astype(np.int64) << position
    for start in range(0, len(tables.table), _TREES_AT_ONCE):
        trees = np.arange(start, min(start + _TREES_AT_ONCE, len(tables.table)))
        gathered = tables.table[trees[:, None], patterns[trees]]  # (trees, rows, slots)
        into = np.broadcast_to(tables.columns[trees][:, None, :], gathered.shape)
        flat = (into * rows + np.arange(rows)[None, :, None]).ravel()
        result += np.bincount(flat, gathered.ravel(), minlength=result.size).reshape(result.shape)
    return result.T.copy()
