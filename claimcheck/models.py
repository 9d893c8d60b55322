"""The records claimcheck reads and reports, in the biller's words."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class Finding(BaseModel):
    """One problem on one row (contract section 3).  Never carries the client's name or DOB."""

    model_config = ConfigDict(frozen=True)

    sheet: str = "Claims"
    row: int | None = None
    claim_id: str = ""
    column: str = ""
    code: str
    severity: Severity
    message: str

    def as_dict(self) -> dict:
        return self.model_dump()


class Payer(BaseModel):
    """A payer's rules from the Payers sheet, or the documented defaults."""

    name: str
    payer_id: str = ""
    timely_filing_days: int = 90
    appeal_days: int = 120
    telehealth_modifier: str = ""
    auth_required: bool = False
    eval_counts_toward_auth: bool = False
    appeal_address: str = ""
    appeal_fax: str = ""
    phone: str = ""
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
    authorized: float | None = None
    unit_type: Literal["Visits", "Units"] = "Visits"
    codes_covered: tuple[str, ...] = Field(default_factory=tuple)
    rendering_npi: str = ""
    notes: str = ""
    row: int | None = None
