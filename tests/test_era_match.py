"""Matching 835 claim and service payments to Claims rows (claimcheck.era.match)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from claimcheck.api import load_book
from claimcheck.era import read_835
from claimcheck.era.match import (
    BY_CODE_AND_DATE,
    BY_CODE_AND_DATE_IN_ORDER,
    BY_LINE_CONTROL_NUMBER,
    match_payments,
)
from claimcheck.era.records import ClaimPayment, Payment, Procedure, RemittanceBatch, ServicePayment
from tests.helpers import as_row, line, write_workbook

FIXTURES = Path(__file__).parent / "fixtures" / "era"

# The workbook's lines, in sheet order from row 2 (row 1 holds the headers).
LINES = [
    line(Claim_ID="CC-1001", CPT="90834", DOS=dt.date(2026, 11, 10)),                   # row 2
    line(Claim_ID="CC-1003", CPT="90791", DOS=dt.date(2026, 11, 12)),                   # row 3
    line(Claim_ID="CC-1003", CPT="90785", DOS=dt.date(2026, 11, 12)),                   # row 4
    line(Claim_ID="CC-1004", CPT="90834", Modifiers="95", DOS=dt.date(2026, 11, 13)),   # row 5
    line(Claim_ID="CC-1002", CPT="90837", Modifiers="HO", DOS=dt.date(2026, 11, 11)),   # row 6
    line(Claim_ID="CC-2000", CPT="90837", Modifiers="95, HO", DOS=dt.date(2026, 11, 20)),  # row 7
    line(Claim_ID="CC-2001", CPT="90834", DOS=dt.date(2026, 11, 21)),                   # row 8
    line(Claim_ID="CC-2001", CPT="90834", DOS=dt.date(2026, 11, 21)),                   # row 9
]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("era") / "claims.xlsx"
    write_workbook(path, [as_row(l) for l in LINES])
    return load_book(path)


def batch_of(*claims: ClaimPayment) -> RemittanceBatch:
    return RemittanceBatch(payments=(Payment("1", "1", "0001", claims=claims),))


def service(code: str, *modifiers: str, day: int | None = None, **kw) -> ServicePayment:
    return ServicePayment(procedure=Procedure("HC", code, modifiers), charge=Decimal("100"),
                          paid=Decimal("80"),
                          service_date=None if day is None else dt.date(2026, 11, day), **kw)


def claim(claim_id: str, *services: ServicePayment, **kw) -> ClaimPayment:
    return ClaimPayment(claim_id, "1", Decimal("100"), Decimal("80"), None,
                        services=services, **kw)


def read(name: str) -> RemittanceBatch:
    return read_835((FIXTURES / name).read_text())


def test_clp01_matches_claim_id_and_svc_matches_the_line(book):
    (match,) = match_payments(book, read("paid.835"))
    assert match.matched and match.claim_id == "CC-1001" and match.rows == (2,)
    assert [(m.service, m.row, m.how) for m in match.lines] == [(0, 2, BY_CODE_AND_DATE)]


def test_each_service_line_finds_its_own_row(book):
    (match,) = match_payments(book, read("partly_paid.835"))
    assert match.rows == (3, 4)
    assert [(m.row, m.how) for m in match.lines] == [(3, BY_CODE_AND_DATE), (4, BY_CODE_AND_DATE)]


def test_several_payments_in_one_file(book):
    matches = match_payments(book, read("several_st_isa.835"))
    assert [(m.claim_id, [l.row for l in m.lines]) for m in matches] == [
        ("CC-1001", [2]), ("CC-1003", [3, 4]), ("CC-1004", [5])]
    assert [m.payment.trace_number for m in matches] == ["EFT0000107", "EFT0000108",
                                                         "CHK0000109"]


def test_a_claim_not_on_the_sheet_is_unmatched_and_never_guessed(book):
    matches = match_payments(book, read("plb_remarks.835"))
    assert [m.claim.patient_control_number for m in matches] == ["CC-1001", "CC-1005"]
    unmatched = matches[1]
    assert not unmatched.matched and unmatched.rows == () and unmatched.lines == ()
    assert unmatched.problem == "no claim with this Claim ID on the Claims sheet"


def test_claim_id_ignores_case_and_surrounding_spaces(book):
    (match,) = match_payments(book, batch_of(claim(" cc-1001 ", service("90834", day=10))))
    assert match.rows == (2,) and match.lines[0].row == 2


def test_modifiers_match_in_any_order(book):
    (match,) = match_payments(book, batch_of(claim("CC-2000", service("90837", "HO", "95",
                                                                       day=20))))
    assert match.lines[0].row == 7
    (wrong,) = match_payments(book, batch_of(claim("CC-2000", service("90837", "HO", day=20))))
    assert wrong.lines[0].row is None
    assert wrong.lines[0].problem == "no unmatched line 90837-HO on 2026-11-20 on this claim"


def test_a_service_date_that_differs_leaves_the_line_unmatched(book):
    (match,) = match_payments(book, batch_of(claim("CC-1001", service("90834", day=11))))
    assert match.matched and match.lines[0].row is None
    assert "2026-11-11" in match.lines[0].problem


def test_claim_dates_stand_in_when_the_line_has_no_date(book):
    in_period = claim("CC-1001", service("90834"), statement_from=dt.date(2026, 11, 9),
                      statement_to=dt.date(2026, 11, 12))
    out_of_period = replace(in_period, statement_from=dt.date(2026, 11, 11))
    assert match_payments(book, batch_of(in_period))[0].lines[0].row == 2
    assert match_payments(book, batch_of(out_of_period))[0].lines[0].row is None


def test_the_code_as_billed_is_used_when_the_payer_changed_it(book):
    changed = service("90834", day=11, submitted_procedure=Procedure("HC", "90837", ("HO",)))
    (match,) = match_payments(book, batch_of(claim("CC-1002", changed)))
    assert match.lines[0].row == 6


def test_alike_lines_are_each_used_once_in_sheet_order(book):
    twice = claim("CC-2001", service("90834", day=21), service("90834", day=21),
                  service("90834", day=21))
    (match,) = match_payments(book, batch_of(twice))
    assert [(m.row, m.how) for m in match.lines] == [
        (8, BY_CODE_AND_DATE_IN_ORDER), (9, BY_CODE_AND_DATE), (None, "")]
    assert match.lines[2].problem.startswith("no unmatched line 90834")


def test_line_control_number_decides_when_the_sheet_has_it(book):
    claims = book.claims.copy()
    claims["line_control_number"] = ""
    claims.loc[claims["row"] == 9, "line_control_number"] = "LINE-B"
    with_control = replace(book, claims=claims)
    second = service("90834", day=21, line_control_number="LINE-B")
    (match,) = match_payments(with_control, batch_of(claim("CC-2001", second)))
    assert (match.lines[0].row, match.lines[0].how) == (9, BY_LINE_CONTROL_NUMBER)
    # an unknown control number falls back to code and date
    other = service("90834", day=21, line_control_number="LINE-X")
    (fallback,) = match_payments(with_control, batch_of(claim("CC-2001", other)))
    assert (fallback.lines[0].row, fallback.lines[0].how) == (8, BY_CODE_AND_DATE_IN_ORDER)


def test_matching_changes_nothing_in_the_book(book):
    before = book.claims.copy()
    match_payments(book, read("several_st_isa.835"))
    assert book.claims.equals(before)
