"""The authorization summary of a checked copy: Used, Remaining, % Used and Status (coloured by
status, a data bar on % Used) on the Authorizations sheet of an open openpyxl workbook, from the
run's authorization matching (``claimcheck check --output``; Flag Authorizations writes the same
columns through the Excel port)."""

from __future__ import annotations

from .auth.usage import SUMMARY_HEADERS as AUTH_SUMMARY_HEADERS
from .columns import last_header
from .writer import widen_table

#: Existing headers taken as one of ours (the template's formula column "Left" is Remaining).
_AUTH_SUMMARY_SYNONYMS = {"Used": ("used",), "Remaining": ("remaining", "left"), "% Used": ("%used", "percentused"),
                          "Status": ("status",)}
#: The Status cell's fill of each authorization status (the checked copy and Flag Authorizations).
AUTH_STATUS_FILL = {"Active": "FFC6EFCE", "Expiring": "FFFFEB9C", "Exhausted": "FFF4C7CE", "Expired": "FFD9D9D9"}


def _auth_sheet_and_header(wb, book):
    """The Authorizations worksheet and its header row number (None when absent or unusable)."""
    from .reader import find_header, sheet_lookup

    name = sheet_lookup(wb.sheetnames).get("Authorizations")
    if name is None:
        return None, None
    ws = wb[name]
    firsts = []
    for table in ws.tables.values():
        from openpyxl.utils.cell import range_boundaries

        firsts.append(range_boundaries(table.ref)[1])
    top = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=1, max_row=max([10, *firsts]))]
    index, _ = find_header("Authorizations", top, firsts)
    if index is None:
        return None, None
    return ws, index + 1


def _auth_summary_columns(ws, header_row: int) -> dict[str, int]:
    """Column numbers for Used, Remaining, % Used and Status: existing columns with those
    headers are reused; the others are added to the right of the last header."""
    def key(text) -> str:  # case and spaces ignored; "%" kept so "% Used" is not "Used"
        return "".join(str(text).split()).lower()

    header = [cell.value for cell in ws[header_row]]
    last = last_header(header)
    found: dict[str, int] = {}
    for column, value in enumerate(header, start=1):
        for h in AUTH_SUMMARY_HEADERS:
            if value is not None and h not in found and key(value) in _AUTH_SUMMARY_SYNONYMS[h]:
                found[h] = column
    for h in AUTH_SUMMARY_HEADERS:
        if h not in found:
            last += 1
            found[h] = last
    return found




def write_auth_summary(wb, result, *, hide_expired: bool = False, matching=None) -> None:
    """Add (or refresh) Used, Remaining, % Used and Status on the Authorizations sheet of an open
    openpyxl workbook, with a data bar on % Used.  Biller columns are never overwritten; an
    Excel Table on the sheet is widened to take the new columns.  With ``hide_expired``,
    expired authorizations' rows are hidden.  ``matching``: the book's authorization matching,
    if already made."""
    from .auth import auth_usage
    from openpyxl.formatting.rule import DataBarRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = result.book
    if not book.authorizations:
        return
    ws, header_row = _auth_sheet_and_header(wb, book)
    if ws is None:
        return
    cols = _auth_summary_columns(ws, header_row)
    for h, c in cols.items():
        cell = ws.cell(row=header_row, column=c)
        if cell.value is None:
            cell.value = h
            cell.font = Font(bold=True)
            ws.column_dimensions[get_column_letter(c)].width = max(10, len(h) + 4)
    widen_table(ws, header_row, cols.values())

    def put(r: int, header: str, value, number_format: str | None = None):
        cell = ws.cell(row=r, column=cols[header])
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
            return None  # a formula the workbook keeps (the template computes Used and Left itself)
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return cell

    rows = []
    for u in auth_usage(book, result.as_of, matching):
        if u.row is None:
            continue
        r = u.row
        rows.append(r)
        put(r, "Used", u.used, "0.##")
        put(r, "Remaining", u.remaining, "0.##")
        put(r, "% Used", None if u.percent_used is None else round(u.percent_used / 100.0, 4), "0%")
        st = put(r, "Status", u.status)
        if st is not None:
            st.fill = PatternFill("solid", start_color=AUTH_STATUS_FILL[u.status], end_color=AUTH_STATUS_FILL[u.status])
        if hide_expired and u.status == "Expired":
            ws.row_dimensions[r].hidden = True
    if not rows:
        return
    letter = get_column_letter(cols["% Used"])
    ref = f"{letter}{header_row + 1}:{letter}{max(rows)}"
    for existing in ws.conditional_formatting:
        if str(existing.sqref) == ref and any(getattr(r, "dataBar", None) is not None for r in existing.rules):
            return
    ws.conditional_formatting.add(ref, DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1,
                                                   color="FF5B9BD5", showValue=True))
