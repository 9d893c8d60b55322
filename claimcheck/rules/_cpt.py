"""What the CPT rule modules (cpt, cpt_units, cpt_same_day) share: the line's procedure record,
the lines billing a code, numbers and dates as their messages show them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import per_code, run_codes


def procedure(line, env):
    """The line's procedure record from the code table (None when the code is unknown)."""
    return env.tables.procedures.get(line.cpt) if isinstance(line.cpt, str) else None


def number_text(value: float) -> str:
    """Minutes or units as the messages show them: 50, not 50.0; 7.5 as it is."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def lines_with_code(ctx, code: str) -> np.ndarray:
    """Positions of the lines billing ``code``."""
    cpt_k, cpt_u = run_codes(ctx, "cpt")
    return np.flatnonzero(np.isin(cpt_k, np.flatnonzero(cpt_u == code)))


def code_mask(ctx, test) -> np.ndarray:
    """Per ``run_codes`` CPT integer: ``test(code)`` for text codes, else False."""
    return per_code(run_codes(ctx, "cpt")[1], lambda u: isinstance(u, str) and bool(test(u)))


def as_day(value):
    """A DOS cell's date (None when empty or unreadable)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    return value.date() if hasattr(value, "date") and callable(value.date) else value
