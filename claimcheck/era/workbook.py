"""Applying an :class:`~claimcheck.era.postings.EraPosting` to an open openpyxl workbook.

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

import datetime as dt
from copy import copy
from decimal import Decimal
from typing import TYPE_CHECKING, Sequence

from claimcheck import columns as C
from claimcheck.era.cells import (
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
    adjustments_text,
    shown,
)
from claimcheck.era.postings import ClaimPosting, EraPosting, PostedLine
from claimcheck.printing import pages_wide, print_setup
from claimcheck.writer import claims_columns, widen_table

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
    header = [cell.value for cell in ws[header_row]]
    found = {name: col for name, col in claims_columns(header).items() if name in POSTED_COLUMNS}
    return found, C.last_header(header)


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
        widen_table(ws, header_row, added)
    return found


def changed_cells(posting: EraPosting) -> list[tuple[int, str, object]]:
    """(Claims row, posted column, value as Excel stores it) of every cell the posting changes,
    in file order (a later posting of the same cell comes later)."""
    return [(row.row, cell.column, _excel(cell.value))
            for claim in posting.claims for row in claim.rows for cell in row.changed]


def columns_needed(posting: EraPosting) -> list[str]:
    """The posted columns the posting writes to, in contract order."""
    order = [c.name for c in C.CLAIMS]
    return sorted({column for _, column, _ in changed_cells(posting)}, key=order.index)


def _post_claims(ws, header_row: int, posting: EraPosting) -> int:
    """Write the changed cells; returns how many."""
    where = _add_columns(ws, header_row, columns_needed(posting))
    changes = changed_cells(posting)
    for row, column, value in changes:
        _put(ws.cell(row=row, column=where[column]), value, _format_for(column))
    return len(changes)


# --------------------------------------------------------------------------- the ERA sheets
#
# Each ERA sheet is rebuilt as plain rows from what it held and the posting (the same functions
# serve the openpyxl copy and the Post ERA button's live workbook): header row first, then one
# list per row in header order. Columns a biller added to these sheets are kept.

def _as_records(rows: Sequence[Sequence[object]], headers: tuple[str, ...]) -> tuple[list[str], list[dict]]:
    """The sheet's header (ours appended when missing) and its rows as header -> value."""
    header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else ())]
    while header and not header[-1]:
        header.pop()
    header += [h for h in headers if h not in header]
    records = []
    for row in rows[1:]:
        if not any(v not in (None, "") for v in row):
            continue
        records.append({h: (row[i] if i < len(row) else None) for i, h in enumerate(header) if h})
    return header, records


def _table(header: list[str], records: list[dict]) -> list[list[object]]:
    return [list(header)] + [[_excel(r.get(h)) for h in header] for r in records]


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def remittances_rows(existing: Sequence[Sequence[object]], posting: EraPosting) -> list[list[object]]:
    """The Remittances sheet after posting: a payment posted again replaces its row (keyed by
    Trace Number and Payer ID, keeping the first Posted On); a payment whose claims were all
    posted before stays as it is."""
    header, records = _as_records(existing, REMITTANCE_HEADERS)
    index = {(_text(r.get("Trace Number")), _text(r.get("Payer ID"))): i for i, r in enumerate(records)}
    already = {id(c.payment) for c in posting.claims if c.outcome == "already posted"}
    fresh = {id(c.payment) for c in posting.claims if c.outcome != "already posted"}
    for rec in posting.payments:
        p = rec.payment
        key = (p.trace_number.strip(), p.payer_id.strip())
        if key in index and id(p) in already and id(p) not in fresh:
            continue
        detail = "; ".join(f"{a.reason}{' ' + a.reference if a.reference else ''} {shown(PAID, a.amount)}"
                           for a in p.provider_adjustments)
        values = {"Payer": p.payer_name, "Payer ID": p.payer_id, "Trace Number": p.trace_number,
                  "Remit Date": p.remit_date, "Method": p.method, "Amount": p.amount,
                  "Claims Paid": rec.claims_paid, "Provider Adjustments": rec.provider_adjustments,
                  "Provider Adjustment Detail": detail, "Balanced": "Yes" if rec.balanced else "No",
                  "Difference": rec.difference, "Claims": len(p.claims), "Posted On": posting.as_of}
        if key in index:
            values["Posted On"] = records[index[key]].get("Posted On") or posting.as_of
            records[index[key]].update(values)
        else:
            index[key] = len(records)
            records.append(values)
    return _table(header, records)


def _service_facts(claim: ClaimPosting, index: int | None) -> dict[str, object]:
    if index is None:
        c = claim.claim
        return {"Procedure": "", "DOS": c.statement_from, "Charge": c.charge}
    s = claim.claim.services[index]
    procedure = s.submitted_procedure or s.procedure
    return {"Procedure": procedure.label() if procedure else "", "DOS": s.service_date or claim.claim.statement_from,
            "Charge": s.charge}


def lines_rows(existing: Sequence[Sequence[object]], posting: EraPosting) -> list[list[object]]:
    """The ERA Lines sheet after posting: this run's postings appended."""
    header, records = _as_records(existing, LINE_HEADERS)
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
            records.append(values)
        if claim.claim.adjustments and not claim.claim_level:
            records.append({**base, "Level": "Claim adjustments", **_service_facts(claim, None),
                            ADJUSTMENTS: adjustments_text(claim.claim.adjustments),
                            "Notes": "claim-level adjustments (CAS under CLP)"})
        if not claim.rows:
            records.append({**base, "Level": "Claim", **_service_facts(claim, None),
                            "Notes": "no service line matched; see ERA Unmatched"})
    return _table(header, records)


def unmatched_rows(existing: Sequence[Sequence[object]], posting: EraPosting) -> list[list[object]]:
    """The ERA Unmatched sheet after posting: rows of a key posted again are replaced by this
    run's (none when the claim now matches)."""
    header, records = _as_records(existing, UNMATCHED_HEADERS)
    again = {c.key for c in posting.claims if c.outcome != "already posted"}
    records = [r for r in records if _text(r.get("Posting Key")) not in again]
    for claim in posting.claims:
        p, c = claim.payment, claim.claim
        base = {"Posting Key": claim.key, "Trace Number": p.trace_number, "Payer": p.payer_name,
                "Remit Date": p.remit_date, "Claim ID": c.patient_control_number,
                "Payer Claim Number": c.payer_claim_number}
        if claim.outcome == "unmatched":
            records.append({**base, "What": "Claim", "DOS": c.statement_from, "Charge": c.charge,
                            "Paid": c.paid, "Patient Responsibility": c.patient_responsibility,
                            "Adjustments": adjustments_text(c.adjustments),
                            "Why": "no claim with this Claim ID on the Claims sheet"})
        for index in claim.unmatched_services:
            s = c.services[index]
            records.append({**base, "What": f"Service line {index + 1}", **_service_facts(claim, index),
                            "Paid": s.paid, "Adjustments": adjustments_text(s.adjustments),
                            "Why": "no line of this claim with the same code, modifiers and date"})
    return _table(header, records)


#: Sheet -> how its rows are rebuilt.
ERA_SHEETS = {REMITTANCES_SHEET: remittances_rows, LINES_SHEET: lines_rows, UNMATCHED_SHEET: unmatched_rows}


def cell_format(header: object) -> str | None:
    """The number format our ERA sheets give a column."""
    if header in _MONEY_HEADERS:
        return MONEY_FORMAT
    if header in _DATE_HEADERS:
        return DATE_FORMAT
    return None


def _write_sheet(wb, name: str, rows: list[list[object]]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    new = name not in wb.sheetnames
    ws = wb.create_sheet(name) if new else wb[name]
    old_height = ws.max_row
    header = rows[0]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if r == 1:
                if cell.value != value:
                    cell.value = value
                    cell.font = Font(bold=True, color="FFFFFFFF")
                    cell.fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
                continue
            _put(cell, value, cell_format(header[c - 1]))
    for r in range(len(rows) + 1, old_height + 1):  # rows that moved up (a replaced unmatched row)
        for cell in ws[r]:
            cell.value = None
    widths = []
    for c, column in enumerate(zip(*rows), start=1):  # wide enough for what it holds (a biller's wider column stays)
        dim = ws.column_dimensions[get_column_letter(c)]
        wanted = min(max(10, *(len(_shown(v)) + 2 for v in column)), MAX_WIDTH)
        if dim.width is None or dim.width < wanted:
            dim.width = wanted
        widths.append(dim.width)
    if new:
        ws.freeze_panes = "A2"
    print_setup(ws, f"A1:{get_column_letter(len(header))}{len(rows)}", pages_wide=pages_wide(widths), title_rows="1:1")


#: the widest a column of an ERA sheet is made (characters); longer text wraps or is cut on screen
MAX_WIDTH = 40


def _shown(value) -> str:
    """About what Excel shows for a value (dates as mm/dd/yyyy, money with two decimals)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):  # (a datetime too)
        return "00/00/0000"
    if isinstance(value, (float, Decimal)):
        return f"{value:,.2f}"
    return str(value)


def _sheet_values(wb, name: str) -> list[tuple]:
    if name not in wb.sheetnames:
        return []
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def apply_posting(wb, book: Book, posting: EraPosting) -> int:
    """Write ``posting`` into the open openpyxl workbook ``wb`` (Claims cells and the three ERA
    sheets); returns how many Claims cells changed."""
    written = _post_claims(wb[book.claims_sheet], book.header_row, posting)
    for name, rebuild in ERA_SHEETS.items():
        _write_sheet(wb, name, rebuild(_sheet_values(wb, name), posting))
    return written


def earlier_from_rows(rows: Sequence[Sequence[object]]) -> tuple[PostedLine, ...]:
    """The postings an ``ERA Lines`` sheet's rows (header first) record."""
    if not rows:
        return ()
    header, records = _as_records(rows, ())
    if "Posting Key" not in header:
        return ()
    out = []
    for r in records:
        key = _text(r.get("Posting Key"))
        if not key:
            continue
        row = r.get("Claims Row")
        try:
            row = int(row) if row not in (None, "") else None
        except (TypeError, ValueError):
            row = None
        if r.get("Level") == "Claim adjustments":
            row = None
        values = tuple((c, r.get(c)) for c in POSTED_COLUMNS if r.get(c) not in (None, ""))
        out.append(PostedLine(key=key, row=row, claim_id=_text(r.get("Claim ID")),
                              values=values if row is not None else ()))
    return tuple(out)


def earlier_postings(wb) -> tuple[PostedLine, ...]:
    """The postings the open openpyxl workbook's ``ERA Lines`` sheet records."""
    return earlier_from_rows(_sheet_values(wb, LINES_SHEET))
