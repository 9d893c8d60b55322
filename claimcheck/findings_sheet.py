"""The Findings sheet of a checked copy (``claimcheck check --output``) and of Validate Claims:
one row per finding with its line's claim, client, payer, date of service, code and charge, the
rule's fix, the biller's Done and Note (kept across runs) and a link to the cell it is about."""

from __future__ import annotations

from typing import Any, Iterable

#: The fill of each severity (and of an OK line) on the Check column, the cells findings name and
#: the Findings sheet's Severity column.
FILL = {"error": "FFF4C7CE", "warning": "FFFFEB9C", "info": "FFDDEBF7", "ok": "FFC6EFCE"}
FINDINGS_SHEET = "Findings"
#: The Findings sheet's columns (contract section 3).  ``Done`` and ``Note`` are the biller's,
#: kept across runs for the same claim, rule and column.  The columns up to Note are printed.
FINDINGS_HEADERS = ["Claim ID", "Client ID", "Payer", "DOS", "CPT", "Charge", "Code", "Severity", "Message",
                    "How to fix", "Done", "Note", "Cell", "Column", "Rule", "Sheet", "Row"]
FINDINGS_WIDTHS = [11, 10, 13, 10, 7, 9, 8, 8, 44, 38, 6, 16, 11, 13, 34, 9, 6]
FINDINGS_PRINTED = FINDINGS_HEADERS.index("Note") + 1
BILLER_COLUMNS = ("Done", "Note")


def text_cell(cell, value):
    """Write biller-derived text so Excel never treats it as a formula."""
    cell.value = value
    as_text(cell)


def as_text(cell) -> None:
    """A cell's text that starts like a formula is kept as text, never evaluated."""
    if cell.data_type == "f" and isinstance(cell.value, str):
        cell.data_type = "s"


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

    from .models import FindingTable
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

    findings = FindingTable.of(result.findings)
    rules = {code: get(code) for code in set(findings.code)}
    for sheet, row, claim_id, column, code, severity, message in zip(*findings.columns()):
        rule = rules[code]
        i = line_of.get(row) if sheet == book.claims_sheet and row is not None else None
        col = where.get(column) if i is not None else None
        cell = f"{sheet}!{get_column_letter(col)}{row}" if col else (f"{sheet}!A{row}" if row else None)
        done, note = kept.get((_key(claim_id), code, _key(column)), (None, None))
        rows.append([claim_id, val("client_id", i), val("payer", i), val("dos", i), val("cpt", i), val("charge", i), code,
                     severity, message, rule.fix, done, note, cell, column, rule.title, sheet, row])
    return rows


def write_findings(wb, result, header) -> None:
    """(Re)write the Findings sheet, keeping the biller's Done and Note."""
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    from .printing import print_setup

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
    # A column's cells look alike but for the Severity cell (its severity's fill) and a Cell cell
    # with a link: each look is made once, on a model cell, and a finding's cells are made with
    # their column's (openpyxl's copy of a style), not by setting the same styles on every cell.
    def look(**style):
        model = Cell(fs)
        for name, value in style.items():
            setattr(model, name, value)
        return model._style

    top, wrap = Alignment(vertical="top"), Alignment(wrap_text=True, vertical="top")
    number_formats = {"DOS": "mm/dd/yyyy", "Charge": "$#,##0.00"}
    looks = [look(alignment=wrap if h in ("Message", "How to fix") else top, number_format=number_formats.get(h, "General"))
             if i < FINDINGS_PRINTED else None for i, h in enumerate(FINDINGS_HEADERS)]
    severity, link = FINDINGS_HEADERS.index("Severity"), FINDINGS_HEADERS.index("Cell")
    severity_looks = {k: look(alignment=top, fill=PatternFill("solid", start_color=v, end_color=v)) for k, v in FILL.items()}
    link_look = look(font=Font(color="FF0563C1", underline="single"))
    text_columns = [FINDINGS_HEADERS.index(h) for h in ("Claim ID", "Client ID", "Payer", "CPT", "Message", "Note", "Column")]
    for values in rows[1:]:
        target = values[link]
        looks[severity] = severity_looks[values[severity]]
        looks[link] = link_look if target else None
        cells = [Cell(fs, value=value, style_array=style) for value, style in zip(values, looks)]
        for c in text_columns:
            as_text(cells[c])
        fs.append(cells)
        if target:
            sheet, _, ref = target.rpartition("!")
            cells[link].hyperlink = Hyperlink(ref=cells[link].coordinate, display=target,
                                              location="'" + sheet.replace("'", "''") + "'!" + ref)
    for i, width in enumerate(FINDINGS_WIDTHS, start=1):
        fs.column_dimensions[get_column_letter(i)].width = width
    last = get_column_letter(len(FINDINGS_HEADERS))
    fs.freeze_panes = "B2"
    fs.auto_filter.ref = f"A1:{last}{max(fs.max_row, 2)}"
    print_setup(fs, f"A1:{get_column_letter(FINDINGS_PRINTED)}{fs.max_row}", pages_wide=1, title_rows="1:1")
