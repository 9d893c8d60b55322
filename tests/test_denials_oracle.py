"""claim_decisions (numpy grouping) against the readable loop (tests/oracles/denials_loop.py) on
random books: every field of every decision, and the DENY findings made from them, exactly.

The books mix what the grouping has to get right: claims of several lines interleaved in the
sheet, Denied/Appealed/Paid/other statuses within one claim, payers on and off the Payers sheet
with their own appeal and filing days, denial dates present, absent or unreadable, and codes
known (CARC/RARC with groups CO/PR/OA/PI), unknown, empty, CO-29 submitted before or after the
filing limit, MA130, N290, CO-22/N479.  Some lines carry CPT/POS/NPI errors, whose findings a
corrected-claim decision quotes.

``CLAIMCHECK_ORACLE_EXAMPLES`` sets the number of books (default 200; run 2,000 or more before
changing claim_decisions).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck import denials as D
from claimcheck import engine
from claimcheck.book import build_book
from claimcheck.engine import STAGES, Stage, run_rules
from helpers import line, raw_tables
from oracles.denials_loop import claim_decisions_loop

EXAMPLES = int(os.environ.get("CLAIMCHECK_ORACLE_EXAMPLES", "200"))

CARCS = sorted(e.code for e in D.catalogue().values() if e.kind == "CARC")
RARCS = sorted(e.code for e in D.catalogue().values() if e.kind == "RARC")
# Codes that steer a decision on their own, typed the ways billers type them.
SPECIAL = ["CO-29", "co 29", "MA130", "N290", "CO-22", "N479", "CO-16", "CO-97", "CO-50", "PR-1", "OA-18", "CO-45",
           "PR", "CO", "C0-50", "CO-999", "N9999", "XYZ", "29"]
PAYER_NAMES = ["Acme Health", "Gov Medicaid", "Medicare Part B", "Unlisted Mutual", "Other Plan"]


#: Appeal and filing days a payer's row may have; denial dates are often drawn this many days
#: (give or take two weeks) before the as-of date, so deadlines fall just before, on and after it.
DAYS = [60, 90, 120, 180, 365]

codes = st.one_of(
    st.sampled_from(SPECIAL),
    st.builds(lambda g, c: f"{g}{c}", st.sampled_from(["CO-", "PR-", "OA-", "PI-", "", "CO ", "pi"]), st.sampled_from(CARCS)),
    st.sampled_from(RARCS),
)
some_codes = st.lists(codes, min_size=1, max_size=3).flatmap(
    lambda cs: st.sampled_from([", ".join(cs), "; ".join(cs), " ".join(cs)]))
code_cells = st.one_of(st.sampled_from([None, "", "  "]), some_codes, some_codes, some_codes)
statuses = st.sampled_from(["Denied", "Denied", "Denied", "Appealed", "Paid", "Submitted", "Ready", "denied", "Draft"])


@st.composite
def lines_of_claim(draw, claim_id: str, as_of: dt.date):
    """1-4 lines of one claim; a claim's lines usually share a payer and a date of service."""
    def around(days: int) -> dt.date:
        return as_of + dt.timedelta(days=days)

    dates = st.integers(-500, 60).map(around)
    near = st.builds(lambda a, k: around(k - a), st.sampled_from(DAYS), st.integers(-3, 20))
    denial_dates = st.one_of(st.none(), st.just("soon"), dates, near, near, dates.map(lambda d: d.strftime("%m/%d/%Y")))
    payer = draw(st.one_of(st.none(), st.sampled_from(PAYER_NAMES)))
    dos = draw(dates)
    out = []
    for _ in range(draw(st.integers(1, 4))):
        broken = draw(st.sampled_from([{}, {}, {}, {"CPT": "9O834"}, {"POS": "30"}, {"Rendering NPI": "1234567890"},
                                       {"CPT": "90837"}]))
        out.append(line(
            Claim_ID=claim_id,
            Payer=draw(st.sampled_from([payer, payer, payer, None, "Acme Health"])),
            DOS=draw(st.sampled_from([dos, dos, dos, None])) or draw(st.one_of(st.none(), dates)),
            Status=draw(statuses),
            Denial_Codes=draw(code_cells),
            Denial_Date=draw(denial_dates),
            Submitted_On=draw(st.one_of(st.none(), dates, st.just("last week"))),
            **{k.replace(" ", "_"): v for k, v in broken.items()},
        ))
    return out


@st.composite
def books(draw):
    as_of = draw(st.integers(0, 400).map(lambda k: dt.date(2026, 1, 1) + dt.timedelta(days=k)))
    claims = [draw(lines_of_claim(f"C{i}", as_of)) for i in range(draw(st.integers(1, 6)))]
    # Interleave the claims' lines: each claim's lines stay in their order, claims mix.
    queues = [list(c) for c in claims]
    sheet = []
    while any(queues):
        q = draw(st.sampled_from([q for q in queues if q]))
        sheet.append(q.pop(0))
    on_sheet = draw(st.lists(st.sampled_from(PAYER_NAMES[:3] + PAYER_NAMES[4:]), unique=True, max_size=4))
    some_days = st.one_of(st.sampled_from(DAYS), st.integers(1, 400))
    payers = [[name, f"P{i}", draw(some_days), draw(some_days), "95", "N", "N", "", "", ""]
              for i, name in enumerate(on_sheet)]
    raw = raw_tables(sheet, payers=payers)
    if not payers and draw(st.booleans()):
        del raw["Payers"]  # no Payers sheet at all
    return build_book(raw), as_of


def fields(d: D.ClaimDecision) -> dict:
    """Every field of a decision, including those left out of ==."""
    return {f.name: getattr(d, f.name) for f in dataclasses.fields(d)}


@contextmanager
def oracle_stage():
    """The engine's denial_decisions stage made by the loop instead (for the DENY findings)."""
    real = STAGES["denial_decisions"]

    def make(ctx, findings):
        return claim_decisions_loop(ctx.book, ctx.as_of, statuses=("Denied",), fixes=D.fixes_by_row(findings))

    STAGES["denial_decisions"] = Stage("denial_decisions", make, after=real.after)
    try:
        yield
    finally:
        STAGES["denial_decisions"] = real


def deny_findings(book, as_of):
    return [f.as_dict() for f in run_rules(book, as_of, select=["DENY"])]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(books())
def test_claim_decisions_match_the_loop(book_and_day):
    book, as_of = book_and_day
    fixes = D.fixes_by_row(run_rules(book, as_of, select=D.FIX_FAMILIES))
    for statuses in (("Denied", "Appealed"), ("Denied",)):
        fast = D.claim_decisions(book, as_of, statuses=statuses, fixes=fixes)
        loop = claim_decisions_loop(book, as_of, statuses=statuses, fixes=fixes)
        assert [fields(d) for d in fast] == [fields(d) for d in loop]
    fast_findings = deny_findings(book, as_of)
    with oracle_stage():
        loop_findings = deny_findings(book, as_of)
    assert fast_findings == loop_findings


def test_the_oracle_stage_is_the_one_the_deny_rules_read():
    """The DENY findings above compare something: with the stage replaced, a decision the loop
    makes differently shows in them."""
    book = build_book(raw_tables([line(Status="Denied", Denial_Codes="CO-50", Denial_Date=dt.date(2025, 1, 2),
                                       Submitted_On=dt.date(2024, 12, 1), Payer_Claim_Number="2225002000001")]))
    as_of = dt.date(2026, 6, 30)
    assert [f["code"] for f in deny_findings(book, as_of)] == ["DENY001"]
    real = STAGES["denial_decisions"]
    STAGES["denial_decisions"] = Stage("denial_decisions", lambda ctx, findings: [], after=real.after)
    try:
        assert deny_findings(book, as_of) == []
    finally:
        STAGES["denial_decisions"] = real
    assert engine.STAGES["denial_decisions"] is real
