"""Turning worksheet-function arguments into plain Python values, and results back.

Excel hands a function its arguments in different shapes depending on the runtime:

* classic desktop (COM): a cell range as a tuple of tuples (``ndim=2``), dates as
  ``datetime``, empty cells as ``None``, error cells as their text (``"#N/A"``, via
  ``err_to_str``);
* xlwings Lite / Office.js: every argument as a 2D JSON array, dates as serial numbers,
  empty cells as ``None`` (or Pyodide's ``JsNull``), error cells as ``{"type": "Error",
  "basicValue": "#N/A"}`` (turned into ``"#N/A"`` by ``err_to_str``), a single cell as a
  scalar.

The helpers here accept all of those, so the functions in :mod:`udfs` stay thin.  Nothing here
raises for any cell value; problems come back as :class:`ArgumentProblem` with a short text
that the function turns into its cell message.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable

from claimcheck import values as V

#: The text every function's message starts with, so a biller knows where it came from.
PREFIX = "claimcheck: "


class ArgumentProblem(Exception):
    """An argument cannot be used; the text is shown in the cell (after :data:`PREFIX`)."""


def _is_jsnull(value: Any) -> bool:
    return type(value).__name__ == "JsNull"


def cell(value: Any) -> Any:
    """One cell value as the engine's readers expect it (errors as ``"#N/A"`` text)."""
    if value is None or _is_jsnull(value):
        return None
    if isinstance(value, dict):  # an Office.js entity or error that was not converted
        if value.get("type") == "Error":
            return str(value.get("basicValue") or "#VALUE!")
        return cell(value.get("basicValue"))
    if isinstance(value, str) and value == "":
        return None
    return value


#: Cell types that :func:`cell` leaves as they are (checked first: a 10,000-line range is
#: 220,000 cells).
_PLAIN = frozenset({int, float, bool, dt.datetime, dt.date})


_PLAIN_OR_TEXT = _PLAIN | {str, type(None)}


def _cells(row: list | tuple) -> tuple[Any, ...]:
    if _PLAIN_OR_TEXT.issuperset(map(type, row)) and "" not in row:
        return tuple(row)  # nothing to convert (checked in C, not cell by cell)
    return tuple([v if (kind := type(v)) in _PLAIN or (kind is str and v) else cell(v) for v in row])


def grid(value: Any) -> list[tuple[Any, ...]]:
    """A range argument as a list of row tuples (a scalar becomes a 1x1 grid)."""
    if isinstance(value, (list, tuple)):
        if not value:
            return []
        if not isinstance(value[0], (list, tuple)):
            return [_cells(value)]
        return [_cells(row) for row in value]
    if value is None or _is_jsnull(value):
        return []
    return [(cell(value),)]


def one_row(value: Any) -> list[tuple[Any, ...]]:
    """A range argument meant to be one row (a service line, a header), as a list of row tuples,
    trailing blank rows removed.  One row of plain cells, as Excel hands a row over (xlwings'
    Office.js dispatch hands a one-row range over as a flat list), is taken as it is, empty
    text included: the engine reads it as a blank cell, as :func:`cell` would."""
    if type(value) is list:
        row = value[0] if len(value) == 1 and type(value[0]) is list else value
        if _PLAIN_OR_TEXT.issuperset(map(type, row)):  # (a list of rows is not one row of plain cells)
            return trim_trailing_blank_rows([tuple(row)])
    return trim_trailing_blank_rows(grid(value))


def scalar(value: Any) -> Any:
    """A single-value argument: the top-left cell of whatever range was passed."""
    while isinstance(value, (list, tuple)):
        if not value:
            return None
        value = value[0]
    return cell(value)


def is_blank(value: Any) -> bool:
    return V.is_blank(cell(value))


def error_of(value: Any) -> str | None:
    """The Excel error the cell shows (``#N/A`` ...), or None."""
    return V.excel_error(cell(value))


def text(value: Any, what: str) -> str | None:
    """A code-like text argument (numbers lose a trailing ``.0``); None when blank."""
    value = scalar(value)
    if (err := error_of(value)):
        raise ArgumentProblem(f"the {what} cell shows {err}")
    result, problem = V.read_text(value)
    if problem:
        raise ArgumentProblem(f"{what} {problem}")
    return result


def number(value: Any, what: str) -> float | None:
    value = scalar(value)
    if (err := error_of(value)):
        raise ArgumentProblem(f"the {what} cell shows {err}")
    result, problem = V.read_number(value)
    if problem:
        raise ArgumentProblem(f"{what} {problem}")
    return result


def date(value: Any, what: str) -> dt.date | None:
    """A date argument: an Excel date, a serial number (Office.js), ISO or US text."""
    value = scalar(value)
    if (err := error_of(value)):
        raise ArgumentProblem(f"the {what} cell shows {err}")
    result, problem = V.read_date(value)
    if problem:
        raise ArgumentProblem(f"{what} {problem}")
    return result


def trim_trailing_blank_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Drop the empty rows at the bottom (a whole-column range such as ``A:V``)."""
    end = len(rows)
    while end and all(map(V.is_blank, rows[end - 1])):
        end -= 1
    return rows if end == len(rows) else rows[:end]


def column(values: Iterable[Any]) -> list[list[Any]]:
    """A vertical 2D array for a spilled result (at least one row, so Excel shows a cell)."""
    out = [[v] for v in values]
    return out or [[""]]


def message(exc: BaseException) -> str:
    """A cell text for an exception: one short line, never a traceback."""
    if isinstance(exc, ArgumentProblem):
        text_ = str(exc)
    else:
        from claimcheck.reader import UnusableInput

        if isinstance(exc, UnusableInput):
            text_ = str(exc)
        elif isinstance(exc, KeyError) and exc.args:
            text_ = f"{exc.args[0]} not found"
        else:
            text_ = f"could not check this ({type(exc).__name__}); check the arguments"
    text_ = " ".join(text_.split())
    if len(text_) > 240:
        text_ = text_[:239] + "…"
    return PREFIX + text_


def finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
