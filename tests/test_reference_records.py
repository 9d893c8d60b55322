"""The Payers, Providers and Authorizations rows become records checked by their pydantic models:
a cell a record refuses is a finding on that cell (sheet, row, column), like a cell that could
not be read, and the record goes on with the documented default - never a crash."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import AS_OF, PAYERS, check_lines, line


def reading(result, sheet):
    return [(f.code, f.row, f.column, f.message) for f in result.findings if f.sheet == sheet]


def payer_with(column: int, value):
    row = list(PAYERS[0])
    row[column] = value
    return [row, *PAYERS[1:]]


@pytest.mark.parametrize("value, shown", [(90.5, "90.5"), (-5, "-5"), (0, "0"), (1e20, "1e+20"), (10**6, "1000000")])
def test_timely_filing_days_out_of_range_is_a_finding_and_the_default_is_used(value, shown):
    result = check_lines([line(DOS=dt.date(2026, 1, 5))], payers=payer_with(2, value))
    assert reading(result, "Payers") == [
        ("REQ002", 2, "Timely Filing Days", f"Timely Filing Days {shown} is not a whole number of days from 1 to 3650")]
    assert result.book.payer("Acme Health").timely_filing_days == 90  # payer_defaults.csv
    # the default's deadline (2026-04-05) passed, so the line is flagged as with a blank cell
    blank = check_lines([line(DOS=dt.date(2026, 1, 5))], payers=payer_with(2, None))
    assert [f.code for f in result.findings if f.sheet == "Claims"] == [f.code for f in blank.findings if f.sheet == "Claims"]


def test_appeal_days_and_telehealth_modifier_are_checked():
    rows = payer_with(3, 2.5)
    rows[0][4] = "telehealth"
    result = check_lines([line()], payers=rows)
    assert reading(result, "Payers") == [
        ("REQ002", 2, "Appeal Days", "Appeal Days 2.5 is not a whole number of days from 1 to 3650"),
        ("REQ002", 2, "Telehealth Modifier", "Telehealth Modifier 'telehealth' is not a modifier (95, GT, 93, or blank for none)"),
    ]
    payer = result.book.payer("Acme Health")
    assert payer.appeal_days == 120 and payer.telehealth_modifier == "" and payer.timely_filing_days == 90


def auth(authorized, unit_type="Visits"):
    return ["A1", "CL-1", "Acme Health", dt.date(2026, 1, 1), dt.date(2026, 12, 31), authorized, unit_type, None, None, None]


@pytest.mark.parametrize("authorized, unit_type, problem", [
    (-3, "Visits", ("Authorized", "Authorized -3 is not a whole number of 0 or more")),
    (2.5, "Visits", ("Authorized", "Authorized 2.5 is not a whole number of 0 or more")),
    (10, "Sessions", ("Unit Type", "Unit Type 'Sessions' is not Visits or Units")),
])
def test_a_bad_authorization_cell_is_a_finding_on_that_cell(authorized, unit_type, problem):
    result = check_lines([line(Auth_Number="A1")], auths=[auth(authorized, unit_type)])
    assert reading(result, "Authorizations") == [("REQ002", 2, *problem)]
    (record,) = result.book.authorizations
    assert record.auth_number == "A1" and record.row == 2
    assert not any("of -3" in f.message or "of 2.5" in f.message for f in result.findings)


def test_unit_type_reads_as_the_biller_writes_it():
    for typed, unit in (("units", "Units"), ("Unit", "Units"), ("visits", "Visits"), (None, "Visits"), ("VISIT", "Visits")):
        result = check_lines([line(Auth_Number="A1")], auths=[auth(10, typed)])
        assert result.book.authorizations[0].unit_type == unit
        assert reading(result, "Authorizations") == []


def test_good_reference_rows_read_as_before():
    result = check_lines([line()], auths=[auth(12.0, "Units")])
    payer = result.book.payer("Acme Health")
    assert (payer.timely_filing_days, payer.appeal_days, payer.telehealth_modifier, payer.row) == (90, 180, "95", 2)
    (record,) = result.book.authorizations
    assert (record.authorized, record.unit_type, record.start_date) == (12.0, "Units", dt.date(2026, 1, 1))
    assert result.book.providers["1234567893"].credential == "LCSW"
    assert AS_OF == dt.date(2026, 6, 30)
