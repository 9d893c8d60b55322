"""The appeal letter for one denied claim, as rows of plain cell values (:class:`AppealLetter`):
letterhead, the claim's fields and lines, the denial codes, the argument each denial reason calls
for (:mod:`.arguments`), the action requested, the enclosures, and notes for the biller.  The
appeal sheets (:mod:`.xlsx`), the Excel button and the .docx letters (:mod:`.docx`) all show these
same rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .. import denials as D
from ..deadlines import days_left as _days_left
from .arguments import ARGUMENTS, ClaimFacts, argument, code_label, first_value, provider_label
from .formats import cell_text, dollars, long_date, plain_value, short_date

WIDTH = 7  # columns A..G
LAST_COL = "G"
TABLE_HEADER = ["DOS", "Code", "Service", "Modifiers", "Units", "Charge", "Denial"]
ALWAYS_ENCLOSED = ["Copy of the remittance advice (ERA/EOB) showing the denial",
                   "Copy of the claim as billed (CMS-1500 or the 837 claim image)"]


@dataclass
class LetterRow:
    """One row of a letter: ``kind`` says how it is laid out (title, text, blank, heading,
    field, table_header, table_row, table_total, check, note)."""

    kind: str
    cells: list

    def padded(self) -> list:
        cells = [plain_value(v) for v in self.cells][:WIDTH]
        return cells + [None] * (WIDTH - len(cells))


@dataclass
class AppealLetter:
    """The appeal for one claim: its rows, the reasons argued and the enclosures listed."""

    claim_id: str
    sheet_name: str
    decision: D.ClaimDecision
    body: list[LetterRow]
    reasons: tuple[str, ...] = ()
    enclosures: tuple[str, ...] = ()
    #: For the biller, never printed: the deadline and days left, what to fill in.
    notes: tuple[str, ...] = ()

    def rows(self) -> list[list]:
        """The sheet as a grid of plain values (str, float, datetime.date or None), 7 columns."""
        return [r.padded() for r in self.body]

    def text(self) -> str:
        """The printed letter as plain text (for a quick look and tests - never printed); the
        biller's notes are not part of it (see ``notes``)."""
        out = []
        money = TABLE_HEADER.index("Charge")
        for kind, r in zip((b.kind for b in self.body), self.rows()):
            if kind in ("table_row", "table_total") and isinstance(r[money], float):
                r[money] = dollars(r[money])
            vals = [cell_text(v) for v in r if v is not None and v != ""]
            out.append("  ".join(vals))
        return "\n".join(out)


def letter_kind(book, d: D.ClaimDecision, reasons) -> str:
    """What the letter asks for, by the payer's type: Original Medicare's reopening (a
    timely-filing denial, which has no appeal rights: CMS Pub. 100-04 ch. 34 section 10) or
    redetermination (42 CFR 405.940, form CMS-20027); a Medicare Advantage plan's
    reconsideration (42 CFR 422.582); any other payer's appeal."""
    payer = book.payer(d.payer)
    if D.is_medicare(payer):
        return "Request for reopening" if list(reasons) == ["timely_filing"] else "Request for redetermination"
    if D.is_medicare_advantage(payer):
        return "Request for reconsideration"
    return "Appeal"


def _sessions(n: int) -> str:
    return "the session" if n == 1 else f"the {n} sessions"


def build_letter(book, d: D.ClaimDecision, as_of: dt.date, sheet_name: str, practice=None,
                 matching=None) -> AppealLetter:
    """Lay out the appeal letter for one claim as rows (the printed page) and notes (for the
    biller only: the side panel of the appeal sheet, never in the .docx).  ``practice``: the
    :class:`claimcheck.appeals.practice.Practice` of the workbook (placeholders when blank);
    ``matching``: the book's :class:`claimcheck.auth.AuthMatching` when already made (an
    authorization argument makes it otherwise)."""
    from .practice import Practice

    practice = practice or Practice()
    ctx = ClaimFacts(book, d, as_of, matching)
    rows: list[LetterRow] = []
    add = lambda kind, *cells: rows.append(LetterRow(kind, list(cells)))  # noqa: E731

    billing_label = provider_label(book, ctx.billing) if ctx.billing and ctx.billing in book.providers else ""
    rendering_label = provider_label(book, ctx.rendering)
    rendering_named = rendering_label if rendering_label and not rendering_label.startswith("NPI") else ""
    group_npi = practice.group_npi or ctx.billing or ctx.rendering or ""
    sender = practice.name or billing_label or "[Practice name]"
    reasons = [a for a in d.arguments if a in ARGUMENTS] or ["general"]
    kind = letter_kind(book, d, reasons)
    medicare = D.is_medicare(ctx.payer)
    reprint = d.decision == "already appealed"
    payer_claim = first_value(ctx.all_lines, "payer_claim_number") if "payer_claim_number" in ctx.all_lines else None
    payer_claim = str(payer_claim).strip() if payer_claim is not None else ""
    claim_no = payer_claim or "[payer claim number from the remittance]"

    # Letterhead.
    add("title", sender)
    address = ", ".join(x for x in (practice.street, practice.city) if x)
    add("text", address or "[practice address and phone]")
    reach = " | ".join(x for x in (f"Phone {practice.phone}" if practice.phone else "",
                                   f"Fax {practice.fax}" if practice.fax else "",
                                   practice.email) if x)
    ids = " | ".join(x for x in (f"Tax ID {practice.tax_id}" if practice.tax_id else "",
                                 f"Group NPI {group_npi}" if group_npi else "") if x)
    if reach:
        add("text", reach)
    if ids:
        add("text", ids)
    add("blank")
    add("text", long_date(as_of))
    add("blank")
    # Inside address.
    add("text", ctx.payer_name)
    add("text", "Appeals Department" if not medicare else "Redeterminations and Reopenings")
    add("text", ctx.payer.appeal_address or f"[{ctx.payer_name}'s appeal address - add it on the Payers sheet]")
    contact = " | ".join(x for x in (f"Fax {ctx.payer.appeal_fax}" if ctx.payer.appeal_fax else "",
                                     f"Payer ID {ctx.payer.payer_id}" if ctx.payer.payer_id else "") if x)
    if contact:
        add("text", contact)
    add("blank")
    first = long_date(ctx.dates[0]) if ctx.dates else "[date of service]"
    title = f"{kind}{' (reprint)' if reprint else ''} of denied claim {d.claim_id}"
    add("heading", f"Re: {title}, payer claim number {claim_no}; date of service {first}; denied "
                   f"{long_date(d.denial_date) if d.denial_date else '[denial date]'} ({d.code_list or 'no codes recorded'})")
    name = first_value(ctx.all_lines, "client_name")
    dob = first_value(ctx.all_lines, "client_dob")
    # The fields of form CMS-20027 for Original Medicare; the same facts for any payer.
    add("field", "Beneficiary" if medicare else "Patient", name or "[client name]", None, "Date of birth",
        D.as_date(dob) if dob is not None else "[date of birth]")
    add("field", "Medicare number" if medicare else "Member ID", ctx.member_id or "[member ID]", None,
        "ICN" if medicare else "Payer claim no.", payer_claim or "[payer claim number]")
    add("field", "Our claim ID", d.claim_id, None, "Denial date", d.denial_date or "[enter the Denial Date]")
    add("field", "Rendering NPI", f"{ctx.rendering or '[NPI]'}{' (' + rendering_named + ')' if rendering_named else ''}",
        None, "Billing NPI", group_npi)
    add("blank")
    add("table_header", *TABLE_HEADER)
    total = 0.0
    for _, r in ctx.all_lines.iterrows():
        code = r["cpt"] or ""
        charge = r["charge"] if pd.notna(r["charge"]) else None
        total += charge or 0.0
        denial = ", ".join(r["denial_codes"] or ()) if r.name in d.indexes else (r["status_key"] or "")
        add("table_row", D.as_date(r["dos"]), code, code_label(book, code) or None, ", ".join(r["modifiers"] or ()) or None,
            float(r["units"]) if pd.notna(r["units"]) else None, charge, denial or None)
    add("table_total", "Total", None, None, None, None, round(total, 2), None)
    add("blank")
    add("text", "Dear Appeals Department:" if not medicare else "Dear Medicare Contractor:")
    n = len(ctx.dates) or 1
    asks = {"Appeal": "We appeal the denial of", "Request for reopening": "We request a reopening of",
            "Request for redetermination": "We request a redetermination of",
            "Request for reconsideration": "We request the plan's reconsideration of"}[kind]
    add("text", f"{asks} claim {claim_no} (our claim {d.claim_id}) for {_sessions(n)} on {ctx.dates_text}, "
                f"denied on {long_date(d.denial_date) if d.denial_date else '[denial date]'}. The denial codes and the "
                "reasons the claim should be paid follow.")
    add("heading", "Denial codes")
    seen = set()
    for p in d.codes:
        if p.display in seen:
            continue
        seen.add(p.display)
        e = p.entry
        if e is None:
            add("text", f"{p.text.strip()}: not in claimcheck's catalogue; [state the payer's reason from the remittance].")
        elif p.kind == "group":
            add("text", f"{p.display}: {e.meaning}.")
        else:
            add("text", f"{p.display}: {e.meaning}{D.unverified_note(e)}.")

    actions, enclosures = [], list(ALWAYS_ENCLOSED)
    add("heading", "Why this claim should be paid")
    if d.deadline_passed and d.appeal_deadline is not None:
        add("text", f"This request is sent after the {ctx.payer.appeal_days}-day window that ended "
                    f"{long_date(d.appeal_deadline)}. We ask you to accept it for good cause: [state the reason for the delay].")
    for reason in reasons:
        title_, writer = argument(reason)
        paras, encl, action = writer(ctx)
        if len(reasons) > 1 and title_:
            add("subheading", title_)
        for para in paras:
            add("text", para)
        for e in encl:
            if e not in enclosures:
                enclosures.append(e)
        if action not in actions:
            actions.append(action)
    if kind == "Request for redetermination":
        enclosures.append("Medicare redetermination request form (CMS-20027), if the contractor requires it")
    add("heading", "Action requested")
    add("text", " ".join(actions) + f" Claim {claim_no}, total charge {dollars(total)}.")
    add("heading", "Enclosures")
    for e in enclosures:
        add("check", "\u2610", e)
    add("blank")
    who = practice.contact or practice.signer
    phone = practice.phone or "[practice phone]"
    add("text", f"Please direct any questions about this {'request' if kind != 'Appeal' else 'appeal'} to "
                f"{who + ' at ' if who else ''}{phone}. Thank you for your review.")
    add("blank")
    add("text", "Sincerely,")
    add("blank")
    add("text", "______________________________")
    signer = practice.signer or rendering_named or "[signer name]"
    add("text", signer)
    add("text", practice.signer_title or ("[title]" if practice.signer or not rendering_named
                                          else f"Rendering provider, NPI {ctx.rendering}"))
    if practice.name or billing_label:
        add("text", sender)

    # Notes for the biller: never on the printed page.
    notes: list[str] = []
    if d.appeal_deadline is not None:
        left = _days_left(d.appeal_deadline, as_of)
        when = f"{left} days left" if left > 0 else ("due today" if left == 0 else f"passed {-left} days ago")
        notes.append(f"Deadline {short_date(d.appeal_deadline)} ({when} as of {short_date(as_of)}; denial date + "
                     f"{ctx.payer.appeal_days} days{'' if ctx.payer.on_sheet else ', default for a payer not on the Payers sheet'}).")
    else:
        notes.append("Deadline unknown: enter the Denial Date on the Claims sheet.")
    missing = practice.missing()
    if missing:
        notes.append("Fill in the Practice sheet: " + ", ".join(missing) + ".")
    if not payer_claim:
        notes.append("Enter the payer's claim number (ICN/DCN from the remittance) in the Payer Claim Number column.")
    if "medical_necessity" in reasons and not D.payer_type(ctx.payer)[0]:
        notes.append("Set Payer Type on the Payers sheet: a Commercial or Medicaid MCO plan's letter cites "
                     "mental-health parity (MHPAEA).")
    notes.extend(d.notes)
    notes.append("Prepared with claimcheck from the billing workbook. Fill in the [bracketed] items and check every value "
                 "before sending.")
    return AppealLetter(claim_id=d.claim_id, sheet_name=sheet_name, decision=d, body=rows,
                        reasons=tuple(reasons), enclosures=tuple(enclosures), notes=tuple(notes))
