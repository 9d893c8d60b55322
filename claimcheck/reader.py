"""Reading the biller's workbook file into raw tables (values exactly as stored).

The reader never modifies the file.  It finds sheets case-insensitively, finds the header row
(the Excel Table's header, else the first of the top ten rows that holds the sheet's required
headers), maps headers through their synonyms, and keeps every non-blank row with its Excel row
number.  Problems that make the file unusable raise :class:`UnusableInput` with one plain
sentence naming the problem and the fix.
"""

from __future__ import annotations

import os
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import columns as C
from .errors import UnusableInput  # (callers import it from here as well)
from .openpyxl_reader import read_sheets_openpyxl
from .values import is_blank
from .workbook_file import MAX_ROWS, DamagedSheet, check_file, damaged_message, table_ranges

@dataclass
class RawTable:
    """One sheet's table: headers mapped to contract columns, rows as stored."""

    sheet: str  # the sheet's actual name
    kind: str  # Claims, Authorizations, Payers, Providers
    header_row: int
    headers: list[str]
    positions: dict[str, int]  # field -> column position (0-based)
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    #: Formula cells Excel never calculated (no cached value), as (Excel row, column position);
    #: they read as empty but are not known to be.
    uncalculated: list[tuple[int, int]] = field(default_factory=list)
    #: How many such formulas were simple enough to work out here (DATE and arithmetic on constants).
    worked_out: int = 0
    #: Rows left out as not being lines: (Excel row, why), e.g. an Excel Table's totals row.
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def present(self) -> set[str]:
        return set(self.positions)


# --------------------------------------------------------------------------- header rows


def match_headers(row: tuple[Any, ...], lookup: dict[str, C.Column]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, cell in enumerate(row):
        if cell is None:
            continue
        col = lookup.get(C.key(cell))
        if col and col.field not in positions:
            positions[col.field] = i
    return positions


#: Per contract sheet: header key -> column (names and synonyms), and the fields a header row
#: must name.
HEADER_LOOKUPS = {kind: C.lookup(columns) for kind, (columns, _) in C.SHEETS.items()}
REQUIRED_FIELDS = {kind: frozenset(c.field for c in columns if c.name in required)
                   for kind, (columns, required) in C.SHEETS.items()}


def find_header(
    kind: str, rows: list[tuple[Any, ...]], table_first_rows: Iterable[int] = ()
) -> tuple[int, dict[str, int]] | tuple[None, list[str]]:
    """The header row index (0-based in ``rows``) and field positions, or (None, missing)."""
    columns, required = C.SHEETS[kind]
    lookup = HEADER_LOOKUPS[kind]
    need = REQUIRED_FIELDS[kind]
    for first in table_first_rows:
        if 0 <= first - 1 < len(rows):
            positions = match_headers(rows[first - 1], lookup)
            if need <= set(positions):
                return first - 1, positions
    best: tuple[int, set[str]] = (-1, set())
    for i, row in enumerate(rows[:10]):
        positions = match_headers(row, lookup)
        if need <= set(positions):
            return i, positions
        if len(need & set(positions)) > len(best[1]):
            best = (i, need & set(positions))
    missing = [c.name for c in columns if c.name in required and c.field not in best[1]]
    return None, missing


# --------------------------------------------------------------------------- reading

#: The words a sheet name may be made of to be shown in a message (with digits and
#: punctuation).  Any other name is only counted: a sheet may be named after a client.
_SHEET_WORDS = frozenset("""
    sheet claims claim lines line services service visits sessions session charges authorizations
    authorization auths auth payers payer providers provider clinicians findings appeals appeal log
    practice instructions instruction help lists list codes code data summary notes readme read me
    billing bills era payments payment posting remits remittance denials denial ar aging report reports
    dashboard totals total master archive backup copy old new template lookup lookups settings setup
    config pivot chart export import working draft final check checked table tables
    jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august
    september october november december q of and for the
""".split())


def sheet_list(names: Iterable[str], shown: int = 5) -> str:
    """The workbook's sheets for a message: the first few whose names are made of ordinary sheet
    words (each cut to 31 characters, Excel's longest), the others counted, never shown."""
    names = list(names)
    if not names:
        return "no sheets"
    listed = [n[:31] for n in names if re.findall(r"[A-Za-z]+", n)
              and all(w.lower() in _SHEET_WORDS for w in re.findall(r"[A-Za-z]+", n))][:shown]
    rest = len(names) - len(listed)
    if not listed:
        return f"{rest} sheet{'s' if rest > 1 else ''}"
    return ", ".join(listed) + (f" and {rest} other sheet{'s' if rest > 1 else ''}" if rest else "")



def sheet_lookup(names: Iterable[str]) -> dict[str, str]:
    """Contract sheet kind -> actual sheet name, matched ignoring case, spaces and punctuation.
    When several sheets match (``Claims`` and ``Claims.``), the one named exactly (in any case,
    as Excel's sheet names ignore case) wins; still several is refused with
    :class:`UnusableInput` naming them, so nothing is checked or written on the wrong sheet."""
    names = list(names)
    out = {}
    for kind in C.SHEETS:
        found = [n for n in names if C.key(n) == C.key(kind)]
        if len(found) > 1:
            found = [n for n in found if n.lower() == kind.lower()] or found  # (Excel's names ignore case)
        if len(found) > 1:
            both = " and ".join(repr(n) for n in found[:3]) + (" ..." if len(found) > 3 else "")
            raise UnusableInput(f"the sheets {both} are both taken for the {kind} sheet; rename all but one "
                                f"(the {kind} sheet must be named {kind!r})")
        if found:
            out[kind] = found[0]
    return out


def rows_to_table(kind: str, sheet: str, rows: list[tuple[Any, ...]], tables: Iterable[int] = (),
                  first_row_number: int = 1) -> RawTable:
    """Build a RawTable from a sheet's rows (row 0 is Excel row ``first_row_number``)."""
    if not rows or all(all(is_blank(v) for v in r) for r in rows[:50]) and len(rows) <= 50:
        raise UnusableInput(f"the {sheet} sheet is empty; it needs a header row with "
                            f"{', '.join(C.SHEETS[kind][1])}")
    index, positions = find_header(kind, rows, tables)
    if index is None:
        missing = positions
        raise UnusableInput(
            f"the {sheet} sheet has no header row with {', '.join(missing)} in its top ten rows; "
            f"add the missing header{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
        )
    header = rows[index]
    table = RawTable(sheet=sheet, kind=kind, header_row=index + first_row_number,
                     headers=["" if h is None else str(h) for h in header], positions=positions)
    wanted = sorted(positions.values())
    for offset, row in enumerate(rows[index + 1:], start=index + 1 + first_row_number):
        if not row:
            continue
        if all(is_blank(row[p]) if p < len(row) else True for p in wanted):
            continue
        table.rows.append((offset, row))
    return table


_TOTAL_LABEL = re.compile(r"(grand\s+)?totals?\s*:?", re.I)


def skip_totals(table: RawTable, table_totals: Iterable[int] = ()) -> None:
    """Leave out the rows that total the lines rather than being one: the totals row of an Excel
    Table on the sheet, and a last row labelled Total, Totals or Grand Total (its first value)
    outside a table.  Each is noted in ``table.skipped``."""
    table_totals = set(table_totals)
    if table_totals:
        kept = [(n, row) for n, row in table.rows if n not in table_totals]
        for n, _ in table.rows:
            if n in table_totals:
                table.skipped.append((n, "the Excel Table's totals row"))
        table.rows = kept
    if table.rows:
        n, row = table.rows[-1]
        first = next((v for v in row if not is_blank(v)), None)
        if isinstance(first, str) and _TOTAL_LABEL.fullmatch(first.strip()):
            table.rows.pop()
            table.skipped.append((n, f"a totals row (labelled {first.strip()!r})"))


def _looks_like_data(value: Any) -> bool:
    """A Claim ID, DOS or CPT value shaped like one: a number, a date, or text with a digit."""
    if is_blank(value):
        return False
    if isinstance(value, str):
        return any(ch.isdigit() for ch in value)
    return True


def skip_units_row(table: RawTable) -> None:
    """Leave out a second header row right under the headers (units such as "minutes" and "$",
    or notes on what to type): a row of text only whose Claim ID, DOS and CPT hold nothing shaped
    like a value of theirs (no digit in any).  Noted in ``table.skipped``."""
    if table.kind != "Claims" or not table.rows:
        return
    n, row = table.rows[0]
    if n != table.header_row + 1:
        return
    if any(not is_blank(v) and not isinstance(v, str) for v in row):
        return
    if any(_looks_like_data(row[table.positions[f]]) for f in ("claim_id", "dos", "cpt")
           if f in table.positions and table.positions[f] < len(row)):
        return
    table.rows.pop(0)
    table.skipped.append((n, "a second header row (units or notes under the headers)"))


def skip_non_lines(table: RawTable, table_totals: Iterable[int] = ()) -> None:
    """Leave out the rows of a sheet that are not lines: a units row under the headers
    (:func:`skip_units_row`) and a totals row (:func:`skip_totals`); the command line and the
    buttons both call this."""
    skip_units_row(table)
    skip_totals(table, table_totals)


class _InBackground:
    """``func()`` run in a thread where the platform has threads (Pyodide has none: run here);
    :meth:`result` waits for it and returns its value or raises its exception."""

    def __init__(self, func: Callable[[], Any]):
        self._func, self._value, self._error = func, None, None
        self._thread: threading.Thread | None = threading.Thread(target=self._run, name="claimcheck-reader")
        try:
            self._thread.start()
        except RuntimeError:  # can't start new thread
            self._thread = None
            self._run()

    def _run(self) -> None:
        try:
            self._value = self._func()
        except BaseException as exc:  # raised again in result(), in the caller's thread
            self._error = exc

    def result(self) -> Any:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


class Reading:
    """A workbook being read, made by :func:`start_reading`; :meth:`tables` gives what
    :func:`read_workbook` gives, once.  The file's checks run at once (a file that is not a
    usable workbook is refused there); the look at the sheets' XML (its decompression releases
    the GIL) and python-calamine's parse (which releases it throughout) run in a background
    thread, so a caller with the engine to load does that in between (``claimcheck check``
    loads pandas and the rules while the sheets are parsed).  The cells become Python values
    in the caller's thread."""

    def __init__(self, path: Path, engine: str):
        self.path, self.engine = path, engine
        check_file(path)
        self._totals: dict[str, set[int]] = {}
        self._tables = table_ranges(path, self._totals)
        self._looked = _InBackground(self._look_and_parse)
        self._given = False

    def _look_and_parse(self) -> tuple[dict[str, int], dict, list[str], Any]:
        """What :func:`_inspect` finds, and the sheets calamine parsed (None: read them with openpyxl)."""
        widths, formulas, errors, missing = _inspect(self.path, self._tables)
        return widths, formulas, missing, parse_sheets(self.path, self.engine, widths, errors)

    def tables(self) -> dict[str, RawTable]:
        """The contract sheets' raw tables (raises :class:`UnusableInput` when the Claims sheet
        cannot be used)."""
        if self._given:
            raise RuntimeError("a Reading gives its tables once; start another to read the file again")
        self._given = True
        widths, formulas, missing, parsed = self._looked.result()
        return _raw_tables(self.path, sheet_rows(self.path, parsed, widths), missing, self._tables, self._totals,
                           formulas)


def start_reading(path: str | os.PathLike, engine: str = "auto") -> Reading:
    """Start reading the workbook at ``path`` (see :class:`Reading`); ``engine`` as in
    :func:`read_workbook`.  Raises :class:`UnusableInput` for a file that is not a usable
    workbook."""
    return Reading(Path(path), engine)


def read_workbook(path: str | os.PathLike | Reading, engine: str = "auto") -> dict[str, RawTable]:
    """Read the contract sheets of an .xlsx/.xlsm file into raw tables.

    ``engine`` is ``openpyxl``, ``calamine`` (optional fast reader) or ``auto`` (calamine when
    installed).  ``path`` may be a :class:`Reading` already started.  Raises
    :class:`UnusableInput` when the file or its Claims sheet cannot be used.
    """
    reading = path if isinstance(path, Reading) else start_reading(path, engine)
    return reading.tables()


def _raw_tables(path: Path, sheets: dict, missing: list[str], tables: dict, totals: dict[str, set[int]],
                formulas: dict) -> dict[str, RawTable]:
    """Each contract sheet's raw table, from the rows read (``sheets``) and what :func:`_inspect`
    found."""
    for name in missing:  # the readers leave such a sheet out: it is a finding, never silence
        sheets[name] = DamagedSheet("its part is missing from the file")
    try:
        kinds = sheet_lookup(sheets)
    except UnusableInput as exc:
        raise UnusableInput(f"{path}: {exc}") from None
    if "Claims" not in kinds:
        raise UnusableInput(
            f"{path}: no Claims sheet (found: {sheet_list(sheets)}); "
            "name the sheet with the service lines 'Claims'"
        )
    out: dict[str, RawTable] = {}
    for kind, name in kinds.items():
        rows = sheets[name]
        if isinstance(rows, DamagedSheet):
            if kind == "Claims":
                raise UnusableInput(f"{path}: {damaged_message(name, rows.reason)}")
            out[kind] = RawTable(sheet=name, kind=kind, header_row=0, headers=[], positions={})
            out[kind].problem = damaged_message(name, rows.reason)  # type: ignore[attr-defined]
            continue
        firsts = [t[0] for t in tables.get(name, [])]
        uncalculated, worked_out = _work_out(rows, formulas.get(name, {}))
        try:
            out[kind] = rows_to_table(kind, name, rows, firsts)
            skip_non_lines(out[kind], totals.get(name, set()))
            skipped = {n for n, _ in out[kind].skipped}
            out[kind].uncalculated = [(r, c) for r, c in uncalculated if c in out[kind].positions.values()
                                      and r > out[kind].header_row and r not in skipped]
            out[kind].worked_out = worked_out
        except UnusableInput as exc:
            if kind == "Claims":
                raise UnusableInput(f"{path}: {exc}") from None
            # An optional sheet that cannot be used is reported by the engine, not fatal.
            out[kind] = RawTable(sheet=name, kind=kind, header_row=0, headers=[], positions={})
            out[kind].problem = str(exc)  # type: ignore[attr-defined]
    return out


def _inspect(path: Path, tables: dict) -> tuple[dict[str, int], dict[str, dict[tuple[int, int], str]],
                                               dict[str, Any] | None, list[str]]:
    """One look at each contract sheet's XML (the only time the reader decompresses it besides
    the cell reader's own): the columns to read of a sparse sheet (see
    :mod:`claimcheck.openpyxl_reader`), its formula cells that were never calculated, its error
    cells (for the fast reader, see :func:`claimcheck.extent.error_cells`; None when the XML could
    not be looked at); and the contract sheets listed in the workbook whose part is missing."""
    from .extent import error_cells, extent, header_width, is_sparse, listed_sheets, uncalculated_formulas

    wanted = {C.key(k) for k in C.SHEETS}
    widths: dict[str, int] = {}
    formulas: dict[str, dict[tuple[int, int], str]] = {}
    errors: dict[str, Any] = {}
    missing: list[str] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for name, part in listed_sheets(zf):
                if C.key(name) not in wanted:
                    continue
                if part is None:
                    missing.append(name)
                    continue
                data = zf.read(part)
                if is_sparse(extent(data)):
                    widths[name] = header_width(data, max((t[3] for t in tables.get(name, [])), default=0))
                found = uncalculated_formulas(data)
                if found:
                    formulas[name] = found
                errors[name] = error_cells(data)
    except Exception:  # a part that cannot be read: the readers say so
        return {}, {}, None, []
    return widths, formulas, errors, missing


def _work_out(rows: list[tuple[Any, ...]], formulas: dict[tuple[int, int], str]) -> tuple[list[tuple[int, int]], int]:
    """Put the value of each never-calculated formula that is safe to work out into ``rows``
    (DATE with constants, arithmetic on constants); the others, as (Excel row, column
    position), and how many were worked out."""
    from .extent import safe_value

    left, done = [], 0
    for (r, c), text in sorted(formulas.items()):
        value = safe_value(text)
        if value is None:
            left.append((r, c - 1))
            continue
        if r > len(rows):
            rows.extend([()] * (r - len(rows)))
        row = list(rows[r - 1])
        if c > len(row):
            row += [None] * (c - len(row))
        if row[c - 1] is None:
            row[c - 1] = value
            rows[r - 1] = tuple(row)
            done += 1
    return left, done


def parse_sheets(path: Path, engine: str = "auto", widths: dict[str, int] | None = None,
                 errors: dict[str, Any] | None = None):
    """The contract sheets parsed by python-calamine (the optional fast reader) for ``engine``
    ``calamine`` or ``auto`` when it is installed; None when they are to be read with openpyxl
    (``engine`` ``openpyxl``, or a file calamine cannot read).  ``widths`` and ``errors`` are
    what :func:`_inspect` found in the sheets' XML."""
    if engine in ("auto", "calamine"):
        try:
            from .fast_reader import CalamineCannotRead, parse_calamine
        except ImportError:
            if engine == "calamine":
                raise UnusableInput("python-calamine is not installed; pip install 'claimcheck-billing[fast]'") from None
        else:
            try:
                return parse_calamine(path, wanted=C.SHEETS, max_rows=MAX_ROWS,
                                      sparse=None if widths is None else set(widths), errors=errors)
            except CalamineCannotRead:
                pass
    return None


def sheet_rows(path: Path, parsed, widths: dict[str, int] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every worksheet's name with the rows of its contract sheets (``[]`` for the others), row 0
    being Excel row 1: from the sheets calamine ``parsed``, else read by openpyxl (also when
    calamine's cells cannot be read, so both engines fail the same way)."""
    if parsed is not None:
        from .fast_reader import CalamineCannotRead

        try:
            return parsed.rows()
        except CalamineCannotRead:
            pass
    return read_sheets_openpyxl(path, widths)

