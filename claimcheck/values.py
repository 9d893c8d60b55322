"""Reading cell values as a biller means them.

Every function here takes one value exactly as a spreadsheet reader or Excel hands it over
(``None``, ``str``, ``int``, ``float``, ``bool``, ``datetime``, ``date``, ``time``, an Excel
error string such as ``"#N/A"``) and returns ``(value, problem)``: the normalised value, or
``None`` with a short problem text that becomes a finding on that cell.  Nothing here raises
for any input.

The problem texts never repeat the raw cell text of personal columns; callers decide what to
echo.  Raw text that *is* echoed is shortened by :func:`shown`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Any, Iterable

#: Excel's error values as openpyxl, calamine and xlwings hand them over.
EXCEL_ERRORS = frozenset(
    {
        "#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!",
        "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
        "#EXTERNAL!", "#PYTHON!", "#N/A!",
    }
)

# Excel's day zero: serial 1 is 1900-01-01 and serial 60 is the non-existent 1900-02-29, so
# serials from 61 on count from 1899-12-30.  Serials below 61 are treated the same way (a date
# in early 1900 is never a service date anyway).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_EPOCH_DAY = _EXCEL_EPOCH.toordinal()
_MAX_SERIAL = 2958465  # 9999-12-31
_SPACES = re.compile(r"[\s\u00a0\u200b\ufeff]+")

Value = Any


def is_blank(value: Value) -> bool:
    """True for an empty cell: None, NaN, text that is only spaces, or Pyodide's ``JsNull``."""
    if value is None:
        return True
    # Fast answers for the types spreadsheet readers hand over (this runs for every cell).
    kind = type(value)
    if kind is str:
        # Blank only when every character is a space of some kind, so the first one decides
        # most cells without the regular expression (``\s`` is exactly ``str.isspace``).
        return not value or ((value[0].isspace() or value[0] in "\u200b\ufeff") and not _SPACES.sub("", value))
    if kind is float:
        return value != value
    if kind in _NEVER_BLANK:
        return False
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not _SPACES.sub("", value):
        return True
    if kind.__name__ == "JsNull":  # Pyodide's JavaScript null (xlwings Lite): an empty cell
        return True
    try:  # pandas NaT / NA
        import pandas as pd

        return bool(value is pd.NaT or value is pd.NA)
    except Exception:  # pragma: no cover - pandas is a dependency
        return False


#: Types whose values are never blank and never an Excel error (NaT is not a datetime).
_NEVER_BLANK = frozenset({int, bool, dt.datetime, dt.date, dt.time})


def _plain(text: str) -> bool:
    """True when ``text`` reads as itself: not blank, not an Excel error (those start with
    ``#``), and :func:`clean_text` keeps it unchanged: no space at either end, no run of spaces,
    and no tab, line break, non-breaking or zero-width space (``isprintable`` is False for every
    space but the plain one)."""
    return text.isprintable() and text[:1] not in " #" and text[-1:] != " " and "  " not in text


def excel_error(value: Value) -> str | None:
    """The Excel error value (``#N/A`` ...) the cell holds, or None."""
    if isinstance(value, str):
        text = value.strip().upper()
        if text in EXCEL_ERRORS:
            return text
    return None


def clean_text(value: Value) -> str:
    """Text with stray spaces (including non-breaking ones) collapsed and trimmed."""
    if type(value) is str and _plain(value):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value)).strip()


#: The longest a value quoted in a message may be (Excel cells hold up to 32,767 characters).
QUOTE_LIMIT = 60


def brief(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as text for a message, cut to ``limit`` characters with an ellipsis (…) when
    longer; shorter text is returned unchanged.  Every message that quotes a cell's value, or a
    list of values read from one, quotes it through this."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def brief_list(values: Iterable[Any], limit: int = QUOTE_LIMIT, sep: str = ", ") -> str:
    """Values joined by ``sep`` for a message, cut as :func:`brief` cuts one value."""
    return brief(sep.join(str(v) for v in values), limit)


def shown(value: Value, limit: int = 24) -> str:
    """A short, printable rendering of a raw cell value for messages."""
    text = brief(clean_text(value), limit)
    return repr(text) if isinstance(value, str) else text


def _problem_for_error(value: Value) -> str | None:
    err = excel_error(value)
    return f"cell shows the Excel error {err}" if err else None


def _cell_reader(empty, plain=None):
    """Every reader treats an empty cell and an Excel error the same way: ``(empty, None)`` for
    a blank, ``(empty, "cell shows the Excel error #N/A")`` for an error; the decorated function
    sees only the other values.

    ``plain(text)`` is what the reader makes of text that :func:`clean_text` keeps as it is (the
    common cell, see :func:`_plain`), so such text skips the blank, error and cleaning steps.
    Numbers and dates skip the blank and error checks too (they are never either).
    """

    def wrap(read):
        on_plain = plain or read

        @functools.wraps(read)
        def reader(value: Value):
            if value is None:
                return empty, None
            kind = type(value)
            if kind is str:
                if _plain(value):
                    return on_plain(value)
            elif kind in _NEVER_BLANK or (kind is float and value == value):
                return read(value)
            if is_blank(value):
                return empty, None
            problem = _problem_for_error(value)
            if problem:
                return empty, problem
            return read(value)

        return reader

    return wrap


# --------------------------------------------------------------------------- text and codes


def _same_text(text: str) -> tuple[str, None]:
    return text, None


@_cell_reader(empty=None, plain=_same_text)
def read_text(value: Value) -> tuple[str | None, str | None]:
    """Free text such as Claim ID or Member ID; numbers lose a trailing ``.0``."""
    if isinstance(value, bool):
        return None, f"holds {value!s}, not text"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, "is not a number Excel can show"
        if value.is_integer():
            return str(int(value)), None
        return repr(value), None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return None, "holds a date where text was expected"
    return clean_text(value), None


def _digits_from_number(value: Value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return None


_CODE_CHARS = re.compile(r"[^0-9A-Za-z]")


def _procedure_code(text: str) -> tuple[str, None]:
    text = text.upper().replace(" ", "")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text, None


@_cell_reader(empty=None, plain=_procedure_code)
def read_procedure(value: Value) -> tuple[str | None, str | None]:
    """A CPT or HCPCS code: ``90834``, ``90834.0``, ``" 90834 "`` and ``"h0004"`` are all read.

    The result is upper case, without spaces; whether it is a well-formed code is a rule's
    question, not a reading problem.
    """
    digits = _digits_from_number(value)
    if digits is not None:
        return digits, None
    if isinstance(value, (bool, float, dt.date, dt.time)):
        return None, f"{shown(value)} is not a procedure code"
    return _procedure_code(clean_text(value))


def _pos_digits(digits: str) -> tuple[str, None]:
    if digits.isdigit() and len(digits) == 1:
        digits = "0" + digits
    return digits, None


def _pos_code(text: str) -> tuple[str, None]:
    return _pos_digits(text[:-2] if text.endswith(".0") else text)


@_cell_reader(empty=None, plain=_pos_code)
def read_pos(value: Value) -> tuple[str | None, str | None]:
    """Place of service: two digits; ``2`` and ``"2"`` mean ``02``."""
    digits = _digits_from_number(value)
    if digits is None:
        if isinstance(value, (bool, float, dt.date, dt.time)):
            return None, f"{shown(value)} is not a place-of-service code"
        return _pos_code(clean_text(value))
    return _pos_digits(digits)


_DX_SPLIT = re.compile(r"[,;\s|/]+")


def normalise_dx(code: str) -> str:
    """``f411``, ``F41.1`` and ``F411`` all become ``F41.1`` (dot after the third character)."""
    code = code.strip().upper().replace(".", "")
    if len(code) > 3:
        code = code[:3] + "." + code[3:]
    return code


def _dx_codes(text: str) -> tuple[tuple[str, ...], None]:
    return tuple(normalise_dx(p) for p in _DX_SPLIT.split(text) if p), None


@_cell_reader(empty=(), plain=_dx_codes)
def read_dx_list(value: Value) -> tuple[tuple[str, ...], str | None]:
    """Diagnosis codes, primary first, split on comma, semicolon, space or bar; dot optional."""
    if isinstance(value, (bool, int, float, dt.date, dt.time)):
        return (), f"{shown(value)} is not a diagnosis code"
    return _dx_codes(clean_text(value))


_MOD_SPLIT = re.compile(r"[,;\s]+")


def _modifier_codes(text: str) -> tuple[tuple[str, ...], None]:
    return tuple(p for p in _MOD_SPLIT.split(text.upper().replace("-", " ")) if p), None


@_cell_reader(empty=(), plain=_modifier_codes)
def read_modifiers(value: Value) -> tuple[tuple[str, ...], str | None]:
    """Modifiers separated by comma, space or semicolon: ``"95, HO"`` -> ``("95", "HO")``.

    A number such as ``95`` or ``59.0`` is read as its code; ``"GT-95"`` style dashes also
    separate.
    """
    digits = _digits_from_number(value)
    if digits is not None:
        return (digits.zfill(2),), None
    if isinstance(value, (bool, float, dt.date, dt.time)):
        return (), f"{shown(value)} is not a modifier"
    return _modifier_codes(clean_text(value))


_LIST_SPLIT = re.compile(r"[,;\n]+")


def _code_list(text: str) -> tuple[tuple[str, ...], None]:
    return tuple(p.strip().upper() for p in _LIST_SPLIT.split(text) if p.strip()), None


@_cell_reader(empty=(), plain=_code_list)
def read_code_list(value: Value) -> tuple[tuple[str, ...], str | None]:
    """A comma list of codes (Codes Covered, Denial Codes): upper case, spaces trimmed."""
    digits = _digits_from_number(value)
    if digits is not None:
        return (digits,), None
    if isinstance(value, (bool, float, dt.date, dt.time)):
        return (), f"{shown(value)} is not a list of codes"
    return _code_list(clean_text(value))


# --------------------------------------------------------------------------- numbers

_MONEY = re.compile(r"^\(?-?\$?\s*-?[\d,]*\.?\d+\)?$")


def _number_text(text: str, value: Value) -> tuple[float | None, str | None]:
    """``text`` is ``clean_text(value)``; ``value`` is only shown in the problem."""
    text = text.lower()
    for suffix in (" minutes", " minute", " mins", " min", "minutes", "mins", "min", "m", " units", " unit", "units"):
        if text.endswith(suffix) and text[: -len(suffix)].strip():
            text = text[: -len(suffix)].strip()
            break
    if _MONEY.match(text.replace(" ", "")):
        compact = text.replace(" ", "").replace("$", "").replace(",", "")
        negative = compact.startswith("(") and compact.endswith(")")
        compact = compact.strip("()")
        try:
            number = float(compact)
        except ValueError:
            number = None
        if number is not None and math.isfinite(number):
            return (-number if negative else number), None
    return None, f"{shown(value)} is not a number"


@_cell_reader(empty=None, plain=lambda text: _number_text(text, text))
def read_number(value: Value) -> tuple[float | None, str | None]:
    """A number: ints, floats, ``"45"``, ``"$1,250.00"``, ``"(35.00)"`` (negative), ``"45 min"``."""
    if isinstance(value, bool):
        return None, f"holds {value!s}, not a number"
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            return None, "is not a finite number"
        return number, None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return None, "holds a date or time where a number was expected"
    return _number_text(clean_text(value), value)


# --------------------------------------------------------------------------- dates

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_US = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_WORDY = re.compile(r"^(?:(\d{1,2})[\s-]+([a-z]{3,9})\.?|([a-z]{3,9})\.?\s+(\d{1,2}))[\s,-]+(\d{4})$")


def serial_to_date(serial: float) -> dt.date | None:
    """Excel's serial day number (1900 system) as a date; None when out of Excel's range."""
    if not math.isfinite(serial) or serial < 1 or serial > _MAX_SERIAL:
        return None
    return dt.date.fromordinal(_EXCEL_EPOCH_DAY + int(serial))  # (a quarter of the time of adding a timedelta)


def date_to_serial(day: dt.date) -> int:
    return (day - _EXCEL_EPOCH).days


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _two_digit_year(year: int) -> int:
    # Excel's own rule: 00-29 are 2000-2029, 30-99 are 1930-1999.
    return year + (2000 if year < 30 else 1900)


def _date_text(text: str, value: Value) -> tuple[dt.date | None, str | None]:
    """``text`` is ``clean_text(value)``; ``value`` is only shown in the problem."""
    if (m := _ISO.match(text)):
        day = _safe_date(int(m[1]), int(m[2]), int(m[3]))
    elif (m := _US.match(text)):
        year = int(m[3])
        if len(m[3]) == 2:
            year = _two_digit_year(year)
        day = _safe_date(year, int(m[1]), int(m[2]))
    elif (m := _COMPACT.match(text)):
        day = _safe_date(int(m[1]), int(m[2]), int(m[3]))
    elif (m := _WORDY.match(text.lower())):
        month_word = (m[2] or m[3])[:3]
        day_number = int(m[1] or m[4])
        month = _MONTHS.get(month_word)
        day = _safe_date(int(m[5]), month, day_number) if month else None
    elif _SERIAL_TEXT.fullmatch(text):
        day = serial_to_date(float(text))
    else:
        day = None
    if day is None:
        return None, f"{shown(value)} is not a date (use MM/DD/YYYY)"
    return day, None


_SERIAL_TEXT = re.compile(r"\d+(\.\d+)?")


@_cell_reader(empty=None, plain=lambda text: _date_text(text, text))
def read_date(value: Value) -> tuple[dt.date | None, str | None]:
    """A date as a biller types or Excel stores it.

    Accepted: Excel dates (``datetime``/``date``), serial numbers (``46027`` is 2026-01-05),
    ISO text (``2026-01-05``), US text (``01/05/2026``, ``1/5/26``, ``1-5-2026``), compact
    ``20260105`` and wordy forms (``Jan 5, 2026``, ``5 January 2026``).
    """
    if isinstance(value, bool):
        return None, f"holds {value!s}, not a date"
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, dt.time):
        return None, "holds a time of day, not a date"
    if isinstance(value, (int, float)):
        day = serial_to_date(float(value))
        if day is None:
            return None, f"{shown(value)} is not a date Excel can show"
        return day, None
    return _date_text(clean_text(value), value)


def _flag_text(text: str, value: Value) -> tuple[bool | None, str | None]:
    text = text.lower()
    if text in {"y", "yes", "true", "1", "x"}:
        return True, None
    if text in {"n", "no", "false", "0"}:
        return False, None
    return None, f"{shown(value)} is not Y or N"


@_cell_reader(empty=None, plain=lambda text: _flag_text(text, text))
def read_flag(value: Value) -> tuple[bool | None, str | None]:
    """A Y/N setting: Y, Yes, TRUE, 1 / N, No, FALSE, 0."""
    if isinstance(value, bool):
        return value, None
    return _flag_text(clean_text(value), value)
