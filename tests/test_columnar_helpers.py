"""The helpers that let rules and the engine work on whole columns say what their one-value
forms say."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from claimcheck.rules._util import day, days_text


def test_days_text_writes_each_date_as_day_does():
    values = pd.Series(pd.to_datetime(["2026-03-02", None, "1901-12-31", "2262-04-11"])).to_numpy()
    assert days_text(values) == [day(v) for v in values] == ["2026-03-02", "", "1901-12-31", "2262-04-11"]
    mixed = np.array([dt.date(2026, 1, 5), None, pd.Timestamp("2025-07-01")], dtype=object)
    assert days_text(mixed) == ["2026-01-05", "", "2025-07-01"]
    assert days_text(np.array([], dtype="datetime64[ns]")) == []
