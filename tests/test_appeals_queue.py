"""The Appeals Log is a work queue (issue 16): a re-run adds new denials and updates the computed
columns, but the biller's columns (Owner, Follow-up Date, Appeal Level, Reference #, Outcome,
Notes, and any column the biller added) survive, through ``claimcheck appeals`` and through the
Generate Appeals button's code path.  A row whose denial is gone is kept and marked when it holds
the biller's work."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from claimcheck.addin import buttons
from claimcheck.addin.workbook_port import MemoryWorkbook
from claimcheck.appeals import BILLER_COLUMNS, LOG_HEADER, LOG_SHEET
from test_appeals import HEADERS, PAYERS, PROVIDERS, AUTHS, _run, _write_book, line

FIRST, SECOND = dt.date(2026, 6, 30), dt.date(2026, 7, 10)


def _lines():
    return [line(Claim_ID="Q1"),  # CO-50: appeal
            line(Claim_ID="Q2", Denial_Codes="CO-16, N290"),  # corrected claim
            line(Claim_ID="Q3", Denial_Codes="PR-1"),  # bill patient
            line(Claim_ID="Q4", Denial_Date=None)]  # appeal, Denial Date not entered yet


def _since_first_run(lines):
    """What happened on Claims between the runs: Q2 was paid, Q3 paid by the client, Q4's
    Denial Date entered, and Q5 newly denied."""
    by_id = {l["Claim ID"]: l for l in lines}
    by_id["Q2"].update({"Status": "Paid", "Paid Amount": 130.0, "Denial Codes": None, "Denial Date": None})
    by_id["Q3"].update({"Status": "Paid", "Paid Amount": 130.0, "Denial Codes": None, "Denial Date": None})
    by_id["Q4"]["Denial Date"] = dt.date(2026, 6, 10)
    return lines + [line(Claim_ID="Q5", Denial_Date=dt.date(2026, 7, 1))]


#: What the biller typed on the log after the first run: claim -> header -> value.
TYPED = {"Q1": {"Owner": "Ana", "Follow-up Date": dt.datetime(2026, 7, 15), "Appeal Level": "Level 1",
                "Reference #": "CALL-881", "Outcome": "pending", "Notes": "-called payer; records faxed 7/2",
                "My Flag": "x"},
         "Q2": {"Reference #": "REF-9", "Notes": "corrected claim sent 7/1"},
         "Q4": {"Notes": "asked front desk for the denial letter"}}


def _type_notes(rows, write):
    """Type TYPED into a log given as rows (header first), through ``write(row, col, value)``;
    ``My Flag`` is a column the biller added right of ours."""
    header = list(rows[0])
    write(1, len(header) + 1, "My Flag")
    at = {h: i + 1 for i, h in enumerate(header)}
    at["My Flag"] = len(header) + 1
    for r, values in enumerate(rows[1:], start=2):
        for h, v in TYPED.get(values[0], {}).items():
            write(r, at[h], v)


def _check_second_log(rows, *, dates_as=dt.datetime):
    header = list(rows[0])
    assert header[:len(LOG_HEADER)] == LOG_HEADER and header[len(LOG_HEADER):] == ["My Flag"]
    log = [dict(zip(header, r)) for r in rows[1:]]
    assert [r["Claim ID"] for r in log] == ["Q1", "Q2", "Q4", "Q5"]  # Q3 (paid, nothing typed) left; Q5 added below
    by_id = {r["Claim ID"]: r for r in log}
    for claim, typed in TYPED.items():
        for h, v in typed.items():
            got = by_id[claim][h]
            if isinstance(v, str) and v.startswith("-"):
                got = str(got).lstrip("'")  # the in-memory workbook keeps Excel's text prefix
            assert got == v, (claim, h, got)
    # computed columns are brought up to date
    assert by_id["Q1"]["Decision"] == "appeal written" and by_id["Q1"]["Days Left"] == 141
    assert by_id["Q4"]["Denial Date"] == dates_as(2026, 6, 10) and by_id["Q4"]["Days Left"] == 150
    # the paid claim keeps its row, marked, with no deadline
    assert by_id["Q2"]["Decision"] == "no longer denied" and "Status is now Paid" in by_id["Q2"]["Why / next step"]
    assert by_id["Q2"]["Appeal Deadline"] is None and by_id["Q2"]["Days Left"] is None
    assert all(by_id["Q5"][h] is None for h in BILLER_COLUMNS + ["My Flag"])


def test_a_rerun_of_the_command_keeps_what_the_biller_typed_on_the_log(tmp_path):
    lines = _lines()
    src = _write_book(tmp_path / "in.xlsx", lines)
    first = tmp_path / "first.xlsx"
    res = _run("appeals", src, "--output", first, "--as-of", FIRST.isoformat())
    assert res.returncode == 0, res.stderr
    wb = load_workbook(first)
    ws = wb[LOG_SHEET]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert list(rows[0]) == LOG_HEADER and [r[0] for r in rows[1:]] == ["Q1", "Q2", "Q3", "Q4"]
    _type_notes(rows, lambda r, c, v: ws.cell(row=r, column=c, value=v))
    # the claims move on: rewrite the Claims sheet's values in place
    claims = wb["Claims"]
    for r, l in enumerate(_since_first_run(lines), start=2):
        for c, h in enumerate(HEADERS, start=1):
            claims.cell(row=r, column=c, value=l.get(h))
    worked = tmp_path / "worked.xlsx"
    wb.save(worked)

    second = tmp_path / "second.xlsx"
    res = _run("appeals", worked, "--output", second, "--as-of", SECOND.isoformat())
    assert res.returncode == 0, res.stderr
    out = load_workbook(second)
    assert out.sheetnames.count(LOG_SHEET) == 1
    _check_second_log([tuple(r) for r in out[LOG_SHEET].iter_rows(values_only=True)])


def _memory_book(lines) -> MemoryWorkbook:
    return MemoryWorkbook({"Claims": [list(HEADERS)] + [[l.get(h) for h in HEADERS] for l in lines],
                           "Payers": [list(p) for p in PAYERS], "Providers": [list(p) for p in PROVIDERS],
                           "Authorizations": [list(a) for a in AUTHS]}, selection=("Claims", [1]))


def test_a_rerun_of_generate_appeals_keeps_what_the_biller_typed_on_the_log():
    lines = _lines()
    wb = _memory_book(lines)
    buttons.generate_appeals(wb, FIRST)
    rows = wb.read(LOG_SHEET)
    assert list(rows[0]) == LOG_HEADER
    _type_notes(rows, lambda r, c, v: wb.write(LOG_SHEET, r, c, [[v]]))
    for r, l in enumerate(_since_first_run(lines), start=2):
        wb.write("Claims", r, 1, [[l.get(h) for h in HEADERS]])
    buttons.generate_appeals(wb, SECOND)
    _check_second_log(wb.read(LOG_SHEET), dates_as=dt.date)


def test_a_later_denial_of_the_same_claim_is_a_new_row_and_the_earlier_one_is_kept():
    from claimcheck.appeals import merge_log
    from test_appeals import book_of
    from claimcheck.appeals import plan_appeals

    first = plan_appeals(book_of([line(Claim_ID="R1")]), FIRST)
    header, rows = merge_log(first.log_rows(), None, FIRST)
    rows[0][header.index("Outcome")] = "denied at level 1"
    again = plan_appeals(book_of([line(Claim_ID="R1", Denial_Date=dt.date(2026, 7, 5))]), SECOND)
    header, rows = merge_log(again.log_rows(), [header] + rows, SECOND, again.claim_status)
    assert [(r[0], r[header.index("Decision")]) for r in rows] == [("R1", "earlier denial"), ("R1", "appeal written")]
    assert rows[0][header.index("Outcome")] == "denied at level 1" and rows[1][header.index("Outcome")] is None


def test_a_sheet_called_appeals_log_that_is_not_ours_is_refused_not_overwritten(tmp_path):
    src = _write_book(tmp_path / "in.xlsx", _lines())
    wb = load_workbook(src)
    ws = wb.create_sheet(LOG_SHEET)
    ws.append(["Date", "Who", "What"])
    ws.append([dt.date(2026, 6, 1), "Ana", "called payer"])
    wb.save(src)
    out = tmp_path / "out.xlsx"
    res = _run("appeals", src, "--output", out, "--as-of", FIRST.isoformat())
    assert res.returncode == 2 and "Claim ID" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()
    memory = _memory_book(_lines())
    memory.add_sheet(LOG_SHEET)
    memory.write(LOG_SHEET, 1, 1, [["Date", "Who", "What"], ["2026-06-01", "Ana", "called payer"]])
    text = buttons.run("generate_appeals", memory, as_of=FIRST)
    assert "Claim ID" in text and memory.read(LOG_SHEET)[1] == ("2026-06-01", "Ana", "called payer")
