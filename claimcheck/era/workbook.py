"""Applying an :class:`~claimcheck.era.post.EraPosting` to an open openpyxl workbook.

* **Claims**: only the cells the posting sets or replaces are written (a value the biller typed
  that differs from the remittance is never touched; see :mod:`claimcheck.era.post`). A posted
  column the sheet lacks is added right of its last header, with that header's look, and an
  Excel Table on the header row is widened to take it. Cells keep their formatting; a cell still
  in the General format gets a money or date format. No row is ever added to Claims.
* **Remittances**: one row per payment (payer, TRN02, date, BPR02, the claims' total, PLB, and
  whether they add up). Posting a payment again replaces its row.
* **ERA Lines**: one row per service payment posted (and per claim posted at claim level, and
  the claim-level adjustments of a claim posted line by line), with the values the remittance
  gave, keyed by TRN02 + CLP01 + CLP07. This sheet is what makes a second posting change nothing
  (:func:`earlier_postings` reads it back), so keep it in the workbook.
* **ERA Unmatched**: the claims and service lines that matched no Claims line. A claim posted
  again leaves the sheet's earlier rows for its key replaced by this run's (none once it matches).
"""

from __future__ import annotations

from copy import copy
from decimal import Decimal
from typing import TYPE_CHECKING

from claimcheck import columns as C
from claimcheck.era.post import (
    ADJUSTMENTS,
    ALLOWED,
    DENIAL_CODES,
    DENIAL_DATE,
    KEPT,
    PAID,
    PATIENT_RESPONSIBILITY,
    PAYER_CLAIM_NUMBER,
    PAYER_ORDER,
    POSTED_COLUMNS,
    REMARKS,
    REMIT_DATE,
    STATUS,
    ClaimPosting,
    EraPosting,
    PostedLine,
    adjustments_text,
    shown,
)

if TYPE_CHECKING:
    from claimcheck.book import Book

REMITTANCES_SHEET = "Remittances"
LINES_SHEET = "ERA Lines"
UNMATCHED_SHEET = "ERA Unmatched"

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "mm/dd/yyyy"

REMITTANCE_HEADERS = ("Payer", "Payer ID", "Trace Number", "Remit Date", "Method", "Amount", "Claims Paid",
                      "Provider Adjustments", "Provider Adjustment Detail", "Balanced", "Difference", "Claims",
                      "Posted On")
#: ERA Lines: the key and where the row went, what the payer answered, then the posted values.
LINE_HEADERS = ("Posting Key", "Trace Number", "Claim ID", "Claims Row", "Level", "Claim Status Code",
                "Procedure", "DOS", "Charge", STATUS, PAID, ALLOWED, PATIENT_RESPONSIBILITY, ADJUSTMENTS,
                DENIAL_CODES, REMARKS, DENIAL_DATE, PAYER_CLAIM_NUMBER, PAYER_ORDER, REMIT_DATE, "Posted On",
                "Notes")
UNMATCHED_HEADERS = ("Posting Key", "Trace Number", "Payer", "Remit Date", "Claim ID", "Payer Claim Number",
                     "What", "Procedure", "DOS", "Charge", "Paid", "Patient Responsibility", "Adjustments", "Why")

_MONEY_HEADERS = {"Amount", "Claims Paid", "Provider Adjustments", "Difference", "Charge", "Paid", PAID, ALLOWED,
                  PATIENT_RESPONSIBILITY}
_DATE_HEADERS = {"Remit Date", "Posted On", "DOS", DENIAL_DATE, REMIT_DATE}
_HEADER_FILL = "FF305496"


# --------------------------------------------------------------------------- cells

def _excel(value):
    """A posted value as openpyxl stores it (money as a number, codes as text)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    return value


def _put(cell, value, number_format: str | None = None) -> None:
    """Write a value; text that starts like a formula stays text; a format only on a General cell."""
    value = _excel(value)
    general = cell.number_format == "General"
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if number_format and value is not None and general:
        cell.number_format = number_format


def _format_for(column: str) -> str | None:
    how = POSTED_COLUMNS[column][1] if column in POSTED_COLUMNS else ""
    if how == "money":
        return MONEY_FORMAT
    if how == "date":
        return DATE_FORMAT
    return None


# --------------------------------------------------------------------------- Claims

def _claims_columns(ws, header_row: int) -> tuple[dict[str, int], int]:
    """Posted column -> sheet column number for the headers found, and the last header's column."""
    known = C.lookup(C.CLAIMS)
    found: dict[str, int] = {}
    last = 0
    for cell in ws[header_row]:
        if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        last = max(last, cell.column)
        col = known.get(C.key(cell.value))
        if col is not None and col.name in POSTED_COLUMNS and col.name not in found:
            found[col.name] = cell.column
    return found, last


def _widen_table(ws, header_row: int, new_columns: list[int]) -> None:
    """Grow an Excel Table whose header row is ``header_row`` over new columns right after it."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.worksheet.table import TableColumn

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row != header_row:
            continue
        end = max_col
        for c in sorted(new_columns):
            if c == end + 1:
                end = c
        if end == max_col:
            return
        next_id = max([tc.id for tc in table.tableColumns] or [0]) + 1
        for c in range(max_col + 1, end + 1):
            table.tableColumns.append(TableColumn(id=next_id, name=str(ws.cell(row=header_row, column=c).value)))
            next_id += 1
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(end)}{max_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
        return


def _add_columns(ws, header_row: int, needed: list[str]) -> dict[str, int]:
    """The posted columns, adding the missing ones with the last header's look."""
    from openpyxl.utils import get_column_letter

    found, last = _claims_columns(ws, header_row)
    added = []
    model = ws.cell(row=header_row, column=last) if last else None
    for name in needed:
        if name in found:
            continue
        last += 1
        cell = ws.cell(row=header_row, column=last, value=name)
        if model is not None and model.has_style:
            cell.font, cell.fill, cell.border = copy(model.font), copy(model.fill), copy(model.border)
            cell.alignment = copy(model.alignment)
        ws.column_dimensions[get_column_letter(last)].width = max(11, len(name) + 2)
        found[name] = last
        added.append(last)
    if added:
        _widen_table(ws, header_row, added)
    return found


def _post_claims(ws, header_row: int, posting: EraPosting) -> int:
    """Write the changed cells; returns how many."""
    needed = [c.column for claim in posting.claims for r in claim.rows for c in r.changed]
    order = [c.name for c in C.CLAIMS]  # new columns in contract order
    where = _add_columns(ws, header_row, sorted(set(needed), key=order.index))
    written = 0
    for claim in posting.claims:
        for row in claim.rows:
            for cell in row.changed:
                _put(ws.cell(row=row.row, column=where[cell.column]), cell.value, _format_for(cell.column))
                written += 1
    return written


# --------------------------------------------------------------------------- the ERA sheets

def _sheet(wb, name: str, headers: tuple[str, ...]):
    """The sheet with our headers in row 1 (created when missing; missing headers appended)."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    if name in wb.sheetnames:
        ws = wb[name]
    else:
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
    have = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}
    last = max(have.values(), default=0)
    for h in headers:
        if h in have:
            continue
        last += 1
        cell = ws.cell(row=1, column=last, value=h)
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
        ws.column_dimensions[get_column_letter(last)].width = max(10, min(len(h) + 3, 28))
        have[h] = last
    return ws, have


def _append(ws, have: dict[str, int], values: dict[str, object], row: int | None = None) -> None:
    row = row or _next_row(ws)
    for header, value in values.items():
        fmt = MONEY_FORMAT if header in _MONEY_HEADERS else DATE_FORMAT if header in _DATE_HEADERS else None
        _put(ws.cell(row=row, column=have[header]), value, fmt)


def _next_row(ws) -> int:
    """The row after the last one with a value (openpyxl's max_row counts styled empty rows)."""
    for r in range(ws.max_row, 1, -1):
        if any(c.value is not None for c in ws[r]):
            return r + 1
    return 2


def _delete_rows_where(ws, column: int | None, keys: set[str]) -> None:
    if column is None or not keys:
        return
    for r in range(ws.max_row, 1, -1):
        value = ws.cell(row=r, column=column).value
        if value is not None and str(value).strip() in keys:
            ws.delete_rows(r)


def _write_remittances(wb, posting: EraPosting) -> None:
    ws, have = _sheet(wb, REMITTANCES_SHEET, REMITTANCE_HEADERS)
    rows = {}
    for r in range(2, ws.max_row + 1):
        trace = ws.cell(row=r, column=have["Trace Number"]).value
        payer = ws.cell(row=r, column=have["Payer ID"]).value
        if trace is not None:
            rows[(str(trace).strip(), str(payer or "").strip())] = r
    already = {id(c.payment) for c in posting.claims if c.outcome == "already posted"}
    fresh = {id(c.payment) for c in posting.claims if c.outcome != "already posted"}
    for rec in posting.payments:
        p = rec.payment
        key = (p.trace_number.strip(), p.payer_id.strip())
        if key in rows and id(p) in already and id(p) not in fresh:
            continue  # posted before, nothing new: its row stays as it is
        detail = "; ".join(f"{a.reason}{' ' + a.reference if a.reference else ''} {shown(PAID, a.amount)}"
                           for a in p.provider_adjustments)
        values = {"Payer": p.payer_name, "Payer ID": p.payer_id, "Trace Number": p.trace_number,
                  "Remit Date": p.remit_date, "Method": p.method, "Amount": p.amount,
                  "Claims Paid": rec.claims_paid, "Provider Adjustments": rec.provider_adjustments,
                  "Provider Adjustment Detail": detail, "Balanced": "Yes" if rec.balanced else "No",
                  "Difference": rec.difference, "Claims": len(p.claims), "Posted On": posting.as_of}
        if key in rows:
            del values["Posted On"]  # the date it was first posted stays
        row = rows.get(key) or _next_row(ws)
        rows[key] = row
        _append(ws, have, values, row)


def _service_facts(claim: ClaimPosting, index: int | None) -> dict[str, object]:
    if index is None:
        c = claim.claim
        return {"Procedure": "", "DOS": c.statement_from, "Charge": c.charge}
    s = claim.claim.services[index]
    procedure = s.submitted_procedure or s.procedure
    return {"Procedure": procedure.label() if procedure else "", "DOS": s.service_date or claim.claim.statement_from,
            "Charge": s.charge}


def _write_lines(wb, posting: EraPosting) -> None:
    ws, have = _sheet(wb, LINES_SHEET, LINE_HEADERS)
    for claim in posting.claims:
        if claim.outcome != "posted":
            continue
        base = {"Posting Key": claim.key, "Trace Number": claim.payment.trace_number, "Claim ID": claim.claim_id,
                "Claim Status Code": claim.claim.status_code, "Posted On": posting.as_of}
        for row in claim.rows:
            notes = [f"kept the typed {c.column} {shown(c.column, c.was)} (remittance: {shown(c.column, c.value)})"
                     for c in row.cells if c.action == KEPT]
            values = {**base, "Claims Row": row.row, "Level": "Line" if row.service is not None else "Claim",
                      **_service_facts(claim, row.service), "Notes": "; ".join(notes)}
            values.update({c.column: c.value for c in row.cells})
            _append(ws, have, values)
        if claim.claim.adjustments and not claim.claim_level:
            _append(ws, have, {**base, "Level": "Claim adjustments", **_service_facts(claim, None),
                               ADJUSTMENTS: adjustments_text(claim.claim.adjustments),
                               "Notes": "claim-level adjustments (CAS under CLP)"})
        if not claim.rows:
            _append(ws, have, {**base, "Level": "Claim", **_service_facts(claim, None),
                               "Notes": "no service line matched; see ERA Unmatched"})


def _write_unmatched(wb, posting: EraPosting) -> None:
    ws, have = _sheet(wb, UNMATCHED_SHEET, UNMATCHED_HEADERS)
    _delete_rows_where(ws, have.get("Posting Key"), {c.key for c in posting.claims if c.outcome != "already posted"})
    for claim in posting.claims:
        p, c = claim.payment, claim.claim
        base = {"Posting Key": claim.key, "Trace Number": p.trace_number, "Payer": p.payer_name,
                "Remit Date": p.remit_date, "Claim ID": c.patient_control_number,
                "Payer Claim Number": c.payer_claim_number}
        if claim.outcome == "unmatched":
            patient = c.patient_responsibility
            _append(ws, have, {**base, "What": "Claim", "DOS": c.statement_from, "Charge": c.charge,
                               "Paid": c.paid, "Patient Responsibility": patient,
                               "Adjustments": adjustments_text(c.adjustments),
                               "Why": "no claim with this Claim ID on the Claims sheet"})
        for index in claim.unmatched_services:
            s = c.services[index]
            _append(ws, have, {**base, "What": f"Service line {index + 1}", **_service_facts(claim, index),
                               "Paid": s.paid, "Adjustments": adjustments_text(s.adjustments),
                               "Why": "no line of this claim with the same code, modifiers and date"})


def apply_posting(wb, book: Book, posting: EraPosting) -> int:
    """Write ``posting`` into the open workbook ``wb`` (Claims cells and the three ERA sheets);
    returns how many Claims cells changed."""
    written = _post_claims(wb[book.claims_sheet], book.header_row, posting)
    _write_remittances(wb, posting)
    _write_lines(wb, posting)
    _write_unmatched(wb, posting)
    return written


def earlier_postings(wb) -> tuple[PostedLine, ...]:
    """The postings the workbook's ``ERA Lines`` sheet records (empty when it has none)."""
    if LINES_SHEET not in wb.sheetnames:
        return ()
    ws = wb[LINES_SHEET]
    have = {str(c.value).strip(): c.column - 1 for c in ws[1] if c.value is not None}
    if "Posting Key" not in have:
        return ()
    out = []
    for cells in ws.iter_rows(min_row=2, values_only=True):
        def get(header):
            i = have.get(header)
            return cells[i] if i is not None and i < len(cells) else None

        key = get("Posting Key")
        if key is None or not str(key).strip():
            continue
        row = get("Claims Row")
        try:
            row = int(row) if row not in (None, "") else None
        except (TypeError, ValueError):
            row = None
        if get("Level") == "Claim adjustments":
            row = None
        values = tuple((c, get(c)) for c in POSTED_COLUMNS if get(c) not in (None, ""))
        out.append(PostedLine(key=str(key).strip(), row=row, claim_id=str(get("Claim ID") or ""),
                              values=values if row is not None else ()))
    return tuple(out)

