"""The records claimcheck reads and reports, in the biller's words."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from .columns import PAYER_TYPES, key

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, kw_only=True)
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

    @classmethod
    def model_construct(cls, **fields) -> "Finding":
        """The same as ``Finding(**fields)`` (the name callers used when this was a pydantic model)."""
        return cls(**fields)

    def as_dict(self) -> dict:
        """The finding's fields in contract order (the JSON report's keys)."""
        return {"sheet": self.sheet, "row": self.row, "claim_id": self.claim_id, "column": self.column,
                "code": self.code, "severity": self.severity, "message": self.message}


# The reference sheets' cells as the records accept them (book.build_book reads each cell first,
# then a record refuses what does not fit: that cell becomes a finding and its default is used).
# Each validator says what is wrong in the biller's words; the finding puts the column in front.

def _shown(value) -> str:
    """A cell's value as the biller typed it: 90 for 90.0, 90.5, 1e+20; text in quotes."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)) if abs(value) < 1e15 else f"{value:g}"
        return repr(value)
    return repr(value)


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


Days = Annotated[int, BeforeValidator(_days)]


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
    on_sheet: bool = True
    row: int | None = None


class Provider(BaseModel):
    npi: str
    name: str = ""
    credential: str = ""
    taxonomy: str = ""
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
