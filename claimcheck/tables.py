"""Code tables: procedure codes, add-ons, same-day combinations, modifiers, places of service.

The tables are CSV files in ``claimcheck/data`` with a ``source`` column for every row.  A user
can override or extend any of them: put a file with the same name in a folder and point the
``CLAIMCHECK_TABLES`` environment variable (or ``claimcheck check --tables DIR``) at it.  Rows in
the user's file replace the shipped rows with the same key and add new ones.  That is how a
practice loads its payers' medically-unlikely-edit limits into ``procedures.csv``
(``daily_max``), which we do not ship beyond the few limits we could source.

Every row, shipped or the user's, is checked by a pydantic model of its table (the ``*Row``
classes below) as it is loaded.  A cell that does not fit stops the load with
:class:`~claimcheck.errors.UnusableInput` naming the file, the row (as a spreadsheet shows it:
the header is row 1) and the column, for example
``tables/procedures.csv row 12, column daily_max: 'two' is not a whole number``.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

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
_SETTING_KINDS = {"Timely Filing Days": _whole_number, "Appeal Days": _whole_number, "Follow-up Days": _whole_number, "Appeal Follow-up Days": _whole_number,
                  "Auth Required": _flag, "Eval Counts Toward Auth": _flag,
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


_MODELS: dict[str, type[_Row]] = {
    "procedures.csv": ProcedureRow,
    "addons.csv": AddonRow,
    "same_day.csv": SameDayRow,
    "modifiers.csv": ModifierRow,
    "modifier_conflicts.csv": ModifierConflictRow,
    "pos.csv": PosRow,
    "payer_defaults.csv": PayerDefaultRow,
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


def _load(name: str, override_dir: str | None) -> list[Any]:
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


@dataclass(frozen=True)
class Procedure:
    code: str
    label: str
    kind: str
    addon: bool
    min_minutes: int | None
    max_minutes: int | None
    daily_max: int | None
    source: str
    unit_minutes: int | None = None  # minutes in one unit, for a code billed per unit of time
    telehealth: bool | None = None  # on CMS's telehealth list (None: not verified)
    audio_only: bool | None = None  # audio-only (93/FQ) allowed (None: not verified)
    mue: int | None = None  # CMS practitioner MUE: most units per client, date and provider
    mai: int | None = None  # MUE adjudication indicator: 1 per line, 2/3 per date of service

    @property
    def timed(self) -> bool:
        return self.min_minutes is not None


@dataclass(frozen=True)
class SameDayRule:
    codes_a: frozenset[str]
    codes_b: frozenset[str]
    kind: str  # "never" or "distinct"
    scope: str  # "client" (any provider) or "provider" (same rendering provider)
    note: str
    source: str


@dataclass(frozen=True)
class CodeTables:
    procedures: dict[str, Procedure]
    addons: dict[str, frozenset[str]]
    same_day: tuple[SameDayRule, ...]
    modifiers: dict[str, dict[str, str]]
    modifier_conflicts: tuple[tuple[frozenset[str], str], ...]
    pos: dict[str, dict[str, str]]
    payer_defaults: dict[str, str]
    em_codes: frozenset[str] = field(default_factory=frozenset)

    # Families used by rules; derived from the procedure kinds.
    # Computed once per set of tables (rules ask for them on every line).
    @cached_property
    def timed_psychotherapy(self) -> frozenset[str]:
        return frozenset(c for c, p in self.procedures.items() if p.kind in {"psychotherapy", "psychotherapy_em"})

    def codes_of_kind(self, *kinds: str) -> frozenset[str]:
        return frozenset(c for c, p in self.procedures.items() if p.kind in kinds)

    @cached_property
    def telehealth_pos(self) -> frozenset[str]:
        return frozenset(k for k, v in self.pos.items() if v.get("telehealth", "N").upper() == "Y")

    def label(self, code: str) -> str:
        proc = self.procedures.get(code)
        return proc.label if proc else ""


def _expand(codes: str, em: frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for token in codes.split():
        if token == "@em":
            out |= em
        else:
            out.add(token.upper())
    return frozenset(out)


def override_dir_from_env() -> str | None:
    return os.environ.get("CLAIMCHECK_TABLES") or None


@lru_cache(maxsize=8)
def load_tables(override_dir: str | None = None) -> CodeTables:
    """All code tables, merged with the user's overrides from ``override_dir``."""
    procedures = {}
    for r in _load("procedures.csv", override_dir):
        procedures[r.code] = Procedure(r.code, r.label, r.kind, r.addon, r.min_minutes, r.max_minutes,
                                       r.daily_max, r.source, r.unit_minutes, r.telehealth, r.audio_only,
                                       r.mue, r.mai)
    em = frozenset(c for c, p in procedures.items() if p.kind == "em")
    addons = {r.addon: _expand(r.primaries, em) for r in _load("addons.csv", override_dir)}
    same_day = tuple(
        SameDayRule(_expand(r.codes_a, em), _expand(r.codes_b, em), r.kind, r.scope, r.note, r.source)
        for r in _load("same_day.csv", override_dir)
    )
    modifiers = {r.modifier: r.model_dump() for r in _load("modifiers.csv", override_dir)}
    conflicts = tuple(
        (frozenset(r.modifiers.split()), r.note) for r in _load("modifier_conflicts.csv", override_dir)
    )
    pos = {r.pos.zfill(2): r.model_dump() for r in _load("pos.csv", override_dir)}
    defaults = {r.setting: r.value for r in _load("payer_defaults.csv", override_dir)}
    return CodeTables(procedures, addons, same_day, modifiers, conflicts, pos, defaults, em)


def tables(override_dir: str | None = None) -> CodeTables:
    return load_tables(override_dir or override_dir_from_env())


def units_for_minutes(minutes: float, unit_minutes: int, rounding: str = "midpoint") -> int:
    """The units ``minutes`` of a per-unit-of-time service support.  ``midpoint`` (Medicare, CMS
    Pub. 100-04 ch. 5 sec. 20.2): a unit counts once more than half of it is given, so with
    15-minute units 8-22 minutes are 1 unit, 23-37 are 2, 38-52 are 3; ``whole``: each unit needs
    all its minutes (15-29 = 1)."""
    if minutes != minutes or minutes <= 0:
        return 0
    full, rest = divmod(minutes, unit_minutes)
    return int(full) + (1 if rounding != "whole" and rest * 2 > unit_minutes else 0)


def psychotherapy_code_for_minutes(minutes: float | None, kind: str = "psychotherapy") -> str | None:
    """The timed code whose band holds ``minutes`` (kind: psychotherapy, psychotherapy_em,
    crisis, family); None when no code fits (for example under 16 minutes)."""
    if minutes is None:
        return None
    t = tables()
    best = None
    for proc in t.procedures.values():
        if proc.kind != kind or proc.min_minutes is None:
            continue
        if minutes >= proc.min_minutes and (proc.max_minutes is None or minutes <= proc.max_minutes):
            best = proc.code
    return best
