"""How claimcheck's sheets print (openpyxl): landscape US Letter fitted to as few pages across
as keeps the print readable, with title rows and columns repeated; used by the checked copy
(Claims, Findings) and the ERA sheets."""

from __future__ import annotations


#: US Letter landscape with 0.4" side margins: the printable width in points.
PRINTABLE_WIDTH_PT = (11 - 2 * 0.4) * 72
#: Below this scale an 11-point sheet prints under about 7 points: too small to read, so a wide
#: sheet prints on more pages across (its first columns repeated) instead of shrinking further.
READABLE_SCALE = 0.65


def column_points(width: float) -> float:
    """The printed width of an Excel column ``width`` characters wide (Calibri 11: 7 px a
    character plus 5 px padding, at 96 px to the inch)."""
    return (width * 7 + 5) * 0.75


def pages_wide(widths: list[float], title_widths: list[float] = (), *, printable: float = PRINTABLE_WIDTH_PT,
               readable: float = READABLE_SCALE) -> int:
    """How many pages across a sheet of these column widths needs so that fitting it to that
    many pages never prints it below the ``readable`` scale; repeated title columns
    (``title_widths``) take room on every page after the first."""
    total = sum(column_points(w) for w in widths)
    titles = sum(column_points(w) for w in title_widths)
    n = 1
    while n < 20 and (total + (n - 1) * titles) / n > printable / readable:
        n += 1
    return n


def print_setup(ws, area: str, *, pages_wide: int = 1, title_rows: str | None = None,
                title_cols: str | None = None) -> None:
    """Landscape US Letter, 0.4" side margins, fit to ``pages_wide`` pages across and as many
    down as needed, with title rows/columns repeated on every page (an openpyxl sheet)."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_area = area
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    ws.oddFooter.left.text = ws.title.replace("&", "&&")
    ws.oddFooter.right.text = "Page &P of &N"


def column_width(ws, column: int) -> float:
    """The width of an openpyxl sheet's column in characters (Excel's 8.43 when not set)."""
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    if letter in ws.column_dimensions:
        dim = ws.column_dimensions[letter]
        if dim.customWidth and dim.width:
            return dim.width
    return 8.43
