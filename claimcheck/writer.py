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

    for f in result.findings:
        rule = get(f.code)
        fs.append([f.sheet, f.row, None, f.column, f.code, f.severity, None, rule.title, rule.fix])
        r = fs.max_row
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
    if src_suffix == ".xlsm" and out_suffix == ".xlsx":
        notes.append("the output is .xlsx, so the input's macros are not carried over; use .xlsm to keep them")
        wb.vba_archive = None
        wb.is_template = False
    elif src_suffix == ".xlsx" and out_suffix == ".xlsm":
        raise UnusableInput(f"{out}: the input has no macros; write the output as .xlsx")
    write_results(wb, result, extra=extra)
    save_atomically(wb, out)
    return notes
