"""Messages stay short whatever a cell holds (issue 21, item 11): a value quoted in a message is
cut to about 60 characters with an ellipsis, so a 32,767-character cell (Excel's longest) or a
list of thousands of codes never makes a 65,000-character message."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from claimcheck.api import check_raw
from claimcheck.reader import read_workbook
from claimcheck.values import QUOTE_LIMIT, brief, brief_list

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
AS_OF = dt.date(2026, 6, 30)

#: What a long cell can hold: one word, a list of codes, a list of modifiers, a list of diagnoses.
LONG = {"word": "x" * 32767, "codes": "90834, " * 4000, "modifiers": "HO, " * 5000, "dx": "F41.1, " * 4000}
#: Longer than any message with every quoted value cut (the longest ordinary ones are ~250).
MESSAGE_LIMIT = 600


def test_brief_cuts_long_values_with_an_ellipsis_and_keeps_short_ones():
    assert brief("90834") == "90834"
    assert brief("x" * QUOTE_LIMIT) == "x" * QUOTE_LIMIT
    assert brief("x" * 32767) == "x" * (QUOTE_LIMIT - 1) + "…" and len(brief("x" * 32767)) == QUOTE_LIMIT
    assert brief(12345) == "12345"
    assert brief_list(["HO"] * 3) == "HO, HO, HO"
    assert len(brief_list(["HO"] * 5000)) == QUOTE_LIMIT and brief_list(["HO"] * 5000).endswith("…")


def _with(raw, kind: str, column: str, value, rows=(0,)):
    """The raw tables with ``column`` of some rows of the ``kind`` sheet set to ``value``."""
    table = raw[kind]
    pos = table.positions[column]
    new_rows = list(table.rows)
    for i in rows:
        n, row = new_rows[i]
        row = list(row) + [None] * max(0, pos + 1 - len(row))
        row[pos] = value
        new_rows[i] = (n, tuple(row))
    return {**raw, kind: dataclasses.replace(table, rows=new_rows)}


def _longest(raw) -> tuple[int, str]:
    findings = check_raw(raw, AS_OF).findings
    worst = max(findings, key=lambda f: len(f.message))
    return len(worst.message), f"{worst.code}: {worst.message[:200]}"


@pytest.mark.parametrize("kind", ["Claims", "Authorizations", "Payers", "Providers"])
def test_no_message_repeats_a_long_cell(kind):
    raw = read_workbook(SAMPLE)
    table = raw[kind]
    every = range(len(table.rows)) if kind != "Claims" else range(0, len(table.rows), 3)
    for column in table.positions:
        for what, value in LONG.items():
            length, worst = _longest(_with(raw, kind, column, value, rows=every))
            assert length <= MESSAGE_LIMIT, (kind, column, what, length, worst)


@pytest.mark.parametrize("field", ["payer", "auth_number", "client_id", "rendering_npi"])
def test_a_long_value_that_matches_across_sheets_is_cut_in_every_message(field):
    """A payer, authorization, client or provider whose long value is the same on every sheet
    (so the rules that match them across sheets fire too)."""
    raw = read_workbook(SAMPLE)
    for what, long in LONG.items():
        changed = dict(raw)
        for kind, table in raw.items():
            if field not in table.positions:
                continue
            pos = table.positions[field]
            values = {row[pos] for _, row in table.rows if pos < len(row) and row[pos] not in (None, "")}
            if not values:
                continue
            mapping = {v: f"{long}{i}" for i, v in enumerate(sorted(values, key=str))}
            rows = [(n, tuple(mapping.get(v, v) if i == pos else v for i, v in enumerate(row))) for n, row in table.rows]
            changed[kind] = dataclasses.replace(table, rows=rows)
        length, worst = _longest(changed)
        assert length <= MESSAGE_LIMIT, (field, what, length, worst)
