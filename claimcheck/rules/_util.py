"""Small helpers shared by the rule modules."""

from __future__ import annotations

import numpy as np
import pandas as pd


def bad(claims: pd.DataFrame, field: str) -> pd.Series:
    """True where the field's cell could not be read (already reported by the reader)."""
    col = field + "__bad"
    if col in claims.columns:
        return claims[col].fillna(False).astype(bool)
    return pd.Series(False, index=claims.index)


def client_key(claims: pd.DataFrame) -> pd.Series:
    """Who the service was for: Client ID, else Member ID, else the Claim ID."""
    key = claims["client_id"].to_numpy(dtype=object, copy=True)
    empty = pd.isna(key)
    if empty.any():
        key[empty] = claims["member_id"].to_numpy(dtype=object)[empty]
        empty = pd.isna(key)
    if empty.any():  # "claim:" + the Claim ID, only for the lines that need it
        key[empty] = ["claim:" + ("" if pd.isna(cid) else str(cid)) for cid in claims["claim_id"].to_numpy(dtype=object)[empty]]
    return pd.Series(key, index=claims.index, dtype=object)


def run_client_key(ctx) -> pd.Series:
    """``client_key`` of the run's claims, computed once per run (several rules group by it)."""
    return memo(ctx, "client_key", lambda: client_key(ctx.claims))


def run_codes(ctx, field: str) -> tuple[np.ndarray, pd.Index]:
    """Per line: an integer for the value of the claims column ``field`` (equal values, equal
    integers; every empty cell is one value of its own, as in ``group_ids``), and the distinct
    values in order of first appearance (an empty cell shows as NaN there): what
    ``pd.factorize(column, use_na_sentinel=False)`` gives.  Computed once per run, for the
    rules that group or match lines by the column."""
    return _run_codes(ctx, field)[:2]


def run_empty_code(ctx, field: str) -> int:
    """The ``run_codes`` integer of the column's empty cells (-1 when no cell is empty)."""
    return _run_codes(ctx, field)[2]


def _run_codes(ctx, field: str):
    def make():
        column = ctx.claims[field]
        # The plain factorize is the cheaper one (no separate pass for empty cells); the same
        # answer when no cell is empty.
        codes, uniques = pd.factorize(column)
        empty = np.flatnonzero(codes < 0)
        if not len(empty):
            return codes, uniques, -1
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        return codes, uniques, int(codes[empty[0]])
    return memo(ctx, "codes." + field, make)


def run_client_codes(ctx) -> np.ndarray:
    """Per line: one integer per ``client_key`` value, numbered in order of first appearance;
    once per run."""
    def make():
        if run_empty_code(ctx, "client_id") < 0:  # every line has a Client ID: its codes
            return run_codes(ctx, "client_id")[0]
        return pd.factorize(run_client_key(ctx))[0]
    return memo(ctx, "codes.client_key", make)


def per_code(uniques, func, dtype=bool) -> np.ndarray:
    """``func(value)`` for each of ``run_codes``' distinct values (NaN for the empty cell):
    index the result with the codes to get a value per line."""
    return np.array([func(u) for u in uniques], dtype=dtype)


def per_line(uniques, codes: np.ndarray, func=None) -> list:
    """``func(value)`` (else the value) for each of ``codes`` (``run_codes`` integers, e.g. of a
    few flagged lines), computed once per distinct code."""
    distinct, where = np.unique(np.asarray(codes), return_inverse=True)
    values = [uniques[k] for k in distinct.tolist()]
    if func is not None:
        values = [func(v) for v in values]
    return [values[i] for i in where.tolist()]


def day(ts) -> str:
    """A date for messages: 2026-03-02."""
    return "" if pd.isna(ts) else pd.Timestamp(ts).date().isoformat()


def days_text(values) -> list[str]:
    """Many dates for messages at once, each as :func:`day` writes it ("" for an empty one)."""
    values = np.asarray(values)
    if values.dtype.kind != "M":
        return [day(v) for v in values]
    return np.where(np.isnat(values), "", np.datetime_as_string(values, unit="D")).tolist()


def code_list(codes, limit: int = 6) -> str:
    codes = sorted(codes)
    if len(codes) > limit:
        return ", ".join(codes[:limit]) + f" or {len(codes) - limit} more"
    return ", ".join(codes)


def messages(index, texts) -> pd.Series:
    return pd.Series(list(texts), index=list(index), dtype=object)


def memo(ctx, name: str, make):
    """A value computed once per check run and shared by the rules that need it (kept in the
    run's ``Context.shared``; the Context lives for one run over one book)."""
    store = ctx.shared
    try:
        return store[name]
    except KeyError:
        store[name] = value = make()
        return value


def group_ids(*columns: pd.Series) -> np.ndarray:
    """One integer per distinct combination of the columns' values (an empty cell is a value
    of its own, as pandas' NaT/None singletons are in a Python dict key), for vectorised
    grouping and membership tests."""
    return combine_codes(*(pd.factorize(col, use_na_sentinel=False)[0] for col in columns))


def combine_codes(*codes: np.ndarray) -> np.ndarray:
    """One integer per distinct combination of per-line integer codes (each >= 0, e.g. from
    ``run_codes``), numbered from 0 in order of first appearance.  The combined key is worked
    out in int64; the ids returned are ``np.intp``, as numpy's index functions (``bincount``,
    ``take``) need on 32-bit builds (Pyodide, where xlwings Lite runs: intp is int32 there)."""
    ids, bound = None, 1
    for k in codes:
        k = np.asarray(k, dtype=np.int64)
        size = int(k.max()) + 1 if len(k) else 1
        if ids is None:
            ids, bound = k, size
            continue
        if bound * size >= 2 ** 62:  # renumber before the product could overflow
            ids = pd.factorize(ids)[0].astype(np.int64, copy=False)
            bound = int(ids.max()) + 1 if len(ids) else 1
        ids, bound = ids * size + k, bound * size
    return pd.factorize(ids)[0].astype(np.intp, copy=False)


def first_positions(ids: np.ndarray) -> np.ndarray:
    """For ids numbered in order of first appearance (``combine_codes``, ``pd.factorize``):
    the position of each id's first line, indexed by id."""
    ids = np.asarray(ids)
    if not len(ids):
        return np.zeros(0, dtype=np.intp)
    # Id k first appears where the running maximum first reaches k.
    new = np.empty(len(ids), dtype=bool)
    new[0] = True
    new[1:] = ids[1:] > np.maximum.accumulate(ids)[:-1]
    return np.flatnonzero(new)


def map_unique(series: pd.Series, func) -> pd.Series:
    """``series.map(func)`` computed once per distinct value (codes repeat: a 100k-line book has
    a few dozen CPT codes).  Empty cells (None/NaN) all get ``func(None)``'s answer; ``func``
    must treat them alike.  Falls back to a plain map for unhashable values."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        return series.map(func)
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        results[i] = func(u)
    results[-1] = func(None)
    return pd.Series(results[codes], index=series.index, dtype=object)
