"""The buttons: once against the in-memory workbook, and through xlwings Lite's own script
dispatch (``custom_scripts_call`` on ``xw.Book(json=...)``).  No button changes a cell the
biller typed."""

from __future__ import annotations

import datetime as dt

import pytest

from udfs_env import (  # noqa: I001  (sets the xlwings env vars before xlwings is imported)
    book_json, cli_texts, lite_main, run_script, sample_sheets, server, write_xlsx, xw,
)

from claimcheck import columns as C
from claimcheck.addin import buttons
from claimcheck.addin.workbook_port import MemoryWorkbook, rows_of_address, safe_value

AS_OF = dt.date(2026, 6, 30)
CHECK_COL = len(C.CLAIM_HEADERS) + 1  # the column after the sample's contract columns


def snapshot(wb: MemoryWorkbook, sheets) -> dict:
    return {(s, k): v for s in sheets for k, v in wb.cells[s].items()}


def assert_biller_cells_unchanged(wb, before):
    for (sheet, key), value in before.items():
        assert wb.cells[sheet].get(key) == value, (sheet, key)


def sample_book(**kwargs) -> MemoryWorkbook:
    return MemoryWorkbook(sample_sheets(), **kwargs)


def _checked(wb: MemoryWorkbook):
    """The check a button runs on ``wb``: its tables as the buttons read them, checked as of AS_OF."""
    from claimcheck.api import check_raw

    return check_raw(buttons.read_tables(wb)[0], AS_OF)


def test_validate_claims_fills_check_like_the_command_line(tmp_path):
    sheets = sample_sheets()
    path = tmp_path / "billing.xlsx"
    write_xlsx(path, sheets)
    expected = cli_texts(path, AS_OF)
    wb = sample_book()
    before = snapshot(wb, sheets)
    text = buttons.validate_claims(wb, AS_OF)
    assert text.startswith(f"Validate Claims: {len(sheets['Claims']) - 1} service lines checked") and wb.messages == [text]
    assert wb.value("Claims", 1, CHECK_COL) == "Check"
    for row in range(2, len(sheets["Claims"]) + 1):
        assert wb.value("Claims", row, CHECK_COL) == expected.get(row, "OK"), row
        assert wb.formats["Claims"][(row, CHECK_COL)].get("wrap_text"), row  # wrapped, as in the checked copy
    assert not any(f.get("wrap_text") for (r, c), f in wb.formats["Claims"].items() if c != CHECK_COL or r == 1)
    assert_biller_cells_unchanged(wb, before)
    # colours: a flagged line's Check cell and the cell its finding names; nothing else
    fills = buttons.fills()
    result = _checked(sample_book())
    header = sheets["Claims"][0]
    minutes = header.index("Minutes") + 1
    cpt002 = next(f for f in result.findings if f.code == "CPT002")
    assert cpt002.column == "Minutes"
    assert wb.fills["Claims"][(cpt002.row, minutes)] == fills["error"]
    assert wb.fills["Claims"][(cpt002.row, CHECK_COL)] == fills["error"]
    assert (cpt002.row, 1) not in wb.fills["Claims"]
    named = {(f.row, header.index(f.column) + 1) for f in result.findings if f.sheet == "Claims" and f.row}
    assert {k for k in wb.fills["Claims"] if k[1] != CHECK_COL} == named
    ok_row = next(r for r in range(2, len(sheets["Claims"]) + 1) if r not in expected)
    assert wb.fills["Claims"][(ok_row, CHECK_COL)] == fills["ok"] and (ok_row, 1) not in wb.fills["Claims"]
    # Findings sheet: the checked copy's rows (a header and one row per finding)
    findings = wb.read("Findings")
    assert list(findings[0]) == buttons.FINDINGS_HEADERS
    assert len(findings) - 1 == len(result.findings)
    at = {h: i for i, h in enumerate(buttons.FINDINGS_HEADERS)}
    assert [(r[at["Code"]], r[at["Severity"]], r[at["Message"]]) for r in findings[1:]] == [
        (f.code, f.severity, f.message) for f in result.findings]
    assert {r[at["Code"]] for r in findings[1:]} >= {"CPT002", "DX003"}
    row = next(r for r in findings[1:] if r[at["Code"]] == "CPT002")
    assert row[at["Cell"]] == f"Claims!{chr(64 + minutes)}{cpt002.row}"
    r = next(i for i, r in enumerate(findings, start=1) if r[at["Code"]] == "CPT002")
    assert wb.links[("Findings", r, at["Cell"] + 1)] == f"'Claims'!{chr(64 + minutes)}{cpt002.row}"
    assert (row[at["Claim ID"]], row[at["CPT"]]) == (cpt002.claim_id, "90837") and row[at["Payer"]]


def test_validate_claims_puts_the_billers_fill_back_and_keeps_done_and_note():
    wb = sample_book()
    last = len(sample_sheets()["Claims"])
    header = sample_sheets()["Claims"][0]
    minutes = header.index("Minutes") + 1
    buttons.validate_claims(wb, AS_OF)
    bad_row = next(r for r in range(2, last + 1) if str(wb.value("Claims", r, CHECK_COL)).startswith("CPT002"))
    # the biller had their own colour on that Minutes cell before the first run
    wb2 = sample_book()
    wb2.fill("Claims", bad_row, bad_row, minutes, minutes, "#ABCDEF")
    buttons.validate_claims(wb2, AS_OF)
    assert wb2.fills["Claims"][(bad_row, minutes)] == buttons.fills()["error"]
    assert "Check Marks" in wb2.hidden
    # the biller ticks the finding off with a note, then fixes the line (90834 for 45 minutes)
    at = {h: i for i, h in enumerate(buttons.FINDINGS_HEADERS)}
    findings = wb2.read("Findings")
    i = next(i for i, r in enumerate(findings) if r[at["Code"]] == "DX003") + 1
    dx003 = findings[i - 1]
    wb2.write("Findings", i, at["Done"] + 1, [["x", "called the payer"]])
    wb2.write("Claims", bad_row, header.index("CPT") + 1, [[90834]])
    buttons.validate_claims(wb2, AS_OF)
    assert not str(wb2.value("Claims", bad_row, CHECK_COL)).startswith("CPT002")
    assert wb2.fills["Claims"][(bad_row, minutes)] == "#ABCDEF"  # the biller's own fill is back
    again = wb2.read("Findings")
    kept = [r for r in again[1:] if (r[at["Claim ID"]], r[at["Code"]], r[at["Column"]]) ==
            (dx003[at["Claim ID"]], "DX003", dx003[at["Column"]])]
    assert kept and all((r[at["Done"]], r[at["Note"]]) == ("x", "called the payer") for r in kept)
    assert sum(1 for r in again[1:] if r[at["Note"]]) == len(kept)


def test_validate_claims_twice_reuses_check_and_clears_fixed_rows():
    wb = sample_book()
    last = len(sample_sheets()["Claims"])
    buttons.validate_claims(wb, AS_OF)
    first = {r: wb.value("Claims", r, CHECK_COL) for r in range(1, last + 1)}
    bad_row = next(r for r in range(2, last + 1) if str(first[r]).startswith("CPT002"))
    # the biller fixes the line: bills 90834 for 45 minutes
    wb.write("Claims", bad_row, 11, [[90834]])
    buttons.validate_claims(wb, AS_OF)
    assert wb.value("Claims", 1, CHECK_COL + 1) is None  # no second Check column
    assert not str(wb.value("Claims", bad_row, CHECK_COL)).startswith("CPT002")
    if wb.value("Claims", bad_row, CHECK_COL) == "OK":
        assert (bad_row, 1) not in wb.fills["Claims"]
    fresh = MemoryWorkbook({n: [list(r) for r in wb.read(n)] for n in ("Claims", "Authorizations", "Payers", "Providers")})
    assert len(wb.read("Findings")) - 1 == len(_checked(fresh).findings)  # rewritten, not appended
    assert wb.sheet_names().count("Findings") == 1


def test_flag_authorizations_marks_lines_and_summarises_each_authorization():
    from claimcheck import auth as A

    wb = sample_book()
    sheets = sample_sheets()
    before = snapshot(wb, sheets)
    text = buttons.flag_authorizations(wb, AS_OF)
    assert text.startswith("Flag Authorizations:")
    auth_col = CHECK_COL  # no Check column yet: Auth goes right of the biller's columns
    assert wb.value("Claims", 1, auth_col) == "Auth"
    marks = [wb.value("Claims", r, auth_col) for r in range(2, len(sheets["Claims"]) + 1)]
    assert any(m and m.startswith("AUTH") for m in marks)
    assert all(m is None or m == "OK" or m.startswith("AUTH") for m in marks)
    width = len(sheets["Authorizations"][0])
    headers = [wb.value("Authorizations", 1, width + i) for i in range(1, 5)]
    assert headers == list(A.SUMMARY_HEADERS)
    statuses = {wb.value("Authorizations", r, width + 4) for r in range(2, len(sheets["Authorizations"]) + 1)}
    assert statuses <= set(A.STATUSES) and statuses
    assert_biller_cells_unchanged(wb, before)
    # after Validate Claims, Auth goes right of Check and Check keeps its text
    wb2 = sample_book()
    buttons.validate_claims(wb2, AS_OF)
    rows = range(1, len(sheets["Claims"]) + 1)
    checks = [wb2.value("Claims", r, CHECK_COL) for r in rows]
    buttons.flag_authorizations(wb2, AS_OF)
    assert wb2.value("Claims", 1, CHECK_COL + 1) == "Auth"
    assert [wb2.value("Claims", r, CHECK_COL) for r in rows] == checks



def test_flag_authorizations_uses_the_runs_matching_and_colours_status_as_the_checked_copy(monkeypatch):
    """The Used/Remaining/Status the button writes come from the matching the AUTH findings came
    from (made once, by the engine's stage), and each Status cell gets the checked copy's colour."""
    from claimcheck import auth as A
    from claimcheck.auth import usage
    from claimcheck.auth_summary import AUTH_STATUS_FILL

    made = []
    for module in (A, usage):  # the engine's stage and auth_usage's own fallback
        real = module.match_authorizations
        monkeypatch.setattr(module, "match_authorizations",
                            lambda *a, _real=real, **k: made.append(1) or _real(*a, **k))
    wb = sample_book()
    sheets = sample_sheets()
    buttons.flag_authorizations(wb, AS_OF)
    assert len(made) == 1
    status_col = len(sheets["Authorizations"][0]) + 4
    statuses = [(r, wb.value("Authorizations", r, status_col)) for r in range(2, len(sheets["Authorizations"]) + 1)]
    assert len({s for _, s in statuses}) > 1
    for r, status in statuses:
        assert wb.fill_of("Authorizations", r, status_col) == "#" + AUTH_STATUS_FILL[status][-6:], (r, status)


def test_flag_authorizations_writes_the_summary_in_a_few_calls(monkeypatch):
    """Each write and fill is a round of Excel's (or xlwings Lite's) bookkeeping: the summary goes
    out one column at a time over each run of consecutive authorization rows, with the same
    cells as written one by one."""
    sheets = sample_sheets()
    one_by_one = sample_book()
    buttons.flag_authorizations(one_by_one, AS_OF)
    wb = sample_book()
    calls = []
    for name in ("write", "fill"):
        real = getattr(wb, name)
        monkeypatch.setattr(wb, name, lambda sheet, *a, _real=real, _name=name: calls.append((_name, sheet)) or _real(sheet, *a))
    buttons.flag_authorizations(wb, AS_OF)
    rows = len(sheets["Authorizations"]) - 1
    assert rows >= 3
    on_auths = [c for c in calls if c[1] == "Authorizations"]
    assert len([c for c in on_auths if c[0] == "write"]) <= 4 + 4  # (4 headers, then 4 columns in one run)
    assert len([c for c in on_auths if c[0] == "fill"]) <= rows
    width = len(sheets["Authorizations"][0])
    for r in range(1, rows + 2):
        for c in range(width + 1, width + 5):
            assert wb.value("Authorizations", r, c) == one_by_one.value("Authorizations", r, c)
            assert wb.fill_of("Authorizations", r, c) == one_by_one.fill_of("Authorizations", r, c)

def _row_of(sheets, claim_id: str) -> int:
    """The Excel row number of a claim's first line on the sample's Claims sheet."""
    return next(i + 1 for i, r in enumerate(sheets["Claims"]) if i and r[0] == claim_id)


def test_generate_appeals_for_selection_or_all():
    sheets = sample_sheets()
    wb = sample_book(selection=("Claims", [_row_of(sheets, "C1207")]))
    before = snapshot(wb, sheets)
    text = buttons.generate_appeals(wb, AS_OF)
    assert "selected" in text
    assert [n for n in wb.sheet_names() if n.startswith("Appeal ")] == ["Appeal C1207"]
    assert "Appeals Log" in wb.sheet_names()
    # the selection is not on a denied line: every appealable denied claim, as the command line writes them
    wb_all = sample_book(selection=("Claims", [1]))
    buttons.generate_appeals(wb_all, AS_OF)
    expected = {"Appeal C1207", "Appeal C1505", "Appeal C1703", "Appeal C1704"}
    assert {n for n in wb_all.sheet_names() if n.startswith("Appeal ")} == expected
    buttons.generate_appeals(wb_all, AS_OF)  # again: sheets are rewritten, not duplicated
    names = wb_all.sheet_names()
    assert len(names) == len(set(n.casefold() for n in names))
    assert {n for n in names if n.startswith("Appeal ")} == expected
    assert_biller_cells_unchanged(wb, before)
    assert_biller_cells_unchanged(wb_all, before)


def test_new_claims_workbook_without_a_file_system_adds_template_sheets():
    wb = MemoryWorkbook({"Notes": [["my notes"]]})
    text = buttons.new_claims_workbook(wb)
    assert "no file system" in text
    assert wb.sheet_names() == ["Notes", "Claims", "Authorizations", "Payers", "Providers"]
    assert wb.read("Claims")[0][:3] == ("Claim ID", "Client ID", "Client Name")
    assert wb.value("Notes", 1, 1) == "my notes"
    again = buttons.new_claims_workbook(wb)
    assert "nothing was changed" in again and len(wb.sheet_names()) == 5


def test_new_claims_workbook_classic_builds_a_file_next_to_the_workbook(tmp_path):
    from claimcheck.workbook_templates.build import build_workbook

    wb = MemoryWorkbook({"Claims": [["Claim ID", "DOS", "CPT"]]}, folder=tmp_path)
    text = buttons.new_claims_workbook(wb, build_workbook)
    assert len(wb.opened) == 1 and wb.opened[0].parent == tmp_path and wb.opened[0].exists()
    assert wb.opened[0].name in text
    from claimcheck.reader import read_workbook

    assert "Claims" in read_workbook(wb.opened[0])
    buttons.new_claims_workbook(wb, build_workbook)
    assert len({p.name for p in wb.opened}) == 2  # never overwrites an earlier file


def test_classic_new_claims_workbook_button_builds_from_the_template(monkeypatch):
    """The classic entry point hands the template's builder to the button (the buttons sit a
    layer below the template and do not import it)."""
    import xlwings

    from claimcheck.addin import classic
    from claimcheck.workbook_templates.build import build_workbook

    seen = {}
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: "the calling book"))
    monkeypatch.setattr(classic, "XlwingsWorkbook", lambda book: book)
    monkeypatch.setattr(classic.buttons, "run", lambda name, wb, **kw: seen.update(name=name, wb=wb, **kw) or "ok")
    assert classic.new_claims_workbook() == "ok"
    assert seen == {"name": "new_claims_workbook", "wb": "the calling book", "build_workbook": build_workbook}


def test_a_button_problem_is_one_message():
    wb = MemoryWorkbook({"Sheet1": [["hello"]]})
    text = buttons.run("validate_claims", wb)
    assert text.startswith("claimcheck: no Claims sheet") and wb.messages == [text]
    wb = MemoryWorkbook({"Claims": [["Name", "Amount"], ["Jane Doe", 3]]})
    text = buttons.run("validate_claims", wb)
    assert text.startswith("claimcheck:") and "Jane" not in text and "Traceback" not in text
    assert wb.value("Claims", 2, 1) == "Jane Doe"


def test_helpers():
    assert rows_of_address("$B$5:$D$7,$A$10") == [5, 6, 7, 10]
    assert rows_of_address("Claims!C3") == [3]
    assert rows_of_address("A:A") == []
    assert safe_value("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_value("-5") == "-5" and safe_value(3) == 3


# --------------------------------------------------------------------------- xlwings Lite


def test_lite_scripts_are_registered_with_sheet_buttons():
    meta = {m["function_name"]: m for m in server.custom_scripts_meta(lite_main())}
    assert set(meta) == {"validate_claims", "flag_authorizations", "generate_appeals", "new_claims_workbook",
                         "post_era"}
    assert meta["validate_claims"]["button"] == "[ValidateClaims]Claims!A1"
    assert meta["validate_claims"]["name"] == "Validate Claims"
    funcs = {f["name"] for f in server.custom_functions_meta(lite_main())["functions"]}
    assert "CHECK_CLAIMS" in funcs and "DENIAL_REASON" in funcs and len(funcs) == 10


def _set_values(actions, sheet_position):
    return [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == sheet_position]


def test_lite_validate_claims_through_xlwings_dispatch():
    sheets = sample_sheets()
    book = xw.Book(json=book_json(sheets))
    actions = run_script(lite_main(), "validate_claims", book)["actions"]
    claims_writes = _set_values(actions, 0)
    # only the Check column (0-based column 23) is written on Claims
    assert claims_writes and all(a["start_column"] == CHECK_COL - 1 for a in claims_writes)
    header = next(a for a in claims_writes if a["start_row"] == 0)
    assert header["values"] == [["Check"]]
    body = next(a for a in claims_writes if a["start_row"] == 1)
    texts = [r[0] for r in body["values"]]
    assert len(texts) == len(sheets["Claims"]) - 1 and "OK" in texts and any(t.startswith("CPT002") for t in texts)
    assert any(a["func"] == "addSheet" and a["args"][1] == "Findings" for a in actions)
    colours = [a for a in actions if a["func"] == "setRangeColor" and a["sheet_position"] == 0]
    assert colours and all(c["args"][0] is None or c["args"][0].startswith("#") for c in colours)
    alert = [a for a in actions if a["func"] == "alert"]
    assert len(alert) == 1 and alert[0]["args"][0].startswith("Validate Claims:")
    # the Check text wraps, as in the checked copy: one action over the Check cells below the header
    wraps = [a for a in actions if a["func"] == "setWrapText" and a["sheet_position"] == 0]
    assert [(w["start_row"], w["start_column"], w["row_count"], w["column_count"], w["args"]) for w in wraps] == [
        (1, CHECK_COL - 1, len(sheets["Claims"]) - 1, 1, [True])]


def test_lite_flag_authorizations_and_new_workbook_through_xlwings_dispatch():
    sheets = sample_sheets()
    book = xw.Book(json=book_json(sheets))
    actions = run_script(lite_main(), "flag_authorizations", book)["actions"]
    width = len(sheets["Authorizations"][0])
    auth_writes = _set_values(actions, 1)
    assert auth_writes and all(a["start_column"] >= width for a in auth_writes)
    assert all(a["start_column"] == CHECK_COL - 1 for a in _set_values(actions, 0))
    book = xw.Book(json=book_json({"Sheet1": [["x"]]}))
    actions = run_script(lite_main(), "new_claims_workbook", book)["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == ["Claims", "Authorizations", "Payers", "Providers"]
    assert not _set_values(actions, 0)  # Sheet1 untouched


def test_lite_generate_appeals_through_xlwings_dispatch():
    """Generate Appeals on a JSON book built from the sample, selection on claim C1207's line:
    Excel is asked to add that appeal sheet and the Appeals Log, and no biller sheet is written."""
    sheets = sample_sheets()
    row = _row_of(sheets, "C1207")
    book = xw.Book(json=book_json(sheets, selection=f"A{row}"))
    actions = run_script(lite_main(), "generate_appeals", book)["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == ["Appeal C1207", "Appeals Log"]
    for position in range(len(sheets)):
        assert not _set_values(actions, position), f"biller sheet {position} was written"
    letter = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == len(sheets)]
    text = " ".join(str(v) for a in letter for r in a["values"] for v in r)
    assert "C1207" in text and "Summit BlueCare" in text and "Enclosures" in text
    alert = [a for a in actions if a["func"] == "alert"]
    assert len(alert) == 1 and "Generate Appeals" in alert[0]["args"][0]


def test_lite_generate_appeals_updates_the_log_in_place_through_xlwings_dispatch():
    """With an Appeals Log already in the book, Excel is asked to delete the row of a gone denial
    with nothing typed in it and to write only the computed columns: never to clear the log or to
    write a biller column, so the biller's formulas and formatting there stay as they are."""
    from claimcheck.appeals import COMPUTED_COLUMNS, LOG_HEADER

    sheets = sample_sheets()
    wb = sample_book(selection=("Claims", [1]))
    buttons.generate_appeals(wb, AS_OF)
    log = [list(r) for r in wb.read("Appeals Log")]
    gone = ["ZZ9"] + [None] * (len(LOG_HEADER) - 1)  # a claim no longer on Claims, nothing typed
    log.insert(2, gone)
    log[3][LOG_HEADER.index("Notes")] = "called payer"  # the row below it
    sheets["Appeals Log"] = log
    position = len(sheets) - 1
    book = xw.Book(json=book_json(sheets))
    actions = [a for a in run_script(lite_main(), "generate_appeals", book)["actions"]
               if a.get("sheet_position") == position]
    assert not [a for a in actions if a["func"] in ("sheetClear", "rangeClear", "rangeClearContents")]
    deletes = [a for a in actions if a["func"] == "rangeDelete"]
    assert [(a["start_row"], a["row_count"], a["args"]) for a in deletes] == [(2, 1, ["up"])]  # sheet row 3
    writes = _set_values(actions, position)
    assert writes and all(a["start_row"] >= 1 for a in writes)  # the header is complete: not rewritten
    assert all(a["start_column"] + len(a["values"][0]) <= len(COMPUTED_COLUMNS) for a in writes)
    assert len(writes) == 1 and len(writes[0]["values"]) == len(log) - 2  # every kept row, one block


def test_lite_problem_is_an_alert_not_a_traceback():
    book = xw.Book(json=book_json({"Sheet1": [["x"]]}))
    actions = run_script(lite_main(), "validate_claims", book)["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert actions[0]["args"][0].startswith("claimcheck: no Claims sheet")


def test_where_fills_cannot_be_read_a_fixed_cell_is_cleared():
    """xlwings Lite cannot read a fill synchronously: the colour a finding put on a cell is
    cleared once the finding goes away, never left behind."""
    class NoFillReading(MemoryWorkbook):
        def fill_of(self, sheet, row, column):
            return None

    wb = NoFillReading(sample_sheets())
    header = sample_sheets()["Claims"][0]
    minutes = header.index("Minutes") + 1
    buttons.validate_claims(wb, AS_OF)
    last = len(sample_sheets()["Claims"])
    bad_row = next(r for r in range(2, last + 1) if str(wb.value("Claims", r, CHECK_COL)).startswith("CPT002"))
    assert wb.fills["Claims"][(bad_row, minutes)] == buttons.fills()["error"]
    wb.write("Claims", bad_row, header.index("CPT") + 1, [[90834]])
    buttons.validate_claims(wb, AS_OF)
    assert (bad_row, minutes) not in wb.fills["Claims"]


def _remote_book():
    from udfs_env import book_json, xw

    return xw.Book(json=book_json({"Claims": [["Claim ID", "DOS", "CPT"], ["C1", 46000, "90834"], ["C2", 46001, "90837"]]}))


def test_lite_writes_send_excel_what_xlwings_value_setter_sends():
    # In xlwings Lite the port writes through the raw setter (the value setter copies the whole
    # sheet's values several times per write); Excel must get the very same actions.
    import numpy as np

    from claimcheck.addin.workbook_port import XlwingsWorkbook, _excel_value

    block = [["text", "=SUM(A1)", "-5 visits", 3, 2.5, float("nan")],
             [None, dt.date(2026, 6, 1), dt.datetime(2026, 6, 1), dt.datetime(2026, 6, 1, 14, 5, 30), True, False],
             [np.int64(7), np.float64(1.25), np.float64("nan"), "", " x ", 0]]
    ours, theirs = _remote_book(), _remote_book()
    XlwingsWorkbook(ours).write("Claims", 2, 4, block)
    theirs.sheets["Claims"].range((2, 4)).value = [[_excel_value(safe_value(v)) for v in r] for r in block]
    assert ours.json()["actions"] == theirs.json()["actions"]
    assert len(ours.json()["actions"]) == 1


def test_lite_writes_a_large_block_in_parts_within_xlwings_write_budget(monkeypatch):
    from claimcheck.addin import workbook_port
    from claimcheck.addin.workbook_port import XlwingsWorkbook

    monkeypatch.setattr(workbook_port, "OFFICE_CELLS_PER_WRITE", 10)
    block = [[f"r{r}c{c}" for c in range(3)] for r in range(7)]
    book = _remote_book()
    XlwingsWorkbook(book).write("Claims", 5, 2, block)
    actions = book.json()["actions"]
    assert [(a["start_row"], a["start_column"], a["row_count"], a["column_count"]) for a in actions] == [
        (4, 1, 3, 3), (7, 1, 3, 3), (10, 1, 1, 3)]  # (0-based, as Office.js takes them)
    assert [row for a in actions for row in a["values"]] == block
