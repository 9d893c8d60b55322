"""The fast paths of build_book and the readers give what reading every cell one by one gives.

build_book reads a column once per distinct cell, checks text columns of nearly all different
values (Claim ID) as one joined string, and the readers skip the blank, error and cleaning steps
for text that is already clean.  These tests pin the cases where a shortcut could silently
read a cell differently.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from claimcheck import values as V
from claimcheck.book import build_book
from claimcheck.cell_readers import CELL_READERS
from claimcheck.reader import rows_to_table
from helpers import CLAIM_HEADERS, as_row, line

_SPACES = re.compile(r"[\s\u00a0\u200b\ufeff]+")


def test_every_space_the_cleaning_removes_makes_text_not_plain():
    # _plain relies on str.isprintable being False for every space but " " that clean_text
    # collapses, and on \s meaning str.isspace (is_blank's first-character test).
    for code in range(0x110000):
        char = chr(code)
        if _SPACES.match(char):
            assert char == " " or not char.isprintable(), hex(code)
        assert bool(re.match(r"\s", char)) == char.isspace(), hex(code)


@pytest.mark.parametrize("text", ["90834", "F41.1, Z63.0", "a b", "Ω≈ç 🙂", "x", "#N/A", "#x", " a", "a ", "a  b",
                                  "a\tb", "a\nb", "\u00a0a", "a\u200b", "\ufeffa", "", " ", "  ", "1/5/26", "45 min",
                                  "$1,250.00", "Y", "12.0", "GT-95", "1234-567-893"])
def test_readers_read_plain_text_as_the_slow_path_does(text):
    # The slow path: the same text as a str subclass skips every shortcut.
    class Text(str):
        pass

    for reader in set(CELL_READERS.values()) | {V.read_text, V.read_date, V.read_number, V.read_flag}:
        assert reader(text) == reader(Text(text)), (reader, text)
    assert V.clean_text(text) == V.clean_text(Text(text))
    assert V.is_blank(text) == V.is_blank(Text(text))


def _book(rows, headers=CLAIM_HEADERS):
    return build_book({"Claims": rows_to_table("Claims", "Claims", [tuple(headers)] + [tuple(r) for r in rows])})


@pytest.mark.parametrize("odd", ["", " C5", "C5 ", "C  5", "#N/A", "#5", "C\n5", "\u00a0C5", "C5\u200b", None, 5, 5.0,
                                 np.str_("C5"), True, dt.date(2026, 1, 5)])
def test_claim_ids_checked_as_one_text_read_as_cell_by_cell(odd):
    rows = [as_row(line(Claim_ID=f"C{i}", Client_ID=f"P{i}")) for i in range(300)]
    rows[5][CLAIM_HEADERS.index("Claim ID")] = odd
    book = _book(rows)
    expected = [V.read_text(r[CLAIM_HEADERS.index("Claim ID")])[0] for r in rows]
    got = book.claims["claim_id"].tolist()
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]


def test_equal_numbers_of_different_types_are_read_apart():
    # 1 == 1.0 == True: a column mixing them must not read True as 1 (or 1 as True).
    rows = [as_row(line(Claim_ID=f"C{i}", Units=u)) for i, u in enumerate([1, True, 1.0, 2, False, 0])]
    book = _book(rows)
    assert book.claims["units"].tolist() == [1.0, 1.0, 1.0, 2.0, 1.0, 0.0]  # unreadable units count as 1
    assert book.claims["units_given"].tolist() == [True, False, True, True, False, True]
    bad = sorted((f.row, f.code) for f in book.reading if f.column == "Units")
    assert bad == [(3, "CHG004"), (6, "CHG004")]


def test_short_rows_read_as_empty_past_their_end():
    full = as_row(line(Claim_ID="C1"))
    rows = [full, full[:3]]
    book = _book(rows)
    assert book.claims["claim_id"].tolist() == ["C1", "C1"]
    assert book.claims["cpt"].tolist()[1] is None
    assert book.claims["dx"].tolist()[1] == ()
    assert np.isnat(book.claims["dos"].to_numpy()[1])
