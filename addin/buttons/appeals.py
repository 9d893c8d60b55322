"""The Generate Appeals button.

**Generate Appeals** writes an appeal sheet for each denied claim of the selected rows (or
every denied claim when the selection is not on a denied row) and brings ``Appeals Log`` up to
date as a work queue, in place: new denials added below, computed columns rewritten, the rows
of gone denials with nothing typed deleted, the biller's columns (Owner, Follow-up Date, Appeal
Level, Reference #, Outcome, Notes) never written, so their values, formulas and formatting stay
(:func:`claimcheck.appeals.log.update_log`, the merge ``claimcheck appeals`` uses).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from claimcheck import columns as C
from claimcheck.reader import UnusableInput

from ..workbook_port import WorkbookPort
from .sheets import HEADER_FILL, last_header, read_tables, spans

APPEALS_LOG_SHEET = "Appeals Log"


def _denied_claims(book) -> dict[int, str]:
    """Excel row -> Claim ID of the lines that are denied (status Denied, or denial codes)."""
    out = {}
    c = book.claims
    for row, claim_id, status, codes in zip(c["row"], c["claim_id"], c["status_key"], c["denial_codes"]):
        if claim_id and (status == "Denied" or (codes and status != "Paid")):
            out[int(row)] = claim_id
    return out


def generate_appeals(wb: WorkbookPort, as_of: dt.date | None = None) -> str:
    from claimcheck.api import check_raw
    from claimcheck.appeals import LogNotReadable, plan_appeals
    from claimcheck.appeals.log import update_log

    as_of = as_of or dt.date.today()
    raw, _ = read_tables(wb)
    book = check_raw(raw, as_of, row_level_only=True).book
    denied = _denied_claims(book)
    chosen = None
    selected = wb.selection()
    if selected and selected[0].casefold() == book.claims_sheet.casefold():
        ids = sorted({denied[r] for r in selected[1] if r in denied})
        chosen = ids or None
    plan = plan_appeals(book, as_of, claim_ids=chosen)
    existing = {n.casefold(): n for n in wb.sheet_names()}
    # The Appeals Log is a work queue: the same merge as the command line keeps the biller's
    # columns (Owner, Follow-up Date, ... Notes) of the rows already there.
    log_name = existing.get(APPEALS_LOG_SHEET.casefold())
    logged = _log_with_formulas(wb, log_name) if log_name else None
    try:
        update = update_log(plan.log_rows(), logged, as_of, plan.claim_status)
    except LogNotReadable as exc:
        raise UnusableInput(str(exc)) from None
    for letter in plan.letters:
        if letter.sheet_name.casefold() in existing:
            wb.clear_sheet(letter.sheet_name)
        else:
            wb.add_sheet(letter.sheet_name)
            existing[letter.sheet_name.casefold()] = letter.sheet_name
        wb.write(letter.sheet_name, 1, 1, [list(r) for r in letter.rows()])
    if log_name is None or not _used_rows(logged):
        if log_name is None:
            log_name = APPEALS_LOG_SHEET
            wb.add_sheet(log_name)
        wb.write(log_name, 1, 1, [update.header] + update.rows)
        wb.fill(log_name, 1, 1, 1, len(update.header), HEADER_FILL)
        _color_days_left(wb, log_name, update.header.index("Days Left") + 1,
                         {r: row for r, row in enumerate(update.rows, start=2)})
    else:
        _update_log_in_place(wb, log_name, logged, update)
    which = f"the {len(chosen)} selected denied claim{'s' if len(chosen) != 1 else ''}" if chosen else "all denied claims"
    text = (f"Generate Appeals ({which}): {len(plan.letters)} appeal sheet{'s' if len(plan.letters) != 1 else ''} "
            f"written; {APPEALS_LOG_SHEET} lists every denied claim and why some get no appeal.")
    wb.message(text)
    return text


def _color_days_left(wb: WorkbookPort, sheet: str, column: int, rows: dict[int, tuple]) -> None:
    """Colour each written row's Days Left cell as ``claimcheck appeals`` does (red: the window has
    closed, yellow: near, green: time left), and clear it on a row without a deadline; rows of one
    colour next to each other take one fill."""
    from claimcheck.appeals.log import COMPUTED_COLUMNS, days_left_color

    at = COMPUTED_COLUMNS.index("Days Left")
    for first, last, color in spans([(r, days_left_color(row[at])) for r, row in rows.items()]):
        wb.fill(sheet, first, last, column, column, color)


def _used_rows(rows) -> int:
    """The number of the last row holding something (0 when none)."""
    return max((i for i, r in enumerate(rows or [], start=1)
                if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in r)), default=0)


def _log_with_formulas(wb: WorkbookPort, sheet: str) -> list[tuple[Any, ...]]:
    """The log's values, with the text of a formula the biller typed outside the computed columns
    where the runtime can read formulas (a formula showing a blank is still the biller's work)."""
    from claimcheck.appeals.log import COMPUTED_COLUMNS

    values = [tuple(r) for r in wb.read(sheet)]
    formulas = wb.formulas(sheet) if values else None
    if not formulas:
        return values
    computed = {i for i, h in enumerate(values[0]) if h is not None and C.key(h) in {C.key(c) for c in COMPUTED_COLUMNS}}
    out = [values[0]]
    for r, row in enumerate(values[1:], start=1):
        texts = formulas[r] if r < len(formulas) else ()
        out.append(tuple(texts[i] if i not in computed and i < len(texts) and texts[i] else v
                         for i, v in enumerate(row)))
    return out


def _update_log_in_place(wb: WorkbookPort, sheet: str, logged: list[tuple[Any, ...]], update) -> None:
    """Bring an Appeals Log already in the workbook up to date without rewriting it: the rows of
    gone denials with nothing typed in them are deleted (Excel moves the rows below up, with
    their formulas and formatting), the computed columns are written where the sheet has them,
    new denials go below the last row, and a missing column gets its header at the right.  The
    biller's cells are never written, so what they typed - values, formulas, formatting - stays."""
    from claimcheck.appeals.log import COMPUTED_COLUMNS

    header = list(logged[0]) if logged else []
    col_of: dict[str, int] = {}
    for i, h in enumerate(header, start=1):
        if h is not None and str(h).strip():
            col_of.setdefault(C.key(h), i)
    last_col = last_header(tuple(header))
    for name in update.header:
        if C.key(name) not in col_of:
            last_col += 1
            col_of[C.key(name)] = last_col
            wb.write(sheet, 1, last_col, [[name]])
            wb.fill(sheet, 1, 1, last_col, last_col, HEADER_FILL)
    for first, last, _ in reversed(list(spans([(r, True) for r in update.dropped]))):
        wb.delete_rows(sheet, first, last)

    def moved_to(row: int) -> int:
        return row - sum(1 for d in update.dropped if d < row)

    next_row = _used_rows(logged) - len(update.dropped) + 1
    where: dict[int, int] = {}  # sheet row -> index of the output row written there
    for i, source in enumerate(update.from_rows):
        if source is None:
            next_row = max(next_row, 2)
            where[next_row] = i
            next_row += 1
        else:
            where[moved_to(source)] = i
    computed_at = [(col_of[C.key(h)], k) for k, h in enumerate(COMPUTED_COLUMNS)]
    for first_col, last_col_run, _ in spans([(c, True) for c, _ in computed_at]):
        index = {c: k for c, k in computed_at}
        for first, last, _ in spans([(r, True) for r in where]):
            wb.write(sheet, first, first_col,
                     [[update.rows[where[r]][index[c]] for c in range(first_col, last_col_run + 1)]
                      for r in range(first, last + 1)])
    _color_days_left(wb, sheet, col_of[C.key("Days Left")], {r: update.rows[i] for r, i in where.items()})
