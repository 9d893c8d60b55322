"""Integer codes for the values of a column, so that a fact about a value (its normalised form,
a payer's settings, whether a code is an add-on) is worked out once per distinct value and read
per line through its code.  Every code array is ``np.intp`` (it indexes other arrays)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def factor(c: pd.DataFrame, name: str, func=None, default=None) -> tuple[np.ndarray, list]:
    """Per line, a code into the returned list of the distinct ``func(value)`` (of the distinct
    values when ``func`` is None); ``func`` is called once per distinct cell value.  A missing
    column reads as ``default`` on every line."""
    if name not in c.columns:
        return np.zeros(len(c), dtype=np.intp), [default if func is None else func(default)]
    return factor_values(c[name], func)


def factor_values(values, func=None) -> tuple[np.ndarray, list]:
    """``factor`` over a Series or an array of cell values."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = list(uniques)
    blank = codes < 0
    if blank.any():  # empty cells are one more distinct value (as the sheet gave it: None)
        first = int(np.argmax(blank))
        uniques.append(values.iat[first] if isinstance(values, pd.Series) else values[first])
        codes = np.where(blank, len(uniques) - 1, codes)
    mapped = uniques if func is None else [func(u) for u in uniques]
    keys: dict[Any, int] = {}
    remap = np.fromiter((keys.setdefault(m, len(keys)) for m in mapped), dtype=np.intp, count=len(mapped))
    return remap[codes].astype(np.intp, copy=False), list(keys)


def one_space(keys: list, more: list) -> tuple[list, np.ndarray, np.ndarray]:
    """One code space for two lists of values (equal values, equal codes): the distinct values and
    the codes of ``keys`` and of ``more``."""
    space: dict[Any, int] = {}
    first = np.fromiter((space.setdefault(k, len(space)) for k in keys), dtype=np.intp, count=len(keys))
    second = np.fromiter((space.setdefault(v, len(space)) for v in more), dtype=np.intp, count=len(more))
    return list(space), first, second


def expand(owners: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (owner, item) for the ``counts[k]`` consecutive items from ``starts[k]`` of each owner,
    owner by owner."""
    counts = counts.astype(np.intp, copy=False)
    owner = np.repeat(owners, counts)
    item = np.arange(len(owner), dtype=np.intp) - np.repeat(np.cumsum(counts) - counts - starts, counts)
    return owner, item.astype(np.intp, copy=False)


def truthy(values: list) -> np.ndarray:
    return np.fromiter((bool(v) for v in values), dtype=bool, count=len(values))


def shared_codes(ctx, c: pd.DataFrame, name: str) -> tuple[np.ndarray, int, Any]:
    """Per line, a code for the column's value; the number of codes; and the distinct values
    (indexed by code; an empty cell's code may lie past them).  Taken from the run's shared codes
    when there is a rules Context (``claimcheck.rules.run_codes``, which other rules of the run
    compute anyway), else computed here."""
    if name not in c.columns:
        return np.zeros(len(c), dtype=np.intp), 1, []
    if ctx is not None:
        from ..rules import run_codes

        codes, uniques = run_codes(ctx, name)
    else:
        codes, uniques = pd.factorize(c[name], use_na_sentinel=False)
    if len(codes) and codes.min() < 0:
        codes, uniques = pd.factorize(c[name], use_na_sentinel=False)
    size = max(len(uniques), int(codes.max()) + 1 if len(codes) else 0)
    return codes.astype(np.intp, copy=False), size, uniques
