"""The Flag Authorizations button.

**Flag Authorizations** writes each line's AUTH findings into an ``Auth`` column right of
Check (so Validate Claims' text is not overwritten; only the Auth cell is coloured), and
``Used``, ``Remaining``, ``% Used`` and ``Status`` on the Authorizations sheet to the right of
the biller's columns - the same columns ``claimcheck check --output`` writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..workbook_port import WorkbookPort
from .sheets import (CHECK_HEADER, check_workbook, fills, header_column, hex_colour, last_header, own_column,
                     spans, write_column)

AUTH_HEADER = "Auth"


def flag_authorizations(wb: WorkbookPort, as_of: dt.date | None = None) -> str:
    from claimcheck import auth as A
    from claimcheck.auth_summary import AUTH_STATUS_FILL
    from claimcheck.writer import check_text, findings_by_row, worst

    as_of = as_of or dt.date.today()
    result, raw, rows = check_workbook(wb, as_of)
    book = result.book
    sheet, header_row = book.claims_sheet, book.header_row
    claim_rows = rows["Claims"]
    check_col = header_column(claim_rows[header_row - 1], CHECK_HEADER)
    col = own_column(wb, sheet, claim_rows, header_row, AUTH_HEADER, after=check_col)
    per_row = {r: [f for f in found if f.code.startswith("AUTH")] for r, found in findings_by_row(result).items()}
    data_rows = [int(r) for r in book.claims["row"]]
    with_number = {int(r) for r, n in zip(book.claims["row"], book.claims["auth_number"]) if n}
    texts = {r: check_text(per_row[r]) if per_row.get(r) else ("OK" if r in with_number else "")
             for r in data_rows}
    last = max([len(claim_rows), *data_rows]) if data_rows else len(claim_rows)
    write_column(wb, sheet, header_row + 1, last, col, texts)
    colours = fills()
    marks = [(r, worst(per_row[r]) if per_row.get(r) else ("ok" if r in with_number else None)) for r in data_rows]
    for first, last_row, sev in spans(marks):
        wb.fill(sheet, first, last_row, col, col, colours[sev] if sev else None)

    usage = A.auth_usage(book, as_of, result.context.stage("auth_matching"))  # the AUTH findings' matching
    flagged = sum(1 for r in data_rows if per_row.get(r))
    summary = f"{flagged} lines with authorization findings"
    auth_sheet = raw.get("Authorizations")
    if auth_sheet is not None and auth_sheet.positions and usage:
        a_rows = rows["Authorizations"]
        a_header = auth_sheet.header_row
        headers = A.SUMMARY_HEADERS
        cols = {}
        next_col = last_header(a_rows[a_header - 1])
        for h in headers:
            found = header_column(a_rows[a_header - 1], h)
            if found is None:
                next_col += 1
                found = next_col
                wb.write(auth_sheet.sheet, a_header, found, [[h]])
            cols[h] = found
        status_fill = {k: hex_colour(v) for k, v in AUTH_STATUS_FILL.items()}
        by_row = {u.row: _summary(u) for u in usage if u.row is not None}
        # one write per column and run of consecutive rows, one fill per run of one Status colour
        # (each call costs a round of Excel's, or xlwings Lite's, bookkeeping)
        runs = list(spans([(r, True) for r in by_row]))
        for h, c in cols.items():
            for first, last_row, _ in runs:
                wb.write(auth_sheet.sheet, first, c, [[by_row[r].get(h)] for r in range(first, last_row + 1)])
        if "Status" in cols:
            for first, last_row, colour in spans([(r, status_fill.get(v["Status"])) for r, v in by_row.items()]):
                if colour:
                    wb.fill(auth_sheet.sheet, first, last_row, cols["Status"], cols["Status"], colour)
        counts = defaultdict(int)
        for u in usage:
            counts[u.status] += 1
        summary += "; authorizations: " + ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
    text = f"Flag Authorizations: {summary}. {AUTH_HEADER} column and Authorizations summary updated."
    wb.message(text)
    return text


def _summary(u) -> dict:
    """An authorization's Used, Remaining, % Used and Status, as the sheet shows them."""
    return {"Used": _plain(u.used), "Remaining": _plain(u.remaining),
            "% Used": None if u.percent_used is None else round(u.percent_used / 100.0, 4),
            "Status": u.status}


def _plain(value):
    if value is None or value != value:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value
