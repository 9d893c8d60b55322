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
from copy import copy
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

from .bulk import bulk_work
# The Findings sheet and the Check Marks sheet have their own modules; their names are imported
# here as well, where Validate Claims and the ERA posting take them from.
from .check_marks import (MARKS_HEADERS, MARKS_SHEET, fill_text, line_keys, read_marks, reheight, remark,
                          text_fill, write_marks)
from .findings_sheet import (BILLER_COLUMNS, FILL, FINDINGS_HEADERS, FINDINGS_PRINTED, FINDINGS_SHEET, FINDINGS_WIDTHS,
                             claims_columns, findings_rows, kept_biller_columns, text_cell, write_findings)
from .models import Finding
from .printing import column_width, pages_wide, print_setup
from .reader import UnusableInput
from .workbook_file import refusal

CHECK_HEADER = "Check"
EXCEL_CELL_LIMIT = 32767
SEVERITIES = ("error", "warning", "info")


class Restyle:
    """Gives many cells a change of style (a fill, an alignment ...) the way openpyxl copies a
    style: the change is made once for each style a cell had before, and the cells that had the
    same style take a copy of the result, instead of hashing the same font, fill and alignment
    objects again for every cell (the cost of setting a style in openpyxl).  ``change`` names
    the change (``"error"``, a fill's text ...): one name, one set of style values, within one
    Restyle."""

    def __init__(self) -> None:
        self.made: dict[tuple, Any] = {}

    def __call__(self, cell, change: str, **style) -> None:
        before = (change, tuple(cell._style) if cell.has_style else ())
        made = self.made.get(before)
        if made is None:
            for name, value in style.items():
                setattr(cell, name, value)
            self.made[before] = copy(cell._style)
        else:
            cell._style = copy(made)


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


def wrapped_lines(text, width: float) -> int:
    """About how many lines ``text`` takes wrapped in a column ``width`` characters wide."""
    import math

    if not isinstance(text, str) or not text:
        return 1
    per_line = max(1, int(width * 1.2))  # text runs a little narrower than the digits Excel measures by
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def worst(items) -> str:
    """The worst severity of some findings, ``ok`` for none."""
    return min((f.severity for f in items), key=SEVERITIES.index, default="ok")


# --------------------------------------------------------------------------- shared with Validate Claims


def findings_by_row(result) -> dict[int, list[Finding]]:
    """The Claims findings of each data row (row numbers as Excel shows them)."""
    book = result.book
    per_row: dict[int, list[Finding]] = defaultdict(list)
    for f in result.findings:
        if f.sheet == book.claims_sheet and f.row is not None and f.row != book.header_row:
            per_row[f.row].append(f)
    return per_row


def cell_marks(result, header: Iterable[Any]) -> dict[tuple[int, int], str]:
    """(row, column) -> worst severity, for each Claims cell a finding names (``Minutes``,
    ``CPT``, ``Dx Codes`` ...).  Findings about a column the sheet does not have mark nothing."""
    where = claims_columns(header)
    marks: dict[tuple[int, int], str] = {}
    for row, items in findings_by_row(result).items():
        for f in items:
            col = where.get(f.column)
            if col is None:
                continue
            now = marks.get((row, col))
            if now is None or SEVERITIES.index(f.severity) < SEVERITIES.index(now):
                marks[(row, col)] = f.severity
    return marks


def _find_or_add_check_column(ws, header_row: int) -> int:
    last = 0
    for cell in ws[header_row]:
        if cell.value is not None:
            last = cell.column
            if str(cell.value).strip().lower() == CHECK_HEADER.lower():
                return cell.column
    return last + 1


def widen_table(ws, header_row: int, columns: Iterable[int]) -> None:
    """Grow the Excel Table whose header is ``header_row`` over new ``columns`` (numbers) that
    follow it with no gap; each new table column is named by its header cell."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.worksheet.table import TableColumn

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row != header_row:
            continue
        new_max = max_col
        for c in sorted(c for c in columns if c > max_col):
            if c != new_max + 1:
                break
            new_max = c
        if new_max == max_col:
            continue
        next_id = max([tc.id for tc in table.tableColumns] or [0]) + 1
        for c in range(max_col + 1, new_max + 1):
            table.tableColumns.append(TableColumn(id=next_id, name=str(ws.cell(row=header_row, column=c).value)))
            next_id += 1
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(new_max)}{max_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
        return


def write_results(wb, result, *, extra: Callable | None = None) -> None:
    """Fill Check on the Claims sheet, colour the cells findings name and (re)write the Findings
    sheet in an open workbook."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = result.book
    ws = wb[book.claims_sheet]
    header_row = book.header_row
    col = _find_or_add_check_column(ws, header_row)
    created = ws.cell(row=header_row, column=col).value is None
    ws.cell(row=header_row, column=col, value=CHECK_HEADER)
    if created:
        widen_table(ws, header_row, [col])
        ws.cell(row=header_row, column=col).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = 60
    header = [c.value for c in ws[header_row]]

    per_row = findings_by_row(result)
    check_width = column_width(ws, col)
    needed: dict[int, float | None] = {}
    fills = {k: PatternFill("solid", start_color=v, end_color=v) for k, v in FILL.items()}
    wrap = Alignment(wrap_text=True, vertical="top")
    restyle = Restyle()
    for rownum in book.claims["row"]:
        items = per_row.get(int(rownum), [])
        cell = ws.cell(row=int(rownum), column=col)
        text_cell(cell, check_text(items))
        severity = worst(items)
        restyle(cell, severity, fill=fills[severity], alignment=wrap)
        lines = wrapped_lines(cell.value, check_width)
        # Excel and LibreOffice keep a written file's row heights: make room for the text
        needed[int(rownum)] = min(409.0, 15.0 * lines) if lines > 1 else None

    def get_fill(r: int, c: int) -> str:
        return fill_text(ws.cell(row=r, column=c).fill)

    fill_of: dict[str, Any] = {}  # fill text -> the fill (a few severities' and billers' fills)

    def set_fill(r: int, c: int, text: str) -> None:
        if text not in fill_of:
            fill_of[text] = text_fill(text)
        restyle(ws.cell(row=r, column=c), "fill " + text, fill=fill_of[text])

    def set_height(r: int, height: float | None) -> None:
        ws.row_dimensions[r].height = height

    previous = read_marks(wb)
    heights = reheight(previous, needed, lambda r: ws.row_dimensions[r].height if r in ws.row_dimensions else None,
                       set_height, ws.title)
    marks = cell_marks(result, header)
    write_marks(wb, remark(previous, marks, FILL, get_fill, set_fill, ws.title, line_keys(book)) + heights)
    claims_print_setup(ws, header_row, col, max([header_row, *map(int, book.claims["row"])]))
    write_findings(wb, result, header)
    if extra is not None:
        extra(wb, result)


# --------------------------------------------------------------------------- printing

def claims_print_setup(ws, header_row: int, check_col: int, last_row: int) -> None:
    """Claims prints its working columns (the first through Check, or through the last visible
    headed column after it, such as the template's deadlines), landscape, as few pages across
    as keeps it readable, with the header row and the Claim ID column(s) on every page."""
    from openpyxl.utils import get_column_letter

    def width(c: int) -> float:
        return column_width(ws, c)

    def hidden(c: int) -> bool:
        letter = get_column_letter(c)
        return letter in ws.column_dimensions and bool(ws.column_dimensions[letter].hidden)

    for cell in ws[header_row]:
        if cell.column > check_col and cell.value not in (None, "") and not hidden(cell.column):
            check_col = cell.column
    widths = [width(c) for c in range(1, check_col + 1)]
    titles = claims_columns([c.value for c in ws[header_row]])
    first = min(titles.get("Claim ID", 1), titles.get("Client ID", 1))
    last = max(titles.get("Claim ID", 1), titles.get("Client ID", 1))
    if last - first > 2:
        last = first
    n = pages_wide(widths, [width(c) for c in range(first, last + 1)])
    letters = f"{get_column_letter(first)}:{get_column_letter(last)}"
    print_setup(ws, f"A1:{get_column_letter(check_col)}{last_row}", pages_wide=n,
                title_rows=f"{header_row}:{header_row}", title_cols=letters if n > 1 else None)


def write_checked_copy(src: str | os.PathLike, out: str | os.PathLike, result, *, extra: Callable | None = None) -> list[str]:
    """Write a copy of ``src`` with results to ``out``; returns warnings for the user."""
    if same_file(src, out) if Path(out).exists() else Path(src).resolve() == Path(out).resolve():
        raise UnusableInput(f"{out}: --output is the input file; claimcheck never overwrites the input, choose another name")
    notes = []
    src_suffix, out_suffix = Path(src).suffix.lower(), Path(out).suffix.lower()
    if out_suffix not in (".xlsx", ".xlsm"):
        raise UnusableInput(f"{out}: --output must end in .xlsx or .xlsm")
    from .workbook_file import uncarried_content

    lost = uncarried_content(src)
    if lost:
        notes.append("the copy cannot carry " + ", ".join(lost) + " from the input (openpyxl does not "
                     "model them); the input keeps them")
    # The copy is openpyxl's cells and styles, hundreds of thousands of objects alive until the
    # save: the cycle collector walking them again and again would free nothing (bulk_work).
    with bulk_work():
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
