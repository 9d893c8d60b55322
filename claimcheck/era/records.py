"""Plain records read from an 835 remittance (X12 005010X221A1).

Every record is a frozen dataclass holding only tuples, strings, dates and Decimals, so two
reads of the same file compare equal and records can be shared freely. Money is always a
``Decimal`` built from the file's own digits (never a float); a missing amount is ``None``.

Segment and element names in the field comments (CLP04, SVC01-2, ...) are the X12 element
positions; what each element means is described here in our own words.

Patient names and member IDs (NM1*QC, NM1*IL) are deliberately not kept: posting matches on the
patient control number (CLP01), and records that never hold names cannot leak them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterator

#: CLP02 values that say which payer this remittance comes from for the claim.
PAYER_ORDER_BY_STATUS = {
    "1": "Primary", "19": "Primary",
    "2": "Secondary", "20": "Secondary",
    "3": "Tertiary", "21": "Tertiary",
}
#: CLP02 value for a reversal of an earlier payment.
REVERSAL_STATUS = "22"
#: CLP02 value for a denial.
DENIED_STATUS = "4"


@dataclass(frozen=True)
class Adjustment:
    """One adjustment from a CAS segment: the group (CO, PR, OA, PI, CR), the reason code
    (a CARC), the amount and, when the payer gave one, the quantity."""

    group: str
    reason: str
    amount: Decimal | None
    quantity: Decimal | None = None

    def label(self) -> str:
        """``CO-45 50.00``: group, reason and amount as billers write them."""
        amount = "" if self.amount is None else f" {self.amount}"
        return f"{self.group}-{self.reason}{amount}"


@dataclass(frozen=True)
class ProviderAdjustment:
    """One provider-level adjustment from a PLB segment (not tied to a claim): the provider
    identifier (PLB01), the fiscal period date (PLB02), the reason (first part of the PLB03
    composite, e.g. WO, L6, FB), the payer's reference (its second part, may be empty) and the
    amount. A positive amount reduces the payment; a negative one adds to it."""

    provider_id: str
    fiscal_period_date: date | None
    reason: str
    reference: str
    amount: Decimal | None


@dataclass(frozen=True)
class Procedure:
    """A procedure as the payer states it (SVC01 or SVC06): qualifier (HC for CPT/HCPCS, NU for
    a revenue code, ...), the code and up to four modifiers."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...] = ()

    def label(self) -> str:
        """``90834-HO-GT``: code and modifiers joined with dashes."""
        return "-".join((self.code, *self.modifiers))


@dataclass(frozen=True)
class ServicePayment:
    """One service line of a claim payment (loop 2110, starting at SVC).

    ``units`` is SVC05 as written; the guide says an absent SVC05 means one unit
    (see :attr:`paid_units`). ``service_date`` is DTM*472 or, for a range, DTM*150 with
    ``service_date_end`` from DTM*151. ``allowed`` is AMT*B6. ``remarks`` are the LQ*HE remark
    codes (RARCs)."""

    procedure: Procedure | None
    charge: Decimal | None
    paid: Decimal | None
    revenue_code: str = ""
    units: Decimal | None = None
    submitted_procedure: Procedure | None = None
    service_date: date | None = None
    service_date_end: date | None = None
    line_control_number: str = ""
    allowed: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()

    @property
    def paid_units(self) -> Decimal:
        """Units paid: SVC05, or one when the payer left it out."""
        return Decimal(1) if self.units is None else self.units


@dataclass(frozen=True)
class ClaimPayment:
    """One claim payment (loop 2100, starting at CLP).

    ``status_code`` is CLP02 (1/2/3 processed as primary/secondary/tertiary, 4 denied,
    22 reversal of an earlier payment, ...). ``adjustments`` are the CAS segments at claim level
    only; line adjustments stay on their :class:`ServicePayment`. ``remarks`` are the remark
    codes from MOA (outpatient) and MIA (inpatient). ``statement_from``/``statement_to`` are
    DTM*232/233.

    ``partly_read`` is true when some segment of this claim could not be read as the guide
    lays it out; ``problems`` says which, in one short line each (no patient data). The
    claim-level figures (CLP) are still given when they could be read."""

    patient_control_number: str
    status_code: str
    charge: Decimal | None
    paid: Decimal | None
    patient_responsibility: Decimal | None
    filing_indicator: str = ""
    payer_claim_number: str = ""
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    statement_from: date | None = None
    statement_to: date | None = None
    services: tuple[ServicePayment, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def partly_read(self) -> bool:
        return bool(self.problems)

    @property
    def payer_order(self) -> str:
        """Primary, Secondary or Tertiary from CLP02; empty for other statuses."""
        return PAYER_ORDER_BY_STATUS.get(self.status_code, "")

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL_STATUS


@dataclass(frozen=True)
class Payment:
    """One payment: a transaction set (ST..SE) of an 835, i.e. one check or EFT and the claims
    it pays.

    Envelope ids: ``interchange_control_number`` (ISA13), ``group_control_number`` (GS06),
    ``transaction_control_number`` (ST02). ``trace_number`` is TRN02 (the check or EFT number),
    ``amount`` BPR02, ``credit_debit`` BPR03 (C or D), ``method`` BPR04 (CHK, ACH, NON, ...),
    ``payment_date`` BPR16 and ``production_date`` DTM*405. ``payer_id`` is N1*PR's N104 or,
    failing that, its REF*2U. ``problems`` lists header or trailer segments that could not be
    read; claim problems stay on their claim."""

    interchange_control_number: str
    group_control_number: str
    transaction_control_number: str
    sender_id: str = ""
    receiver_id: str = ""
    version: str = ""
    trace_number: str = ""
    amount: Decimal | None = None
    credit_debit: str = ""
    method: str = ""
    payment_date: date | None = None
    production_date: date | None = None
    payer_name: str = ""
    payer_id: str = ""
    payee_name: str = ""
    payee_id_qualifier: str = ""
    payee_id: str = ""
    claims: tuple[ClaimPayment, ...] = ()
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def remit_date(self) -> date | None:
        """BPR16, else DTM*405: the date billers post as the remittance date."""
        return self.payment_date or self.production_date


@dataclass(frozen=True)
class RemittanceBatch:
    """Everything read from one 835 file: its payments in file order."""

    payments: tuple[Payment, ...] = ()

    def claims(self) -> Iterator[tuple[Payment, ClaimPayment]]:
        """Each claim payment with the payment it belongs to, in file order."""
        for payment in self.payments:
            for claim in payment.claims:
                yield payment, claim
