"""The appeal sheets and the Appeals Log written into an open openpyxl workbook, with the page
setup that prints each sheet as a letter.  The engine owns this page setup; the workbook
template reuses it for its own printable sheets."""

from __future__ import annotations

import datetime as dt
import math

from .formats import cell_text, plain_value
from .letter import LAST_COL, WIDTH
from .log import BILLER_COLUMNS, LOG_HEADER, Formula, days_left_color, update_log
from .plan import LOG_SHEET, AppealPlan

LETTER = 1  # paperSize code for US Letter in SpreadsheetML
SIDE_MARGIN = 0.75  # inches, left and right
TOP_MARGIN = 0.75  # inches, top and bottom
HEADER_MARGIN = 0.3  # inches, header and footer


def apply_letter_setup(ws, last_row: int, last_col_letter: str = "F", *, one_page: bool = True) -> None:
    """Make an openpyxl worksheet print as a letter: Letter paper, portrait, margins, fit to
    width (and to one page tall when ``one_page``), print area A1:<last_col><last_row>."""
    ws.page_setup.paperSize = LETTER
    ws.page_setup.orientation = "portrait"
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top = ws.page_margins.bottom = TOP_MARGIN
    ws.page_margins.header = ws.page_margins.footer = HEADER_MARGIN
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.print_options.horizontalCentered = True
    ws.print_area = f"A1:{last_col_letter}{last_row}"
    ws.sheet_view.showGridLines = False


DATE_FORMAT = "mm/dd/yyyy"  # US tables: 06/30/2026
MONEY_FORMAT = '"$"#,##0.00'  # $165.00
#: The biller's notes sit in this column, right of the printed letter (A:G) and outside its
#: print area: deadline, days left, what to fill in.  Never printed, never in the .docx.
NOTES_COL = "I"



def _put(ws, row: int, column: int, value):
    """Write one value of a letter or the log: text always as text (text from the workbook is
    never a formula), a date with the date format; the cell is returned."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell

def _side_panel(ws, notes, Alignment, Font, PatternFill) -> None:
    """Write the letter's notes beside it, outside the print area.  A long note spans as many
    rows as its lines need (merged cells), so the letter's own row heights are left alone."""
    fill = PatternFill("solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
    ws.column_dimensions["H"].width = 3
    ws.column_dimensions[NOTES_COL].width = 62
    head = ws[f"{NOTES_COL}1"]
    head.value = "For the biller (not printed)"
    head.font = Font(bold=True)
    head.fill = fill
    row = 2
    for note in notes:
        span = max(1, math.ceil(len(str(note)) / 60))
        cell = ws[f"{NOTES_COL}{row}"]
        cell.value = plain_value(note)
        cell.data_type = "s"
        cell.fill = fill
        cell.font = Font(size=9)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if span > 1:
            ws.merge_cells(f"{NOTES_COL}{row}:{NOTES_COL}{row + span - 1}")
        row += span


_WIDTHS = {"A": 19, "B": 14, "C": 30, "D": 18, "E": 13, "F": 12, "G": 14}  # A: "Medicare number" in bold with room
_CHARS_PER_LINE = 100


def _height(text: str, chars: int = _CHARS_PER_LINE) -> float:
    lines = max(1, math.ceil(len(text) / chars))
    return 15.0 * lines + 2


def write_appeals(wb, plan: AppealPlan) -> tuple[list[str], list[list]]:
    """Add (or replace) the appeal sheets, and bring the Appeals Log up to date keeping the
    biller's columns (:func:`write_log`), in an open openpyxl workbook.  Returns the log written
    (header, rows)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    existing = existing_log(wb)
    replace = {l.sheet_name.upper() for l in plan.letters}
    for ws in list(wb.worksheets):
        if ws.title.upper() in replace:
            wb.remove(ws)
    thin = Side(style="thin", color="FF808080")
    header_fill = PatternFill("solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
    for letter in plan.letters:
        ws = wb.create_sheet(letter.sheet_name)
        for col, width in _WIDTHS.items():
            ws.column_dimensions[col].width = width
        for r, (row, values) in enumerate(zip(letter.body, letter.rows()), start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = _put(ws, r, c, value)
                cell.alignment = Alignment(vertical="top", wrap_text=row.kind in ("text", "note", "check", "field", "table_row", "heading"))
            kind = row.kind
            if kind == "title":
                ws.cell(row=r, column=1).font = Font(bold=True, size=14)
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=WIDTH)
                ws.row_dimensions[r].height = 22
            elif kind in ("text", "note", "heading", "subheading"):
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=WIDTH)
                text = str(values[0] or "")
                ws.row_dimensions[r].height = _height(text, 88 if kind == "heading" else _CHARS_PER_LINE)  # bold 11 pt: fewer a line
                if kind == "heading":
                    ws.cell(row=r, column=1).font = Font(bold=True, size=11)
                    ws.cell(row=r, column=1).border = Border(bottom=thin)
                elif kind == "subheading":
                    ws.cell(row=r, column=1).font = Font(bold=True, italic=True)
                elif kind == "note":
                    ws.cell(row=r, column=1).font = Font(italic=True, size=9, color="FF595959")
            elif kind == "field":
                ws.cell(row=r, column=1).font = Font(bold=True)
                ws.cell(row=r, column=4).font = Font(bold=True)
                for c in (2, 5):  # a date or number value reads left, like the text beside it
                    ws.cell(row=r, column=c).alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
                ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
                ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=WIDTH)
                longest = max(len(cell_text(values[1])) if values[1] is not None else 0, len(cell_text(values[4])) if values[4] is not None else 0)
                ws.row_dimensions[r].height = _height("x" * longest, 45)
            elif kind == "check":
                ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=WIDTH)
                ws.cell(row=r, column=1).alignment = Alignment(horizontal="right", vertical="top")
                ws.row_dimensions[r].height = _height(str(values[1] or ""), 90)
            elif kind == "table_header":
                for c in range(1, WIDTH + 1):
                    cell = ws.cell(row=r, column=c)
                    cell.font = Font(bold=True)
                    cell.fill = header_fill
                    cell.border = Border(bottom=thin, top=thin)
            elif kind in ("table_row", "table_total"):
                ws.cell(row=r, column=6).number_format = MONEY_FORMAT
                ws.cell(row=r, column=5).number_format = '0.##'
                ws.cell(row=r, column=1).alignment = Alignment(horizontal="left", vertical="top")
                ws.cell(row=r, column=7).alignment = Alignment(horizontal="left", indent=1, vertical="top", wrap_text=True)
                if kind == "table_total":
                    for c in range(1, WIDTH + 1):
                        ws.cell(row=r, column=c).font = Font(bold=True)
                        ws.cell(row=r, column=c).border = Border(top=thin)
                else:
                    ws.row_dimensions[r].height = _height(str(values[2] or ""), 32)
        apply_letter_setup(ws, len(letter.body), LAST_COL, one_page=True)
        _side_panel(ws, letter.notes, Alignment, Font, PatternFill)
        ws.oddFooter.center.text = f"Claim {plain_value(letter.claim_id).replace('&', '&&')} - page &P of &N"

    return write_log(wb, plan, existing)


#: Column widths of the Appeals Log (characters), by header; a column the biller added keeps its own.
LOG_WIDTHS = {"Claim ID": 10, "Payer": 16, "First DOS": 11, "Denial Codes": 13, "Denial Date": 11,
              "Amount Denied": 11, "Decision": 18, "Why / next step": 48, "Appeal Deadline": 11, "Days Left": 7,
              "Appeal Sheet": 13, "Owner": 10, "Follow-up Date": 11, "Appeal Level": 13, "Reference #": 12,
              "Outcome": 13, "Notes": 30}


def existing_log(wb):
    """The values of the workbook's Appeals Log (first row the header), or None when it has none;
    a formula the biller typed is kept as a :class:`~claimcheck.appeals.log.Formula`."""
    for ws in wb.worksheets:
        if ws.title.upper() == LOG_SHEET.upper():
            return [tuple(Formula(c.value, c.coordinate) if c.data_type == "f" and isinstance(c.value, str) else c.value
                          for c in row) for row in ws.iter_rows()]
    return None


def write_log(wb, plan: AppealPlan, existing=None) -> tuple[list[str], list[list]]:
    """Write the Appeals Log as a work queue (:func:`claimcheck.appeals.log.merge_log`): the
    computed columns from ``plan``, the biller's columns kept from the log already there
    (``existing``: its values, read before any sheet was replaced).  The sheet keeps its place."""
    from openpyxl.formula.translate import Translator
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from copy import copy

    from .. import columns as C

    update = update_log(plan.log_rows(), existing, plan.as_of, plan.claim_status)
    header, rows = update.header, update.rows
    log = next((ws for ws in wb.worksheets if ws.title.upper() == LOG_SHEET.upper()), None)
    # The formatting of the biller's cells (a fill, a bold note, a date format) goes with its row.
    styles: dict[tuple[int, str], object] = {}
    if log is not None and existing:
        theirs = {C.key(h) for h in BILLER_COLUMNS + header[len(LOG_HEADER):]}
        sources = {r for r in update.from_rows if r}
        for c, name in enumerate(existing[0], start=1):
            if name is not None and C.key(name) in theirs:
                for r in sources:
                    cell = log.cell(row=r, column=c)
                    if cell.has_style:
                        styles.setdefault((r, C.key(name)), copy(cell._style))
    if log is None:
        log = wb.create_sheet(LOG_SHEET)
    elif log.max_row:
        log.delete_rows(1, log.max_row)
    log.row_dimensions[1].height = 32
    for c, name in enumerate(header, start=1):
        cell = _put(log, 1, c, name)
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = PatternFill("solid", start_color="FF305496", end_color="FF305496")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    at = {h: i for i, h in enumerate(header, start=1)}
    wrap = {at[h] for h in ("Payer", "Decision", "Why / next step", "Notes", "Outcome", "Appeal Level")}
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            if isinstance(value, Formula):  # the biller's formula, its references moved with its row
                cell = log.cell(row=r, column=c)
                cell.value = Translator(str(value), origin=value.origin).translate_formula(cell.coordinate)
            else:
                cell = _put(log, r, c, value) if value is not None else log.cell(row=r, column=c)
            cell.alignment = Alignment(wrap_text=c in wrap, vertical="top")
        log.cell(row=r, column=at["Amount Denied"]).number_format = MONEY_FORMAT
        log.cell(row=r, column=at["Follow-up Date"]).number_format = DATE_FORMAT
        source = update.from_rows[r - 2]
        for c, name in enumerate(header, start=1):
            if (source, C.key(name)) in styles:
                log.cell(row=r, column=c)._style = copy(styles[(source, C.key(name))])
        # Wrapped text needs its rows' height written: a spreadsheet program that opens the file
        # (and prints it) uses the stored height, so long reasons would overlap the next row.
        lines = max([1] + [math.ceil(len(cell_text(values[c - 1])) / max(LOG_WIDTHS.get(header[c - 1], 12) - 1, 1))
                           for c in wrap if c - 1 < len(values) and values[c - 1] is not None])
        log.row_dimensions[r].height = 15.0 * lines + 2
        color = days_left_color(values[at["Days Left"] - 1])
        if color:
            argb = "FF" + color[1:]
            log.cell(row=r, column=at["Days Left"]).fill = PatternFill("solid", start_color=argb, end_color=argb)
    for name, c in at.items():
        if name in LOG_WIDTHS:
            log.column_dimensions[get_column_letter(c)].width = LOG_WIDTHS[name]
    log.freeze_panes = "A2"
    last = get_column_letter(len(header))
    log.auto_filter.ref = f"A1:{last}{max(log.max_row, 2)}"
    apply_log_setup(log, len(rows) + 1, last)
    return header, rows


def apply_log_setup(ws, last_row: int, last_col_letter: str) -> None:
    """Print the Appeals Log landscape on Letter paper, one page wide (as many pages tall as its
    rows need), the header row repeated on every page."""
    ws.page_setup.paperSize = LETTER
    ws.page_setup.orientation = "landscape"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.page_margins.header = ws.page_margins.footer = HEADER_MARGIN
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_area = f"A1:{last_col_letter}{max(last_row, 1)}"
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "Appeals Log - page &P of &N"
