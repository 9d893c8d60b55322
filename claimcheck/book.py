"""The checked workbook: raw tables normalised into typed columns and records.

Claims become one pandas DataFrame, one row per service line, with the contract's columns
as typed fields (dates as ``datetime64``, numbers as floats, code lists as tuples) plus ``row``
(the Excel row number).  Every value that could not be read becomes a finding on that cell.
Payers, providers and authorizations become pydantic records.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from operator import itemgetter
from typing import Any, Callable

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from . import columns as C
from . import values as V
from .deadlines import default_appeal_days
from .models import Authorization, Client, Coverage, Enrollment, Finding, Payer, Provider
from .reader import RawTable
from .tables import CodeTables, tables as load_tables

_MIN_DATE = dt.date(1900, 1, 1)
_MAX_DATE = dt.date(2199, 12, 31)


def _read_plausible_date(value: Any):
    day, problem = V.read_date(value)
    if day is not None and not (_MIN_DATE <= day <= _MAX_DATE):
        return None, f"{day.isoformat()} is outside the years 1900-2199"
    return day, problem


#: "1234567893  Dana Reyes (LCSW)": an NPI picked from the template's Rendering NPI dropdown,
#: which shows each provider's name after the NPI.
_NPI_WITH_NAME = re.compile(r"\s*(\d{10})\s+[A-Za-z(]")


def _read_npi(value: Any):
    # An NPI typed as a number is the same NPI; keep leading text as typed otherwise.
    text, problem = V.read_text(value)
    if text is not None:
        picked = _NPI_WITH_NAME.match(text)
        text = picked.group(1) if picked else text.replace(" ", "").replace("-", "")
    return text, problem


_TIME_TEXT = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*([ap])?\.?\s*(m\.?)?", re.I)
_TIME_HINT = "type it as 2:05 PM or 14:05"


def read_time(value: Any) -> tuple[float | None, str | None]:
    """A time of day as minutes after midnight (14:05 is 845.0), from every form Excel holds
    it in: a time (``datetime.time``), a date and time (the time part is taken), a fraction of a
    day (0.5 is noon), a date-and-time serial number (its fraction), or text: ``2:05 PM``,
    ``2:05pm``, ``2 p.m.``, ``14:05``, ``14:05:30``, ``1405``, ``noon``, ``midnight``, or a date
    followed by one of those (``2026-06-01 14:05``, ``06/01/2026 2:05 PM``).  A whole number
    other than 0, a date without a time, or any other text is a problem."""
    if value is None or V.is_blank(value):
        return None, None
    err = V.excel_error(value)
    if err:
        return None, f"cell shows the Excel error {err}"
    if isinstance(value, bool):
        return None, f"holds {value!s}, not a time"
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute + value.second / 60, None
    if isinstance(value, dt.datetime):  # (pandas' Timestamp is one)
        return value.hour * 60 + value.minute + value.second / 60, None
    if isinstance(value, dt.date):
        return None, "holds a date without a time of day; " + _TIME_HINT
    if isinstance(value, (int, float)):
        number = float(value)
        if number != number or number < 0 or number in (float("inf"),):
            return None, f"{V.shown(value)} is not a time of day; " + _TIME_HINT
        fraction = number % 1
        if number >= 1 and fraction == 0:
            return None, f"{V.shown(value)} is not a time of day; " + _TIME_HINT
        seconds = round(fraction * 86400) % 86400  # to the second, as Excel shows it
        return seconds / 60, None
    text = V.clean_text(value).strip()
    minutes = _time_text(text)
    if minutes is None:
        head, _, tail = text.replace("T", " ", 1).partition(" ")
        if tail and V.read_date(head)[0] is not None:
            minutes = _time_text(tail.strip())
    if minutes is None:
        return None, f"{V.shown(value)} is not a time of day; " + _TIME_HINT
    return minutes, None


def _time_text(text: str) -> float | None:
    low = text.lower()
    if low == "noon":
        return 720.0
    if low == "midnight":
        return 0.0
    if re.fullmatch(r"\d{4}", text):  # 24-hour "1405"
        hour, minute, second, half = int(text[:2]), int(text[2:]), 0, None
    else:
        m = _TIME_TEXT.fullmatch(text)
        if m is None or (m.group(2) is None and m.group(4) is None):
            return None  # a bare number is not a time
        if m.group(5) and not m.group(4):
            return None
        hour, minute, second = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
        half = m.group(4).lower() if m.group(4) else None
    if minute > 59 or second > 59:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    elif hour > 23:
        return None
    return hour * 60 + minute + second / 60


CELL_READERS: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
    "time": read_time,
    "text": V.read_text,
    "private": V.read_text,
    "date": _read_plausible_date,
    "private_date": _read_plausible_date,
    "number": V.read_number,
    "procedure": V.read_procedure,
    "modifiers": V.read_modifiers,
    "dx": V.read_dx_list,
    "pos": V.read_pos,
    "codes": V.read_code_list,
    "flag": V.read_flag,
    "npi": _read_npi,
}

_EMPTY = {"modifiers": (), "dx": (), "codes": ()}


@dataclass
class Book:
    """Everything the rules look at."""

    claims: pd.DataFrame
    present: set[str]  # claim fields whose column exists
    header_row: int
    claims_sheet: str
    payers: dict[str, Payer]
    providers: dict[str, Provider]
    authorizations: list[Authorization]
    reading: list[Finding] = field(default_factory=list)  # findings raised while reading
    sheets_present: set[str] = field(default_factory=set)
    tables: CodeTables | None = None
    #: The Provider Enrollment sheet's rows, and the Coverage sheet's (empty without the sheet).
    enrollments: list[Enrollment] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    #: The Clients sheet's rows by Client ID (upper case; empty without the sheet).
    clients: dict[str, Client] = field(default_factory=dict)
    #: The defaults of each payer asked for that is not on the Payers sheet (rules ask once per
    #: line), with the sheet's ``*`` row they were made from.
    missing_payers: dict = field(default_factory=dict, repr=False, compare=False)

    def payer(self, name: str | None) -> Payer:
        """The payer's settings, or the documented defaults for a payer not on the sheet."""
        key = (name or "").strip().upper()
        if key in self.payers:
            return self.payers[key]
        # Rules ask once per line: build a missing payer's defaults once per name.
        found = self.missing_payers.get(name or "")
        if found is None or found[0] is not self.payers.get("*"):
            found = self.missing_payers[name or ""] = (self.payers.get("*"), default_payer(name or "", self.tables, self.payers.get("*")))
        return found[1]


def default_payer(name: str, tables: CodeTables | None = None, base: Payer | None = None) -> Payer:
    """Documented defaults (``claimcheck/data/payer_defaults.csv``), or the Payers sheet's
    ``*`` / ``Default`` row when it has one."""
    if base is not None:
        return base.model_copy(update={"name": name, "on_sheet": False, "row": None})
    d = (tables or load_tables()).payer_defaults
    return Payer(
        name=name,
        timely_filing_days=int(float(d.get("Timely Filing Days") or 90)),
        appeal_days=int(float(d.get("Appeal Days") or 120)),
        follow_up_days=int(float(d.get("Follow-up Days") or 30)),
        telehealth_modifier=(d.get("Telehealth Modifier") or "").upper(),
        auth_required=(d.get("Auth Required") or "N").upper().startswith("Y"),
        eval_counts_toward_auth=(d.get("Eval Counts Toward Auth") or "N").upper().startswith("Y"),
        auth_visits_per=d.get("Auth Visits Per") or "Service",
        note_sign_days=_setting_days(d.get("Note Sign Days")),
        plan_review_days=_setting_days(d.get("Plan Review Days")),
        on_sheet=False,
    )


def _setting_days(text: str | None) -> int | None:
    """A payer_defaults.csv number of days (validated when the tables load), None when empty."""
    return int(float(text)) if text and text.strip() else None


# --------------------------------------------------------------------------- normalising

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
    frame, problems, _ = _normalise(table, schema)
    return frame, problems


def _normalise(table: RawTable, schema: tuple[C.Column, ...]) -> tuple[pd.DataFrame, list[Finding], dict[str, _Read]]:
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


def _map_unique(column: pd.Series, func: Callable[[Any], Any], read: _Read | None = None) -> pd.Series:
    """``column.map(func)`` for text columns (str or None), ``func`` called once per distinct
    value and the column built with ``take``.  ``read``: how :func:`_normalise` read the column,
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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` (the same Python values), built a column at a time."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in columns))]


def _record(model: type[BaseModel], values: dict[str, Any], defaults: dict[str, Any], sheet: str, row: int,
            columns: dict[str, C.Column], reading: list[Finding]):
    """One reference-sheet row as ``model``: the row's read ``values`` (None for an empty or
    unreadable cell, which takes its value from ``defaults``).  A cell the model refuses becomes
    a finding on that cell (as a cell that could not be read does) and takes its default too."""
    data = {**defaults, **{k: v for k, v in values.items() if v is not None}}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    for error in errors:
        field = str(error["loc"][0])
        cause = (error.get("ctx") or {}).get("error")
        reading.append(column_problem(sheet, row, "", columns[field], str(cause or error["msg"])))
        if field in defaults:
            data[field] = defaults[field]
        else:
            data.pop(field, None)
    return model.model_validate(data)


def _cell(value: Any) -> Any:
    """A read cell as a record takes it: None for empty (None, NaN, NaT), a date for a date."""
    if value is None or (not isinstance(value, (str, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _mark_uncalculated(claims: pd.DataFrame, table: RawTable) -> None:
    """Cells holding a formula Excel never calculated read as empty, but are not known to be:
    they are marked as not readable (``<field>__bad``), so no rule reports them as empty."""
    cells = getattr(table, "uncalculated", None)
    if not cells or not len(claims):
        return
    fields = {pos: f for f, pos in table.positions.items()}
    at = pd.Series(np.arange(len(claims)), index=claims["row"].to_numpy())
    for row, pos in cells:
        name = fields.get(pos)
        if name is None or name not in claims.columns or row not in at.index:
            continue
        flag = name + "__bad"
        if flag not in claims.columns:
            claims[flag] = pd.Series(False, index=claims.index, dtype=object)
        claims.iloc[int(at[row]), claims.columns.get_loc(flag)] = True


def _uncalculated_finding(table: RawTable) -> Finding:
    from .rules.registry import get

    from .extent import cell_name

    rule = get("REQ008")
    cells = sorted(table.uncalculated)
    n, worked = len(cells), table.worked_out
    simple = f"{worked} simple formula{'s' if worked != 1 else ''} (DATE, arithmetic on numbers)"
    if not cells:
        message = (f"{simple} Excel has not calculated yet {'were' if worked != 1 else 'was'} worked out here; "
                   "open and save the file in Excel, or recalculate")
    else:
        first = ", ".join(cell_name(r, c + 1) for r, c in cells[:3]) + (" ..." if n > 3 else "")
        message = (f"{n} cell{'s' if n != 1 else ''} ({first}) hold{'s' if n == 1 else ''} formulas Excel has not "
                   "calculated yet: open and save the file in Excel, or recalculate; they are not checked as empty"
                   + (f"; {simple} {'were' if worked != 1 else 'was'} worked out" if worked else ""))
    return Finding(sheet=table.sheet, row=None, claim_id="", column="", code=rule.code, severity=rule.severity,
                   message=message)


def build_book(raw: dict[str, RawTable], tables: CodeTables | None = None) -> Book:
    """Normalise the raw tables of a workbook (or of Excel ranges) into a :class:`Book`."""
    tables = tables or load_tables()
    claims_raw = raw["Claims"]
    claims, reading, reads = _normalise(claims_raw, C.CLAIMS)
    _mark_uncalculated(claims, claims_raw)
    claims["units_given"] = claims["units"].notna()
    claims["units"] = claims["units"].fillna(1.0)
    claims["payer_key"] = _map_unique(claims["payer"], lambda p: (p or "").strip().upper(), reads.get("payer"))
    claims["status_key"] = _map_unique(claims["status"], C.status_key, reads.get("status"))

    payers: dict[str, Payer] = {}
    providers: dict[str, Provider] = {}
    auths: list[Authorization] = []

    # The reference sheets: each row read cell by cell (a cell that cannot be read is a finding),
    # then checked by its record model (a cell the model refuses is a finding too).
    if "Payers" in raw and raw["Payers"].positions:
        sheet = raw["Payers"].sheet
        frame, problems = normalise(raw["Payers"], C.PAYERS)
        reading += problems
        columns = {c.field: c for c in C.PAYERS}
        for rec in _records(frame):
            if not rec.get("name"):
                continue
            base = default_payer(rec["name"], tables)
            key = rec["name"].strip().upper()
            values = {f: _cell(rec.get(f)) for f in columns}
            values["telehealth_modifier"] = values["telehealth_modifier"] or ""  # blank: none, not the default's
            defaults = base.model_dump(include={"timely_filing_days", "appeal_days", "follow_up_days", "auth_required",
                                                "eval_counts_toward_auth", "auth_visits_per", "note_sign_days", "plan_review_days"})
            payer = _record(Payer, {**values, "on_sheet": True, "row": int(rec["row"])}, defaults, sheet,
                            int(rec["row"]), columns, reading)
            if values.get("appeal_days") is None or payer.appeal_days != values["appeal_days"]:  # blank or refused
                by_type = default_appeal_days(payer.payer_type, tables.payer_defaults)
                if by_type is not None:
                    payer = payer.model_copy(update={"appeal_days": by_type, "appeal_days_assumed": True})
            payers[key if key not in ("DEFAULT", "*") else "*"] = payer

    if "Providers" in raw and raw["Providers"].positions:
        sheet = raw["Providers"].sheet
        frame, problems = normalise(raw["Providers"], C.PROVIDERS)
        reading += problems
        columns = {c.field: c for c in C.PROVIDERS}
        for rec in _records(frame):
            if rec.get("npi"):
                values = {f: _cell(rec.get(f)) for f in columns}
                providers[rec["npi"]] = _record(Provider, {**values, "row": int(rec["row"])}, {}, sheet,
                                                int(rec["row"]), columns, reading)

    if "Authorizations" in raw and raw["Authorizations"].positions:
        sheet = raw["Authorizations"].sheet
        frame, problems = normalise(raw["Authorizations"], C.AUTHORIZATIONS)
        reading += problems
        columns = {c.field: c for c in C.AUTHORIZATIONS}
        for rec in _records(frame):
            if not rec.get("auth_number"):
                continue
            values = {f: _cell(rec.get(f)) for f in columns}
            values["codes_covered"] = tuple(values["codes_covered"] or ())
            auths.append(_record(Authorization, {**values, "row": int(rec["row"])}, {}, sheet,
                                 int(rec["row"]), columns, reading))

    enrollments = _reference_records(raw, "Provider Enrollment", C.ENROLLMENT, Enrollment, "npi", reading)
    coverage = _reference_records(raw, "Coverage", C.COVERAGE, Coverage, "client_id", reading)
    clients = {c.client_id.strip().upper(): c
               for c in _reference_records(raw, "Clients", C.CLIENTS, Client, "client_id", reading)}

    from .rules.registry import get

    for kind, table in raw.items():
        for row, why in getattr(table, "skipped", ()):
            rule = get("REQ009")
            reading.append(Finding(sheet=table.sheet, row=None, claim_id="", column="", code=rule.code,
                                   severity=rule.severity,
                                   message=f"row {row} is {why}; it is not checked as a claim line"))
        if getattr(table, "uncalculated", None) or getattr(table, "worked_out", 0):
            reading.append(_uncalculated_finding(table))
        problem = getattr(table, "problem", None)
        if problem:
            rule = get("REQ007")
            reading.append(Finding(sheet=table.sheet, row=None, claim_id="", column="", code=rule.code,
                                   severity=rule.severity, message=f"{problem}; it is ignored"))
    return Book(
        claims=claims,
        present=claims_raw.present(),
        header_row=claims_raw.header_row,
        claims_sheet=claims_raw.sheet,
        payers=payers,
        providers=providers,
        authorizations=auths,
        reading=reading,
        sheets_present={k for k, t in raw.items() if t.positions},
        tables=tables,
        enrollments=enrollments,
        coverage=coverage,
        clients=clients,
    )


def _reference_records(raw: dict[str, RawTable], kind: str, schema: tuple[C.Column, ...], model: type[BaseModel],
                       needed: str, reading: list[Finding]) -> list:
    """The rows of an optional reference sheet as ``model`` records (rows without ``needed``
    are skipped); a cell that cannot be read or that the model refuses is a finding."""
    table = raw.get(kind)
    if table is None or not table.positions:
        return []
    frame, problems = normalise(table, schema)
    reading += problems
    columns = {c.field: c for c in schema}
    out = []
    for rec in _records(frame):
        if not rec.get(needed):
            continue
        values = {f: _cell(rec.get(f)) for f in columns}
        out.append(_record(model, {**values, "row": int(rec["row"])}, {}, table.sheet, int(rec["row"]), columns, reading))
    return out
