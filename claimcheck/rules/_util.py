"""Small helpers shared by the rule modules."""

from __future__ import annotations

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
