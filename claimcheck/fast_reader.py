"""The optional fast reader: python-calamine (Rust) instead of openpyxl's read-only mode.

``read_sheets_calamine(path, wanted, max_rows)`` returns what ``reader.read_sheets_openpyxl`` returns -
``{sheet name: [row tuple, ...]}`` with row 0 being Excel row 1 - value for value:

* rows start at Excel row 1 and column A, leading blank rows and columns included, and are as
  wide and as many as the sheet's ``<dimension>`` says (openpyxl's read-only rule); without a
  dimension each row ends at its last value;
* numbers stored without a fraction come back as ``int`` (``90834``, not ``90834.0``), others
  as ``float``; date cells as ``datetime.datetime`` (midnight for a date), time cells as
  ``datetime.time``, durations as ``datetime.timedelta``; booleans as ``bool``;
* Excel error cells (typed or a formula's cached result) as their text, ``"#N/A"``,
  ``"#DIV/0!"`` ... - calamine drops them, so they are read from the sheet XML (only when the
  sheet has any);
* formulas as their cached value (None when the file has none, as openpyxl's data_only mode);
* an empty cell is ``None`` (a cell holding the empty string also reads as ``None``: blank
  either way).

Sheets that are not contract sheets come back empty, as in the openpyxl path.  A file calamine
cannot read (or a form this reader does not mirror) raises :class:`CalamineCannotRead`, and
``reader.sheet_rows`` reads it with openpyxl instead, so both paths fail the same way.
Install with ``pip install 'claimcheck-billing[fast]'``.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable

import python_calamine  # noqa: F401  (ImportError here makes the reader fall back to openpyxl)

from . import columns as C
from .errors import UnusableInput
from .extent import error_cells, extent, is_sparse, listed_sheets

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_INT_LIMIT = 1e15  # Excel writes integers below this as plain digits (openpyxl reads them as int)


class CalamineCannotRead(Exception):
    """calamine cannot read the file, or its XML has a form this reader does not mirror: read
    it with openpyxl."""


class _Fallback(CalamineCannotRead):
    """The sheet XML has a form this reader does not handle."""


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _declares_entities(zf: zipfile.ZipFile) -> bool:
    """True when any XML part declares a DTD or entities (they come before the root element)."""
    for info in zf.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with zf.open(info) as fh:
                head = fh.read(2048)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                return True
    return False


def _dimension(zf: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(max_row, max_col) from the sheet's ``<dimension ref>``, as openpyxl reads it."""
    with zf.open(part) as fh:
        head = fh.read(4096)
    if b"dimension" not in head:
        with zf.open(part) as fh:
            head = fh.read(1 << 20)
        head = head.split(b"sheetData", 1)[0]
    m = _DIMENSION.search(head)
    if not m:
        return None
    col, row = (m[3], m[4]) if m[3] else (m[1], m[2])
    if not col or not row:
        return None
    return int(row), _col_number(col)


def _value(v: Any) -> Any:
    """A cell that is not text as openpyxl reads it: a number without a fraction as ``int``, a
    date cell as a ``datetime`` at midnight, anything else as it is."""
    t = type(v)
    if t is float:
        return int(v) if v.is_integer() and -_INT_LIMIT < v < _INT_LIMIT else v
    if t is dt.date:
        return dt.datetime(v.year, v.month, v.day)
    return v


def _converted(row: list) -> tuple:
    """One calamine row as openpyxl reads it.  Text, most of the cells, is handled here (the
    empty string is a blank: None), everything else by :func:`_value`."""
    return tuple([(v or None) if type(v) is str else _value(v) for v in row])


def _rows(grid: list[list[Any]], dimension: tuple[int, int] | None, errors: dict[tuple[int, int], str],
          max_rows: int, path: Path, title: str) -> list[tuple[Any, ...]]:
    """A sheet's rows as openpyxl reads them, from calamine's grid of its cells."""
    if len(grid) > max_rows + 1 and (dimension is None or dimension[0] > max_rows + 1):
        raise UnusableInput(
            f"{path}: the {title} sheet has more than {max_rows:,} rows, above the "
            "limit (CLAIMCHECK_MAX_ROWS raises it); split the workbook by year or payer"
        )
    for (r, c), text in errors.items():
        if r < len(grid) and c < len(grid[r]):
            grid[r][c] = text
    if dimension is None:
        out: list[tuple[Any, ...]] = []
        for row in grid:
            values = list(_converted(row))
            while values and values[-1] is None:
                values.pop()
            out.append(tuple(values))
        while out and not out[-1]:
            out.pop()
        return out
    max_row, width = dimension
    out = []
    for row in grid[:max_row]:
        values = _converted(row)
        n = len(values)
        if n < width:
            values = values + (None,) * (width - n)
        elif n > width:
            values = values[:width]
        out.append(values)
    if len(out) < max_row:
        empty = (None,) * width
        out.extend([empty] * (max_row - len(out)))
    return out


class CalamineSheets:
    """The contract sheets python-calamine has parsed (:func:`parse_calamine`); :meth:`rows`
    gives what :func:`read_sheets_calamine` gives."""

    def __init__(self, path: Path, workbook, plan: list[tuple[str, tuple[int, int] | None, dict]],
                 names: list[str], max_rows: int):
        self.path, self._workbook, self._plan, self._names, self._max_rows = path, workbook, plan, names, max_rows
        self._parsed: dict[str, Any] = {}
        self._closed = False
        try:
            for name, _, _ in plan:
                self._parsed[name] = workbook.get_sheet_by_name(name)
        except BaseException as exc:  # calamine could not read it (or panicked on it): openpyxl decides
            self.close()
            raise _cannot_read(exc) from None

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every worksheet's name with its rows as the openpyxl reader reads them (``[]`` for a
        sheet that is not a contract sheet)."""
        try:
            out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self._names}
            for name, dimension, found in self._plan:
                # (calamine's own copy of the cells is let go before they are converted)
                grid = self._parsed.pop(name).to_python(skip_empty_area=False)
                out[name] = _rows(grid, dimension, found, self._max_rows, self.path, name)
                del grid
            return out
        except (UnusableInput, CalamineCannotRead):
            raise
        except BaseException as exc:  # calamine could not read it (or panicked on it): openpyxl decides
            raise _cannot_read(exc) from None
        finally:
            self.close()

    def close(self) -> None:
        self._parsed.clear()
        if not self._closed:
            self._closed = True
            self._workbook.close()


def _cannot_read(exc: BaseException) -> BaseException:
    """What to raise for an exception out of calamine: :class:`CalamineCannotRead` (the file is
    read with openpyxl) for an error or a panic in its Rust code (PyO3's ``PanicException``, a
    ``BaseException``); an interrupt or an exit as it is."""
    if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
        return CalamineCannotRead(type(exc).__name__)
    return exc


def parse_calamine(path: str | Path, wanted: Iterable[str], max_rows: int,
                   sparse: set[str] | None = None,
                   errors: dict[str, dict[tuple[int, int], str] | None] | None = None) -> CalamineSheets:
    """Check what can be checked before calamine parses (a DTD, a sheet over ``max_rows``, a
    sparse sheet, an error cell without a reference), then parse the contract sheets in
    ``wanted`` (names of sheet kinds, matched as the reader matches them).  A contract sheet
    whose ``<dimension>`` is longer than ``max_rows`` (plus its header) is refused here with
    :class:`UnusableInput`, one without a dimension when its rows are read; raises
    :class:`CalamineCannotRead` for a file to read with openpyxl instead (as a sheet in
    ``sparse``, or found sparse here when it is None: calamine would build its whole grid).

    ``errors``, with ``sparse``, is what the caller already found in the sheets' XML
    (:func:`claimcheck.extent.error_cells` of each sheet read): a sheet named there is not
    decompressed a second time here."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    path = Path(path)
    keys = {C.key(k) for k in wanted}
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except BaseException as exc:  # calamine could not read it (or panicked on it): openpyxl decides
        raise _cannot_read(exc) from None
    try:
        with zipfile.ZipFile(path) as zf:
            if _declares_entities(zf):
                raise _Fallback("a DTD: the openpyxl path refuses it with its message")
            parts = {name: part for name, part in listed_sheets(zf) if part}
            plan: list[tuple[str, tuple[int, int] | None, dict | None]] = []
            names: list[str] = []  # every worksheet, in the workbook's order
            for meta in wb.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue
                name = meta.name
                names.append(name)
                if C.key(name) not in keys:
                    continue
                part = parts.get(name)
                if part is None:
                    raise _Fallback(f"no part for sheet {name}")
                dimension = _dimension(zf, part)
                if dimension is not None and dimension[0] > max_rows + 1:
                    raise UnusableInput(
                        f"{path}: the {name} sheet has more than {max_rows:,} rows, above the "
                        "limit (CLAIMCHECK_MAX_ROWS raises it); split the workbook by year or payer"
                    )
                if sparse is not None and errors is not None and name in errors:
                    found = errors[name]
                    too_sparse = name in sparse
                else:
                    data = zf.read(part)
                    too_sparse = name in sparse if sparse is not None else is_sparse(extent(data))
                    found = error_cells(data)
                    del data  # (not held while calamine builds the grid)
                if too_sparse:
                    # calamine would build the whole grid (and abort the process on a
                    # value at XFD1048576): the openpyxl path reads it bounded.
                    raise _Fallback(f"sheet {name} is sparse")
                if found is None:
                    raise _Fallback("an error cell without a reference")
                plan.append((name, dimension, found))
    except (UnusableInput, CalamineCannotRead):
        wb.close()
        raise
    except BaseException as exc:  # calamine could not read it (or panicked on it): openpyxl decides
        wb.close()
        raise _cannot_read(exc) from None
    return CalamineSheets(path, wb, plan, names, max_rows)  # (the parse releases the GIL)


def read_sheets_calamine(path: str | Path, wanted: Iterable[str], max_rows: int,
                         sparse: set[str] | None = None,
                         errors: dict[str, dict[tuple[int, int], str] | None] | None = None,
                         ) -> dict[str, list[tuple[Any, ...]]]:
    """Every worksheet's name, with the rows of the contract sheets in ``wanted`` and ``[]`` for
    the others: :func:`parse_calamine` and the parsed sheets' :meth:`CalamineSheets.rows`."""
    return parse_calamine(path, wanted, max_rows, sparse, errors).rows()
