"""The buttons, written once against :class:`addin.workbook_port.WorkbookPort`.

* **Validate Claims** fills the ``Check`` column of Claims (found by its header, or added right
  of the last header), colours the Check cell by the line's worst finding (red error, yellow
  warning, blue note, green OK) and each cell a finding names (Minutes, CPT, Dx Codes ...), puts
  back the biller's own fill where a finding went away, and rewrites the ``Findings`` sheet
  (keeping the biller's Done and Note), all as ``claimcheck check --output`` does.
* **Flag Authorizations** writes each line's AUTH findings into an ``Auth`` column right of
  Check (so Validate Claims' text is not overwritten; only the Auth cell is coloured), and
  ``Used``, ``Remaining``, ``% Used`` and ``Status`` on the Authorizations sheet to the right of
  the biller's columns - the same columns ``claimcheck check --output`` writes.
* **Generate Appeals** writes an appeal sheet for each denied claim of the selected rows (or
  every denied claim when the selection is not on a denied row) and brings ``Appeals Log`` up to
  date as a work queue, in place: new denials added below, computed columns rewritten, the rows
  of gone denials with nothing typed deleted, the biller's columns (Owner, Follow-up Date, Appeal
  Level, Reference #, Outcome, Notes) never written, so their values, formulas and formatting stay
  (:func:`claimcheck.appeals.log.update_log`, the merge ``claimcheck appeals`` uses).
* **Post ERA** posts 835 remittances to Claims like ``claimcheck era`` (classic: files from a
  picker; xlwings Lite: the text pasted into the ``ERA Inbox`` sheet, emptied once posted) and
  rewrites Remittances, ERA Lines and ERA Unmatched.
* **New Claims Workbook** builds the template next to the current workbook and opens it
  (classic); where there is no file system (xlwings Lite) it adds the template's missing sheets
  with their header rows to the current workbook instead, and says so.

No button writes into a cell the biller typed: only the Check/Auth/summary columns, cell fills,
and the sheets claimcheck generates (Findings, Appeals Log, Appeal ..., the ERA sheets) and, for
Post ERA, the empty or still-open posted cells of Claims; on an Appeals Log already there only
the computed columns are written (the biller's cells, with their formulas and formatting, move only
with their row).  Each returns the message it showed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

from claimcheck import columns as C
from claimcheck.reader import RawTable, UnusableInput, rows_to_table, sheet_list, sheet_lookup, skip_non_lines

from claimcheck.writer import FINDINGS_HEADERS

from .workbook_port import WorkbookPort

CHECK_HEADER = "Check"
AUTH_HEADER = "Auth"
FINDINGS_SHEET = "Findings"
APPEALS_LOG_SHEET = "Appeals Log"
HEADER_FILL = "#305496"


def _hex(argb: str) -> str:
    return "#" + argb[-6:]


def fills() -> dict[str, str]:
    from claimcheck.writer import FILL

    return {k: _hex(v) for k, v in FILL.items()}


# --------------------------------------------------------------------------- reading


def read_tables(wb: WorkbookPort) -> tuple[dict[str, RawTable], dict[str, list[tuple[Any, ...]]]]:
    """The contract sheets as raw tables (as the command line reads a file), and their rows."""
    kinds = sheet_lookup(wb.sheet_names())
    if "Claims" not in kinds:
        raise UnusableInput(
            f"no Claims sheet (found: {sheet_list(wb.sheet_names())}); "
            "name the sheet with the service lines 'Claims'")
    raw: dict[str, RawTable] = {}
    rows_by_kind: dict[str, list[tuple[Any, ...]]] = {}
    for kind, name in kinds.items():
        rows = wb.read(name)
        width = max((len(r) for r in rows), default=0)
        rows = [tuple(r) + (None,) * (width - len(r)) for r in rows]
        rows_by_kind[kind] = rows
        try:
            raw[kind] = rows_to_table(kind, name, rows)
            skip_non_lines(raw[kind])  # a units row, a totals row: as the command line reads a file
        except UnusableInput as exc:
            if kind == "Claims":
                raise
            table = RawTable(sheet=name, kind=kind, header_row=0, headers=[], positions={})
            table.problem = str(exc)  # type: ignore[attr-defined]  # a finding (REQ007), as on the command line
            raw[kind] = table
    return raw, rows_by_kind


def _check(wb: WorkbookPort, as_of: dt.date | None):
    from claimcheck.api import check_raw

    raw, rows = read_tables(wb)
    return check_raw(raw, as_of or dt.date.today()), raw, rows


def _header_column(header: tuple[Any, ...], name: str) -> int | None:
    for i, value in enumerate(header, start=1):
        if value is not None and C.key(value) == C.key(name):
            return i
    return None


def _last_header(header: tuple[Any, ...]) -> int:
    last = 0
    for i, value in enumerate(header, start=1):
        if value is not None and str(value).strip():
            last = i
    return last


def _own_column(wb: WorkbookPort, sheet: str, rows, header_row: int, name: str, after: int | None = None) -> int:
    """The column of our header ``name`` on the header row, added when missing."""
    header = rows[header_row - 1] if len(rows) >= header_row else ()
    col = _header_column(header, name)
    if col is None:
        col = max(_last_header(header), after or 0) + 1
        wb.write(sheet, header_row, col, [[name]])
    return col


def _spans(values: list[tuple[int, Any]]) -> Iterable[tuple[int, int, Any]]:
    """Contiguous (first_row, last_row, value) runs of equal values, for few fill calls."""
    run: list = []
    for row, value in sorted(values):
        if run and row == run[1] + 1 and value == run[2]:
            run[1] = row
        else:
            if run:
                yield tuple(run)
            run = [row, row, value]
    if run:
        yield tuple(run)


def _worst(items) -> str:
    order = ["error", "warning", "info"]
    return min((f.severity for f in items), key=order.index, default="ok")


def _column_texts(result, codes_filter=None) -> dict[int, list]:
    book = result.book
    per_row: dict[int, list] = defaultdict(list)
    for f in result.findings:
        if f.sheet == book.claims_sheet and f.row is not None and f.row != book.header_row:
            if codes_filter is None or codes_filter(f.code):
                per_row[f.row].append(f)
    return per_row


def _write_column(wb, sheet, first_row, last_row, col, texts: dict[int, str]) -> None:
    if last_row < first_row:
        return
    wb.write(sheet, first_row, col, [[texts.get(r, "")] for r in range(first_row, last_row + 1)])


def _summary(result) -> str:
    s = result.summary
    return (f"{s['lines']} service lines checked: {s['errors']} errors, {s['warnings']} warnings, "
            f"{s['info']} notes ({s['lines_with_errors']} lines with errors)")


# --------------------------------------------------------------------------- Validate Claims


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
    for first, last, severity in _spans([(i, f.severity) for i, f in enumerate(result.findings, start=2)]):
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

    result, raw, rows = _check(wb, as_of)
    book = result.book
    sheet, header_row = book.claims_sheet, book.header_row
    claim_rows = rows["Claims"]
    col = _own_column(wb, sheet, claim_rows, header_row, CHECK_HEADER)
    per_row = findings_by_row(result)
    data_rows = [int(r) for r in book.claims["row"]]
    texts = {r: check_text(per_row.get(r, [])) for r in data_rows}
    last = max([len(claim_rows), *data_rows]) if data_rows else len(claim_rows)
    _write_column(wb, sheet, header_row + 1, last, col, texts)
    if last > header_row:
        wb.wrap_text(sheet, header_row + 1, last, col)  # as the checked copy: a long Check text wraps

    colours = fills()
    for first, last_row, sev in _spans([(r, worst(per_row.get(r, []))) for r in data_rows]):
        wb.fill(sheet, first, last_row, col, col, colours[sev])
    header = tuple(claim_rows[header_row - 1]) if len(claim_rows) >= header_row else ()
    _mark_cells(wb, sheet, result, header)
    write_findings_sheet(wb, result, header)
    text = f"Validate Claims: {_summary(result)}. Check column and {FINDINGS_SHEET} sheet updated."
    wb.message(text)
    return text


# --------------------------------------------------------------------------- Flag Authorizations


def flag_authorizations(wb: WorkbookPort, as_of: dt.date | None = None) -> str:
    from claimcheck import auth as A
    from claimcheck.auth_summary import AUTH_STATUS_FILL
    from claimcheck.writer import check_text

    as_of = as_of or dt.date.today()
    result, raw, rows = _check(wb, as_of)
    book = result.book
    sheet, header_row = book.claims_sheet, book.header_row
    claim_rows = rows["Claims"]
    check_col = _header_column(claim_rows[header_row - 1], CHECK_HEADER)
    col = _own_column(wb, sheet, claim_rows, header_row, AUTH_HEADER, after=check_col)
    per_row = _column_texts(result, lambda code: code.startswith("AUTH"))
    data_rows = [int(r) for r in book.claims["row"]]
    with_number = {int(r) for r, n in zip(book.claims["row"], book.claims["auth_number"]) if n}
    texts = {r: check_text(per_row[r]) if per_row.get(r) else ("OK" if r in with_number else "")
             for r in data_rows}
    last = max([len(claim_rows), *data_rows]) if data_rows else len(claim_rows)
    _write_column(wb, sheet, header_row + 1, last, col, texts)
    colours = fills()
    marks = [(r, _worst(per_row[r]) if per_row.get(r) else ("ok" if r in with_number else None)) for r in data_rows]
    for first, last_row, sev in _spans(marks):
        wb.fill(sheet, first, last_row, col, col, colours[sev] if sev else None)

    usage = A.auth_usage(book, as_of, result.context.stage("auth_matching"))  # the AUTH findings' matching
    flagged = sum(1 for r in data_rows if per_row.get(r))
    summary = f"{flagged} lines with authorization findings"
    auth_sheet = raw.get("Authorizations")
    if auth_sheet is not None and auth_sheet.positions and usage:
        a_rows = rows["Authorizations"]
        a_header = auth_sheet.header_row
        headers = A.SUMMARY_HEADERS
        cols = {}
        next_col = _last_header(a_rows[a_header - 1])
        for h in headers:
            found = _header_column(a_rows[a_header - 1], h)
            if found is None:
                next_col += 1
                found = next_col
                wb.write(auth_sheet.sheet, a_header, found, [[h]])
            cols[h] = found
        status_fill = {k: _hex(v) for k, v in AUTH_STATUS_FILL.items()}
        for u in usage:
            if u.row is None:
                continue
            values = {"Used": _plain(u.used), "Remaining": _plain(u.remaining),
                      "% Used": None if u.percent_used is None else round(u.percent_used / 100.0, 4),
                      "Status": u.status}
            for h, c in cols.items():
                wb.write(auth_sheet.sheet, u.row, c, [[values.get(h)]])
            if "Status" in cols and u.status in status_fill:
                wb.fill(auth_sheet.sheet, u.row, u.row, cols["Status"], cols["Status"], status_fill[u.status])
        counts = defaultdict(int)
        for u in usage:
            counts[u.status] += 1
        summary += "; authorizations: " + ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
    text = f"Flag Authorizations: {summary}. {AUTH_HEADER} column and Authorizations summary updated."
    wb.message(text)
    return text


def _plain(value):
    if value is None or value != value:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


# --------------------------------------------------------------------------- Generate Appeals


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
    else:
        _update_log_in_place(wb, log_name, logged, update)
    which = f"the {len(chosen)} selected denied claim{'s' if len(chosen) != 1 else ''}" if chosen else "all denied claims"
    text = (f"Generate Appeals ({which}): {len(plan.letters)} appeal sheet{'s' if len(plan.letters) != 1 else ''} "
            f"written; {APPEALS_LOG_SHEET} lists every denied claim and why some get no appeal.")
    wb.message(text)
    return text


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
    last_col = _last_header(tuple(header))
    for name in update.header:
        if C.key(name) not in col_of:
            last_col += 1
            col_of[C.key(name)] = last_col
            wb.write(sheet, 1, last_col, [[name]])
            wb.fill(sheet, 1, 1, last_col, last_col, HEADER_FILL)
    for first, last, _ in reversed(list(_spans([(r, True) for r in update.dropped]))):
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
    for first_col, last_col_run, _ in _spans([(c, True) for c, _ in computed_at]):
        index = {c: k for c, k in computed_at}
        for first, last, _ in _spans([(r, True) for r in where]):
            wb.write(sheet, first, first_col,
                     [[update.rows[where[r]][index[c]] for c in range(first_col, last_col_run + 1)]
                      for r in range(first, last + 1)])


# --------------------------------------------------------------------------- Post ERA

ERA_INBOX_SHEET = "ERA Inbox"


def inbox_text(rows: list[tuple[Any, ...]]) -> str:
    """The 835 text pasted into the ERA Inbox sheet: Excel puts each pasted line in a row of
    column A (a line with tabs spreads over the next columns), so the rows are joined back."""
    lines = []
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        lines.append("\t".join(cells))
    return "\n".join(lines).strip()


def _write_era_sheet(wb: WorkbookPort, name: str, rows: list[list[Any]]) -> None:
    if any(n.casefold() == name.casefold() for n in wb.sheet_names()):
        wb.clear_sheet(name)
    else:
        wb.add_sheet(name)
    wb.write(name, 1, 1, rows)
    wb.fill(name, 1, 1, 1, len(rows[0]), HEADER_FILL)


def post_era(wb: WorkbookPort, as_of: dt.date | None = None,
             pick_files: Callable[[], list[str]] | None = None) -> str:
    """Post 835 remittances like ``claimcheck era``: the files ``pick_files()`` returns (classic
    Excel's file picker), or else the text pasted into the ``ERA Inbox`` sheet (xlwings Lite,
    which has no file system; the sheet is emptied once posted). Only posted cells change on
    Claims (never a value the biller typed); Remittances, ERA Lines and ERA Unmatched are
    rewritten from what they held and the posting."""
    from claimcheck.book import build_book
    from claimcheck.era.command import read_remittance_files, summary_line
    from claimcheck.era.post import FEE_SCHEDULE_SHEET, read_fee_schedule
    from claimcheck.era.post import post_era as posting_of
    from claimcheck.era.read import EraProblem, read_835
    from claimcheck.era.workbook import (
        ERA_SHEETS,
        LINES_SHEET,
        changed_cells,
        columns_needed,
        earlier_from_rows,
    )
    from claimcheck.rules import load_all
    from claimcheck.tables import tables

    names = {n.casefold(): n for n in wb.sheet_names()}
    inbox = None
    if pick_files is not None:
        files = [f for f in pick_files() or [] if f]
        if not files:
            text = "Post ERA: no remittance file was chosen; nothing was posted."
            wb.message(text)
            return text
        batches = read_remittance_files(files)
        source = f"{len(files)} file{'s' if len(files) != 1 else ''}"
    else:
        inbox = names.get(ERA_INBOX_SHEET.casefold())
        pasted = inbox_text(wb.read(inbox)) if inbox else ""
        if not pasted:
            if inbox is None:
                wb.add_sheet(ERA_INBOX_SHEET)
            text = (f"Post ERA: paste the 835 remittance text into cell A1 of the {ERA_INBOX_SHEET} sheet, "
                    "then click Post ERA again; nothing was posted.")
            wb.message(text)
            return text
        try:
            batches = [read_835(pasted)]
        except EraProblem as problem:
            raise UnusableInput(f"the text on {ERA_INBOX_SHEET}: {problem}; nothing was posted") from None
        source = f"the {ERA_INBOX_SHEET} sheet"

    load_all()
    raw, rows = read_tables(wb)
    book = build_book(raw, tables())
    lines = wb.read(names[LINES_SHEET.casefold()]) if LINES_SHEET.casefold() in names else []
    fees = names.get(FEE_SCHEDULE_SHEET.casefold())
    posting = posting_of(book, batches, as_of or dt.date.today(), earlier=earlier_from_rows(lines),
                         fee_schedule=read_fee_schedule(wb.read(fees)) if fees else None)

    sheet, header_row = book.claims_sheet, book.header_row
    claim_rows = rows["Claims"]
    header = claim_rows[header_row - 1] if len(claim_rows) >= header_row else ()
    known = C.lookup(C.CLAIMS)
    where: dict[str, int] = {}
    for i, value in enumerate(header, start=1):
        col = known.get(C.key(value)) if value is not None else None
        if col is not None and col.name not in where:
            where[col.name] = i
    last = _last_header(header)
    for column in columns_needed(posting):
        if column not in where:
            last += 1
            wb.write(sheet, header_row, last, [[column]])
            where[column] = last
    for row, column, value in changed_cells(posting):
        wb.write(sheet, row, where[column], [[value]])
    for name, rebuild in ERA_SHEETS.items():
        existing = wb.read(names[name.casefold()]) if name.casefold() in names else []
        _write_era_sheet(wb, name, rebuild(existing, posting))
    if inbox is not None:
        wb.clear_sheet(inbox)
    text = f"Post ERA ({source}): {summary_line(posting)}."
    wb.message(text)
    return text


# --------------------------------------------------------------------------- New Claims Workbook

TEMPLATE_SHEETS = (("Claims", C.CLAIMS), ("Authorizations", C.AUTHORIZATIONS), ("Payers", C.PAYERS),
                   ("Providers", C.PROVIDERS))


def new_file_name(folder: Path, today: dt.date | None = None) -> Path:
    stem = f"Claims {(today or dt.date.today()).isoformat()}"
    path = folder / f"{stem}.xlsx"
    n = 2
    while path.exists():
        path = folder / f"{stem} ({n}).xlsx"
        n += 1
    return path


def new_claims_workbook(wb: WorkbookPort, build_workbook: Callable[..., Any] | None = None) -> str:
    """A new billing workbook next to ``wb``, written by ``build_workbook(path, sample=False)``
    (classic Excel's entry point passes the template's builder, from the layer above this one);
    without a builder or a folder (xlwings Lite) the template's sheets are added to ``wb``."""
    folder = wb.folder
    if folder is not None and build_workbook is not None:
        path = new_file_name(folder)
        build_workbook(path, sample=False)
        wb.open(path)
        text = f"New Claims Workbook: created {path.name} next to this workbook and opened it."
        wb.message(text)
        return text
    existing = {C.key(n) for n in wb.sheet_names()}
    added = []
    for name, cols in TEMPLATE_SHEETS:
        if C.key(name) in existing:
            continue
        wb.add_sheet(name)
        wb.write(name, 1, 1, [[c.name for c in cols]])
        wb.fill(name, 1, 1, 1, len(cols), "#DDEBF7")
        added.append(name)
    if added:
        text = ("New Claims Workbook: this Excel has no file system to save a new workbook to, so the "
                f"template's {', '.join(added)} sheet{'s' if len(added) > 1 else ''} with header rows "
                "were added to this workbook. To start a fresh file, create a blank workbook and run "
                "this button there.")
    else:
        text = ("New Claims Workbook: this workbook already has the Claims, Authorizations, Payers and "
                "Providers sheets; nothing was changed. To start a fresh file, create a blank workbook "
                "and run this button there.")
    wb.message(text)
    return text


BUTTONS = {
    "validate_claims": validate_claims,
    "flag_authorizations": flag_authorizations,
    "generate_appeals": generate_appeals,
    "new_claims_workbook": new_claims_workbook,
    "post_era": post_era,
}


def run(name: str, wb: WorkbookPort, **kwargs) -> str:
    """Run a button; any problem becomes one message (never a traceback)."""
    try:
        return BUTTONS[name](wb, **kwargs)
    except UnusableInput as exc:
        text = f"claimcheck: {exc}"
    except Exception as exc:  # a button must never show a traceback
        # The exception text is not shown: it could echo a cell (a client's name).
        text = f"claimcheck: {name.replace('_', ' ')} stopped ({type(exc).__name__}); nothing else was changed"
    try:
        wb.message(text)
    except Exception:
        pass
    return text
