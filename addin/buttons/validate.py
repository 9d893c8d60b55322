"""The Validate Claims button.

**Validate Claims** fills the ``Check`` column of Claims (found by its header, or added right
of the last header), colours the Check cell by the line's worst finding (red error, yellow
warning, blue note, green OK) and each cell a finding names (Minutes, CPT, Dx Codes ...), puts
back the biller's own fill where a finding went away, and rewrites the ``Findings`` sheet
(keeping the biller's Done and Note), all as ``claimcheck check --output`` does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from claimcheck.writer import FINDINGS_HEADERS

from ..workbook_port import WorkbookPort
from .sheets import CHECK_HEADER, HEADER_FILL, check_workbook, fills, own_column, spans, write_column

FINDINGS_SHEET = "Findings"


def _summary(result) -> str:
    s = result.summary
    return (f"{s['lines']} service lines checked: {s['errors']} errors, {s['warnings']} warnings, "
            f"{s['info']} notes ({s['lines_with_errors']} lines with errors)")


def write_findings_sheet(wb: WorkbookPort, result, header: tuple[Any, ...] = ()) -> None:
    """(Re)write Findings as the checked copy does (:func:`claimcheck.writer.findings_rows`),
    keeping the biller's Done and Note for the same claim, rule and column."""
    from claimcheck.writer import findings_rows, kept_biller_columns

    kept: dict = {}
    if any(n.casefold() == FINDINGS_SHEET.casefold() for n in wb.sheet_names()):
        kept = kept_biller_columns(wb.read(FINDINGS_SHEET))
        wb.clear_sheet(FINDINGS_SHEET)
    else:
        wb.add_sheet(FINDINGS_SHEET)
    rows = findings_rows(result, kept, header)
    wb.write(FINDINGS_SHEET, 1, 1, rows)
    wb.fill(FINDINGS_SHEET, 1, 1, 1, len(FINDINGS_HEADERS), HEADER_FILL)
    colours = fills()
    sev = FINDINGS_HEADERS.index("Severity") + 1
    for first, last, severity in spans([(i, f.severity) for i, f in enumerate(result.findings, start=2)]):
        wb.fill(FINDINGS_SHEET, first, last, sev, sev, colours[severity])
    at = FINDINGS_HEADERS.index("Cell")
    for r, values in enumerate(rows[1:], start=2):
        if values[at]:
            sheet, _, ref = values[at].rpartition("!")
            wb.link(FINDINGS_SHEET, r, at + 1, "'" + sheet.replace("'", "''") + "'!" + ref, values[at])


def _mark_cells(wb: WorkbookPort, sheet: str, result, header: tuple[Any, ...]) -> None:
    """Colour the cells findings name, putting back the fill of cells whose finding went away
    (:func:`claimcheck.writer.remark`; what was coloured, and on which line, is kept on a hidden
    sheet, so a Claims sheet sorted between runs gets each fill back on its own line)."""
    from claimcheck.writer import MARKS_HEADERS, MARKS_SHEET, cell_marks, line_keys, remark

    have = any(n.casefold() == MARKS_SHEET.casefold() for n in wb.sheet_names())
    previous = [tuple(r) for r in wb.read(MARKS_SHEET)[1:]] if have else []

    def get_fill(r: int, c: int) -> str | None:
        return wb.fill_of(sheet, r, c)  # None: this runtime cannot read fills

    def set_fill(r: int, c: int, colour: str) -> None:
        wb.fill(sheet, r, r, c, c, colour or None)

    rows = remark(previous, cell_marks(result, header), fills(), get_fill, set_fill, sheet, line_keys(result.book))
    if have:
        wb.clear_sheet(MARKS_SHEET)
    elif rows:
        wb.add_sheet(MARKS_SHEET)
    if rows:
        wb.write(MARKS_SHEET, 1, 1, [MARKS_HEADERS, *rows])
    if have or rows:
        wb.hide_sheet(MARKS_SHEET)


def validate_claims(wb: WorkbookPort, as_of: dt.date | None = None) -> str:
    from claimcheck.writer import check_text, findings_by_row, worst

    result, raw, rows = check_workbook(wb, as_of)
    book = result.book
    sheet, header_row = book.claims_sheet, book.header_row
    claim_rows = rows["Claims"]
    col = own_column(wb, sheet, claim_rows, header_row, CHECK_HEADER)
    per_row = findings_by_row(result)
    data_rows = [int(r) for r in book.claims["row"]]
    texts = {r: check_text(per_row.get(r, [])) for r in data_rows}
    last = max([len(claim_rows), *data_rows]) if data_rows else len(claim_rows)
    write_column(wb, sheet, header_row + 1, last, col, texts)
    if last > header_row:
        wb.wrap_text(sheet, header_row + 1, last, col)  # as the checked copy: a long Check text wraps

    colours = fills()
    for first, last_row, sev in spans([(r, worst(per_row.get(r, []))) for r in data_rows]):
        wb.fill(sheet, first, last_row, col, col, colours[sev])
    header = tuple(claim_rows[header_row - 1]) if len(claim_rows) >= header_row else ()
    _mark_cells(wb, sheet, result, header)
    write_findings_sheet(wb, result, header)
    text = f"Validate Claims: {_summary(result)}. Check column and {FINDINGS_SHEET} sheet updated."
    wb.message(text)
    return text
