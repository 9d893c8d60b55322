"""The vectorised authorization matcher (claimcheck.auth.match) against the plain loop it replaced
(tests/oracles/auth_loop.py) on random books: the same AUTH findings, word for word, and the same
auth_usage / auth_used / auth_remaining.

The books are small but dense in what makes matching hard: the same client or number written
differently, renewals that keep their number, open-ended and overlapping authorizations, code
lists and ranges, provider-specific authorizations, units and visits, add-on codes, evaluations
with payers that do or do not count them, lines without a number (their claim's, or matched),
Void and No Show lines, unreadable cells, and books without a Payers or Authorizations sheet.

``AUTH_ORACLE_EXAMPLES=2000 pytest tests/test_auth_oracle.py`` runs a longer soak.
"""

from __future__ import annotations

import datetime as dt
import math
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck import auth as A
from claimcheck import columns as C
from claimcheck.book import build_book
from claimcheck.engine import run_rules
from claimcheck.reader import rows_to_table
from claimcheck.rules import load_all
from claimcheck.tables import tables
from oracles import auth_loop as oracle

EXAMPLES = int(os.environ.get("AUTH_ORACLE_EXAMPLES", "200"))
NPI_A, NPI_B = "1234567893", "1456789019"
DAY0 = dt.date(2026, 1, 1)

# Pools small enough that values collide, each with the odd cells a biller's sheet holds.
CLIENTS = ["CL-1", "CL-1", "CL-1", "cl-1 ", "CL-2", "CL-2", "CL-3", "", None]
LINE_PAYERS = ["Acme Health"] * 4 + ["acme health", " ACME HEALTH ", "Gov Medicaid", "Gov Medicaid", "Plain Plan",
                                     "Plain Plan", "Nowhere Mutual", "", None]
AUTH_PAYERS = ["Acme Health", "Acme Health", "GOV MEDICAID", "", "", "Plain Plan", "Nowhere Mutual"]
NUMBERS = ["A-1", "A-1", "a-1", " A-1 ", "A-2", "A-2", "A-3", "R-1", "r-1", "", "", "", "", None, None, None, 4711]
AUTH_NUMBERS = ["A-1", "A-2", "A-3", "R-1", "R-1", "4711", "a-2"]
CPTS = ["90834", "90834", "90834", "90837", "90832", "90785", "90785", "90791", "90792", "H2019", "H2019", "90839",
        "90840", 90834, "", None, "9O834"]
CODES_COVERED = ["", "", "", "90834", "90832-90838", "90834, 90837", "H2019", "90791, 90834", "90785",
                 "90830-90840; H2019"]
STATUSES = ["Ready"] * 6 + ["Paid", "Denied", "Appealed", "Draft", "Submitted", "Void", " void ", "No Show", "no-show",
                           "Late Cancel", "Cancelled", "Deleted", "", None, "Pending"]
UNITS = [None, 1, 1, 2, 4, 0.5, 10, "two", 0]
AUTHORIZED = [1, 2, 3, 4, 5, 12, 2.5, 0, None, "many", 40]


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


dates = st.integers(0, 100).map(day)
odd_dates = st.one_of(dates, dates, dates, st.sampled_from([None, "someday", "2026-02-30"]), dates.map(lambda d: d.strftime("%m/%d/%Y")))

payer_row = st.tuples(st.sampled_from(["Y", "Y", "Y", "N", "y", "", None]), st.sampled_from(["Y", "N", "", None]),
                      st.integers(0, 3), st.sampled_from(["Date", "date", "Service", "", None]))
payer_rows = st.tuples(payer_row, payer_row, payer_row).map(lambda rows: [
    (name, required, evals, per) for name, (required, evals, keep, per) in zip(["Acme Health", "Gov Medicaid", "Plain Plan"], rows)
    if keep])  # each payer on the sheet three times in four; visits counted per service or per date


@st.composite
def authorization(draw):
    start = draw(st.one_of(*[st.integers(0, 60).map(day)] * 4, st.none()))
    end = draw(st.one_of(*[st.integers(0, 90).map(lambda k: (start or DAY0) + dt.timedelta(days=k))] * 4, st.none()))
    client = draw(st.sampled_from(["CL-1", "CL-1", "CL-2", *CLIENTS]))
    return [draw(st.sampled_from(AUTH_NUMBERS)), client, draw(st.sampled_from(AUTH_PAYERS)),
            start, end, draw(st.sampled_from(AUTHORIZED)), draw(st.sampled_from(["Visits", "Visits", "Units", "", "units"])),
            draw(st.sampled_from(CODES_COVERED)), draw(st.sampled_from(["", "", "", NPI_A, NPI_B])), None]


@st.composite
def claim_line(draw):
    return {
        "Claim ID": draw(st.one_of(st.sampled_from(["C1", "C2", "C3", "", None]), st.integers(10, 99).map("K{}".format))),
        "Client ID": draw(st.sampled_from(CLIENTS)), "Client Name": "Pat Example", "Member ID": "M1",
        "Payer": draw(st.sampled_from(LINE_PAYERS)),
        "Rendering NPI": draw(st.sampled_from([NPI_A, NPI_B, NPI_B, "", None])), "Billing NPI": "1987654328",
        "DOS": draw(odd_dates), "Minutes": 45, "CPT": draw(st.sampled_from(CPTS)),
        "Units": draw(st.sampled_from(UNITS)), "Dx Codes": "F41.1", "POS": "11", "Charge": 100,
        "Auth Number": draw(st.sampled_from(NUMBERS)), "Status": draw(st.sampled_from(STATUSES)),
    }


@st.composite
def fitting_line(draw, auths):
    """A random line made to fit one of the authorizations (client, payer, a date inside it, a
    code it covers), with or without its number: most real lines are like this."""
    line = draw(claim_line())
    number, client, payer, start, end, _, _, codes, npi, _ = draw(st.sampled_from(auths))
    first = start or DAY0
    span = max(((end or first + dt.timedelta(days=60)) - first).days, 0)
    # a few shared dates, so that one date often holds several services (counted per service or per date)
    offset = draw(st.one_of(st.integers(0, span), st.sampled_from([0, min(7, span)])))
    line.update({"Client ID": client, "DOS": first + dt.timedelta(days=offset),
                 "Auth Number": draw(st.sampled_from([number, number, None, ""]))})
    if payer:
        line["Payer"] = payer
    if codes and draw(st.booleans()):
        line["CPT"] = draw(st.sampled_from(sorted(A.covered_codes(_record(codes)))))
    if npi and draw(st.booleans()):
        line["Rendering NPI"] = npi
    return line


def _record(codes: str):
    from claimcheck.models import Authorization

    return Authorization(auth_number="X", codes_covered=tuple(c for c in codes.replace(";", ",").split(",")))


@st.composite
def books(draw):
    auths = draw(st.one_of(st.lists(authorization(), min_size=1, max_size=6), st.lists(authorization(), max_size=6),
                           st.lists(authorization(), max_size=6), st.none()))
    if auths and draw(st.booleans()):  # a renewal or an overlapping authorization for the same client
        copy = list(draw(st.sampled_from(auths)))
        shift = dt.timedelta(days=draw(st.one_of(st.just(0), st.integers(-30, 60))))
        copy[0] = draw(st.sampled_from([copy[0], copy[0], "A-9", "R-1"]))
        copy[3], copy[4] = (copy[3] and copy[3] + shift), (copy[4] and copy[4] + shift)
        auths.append(copy)
    fitting = [fitting_line(auths)] * 3 if auths else []
    lines = draw(st.lists(st.one_of(claim_line(), *fitting), min_size=1, max_size=25))
    raw = {"Claims": rows_to_table("Claims", "Claims", [tuple(C.CLAIM_HEADERS)]
                                   + [tuple(line.get(h) for h in C.CLAIM_HEADERS) for line in lines])}
    payers = draw(st.one_of(payer_rows, payer_rows, payer_rows, st.none()))  # sometimes no Payers sheet
    if payers is not None:
        rows = [(name, "P1", 365, 90, "95", required, evals, None, None, None, None, per) for name, required, evals, per in payers]
        raw["Payers"] = rows_to_table("Payers", "Payers", [tuple(C.PAYER_HEADERS), *rows])
    if auths is not None:
        raw["Authorizations"] = rows_to_table("Authorizations", "Authorizations",
                                              [tuple(C.AUTH_HEADERS), *map(tuple, auths)])
    load_all()
    ends = [a[4] for a in auths or [] if a[4] is not None]
    near_an_end = [st.sampled_from(ends).flatmap(lambda end: st.integers(-3, 20).map(lambda k: end - dt.timedelta(days=k)))] if ends else []
    as_of = draw(st.one_of(st.integers(-10, 150).map(day), *near_an_end))
    return build_book(raw, tables()), as_of


def same_number(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(book_as_of=books())
def test_vectorised_matching_gives_the_loop_oracles_findings_and_usage(book_as_of):
    book, as_of = book_as_of
    rows = book.claims["row"]
    expected = sorted((code, int(rows[idx]), message)
                      for code, found in oracle.findings(book, as_of).items() for idx, message in found)
    got = sorted((f.code, f.row, f.message) for f in run_rules(book, as_of, select=("AUTH",)) if f.code.startswith("AUTH"))
    assert got == expected

    usage = oracle.auth_usage(book, as_of)
    assert A.auth_usage(book, as_of) == usage
    matching = A.match_authorizations(book)
    assert A.auth_usage(book, as_of, matching) == usage
    for number in {a.auth_number for a in book.authorizations} | {"A-1", "a-2 ", "NOPE", ""}:
        try:
            want = (oracle.auth_used(book, number, as_of), oracle.auth_remaining(book, number, as_of))
        except KeyError:
            for func in (A.auth_used, A.auth_remaining):
                try:
                    func(book, number, as_of)
                except KeyError:
                    continue
                raise AssertionError(f"{func.__name__}({number!r}) should raise KeyError")
            continue
        assert A.auth_used(book, number, as_of) == want[0]
        assert same_number(A.auth_remaining(book, number, as_of), want[1])
        # The same answers from a matching made once beforehand.
        assert A.auth_used(book, number, as_of, matching) == want[0]
        assert same_number(A.auth_remaining(book, number, as_of, matching), want[1])


def _agree(book, as_of):
    rows = book.claims["row"]
    expected = sorted((code, int(rows[idx]), message)
                      for code, found in oracle.findings(book, as_of).items() for idx, message in found)
    got = sorted((f.code, f.row, f.message) for f in run_rules(book, as_of, select=("AUTH",)) if f.code.startswith("AUTH"))
    assert got == expected
    assert A.auth_usage(book, as_of) == oracle.auth_usage(book, as_of)
    return got


def test_services_on_one_date_are_counted_as_the_oracle_counts_them():
    """Several services on one date under one authorization, add-ons before, between and after
    them, for a payer counting per service and one counting per date (the random books reach such
    dates too rarely to be sure of it in 200 examples)."""
    def ln(claim, cpt, payer, d, npi=NPI_A):
        return {"Claim ID": claim, "Client ID": "CL-1", "Client Name": "Pat Example", "Member ID": "M1", "Payer": payer,
                "Rendering NPI": npi, "Billing NPI": "1987654328", "DOS": d, "Minutes": 45, "CPT": cpt, "Units": None,
                "Dx Codes": "F41.1", "POS": "11", "Charge": 100, "Auth Number": None, "Status": "Ready"}

    lines = []
    for payer in ("Acme Health", "Gov Medicaid"):
        lines += [ln("C1", "90785", payer, day(3)), ln("C1", "90834", payer, day(3)), ln("C2", "90853", payer, day(3), NPI_B),
                  ln("C2", "90785", payer, day(3), NPI_B), ln("C3", "90837", payer, day(10)), ln("C4", "90785", payer, day(17))]
    payers = [("Acme Health", "P1", 365, 90, "95", "Y", "N", None, None, None, None, "Date"),
              ("Gov Medicaid", "P2", 365, 90, "95", "Y", "N", None, None, None, None, None)]
    auths = [("A-1", "CL-1", "Acme Health", day(0), day(60), 2, "Visits", "", "", None),
             ("A-2", "CL-1", "Gov Medicaid", day(0), day(60), 2, "Visits", "", "", None)]
    raw = {"Claims": rows_to_table("Claims", "Claims", [tuple(C.CLAIM_HEADERS)] + [tuple(x.get(h) for h in C.CLAIM_HEADERS) for x in lines]),
           "Payers": rows_to_table("Payers", "Payers", [tuple(C.PAYER_HEADERS), *payers]),
           "Authorizations": rows_to_table("Authorizations", "Authorizations", [tuple(C.AUTH_HEADERS), *auths])}
    book = build_book(raw, tables())
    got = _agree(book, day(90))
    used = {u.auth_number: u.used for u in A.auth_usage(book, day(90))}
    assert used == {"A-1": 2, "A-2": 3}  # per date: day 3 and day 10; per service: 90834, 90853, 90837
    over = [(row, message) for code, row, message in got if code == "AUTH007"]
    # A-2's day-10 session is its third; A-1 (per date) is not over
    assert over == [(12, "session 3 of 2 authorized on A-2; request more visits before billing it")]
