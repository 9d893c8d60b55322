"""The code tables' rows as they are read: one pydantic model per CSV file of ``claimcheck/data``
(the ``*Row`` classes), and :func:`load_rows`, which reads one table with a practice's own rows
merged over the shipped ones.  A cell that does not fit stops the load with
:class:`~claimcheck.errors.UnusableInput` naming the file, the row (the header is row 1) and the
column.  :mod:`claimcheck.tables` builds the code tables from these rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, field_validator

from .errors import UnusableInput

DATA = resources.files("claimcheck") / "data"

# The key column of each table, used to merge a user's overriding rows.
_KEYS = {
    "procedures.csv": "code",
    "addons.csv": "addon",
    "modifiers.csv": "modifier",
    "modifier_conflicts.csv": "modifiers",
    "pos.csv": "pos",
    "same_day.csv": None,  # user rows are added
    "payer_defaults.csv": "setting",
    "covered_dx.csv": None,  # user rows are added (none shipped)
}

#: How minutes become units for a code billed per unit of time (payer_defaults.csv
#: ``Timed Unit Rounding``): ``midpoint`` counts a unit once more than half of it is given
#: (Medicare's rule), ``whole`` only when all of it is.
UNIT_ROUNDING = ("midpoint", "whole")

PROCEDURE_SHAPE = re.compile(r"^(\d{5}|\d{4}[A-Z]|[A-Z]\d{4})$")
MODIFIER_SHAPE = re.compile(r"^[0-9A-Z]{2}$")


# --------------------------------------------------------------------------- one row of each table
# Cells arrive as text (stripped; "" for an empty cell).  Each validator says what is wrong in
# the biller's words; the message gets the file, row and column in front of it.


def _whole_number(text: str) -> int | None:
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not number.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    if number < 0:
        raise ValueError(f"{text!r} is below 0")
    return int(number)


def _unit_length(text: str) -> int | None:
    number = _whole_number(text)
    if number == 0:
        raise ValueError(f"{text!r} is not a unit length (minutes in one unit, 1 or more)")
    return number


def _mai(text: str) -> int | None:
    if text == "":
        return None
    if text not in ("1", "2", "3"):
        raise ValueError(f"{text!r} is not an MUE adjudication indicator (1, 2 or 3)")
    return int(text)


def _maybe_flag(text: str) -> bool | None:
    """Y, N, or an empty cell for "not known" (a value we could not verify is left empty)."""
    return None if text == "" else _flag(text)


def _flag(text: str) -> bool:
    if text == "":
        return False
    if text.upper() in ("Y", "YES"):
        return True
    if text.upper() in ("N", "NO"):
        return False
    raise ValueError(f"{text!r} is not Y or N")


def _shaped(pattern: re.Pattern, what: str):
    def check(text: str) -> str:
        text = text.upper()
        if not pattern.match(text):
            raise ValueError(f"{text!r} is not {what}")
        return text
    return check


def _iso_date(text: str) -> dt.date | None:
    """An optional date cell: YYYY-MM-DD (or CMS's YYYYMMDD); empty for no limit."""
    if text == "":
        return None
    digits = text.replace("-", "")
    if len(digits) == 8 and digits.isdigit():
        try:
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")


def _filled(text: str) -> str:
    if text == "":
        raise ValueError("the cell is empty")
    return text


def _choice(*allowed: str, default: str):
    def check(text: str) -> str:
        if text == "":
            return default
        if text not in allowed:
            raise ValueError(f"{text!r} is not {' or '.join(allowed)}")
        return text
    return check


WholeNumber = Annotated[int | None, BeforeValidator(_whole_number)]
Flag = Annotated[bool, BeforeValidator(_flag)]
ProcedureCode = Annotated[str, BeforeValidator(_shaped(PROCEDURE_SHAPE, "a procedure code (5 characters, as 90834)"))]
Filled = Annotated[str, BeforeValidator(_filled)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # extra columns (notes) are kept


class ProcedureRow(_Row):
    code: ProcedureCode
    label: str = ""
    kind: Annotated[str, BeforeValidator(lambda t: t or "other")] = "other"
    addon: Flag = False
    min_minutes: WholeNumber = None
    max_minutes: WholeNumber = None
    daily_max: WholeNumber = None
    # Minutes in one unit for a code billed per unit of time (H2019: 15); empty for a code billed
    # per session.  Units are checked against the minutes by CPT018/CPT019.
    unit_minutes: Annotated[int | None, BeforeValidator(_unit_length)] = None
    # On CMS's List of Telehealth Services (Y/N), and whether audio-only (modifier 93 or FQ) may
    # deliver it; empty where we could not verify it, and then no telehealth rule reads the code.
    telehealth: Annotated[bool | None, BeforeValidator(_maybe_flag)] = None
    audio_only: Annotated[bool | None, BeforeValidator(_maybe_flag)] = None
    # CMS's practitioner medically unlikely edit: the most units per client, date of service and
    # provider (``mue``), and how it is applied (``mai``: 1 per claim line, 2 per date and never
    # paid above, 3 per date and paid above only on appeal with records).  Shipped empty: load
    # the quarter's CMS practitioner MUE file values for your codes into your tables folder.
    mue: Annotated[int | None, BeforeValidator(_unit_length)] = None
    mai: Annotated[int | None, BeforeValidator(_mai)] = None
    source: str = ""


class AddonRow(_Row):
    addon: ProcedureCode
    primaries: Filled
    source: str = ""


class SameDayRow(_Row):
    codes_a: Filled
    codes_b: Filled
    kind: Annotated[str, BeforeValidator(_choice("never", "distinct", default="never"))] = "never"
    # NCCI pair edits apply per client, date and rendering provider; "client" is for a payer
    # policy that spans providers.
    scope: Annotated[str, BeforeValidator(_choice("client", "provider", default="provider"))] = "provider"
    note: str = ""
    source: str = ""
    # Optional: the dates of service the pair applies to, from ``effective`` (inclusive) to the
    # day before ``deleted`` (as a CMS PTP edit's Effective and Deletion Dates); empty: no limit.
    effective: Annotated[dt.date | None, BeforeValidator(_iso_date)] = None
    deleted: Annotated[dt.date | None, BeforeValidator(_iso_date)] = None


class ModifierRow(_Row):
    modifier: Annotated[str, BeforeValidator(_shaped(MODIFIER_SHAPE, "a modifier (2 letters or digits, as 95)"))]


class ModifierConflictRow(_Row):
    modifiers: Annotated[str, BeforeValidator(lambda t: " ".join(
        _shaped(MODIFIER_SHAPE, "a modifier (2 letters or digits, as 95)")(m) for m in _filled(t).split()))]
    note: str = ""


class PosRow(_Row):
    pos: Annotated[str, BeforeValidator(_shaped(re.compile(r"^\d{1,2}$"), "a place of service (1 or 2 digits, as 11)"))]
    telehealth: Annotated[str, BeforeValidator(lambda t: "Y" if _flag(t) else "N")] = "N"


#: The payer settings read as numbers or flags (book.default_payer); other settings are text.
_SETTING_KINDS = {"Timely Filing Days": _whole_number, "Appeal Days": _whole_number,
                  "Follow-up Days": _whole_number, "Appeal Follow-up Days": _whole_number,
                  "Medicaid Appeal Days": _whole_number,
                  "Auth Visits Per": _choice("Service", "Date", default="Service"),
                  "Medicare Modifier 95": _choice("hospital only", "always", default="hospital only"),
                  "Note Sign Days": _whole_number, "Plan Review Days": _whole_number,
                  "Auth Required": _flag, "Eval Counts Toward Auth": _flag, "RHC or FQHC": _flag,
                  "Timed Unit Rounding": _choice(*UNIT_ROUNDING, default="midpoint")}


class PayerDefaultRow(_Row):
    setting: Filled
    value: str = ""

    @field_validator("value")
    @classmethod
    def _fits_the_setting(cls, value: str, info: ValidationInfo) -> str:
        check = _SETTING_KINDS.get(info.data.get("setting", ""))
        if check is not None:
            check(value)
        return value


DX_PATTERN = re.compile(r"^[A-Z][0-9A-Z]{0,2}(\.?[0-9A-Z]{1,4})?\*?$")


def _dx_patterns(text: str) -> str:
    """Diagnosis codes or prefixes (``F32*``, ``F*`` for a chapter's letter), split on commas or spaces, dot optional, as one
    space-separated upper-case text with the dot after the third character."""
    out = []
    for token in re.split(r"[,;\s]+", _filled(text).upper()):
        if not token:
            continue
        if not DX_PATTERN.match(token) or (not token.endswith("*") and len(token.replace(".", "")) < 3):
            raise ValueError(f"{token!r} is not a diagnosis code or prefix (F41.1, F32*)")
        star = token.endswith("*")
        code = token.rstrip("*").replace(".", "")
        code = code[:3] + "." + code[3:] if len(code) > 3 else code
        out.append(code + ("*" if star else ""))
    return " ".join(out)


class CoveredDxRow(_Row):
    """A payer's covered diagnoses for some procedure codes (a practice loads its payers' lists:
    medical-necessity policies such as an LCD's ICD-10 list or a Medicaid program's covered codes)."""
    payer: Filled  # the payer as on the Claims sheet (any case), or * for every payer without its own row
    codes: Annotated[str, BeforeValidator(lambda t: " ".join(
        _shaped(PROCEDURE_SHAPE, "a procedure code (5 characters, as 90834)")(c) for c in re.split(r"[,;\s]+", _filled(t)) if c))]
    dx: Annotated[str, BeforeValidator(_dx_patterns)]
    source: str = ""


_MODELS: dict[str, type[_Row]] = {
    "procedures.csv": ProcedureRow,
    "addons.csv": AddonRow,
    "same_day.csv": SameDayRow,
    "modifiers.csv": ModifierRow,
    "modifier_conflicts.csv": ModifierConflictRow,
    "pos.csv": PosRow,
    "payer_defaults.csv": PayerDefaultRow,
    "covered_dx.csv": CoveredDxRow,
}


def _problem(origin: str, error: dict) -> str:
    """One plain line for a pydantic error on a row from ``origin`` (``file row n``)."""
    column = ".".join(str(part) for part in error["loc"]) or "?"
    if error["type"] == "missing":
        return f"{origin}, column {column}: the column is missing or the cell is empty"
    cause = (error.get("ctx") or {}).get("error")
    return f"{origin}, column {column}: {cause if cause is not None else error['msg']}"


def _read_csv(text: str, origin: str) -> list[tuple[str, dict[str, str]]]:
    """(``origin row n``, cells) for each row that holds a value, numbered as a spreadsheet
    shows the file: the header is row 1, a blank line is a row, a cell with line breaks is one."""
    records = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(records, [])]
    out = []
    for number, record in enumerate(records, start=2):
        cells = {name: value.strip() for name, value in zip(header, record) if name}
        if any(cells.values()):
            out.append((f"{origin} row {number}", cells))
    return out


def load_rows(name: str, override_dir: str | None) -> list[Any]:
    """The rows of one table, the user's merged over the shipped ones, each checked by its model."""
    rows = _read_csv((DATA / name).read_text(encoding="utf-8"), name)
    if override_dir:
        path = Path(override_dir) / name
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise UnusableInput(f"{path}: not UTF-8 text; save it from Excel as 'CSV UTF-8'") from None
            extra = _read_csv(text, str(path))
            key = _KEYS.get(name)
            if key:
                merged = {r[key].upper(): (origin, r) for origin, r in rows}
                for origin, r in extra:
                    if r.get(key):
                        base = merged.get(r[key].upper(), ("", {}))[1]
                        merged[r[key].upper()] = (origin, {**base, **{k: v for k, v in r.items() if v != "" or k not in base}})
                    else:
                        raise UnusableInput(f"{origin}, column {key}: the cell is empty")
                rows = list(merged.values())
            else:
                rows = rows + extra
    model = _MODELS[name]
    out = []
    for origin, cells in rows:
        try:
            out.append(model.model_validate(cells))
        except ValidationError as exc:
            raise UnusableInput(_problem(origin, exc.errors()[0])) from None
    return out
