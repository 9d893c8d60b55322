"""The cell readers: one per column kind of the contract (``columns.Column.kind``), each
turning a raw cell into ``(value, problem)``.  A whole workbook (:mod:`claimcheck.normalise`)
and a single line (:mod:`claimcheck.lines`) read their cells with these same readers.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable

from . import values as V

_MIN_DATE = dt.date(1900, 1, 1)
_MAX_DATE = dt.date(2199, 12, 31)


def _read_plausible_date(value: Any):
    day, problem = V.read_date(value)
    if day is not None and not (_MIN_DATE <= day <= _MAX_DATE):
        return None, f"{day.isoformat()} is outside the years 1900-2199"
    return day, problem


#: "1234567893  Dana Reyes (LCSW)": an NPI picked from the template's Rendering NPI dropdown,
#: which shows each provider's name after the NPI.
_NPI_WITH_NAME = re.compile(r"\s*(\d{10})\s+[A-Za-z(]")


def _read_npi(value: Any):
    # An NPI typed as a number is the same NPI; keep leading text as typed otherwise.
    text, problem = V.read_text(value)
    if text is not None:
        picked = _NPI_WITH_NAME.match(text)
        text = picked.group(1) if picked else text.replace(" ", "").replace("-", "")
    return text, problem


_TIME_TEXT = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*([ap])?\.?\s*(m\.?)?", re.I)
_TIME_HINT = "type it as 2:05 PM or 14:05"


def read_time(value: Any) -> tuple[float | None, str | None]:
    """A time of day as minutes after midnight (14:05 is 845.0), from every form Excel holds
    it in: a time (``datetime.time``), a date and time (the time part is taken), a fraction of a
    day (0.5 is noon), a date-and-time serial number (its fraction), or text: ``2:05 PM``,
    ``2:05pm``, ``2 p.m.``, ``14:05``, ``14:05:30``, ``1405``, ``noon``, ``midnight``, or a date
    followed by one of those (``2026-06-01 14:05``, ``06/01/2026 2:05 PM``).  A whole number
    other than 0, a date without a time, or any other text is a problem."""
    if value is None or V.is_blank(value):
        return None, None
    err = V.excel_error(value)
    if err:
        return None, f"cell shows the Excel error {err}"
    if isinstance(value, bool):
        return None, f"holds {value!s}, not a time"
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute + value.second / 60, None
    if isinstance(value, dt.datetime):  # (pandas' Timestamp is one)
        return value.hour * 60 + value.minute + value.second / 60, None
    if isinstance(value, dt.date):
        return None, "holds a date without a time of day; " + _TIME_HINT
    if isinstance(value, (int, float)):
        number = float(value)
        if number != number or number < 0 or number in (float("inf"),):
            return None, f"{V.shown(value)} is not a time of day; " + _TIME_HINT
        fraction = number % 1
        if number >= 1 and fraction == 0:
            return None, f"{V.shown(value)} is not a time of day; " + _TIME_HINT
        seconds = round(fraction * 86400) % 86400  # to the second, as Excel shows it
        return seconds / 60, None
    text = V.clean_text(value).strip()
    minutes = _time_text(text)
    if minutes is None:
        head, _, tail = text.replace("T", " ", 1).partition(" ")
        if tail and V.read_date(head)[0] is not None:
            minutes = _time_text(tail.strip())
    if minutes is None:
        return None, f"{V.shown(value)} is not a time of day; " + _TIME_HINT
    return minutes, None


def _time_text(text: str) -> float | None:
    low = text.lower()
    if low == "noon":
        return 720.0
    if low == "midnight":
        return 0.0
    if re.fullmatch(r"\d{4}", text):  # 24-hour "1405"
        hour, minute, second, half = int(text[:2]), int(text[2:]), 0, None
    else:
        m = _TIME_TEXT.fullmatch(text)
        if m is None or (m.group(2) is None and m.group(4) is None):
            return None  # a bare number is not a time
        if m.group(5) and not m.group(4):
            return None
        hour, minute, second = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
        half = m.group(4).lower() if m.group(4) else None
    if minute > 59 or second > 59:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    elif hour > 23:
        return None
    return hour * 60 + minute + second / 60


CELL_READERS: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
    "time": read_time,
    "text": V.read_text,
    "private": V.read_text,
    "date": _read_plausible_date,
    "private_date": _read_plausible_date,
    "number": V.read_number,
    "procedure": V.read_procedure,
    "modifiers": V.read_modifiers,
    "dx": V.read_dx_list,
    "pos": V.read_pos,
    "codes": V.read_code_list,
    "flag": V.read_flag,
    "npi": _read_npi,
}
