"""Reading the biller's workbook file into raw tables (values exactly as stored).

The reader never modifies the file.  It finds sheets case-insensitively, finds the header row
(the Excel Table's header, else the first of the top ten rows that holds the sheet's required
headers), maps headers through their synonyms, and keeps every non-blank row with its Excel row
number.  Problems that make the file unusable raise :class:`UnusableInput` with one plain
sentence naming the problem and the fix.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import columns as C
from .errors import UnusableInput  # (callers import it from here as well)
from .values import is_blank

#: Refuse workbooks whose parts would inflate beyond this (zip-bomb guard); see docs/security.md.
MAX_UNCOMPRESSED_BYTES = int(os.environ.get("CLAIMCHECK_MAX_UNCOMPRESSED", 2 * 1024**3))
MAX_RATIO = 200  # declared inflation ratio above which a large part is refused
MAX_ROWS = int(os.environ.get("CLAIMCHECK_MAX_ROWS", 2_000_000))


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


class DamagedSheet(list):
    """The rows of a sheet the workbook lists but whose part is missing or cannot be read
    (empty), with the reason."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


def damaged_message(sheet: str, reason: str) -> str:
    return (f"the {sheet} sheet is damaged ({reason}); open and re-save the workbook in Excel, "
            "or restore the sheet from a backup")


# --------------------------------------------------------------------------- file checks


def _check_file(path: Path) -> None:
    if not path.exists():
        raise UnusableInput(f"{path}: file not found; check the path and file name")
    if path.is_dir():
        raise UnusableInput(f"{path}: is a folder, not a workbook; give the .xlsx file")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if _is_encrypted_ooxml(path):
            raise UnusableInput(
                f"{path}: the workbook is password-protected; open it in Excel, remove the "
                "password (File > Info > Protect Workbook) and save a copy"
            )
        raise UnusableInput(
            f"{path}: this is an old-format .xls workbook; open it in Excel and save it as "
            ".xlsx (File > Save As > Excel Workbook)"
        )
    if not head.startswith(b"PK"):
        if not head:
            raise UnusableInput(f"{path}: the file is empty; it is not an Excel workbook")
        raise UnusableInput(
            f"{path}: not an Excel workbook (.xlsx or .xlsm); if it is a CSV or text file, "
            "open it in Excel and save it as .xlsx"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.file_size > 50 * 1024**2 and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                    raise UnusableInput(
                        f"{path}: refused: part {info.filename} would inflate {info.file_size // info.compress_size}x "
                        "(a zip bomb or a damaged file)"
                    )
            if total > MAX_UNCOMPRESSED_BYTES:
                raise UnusableInput(
                    f"{path}: refused: the workbook would inflate to {total // 1024**2} MB, above the "
                    f"{MAX_UNCOMPRESSED_BYTES // 1024**2} MB limit (CLAIMCHECK_MAX_UNCOMPRESSED raises it)"
                )
    except zipfile.BadZipFile:
        raise UnusableInput(f"{path}: the file is damaged or not an Excel workbook") from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise UnusableInput(f"{path}: a zip file but not an Excel workbook (no xl/workbook.xml)")
    if "xl/workbook.bin" in names:
        raise UnusableInput(f"{path}: a binary .xlsb workbook; save it as .xlsx in Excel")
    if _is_strict(path):
        raise UnusableInput(
            f"{path}: a Strict Open XML workbook, which claimcheck cannot read; open it in Excel and save it "
            "as an ordinary workbook (File > Save As > 'Excel Workbook (*.xlsx)', not 'Strict Open XML Spreadsheet')"
        )


#: The namespace of Strict Open XML (ISO/IEC 29500 Strict) workbooks, where the usual
#: (Transitional) ones use schemas.openxmlformats.org; neither reader understands it.
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/"


def _is_strict(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            for part in ("_rels/.rels", "xl/workbook.xml"):
                if part in zf.namelist():
                    with zf.open(part) as fh:
                        if _STRICT_NAMESPACE in fh.read(4096):
                            return True
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError):
        return False
    return False


def _is_encrypted_ooxml(path: Path) -> bool:
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:
        with open(path, "rb") as fh:
            blob = fh.read(1 << 16)
        return "EncryptionInfo".encode("utf-16-le") in blob


# --------------------------------------------------------------------------- tables


def table_ranges(path: Path, totals: dict[str, set[int]] | None = None) -> dict[str, list[tuple[int, int, int, int]]]:
    """Excel Table ranges per sheet name: (first_row, first_col, last_row, last_col), 1-based.
    ``totals``, when given, gets the Excel rows of each sheet's tables' totals rows.

    Read from the package parts directly, because openpyxl's fast read-only mode does not
    load tables.  Parsed with defusedxml (no entity expansion).
    """
    from defusedxml import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    ns_pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())

            def rels_of(part: str) -> dict[str, str]:
                folder, base = posixpath.split(part)
                rel_part = posixpath.join(folder, "_rels", base + ".rels")
                if rel_part not in names:
                    return {}
                root = ET.fromstring(zf.read(rel_part))
                result = {}
                for rel in root.iter(ns_pkg + "Relationship"):
                    target = rel.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                    result[rel.get("Id", "")] = target
                return result

            wb_rels = rels_of("xl/workbook.xml")
            root = ET.fromstring(zf.read("xl/workbook.xml"))
            for sheet in root.iter(ns_main + "sheet"):
                part = wb_rels.get(sheet.get(ns_rel + "id", ""), "")
                if part not in names:
                    continue
                for target in rels_of(part).values():
                    if "/tables/" in target and target in names:
                        troot = ET.fromstring(zf.read(target))
                        ref = troot.get("ref")
                        if ref:
                            min_col, min_row, max_col, max_row = range_boundaries(ref)
                            out.setdefault(sheet.get("name", ""), []).append((min_row, min_col, max_row, max_col))
                            count = troot.get("totalsRowCount") or "0"
                            if totals is not None and count.isdigit() and int(count) > 0:
                                totals.setdefault(sheet.get("name", ""), set()).update(
                                    range(max_row - int(count) + 1, max_row + 1))
    except Exception:
        return {}
    return out


def range_boundaries(ref: str) -> tuple[int, int, int, int]:
    """``"A1:V200"`` -> (min_col, min_row, max_col, max_row), 1-based, as openpyxl's function of
    that name (kept here so that reading with calamine does not import openpyxl: ~0.25 s)."""
    import re

    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?", ref.strip())
    if not m:
        raise ValueError(f"{ref!r} is not a cell range")

    def col(letters: str) -> int:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        return n

    c1, r1 = col(m[1]), int(m[2])
    c2, r2 = (col(m[3]), int(m[4])) if m[3] else (c1, r1)
    return c1, r1, c2, r2


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


def find_header(
    kind: str, rows: list[tuple[Any, ...]], table_first_rows: Iterable[int] = ()
) -> tuple[int, dict[str, int]] | tuple[None, list[str]]:
    """The header row index (0-based in ``rows``) and field positions, or (None, missing)."""
    columns, required = C.SHEETS[kind]
    lookup = C.lookup(columns)
    need = {c.field for c in columns if c.name in required}
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


def read_workbook(path: str | os.PathLike, engine: str = "auto") -> dict[str, RawTable]:
    """Read the contract sheets of an .xlsx/.xlsm file into raw tables.

    ``engine`` is ``openpyxl``, ``calamine`` (optional fast reader) or ``auto`` (calamine when
    installed).  Raises :class:`UnusableInput` when the file or its Claims sheet cannot be used.
    """
    path = Path(path)
    _check_file(path)
    totals: dict[str, set[int]] = {}
    tables = table_ranges(path, totals)
    widths, formulas, missing = _inspect(path, tables)
    sheets = read_sheets(path, engine, widths)
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


def _inspect(path: Path, tables: dict) -> tuple[dict[str, int], dict[str, dict[tuple[int, int], str]], list[str]]:
    """One look at each contract sheet's XML: the columns to read of a sparse sheet (see
    :func:`_bounded_widths`), its formula cells that were never calculated; and the contract
    sheets listed in the workbook whose part is missing."""
    from .extent import extent, header_width, is_sparse, listed_sheets, uncalculated_formulas

    wanted = {C.key(k) for k in C.SHEETS}
    widths: dict[str, int] = {}
    formulas: dict[str, dict[tuple[int, int], str]] = {}
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
    except Exception:  # a part that cannot be read: the readers say so
        return {}, {}, []
    return widths, formulas, missing


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


def read_sheets(path: Path, engine: str = "auto", widths: dict[str, int] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every worksheet's name with the rows of its contract sheets (``[]`` for the others), row 0
    being Excel row 1, read by ``engine``: ``calamine`` (the optional fast reader), ``openpyxl``
    or ``auto`` (calamine when installed).  A file calamine cannot read is read by openpyxl,
    so both engines fail the same way."""
    if engine in ("auto", "calamine"):
        try:
            from .fast_reader import CalamineCannotRead, read_sheets_calamine
        except ImportError:
            if engine == "calamine":
                raise UnusableInput("python-calamine is not installed; pip install 'claimcheck-billing[fast]'") from None
        else:
            try:
                return read_sheets_calamine(path, wanted=C.SHEETS, max_rows=MAX_ROWS,
                                            sparse=None if widths is None else set(widths))
            except CalamineCannotRead:
                pass
    return read_sheets_openpyxl(path, widths)


def _damage(exc: BaseException) -> bool:
    """True when ``exc``, raised reading one sheet, says its part is damaged (cut short, not
    well-formed, failing its checksum), not hostile (entities) nor too large."""
    if isinstance(exc, (UnusableInput, MemoryError)) or type(exc).__name__ in (
            "EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return False
    import zlib

    return (isinstance(exc, (zipfile.BadZipFile, zlib.error, KeyError, EOFError))
            or type(exc).__name__ in ("ParseError", "XMLSyntaxError") or "CRC" in str(exc))


def _scan_parts(zf: zipfile.ZipFile, keys: set[str]) -> list[tuple[str, str | None, str | None]]:
    """(sheet name, its part or None when missing, why it is damaged or None) for each sheet the
    workbook lists whose name reads as one of ``keys``; a part is damaged when it is missing or
    is not well-formed XML."""
    from defusedxml import ElementTree as ET

    from .extent import listed_sheets

    out = []
    for name, part in listed_sheets(zf):
        if C.key(name) not in keys:
            continue
        if part is None:
            out.append((name, None, "its part is missing from the file"))
            continue
        why = None
        try:
            with zf.open(part) as fh:
                for _ in ET.iterparse(fh):
                    pass
        except Exception as exc:
            if _damage(exc):
                why = "its part cannot be read"
        out.append((name, part, why))
    return out


def damaged_sheets(path: str | os.PathLike) -> dict[str, str]:
    """The reference sheets (Payers, Providers, Authorizations) the workbook lists whose part is
    missing or is not well-formed XML, with the reason (for commands that read the book
    elsewhere and must not report success over a damaged sheet)."""
    reference = {C.key(k) for k in C.SHEETS if k != "Claims"}
    try:
        with zipfile.ZipFile(path) as zf:
            return {name: why for name, _, why in _scan_parts(zf, reference) if why}
    except (OSError, zipfile.BadZipFile, KeyError):
        return {}


def refusal(path: Path, exc: BaseException) -> UnusableInput:
    """The one-line message for a workbook whose parts could not be parsed."""
    name = type(exc).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return UnusableInput(f"{path}: refused: the workbook's XML declares entities or a DTD "
                             "(an XML bomb or external-entity attack); re-save it from Excel")
    if isinstance(exc, zipfile.BadZipFile) or "CRC" in str(exc) or "Bad magic" in str(exc):
        return UnusableInput(f"{path}: the file is damaged (a zip part does not match its header); "
                             "open and re-save it in Excel")
    if isinstance(exc, MemoryError):
        return UnusableInput(f"{path}: the workbook is too large to read in memory; split it by year or payer")
    bad = sorted(_unparseable_sheets(path)) if _damage(exc) else []
    if bad:
        return UnusableInput(f"{path}: {damaged_message(bad[0], 'its part cannot be read')}")
    return UnusableInput(f"{path}: the workbook could not be read ({name}); open and re-save it in Excel")


def read_sheets_openpyxl(path: Path, widths: dict[str, int] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """The openpyxl reader; ``widths``: the columns to read of each sparse sheet (found
    here when not given)."""
    import warnings

    from openpyxl import load_workbook

    wb = None
    failure: BaseException
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
            wanted = {C.key(k) for k in C.SHEETS}
            out: dict[str, list[tuple[Any, ...]]] = {}
            if widths is None:
                widths = _bounded_widths(path, wanted)
            for ws in wb.worksheets:
                if C.key(ws.title) not in wanted:
                    out[ws.title] = []
                    continue
                width = widths.get(ws.title)
                rows = []
                cells = ws.iter_rows(values_only=True) if width is None else ws.iter_rows(max_col=max(width, 1), values_only=True)
                try:
                    for n, row in enumerate(cells):
                        if n >= MAX_ROWS:
                            raise UnusableInput(
                                f"{path}: the {ws.title} sheet has more than {MAX_ROWS:,} rows, above the "
                                "limit (CLAIMCHECK_MAX_ROWS raises it); split the workbook by year or payer"
                            )
                        if width is not None and row.count(None) == len(row):
                            row = ()  # a blank row of a sparse sheet: one shared empty tuple
                        rows.append(row)
                except Exception as exc:
                    if not _damage(exc):
                        raise
                    rows = DamagedSheet("its part cannot be read")
                out[ws.title] = rows
            return out
    except UnusableInput:
        raise
    except Exception as exc:  # damaged parts, hostile XML, unsupported content
        failure = exc
    finally:
        if wb is not None:
            wb.close()
    # openpyxl could not even open the workbook: when contract sheets' parts are not
    # well-formed, read the others and report those sheets as damaged.
    bad = _unparseable_sheets(path) if _damage(failure) else {}
    if bad:
        try:
            out = read_sheets_openpyxl(_with_empty_parts(path, bad), widths)
        except UnusableInput:
            raise refusal(path, failure) from None
        for name in bad:
            out[name] = DamagedSheet("its part cannot be read")
        return out
    raise refusal(path, failure) from None


_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData/></worksheet>')


def _unparseable_sheets(path) -> dict[str, str]:
    """Contract sheet name -> its part, for each part that is not well-formed XML."""
    try:
        with zipfile.ZipFile(path) as zf:
            return {name: part for name, part, why in _scan_parts(zf, {C.key(k) for k in C.SHEETS})
                    if part is not None and why}
    except Exception:
        return {}


def _with_empty_parts(path, bad: dict[str, str]):
    """An in-memory copy of the workbook with the ``bad`` sheets' parts emptied."""
    import io

    parts = set(bad.values())
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, _EMPTY_SHEET if info.filename in parts else zin.read(info))
    buffer.seek(0)
    return buffer


def _bounded_widths(path: Path, wanted: set[str]) -> dict[str, int]:
    """For each contract sheet that is sparse (a stray value far out, or a dimension claiming
    far more than the sheet holds: see :mod:`claimcheck.extent`), the columns to read: up to the
    last column of its top ten rows or of its Excel Tables, where a header can be.  Reading the
    full grid of such a sheet would take gigabytes."""
    from .extent import extent, header_width, is_sparse, listed_sheets

    out: dict[str, int] = {}
    tables = None
    with zipfile.ZipFile(path) as zf:
        for name, part in listed_sheets(zf):
            if part is None or C.key(name) not in wanted:
                continue
            data = zf.read(part)
            if is_sparse(extent(data)):
                if tables is None:
                    tables = table_ranges(path)
                last_table_col = max((t[3] for t in tables.get(name, [])), default=0)
                out[name] = header_width(data, last_table_col)
    return out


#: What openpyxl cannot carry into a copy, by package part (see writer.lost_content).
_UNCARRIED = (
    ("xl/ctrlProps/", "form controls (buttons, check boxes)"),
    ("xl/activeX/", "ActiveX controls"),
    ("xl/slicers/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("customUI/customUI14.xml", "the Office 2010 ribbon part (customUI14)"),
)


def uncarried_content(path: str | os.PathLike) -> list[str]:
    """Things in the workbook that a copy written with openpyxl would lose: shapes and text
    boxes in drawings, form controls, ActiveX, slicers, the customUI14 ribbon part."""
    found: list[str] = []
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            shapes = 0
            for name in names:
                if name.startswith("xl/drawings/") and name.endswith(".xml") and "/_rels/" not in name:
                    info = zf.getinfo(name)
                    if info.file_size > 20 * 1024**2:
                        continue
                    data = zf.read(name)
                    shapes += data.count(b"<xdr:sp>") + data.count(b"<xdr:sp ")
                if name.startswith("xl/drawings/vmlDrawing") and b"ClientData ObjectType=\"Button\"" in zf.read(name):
                    found.append("form buttons drawn in legacy VML")
            if shapes:
                found.append(f"{shapes} shape{'s' if shapes > 1 else ''} or text box{'es' if shapes > 1 else ''}")
            for prefix, what in _UNCARRIED:
                if any(n.startswith(prefix) for n in names):
                    found.append(what)
    except (zipfile.BadZipFile, OSError, KeyError):
        return []
    return sorted(set(found))
