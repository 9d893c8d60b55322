"""``claimcheck era WORKBOOK ERA_FILE ... --output OUT.xlsx``: post remittances to a copy.

Everything is read and checked before anything is written: a file that is not a whole 835, a
workbook that cannot be read or an output that would overwrite the input raises
:class:`~claimcheck.errors.UnusableInput` (the command prints one line and exits 2) and no file
is written. The copy is saved like ``check --output`` (a temporary file moved into place).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Sequence, TextIO

from claimcheck.era.cells import PAID, shown
from claimcheck.era.post import FEE_SCHEDULE_SHEET, post_era, read_fee_schedule
from claimcheck.era.postings import EraPosting
from claimcheck.errors import UnusableInput


def read_text(path: str | os.PathLike) -> str:
    """An 835 file's text (UTF-8, else Latin-1: X12 is ASCII, payers sometimes add accents)."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_remittance_files(paths: Sequence[str | os.PathLike]):
    """Every file read as an 835 (:class:`RemittanceBatch` each), or UnusableInput naming the file."""
    from claimcheck.era.read import EraProblem, read_835

    batches = []
    for path in paths:
        name = Path(path).name
        try:
            text = read_text(path)
        except OSError as exc:
            raise UnusableInput(f"{path}: {exc.strerror or 'cannot be read'}") from None
        try:
            batches.append(read_835(text))
        except EraProblem as problem:
            raise UnusableInput(f"{name}: {problem}") from None
    return batches


def _check_output(workbook: Path, output: Path) -> None:
    from claimcheck.writer import same_file

    if same_file(workbook, output) if output.exists() else workbook.resolve() == output.resolve():
        raise UnusableInput(f"{output}: --output is the input file; claimcheck never overwrites the input, "
                            "choose another name")
    if output.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UnusableInput(f"{output}: --output must end in .xlsx or .xlsm")
    if workbook.suffix.lower() != ".xlsm" and output.suffix.lower() == ".xlsm":
        raise UnusableInput(f"{output}: the input has no macros; write the output as .xlsx")


def post_files(workbook: str | os.PathLike, era_files: Sequence[str | os.PathLike], output: str | os.PathLike,
               as_of: dt.date) -> EraPosting:
    """Post the remittance files to a copy of ``workbook`` written to ``output``."""
    from claimcheck.api import load_book
    from claimcheck.era.workbook import apply_posting, earlier_postings
    from claimcheck.workbook_file import refusal
    from claimcheck.writer import open_for_update, save_atomically

    workbook, output = Path(workbook), Path(output)
    _check_output(workbook, output)
    batches = read_remittance_files(era_files)
    book = load_book(workbook)
    try:
        wb = open_for_update(workbook)
    except UnusableInput:
        raise
    except Exception as exc:
        raise refusal(workbook, exc) from None
    if workbook.suffix.lower() == ".xlsm" and output.suffix.lower() == ".xlsx":
        wb.vba_archive = None
        wb.is_template = False
    fee_sheet = next((n for n in wb.sheetnames if n.casefold() == FEE_SCHEDULE_SHEET.casefold()), None)
    fees = read_fee_schedule([tuple(r) for r in wb[fee_sheet].iter_rows(values_only=True)]) if fee_sheet else None
    posting = post_era(book, batches, as_of, earlier=earlier_postings(wb), fee_schedule=fees)
    apply_posting(wb, book, posting)
    save_atomically(wb, output)
    return posting


# --------------------------------------------------------------------------- reports

def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 2)
    return value


def to_json(posting: EraPosting, *, workbook: str = "", output: str = "") -> str:
    claims = []
    for c in posting.claims:
        claims.append({
            "claim_id": c.claim_id, "trace_number": c.payment.trace_number,
            "payer_claim_number": c.claim.payer_claim_number, "key": c.key, "outcome": c.outcome,
            "status": c.status, "claim_level": c.claim_level, "partly_read": c.claim.partly_read,
            "paid": _plain(c.claim.paid), "replaced": list(c.replaced),
            "unmatched_service_lines": [i + 1 for i in c.unmatched_services],
            "rows": [{"row": r.row, "service_line": None if r.service is None else r.service + 1,
                      "cells": [{"column": x.column, "value": _plain(x.value), "was": _plain(x.was),
                                 "action": x.action} for x in r.cells]} for r in c.rows],
        })
    payments = [{"trace_number": r.payment.trace_number, "payer": r.payment.payer_name,
                 "payer_id": r.payment.payer_id, "remit_date": _plain(r.payment.remit_date),
                 "amount": _plain(r.payment.amount), "claims_paid": _plain(r.claims_paid),
                 "provider_adjustments": _plain(r.provider_adjustments), "balanced": r.balanced,
                 "difference": _plain(r.difference)} for r in posting.payments]
    outcomes = [c.outcome for c in posting.claims]
    return json.dumps({
        "workbook": workbook, "output": output, "as_of": posting.as_of.isoformat(),
        "summary": {"claims": len(outcomes), "posted": outcomes.count("posted"),
                    "already_posted": outcomes.count("already posted"), "unmatched": outcomes.count("unmatched"),
                    "cells_changed": sum(c.changed_cells for c in posting.claims),
                    "payments": len(payments), "out_of_balance": sum(not p["balanced"] for p in payments),
                    "problems": posting.has_problems},
        "claims": claims, "payments": payments, "findings": [f.as_dict() for f in posting.findings],
    }, indent=1)


def to_text(posting: EraPosting, *, output: str = "") -> str:
    lines = []
    posted = [c for c in posting.claims if c.outcome == "posted"]
    lines.append(f"Posted {len(posted)} of {len(posting.claims)} remittance claims from "
                 f"{len(posting.payments)} payments" + (f" to {output}" if output else "")
                 + f" (as of {posting.as_of.isoformat()}).")
    lines.append("")
    lines.append("Claims")
    for c in posting.claims:
        head = f"  {c.claim_id or '(no claim id)'}  payment {c.payment.trace_number}  paid {shown(PAID, c.claim.paid)}"
        if c.outcome == "unmatched":
            lines.append(f"{head}: no claim with this Claim ID; listed on ERA Unmatched")
            continue
        if c.outcome == "already posted":
            lines.append(f"{head}: already posted, nothing changed")
            continue
        level = " (claim level)" if c.claim_level else ""
        lines.append(f"{head}: {c.status}{level}")
        for r in c.rows:
            changed = [f"{x.column} {shown(x.column, x.value)}" for x in r.changed]
            kept = [f"kept typed {x.column} {shown(x.column, x.was)} (remittance {shown(x.column, x.value)})"
                    for x in r.cells if x.action == "kept"]
            what = "; ".join(filter(None, [", ".join(changed) or "nothing changed", "; ".join(kept)]))
            lines.append(f"    row {r.row}: {what}")
        for i in c.unmatched_services:
            lines.append(f"    service line {i + 1}: no matching line; listed on ERA Unmatched")
    lines.append("")
    lines.append("Payments")
    for r in posting.payments:
        p = r.payment
        amount = "no amount" if p.amount is None else f"{p.amount:.2f}"
        state = "balanced" if r.balanced else f"OUT OF BALANCE by {r.difference:.2f}" if r.difference is not None \
            else "OUT OF BALANCE"
        day = p.remit_date.isoformat() if p.remit_date else "no date"
        lines.append(f"  {p.trace_number or '(no trace number)'}  {p.payer_name}  {day}  paid {amount}; claims "
                     f"{r.claims_paid:.2f} less provider adjustments {r.provider_adjustments:.2f} = "
                     f"{r.expected:.2f}: {state}")
    if posting.findings:
        lines.append("")
        lines.append("Findings")
        for f in posting.findings:
            where = f" row {f.row}" if f.row is not None else ""
            lines.append(f"  {f.code} [{f.severity}]{where}: {f.message}")
    return "\n".join(lines) + "\n"


def summary_line(posting: EraPosting) -> str:
    """One sentence for a message box: what was posted and what needs a look."""
    outcomes = [c.outcome for c in posting.claims]
    cells = sum(c.changed_cells for c in posting.claims)
    out_of_balance = sum(not r.balanced for r in posting.payments)
    kept = sum(1 for f in posting.findings if f.code == "ERA001")
    parts = [f"{outcomes.count('posted')} claim{'s' if outcomes.count('posted') != 1 else ''} posted "
             f"({cells} cell{'s' if cells != 1 else ''} changed)"]
    if outcomes.count("already posted"):
        parts.append(f"{outcomes.count('already posted')} already posted")
    if outcomes.count("unmatched"):
        parts.append(f"{outcomes.count('unmatched')} unmatched (see ERA Unmatched)")
    if kept:
        parts.append(f"{kept} typed value{'s' if kept != 1 else ''} kept that differ{'s' if kept == 1 else ''} "
                     "from the remittance (see ERA Lines, Notes)")
    for code, what in (("ERA007", "to send to the secondary payer"), ("ERA008", "paid under contract")):
        n = sum(1 for f in posting.findings if f.code == code)
        if n:
            parts.append(f"{n} line{'s' if n != 1 else ''} {what} ({code})")
    parts.append(f"{len(posting.payments)} payment{'s' if len(posting.payments) != 1 else ''}"
                 + (f", {out_of_balance} out of balance (see Remittances)" if out_of_balance else ", all balanced"))
    return "; ".join(parts)


def run_era(workbook: Path, era_files: Sequence[Path], output: Path, as_of: dt.date, fmt: str,
            out: TextIO) -> int:
    """The command's work: post, print, and return the exit code (0 posted, 1 with problems).
    Raises UnusableInput for unusable input (nothing written)."""
    posting = post_files(workbook, era_files, output, as_of)
    if fmt == "json":
        out.write(to_json(posting, workbook=workbook.name, output=str(output)) + "\n")
    else:
        out.write(to_text(posting, output=str(output)))
    return 1 if posting.has_problems else 0
