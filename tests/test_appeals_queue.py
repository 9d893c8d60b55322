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
    """Values, a formula and the formatting of the biller's cells, through ``claimcheck appeals``."""
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
    # and a formula: Q4's follow-up 30 days after its Denial Date (column E), on Q4's row (5)
    follow_up = LOG_HEADER.index("Follow-up Date") + 1
    ws.cell(row=5, column=follow_up, value="=E5+30").number_format = "dd-mmm-yy"
    from openpyxl.styles import Font, PatternFill
    ws.cell(row=2, column=LOG_HEADER.index("Notes") + 1).font = Font(bold=True)
    ws.cell(row=2, column=LOG_HEADER.index("Notes") + 1).fill = PatternFill("solid", start_color="FFFFFF00", end_color="FFFFFF00")
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
    assert "Appeals Log keeps 1 row(s) with your notes whose denial is gone (marked 'no longer denied')" in res.stdout
    out = load_workbook(second)
    assert out.sheetnames.count(LOG_SHEET) == 1
    # Q3's row left, so Q4 moved up to row 4: its formula moved with it, as Excel moves a sorted row's
    q4 = out[LOG_SHEET].cell(row=4, column=follow_up)
    assert out[LOG_SHEET].cell(row=4, column=1).value == "Q4" and q4.value == "=E4+30" and q4.data_type == "f"
    # the biller's formatting went with the rows: Q1's bold note on yellow, Q4's follow-up date format
    q1_note = out[LOG_SHEET].cell(row=2, column=LOG_HEADER.index("Notes") + 1)
    assert q1_note.font.bold and q1_note.fill.fgColor.rgb == "FFFFFF00"
    assert q4.number_format == "dd-mmm-yy"
    out[LOG_SHEET].cell(row=4, column=follow_up).value = None  # (the formula is not among the typed values checked below)
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


def test_generate_appeals_keeps_the_billers_formulas_and_formatting_on_the_log():
    """The button updates the log in place: a formula typed in a biller column and the formatting
    of the biller's cells stay on their claim's row, also when a row above leaves (Q3) and the
    rows below move up, as Excel moves them; the biller's cells are never rewritten."""
    lines = _lines()
    wb = _memory_book(lines)
    buttons.generate_appeals(wb, FIRST)
    rows = wb.read(LOG_SHEET)
    _type_notes(rows, lambda r, c, v: wb.write(LOG_SHEET, r, c, [[v]]))
    follow_up, notes = LOG_HEADER.index("Follow-up Date") + 1, LOG_HEADER.index("Notes") + 1
    assert [r[0] for r in rows[1:]] == ["Q1", "Q2", "Q3", "Q4"]
    # Q4 (row 5): follow up 30 days after its Denial Date (column E), shown as a date
    wb.set_formula(LOG_SHEET, 5, follow_up, "=E5+30", dt.date(2026, 7, 10))
    wb.set_format(LOG_SHEET, 5, follow_up, number_format="mm/dd/yyyy")
    wb.set_format(LOG_SHEET, 2, notes, bold=True)  # Q1's note in bold, on yellow
    wb.fill(LOG_SHEET, 2, 2, notes, notes, "#FFFF00")
    for r, l in enumerate(_since_first_run(lines), start=2):
        wb.write("Claims", r, 1, [[l.get(h) for h in HEADERS]])

    buttons.generate_appeals(wb, SECOND)
    log = wb.read(LOG_SHEET)
    assert [r[0] for r in log[1:]] == ["Q1", "Q2", "Q4", "Q5"]  # Q3 (paid, nothing typed) left
    assert wb.formula_cells[LOG_SHEET] == {(4, follow_up): "=E4+30"}  # moved up with Q4's row
    assert wb.formats[LOG_SHEET] == {(4, follow_up): {"number_format": "mm/dd/yyyy"}, (2, notes): {"bold": True}}
    assert wb.fills[LOG_SHEET][(2, notes)] == "#FFFF00"
    assert log[3][LOG_HEADER.index("Days Left")] == 150  # computed columns still brought up to date
    wb.formula_cells[LOG_SHEET].clear()
    wb.write(LOG_SHEET, 4, follow_up, [[None]])
    _check_second_log(wb.read(LOG_SHEET), dates_as=dt.date)


def test_generate_appeals_on_a_log_the_biller_sorted_updates_each_row_where_it_is():
    """The biller sorted the log (Q4 first): a re-run updates each claim's computed cells on that
    claim's own row, leaves the order as the biller made it and adds the new denial below."""
    lines = _lines()
    wb = _memory_book(lines)
    buttons.generate_appeals(wb, FIRST)
    notes = LOG_HEADER.index("Notes") + 1
    rows = wb.read(LOG_SHEET)
    order = [5, 4, 3, 2]  # Q4, Q3, Q2, Q1
    moved = {r: rows[r - 1] for r in order}
    for new, old in enumerate(order, start=2):
        wb.write(LOG_SHEET, new, 1, [list(moved[old])])
    wb.write(LOG_SHEET, 2, notes, [["Q4: asked for the letter"]])
    wb.write(LOG_SHEET, 5, notes, [["Q1: called payer"]])
    wb.fill(LOG_SHEET, 5, 5, notes, notes, "#FFFF00")
    for r, l in enumerate(_since_first_run(lines), start=2):
        wb.write("Claims", r, 1, [[l.get(h) for h in HEADERS]])
    buttons.generate_appeals(wb, SECOND)
    log = wb.read(LOG_SHEET)
    at = {h: i for i, h in enumerate(LOG_HEADER)}
    assert [(r[0], r[at["Notes"]]) for r in log[1:]] == [
        ("Q4", "Q4: asked for the letter"), ("Q1", "Q1: called payer"), ("Q5", None)]  # Q3, Q2: paid, nothing typed
    assert log[1][at["Denial Date"]] == dt.date(2026, 6, 10) and log[1][at["Days Left"]] == 150  # Q4's own row
    assert log[2][at["Decision"]] == "appeal written" and log[2][at["Days Left"]] == 141  # Q1's own row
    assert wb.fills[LOG_SHEET].get((3, notes)) == "#FFFF00"  # Q1's note moved up with its row


def test_a_formula_showing_a_blank_is_the_billers_work_where_formulas_can_be_read():
    """A gone denial whose row holds only a formula (showing nothing yet) keeps its row."""
    lines = _lines()
    wb = _memory_book(lines)
    buttons.generate_appeals(wb, FIRST)
    outcome = LOG_HEADER.index("Outcome") + 1
    wb.set_formula(LOG_SHEET, 4, outcome, '=IF(J4<0,"late","")', "")  # Q3's row
    for r, l in enumerate(_since_first_run(lines), start=2):
        wb.write("Claims", r, 1, [[l.get(h) for h in HEADERS]])
    buttons.generate_appeals(wb, SECOND)
    log = {r[0]: r for r in wb.read(LOG_SHEET)[1:]}
    assert "Q2" not in log and log["Q3"][LOG_HEADER.index("Decision")] == "no longer denied"  # Q2: nothing typed
    assert wb.formula_cells[LOG_SHEET] == {(3, outcome): '=IF(J3<0,"late","")'}  # up one row, with Q3


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


# --------------------------------------------------------------------------- one decision a claim (issue 18)

CODES = ["CO-50", "CO-16, N290", "PR-1", "PR-2, PR-3", "CO-45", "CO-18", "CO-109", "CO-4", "CO-29", "CO-97",
         "CO-197", "MA130", "CO-16, M127", "PR-1, CO-50", "CO-999", None]


def _variety():
    """Claims across payers (commercial, Medicaid, Original Medicare by name), codes, denial dates
    (open and closed windows, blank) and statuses (Denied, Appealed)."""
    lines = []
    n = 0
    for payer in ("Acme Health", "Gov Medicaid", "Medicare Part B"):
        for codes in CODES:
            for denial in (dt.date(2026, 6, 1), dt.date(2025, 9, 1), None):
                for status in ("Denied", "Appealed"):
                    n += 1
                    lines.append(line(Claim_ID=f"V{n}", Payer=payer, Denial_Codes=codes, Denial_Date=denial, Status=status,
                                      DOS=dt.date(2025, 8, 4) if denial == dt.date(2025, 9, 1) else dt.date(2026, 5, 4),
                                      Submitted_On=dt.date(2025, 8, 6) if denial == dt.date(2025, 9, 1) else dt.date(2026, 5, 6)))
    return lines


def test_the_log_states_one_decision_and_at_most_one_deadline_per_claim():
    import re

    from test_appeals import book_of
    from claimcheck.appeals import plan_appeals

    plan = plan_appeals(book_of(_variety()), FIRST)
    rows = [dict(zip(LOG_HEADER, r)) for r in plan.log_rows()]
    assert len(rows) == len({r["Claim ID"] for r in rows}) == len(_variety())  # one row, one decision, per claim
    decisions = {r["Decision"] for r in rows}
    assert {"bill patient", "reopening instead", "already appealed", "not appealable: window closed",
            "corrected claim instead", "appeal written"} <= decisions
    for r in rows:
        why, decision = r["Why / next step"], r["Decision"]
        # a "not" decision never also says the claim goes through an appeal
        if decision.startswith("not appealable"):
            assert "goes through the appeal" not in why and not re.search(r"\bappeal by\b|request a redetermination", why), r
        # bill the patient: no appeal deadline anywhere on the row
        if decision == "bill patient":
            assert r["Appeal Deadline"] is None and r["Days Left"] is None and "appeal by" not in why, r
        # only the appeal route carries the appeal deadline; an appealed claim has its follow-up date instead
        if not (decision.startswith("appeal") or decision == "not appealable: window closed"):
            assert r["Appeal Deadline"] is None and r["Days Left"] is None, r
        # never two dates to act by on one row
        to_act = set(re.findall(r"\bby (\d{4}-\d{2}-\d{2})", why))
        if r["Appeal Deadline"] is not None:
            to_act.add(r["Appeal Deadline"].isoformat())
        assert len(to_act) <= 1, r


def test_an_appealed_claim_gets_its_follow_up_date_not_the_appeal_deadline():
    from test_appeals import book_of
    from claimcheck.appeals import plan_appeals

    lines = [line(Claim_ID="F1", Status="Appealed", Payer="Medicare Part B", Appealed_On=dt.date(2026, 6, 5)),
             line(Claim_ID="F2", Status="Appealed", Appealed_On=dt.date(2026, 5, 1)),
             line(Claim_ID="F3", Status="Appealed")]
    rows = {r[0]: dict(zip(LOG_HEADER, r)) for r in plan_appeals(book_of(lines), FIRST).log_rows()}
    assert all(r["Decision"] == "already appealed" and r["Appeal Deadline"] is None for r in rows.values())
    assert rows["F1"]["Why / next step"].startswith(
        "Status is Appealed (Medicare redetermination sent 2026-06-05): follow up by 2026-08-04 if no decision (60 days, "
        "42 CFR 405.950)")
    assert "no decision by the follow-up date 2026-05-31" in rows["F2"]["Why / next step"]
    assert "enter Appealed On" in rows["F3"]["Why / next step"]


def test_the_log_prints_landscape_one_page_wide(tmp_path):
    """Print setup through openpyxl, then the log alone rendered by LibreOffice: every page is
    landscape Letter and carries the first column and the last (nothing spills to a second page
    across)."""
    import subprocess

    import office

    lines = [line(Claim_ID=f"P{i}", Denial_Codes=CODES[i % len(CODES)], Payer=("Acme Health", "Medicare Part B")[i % 2])
             for i in range(60)]
    src = _write_book(tmp_path / "in.xlsx", lines)
    out = tmp_path / "out.xlsx"
    assert _run("appeals", src, "--output", out, "--as-of", FIRST.isoformat()).returncode in (0, 1)
    wb = load_workbook(out)
    ws = wb[LOG_SHEET]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_area == f"'{LOG_SHEET}'!$A$1:$Q${ws.max_row}" and ws.print_title_rows == "$1:$1"

    for name in wb.sheetnames:
        if name != LOG_SHEET:
            del wb[name]
    only = tmp_path / "log-only.xlsx"
    wb.save(only)
    pdf = office.soffice_convert(only, tmp_path / "pdf", "pdf", tmp_path / "lo-profile")
    text = subprocess.run([office.need("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          timeout=120).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    info = subprocess.run([office.need("pdfinfo"), "-f", "1", "-l", str(len(pages)), str(pdf)],
                          capture_output=True, text=True, timeout=60).stdout
    assert len(pages) >= 2  # 60 claims: more than one page tall
    for i, page in enumerate(pages):
        assert "Claim ID" in page and "Notes" in page and "Appeals Log - page" in page, i
    import re

    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert sizes and all(float(w) > float(h) for w, h in sizes), sizes  # landscape
    assert "P0" in pages[0] and "P59" in pages[-1]


def test_the_key_reads_a_claim_id_and_a_date_as_excel_gives_them_back():
    from claimcheck.appeals.log import row_key

    assert row_key("c1 ", dt.date(2026, 6, 1)) == row_key("C1", dt.datetime(2026, 6, 1)) == ("C1", "2026-06-01")
    assert row_key(1001.0, "2026-06-01") == row_key("1001", dt.date(2026, 6, 1)) == ("1001", "2026-06-01")
    assert row_key("C1", 46174) == ("C1", "2026-06-01")  # a date cell read as its serial number
    assert row_key("C1", None) == row_key("C1", "") == ("C1", "")


def test_generate_appeals_colours_days_left_as_the_command_does():
    """Days Left is green while there is time, yellow within two weeks of the deadline and red
    once it has passed, on the button's log as on the command's; a row without a deadline has no
    fill, also when an earlier run had coloured it."""
    wb = _memory_book(_lines())
    days_left = LOG_HEADER.index("Days Left") + 1

    def colours():
        rows = wb.read(LOG_SHEET)
        return {r[0]: (r[days_left - 1], wb.fills[LOG_SHEET].get((i, days_left)))
                for i, r in enumerate(rows[1:], start=2)}

    buttons.generate_appeals(wb, FIRST)
    first = colours()
    assert first["Q1"] == (151, "#C6EFCE")
    # corrected claim, bill patient, and a denial whose date is not entered yet: no deadline
    assert first["Q2"] == first["Q3"] == first["Q4"] == (None, None)
    buttons.generate_appeals(wb, dt.date(2026, 11, 20))
    assert colours()["Q1"] == (8, "#FFEB9C")
    buttons.generate_appeals(wb, dt.date(2026, 12, 1))
    late = colours()
    assert late["Q1"][0] < 0 and late["Q1"][1] == "#F4C7CE", late["Q1"]
    # the claim is paid: its kept row loses its deadline and its colour
    wb.write("Claims", 2, HEADERS.index("Status") + 1, [["Paid"]])
    wb.write(LOG_SHEET, 2, LOG_HEADER.index("Notes") + 1, [["called payer"]])
    buttons.generate_appeals(wb, dt.date(2026, 12, 1))
    assert colours()["Q1"] == (None, None)
