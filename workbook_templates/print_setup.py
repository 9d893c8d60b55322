"""Print setup for appeal sheets: US Letter, portrait, 0.75" side margins, fitted to one page
wide, with a print area.  Used by the appeals feature (openpyxl worksheets) and the template."""

from __future__ import annotations

LETTER = 1  # paperSize code for US Letter in SpreadsheetML


def apply_letter_setup(ws, last_row: int, last_col_letter: str = "F", *, one_page: bool = True) -> None:
    """Make an openpyxl worksheet print as a letter: Letter paper, portrait, margins, fit to
    width (and to one page tall when ``one_page``), print area A1:<last_col><last_row>."""
    ws.page_setup.paperSize = LETTER
    ws.page_setup.orientation = "portrait"
    ws.page_margins.left = ws.page_margins.right = 0.75
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.print_options.horizontalCentered = True
    ws.print_area = f"A1:{last_col_letter}{last_row}"
    ws.sheet_view.showGridLines = False
