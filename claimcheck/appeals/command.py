"""``claimcheck appeals``: a copy of the workbook with one appeal sheet per claim to appeal and
the Appeals Log, and optionally each letter as a .docx file.

The client's name and date of birth appear on the appeal sheet (the payer needs them) but never
in printed output or messages.  Exit code: 0, or 1 when a denied claim in scope has missed its
appeal deadline (it is listed in the log as not appealable); 2 (raised as ``UnusableInput``)
when the input cannot be used or a ``--claim`` ID is not in the workbook.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import IO

from .. import denials as D
from ..reader import UnusableInput
from .log import KEPT_DECISIONS, LogNotReadable
from .plan import LOG_SHEET, claim_key, plan_appeals
from .practice import read_practice
from .xlsx import write_appeals


def _check_output(src: Path, out: Path) -> None:
    from ..writer import same_file

    if (same_file(src, out) if out.exists() else src.resolve() == out.resolve()):
        raise UnusableInput(f"{out}: --output is the input file; claimcheck never overwrites the input, choose another name")
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UnusableInput(f"{out}: --output must end in .xlsx or .xlsm")
    if src.suffix.lower() in (".xlsx", ".xltx") and out.suffix.lower() == ".xlsm":
        raise UnusableInput(f"{out}: the input has no macros; write the output as .xlsx")


def run_appeals(workbook: str | os.PathLike, output: str | os.PathLike, *, as_of: dt.date | None = None,
                claims: list[str] | None = None, docx_dir: str | os.PathLike | None = None,
                out: IO[str] | None = None) -> int:
    """``claimcheck appeals``: write a copy of ``workbook`` with appeal sheets and the Appeals Log.

    Returns 0, or 1 when a denied claim in scope has missed its appeal deadline.  Raises
    :class:`UnusableInput` for input that cannot be used, an output that is the input, an unknown
    ``--claim`` ID, or ``--docx`` without python-docx.  Prints only claim IDs, codes and dates."""
    from ..api import load_book
    from ..writer import open_for_update, save_atomically

    out = out or sys.stdout
    as_of = as_of or dt.date.today()
    src, dst = Path(workbook), Path(output)
    _check_output(src, dst)
    if docx_dir is not None:
        from .docx import require_docx

        require_docx()
    book = load_book(src)
    wanted = [str(c).strip() for c in (claims or []) if str(c).strip()]
    if wanted:
        known = {claim_key(x) for x in book.claims["claim_id"].dropna().astype(str)}
        unknown = [c for c in wanted if claim_key(c) not in known]
        if unknown:
            raise UnusableInput(f"{src.name}: no claim {', '.join(unknown)} on the {book.claims_sheet} sheet")
    try:
        wb = open_for_update(src)
    except Exception as exc:  # the same line as check --output for a workbook openpyxl cannot load
        from ..workbook_file import refusal

        raise refusal(src, exc) from None
    practice = read_practice(wb)
    plan = plan_appeals(book, as_of, wanted or None, practice=practice)

    notes = []
    if src.suffix.lower() in (".xlsm", ".xltm") and dst.suffix.lower() == ".xlsx":
        notes.append("the output is .xlsx, so the input's macros are not carried over; use .xlsm to keep them")
        wb.vba_archive = None
        wb.is_template = False
    try:
        log_header, log_rows = write_appeals(wb, plan)
    except LogNotReadable as exc:
        raise UnusableInput(f"{src.name}: {exc}") from None
    save_atomically(wb, dst)
    written_docx: list[Path] = []
    if docx_dir is not None:
        from .docx import write_letters

        written_docx = write_letters(plan, docx_dir)

    for note in notes:
        sys.stderr.write(f"claimcheck: note: {note}\n")
    rows = plan.log_rows()
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[6]] = counts.get(r[6], 0) + 1
    out.write(f"claimcheck appeals {src.name} as of {as_of.isoformat()}\n")
    out.write(f"{len(plan.decisions)} denied or appealed claims: {len(plan.letters)} appeal sheets; "
              + ", ".join(f"{n} {label}" for label, n in counts.items()) + "\n\n")
    by_id = {d.claim_id: d for d in plan.decisions}
    for r in rows:
        d = by_id.get(r[0])
        if d is not None and d.reopen_deadline is not None:
            left = (d.reopen_deadline - as_of).days
            when = f"reopen by {d.reopen_deadline.isoformat()} ({left} days left)"
        elif d is not None and d.decision in (D.CORRECTED, D.NEW_CLAIM) and d.filing_deadline is not None:
            when = f"correct by {d.filing_deadline.isoformat()} (filing limit, {d.filing_days_left} days left)"
        elif d is not None and d.decision == D.APPEAL and d.appeal_deadline is not None:
            left = d.days_left
            when = f"appeal by {d.appeal_deadline.isoformat()} " + (f"({left} days left)" if left >= 0 else f"(passed {-left} days ago)")
        else:
            when = ""
        out.write(f"  {r[0]:<10} {r[6]:<34} {when}{'  -> ' + r[10] if r[10] else ''}".rstrip() + "\n")
    out.write(f"\nWrote {dst} ({len(plan.letters)} appeal sheets and {LOG_SHEET}).\n")
    if written_docx:
        out.write(f"Wrote {len(written_docx)} .docx letters to {docx_dir}.\n")
    missing = practice.missing()
    if plan.letters and missing:
        out.write(f"The letters show [placeholders] until the Practice sheet gives: {', '.join(missing)}.\n")
    decision = log_header.index("Decision")
    kept = [r for r in log_rows if r[decision] in KEPT_DECISIONS]
    if kept:
        out.write(f"{LOG_SHEET} keeps {len(kept)} row(s) with your notes whose denial is gone (marked "
                  f"{', '.join(sorted({repr(r[decision]) for r in kept}))}).\n")
    missed = plan.missed
    if missed:
        out.write(f"{len(missed)} appeal deadline(s) passed: {', '.join(d.claim_id for d in missed)}.\n")
    return 1 if missed else 0


