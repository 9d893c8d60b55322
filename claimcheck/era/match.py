"""Match the claims and service lines of an 835 to the workbook's Claims rows.

A pure function over a :class:`claimcheck.book.Book` and a :class:`RemittanceBatch`: it
writes nothing and changes nothing, it only says which sheet row each payment belongs to.

* A claim payment matches the Claims rows whose **Claim ID** equals CLP01 (the patient control
  number the practice sent), ignoring case and surrounding spaces.
* A service payment matches one of those rows by **procedure code and modifiers** (the code as
  billed: SVC06 when the payer changed the code, else SVC01; modifiers in any order), and by
  **service date**: DTM*472 (or DTM*150..151), else the claim's statement dates DTM*232..233,
  else any date. When the Claims sheet has a Line Control Number column (REF*6R as sent on the
  claim) a line that carries REF*6R matches on it first.
* Each row is used once per claim payment. Alike lines (same code, modifiers and date) are
  matched in sheet order, and the match says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from claimcheck.era.records import ClaimPayment, Payment, RemittanceBatch, ServicePayment

if TYPE_CHECKING:
    from claimcheck.book import Book

BY_LINE_CONTROL_NUMBER = "line control number"
BY_CODE_AND_DATE = "code, modifiers and date"
BY_CODE_AND_DATE_IN_ORDER = "code, modifiers and date; alike lines taken in sheet order"


@dataclass(frozen=True)
class LineMatch:
    """Where one service payment (``claim.services[service]``) lands: the sheet ``row`` of the
    Claims line it pays, or ``None`` with the ``problem`` in one line."""

    service: int
    row: int | None
    how: str = ""
    problem: str = ""


@dataclass(frozen=True)
class ClaimMatch:
    """One claim payment of the batch and the workbook rows it belongs to.

    ``rows`` are all Claims rows with its Claim ID (empty when none: the claim is unmatched and
    ``problem`` says so); ``lines`` match its service payments one by one."""

    payment: Payment
    claim: ClaimPayment
    claim_id: str
    rows: tuple[int, ...]
    lines: tuple[LineMatch, ...] = ()
    problem: str = ""

    @property
    def matched(self) -> bool:
        return bool(self.rows)


@dataclass(frozen=True)
class _Row:
    row: int
    claim_id: str
    code: str
    modifiers: tuple[str, ...]
    dos: dt.date | None
    line_control_number: str


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _date(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _rows_by_claim(claims: pd.DataFrame) -> dict[str, list[_Row]]:
    has_lcn = "line_control_number" in claims.columns
    lcn = claims["line_control_number"] if has_lcn else [""] * len(claims)
    by_claim: dict[str, list[_Row]] = {}
    for row, claim_id, code, modifiers, dos, control in zip(
            claims["row"], claims["claim_id"], claims["cpt"], claims["modifiers"],
            claims["dos"], lcn):
        key = _text(claim_id).upper()
        if not key:
            continue
        mods = tuple(sorted(_text(m).upper() for m in (modifiers or ()) if _text(m)))
        by_claim.setdefault(key, []).append(_Row(
            row=int(row), claim_id=_text(claim_id), code=_text(code).upper(), modifiers=mods,
            dos=_date(dos), line_control_number=_text(control)))
    return by_claim


def _billed(service: ServicePayment) -> tuple[str, tuple[str, ...]]:
    """The code and sorted modifiers as billed (SVC06 when the payer replaced the code)."""
    procedure = service.submitted_procedure or service.procedure
    if procedure is None:
        return "", ()
    return procedure.code.upper(), tuple(sorted(m.upper() for m in procedure.modifiers))


def _dates(service: ServicePayment, claim: ClaimPayment) -> tuple[dt.date | None, dt.date | None]:
    if service.service_date is not None:
        return service.service_date, service.service_date_end or service.service_date
    if claim.statement_from is not None:
        return claim.statement_from, claim.statement_to or claim.statement_from
    return None, None


def _match_lines(claim: ClaimPayment, rows: list[_Row]) -> tuple[LineMatch, ...]:
    used: set[int] = set()
    found: list[LineMatch] = []
    for index, service in enumerate(claim.services):
        code, modifiers = _billed(service)
        start, end = _dates(service, claim)
        control = service.line_control_number.strip()
        if control:
            by_control = [r for r in rows if r.row not in used and r.line_control_number == control]
            if by_control:
                used.add(by_control[0].row)
                found.append(LineMatch(index, by_control[0].row, BY_LINE_CONTROL_NUMBER))
                continue
        alike = [r for r in rows if r.row not in used and r.code == code
                 and r.modifiers == modifiers
                 and (start is None or (r.dos is not None and start <= r.dos <= end))]
        if not alike:
            label = "-".join((code or "no code", *modifiers))
            when = "" if start is None else f" on {start.isoformat()}" + (
                f" to {end.isoformat()}" if end != start else "")
            found.append(LineMatch(index, None, problem=f"no unmatched line {label}{when} "
                                                        "on this claim"))
            continue
        used.add(alike[0].row)
        how = BY_CODE_AND_DATE if len(alike) == 1 else BY_CODE_AND_DATE_IN_ORDER
        found.append(LineMatch(index, alike[0].row, how))
    return tuple(found)


def match_payments(book: Book, batch: RemittanceBatch) -> tuple[ClaimMatch, ...]:
    """Every claim payment of ``batch``, in file order, with the Claims rows it matches."""
    rows_by_claim = _rows_by_claim(book.claims)
    out: list[ClaimMatch] = []
    for payment, claim in batch.claims():
        key = claim.patient_control_number.strip().upper()
        rows = rows_by_claim.get(key, []) if key else []
        if not rows:
            out.append(ClaimMatch(payment, claim, "", (), problem="no claim with this Claim ID "
                                                                "on the Claims sheet"))
            continue
        out.append(ClaimMatch(payment, claim, rows[0].claim_id, tuple(r.row for r in rows),
                              _match_lines(claim, rows)))
    return tuple(out)
