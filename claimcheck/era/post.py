"""Posting remittances (835) to the Claims lines: what each cell would become.

``post_era(book, era_texts, as_of)`` reads the remittances, matches them to the Claims rows
(:mod:`claimcheck.era.match`) and returns an :class:`~claimcheck.era.postings.EraPosting`: plain
frozen records (:mod:`claimcheck.era.postings`) saying, per claim and per cell (the columns and
values: :mod:`claimcheck.era.cells`), what the posting writes, what it leaves alone and why. It writes
nothing; :mod:`claimcheck.era.workbook` applies a posting to a copy of the workbook.

What a matched service line (SVC) gets, in the contract's columns:

* **Status**: ``Reversed`` for a reversal (CLP02 22); ``Paid`` when the line's payment (SVC03)
  is above zero; with nothing paid, ``Patient Responsibility`` when the line and its claim leave
  an amount to the patient (group PR adjustments, e.g. the deductible), else ``Denied``.
* **Paid Amount** SVC03; **Allowed Amount** AMT*B6, else paid plus patient responsibility for a
  paid line; **Patient Responsibility** the line's PR adjustments; **Adjustments** the line's
  CAS as ``CO-45 50.00; PR-1 300.00``; **Remark Codes** LQ*HE with the claim's MOA/MIA;
  **Payer Claim Number** CLP07; **Payer Order** from CLP02; **Remit Date** BPR16, else DTM*405.
* A **Denied** line also gets **Denial Codes** (``CO-16, N14``: the adjustments that are not
  patient responsibility, the line's and the claim's, then the remark codes) and **Denial Date**
  (the remit date).

Claim-level adjustments (CAS right under CLP) stay at claim level: they are listed on the claim
posting (and the ``ERA Lines`` sheet's claim row), count for the Status and Denial Codes of its
lines, but are not added to a line's Adjustments. A claim the reader could not read in full, or
with no service lines, is posted at claim level: every row of the claim gets Status, Payer Claim
Number, Payer Order, Remit Date (and Denial Codes/Date when denied); the amounts only when the
claim has one row.

Never overwritten in silence: a cell that already holds a different value keeps it, and the
difference becomes an ERA001 finding naming both values - except a Status that is still open
(blank, Draft, Ready, Submitted, Rejected, Appealed: the remittance is the answer to it) and a
value this posting wrote earlier (a correction or reversal replaces it, and says so: ERA006).

Idempotent: each claim payment has a key, TRN02 + CLP01 + CLP07 (and ``22`` for a reversal, so
a reversal and its correction under one check and one payer claim number stay apart). A key
already posted (given in ``earlier``, read from the workbook's ``ERA Lines`` sheet, or seen
before in the same run) is skipped whole, so posting a file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable, Sequence

from claimcheck.columns import status_key
from claimcheck.era.cells import (
    ADJUSTMENTS,
    ALLOWED,
    CENTS,
    DENIAL_CODES,
    DENIAL_DATE,
    KEPT,
    OPEN_STATUSES,
    PAID,
    PATIENT_RESPONSIBILITY,
    PAYER_CLAIM_NUMBER,
    PAYER_ORDER,
    POSTED_COLUMNS,
    REMIT_DATE,
    REPLACED,
    REVERSED_STATUS,
    SAME,
    SET,
    STATUS,
    claim_values,
    common_values,
    date_of,
    is_empty,
    line_values,
    money,
    posting_key,
    same_value,
    shown,
    status_for,
    total,
)
from claimcheck.era.match import ClaimMatch, match_payments
from claimcheck.era.postings import (
    CONFLICT,
    OUT_OF_BALANCE,
    PARTLY_READ,
    REPLACED_POSTING,
    SEND_TO_SECONDARY,
    UNDER_CONTRACT,
    UNMATCHED_CLAIM,
    UNMATCHED_LINE,
    CellPosting,
    ClaimPosting,
    EraPosting,
    PostedLine,
    Reconciliation,
    RowPosting,
    era_finding,
)
from claimcheck.era.records import Payment, RemittanceBatch
from claimcheck.models import Finding

if TYPE_CHECKING:
    from claimcheck.book import Book

# --------------------------------------------------------------------------- posting

@dataclass
class _Sheet:
    """The Claims cells a posting looks at, updated as claims are posted in file order, and
    which of them an earlier posting wrote (with that posting's key)."""

    cells: dict[int, dict[str, object]]
    claim_ids: dict[int, str]
    ours: dict[int, dict[str, tuple[object, str]]] = field(default_factory=dict)

    def decide(self, row: int, column: str, value) -> CellPosting:
        was = self.cells.get(row, {}).get(column)
        mine = self.ours.get(row, {}).get(column)
        if same_value(column, was, value):
            action = SAME
        elif is_empty(value):
            # clearing: only a value an earlier posting wrote (a reversal takes it back)
            action = REPLACED if mine is not None and same_value(column, was, mine[0]) else SAME
        elif is_empty(was) or (column == STATUS and status_key(str(was)) in OPEN_STATUSES):
            action = SET
        elif mine is not None and same_value(column, was, mine[0]):
            action = REPLACED
        else:
            action = KEPT
        return CellPosting(column, value, was, action)

    def apply(self, row: int, cell: CellPosting, key: str) -> None:
        if cell.changes:
            self.cells.setdefault(row, {})[cell.column] = cell.value
        if cell.action != KEPT:
            self.ours.setdefault(row, {})[cell.column] = (cell.value, key)


def _sheet(book: Book, earlier: Sequence[PostedLine]) -> _Sheet:
    claims = book.claims
    fields = {column: spec[0] for column, spec in POSTED_COLUMNS.items()}
    rows = [int(r) for r in claims["row"]]
    ids = ["" if v is None else str(v).strip() for v in claims["claim_id"]]
    cells: dict[int, dict[str, object]] = {r: {} for r in rows}
    for column, name in fields.items():
        if name not in claims.columns or name not in book.present:
            continue
        for r, v in zip(rows, claims[name]):
            if not is_empty(v):
                cells[r][column] = v
    sheet = _Sheet(cells=cells, claim_ids=dict(zip(rows, ids)))
    for posted in earlier:
        if posted.row is None or sheet.claim_ids.get(posted.row, "").upper() != posted.claim_id.strip().upper():
            continue  # the row moved or was deleted since: nothing to recognise there
        for column, value in posted.values:
            if column in POSTED_COLUMNS:
                sheet.ours.setdefault(posted.row, {})[column] = (value, posted.key)
    return sheet




def _payment_label(payment: Payment) -> str:
    return f"payment {payment.trace_number or '(no trace number)'}"


def _reversal_values(sheet: _Sheet, row: int, paid: Decimal | None) -> dict[str, object]:
    """A reversal takes back what was paid on the row: Paid Amount nets to what is left (never
    below zero), the amounts an earlier posting wrote are cleared."""
    before = money(sheet.cells.get(row, {}).get(PAID))
    left = max((before or Decimal(0)) + (money(paid) or Decimal(0)), Decimal(0)).quantize(CENTS)
    return {STATUS: REVERSED_STATUS, PAID: left, ALLOWED: None, PATIENT_RESPONSIBILITY: None,
            ADJUSTMENTS: None, DENIAL_CODES: None, DENIAL_DATE: None}


def _post_claim(match: ClaimMatch, key: str, sheet: _Sheet, findings: list[Finding]) -> ClaimPosting:
    payment, claim = match.payment, match.claim
    lines_ok = bool(claim.services) and not claim.partly_read
    plan: list[tuple[int, int | None, dict[str, object]]] = []  # (row, service, values)
    unmatched: list[int] = []
    if lines_ok:
        for line in match.lines:
            if line.row is None:
                unmatched.append(line.service)
                continue
            service = claim.services[line.service]
            values = (_reversal_values(sheet, line.row, service.paid) if claim.is_reversal
                      else line_values(payment, claim, service))
            if claim.is_reversal:
                values.update({k: v for k, v in common_values(payment, claim, REVERSED_STATUS, (), ()).items()
                               if k in (PAYER_CLAIM_NUMBER, REMIT_DATE)})
            plan.append((line.row, line.service, values))
        status = status_for(claim.paid, claim.adjustments, claim) if not plan else plan[0][2][STATUS]
    else:
        single = len(match.rows) == 1
        for row in match.rows:
            if claim.is_reversal:
                values = _reversal_values(sheet, row, claim.paid if single else None)
                if not single:
                    del values[PAID]
                values.update({k: v for k, v in common_values(payment, claim, REVERSED_STATUS, (), ()).items()
                               if k in (PAYER_CLAIM_NUMBER, REMIT_DATE)})
            else:
                values = claim_values(payment, claim, single)
            plan.append((row, None, values))
        status = plan[0][2].get(STATUS, "")
        if claim.partly_read:
            findings.append(era_finding(PARTLY_READ, f"claim {claim.patient_control_number} of "
                                     f"{_payment_label(payment)} could not be read in full "
                                     f"({'; '.join(claim.problems)}); posted at claim level only",
                                     row=match.rows[0], claim_id=match.claim_id))
    rows: list[RowPosting] = []
    replaced: dict[str, None] = {}
    for row, service, values in plan:
        cells = []
        for column, value in values.items():
            cell = sheet.decide(row, column, value)
            if cell.action == REPLACED:
                earlier = sheet.ours[row][column][1]
                if earlier != key:
                    replaced.setdefault(earlier, None)
            if cell.action == KEPT:
                findings.append(era_finding(CONFLICT, f"{column}: typed {shown(column, cell.was)}, the remittance says "
                                         f"{shown(column, value)} ({_payment_label(payment)}, payer claim number "
                                         f"{claim.payer_claim_number or '(none)'}); the typed value was kept",
                                         row=row, claim_id=match.claim_id, column=column))
            sheet.apply(row, cell, key)
            cells.append(cell)
        rows.append(RowPosting(row=row, cells=tuple(cells), service=service))
    for service in unmatched:
        svc = claim.services[service]
        problem = next(l.problem for l in match.lines if l.service == service)
        code = svc.procedure.label() if svc.procedure else "no code"
        findings.append(era_finding(UNMATCHED_LINE, f"service line {service + 1} ({code}, paid "
                                 f"{shown(PAID, svc.paid)}) of claim {claim.patient_control_number} in "
                                 f"{_payment_label(payment)}: {problem}; not posted",
                                 row=match.rows[0], claim_id=match.claim_id))
    if replaced:
        what = "reversal" if claim.is_reversal else "correction"
        changed = [f"{c.column} {shown(c.column, c.was)} -> {shown(c.column, c.value)}"
                   for r in rows for c in r.cells if c.action == REPLACED]
        findings.append(era_finding(REPLACED_POSTING, f"the {what} in {_payment_label(payment)} (payer claim "
                                 f"number {claim.payer_claim_number or '(none)'}) replaces the earlier posting "
                                 f"{', '.join(replaced)}: {'; '.join(changed)}",
                                 row=rows[0].row if rows else None, claim_id=match.claim_id))
    return ClaimPosting(payment=payment, claim=claim, key=key, outcome="posted", status=str(status),
                        claim_level=not lines_ok, rows=tuple(rows), unmatched_services=tuple(unmatched),
                        replaced=tuple(replaced))


# --------------------------------------------------------------------------- secondary and contract

FEE_SCHEDULE_SHEET = "Fee Schedule"
#: Fee Schedule headers (any case and spacing) and the other names taken for them.
FEE_SCHEDULE_HEADERS = {"Payer": ("payer", "payername", "insurance"),
                        "Code": ("code", "cpt", "procedure", "procedurecode", "cpthcpcs"),
                        "Modifier": ("modifier", "modifiers", "mod", "mods"),
                        "Contracted Amount": ("contractedamount", "contracted", "contractamount", "contractrate",
                                              "rate", "fee", "amount")}


def _modifier_key(modifiers) -> str:
    if modifiers is None:
        return ""
    items = modifiers if isinstance(modifiers, (tuple, list)) else str(modifiers).replace(",", " ").replace("-", " ").split()
    return "-".join(sorted(str(m).strip().upper() for m in items if str(m).strip()))


def read_fee_schedule(rows: Sequence[Sequence[object]]) -> dict[tuple[str, str, str], Decimal]:
    """The optional ``Fee Schedule`` sheet (header in the first row: Payer, Code, Modifier,
    Contracted Amount): (payer, code, modifiers) -> the contracted amount per unit. A blank
    Modifier means the code with any modifiers; rows without a payer, a code or a readable
    amount are left out."""
    if not rows:
        return {}
    keys = [re.sub(r"[^0-9a-z]", "", str(h).lower()) if h is not None else "" for h in rows[0]]
    where = {}
    for name, names in FEE_SCHEDULE_HEADERS.items():
        where[name] = next((i for i, k in enumerate(keys) if k in names), None)
    if where["Payer"] is None or where["Code"] is None or where["Contracted Amount"] is None:
        return {}
    out: dict[tuple[str, str, str], Decimal] = {}
    for row in rows[1:]:
        def get(name):
            i = where[name]
            return row[i] if i is not None and i < len(row) else None

        payer, code, amount = str(get("Payer") or "").strip().upper(), str(get("Code") or "").strip().upper(), money(get("Contracted Amount"))
        if code.endswith(".0"):
            code = code[:-2]
        if payer and code and amount is not None:
            out[(payer, code, _modifier_key(get("Modifier")))] = amount
    return out


def _claims_facts(book: Book) -> dict[int, dict[str, object]]:
    c = book.claims
    names = [n for n in ("claim_id", "client_id", "dos", "cpt", "modifiers", "payer", "payer_order", "status", "units")
             if n in c.columns]
    out = {}
    for values in zip(c["row"], *(c[n] for n in names)):
        out[int(values[0])] = dict(zip(names, values[1:]))
    return out


def _order_key(value) -> str:
    text = "" if is_empty(value) else str(value).strip().capitalize()
    return "" if text == "Primary" else text


def _secondary_findings(book: Book, claims: Sequence[ClaimPosting], facts: dict[int, dict]) -> list[Finding]:
    """A primary's payment that leaves the patient a balance, when the same service has a line
    for a secondary payer (Payer Order Secondary) that is on the Payers sheet and still waits to
    be sent: that line should go out with the primary's payment and adjustments."""
    secondary_rows: dict[tuple, list[int]] = {}
    for row, f in facts.items():
        if _order_key(f.get("payer_order")) == "Secondary":
            key = (str(f.get("client_id") or "").strip().upper(), date_of(f.get("dos")), str(f.get("cpt") or "").upper())
            secondary_rows.setdefault(key, []).append(row)
    out = []
    for claim in claims:
        if claim.outcome != "posted" or claim.claim.payer_order != "Primary":
            continue
        for r in claim.rows:
            patient = r.cell(PATIENT_RESPONSIBILITY)
            if patient is None or not patient.value or money(patient.value) <= 0:
                continue
            f = facts.get(r.row, {})
            key = (str(f.get("client_id") or "").strip().upper(), date_of(f.get("dos")), str(f.get("cpt") or "").upper())
            for other in secondary_rows.get(key, []):
                o = facts[other]
                payer = str(o.get("payer") or "").strip()
                if not payer or payer.upper() not in book.payers:
                    continue
                if status_key(str(o.get("status") or "")) not in OPEN_STATUSES - {status_key("Submitted"), status_key("Appealed")}:
                    continue  # already sent or answered
                paid = r.cell(PAID)
                adjustments = r.cell(ADJUSTMENTS)
                out.append(era_finding(SEND_TO_SECONDARY, (
                    f"the primary ({claim.payment.payer_name or 'payer'}, payment {claim.payment.trace_number}, payer claim "
                    f"number {claim.claim.payer_claim_number or '(none)'}) paid {shown(PAID, paid.value if paid else None)} "
                    f"and left {shown(PAID, patient.value)} to the patient; send this line to {payer} with the primary's "
                    f"payment and adjustments ({adjustments.value if adjustments and adjustments.value else 'none'}) "
                    f"from row {r.row}"), row=other, claim_id=str(o.get("claim_id") or ""),
                    column=PAYER_ORDER))
    return out


def _contract_findings(claims: Sequence[ClaimPosting], facts: dict[int, dict],
                       fees: dict[tuple[str, str, str], Decimal]) -> list[Finding]:
    """A line whose allowed amount is under the contracted amount (Fee Schedule x units)."""
    out = []
    for claim in claims:
        if claim.outcome != "posted" or claim.claim.is_reversal:
            continue
        for r in claim.rows:
            allowed = r.cell(ALLOWED)
            if allowed is None or money(allowed.value) is None or r.service is None:
                continue
            f = facts.get(r.row, {})
            payer, code = str(f.get("payer") or "").strip().upper(), str(f.get("cpt") or "").strip().upper()
            mods = _modifier_key(f.get("modifiers"))
            rate = fees.get((payer, code, mods), fees.get((payer, code, "")))
            if rate is None:
                continue
            units = claim.claim.services[r.service].paid_units
            contracted = (rate * units).quantize(CENTS)
            if money(allowed.value) < contracted:
                label = "-".join(filter(None, (code, mods)))
                out.append(era_finding(UNDER_CONTRACT, (
                    f"{label}: the payer allowed {shown(ALLOWED, allowed.value)}, the Fee Schedule contract is "
                    f"{contracted:.2f} ({rate:.2f} x {units.normalize()} unit{'s' if units != 1 else ''}): "
                    f"{contracted - money(allowed.value):.2f} under contract (payment {claim.payment.trace_number}, "
                    f"payer claim number {claim.claim.payer_claim_number or '(none)'})"),
                    row=r.row, claim_id=claim.claim_id, column=ALLOWED))
    return out


def reconcile(payment: Payment) -> Reconciliation:
    return Reconciliation(payment=payment, claims_paid=total(c.paid for c in payment.claims),
                          provider_adjustments=total(p.amount for p in payment.provider_adjustments))


def read_remittances(era_texts: Iterable[str | RemittanceBatch]) -> RemittanceBatch:
    """Every payment of every text, in order (raises ``EraProblem`` for a text that is not a
    whole 835)."""
    from claimcheck.era.read import read_835

    payments: list[Payment] = []
    for text in era_texts:
        batch = text if isinstance(text, RemittanceBatch) else read_835(text)
        payments.extend(batch.payments)
    return RemittanceBatch(payments=tuple(payments))


def post_era(book: Book, era_texts: Iterable[str | RemittanceBatch], as_of: dt.date | None = None, *,
             earlier: Sequence[PostedLine] = (),
             fee_schedule: dict[tuple[str, str, str], Decimal] | None = None) -> EraPosting:
    """What posting the remittances ``era_texts`` (835 texts, or batches already read) to
    ``book`` does. ``earlier``: the postings the workbook already holds (its ``ERA Lines``
    sheet), so a key posted before is skipped and values it wrote may be replaced.
    ``fee_schedule``: the contracted amounts (:func:`read_fee_schedule`), for ERA008."""
    as_of = as_of or dt.date.today()
    batch = read_remittances(era_texts)
    sheet = _sheet(book, earlier)
    done = {p.key for p in earlier}
    findings: list[Finding] = []
    claims: list[ClaimPosting] = []
    for match in match_payments(book, batch):
        key = posting_key(match.payment, match.claim)
        if key in done:
            claims.append(ClaimPosting(payment=match.payment, claim=match.claim, key=key, outcome="already posted"))
            continue
        done.add(key)
        if not match.matched:
            claims.append(ClaimPosting(payment=match.payment, claim=match.claim, key=key, outcome="unmatched"))
            findings.append(era_finding(UNMATCHED_CLAIM, f"claim {match.claim.patient_control_number} in "
                                     f"{_payment_label(match.payment)} (paid {shown(PAID, match.claim.paid)}): "
                                     f"{match.problem}; listed on ERA Unmatched, not added to Claims",
                                     claim_id=match.claim.patient_control_number, sheet="ERA Unmatched"))
            continue
        claims.append(_post_claim(match, key, sheet, findings))
    facts = _claims_facts(book)
    findings += _secondary_findings(book, claims, facts)
    if fee_schedule:
        findings += _contract_findings(claims, facts, fee_schedule)
    payments = tuple(reconcile(p) for p in batch.payments)
    for rec in payments:
        if not rec.balanced:
            paid = "no amount" if rec.payment.amount is None else f"{rec.payment.amount:.2f}"
            findings.append(era_finding(OUT_OF_BALANCE, f"{_payment_label(rec.payment)} pays {paid}, but its claims "
                                     f"add up to {rec.claims_paid:.2f} less provider adjustments "
                                     f"{rec.provider_adjustments:.2f} = {rec.expected:.2f}",
                                     sheet="Remittances"))
    return EraPosting(as_of=as_of, claims=tuple(claims), payments=payments, findings=tuple(findings))


def posted_lines(posting: EraPosting) -> tuple[PostedLine, ...]:
    """The postings of this run as the ``ERA Lines`` sheet records them (what the next run is
    given as ``earlier``): per posted row, its key and the values the remittance gave it (a
    value kept because the biller typed another is not recorded as ours)."""
    out: list[PostedLine] = []
    for claim in posting.claims:
        if claim.outcome != "posted":
            continue
        for row in claim.rows:
            values = tuple((c.column, c.value) for c in row.cells if c.action != KEPT)
            out.append(PostedLine(key=claim.key, row=row.row, claim_id=claim.claim_id, values=values))
        if not claim.rows:
            out.append(PostedLine(key=claim.key, row=None, claim_id=claim.claim_id))
    return tuple(out)
