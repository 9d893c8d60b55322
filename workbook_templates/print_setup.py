"""Print setup for appeal sheets: US Letter, portrait, 0.75" side margins, fitted to one page
wide, with a print area.  Used by the appeals feature (openpyxl worksheets) and the template.

``apply_letter_setup`` is for openpyxl worksheets (the appeals feature adds sheets to a
biller's existing workbook); ``apply_xlsxwriter_setup`` gives the template's own sheets, written
with XlsxWriter, the same paper and margins.
"""

from __future__ import annotations

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


def apply_xlsxwriter_setup(ws, *, landscape: bool = False, repeat_header: bool = True,
                           one_page: bool = False, narrow: bool = False, footer_title: str = "") -> None:
    """Letter paper, fit to one page wide (and one tall when ``one_page``), the header row
    repeated on every page, page numbers in the footer; for an XlsxWriter worksheet.
    ``narrow`` uses 0.4" side margins for wide tables such as Claims."""
    ws.set_paper(LETTER)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    side = 0.4 if narrow else SIDE_MARGIN
    ws.set_margins(left=side, right=side, top=TOP_MARGIN, bottom=TOP_MARGIN)
    ws.fit_to_pages(1, 1 if one_page else 0)
    if repeat_header:
        ws.repeat_rows(0)
    title = footer_title.replace("&", "&&")
    ws.set_footer(f"&L{title}&RPage &P of &N", {"margin": HEADER_MARGIN})
