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


def test_a_line_rule_over_the_table_gives_each_line_its_own_answers_in_line_order():
    from pathlib import Path

    from claimcheck.api import load_book
    from claimcheck.engine import Context
    from claimcheck.rules.lines import canonical, field_kind, line_type, results_of, run_line_rule

    book = load_book(Path(__file__).resolve().parent.parent / "examples" / "sample-billing.xlsx")
    ctx = Context(book=book, as_of=dt.date(2026, 6, 30))

    def answer(line, env):  # none, one or two findings a line, by its code
        if line.cpt is None:
            return None
        if line.cpt.startswith("9083"):
            return [f"first {line.cpt}", ("Units", f"second {line.cpt}")]
        return f"one {line.cpt}" if line.cpt[0] in "H9" and not line.cpt.startswith("908") else None

    record = line_type(("cpt",))
    lines = [record(canonical(field_kind("cpt"), v)) for v in book.claims["cpt"].tolist()]
    every_other = np.arange(len(lines)) % 2 == 0
    for candidates in (None, lambda ctx: every_other):
        expected = [(label, column, message) for at, (label, line) in enumerate(zip(book.claims.index, lines))
                    if candidates is None or every_other[at]
                    for column, message in results_of(answer(line, None), "CPT")]
        found = run_line_rule(ctx, answer, ("cpt",), "CPT", candidates)
        got = list(zip(found.index, found["column"], found["message"]))
        assert got == expected
        assert any(m.startswith("second") for _, _, m in got) and any(m.startswith("one") for _, _, m in got)
