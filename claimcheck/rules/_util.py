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
    key = claims["client_id"].where(claims["client_id"].notna(), claims["member_id"])
    return key.where(key.notna(), "claim:" + claims["claim_id"].fillna("").astype(str))


def run_client_key(ctx) -> pd.Series:
    """``client_key`` of the run's claims, computed once per run (several rules group by it)."""
    return memo(ctx, "client_key", lambda: client_key(ctx.claims))


def day(ts) -> str:
    """A date for messages: 2026-03-02."""
    return "" if pd.isna(ts) else pd.Timestamp(ts).date().isoformat()


def code_list(codes, limit: int = 6) -> str:
    codes = sorted(codes)
    if len(codes) > limit:
        return ", ".join(codes[:limit]) + f" or {len(codes) - limit} more"
    return ", ".join(codes)


def messages(index, texts) -> pd.Series:
    return pd.Series(list(texts), index=list(index), dtype=object)


def memo(ctx, name: str, make):
    """A value computed once per check run and shared by the rules that need it (the
    Context lives for one run over one book)."""
    store = ctx.__dict__.setdefault("_memo", {})
    try:
        return store[name]
    except KeyError:
        store[name] = value = make()
        return value


def group_ids(*columns: pd.Series) -> np.ndarray:
    """One integer per distinct combination of the columns' values (an empty cell is a value
    of its own, as pandas' NaT/None singletons are in a Python dict key), for vectorised
    grouping and membership tests."""
    ids = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col, use_na_sentinel=False)
        ids = pd.factorize(ids * (len(uniques) + 1) + codes)[0]
    return ids


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
