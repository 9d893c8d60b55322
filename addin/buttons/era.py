"""The Post ERA button.

**Post ERA** posts 835 remittances to Claims like ``claimcheck era`` (classic: files from a
picker; xlwings Lite: the text pasted into the ``ERA Inbox`` sheet, emptied once posted) and
rewrites Remittances, ERA Lines and ERA Unmatched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from claimcheck.reader import UnusableInput

from ..workbook_port import WorkbookPort
from .sheets import HEADER_FILL, last_header, read_tables

ERA_INBOX_SHEET = "ERA Inbox"


def inbox_text(rows: list[tuple[Any, ...]]) -> str:
    """The 835 text pasted into the ERA Inbox sheet: Excel puts each pasted line in a row of
    column A (a line with tabs spreads over the next columns), so the rows are joined back."""
    lines = []
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        lines.append("\t".join(cells))
    return "\n".join(lines).strip()


def _write_era_sheet(wb: WorkbookPort, name: str, rows: list[list[Any]]) -> None:
    if any(n.casefold() == name.casefold() for n in wb.sheet_names()):
        wb.clear_sheet(name)
    else:
        wb.add_sheet(name)
    wb.write(name, 1, 1, rows)
    wb.fill(name, 1, 1, 1, len(rows[0]), HEADER_FILL)


def post_era(wb: WorkbookPort, as_of: dt.date | None = None,
             pick_files: Callable[[], list[str]] | None = None) -> str:
    """Post 835 remittances like ``claimcheck era``: the files ``pick_files()`` returns (classic
    Excel's file picker), or else the text pasted into the ``ERA Inbox`` sheet (xlwings Lite,
    which has no file system; the sheet is emptied once posted). Only posted cells change on
    Claims (never a value the biller typed); Remittances, ERA Lines and ERA Unmatched are
    rewritten from what they held and the posting."""
    from claimcheck.book import build_book
    from claimcheck.era.command import read_remittance_files, summary_line
    from claimcheck.era.post import FEE_SCHEDULE_SHEET, read_fee_schedule
    from claimcheck.era.post import post_era as posting_of
    from claimcheck.era.read import EraProblem, read_835
    from claimcheck.era.workbook import (
        ERA_SHEETS,
        LINES_SHEET,
        changed_cells,
        columns_needed,
        earlier_from_rows,
    )
    from claimcheck.rules import load_all
    from claimcheck.tables import tables
    from claimcheck.writer import claims_columns

    names = {n.casefold(): n for n in wb.sheet_names()}
    inbox = None
    if pick_files is not None:
        files = [f for f in pick_files() or [] if f]
        if not files:
            text = "Post ERA: no remittance file was chosen; nothing was posted."
            wb.message(text)
            return text
        batches = read_remittance_files(files)
        source = f"{len(files)} file{'s' if len(files) != 1 else ''}"
    else:
        inbox = names.get(ERA_INBOX_SHEET.casefold())
        pasted = inbox_text(wb.read(inbox)) if inbox else ""
        if not pasted:
            if inbox is None:
                wb.add_sheet(ERA_INBOX_SHEET)
            text = (f"Post ERA: paste the 835 remittance text into cell A1 of the {ERA_INBOX_SHEET} sheet, "
                    "then click Post ERA again; nothing was posted.")
            wb.message(text)
            return text
        try:
            batches = [read_835(pasted)]
        except EraProblem as problem:
            raise UnusableInput(f"the text on {ERA_INBOX_SHEET}: {problem}; nothing was posted") from None
        source = f"the {ERA_INBOX_SHEET} sheet"

    load_all()
    raw, rows = read_tables(wb)
    book = build_book(raw, tables())
    lines = wb.read(names[LINES_SHEET.casefold()]) if LINES_SHEET.casefold() in names else []
    fees = names.get(FEE_SCHEDULE_SHEET.casefold())
    posting = posting_of(book, batches, as_of or dt.date.today(), earlier=earlier_from_rows(lines),
                         fee_schedule=read_fee_schedule(wb.read(fees)) if fees else None)

    sheet, header_row = book.claims_sheet, book.header_row
    claim_rows = rows["Claims"]
    header = claim_rows[header_row - 1] if len(claim_rows) >= header_row else ()
    where = claims_columns(header)  # contract header -> column, as the checked copy finds them
    last = last_header(header)
    for column in columns_needed(posting):
        if column not in where:
            last += 1
            wb.write(sheet, header_row, last, [[column]])
            where[column] = last
    for row, column, value in changed_cells(posting):
        wb.write(sheet, row, where[column], [[value]])
    for name, rebuild in ERA_SHEETS.items():
        existing = wb.read(names[name.casefold()]) if name.casefold() in names else []
        _write_era_sheet(wb, name, rebuild(existing, posting))
    if inbox is not None:
        wb.clear_sheet(inbox)
    text = f"Post ERA ({source}): {summary_line(posting)}."
    wb.message(text)
    return text
