"""The Claims cells a posting fills and their values: the columns and statuses, what happens to
a cell (set, same, replaced, kept), money and codes as a posting reads them, how a cell's value
is compared and shown, and the values a service line or a claim gives its rows."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Sequence

from claimcheck.columns import status_key
from claimcheck.era.records import Adjustment, ClaimPayment, Payment, ServicePayment

# The Claims columns a posting fills (contract section 2, Claims), with their field names.
STATUS = "Status"
PAID = "Paid Amount"
DENIAL_CODES = "Denial Codes"
DENIAL_DATE = "Denial Date"
PAYER_CLAIM_NUMBER = "Payer Claim Number"
ALLOWED = "Allowed Amount"
PATIENT_RESPONSIBILITY = "Patient Responsibility"
ADJUSTMENTS = "Adjustments"
REMARKS = "Remark Codes"
PAYER_ORDER = "Payer Order"
REMIT_DATE = "Remit Date"

#: Posted column -> (Book field, how values compare).
POSTED_COLUMNS: dict[str, tuple[str, str]] = {
    STATUS: ("status", "status"),
    PAID: ("paid_amount", "money"),
    ALLOWED: ("allowed_amount", "money"),
    PATIENT_RESPONSIBILITY: ("patient_responsibility", "money"),
    ADJUSTMENTS: ("adjustments", "text"),
    DENIAL_CODES: ("denial_codes", "codes"),
    REMARKS: ("remark_codes", "codes"),
    DENIAL_DATE: ("denial_date", "date"),
    PAYER_CLAIM_NUMBER: ("payer_claim_number", "text"),
    PAYER_ORDER: ("payer_order", "text"),
    REMIT_DATE: ("remit_date", "date"),
}

PAID_STATUS = "Paid"
DENIED_STATUS = "Denied"
PATIENT_STATUS = "Patient Responsibility"
REVERSED_STATUS = "Reversed"
#: Statuses that wait for the payer's answer: a remittance moves them on without a finding.
OPEN_STATUSES = frozenset(map(status_key, ("", "Draft", "Ready", "Submitted", "Rejected", "Appealed")))

# What happened to one cell.
SET = "set"            # the cell was empty (or an open Status): the remittance's value goes in
SAME = "same"          # the cell already holds the remittance's value: nothing changes
REPLACED = "replaced"  # the cell holds what an earlier posting wrote: a correction replaces it
KEPT = "kept"          # the biller typed another value: it stays, and ERA001 names both

CENTS = Decimal("0.01")


def posting_key(payment: Payment, claim: ClaimPayment) -> str:
    """TRN02 + CLP01 + CLP07 (+ ``22`` for a reversal), joined with ``|``."""
    parts = [payment.trace_number.strip(), claim.patient_control_number.strip(),
             claim.payer_claim_number.strip()]
    if claim.is_reversal:
        parts.append(claim.status_code)
    return "|".join(parts)


def money(value) -> Decimal | None:
    """A cell's or record's amount as cents (None for an empty or unreadable cell)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        value = repr(value)
    try:
        return Decimal(str(value).replace(",", "").replace("$", "").strip()).quantize(CENTS, ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def _codes(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (tuple, list)):
        items = value
    else:
        items = str(value).replace(";", ",").split(",")
    return tuple(sorted({" ".join(str(i).split()).upper() for i in items if str(i).strip()}))


def date_of(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):  # a date as xlwings Lite hands it over ("2026-12-05T00:00:00.000Z")
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    if hasattr(value, "date") and callable(value.date):  # pandas Timestamp
        try:
            return value.date()
        except (TypeError, ValueError):
            return None
    return None


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, (str, tuple, list)) and not (value.strip() if isinstance(value, str) else value):
        return True
    try:
        import pandas as pd

        return value is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def same_value(column: str, a, b) -> bool:
    """Whether two values of a posted column are the same for the biller (cents for money,
    case and order ignored for codes, case and spaces for text)."""
    if is_empty(a) or is_empty(b):
        return is_empty(a) and is_empty(b)
    how = POSTED_COLUMNS[column][1]
    if how == "money":
        return money(a) == money(b)
    if how == "date":
        return date_of(a) == date_of(b)
    if how == "codes":
        return _codes(a) == _codes(b)
    if how == "status":
        same = {status_key("Partially Paid"): status_key(PAID_STATUS)}  # the biller's word for a paid line
        return same.get(status_key(str(a)), status_key(str(a))) == same.get(status_key(str(b)), status_key(str(b)))
    return " ".join(str(a).split()).casefold() == " ".join(str(b).split()).casefold()


def shown(column: str, value) -> str:
    """A posted value as the findings and the printed report show it."""
    if is_empty(value):
        return "(blank)"
    how = POSTED_COLUMNS[column][1]
    if how == "money":
        amount = money(value)
        return str(value) if amount is None else f"{amount:.2f}"
    if how == "date":
        day = date_of(value)
        return day.isoformat() if day else str(value)
    if how == "codes" and isinstance(value, (tuple, list)):
        return ", ".join(value)
    return str(value)


def adjustments_text(adjustments: Iterable[Adjustment]) -> str:
    """``CO-45 50.00; PR-1 300.00``."""
    return "; ".join(a.label() for a in adjustments)


def total(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((a for a in amounts if a is not None), Decimal(0))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def status_for(paid: Decimal | None, adjustments: Sequence[Adjustment], claim: ClaimPayment) -> str:
    if claim.is_reversal:
        return REVERSED_STATUS
    if paid is not None and paid > 0:
        return PAID_STATUS
    if total(a.amount for a in adjustments if a.group == "PR") > 0:
        return PATIENT_STATUS
    return DENIED_STATUS


def _denial_codes(adjustments: Sequence[Adjustment], remarks: Sequence[str]) -> str:
    return ", ".join(_unique([f"{a.group}-{a.reason}" for a in adjustments if a.group != "PR"] + list(remarks)))


def line_values(payment: Payment, claim: ClaimPayment, service: ServicePayment) -> dict[str, object]:
    """What one matched service line posts (column -> value), before looking at the cells."""
    both = tuple(service.adjustments) + tuple(claim.adjustments)
    status = status_for(service.paid, both, claim)
    remarks = _unique(list(service.remarks) + list(claim.remarks))
    patient = total(a.amount for a in service.adjustments if a.group == "PR")
    paid = money(service.paid)
    allowed = money(service.allowed)
    if allowed is None and status == PAID_STATUS and paid is not None:
        allowed = paid + patient
    values = common_values(payment, claim, status, both, remarks)
    values.update({PAID: paid, ALLOWED: allowed, PATIENT_RESPONSIBILITY: patient.quantize(CENTS)})
    if service.adjustments:
        values[ADJUSTMENTS] = adjustments_text(service.adjustments)
    return {k: v for k, v in values.items() if v is not None}


def claim_values(payment: Payment, claim: ClaimPayment, single_row: bool) -> dict[str, object]:
    """What a claim posted at claim level gives each of its rows (amounts only to a lone row)."""
    lines = tuple(a for s in claim.services for a in s.adjustments)
    both = tuple(claim.adjustments) + lines
    status = status_for(claim.paid, both, claim)
    remarks = _unique(list(claim.remarks) + [r for s in claim.services for r in s.remarks])
    values = common_values(payment, claim, status, both, remarks)
    if claim.paid is None:  # CLP04 unreadable: no Status, Denial Codes or amounts from a guess
        for column in (STATUS, DENIAL_CODES, DENIAL_DATE):
            values.pop(column, None)
        return values
    if single_row:
        patient = claim.patient_responsibility
        if patient is None:
            patient = total(a.amount for a in both if a.group == "PR")
        values.update({PAID: money(claim.paid), PATIENT_RESPONSIBILITY: money(patient)})
        if both:
            values[ADJUSTMENTS] = adjustments_text(both)
    return {k: v for k, v in values.items() if v is not None}


def common_values(payment: Payment, claim: ClaimPayment, status: str, adjustments, remarks) -> dict[str, object]:
    values: dict[str, object] = {STATUS: status}
    if claim.payer_claim_number:
        values[PAYER_CLAIM_NUMBER] = claim.payer_claim_number
    if claim.payer_order:
        values[PAYER_ORDER] = claim.payer_order
    if payment.remit_date is not None:
        values[REMIT_DATE] = payment.remit_date
    if remarks:
        values[REMARKS] = ", ".join(remarks)
    if status == DENIED_STATUS:
        values[DENIAL_CODES] = _denial_codes(adjustments, remarks)
        if payment.remit_date is not None:
            values[DENIAL_DATE] = payment.remit_date
    return values
