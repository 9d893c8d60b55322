"""Code tables: procedure codes, add-ons, same-day combinations, modifiers, places of service,
and the ICD-10-CM code sets of fiscal years claimcheck does not ship (CMS's order files).

The tables are CSV files in ``claimcheck/data`` with a ``source`` column for every row.  A user
can override or extend any of them: put a file with the same name in a folder and point the
``CLAIMCHECK_TABLES`` environment variable (or ``claimcheck check --tables DIR``) at it.  Rows in
the user's file replace the shipped rows with the same key and add new ones.  That is how a
practice loads its payers' medically-unlikely-edit limits into ``procedures.csv``
(``daily_max``), which we do not ship beyond the few limits we could source.

Every row, shipped or the user's, is checked by a pydantic model of its table (the ``*Row``
classes of :mod:`claimcheck.table_rows`) as it is loaded.  A cell that does not fit stops the load with
:class:`~claimcheck.errors.UnusableInput` naming the file, the row (as a spreadsheet shows it:
the header is row 1) and the column, for example
``tables/procedures.csv row 12, column daily_max: 'two' is not a whole number``.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from . import icd10
from .errors import UnusableInput
from .table_rows import PROCEDURE_SHAPE, load_rows


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
    #: The ICD-10-CM code sets: the shipped years and any the practice loads (order files in the
    #: tables folder, :func:`claimcheck.icd10.read_order_files`).
    diagnoses: icd10.CodeSets = icd10.SHIPPED

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
    for r in load_rows("procedures.csv", override_dir):
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
    addons = {r.addon: _expand(r.primaries, em) for r in load_rows("addons.csv", override_dir)}
    same_day = tuple(
        SameDayRule(_expand(r.codes_a, em), _expand(r.codes_b, em), r.kind, r.scope, r.note, r.source,
                    r.effective, r.deleted)
        for r in load_rows("same_day.csv", override_dir)
    )
    edits = [e for path in _cms_files(override_dir, _PTP_FILE) for e in read_ptp_edits(path, keep)]
    if edits:
        same_day += _ptp_rules(edits, same_day)
    modifiers = {r.modifier: r.model_dump() for r in load_rows("modifiers.csv", override_dir)}
    conflicts = tuple(
        (frozenset(r.modifiers.split()), r.note) for r in load_rows("modifier_conflicts.csv", override_dir)
    )
    pos = {r.pos.zfill(2): r.model_dump() for r in load_rows("pos.csv", override_dir)}
    defaults = {r.setting: r.value for r in load_rows("payer_defaults.csv", override_dir)}
    covered: dict[tuple[str, str], tuple[str, ...]] = {}
    for r in load_rows("covered_dx.csv", override_dir):
        payer = r.payer.strip().upper()  # as the claims' payer_key
        for code in r.codes.split():
            covered[(payer, code)] = covered.get((payer, code), ()) + tuple(r.dx.split())
    own_years = icd10.read_order_files(override_dir)
    return CodeTables(procedures, addons, same_day, modifiers, conflicts, pos, defaults, em, covered,
                      icd10.CodeSets(own_years) if own_years else icd10.SHIPPED)


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
