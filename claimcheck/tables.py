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
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field, replace
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
    #: CMS MUE files' values for the code, oldest file first: (the file's effective date, None
    #: when its name gives none; MUE; MAI).  Used only when procedures.csv gives no ``mue``: a
    #: line takes the newest file in force on its date of service (see :meth:`mue_on`).
    mue_files: tuple[tuple[dt.date | None, int, int], ...] = ()

    def mue_on(self, day: dt.date | None) -> tuple[int, int | None, dt.date | None] | None:
        """(MUE, MAI, effective date of the file it comes from) in force on ``day``: the
        procedures.csv value when it has one, else the newest CMS file effective on or before
        the day (a file without a date in its name counts from always); None when none is in
        force (a date of service before every loaded file's effective date)."""
        if self.mue is not None and not self.mue_files:
            return self.mue, self.mai, None
        found = None
        for effective, value, mai in self.mue_files:
            if effective is None or day is None or effective <= day:
                found = (value, mai, effective)
        return found

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
    #: The dates of service the pair edit applies to (a CMS PTP edit's effective and deletion
    #: dates): from ``effective`` (inclusive) to ``deleted`` (exclusive); None: no limit.
    effective: dt.date | None = None
    deleted: dt.date | None = None

    def applies_on(self, day: dt.date | None) -> bool:
        """Whether the pair edit is in force on the date of service ``day``."""
        if day is None:
            return self.effective is None and self.deleted is None
        return (self.effective is None or day >= self.effective) and (self.deleted is None or day < self.deleted)


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
    #: (payer upper-cased or "*", procedure code) -> the covered diagnoses and prefixes ("F32*")
    #: from covered_dx.csv (none shipped: a practice loads its payers' lists).
    covered_dx: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def covered_diagnoses(self, payer_key: str, code: str) -> tuple[str, ...] | None:
        """The payer's covered diagnoses for ``code`` (its own rows, else the ``*`` rows), or None
        when no list applies."""
        return self.covered_dx.get((payer_key, code)) or self.covered_dx.get(("*", code))

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


# --------------------------------------------------------------------------- CMS NCCI files
# A practice may drop CMS's quarterly practitioner files, as downloaded, into its tables folder:
# the procedure-to-procedure (PTP) edits (``ccipra-v###r0-f1.txt`` ... ``-f4.txt``, tab-delimited;
# or the XLSX saved as CSV with "PTP" and "practitioner" in its name) and the medically unlikely
# edits (``MCR_MUE_PractitionerServices_Eff_MM-DD-YYYY.csv``).  Their published layouts (CMS NCCI
# pages, cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits):
#   PTP: Column 1 | Column 2 | * = in existence before 1996 | Effective Date (YYYYMMDD) |
#        Deletion Date (YYYYMMDD, * = none) | Modifier indicator (0 not allowed, 1 allowed,
#        9 not applicable) | PTP Edit Rationale
#   MUE: HCPCS/CPT Code | Practitioner Services MUE Values | MUE Adjudication Indicator
#        ("2 Date of Service Edit: Policy") | MUE Rationale
# Both open with the AMA's licence notice and title lines, which are skipped: a PTP row is one whose
# first two cells are procedure codes, an MUE row one whose first cell is.  Only rows of the
# behavioral-health codes of procedures.csv are kept (a pair: both its codes).  claimcheck ships none of these files (CMS's
# downloads carry the AMA's CPT licence terms): each practice loads its own quarter.

_PTP_FILE = re.compile(r"(ccipra.*|.*ptp.*practitioner.*|.*practitioner.*ptp.*)\.(txt|csv)", re.I)
_MUE_FILE = re.compile(r".*mue.*practitioner.*\.(txt|csv)", re.I)
_YYYYMMDD = re.compile(r"\d{8}")


@dataclass(frozen=True)
class PtpEdit:
    """One CMS practitioner PTP edit: ``column2`` is not paid with ``column1`` for the same client,
    date and provider; ``modifier`` 1 lets a distinct-service modifier (59, XE, XS, XP, XU)
    bypass it, 0 never."""

    column1: str
    column2: str
    effective: str  # YYYY-MM-DD
    modifier: int
    source: str  # the file it came from
    deleted: str | None = None  # YYYY-MM-DD: the first date of service the edit no longer applies to


def _cells_of(line: str) -> list[str]:
    if "\t" in line:
        return [c.strip().strip('"') for c in line.split("\t")]
    return [c.strip() for c in next(csv.reader([line]), [])]


def _file_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # CMS's text files are Windows-1252/Latin-1


def read_ptp_edits(path: Path, keep: frozenset[str]) -> list[PtpEdit]:
    """The edits of one CMS practitioner PTP file (tab-delimited text, or CSV) whose column 1
    and column 2 codes are both in ``keep``, each with its effective date and its deletion date
    (None when the file gives ``*``): a deleted edit still applies to services before its
    deletion date, which a claim checked late (an appeal, a rebill) may have.  Indicator-9 edits
    (no longer applied: CMS deleted them retroactively) are left out.  A row whose codes are
    there but whose other cells do not fit the layout stops the load with :class:`UnusableInput`
    naming the file and line."""
    out = []
    for number, line in enumerate(_file_text(path).splitlines(), start=1):
        cells = _cells_of(line)
        if len(cells) < 2 or not (PROCEDURE_SHAPE.match(cells[0].upper()) and PROCEDURE_SHAPE.match(cells[1].upper())):
            continue  # the licence notice, titles and headers
        first, second = cells[0].upper(), cells[1].upper()
        if first not in keep or second not in keep:
            continue
        where = f"{path} line {number}"
        if len(cells) < 6:
            raise UnusableInput(f"{where}: a PTP edit has 6 or more columns (Column 1, Column 2, prior-1996 flag, "
                                f"effective date, deletion date, modifier indicator); this row has {len(cells)}")
        effective, deletion, indicator = cells[3], cells[4], cells[5]
        if not _YYYYMMDD.fullmatch(effective):
            raise UnusableInput(f"{where}: effective date {effective!r} is not YYYYMMDD")
        if deletion not in ("", "*") and not _YYYYMMDD.fullmatch(deletion):
            raise UnusableInput(f"{where}: deletion date {deletion!r} is not YYYYMMDD or *")
        if indicator not in ("0", "1", "9"):
            raise UnusableInput(f"{where}: modifier indicator {indicator!r} is not 0, 1 or 9")
        if indicator == "9":
            continue  # no longer applied
        deleted = None if deletion in ("", "*") else f"{deletion[:4]}-{deletion[4:6]}-{deletion[6:]}"
        out.append(PtpEdit(first, second, f"{effective[:4]}-{effective[4:6]}-{effective[6:]}", int(indicator),
                           path.name, deleted))
    return out


def read_mue_values(path: Path, keep: frozenset[str]) -> dict[str, tuple[int, int]]:
    """Code -> (MUE value, MAI) from one CMS practitioner MUE file (CSV, or tab-delimited text),
    for the codes in ``keep``; an MUE of 0 (a service not payable as billed) is left out."""
    out = {}
    for number, line in enumerate(_file_text(path).splitlines(), start=1):
        cells = _cells_of(line)
        if not cells or not PROCEDURE_SHAPE.match(cells[0].upper()):
            continue
        code = cells[0].upper()
        if code not in keep:
            continue
        where = f"{path} line {number}"
        if len(cells) < 3:
            raise UnusableInput(f"{where}: an MUE row has the code, the MUE value and the adjudication indicator")
        value, indicator = cells[1], cells[2][:1]
        if not value.isdigit():
            raise UnusableInput(f"{where}: MUE value {value!r} is not a whole number")
        if indicator not in ("1", "2", "3"):
            raise UnusableInput(f"{where}: MUE adjudication indicator {cells[2]!r} does not start with 1, 2 or 3")
        if int(value) > 0:
            out[code] = (int(value), int(indicator))
    return out


_MUE_EFFECTIVE = re.compile(r"eff(?:ective)?[_ -]?(\d{2})[-_](\d{2})[-_](\d{4})", re.I)


def mue_file_effective(name: str) -> dt.date | None:
    """The effective date CMS puts in an MUE file's name (``..._Eff_01-01-2026.csv``: the
    quarter's values apply to dates of service from that day), or None when the name has none."""
    m = _MUE_EFFECTIVE.search(name)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def _cms_files(override_dir: str | None, pattern: re.Pattern) -> list[Path]:
    if not override_dir or not Path(override_dir).is_dir():
        return []
    return sorted(p for p in Path(override_dir).iterdir() if p.is_file() and pattern.fullmatch(p.name))


def _ptp_rules(edits: list[PtpEdit], shipped: tuple[SameDayRule, ...]) -> tuple[SameDayRule, ...]:
    """CMS edits as same-day rules (indicator 0: ``never``; 1: ``distinct``), per rendering
    provider, one rule per column 1 code, file, indicator and effective/deletion dates, flagging
    the column 2 code's line; pairs a shipped rule already holds
    (same kind, either order) are not repeated."""
    def shipped_has(a: str, b: str, kind: str) -> bool:
        return any(r.kind == kind and ((a in r.codes_a and b in r.codes_b) or (b in r.codes_a and a in r.codes_b))
                   for r in shipped)

    grouped: dict[tuple[str, str, int, str, str], set[str]] = {}
    for e in edits:
        kind = "never" if e.modifier == 0 else "distinct"
        if not shipped_has(e.column1, e.column2, kind):
            grouped.setdefault((e.column1, e.source, e.modifier, e.effective, e.deleted or ""), set()).add(e.column2)
    out = []
    for (first, source, modifier, effective, deleted), seconds in sorted(grouped.items()):
        span = f"in force from {effective}" + (f" until {deleted}" if deleted else "")
        if modifier == 0:
            note = (f"CMS NCCI pair edit (modifier indicator 0, {source}, {span}): not paid together for the same "
                    "client, date and provider, and no modifier makes them payable")
        else:
            note = (f"CMS NCCI pair edit (modifier indicator 1, {source}, {span}): paid together only as separate, "
                    "distinct services with 59, XE, XS, XP or XU on the second code")
        # codes_a is the line flagged: the column 2 code, the one the payer denies (CMS: "the Column
        # One code is eligible for payment, but the Column Two code is denied")
        out.append(SameDayRule(frozenset(seconds), frozenset({first}), "never" if modifier == 0 else "distinct",
                               "provider", note, f"CMS NCCI practitioner PTP edits, {source}",
                               dt.date.fromisoformat(effective), dt.date.fromisoformat(deleted) if deleted else None))
    return tuple(out)


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
    keep = frozenset(procedures)
    dated: dict[str, list] = {}
    files = sorted(_cms_files(override_dir, _MUE_FILE), key=lambda p: (mue_file_effective(p.name) or dt.date.min, p.name))
    for path in files:  # CMS's MUEs where procedures.csv gives none, oldest file first
        for code, (value, mai) in read_mue_values(path, keep).items():
            if procedures[code].mue is None or code in dated:
                dated.setdefault(code, []).append((mue_file_effective(path.name), value, mai, path.name))
    for code, rows in dated.items():
        proc, newest = procedures[code], rows[-1]
        procedures[code] = replace(proc, mue=newest[1], mai=newest[2],
                                   mue_files=tuple((effective, value, mai) for effective, value, mai, _ in rows),
                                   source=f"{proc.source}; MUE from CMS {', '.join(r[3] for r in rows)}".lstrip("; "))
    em = frozenset(c for c, p in procedures.items() if p.kind == "em")
    addons = {r.addon: _expand(r.primaries, em) for r in _load("addons.csv", override_dir)}
    same_day = tuple(
        SameDayRule(_expand(r.codes_a, em), _expand(r.codes_b, em), r.kind, r.scope, r.note, r.source,
                    r.effective, r.deleted)
        for r in _load("same_day.csv", override_dir)
    )
    edits = [e for path in _cms_files(override_dir, _PTP_FILE) for e in read_ptp_edits(path, keep)]
    if edits:
        same_day += _ptp_rules(edits, same_day)
    modifiers = {r.modifier: r.model_dump() for r in _load("modifiers.csv", override_dir)}
    conflicts = tuple(
        (frozenset(r.modifiers.split()), r.note) for r in _load("modifier_conflicts.csv", override_dir)
    )
    pos = {r.pos.zfill(2): r.model_dump() for r in _load("pos.csv", override_dir)}
    defaults = {r.setting: r.value for r in _load("payer_defaults.csv", override_dir)}
    covered: dict[tuple[str, str], tuple[str, ...]] = {}
    for r in _load("covered_dx.csv", override_dir):
        payer = r.payer.strip().upper()  # as the claims' payer_key
        for code in r.codes.split():
            covered[(payer, code)] = covered.get((payer, code), ()) + tuple(r.dx.split())
    return CodeTables(procedures, addons, same_day, modifiers, conflicts, pos, defaults, em, covered)


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
