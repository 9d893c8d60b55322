"""What a posting run says (:func:`claimcheck.era.post.post_era`): per cell, row, claim
payment and payment, as plain frozen records, and the ERA finding codes it raises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from claimcheck.era.cells import REPLACED, SET
from claimcheck.era.records import ClaimPayment, Payment
from claimcheck.models import Finding

#: Finding codes (registered in claimcheck.era.findings).
CONFLICT, UNMATCHED_CLAIM, UNMATCHED_LINE, OUT_OF_BALANCE, PARTLY_READ, REPLACED_POSTING = (
    "ERA001", "ERA002", "ERA003", "ERA004", "ERA005", "ERA006")
SEND_TO_SECONDARY, UNDER_CONTRACT = "ERA007", "ERA008"
PROBLEM_CODES = frozenset((CONFLICT, UNMATCHED_CLAIM, UNMATCHED_LINE, OUT_OF_BALANCE, PARTLY_READ))
_SEVERITY = {CONFLICT: "warning", UNMATCHED_CLAIM: "warning", UNMATCHED_LINE: "warning",
             OUT_OF_BALANCE: "error", PARTLY_READ: "warning", REPLACED_POSTING: "info",
             SEND_TO_SECONDARY: "warning", UNDER_CONTRACT: "warning"}


@dataclass(frozen=True)
class CellPosting:
    """One Claims cell: the remittance's ``value`` (None clears a value an earlier posting wrote),
    what the cell held before (``was``, as read) and what happened (``action``: set, same,
    replaced, kept)."""

    column: str
    value: object
    was: object
    action: str

    @property
    def changes(self) -> bool:
        return self.action in (SET, REPLACED)


@dataclass(frozen=True)
class RowPosting:
    """What one Claims row gets from one claim payment: from a service line (``service`` is its
    index in the claim's services) or from the claim itself (``service`` None)."""

    row: int
    cells: tuple[CellPosting, ...]
    service: int | None = None

    def cell(self, column: str) -> CellPosting | None:
        return next((c for c in self.cells if c.column == column), None)

    @property
    def changed(self) -> tuple[CellPosting, ...]:
        return tuple(c for c in self.cells if c.changes)


@dataclass(frozen=True)
class ClaimPosting:
    """One claim payment of a remittance and what posting it does.

    ``outcome``: ``posted``; ``already posted`` (its key was posted before: nothing changes);
    ``unmatched`` (no Claims row has its Claim ID: nothing is posted, it is listed).
    ``status`` is the Status the claim's lines get (the claim-level one for a claim posted at
    claim level). ``unmatched_services`` are the indexes of service lines that matched no row."""

    payment: Payment
    claim: ClaimPayment
    key: str
    outcome: str
    status: str = ""
    claim_level: bool = False
    rows: tuple[RowPosting, ...] = ()
    unmatched_services: tuple[int, ...] = ()
    replaced: tuple[str, ...] = ()  # keys of earlier postings this one replaced

    @property
    def claim_id(self) -> str:
        return self.claim.patient_control_number

    @property
    def changed_cells(self) -> int:
        return sum(len(r.changed) for r in self.rows)


@dataclass(frozen=True)
class Reconciliation:
    """Whether one payment adds up: the claims' payments (sum of CLP04) minus the provider-level
    adjustments (sum of PLB amounts) should equal the payment (BPR02)."""

    payment: Payment
    claims_paid: Decimal
    provider_adjustments: Decimal

    @property
    def expected(self) -> Decimal:
        return self.claims_paid - self.provider_adjustments

    @property
    def balanced(self) -> bool:
        return self.payment.amount is not None and self.expected == self.payment.amount

    @property
    def difference(self) -> Decimal | None:
        return None if self.payment.amount is None else self.payment.amount - self.expected


@dataclass(frozen=True)
class PostedLine:
    """One earlier posting as the workbook's ``ERA Lines`` sheet records it: its key, the Claims
    row and Claim ID it went to, and the values it wrote (column -> value)."""

    key: str
    row: int | None
    claim_id: str
    values: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class EraPosting:
    """Everything one posting run does: per claim payment (file order), per payment, and the
    ERA findings."""

    as_of: dt.date
    claims: tuple[ClaimPosting, ...]
    payments: tuple[Reconciliation, ...]
    findings: tuple[Finding, ...] = ()

    @property
    def unmatched(self) -> tuple[ClaimPosting, ...]:
        return tuple(c for c in self.claims if c.outcome == "unmatched")

    @property
    def has_problems(self) -> bool:
        """Unmatched claims or lines, conflicts, partly read claims or a payment that does not
        add up (the command's exit 1). A line to send to the secondary (ERA007) or paid under
        contract (ERA008) is work to do, not a problem of the posting."""
        return any(f.code in PROBLEM_CODES for f in self.findings)


def era_finding(code: str, message: str, *, row: int | None = None, claim_id: str = "", column: str = "",
                sheet: str = "Claims") -> Finding:
    """An ERA finding, with the severity its code is declared with (claimcheck.era.findings)."""
    return Finding(sheet=sheet, row=row, claim_id=claim_id, column=column, code=code,
                   severity=_SEVERITY[code], message=message)
