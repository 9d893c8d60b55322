"""The records claimcheck reads and reports, in the biller's words."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from .columns import PAYER_TYPES, key
from .values import brief

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One problem on one row (contract section 3).  Never carries the client's name or DOB.

    A plain record: the engine builds findings from its own rules' codes, severities and
    messages, so there is nothing to validate (input is validated where it arrives: the reader,
    the code tables, the reference-sheet records below)."""

    sheet: str = "Claims"
    row: int | None = None
    claim_id: str = ""
    column: str = ""
    code: str
    severity: Severity
    message: str

    def as_dict(self) -> dict:
        """The finding's fields in contract order (the JSON report's keys)."""
        return {"sheet": self.sheet, "row": self.row, "claim_id": self.claim_id, "column": self.column,
                "code": self.code, "severity": self.severity, "message": self.message}


#: A finding's fields in contract order: the columns of a :class:`FindingTable`.
FINDING_FIELDS = ("sheet", "row", "claim_id", "column", "code", "severity", "message")


class FindingTable(Sequence):
    """Findings held as columns - one list per field of :class:`Finding`, the n-th entry of each
    being the n-th finding - as the engine makes them and the reports write them.  It reads as a
    sequence of :class:`Finding`: indexing or iterating makes each Finding when it is asked for.
    Never changed once made (``+`` and ``*`` give a plain list, as with lists)."""

    __slots__ = FINDING_FIELDS

    def __init__(self, sheet=(), row=(), claim_id=(), column=(), code=(), severity=(), message=()):
        columns = [list(c) for c in (sheet, row, claim_id, column, code, severity, message)]
        if len({len(c) for c in columns}) > 1:
            raise ValueError("the columns of a FindingTable differ in length")
        for name, values in zip(FINDING_FIELDS, columns):
            setattr(self, name, values)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> "FindingTable":
        """The findings as a table (the same table when they already are one)."""
        if isinstance(findings, FindingTable):
            return findings
        findings = list(findings)
        return cls(*([getattr(f, name) for f in findings] for name in FINDING_FIELDS))

    @classmethod
    def joined(cls, tables: Iterable["FindingTable"]) -> "FindingTable":
        """One table with the findings of ``tables``, in their order."""
        out = cls()
        for table in tables:
            for name in FINDING_FIELDS:
                getattr(out, name).extend(getattr(table, name))
        return out

    def columns(self) -> tuple[list, ...]:
        """The seven columns in contract order (:data:`FINDING_FIELDS`)."""
        return tuple(getattr(self, name) for name in FINDING_FIELDS)

    def reordered(self, order: Iterable[int]) -> "FindingTable":
        """The findings at the positions ``order``, in that order."""
        order = list(order)
        return FindingTable(*([values[i] for i in order] for values in self.columns()))

    def __len__(self) -> int:
        return len(self.code)

    def __getitem__(self, at):
        if isinstance(at, slice):
            return FindingTable(*(values[at] for values in self.columns()))
        return Finding(**{name: getattr(self, name)[at] for name in FINDING_FIELDS})

    def __iter__(self) -> Iterator[Finding]:
        for sheet, row, claim_id, column, code, severity, message in zip(*self.columns()):
            yield Finding(sheet=sheet, row=row, claim_id=claim_id, column=column, code=code, severity=severity,
                          message=message)

    def __eq__(self, other) -> bool:
        if isinstance(other, FindingTable):
            return self.columns() == other.columns()
        if isinstance(other, (list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    def __add__(self, other) -> list[Finding]:
        return list(self) + list(other)

    def __radd__(self, other) -> list[Finding]:
        return list(other) + list(self)

    def __mul__(self, times: int) -> list[Finding]:
        return list(self) * times

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"FindingTable({len(self)} findings)"


# The reference sheets' cells as the records accept them (book.build_book reads each cell first,
# then a record refuses what does not fit: that cell becomes a finding and its default is used).
# Each validator says what is wrong in the biller's words; the finding puts the column in front.

def _shown(value) -> str:
    """A cell's value as the biller typed it: 90 for 90.0, 90.5, 1e+20; text in quotes."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)) if abs(value) < 1e15 else f"{value:g}"
        return repr(value)
    return repr(brief(value) if isinstance(value, str) else value)  # a long cell: cut (issue 21)


def _whole(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value == int(value))


def _days(value):
    """A whole number of calendar days, 1 to 3650 (ten years; a deadline must stay a date)."""
    if not _whole(value) or not 1 <= value <= 3650:
        raise ValueError(f"{_shown(value)} is not a whole number of days from 1 to 3650")
    return int(value)


def _count(value):
    """A whole number of visits or units, 0 or more."""
    if not _whole(value) or value < 0:
        raise ValueError(f"{_shown(value)} is not a whole number of 0 or more")
    return float(value)


def _modifier(value):
    text = str(value).strip().upper()
    if text and not re.fullmatch(r"[0-9A-Z]{2}", text):
        raise ValueError(f"{_shown(value)} is not a modifier (95, GT, 93, or blank for none)")
    return text


def _unit_type(value):
    text = str(value).strip().lower()
    if text.startswith("unit"):
        return "Units"
    if not text or text.startswith("visit"):
        return "Visits"
    raise ValueError(f"{_shown(value)} is not Visits or Units")


def _payer_type(value):
    """One of the contract's payer types (``PAYER_TYPES``), matched ignoring case, spaces and
    punctuation ("medicare advantage", "Medicaid-MCO"); blank for not given."""
    text = str(value).strip()
    if not text:
        return ""
    for name in PAYER_TYPES:
        if key(name) == key(text):
            return name
    raise ValueError(f"{_shown(value)} is not a payer type ({', '.join(PAYER_TYPES)})")


def _visits_per(value):
    """How an authorization's visits are counted: ``Service`` (each claim line of a primary
    service is a visit, the default) or ``Date`` (one visit per date, however many services)."""
    text = str(value).strip().lower()
    if not text or text.replace("per ", "") in ("service", "services", "line", "lines", "claim line"):
        return "Service"
    if text.replace("per ", "") in ("date", "day", "date of service"):
        return "Date"
    raise ValueError(f"{_shown(value)} is not Service or Date")


def _visit_cap(value):
    """A yearly visit limit: a whole number of 1 or more (blank: no limit)."""
    if not _whole(value) or value < 1:
        raise ValueError(f"{_shown(value)} is not a whole number of visits of 1 or more")
    return int(value)


Days = Annotated[int, BeforeValidator(_days)]


def _days_or_none(value):
    """A whole number of days from 0 to 3650, or None (no limit)."""
    if value is None:
        return None
    if not _whole(value) or not 0 <= value <= 3650:
        raise ValueError(f"{_shown(value)} is not a whole number of days from 0 to 3650")
    return int(value)


LimitDays = Annotated[int | None, BeforeValidator(_days_or_none)]


class Payer(BaseModel):
    """A payer's rules from the Payers sheet, or the documented defaults."""

    name: str
    payer_id: str = ""
    timely_filing_days: Days = 90
    appeal_days: Days = 120
    #: Days after Submitted On within which a remittance is expected (FUP002).
    follow_up_days: Days = 30
    telehealth_modifier: Annotated[str, BeforeValidator(_modifier)] = ""
    auth_required: bool = False
    eval_counts_toward_auth: bool = False
    appeal_address: str = ""
    appeal_fax: str = ""
    phone: str = ""
    #: One of ``claimcheck.columns.PAYER_TYPES``, or blank when the Payers sheet does not say
    #: (then claimcheck.denials.payer_type guesses Medicare from the name, and says so).
    payer_type: Annotated[str, BeforeValidator(_payer_type)] = ""
    #: How the payer counts an authorization's visits: each service line (``Service``) or each
    #: date (``Date``); see claimcheck.auth.match.number_visits.
    auth_visits_per: Annotated[Literal["Service", "Date"], BeforeValidator(_visits_per)] = "Service"
    #: The payer's limit on visits per client per calendar year (None: no limit known).
    visits_per_year: Annotated[int | None, BeforeValidator(lambda v: None if v is None else _visit_cap(v))] = None
    #: Appeal Days was blank on the Payers sheet and a default by Payer Type was used.
    appeal_days_assumed: bool = False
    #: Days after the DOS within which the session note must be signed, and the days a treatment
    #: plan stays current (None: not checked); blank cells take payer_defaults.csv's values.
    note_sign_days: LimitDays = None
    plan_review_days: LimitDays = None
    on_sheet: bool = True
    row: int | None = None


class Provider(BaseModel):
    npi: str
    name: str = ""
    credential: str = ""
    taxonomy: str = ""
    licence_type: str = ""
    licence_expiry: dt.date | None = None
    supervising_npi: str = ""
    row: int | None = None


class Authorization(BaseModel):
    auth_number: str
    client_id: str = ""
    payer: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    authorized: Annotated[float | None, BeforeValidator(lambda v: None if v is None else _count(v))] = None
    unit_type: Annotated[Literal["Visits", "Units"], BeforeValidator(_unit_type)] = "Visits"
    codes_covered: tuple[str, ...] = Field(default_factory=tuple)
    rendering_npi: str = ""
    notes: str = ""
    row: int | None = None


def _plan_order(value):
    """Primary, Secondary or Tertiary (or 1, 2, 3): the order payers are billed in; None blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    words = {"1": 1, "primary": 1, "1st": 1, "first": 1, "2": 2, "secondary": 2, "2nd": 2, "second": 2,
             "3": 3, "tertiary": 3, "3rd": 3, "third": 3}
    text = _shown(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    found = words.get(text.strip().lower())
    if found is None:
        raise ValueError(f"{_shown(value)} is not a plan order (Primary, Secondary, Tertiary or 1, 2, 3)")
    return found


def _money(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{_shown(value)} is not an amount of 0 or more")
    return float(value)


class Enrollment(BaseModel):
    """A provider's enrollment with a payer (Provider Enrollment sheet): the payer pays the
    provider's services from ``effective_date`` to ``termination_date`` (blank: open)."""

    npi: str
    payer: str = ""
    effective_date: dt.date | None = None
    termination_date: dt.date | None = None
    notes: str = ""
    row: int | None = None

    def covers(self, day: dt.date) -> bool:
        return ((self.effective_date is None or self.effective_date <= day)
                and (self.termination_date is None or day <= self.termination_date))


class Coverage(BaseModel):
    """A client's insurance plan (Coverage sheet): the payer, the member ID, the dates it is in
    force, its order (1 primary, 2 secondary, 3 tertiary) and the copay."""

    client_id: str
    payer: str = ""
    member_id: str = ""
    effective_date: dt.date | None = None
    termination_date: dt.date | None = None
    plan_order: Annotated[int | None, BeforeValidator(_plan_order)] = None
    copay: Annotated[float | None, BeforeValidator(_money)] = None
    row: int | None = None

    def covers(self, day: dt.date) -> bool:
        return ((self.effective_date is None or self.effective_date <= day)
                and (self.termination_date is None or day <= self.termination_date))


class Client(BaseModel):
    """A client's row on the Clients sheet (only what the checks need: no name, no birth date)."""

    client_id: str
    treatment_plan_date: dt.date | None = None
    row: int | None = None
