"""How an appeal letter writes values: plain cell values (str, float, datetime.date or None),
dates as a US letter and a US table show them, money, and lists joined with "and"."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in xlsx/docx XML


def plain_value(v):
    """Cell values as the contract promises: str, float, datetime.date or None."""
    if v is None:
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, bool):
        return "Yes" if v else "No"
    if isinstance(v, (int, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    return _CONTROL.sub("", str(v))


def long_date(d: dt.date) -> str:
    """A date as a US letter writes it in its text: ``June 30, 2026``."""
    return f"{d:%B} {d.day}, {d.year}"


def short_date(d: dt.date) -> str:
    """A date as a US table shows it: ``06/30/2026``."""
    return f"{d:%m/%d/%Y}"


def dollars(amount: float) -> str:
    """Money as a US letter writes it: ``$1,165.00``."""
    return f"${amount:,.2f}"


def long_date_or(d, placeholder: str = "[date]") -> str:
    return long_date(d) if d else placeholder


def cell_text(v) -> str:
    """A cell value as the letter's plain text shows it (dates as 06/30/2026)."""
    if isinstance(v, dt.date):
        return short_date(v)
    if isinstance(v, float):
        return f"{v:g}" if v != int(v) or abs(v) < 1e15 else str(v)
    return str(v)


def join_and(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
