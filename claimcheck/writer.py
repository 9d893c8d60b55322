"""Writing results into a copy of the biller's workbook.

``write_checked_copy`` adds (or refreshes) a ``Check`` column on Claims and a ``Findings``
sheet.  The input is never touched: openpyxl loads it in full (formulas, styles, tables, data
validation, defined names, and with ``keep_vba`` the VBA project), we change only our column
and sheet, and the result is written to a temporary file beside the target and moved into
place atomically, so a failure leaves no partial file.  Biller text is written as text: a
value that starts like a formula is stored as a string cell, never evaluated.
"""

from __future__ import annotations

import os
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Callable

from .auth.usage import SUMMARY_HEADERS as AUTH_SUMMARY_HEADERS
from .models import Finding
from .reader import UnusableInput, refusal

FILL = {"error": "FFF4C7CE", "warning": "FFFFEB9C", "info": "FFDDEBF7", "ok": "FFC6EFCE"}
CHECK_HEADER = "Check"
EXCEL_CELL_LIMIT = 32767
FINDINGS_SHEET = "Findings"


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def open_for_update(src: str | os.PathLike):
    """Load the whole workbook for a copy with results (keeps VBA for .xlsm)."""
    from openpyxl import load_workbook

    src = Path(src)
    keep_vba = src.suffix.lower() in (".xlsm", ".xltm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(src, keep_vba=keep_vba, keep_links=True, rich_text=True)


def save_atomically(wb, out: str | os.PathLike) -> None:
    """Save to a temporary file in the target folder, then move it into place."""
    from .atomic import replacing

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # The content type follows the output's extension (an .xltx template in, an .xlsx workbook
    # out: Excel refuses a template's type under .xlsx); macros keep the macro type.
    wb.template = out.suffix.lower() in (".xltx", ".xltm")
    with replacing(out) as tmp:
        wb.save(tmp)


def check_text(items: list[Finding]) -> str:
    """What the Check cell shows: OK, or ``CODE: message; CODE: message``."""
    if not items:
        return "OK"
    text = "; ".join(f"{f.code}: {f.message}" for f in items)
    if len(text) > EXCEL_CELL_LIMIT:  # Excel's longest cell text
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def _text_cell(cell, value):
    """Write biller-derived text so Excel never treats it as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _find_or_add_check_column(ws, header_row: int) -> int:
    last = 0
    for cell in ws[header_row]:
        if cell.value is not None:
            last = cell.column
            if str(cell.value).strip().lower() == CHECK_HEADER.lower():
                return cell.column
    return last + 1


def _extend_table(ws, header_row: int, col: int) -> None:
    """If the header row belongs to an Excel Table ending just left of ``col``, widen it."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.worksheet.table import TableColumn

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row == header_row and max_col == col - 1:
            table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(col)}{max_row}"
            ids = [tc.id for tc in table.tableColumns] or [0]
            table.tableColumns.append(TableColumn(id=max(ids) + 1, name=CHECK_HEADER))
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
            return


def write_results(wb, result, *, extra: Callable | None = None) -> None:
    """Fill Check on the Claims sheet and (re)write the Findings sheet in an open workbook."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = result.book
    ws = wb[book.claims_sheet]
    header_row = book.header_row
    col = _find_or_add_check_column(ws, header_row)
    created = ws.cell(row=header_row, column=col).value is None
    ws.cell(row=header_row, column=col, value=CHECK_HEADER)
    if created:
        _extend_table(ws, header_row, col)
        ws.cell(row=header_row, column=col).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = 60

    per_row: dict[int, list[Finding]] = defaultdict(list)
    for f in result.findings:
        if f.sheet == book.claims_sheet and f.row is not None and f.row != header_row:
            per_row[f.row].append(f)
    for rownum in book.claims["row"]:
        items = per_row.get(int(rownum), [])
        cell = ws.cell(row=int(rownum), column=col)
        _text_cell(cell, check_text(items))
        worst = min((f.severity for f in items), key=["error", "warning", "info"].index, default="ok")
        cell.fill = PatternFill("solid", start_color=FILL[worst], end_color=FILL[worst])
        cell.alignment = Alignment(wrap_text=False, vertical="top")

    if FINDINGS_SHEET in wb.sheetnames:
        del wb[FINDINGS_SHEET]
    fs = wb.create_sheet(FINDINGS_SHEET)
    headers = ["Sheet", "Row", "Claim ID", "Column", "Code", "Severity", "Message", "Rule", "How to fix"]
    fs.append(headers)
    for c in fs[1]:
        c.font = Font(bold=True, color="FFFFFFFF")
        c.fill = PatternFill("solid", start_color="FF305496", end_color="FF305496")
    from .rules.registry import get

    for r, f in enumerate(result.findings, start=2):  # (fs.max_row scans every cell: not per finding)
        rule = get(f.code)
        fs.append([f.sheet, f.row, None, f.column, f.code, f.severity, None, rule.title, rule.fix])
        _text_cell(fs.cell(row=r, column=3), f.claim_id)
        _text_cell(fs.cell(row=r, column=7), f.message)
        fs.cell(row=r, column=6).fill = PatternFill("solid", start_color=FILL[f.severity], end_color=FILL[f.severity])
    for letter, width in zip("ABCDEFGHI", (10, 6, 12, 14, 9, 9, 80, 40, 60)):
        fs.column_dimensions[letter].width = width
    fs.freeze_panes = "A2"
    if fs.max_row > 1:
        fs.auto_filter.ref = f"A1:I{fs.max_row}"
    if extra is not None:
        extra(wb, result)


def write_checked_copy(src: str | os.PathLike, out: str | os.PathLike, result, *, extra: Callable | None = None) -> list[str]:
    """Write a copy of ``src`` with results to ``out``; returns warnings for the user."""
    if same_file(src, out) if Path(out).exists() else Path(src).resolve() == Path(out).resolve():
        raise UnusableInput(f"{out}: --output is the input file; claimcheck never overwrites the input, choose another name")
    notes = []
    src_suffix, out_suffix = Path(src).suffix.lower(), Path(out).suffix.lower()
    if out_suffix not in (".xlsx", ".xlsm"):
        raise UnusableInput(f"{out}: --output must end in .xlsx or .xlsm")
    from .reader import uncarried_content

    lost = uncarried_content(src)
    if lost:
        notes.append("the copy cannot carry " + ", ".join(lost) + " from the input (openpyxl does not "
                     "model them); the input keeps them")
    try:
        wb = open_for_update(src)
    except UnusableInput:
        raise
    except Exception as exc:
        raise refusal(Path(src), exc) from None
    if src_suffix in (".xlsm", ".xltm") and out_suffix == ".xlsx":
        notes.append("the output is .xlsx, so the input's macros are not carried over; use .xlsm to keep them")
        wb.vba_archive = None
        wb.is_template = False
    elif src_suffix in (".xlsx", ".xltx") and out_suffix == ".xlsm":
        raise UnusableInput(f"{out}: the input has no macros; write the output as .xlsx")
    write_results(wb, result, extra=extra)
    save_atomically(wb, out)
    return notes


# --------------------------------------------------------------------------- Authorizations summary

#: Existing headers taken as one of ours (the template's formula column "Left" is Remaining).
_AUTH_SUMMARY_SYNONYMS = {"Used": ("used",), "Remaining": ("remaining", "left"), "% Used": ("%used", "percentused"),
                          "Status": ("status",)}
_AUTH_STATUS_FILL = {"Active": "FFC6EFCE", "Expiring": "FFFFEB9C", "Exhausted": "FFF4C7CE", "Expired": "FFD9D9D9"}


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

    found: dict[str, int] = {}
    last = 0
    for cell in ws[header_row]:
        if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        last = max(last, cell.column)
        for h in AUTH_SUMMARY_HEADERS:
            if h not in found and key(cell.value) in _AUTH_SUMMARY_SYNONYMS[h]:
                found[h] = cell.column
    for h in AUTH_SUMMARY_HEADERS:
        if h not in found:
            last += 1
            found[h] = last
    return found


def _widen_table(ws, header_row: int, columns: dict[str, int]) -> None:
    """Grow an Excel Table whose header is ``header_row`` to take in new columns just right of it."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.worksheet.table import TableColumn

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row != header_row:
            continue
        extra = sorted(c for c in columns.values() if c > max_col)
        if not extra:
            continue
        # Only contiguous growth: the new columns must follow the table with no gap.
        new_max = max_col
        for c in extra:
            if c != new_max + 1:
                break
            new_max = c
        if new_max == max_col:
            continue
        ids = [tc.id for tc in table.tableColumns] or [0]
        next_id = max(ids) + 1
        for c in range(max_col + 1, new_max + 1):
            table.tableColumns.append(TableColumn(id=next_id, name=str(ws.cell(row=header_row, column=c).value)))
            next_id += 1
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(new_max)}{max_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
        return


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
    _widen_table(ws, header_row, cols)

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
            st.fill = PatternFill("solid", start_color=_AUTH_STATUS_FILL[u.status], end_color=_AUTH_STATUS_FILL[u.status])
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
