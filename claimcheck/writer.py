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
from typing import Any, Callable, Iterable

from .models import Finding
from .printing import column_width, pages_wide, print_setup
from .reader import UnusableInput
from .workbook_file import refusal

FILL = {"error": "FFF4C7CE", "warning": "FFFFEB9C", "info": "FFDDEBF7", "ok": "FFC6EFCE"}
CHECK_HEADER = "Check"
EXCEL_CELL_LIMIT = 32767
FINDINGS_SHEET = "Findings"
#: A hidden sheet remembering which cells were coloured for a finding and the fill each had
#: before, so a later run puts the biller's own fill back once the finding is gone.
MARKS_SHEET = "Check Marks"
#: A fill mark: the cell, its fill before and the fill set, and the line it is on (Claim ID, and
#: Claim ID|DOS|CPT|modifiers) so it is found again after a sort; a height mark: the row
#: (``7:7``), its height before (blank: the default) and the height set for the Check text.
MARKS_HEADERS = ["Sheet", "Cell", "Fill before", "Fill set", "Claim ID", "Line", "Height before", "Height set"]
#: The Findings sheet's columns (contract section 3).  ``Done`` and ``Note`` are the biller's,
#: kept across runs for the same claim, rule and column.  The columns up to Note are printed.
FINDINGS_HEADERS = ["Claim ID", "Client ID", "Payer", "DOS", "CPT", "Charge", "Code", "Severity", "Message",
                    "How to fix", "Done", "Note", "Cell", "Column", "Rule", "Sheet", "Row"]
FINDINGS_WIDTHS = [11, 10, 13, 10, 7, 9, 8, 8, 44, 38, 6, 16, 11, 13, 34, 9, 6]
FINDINGS_PRINTED = FINDINGS_HEADERS.index("Note") + 1
BILLER_COLUMNS = ("Done", "Note")
SEVERITIES = ("error", "warning", "info")


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


def claims_columns(header: Iterable[Any]) -> dict[str, int]:
    """The contract header each Claims column stands for -> its 1-based column number."""
    from . import columns as C

    lookup = C.lookup(C.CLAIMS)
    out: dict[str, int] = {}
    for i, value in enumerate(header, start=1):
        col = lookup.get(C.key(value)) if value is not None else None
        if col is not None and col.name not in out:
            out[col.name] = i
    return out


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


def line_keys(book) -> dict[int, tuple[str, str]]:
    """Each Claims data row -> (its Claim ID, its line: Claim ID, DOS, CPT and modifiers), as the
    marks sheet records them, so a mark finds its line again after the biller sorted Claims."""
    c = book.claims
    if not len(c):
        return {}
    mods = c["modifiers"].tolist() if "modifiers" in c.columns else [()] * len(c)
    out: dict[int, tuple[str, str]] = {}
    for row, claim, dos, cpt, mod in zip(c["row"].tolist(), c["claim_id"].tolist(), c["dos"].tolist(),
                                         c["cpt"].tolist(), mods):
        day = dos.date().isoformat() if hasattr(dos, "date") and dos == dos else ""
        claim = _key(claim).upper()
        out[int(row)] = (claim, "|".join([claim, day, _key(cpt).upper(), ",".join(sorted(map(str, mod or ())))]))
    return out


def _placer(lines: dict[int, tuple[str, str]] | None) -> Callable[[int, str, str], int | None]:
    """Where a mark recorded on ``row`` for (claim, line) is now: on the same row while that row
    still holds the line (or, the line changed by a fix, the same claim); else on the one row
    that holds the line now, or else the claim's only row (the biller sorted Claims); None when
    it cannot be told (the fill is left alone rather than put on another line's cell)."""
    if lines is None:
        return lambda row, claim, line: row
    by_line: dict[str, list[int]] = defaultdict(list)
    by_claim: dict[str, list[int]] = defaultdict(list)
    for r, (claim, line) in lines.items():
        by_line[line].append(r)
        by_claim[claim].append(r)

    def place(row: int, claim: str, line: str) -> int | None:
        if not claim and not line:
            return row  # recorded by an earlier version, by address only
        here = lines.get(row)
        if here is not None and here[1] == line:
            return row
        if len(by_line.get(line, ())) == 1:
            return by_line[line][0]
        if here is not None and here[0] == claim:
            return row
        if len(by_claim.get(claim, ())) == 1:
            return by_claim[claim][0]
        return None

    return place


def remark(previous: Iterable[tuple], marks: dict[tuple[int, int], str], colours: dict[str, str],
           get_fill: Callable[[int, int], str | None], set_fill: Callable[[int, int, str], None],
           sheet: str, lines: dict[int, tuple[str, str]] | None = None) -> list[list[Any]]:
    """Colour the cells of ``marks`` and put back the biller's fill where a finding went away.

    ``previous``: the rows of the marks sheet from the last run (sheet, cell, fill before, fill
    set, claim, line).  A mark is found again by its line (``lines``, :func:`line_keys`: the
    biller may have sorted Claims since, and a sort moves fills with their cells), and a cell
    still showing the fill we set gets its fill from before back (a fill the biller changed since
    is theirs and stays).  Then each marked cell's fill is remembered and the severity's colour
    set.  ``get_fill``/``set_fill`` read and write a cell's fill as text (the same text
    ``get_fill`` gives is what ``set_fill`` takes; ``get_fill`` gives None where fills cannot be
    read, as in xlwings Lite: then a cell we coloured is cleared when its finding goes away);
    returns the new marks sheet rows.
    """
    from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter

    place = _placer(lines)
    for row in previous:
        if len(row) < 4 or row[0] != sheet or not row[1]:
            continue
        try:
            r, c = coordinate_to_tuple(str(row[1]))
        except ValueError:
            continue
        line = _key(row[5] if len(row) > 5 else None)
        # the claim as the line key holds it (a Claim ID cell may come back as a number from Excel)
        r = place(r, line.split("|")[0] if line else _key(row[4] if len(row) > 4 else None), line)
        if r is None:
            continue
        now = get_fill(r, c)
        if now is None or now == (row[3] or ""):
            set_fill(r, c, row[2] or "")
    rows: list[list[Any]] = []
    for (r, c), severity in sorted(marks.items()):
        before = get_fill(r, c) or ""
        set_fill(r, c, colours[severity])
        claim, line = (lines or {}).get(r, ("", ""))
        rows.append([sheet, f"{get_column_letter(c)}{r}", before, get_fill(r, c) or colours[severity], claim, line,
                     None, None])
    return rows


def reheight(previous: Iterable[tuple], needed: dict[int, float | None],
             get_height: Callable[[int], float | None], set_height: Callable[[int, float | None], None],
             sheet: str) -> list[list[Any]]:
    """Make rows tall enough for their wrapped Check text, and give a row claimcheck made tall its
    height back once it needs less (an OK line).  ``needed``: data row -> height its text needs
    (None: one line).  ``previous``: the marks sheet's height rows (cell ``7:7``, height before,
    height set); a row whose height the biller changed since is theirs.  Row heights stay with
    their position when Claims is sorted, so they are kept by row number.  Returns the new
    height rows of the marks sheet."""
    import re

    tall: dict[int, tuple[Any, float]] = {}
    for row in previous:
        if len(row) < 8 or row[0] != sheet or not isinstance(row[1], str):
            continue
        m = re.fullmatch(r"(\d+):\1", row[1].strip())
        if m and isinstance(row[7], (int, float)):
            tall[int(m.group(1))] = (row[6] if isinstance(row[6], (int, float)) else None, float(row[7]))
    out: list[list[Any]] = []
    for r in sorted(set(needed) | set(tall)):
        now = get_height(r)
        base = now
        if r in tall and now is not None and abs(now - tall[r][1]) < 0.01:
            base = tall[r][0]  # still the height we set: what the row had before is the biller's
        need = needed.get(r)
        if need is not None and (base or 15.0) < need:
            set_height(r, need)
            out.append([sheet, f"{r}:{r}", None, None, None, None, base, need])
        elif base != now:
            set_height(r, base)
    return out


def _key(value) -> str:
    return "" if value is None else str(value).strip()


def kept_biller_columns(rows: list[tuple]) -> dict[tuple[str, str, str], tuple]:
    """From an earlier Findings sheet (its rows, header first): (claim, rule, column) -> the
    biller's Done and Note.  An earlier layout without those columns gives nothing."""
    if not rows:
        return {}
    header = [_key(h).casefold() for h in rows[0]]

    def pos(name: str) -> int | None:
        return header.index(name.casefold()) if name.casefold() in header else None

    claim, code, column = pos("Claim ID"), pos("Code"), pos("Column")
    keep = [pos(name) for name in BILLER_COLUMNS]
    if claim is None or code is None or all(k is None for k in keep):
        return {}
    out: dict[tuple[str, str, str], tuple] = {}
    for row in rows[1:]:
        values = tuple(row[k] if k is not None and k < len(row) else None for k in keep)
        if all(v is None or v == "" for v in values):
            continue
        key = (_key(row[claim] if claim < len(row) else None), _key(row[code] if code < len(row) else None),
               _key(row[column] if column is not None and column < len(row) else None))
        out.setdefault(key, values)
    return out


def findings_rows(result, kept: dict | None = None, header: Iterable[Any] | None = None) -> list[list[Any]]:
    """The Findings sheet's rows, header first: one per finding with its line's claim, client,
    payer, date of service, code and charge, the rule's fix, the biller's Done/Note from
    ``kept`` and the cell it is about (``Claims!K7``; ``header``: the Claims header row)."""
    from openpyxl.utils.cell import get_column_letter

    from .rules.registry import get

    book = result.book
    claims = book.claims
    where = claims_columns(header or ())
    line_of: dict[int, int] = {int(r): i for i, r in enumerate(claims["row"])} if len(claims) else {}
    fields = {name: claims[name].tolist() if name in claims.columns else None
              for name in ("client_id", "payer", "dos", "cpt", "charge")}
    kept = kept or {}
    rows: list[list[Any]] = [list(FINDINGS_HEADERS)]
    def val(name: str, i: int | None):
        """The line's value of a claims column (None when blank or the finding has no line)."""
        values = fields[name]
        if i is None or values is None:
            return None
        v = values[i]
        if v is None or v != v:  # NaN / NaT
            return None
        return v.date() if name == "dos" and hasattr(v, "date") else v

    for f in result.findings:
        rule = get(f.code)
        i = line_of.get(f.row) if f.sheet == book.claims_sheet and f.row is not None else None
        col = where.get(f.column) if i is not None else None
        cell = f"{f.sheet}!{get_column_letter(col)}{f.row}" if col else (f"{f.sheet}!A{f.row}" if f.row else None)
        done, note = kept.get((_key(f.claim_id), f.code, _key(f.column)), (None, None))
        rows.append([f.claim_id, val("client_id", i), val("payer", i), val("dos", i), val("cpt", i), val("charge", i), f.code,
                     f.severity, f.message, rule.fix, done, note, cell, f.column, rule.title, f.sheet, f.row])
    return rows


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


def _colour_text(colour) -> str:
    if colour is None:
        return ""
    kind = getattr(colour, "type", None)
    if kind == "theme":
        return f"theme:{colour.theme}:{colour.tint or 0}"
    if kind == "indexed":
        return f"indexed:{colour.indexed}"
    if kind == "rgb" and isinstance(colour.rgb, str):
        return f"rgb:{colour.rgb}"
    return ""


def fill_text(fill) -> str:
    """An openpyxl cell fill as text (empty for none), which :func:`text_fill` turns back."""
    if fill is None or getattr(fill, "fill_type", None) in (None, "none"):
        return ""
    return f"{fill.fill_type}|{_colour_text(fill.fgColor)}|{_colour_text(fill.bgColor)}"


def text_fill(text: str):
    """The openpyxl fill :func:`fill_text` described (a plain ``AARRGGBB`` is a solid fill)."""
    from openpyxl.styles import Color, PatternFill

    if not text:
        return PatternFill(fill_type=None)
    if "|" not in text:
        return PatternFill("solid", start_color=text, end_color=text)

    def colour(part: str):
        kind, _, value = part.partition(":")
        if kind == "theme":
            theme, _, tint = value.partition(":")
            return Color(theme=int(theme), tint=float(tint or 0))
        if kind == "indexed":
            return Color(indexed=int(value))
        if kind == "rgb":
            return Color(rgb=value)
        return Color()

    pattern, fg, bg = (text.split("|") + ["", ""])[:3]
    return PatternFill(fill_type=pattern, fgColor=colour(fg), bgColor=colour(bg))


def read_marks(wb) -> list[tuple]:
    if MARKS_SHEET not in wb.sheetnames:
        return []
    return [tuple(r) for r in wb[MARKS_SHEET].iter_rows(min_row=2, values_only=True)]


def write_marks(wb, rows: list[list[str]]) -> None:
    if MARKS_SHEET in wb.sheetnames:
        del wb[MARKS_SHEET]
    if not rows:
        return
    ms = wb.create_sheet(MARKS_SHEET)
    ms.sheet_state = "hidden"
    ms.append(MARKS_HEADERS)
    for i, r in enumerate(rows, start=2):
        for c, value in enumerate(r, start=1):
            if value is not None and value != "":
                _text_cell(ms.cell(row=i, column=c), value)  # a Claim ID is biller text: never a formula


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
    for rownum in book.claims["row"]:
        items = per_row.get(int(rownum), [])
        cell = ws.cell(row=int(rownum), column=col)
        _text_cell(cell, check_text(items))
        colour = FILL[worst(items)]
        cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = wrapped_lines(cell.value, check_width)
        # Excel and LibreOffice keep a written file's row heights: make room for the text
        needed[int(rownum)] = min(409.0, 15.0 * lines) if lines > 1 else None

    def get_fill(r: int, c: int) -> str:
        return fill_text(ws.cell(row=r, column=c).fill)

    def set_fill(r: int, c: int, text: str) -> None:
        ws.cell(row=r, column=c).fill = text_fill(text)

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


def write_findings(wb, result, header) -> None:
    """(Re)write the Findings sheet, keeping the biller's Done and Note."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    kept = {}
    if FINDINGS_SHEET in wb.sheetnames:
        kept = kept_biller_columns([tuple(r) for r in wb[FINDINGS_SHEET].iter_rows(values_only=True)])
        del wb[FINDINGS_SHEET]
    fs = wb.create_sheet(FINDINGS_SHEET)
    rows = findings_rows(result, kept, header)
    fs.append(rows[0])
    for c in fs[1]:
        c.font = Font(bold=True, color="FFFFFFFF")
        c.fill = PatternFill("solid", start_color="FF305496", end_color="FF305496")
        c.alignment = Alignment(wrap_text=True, vertical="top")
    pos = {h: i + 1 for i, h in enumerate(FINDINGS_HEADERS)}
    text_columns = [pos[h] for h in ("Claim ID", "Client ID", "Payer", "CPT", "Message", "Note", "Column")]
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    fills = {k: PatternFill("solid", start_color=v, end_color=v) for k, v in FILL.items()}
    for r, values in enumerate(rows[1:], start=2):  # (fs.max_row scans every cell: not per finding)
        fs.append(values)
        for c in text_columns:
            _text_cell(fs.cell(row=r, column=c), values[c - 1])
        for c in range(1, FINDINGS_PRINTED + 1):
            fs.cell(row=r, column=c).alignment = top
        fs.cell(row=r, column=pos["Message"]).alignment = wrap
        fs.cell(row=r, column=pos["How to fix"]).alignment = wrap
        fs.cell(row=r, column=pos["Severity"]).fill = fills[values[pos["Severity"] - 1]]
        fs.cell(row=r, column=pos["DOS"]).number_format = "mm/dd/yyyy"
        fs.cell(row=r, column=pos["Charge"]).number_format = "$#,##0.00"
        target = values[pos["Cell"] - 1]
        if target:
            sheet, _, ref = target.rpartition("!")
            link = fs.cell(row=r, column=pos["Cell"])
            link.hyperlink = Hyperlink(ref=link.coordinate, location="'" + sheet.replace("'", "''") + "'!" + ref,
                                       display=target)
            link.font = Font(color="FF0563C1", underline="single")
    for i, width in enumerate(FINDINGS_WIDTHS, start=1):
        fs.column_dimensions[get_column_letter(i)].width = width
    last = get_column_letter(len(FINDINGS_HEADERS))
    fs.freeze_panes = "B2"
    fs.auto_filter.ref = f"A1:{last}{max(fs.max_row, 2)}"
    print_setup(fs, f"A1:{get_column_letter(FINDINGS_PRINTED)}{fs.max_row}", pages_wide=1, title_rows="1:1")


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
