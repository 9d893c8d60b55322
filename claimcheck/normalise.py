"""Raw tables normalised into typed columns: each column read once per distinct cell with its
cell reader, and a finding for every value that could not be read.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from itertools import chain
from operator import itemgetter
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import columns as C
from . import values as V
from .cell_readers import CELL_READERS
from .models import Finding
from .reader import RawTable

_EMPTY = {"modifiers": (), "dx": (), "codes": ()}


def _severity(code: str) -> str:
    from .rules.registry import REGISTRY, get

    rule = REGISTRY.get(code)
    return (rule if rule is not None else get(code)).severity


def column_problem(sheet: str, row: int, claim_id: str, column: C.Column, problem: str) -> Finding:
    if "Excel error" in problem:
        code = "REQ003"
    elif column.field == "charge":
        code = "CHG002"
    elif column.field == "units":
        code = "CHG004"
    else:
        code = "REQ002"
    if column.kind.startswith("private"):
        # Never echo a private value: say only that it could not be read.
        problem = "cell shows an Excel error" if code == "REQ003" else "could not be read"
    severity = _severity(code)
    return Finding(sheet=sheet, row=row, claim_id=claim_id, column=column.name, code=code,
                   severity=severity, message=f"{column.name} {problem}")


try:  # the C loop pandas itself uses to turn a list of tuples into a 2-d object array
    from pandas._libs.lib import to_object_array_tuples as _tuples_to_array
except ImportError:  # pragma: no cover - a pandas without it
    _tuples_to_array = None


def _cells(table: RawTable, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The row numbers (int64), and the raw cells as a (rows x columns) object array of at least
    ``width`` columns; a row shorter than that reads as None past its end."""
    if _tuples_to_array is not None and table.rows:
        pairs = _tuples_to_array(table.rows)  # (number, cells) per row
        cells = _tuples_to_array(pairs[:, 1].tolist())  # as wide as the longest row, None past a row's end
        if pairs.shape[1] == 2 and cells.shape[1] >= width:
            return pairs[:, 0].astype(np.int64), cells
    numbers = np.fromiter(map(itemgetter(0), table.rows), dtype=np.int64, count=len(table.rows))
    rows = [vals for _, vals in table.rows]
    lengths = set(map(len, rows))
    if len(lengths) == 1 and next(iter(lengths)) >= width:
        width = next(iter(lengths))  # the usual table: every row as long as the header
    else:
        rows = [vals if len(vals) == width else tuple(vals[:width]) + (None,) * (width - len(vals)) for vals in rows]
    cells = np.fromiter(chain.from_iterable(rows), dtype=object, count=len(rows) * width)
    return numbers, cells.reshape(len(rows), width)


#: Types whose values never equal a value of another type (1 == 1.0 == True, and a pandas
#: Timestamp equals a datetime, so a column mixing other types is read with a (type, value) key).
_DISTINCT_TYPES = (str, type(None))
#: No value of one of these types equals a value of another of them; of the numbers (equal
#: across types: 1 == 1.0 == True) a table may hold one type.
_NEVER_EQUAL = frozenset({str, type(None), dt.datetime, dt.date, dt.time})
_NUMBERS = frozenset({int, float, bool})
_NONE = type(None)


def _unmixed(types: set) -> bool:
    """True when no cell of one of ``types`` can equal a cell of another type (and every type is
    one a spreadsheet reader hands over, no subclass).  Reading once per distinct cell then never
    lets one cell stand for a cell of another type, so a column's types are the types of its
    distinct cells."""
    numbers = types & _NUMBERS
    return len(numbers) <= 1 and types - numbers <= _NEVER_EQUAL


def _plain_column(cells: np.ndarray, removed: str = "") -> bool:
    """True when every cell is None or ``str`` that :func:`values.read_text` reads as itself
    (``values._plain``) and that holds none of the characters in ``removed``; checked on the
    column's text joined by line breaks, with str methods instead of a call per cell.  The
    cells must be of the types :func:`_unmixed` allows."""
    texts = cells
    try:
        joined = "\n".join(texts)
    except TypeError:  # an empty cell (None), a number or a date
        texts = cells[cells != None]  # noqa: E711 - elementwise
        try:
            joined = "\n".join(texts)
        except TypeError:  # a number or a date
            return False
    if not len(texts):
        return True
    return (joined.count("\n") == len(texts) - 1  # no line break inside a cell
            and joined[:1] not in " #\n" and joined[-1:] not in " \n"  # first and last cell
            and not any(bad in joined for bad in ("\n\n", "\n ", " \n", "\n#", "  "))
            and joined.replace("\n", "").isprintable()
            and not any(char in joined for char in removed))


def _mostly_distinct(cells: np.ndarray, sample: int = 1000) -> bool:
    """True when ``sample`` cells spread over the column are nearly all different (about as many
    distinct values as lines, as in Claim ID)."""
    picked = cells[:: max(1, len(cells) // sample)]
    return len(set(picked)) >= 0.98 * len(picked)


class _Distinct(dict):
    """Cell -> position of its reading in ``results``: ``reader`` runs on a cell the first time
    an equal cell is looked up, so one pass over a column both reads it and numbers its cells."""

    def __init__(self, reader: Callable[[Any], tuple[Any, str | None]]):
        super().__init__()
        self.reader = reader
        self.results: list = []

    def __missing__(self, raw):
        self.results.append(self.reader(raw))
        self[raw] = position = len(self.results) - 1
        return position


class _Read:
    """One column read once per distinct cell: ``results[i]`` is ``(value, problem)`` for the
    ``i``-th distinct cell of ``index`` (or, when ``index`` is None, for the ``i``-th cell)."""

    __slots__ = ("cells", "results", "index", "types", "_codes")

    def __init__(self, cells: np.ndarray, results: list, index: dict | None, types: set,
                 codes: np.ndarray | None = None):
        self.cells, self.results, self.index, self.types = cells, results, index, types
        self._codes = codes

    def codes(self) -> np.ndarray:
        """For every cell, the position of its result."""
        if self._codes is None:
            if self.index is None:
                self._codes = np.arange(len(self.cells))
            elif len(self.index) == 1:
                self._codes = np.zeros(len(self.cells), dtype=np.intp)
            else:
                index = self.index
                for i, raw in enumerate(index):
                    index[raw] = i
                self._codes = np.fromiter(map(index.__getitem__, self.cells), dtype=np.intp, count=len(self.cells))
        return self._codes

    def take(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per result) cell by cell."""
        return values if self.index is None else values.take(self.codes())

    def values(self, empty: Any = None) -> np.ndarray:
        """The read values, one per result, as an object array (``empty`` for None)."""
        values = map(itemgetter(0), self.results)
        if empty is not None:
            values = (empty if v is None else v for v in values)
        return np.fromiter(values, dtype=object, count=len(self.results))

    def as_read(self) -> bool:
        """True when every cell reads as itself without a problem (text that is already clean),
        so the cells themselves are the column."""
        if self.index is None or not self.types <= {str, _NONE}:
            return False
        for raw, (value, problem) in zip(self.index, self.results):
            if problem is not None or not (value is raw or (type(value) is str and value == raw)):
                return False
        return True

    def found(self) -> np.ndarray | None:
        """Where a cell could not be read (a bool per cell), or None when every cell was read."""
        if not any(map(itemgetter(1), self.results)):
            return None
        return self.take(np.fromiter((bool(p) for _, p in self.results), dtype=bool, count=len(self.results)))


def _read_column(cells: np.ndarray, reader: Callable[[Any], tuple[Any, str | None]], guard: bool = True,
                 unmixed: bool = False) -> _Read:
    """``reader`` over a column, called once per distinct (type, value).  With ``guard`` a
    reader exception reads as "could not be read".  ``unmixed``: the table's types pass
    :func:`_unmixed`."""
    if unmixed:
        distinct = _Distinct(partial(_guarded, reader) if guard else reader)
        codes = np.fromiter(map(distinct.__getitem__, cells), dtype=np.intp, count=len(cells))
        return _Read(cells, distinct.results, distinct, set(map(type, distinct)), codes)
    types = set(map(type, cells))
    if sum(1 for t in types if t not in _DISTINCT_TYPES) <= 1:
        try:
            index = dict.fromkeys(cells)
        except TypeError:  # an unhashable cell
            index = None
        if index is not None:
            results = [_guarded(reader, raw) if guard else reader(raw) for raw in index]
            return _Read(cells, results, index, types)
    # Mixed numbers or unhashable cells: read cell by cell with a (type, value) cache.
    cache: dict = {}
    out = []
    for raw in cells:
        try:
            res = cache[(type(raw), raw)]
        except KeyError:
            res = cache[(type(raw), raw)] = _guarded(reader, raw) if guard else reader(raw)
        except TypeError:
            res = reader(raw)
        out.append(res)
    return _Read(cells, out, None, types)


def _guarded(reader, raw):
    try:
        return reader(raw)
    except Exception:  # a reader bug must never lose the line
        return (None, "could not be read")


#: Kinds read with values.read_text, and the characters the reader takes out of the text.
_TEXT_KINDS = {"text": "", "private": "", "npi": " -"}
_DATE_KINDS = ("date", "private_date")


def _typed(read: _Read, kind: str) -> np.ndarray:
    """A date or number column: the read values converted once per distinct cell, then taken."""
    values = pd.Series(read.values(), dtype=object)
    if kind == "number":
        typed = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        if read.types <= {int, _NONE} and read.index is not None:
            # Whole numbers and blanks convert as they stand (a number too large for a float
            # could not be read, as read_number finds).
            try:
                return read.cells.astype(np.float64)
            except OverflowError:
                pass
    else:
        typed = pd.to_datetime(values, errors="coerce").to_numpy()
    return read.take(typed)


def normalise(table: RawTable, schema: tuple[C.Column, ...]) -> tuple[pd.DataFrame, list[Finding]]:
    """Typed columns for one raw table, plus a finding for each value that could not be read.

    Each column is read once per distinct cell, and built from those results with numpy
    (``take``); text that is already clean is the column as it stands.
    """
    frame, problems, _ = normalise_with_reads(table, schema)
    return frame, problems


def normalise_with_reads(table: RawTable, schema: tuple[C.Column, ...]) -> tuple[pd.DataFrame, list[Finding], dict[str, _Read]]:
    """:func:`normalise`, and how each column was read (not for text checked as a whole)."""
    n = len(table.rows)
    index = pd.RangeIndex(n)
    # Object columns keep None for an empty cell (pandas 3 would infer a string dtype with NaN),
    # so every column is handed over as a Series of its final dtype.
    row_numbers, cells = _cells(table, max(table.positions.values(), default=-1) + 1)
    data: dict[str, pd.Series] = {"row": pd.Series(row_numbers, index=index)}
    problems: list[Finding] = []
    unmixed = _unmixed(set(map(type, cells.ravel())))  # one pass in row order, faster than by column
    plain: dict[tuple[int, str], bool] = {}

    def is_plain(pos: int, kind: str) -> bool:
        """Whether a column of (nearly) all different text, such as Claim ID, reads as it
        stands: one check of the whole column costs less than a read per distinct cell."""
        if (pos, kind) not in plain:
            plain[pos, kind] = unmixed and _mostly_distinct(cells[:, pos]) and _plain_column(cells[:, pos], _TEXT_KINDS[kind])
        return plain[pos, kind]

    id_pos = table.positions.get("claim_id")
    read_ids = None
    if id_pos is not None and not is_plain(id_pos, "text"):
        read_ids = _read_column(cells[:, id_pos], V.read_text, guard=False, unmixed=unmixed)

    def claim_id(i: int) -> str:
        if id_pos is None:
            return ""
        if read_ids is None:
            return cells[i, id_pos] or ""
        return read_ids.results[read_ids.codes()[i]][0] or ""

    reads: dict[str, _Read] = {}
    for col in schema:
        pos = table.positions.get(col.field)
        empty = _EMPTY.get(col.kind)
        if pos is None:
            read = _Read(np.full(n, None, dtype=object), [(empty, None)], {None: None}, {_NONE})
        elif col.kind in _TEXT_KINDS and is_plain(pos, col.kind):
            data[col.field] = pd.Series(cells[:, pos].copy(), index=index, dtype=object)
            continue
        elif pos == id_pos and CELL_READERS[col.kind] is V.read_text and read_ids is not None:
            read = read_ids  # the same cells read the same way
        else:
            read = _read_column(cells[:, pos], CELL_READERS[col.kind], unmixed=unmixed)
        reads[col.field] = read
        if col.kind in _DATE_KINDS or col.kind == "number":
            data[col.field] = pd.Series(_typed(read, col.kind), index=index)
        elif read._codes is None and read.as_read():  # (with the cells numbered, take is cheaper)
            data[col.field] = pd.Series(read.cells.copy(), index=index, dtype=object)
        else:
            data[col.field] = pd.Series(read.take(read.values(empty)), index=index, dtype=object)
        found = read.found()
        if found is not None:
            codes = read.codes()
            for i in np.flatnonzero(found).tolist():
                problem = read.results[codes[i]][1]
                problems.append(column_problem(table.sheet, int(row_numbers[i]), claim_id(i), col, problem))
            data[col.field + "__bad"] = pd.Series(np.array([False, True], dtype=object).take(found.view(np.int8)),
                                                  index=index, dtype=object)
    return pd.DataFrame(data, index=index, copy=False), problems, reads


def map_unique(column: pd.Series, func: Callable[[Any], Any], read: _Read | None = None) -> pd.Series:
    """``column.map(func)`` for text columns (str or None), ``func`` called once per distinct
    value and the column built with ``take``.  ``read``: how :func:`normalise_with_reads` read the column,
    whose distinct cells and their positions serve here too."""
    if not len(column):
        return pd.Series([], index=column.index)
    if read is None or read.index is None:
        read = _read_column(column.to_numpy(), lambda v: (v, None), guard=False, unmixed=True)
        # (text equals only text, so the distinct values' types are the column's)
        if not read.types <= {str, _NONE}:
            return column.map(func)
    results = pd.Series([func(value) for value, _ in read.results])
    return pd.Series(read.take(results.array), index=column.index)
