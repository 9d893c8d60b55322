"""Print setup for the template's own sheets (written with XlsxWriter): US Letter, fitted to one
page wide, with the paper and margins of the appeal letters, whose openpyxl page setup is the
engine's (:func:`claimcheck.appeals.xlsx.apply_letter_setup`).
"""

from __future__ import annotations

from claimcheck.appeals.xlsx import HEADER_MARGIN, LETTER, SIDE_MARGIN, TOP_MARGIN


def apply_xlsxwriter_setup(ws, *, landscape: bool = False, repeat_header: bool = True,
                           one_page: bool = False, narrow: bool = False, footer_title: str = "",
                           pages_wide: int = 1) -> None:
    """Letter paper, fit to ``pages_wide`` pages wide (and one tall when ``one_page``), the header
    row repeated on every page, page numbers in the footer; for an XlsxWriter worksheet.
    ``narrow`` uses 0.4" side margins for wide tables such as Claims."""
    ws.set_paper(LETTER)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    side = 0.4 if narrow else SIDE_MARGIN
    ws.set_margins(left=side, right=side, top=TOP_MARGIN, bottom=TOP_MARGIN)
    ws.fit_to_pages(pages_wide, 1 if one_page else 0)
    if repeat_header:
        ws.repeat_rows(0)
    title = footer_title.replace("&", "&&")
    ws.set_footer(f"&L{title}&RPage &P of &N", {"margin": HEADER_MARGIN})
