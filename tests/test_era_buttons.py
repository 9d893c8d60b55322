"""The Post ERA button: once against the in-memory workbook (the ERA Inbox of xlwings Lite and
classic Excel's file picker through addin.classic), and through xlwings Lite's own script
dispatch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from udfs_env import book_json, lite_main, run_script, xw  # noqa: I001  (sets the xlwings env vars first)

from claimcheck import columns as C
from claimcheck.addin import buttons
from claimcheck.addin.workbook_port import MemoryWorkbook
from tests.helpers import as_row, line

FIXTURES = Path(__file__).parent / "fixtures" / "era"
AS_OF = dt.date(2026, 12, 10)
LINES = [
    line(Claim_ID="CC-1001", CPT="90834", DOS=dt.date(2026, 11, 10), Status="Submitted"),  # row 2
    line(Claim_ID="CC-1003", CPT="90791", DOS=dt.date(2026, 11, 12)),                      # row 3
    line(Claim_ID="CC-1003", CPT="90785", DOS=dt.date(2026, 11, 12)),                      # row 4
]
COL = {h: i for i, h in enumerate(C.CLAIM_HEADERS, start=1)}


def pasted(name: str) -> list[list[str]]:
    """An 835 as Excel holds it after pasting: one line per row of column A."""
    return [[segment] for segment in (FIXTURES / name).read_text().splitlines()]


def claims_rows(lines=LINES) -> list[list]:
    return [list(C.CLAIM_HEADERS)] + [as_row(l) for l in lines]


def memory(inbox: list[list] | None = None, lines=LINES) -> MemoryWorkbook:
    sheets = {"Claims": claims_rows(lines)}
    if inbox is not None:
        sheets["ERA Inbox"] = inbox
    return MemoryWorkbook(sheets)


def test_lite_posts_the_pasted_text_and_empties_the_inbox():
    wb = memory(pasted("partly_paid.835"))
    text = buttons.run("post_era", wb, as_of=AS_OF)
    assert text.startswith("Post ERA (the ERA Inbox sheet): 1 claim posted") and wb.messages == [text]
    assert wb.value("Claims", 3, COL["Status"]) == "Paid" and wb.value("Claims", 3, COL["Paid Amount"]) == 120
    assert wb.value("Claims", 4, COL["Status"]) == "Denied"
    assert wb.value("Claims", 4, COL["Denial Codes"]) == "CO-97, M80"
    assert wb.value("Claims", 2, COL["Status"]) == "Submitted"  # not on this remittance
    assert wb.read("ERA Inbox") == []
    remittances = wb.read("Remittances")
    assert remittances[1][2] == "EFT0000103" and remittances[1][9] == "Yes"
    assert [r[3] for r in wb.read("ERA Lines")[1:]] == [3, 4]


def test_lite_pasting_the_same_remittance_again_changes_nothing():
    wb = memory(pasted("partly_paid.835"))
    buttons.run("post_era", wb, as_of=AS_OF)
    before = {name: wb.read(name) for name in ("Claims", "Remittances", "ERA Lines", "ERA Unmatched")}
    wb.write("ERA Inbox", 1, 1, pasted("partly_paid.835"))
    text = buttons.run("post_era", wb, as_of=AS_OF + dt.timedelta(days=3))
    assert "0 claims posted (0 cells changed); 1 already posted" in text
    assert {name: wb.read(name) for name in before} == before


def test_button_never_overwrites_a_typed_value():
    typed = [dict(LINES[0], **{"Paid Amount": 100})] + LINES[1:]
    wb = memory(pasted("paid.835"), typed)
    text = buttons.run("post_era", wb, as_of=AS_OF)
    assert "1 typed value kept" in text
    assert wb.value("Claims", 2, COL["Paid Amount"]) == 100
    assert wb.value("Claims", 2, COL["Status"]) == "Paid"
    notes = wb.read("ERA Lines")[1][-1]
    assert notes == "kept the typed Paid Amount 100.00 (remittance: 110.00)"


def test_unusable_pasted_text_is_one_message_and_nothing_changes():
    truncated = [[segment] for segment in (FIXTURES / "truncated.835").read_text().splitlines()]
    wb = memory(truncated)
    claims = wb.read("Claims")
    text = buttons.run("post_era", wb, as_of=AS_OF)
    assert text.startswith("claimcheck: the text on ERA Inbox: the file is cut short")
    assert wb.read("Claims") == claims and wb.read("ERA Inbox") == [tuple(r) for r in truncated]
    assert "Remittances" not in wb.sheet_names()


def test_an_empty_inbox_says_where_to_paste():
    wb = memory()
    text = buttons.run("post_era", wb, as_of=AS_OF)
    assert "paste the 835 remittance text into cell A1 of the ERA Inbox sheet" in text
    assert "ERA Inbox" in wb.sheet_names() and "Remittances" not in wb.sheet_names()


def test_new_posted_columns_are_added_right_of_the_last_header():
    headers = C.CLAIM_HEADERS[:C.CLAIM_HEADERS.index("Payer Claim Number") + 1]
    wb = MemoryWorkbook({"Claims": [list(headers)] + [as_row(l, headers) for l in LINES],
                         "ERA Inbox": pasted("paid.835")})
    buttons.run("post_era", wb, as_of=AS_OF)
    header = wb.read("Claims")[0]
    assert list(header[len(headers):]) == ["Allowed Amount", "Patient Responsibility", "Adjustments",
                                           "Payer Order", "Remit Date"]
    assert wb.value("Claims", 2, len(headers) + 1) == 110


def test_classic_button_posts_the_files_chosen_in_excels_dialog(monkeypatch):
    """addin.classic.post_era asks Excel's Open dialog (the VBA function PickEraFiles) for the
    files and runs the shared button on them."""
    from claimcheck.addin import classic

    wb = memory()
    chosen = "\n".join(str(FIXTURES / n) for n in ("paid.835", "partly_paid.835"))

    class Book:
        def macro(self, name):
            assert name == "PickEraFiles"
            return lambda: chosen

    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: Book()))
    monkeypatch.setattr(classic, "XlwingsWorkbook", lambda book: wb)
    text = classic.post_era()
    assert text.startswith("Post ERA (2 files): 2 claims posted")
    assert wb.value("Claims", 2, COL["Paid Amount"]) == 110 and wb.value("Claims", 3, COL["Paid Amount"]) == 120
    chosen = ""  # the dialog cancelled
    assert classic.post_era() == "Post ERA: no remittance file was chosen; nothing was posted."


def test_classic_unreadable_file_is_one_message():
    wb = memory()
    text = buttons.run("post_era", wb, as_of=AS_OF, pick_files=lambda: [str(FIXTURES / "claim_837.x12")])
    assert text.startswith("claimcheck: claim_837.x12: ") and "Traceback" not in text
    assert "Remittances" not in wb.sheet_names()


def test_lite_post_era_through_xlwings_dispatch():
    sheets = {"Claims": claims_rows(), "ERA Inbox": pasted("partly_paid.835")}
    book = xw.Book(json=book_json(sheets))
    actions = run_script(lite_main(), "post_era", book)["actions"]
    claims = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == 0]
    written = {(a["start_row"] + 1, a["start_column"] + 1): a["values"] for a in claims}
    assert written[(3, COL["Status"])] == [["Paid"]] and written[(4, COL["Status"])] == [["Denied"]]
    assert all(col >= COL["Status"] for _, col in written)  # nothing left of Status is touched
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == ["Remittances", "ERA Lines", "ERA Unmatched"]
    assert any(a["func"] == "sheetClear" and a["sheet_position"] == 1 for a in actions)  # the inbox
    alert = [a for a in actions if a["func"] == "alert"]
    assert len(alert) == 1 and alert[0]["args"][0].startswith("Post ERA (the ERA Inbox sheet): 1 claim posted")


def test_button_reads_the_fee_schedule_sheet():
    wb = memory(pasted("paid.835"))
    wb.add_sheet("Fee Schedule")
    wb.write("Fee Schedule", 1, 1, [["Payer", "Code", "Modifier", "Contracted Amount"], ["Acme Health", "90834", None, 125]])
    text = buttons.run("post_era", wb, as_of=AS_OF)
    assert "1 line paid under contract (ERA008)" in text


def test_remittances_then_appeals_keep_the_billers_notes_on_the_log():
    """The loop a biller works: Post ERA posts a denial, Generate Appeals logs it, the biller
    works the row (a note, an owner, a follow-up formula), a second remittance denies another
    claim and a re-run adds it; the same remittance pasted again changes nothing, and the biller's
    work stays on its claim's row through every run."""
    from claimcheck.appeals import LOG_HEADER

    lines = [line(Claim_ID="CC-1002", CPT="90837", Modifiers="HO", DOS=dt.date(2026, 11, 11), Status="Submitted",
                  Submitted_On=dt.date(2026, 11, 13), Charge=200.0)] + [
        dict(l, Status="Submitted", **{"Submitted On": dt.date(2026, 11, 13)}) for l in LINES[1:]]
    wb = memory(pasted("denied.835"), lines)
    assert "1 claim posted" in buttons.run("post_era", wb, as_of=AS_OF)
    assert wb.value("Claims", 2, COL["Status"]) == "Denied"
    buttons.run("generate_appeals", wb, as_of=AS_OF)
    log = wb.read("Appeals Log")
    assert [r[0] for r in log[1:]] == ["CC-1002"]
    at = {h: i + 1 for i, h in enumerate(LOG_HEADER)}
    wb.write("Appeals Log", 2, at["Owner"], [["Ana"]])
    wb.write("Appeals Log", 2, at["Notes"], [["called payer 12/11; corrected claim to send"]])
    wb.set_formula("Appeals Log", 2, at["Follow-up Date"], "=E2+14", dt.date(2026, 12, 18))
    wb.fill("Appeals Log", 2, 2, at["Notes"], at["Notes"], "#FFFF00")

    wb.write("ERA Inbox", 1, 1, pasted("partly_paid.835"))
    later = AS_OF + dt.timedelta(days=5)
    assert "1 claim posted" in buttons.run("post_era", wb, as_of=later)
    assert wb.value("Claims", 4, COL["Status"]) == "Denied"
    buttons.run("generate_appeals", wb, as_of=later)

    def worked_row():
        log = wb.read("Appeals Log")
        assert [r[0] for r in log[1:]] == ["CC-1002", "CC-1003"]
        assert log[1][at["Owner"] - 1] == "Ana" and log[1][at["Notes"] - 1].startswith("called payer 12/11")
        assert wb.formula_cells["Appeals Log"] == {(2, at["Follow-up Date"]): "=E2+14"}
        assert wb.fills["Appeals Log"][(2, at["Notes"])] == "#FFFF00"
        assert all(v is None for v in log[2][len(LOG_HEADER) - 6:])  # the new row: nothing of the biller's
        return log

    first = worked_row()
    wb.write("ERA Inbox", 1, 1, pasted("denied.835"))  # the same remittance again
    assert "0 claims posted" in buttons.run("post_era", wb, as_of=later)
    buttons.run("generate_appeals", wb, as_of=later)
    assert worked_row() == first


def test_classic_post_era_through_xlwings_with_the_files_chosen(monkeypatch):
    """classic.post_era on a real ``xlwings.Book`` (xlwings' remote engine stands in for Excel):
    the picked files are posted through XlwingsWorkbook, and Excel is asked to write the Claims
    cells and add the ERA sheets."""
    from claimcheck.addin import classic

    book = xw.Book(json=book_json({"Claims": claims_rows()}))
    chosen = "\n".join(str(FIXTURES / n) for n in ("paid.835", "partly_paid.835"))
    book.macro = lambda name: (lambda: chosen) if name == "PickEraFiles" else None
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    text = classic.post_era()
    assert text.startswith("Post ERA (2 files): 2 claims posted")
    actions = book.json()["actions"]
    written = {(a["start_row"] + 1, a["start_column"] + 1): a["values"] for a in actions
               if a["func"] == "setValues" and a["sheet_position"] == 0}
    assert written[(2, COL["Paid Amount"])] == [[110]] and written[(3, COL["Status"])] == [["Paid"]]
    assert [a["args"][1] for a in actions if a["func"] == "addSheet"] == ["Remittances", "ERA Lines", "ERA Unmatched"]
    assert [a["args"][0] for a in actions if a["func"] == "alert"] == [text]
