"""The optional documentation columns (Note Signed, Start Time, Stop Time) and the reference
sheets the eligibility and documentation rules read (Provider Enrollment, Coverage, Clients):
times read in every form Excel holds them, through both workbook readers; a book without the
new sheets and columns is checked as before."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from claimcheck import columns as C
from claimcheck.api import check_workbook
from claimcheck.cell_readers import read_time
from helpers import AS_OF, BASE_LINE, PAYER_HEADERS, PAYERS, PROVIDER_HEADERS, PROVIDERS, check_lines, line


@pytest.mark.parametrize("value, minutes", [
    (dt.time(14, 5), 845), (dt.time(0, 0), 0), (dt.datetime(2026, 6, 1, 9, 30), 570),
    (0.5, 720), (0.586805555555556, 845), (46174.75, 1080), (0, 0),  # fractions of a day, a date-and-time serial
    ("2:05 PM", 845), ("2:05pm", 845), ("2 p.m.", 840), ("12:00 AM", 0), ("12:30 pm", 750), (" 9:00 am ", 540),
    ("14:05", 845), ("14:05:30", 845.5), ("1405", 845), ("noon", 720), ("Midnight", 0),
    ("2026-06-01 14:05", 845), ("06/01/2026 2:05 PM", 845), ("2026-06-01T09:15:00", 555),
])
def test_a_time_reads_as_the_biller_means_it(value, minutes):
    assert read_time(value) == (minutes, None)


@pytest.mark.parametrize("value, problem", [
    (14, "14 is not a time of day"), ("2", "'2' is not a time of day"), ("25:00", "is not a time of day"),
    ("13:00 PM", "is not a time of day"), ("9:5", "is not a time of day"), ("soon", "is not a time of day"),
    (dt.date(2026, 6, 1), "holds a date without a time of day"), (True, "holds True, not a time"),
    ("#N/A", "cell shows the Excel error #N/A"), (-0.25, "is not a time of day"),
])
def test_a_value_that_is_not_a_time_is_reported(value, problem):
    minutes, found = read_time(value)
    assert minutes is None and problem in found


@pytest.mark.parametrize("value", [None, "", "   ", float("nan")])
def test_an_empty_time_is_empty(value):
    assert read_time(value) == (None, None)


def test_an_unreadable_time_is_a_finding_on_its_cell():
    result = check_lines([line(Start_Time="about two", Stop_Time="2:45 PM")])
    found = [(f.code, f.column, f.message) for f in result.findings if f.code.startswith(("REQ", "DOC"))]
    assert found == [("REQ002", "Start Time", "Start Time 'about two' is not a time of day; type it as 2:05 PM or 14:05")]


def _workbook(path, with_sheets: bool):
    wb = Workbook()
    ws = wb.active
    ws.title = "Claims"
    headers = C.CLAIM_HEADERS
    ws.append(headers)
    first = {**BASE_LINE, "Note Signed": dt.date(2026, 6, 1), "Start Time": dt.time(14, 0), "Stop Time": "2:40 PM"}
    second = {**BASE_LINE, "Claim ID": "C2", "DOS": dt.date(2026, 6, 8), "Note Signed": None,
              "Start Time": 0.375, "Stop Time": dt.datetime(2026, 6, 8, 9, 45)}
    for values in (first, second):
        ws.append([values.get(h) for h in headers])
    for name, rows in (("Payers", [PAYER_HEADERS, *PAYERS]), ("Providers", [PROVIDER_HEADERS, *PROVIDERS])):
        sheet = wb.create_sheet(name)
        for r in rows:
            sheet.append(list(r))
    if with_sheets:
        for name, rows in (
            ("Provider Enrollment", [C.ENROLLMENT_HEADERS, [BASE_LINE["Rendering NPI"], "Acme Health", dt.date(2026, 6, 5)]]),
            ("Coverage", [C.COVERAGE_HEADERS, ["CL-1", "Acme Health", "M100", dt.date(2026, 1, 1), dt.date(2026, 6, 5), "Primary", 20]]),
            ("Clients", [C.CLIENT_HEADERS, ["CL-1", dt.date(2026, 1, 2)]]),
        ):
            sheet = wb.create_sheet(name)
            for r in rows:
                sheet.append(list(r))
    wb.save(path)
    return path


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_both_readers_read_the_new_columns_and_sheets(tmp_path, engine):
    pytest.importorskip("python_calamine") if engine == "calamine" else None
    path = _workbook(tmp_path / "docs.xlsx", with_sheets=True)
    found = [(f.row, f.code, f.message) for f in check_workbook(path, AS_OF, engine=engine).findings]
    assert (2, "DOC003", "45 minutes billed, but the note's times (2:00 PM to 2:40 PM) span 40; correct the minutes or "
                         "the times") in found
    assert (3, "DOC001", "the session note is not signed (Status Ready); sign it before the claim goes out") in found
    assert (2, "PRV007", "DOS 2026-06-01 is outside the rendering provider's enrollment with Acme Health (2026-06-05 to "
                         "open); the payer will deny it as an ineligible provider") in found
    assert (3, "ELIG002", "DOS 2026-06-08 is outside client CL-1's coverage with Acme Health (2026-01-01 to "
                          "2026-06-05); verify eligibility for that date") in found
    assert [r for r, c, _ in found if c == "DOC005"] == [2, 3]
    assert not [f for f in found if f[1] in ("REQ002", "REQ007")]


def test_without_the_new_sheets_those_checks_do_not_run(tmp_path):
    path = _workbook(tmp_path / "plain.xlsx", with_sheets=False)
    codes = {f.code for f in check_workbook(path, AS_OF).findings}
    assert codes == {"DOC001", "DOC003"}  # the columns are there; no sheet, no PRV007/ELIG002/DOC005, no REQ004
