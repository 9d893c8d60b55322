"""The appeals plan: every denied (or appealed) claim's decision, a letter for each claim to
appeal, and the Appeals Log rows saying why the others get none.

Which claims get a sheet:

* a Denied claim whose decision is *appeal* and whose appeal window is open (or has no Denial
  Date yet: the sheet says the deadline is unknown);
* a claim named with ``--claim`` (``claim_ids``) whose decision is *appeal* even when the window
  has closed - the letter then asks the payer to accept it for good cause - and a claim with
  Status Appealed named this way (a reprint).

Everything else - corrected or new claim instead, patient responsibility, another payer, write
off, check first, window closed - gets a row in ``Appeals Log`` saying why, the deadline and the
days left.  Decisions come from :func:`claimcheck.denials.claim_decisions`, the same ones the
DENY rules of ``claimcheck check`` report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from .. import denials as D
from ..auth.match import match_authorizations
from ..engine import run_rules
from .formats import plain_value
from .letter import AppealLetter, build_letter
from ..rules.fup import appeal_follow_up, appeal_follow_up_days
from .log import LOG_HEADER

LOG_SHEET = "Appeals Log"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_REDETERMINATION_TOO = re.compile(r"\. If the contractor will not reopen it, request a redetermination by \d{4}-\d{2}-\d{2}")


@dataclass
class AppealPlan:
    as_of: dt.date
    letters: list[AppealLetter]
    decisions: list[D.ClaimDecision]
    sheet_of: dict[str, str] = field(default_factory=dict)  # claim id -> sheet name
    selected: set[str] | None = None
    not_denied: list[tuple[str, str, str]] = field(default_factory=list)  # (claim id, payer, status)
    amounts: dict[str, float] = field(default_factory=dict)
    first_dos: dict[str, dt.date | None] = field(default_factory=dict)
    log_header: list[str] = field(default_factory=lambda: list(LOG_HEADER))
    #: Every claim's Status now (claim key -> Status of its first line), for the Appeals Log's
    #: note on a row whose denial is gone (claimcheck.appeals.log).
    claim_status: dict[str, str] = field(default_factory=dict)
    #: An appealed claim's next step: its level and follow-up date (claim id -> text).
    follow_up: dict[str, str] = field(default_factory=dict)

    def log_label(self, d: D.ClaimDecision) -> str:
        return _log_label(self, d)

    def log_rows(self) -> list[list]:
        """The computed columns (claimcheck.appeals.log.COMPUTED_COLUMNS) of the Appeals Log: one
        row per denied (or appealed) claim, then any named claim that is not denied."""
        rows = []
        for d in self.decisions:
            # The appeal deadline only where an appeal is the route: a claim to correct, bill
            # elsewhere, write off or bill the patient has none (its own deadline, if any, is in
            # "Why / next step"), so no row states two deadlines.
            # An appealed claim's date is its follow-up date (in "Why / next step"), not the
            # deadline of the appeal already sent.
            appeal_route = d.decision == D.APPEAL
            deadline = d.appeal_deadline if appeal_route else None
            days = float(d.days_left) if appeal_route and d.days_left is not None else None
            label = _log_label(self, d)
            notes, why = d.notes, d.why
            if label == "not appealable: window closed":
                # One decision, stated once: not "goes through the appeal" beside "not appealable".
                why = (f"appeal window closed {d.appeal_deadline.isoformat()}: appeal {d.code_list or 'the denial'} only "
                       "with a good-cause reason (name the claim with --claim to write the letter), otherwise write off")
                notes = tuple(n for n in notes if "goes through the appeal" not in n)
            elif d.decision == D.ALREADY_APPEALED:
                why = self.follow_up.get(d.claim_id, why)
            elif label == "reopening instead":
                # One deadline on the row: the reopening's (the redetermination's own window is a
                # second route with a second date; the DENY003 finding names it).
                why = _REDETERMINATION_TOO.sub("", why)
            why += f" ({'; '.join(notes)})" if notes else ""
            rows.append([d.claim_id, d.payer or None, self.first_dos.get(d.claim_id), d.code_list or None, d.denial_date,
                         money(self.amounts.get(d.claim_id)), label, why, deadline, days,
                         self.sheet_of.get(d.claim_id)])
        for claim_id, payer, status in self.not_denied:
            rows.append([claim_id, payer or None, self.first_dos.get(claim_id), None, None, None, "not denied",
                         f"Status is {status or 'blank'}: nothing to appeal", None, None, None])
        return [[plain_value(v) for v in r] for r in rows]

    @property
    def missed(self) -> list[D.ClaimDecision]:
        """Denied claims in scope whose appeal deadline has passed."""
        return [d for d in self.decisions if d.decision == D.APPEAL and d.deadline_passed and self._in_scope(d.claim_id)]

    def _in_scope(self, claim_id: str) -> bool:
        return self.selected is None or claim_key(claim_id) in self.selected


def _log_label(plan: AppealPlan, d: D.ClaimDecision) -> str:
    if d.claim_id in plan.sheet_of:
        if d.decision == D.ALREADY_APPEALED:
            return "appeal reprinted"
        return "appeal written" + (" (window closed: good cause)" if d.deadline_passed else "")
    if not plan._in_scope(d.claim_id):
        return {D.APPEAL: "appeal (not selected)"}.get(d.decision, _LABELS.get(d.decision, d.decision))
    if d.decision == D.APPEAL and d.deadline_passed:
        return "not appealable: window closed"
    if d.decision == D.CORRECTED and d.payer_type == D.MEDICARE:
        return "reopening instead"  # Original Medicare takes no corrected claim (see claimcheck.denials)
    return _LABELS.get(d.decision, d.decision)


_LABELS = {
    D.APPEAL: "appeal written",
    D.CORRECTED: "corrected claim instead",
    D.NEW_CLAIM: "new claim instead",
    D.OTHER_PAYER: "send to other payer",
    D.BILL_PATIENT: "bill patient",
    D.WRITE_OFF: "not appealable: write off",
    D.CHECK_FIRST: "not appealable: check first",
    D.ALREADY_APPEALED: "already appealed",
}


def _follow_up_text(book, d: D.ClaimDecision, as_of: dt.date) -> str:
    """An appealed claim's one next step: when to follow up with the payer, by the appeal's
    level (claimcheck.rules.fup, the days FUP001 uses) and its Appealed On date."""
    c = book.claims
    lines = c.loc[list(d.indexes)]
    sent = [x for x in (D.as_date(v) for v in (lines["appealed_on"] if "appealed_on" in lines else [])) if x is not None]
    levels = [v for v in (lines["appeal_level"] if "appeal_level" in lines else []) if v is not None and str(v).strip()]
    level, due = appeal_follow_up(book.payer(d.payer), min(sent) if sent else None, levels[0] if levels else None,
                                  book.tables)
    days = appeal_follow_up_days(level, book.tables)
    if due is None:
        return (f"Status is Appealed ({level.name}; the payer has {days} days to decide, {level.source}): enter Appealed On "
                "on the claim's lines so claimcheck can tell when to follow up")
    if due < as_of:
        return (f"Status is Appealed ({level.name} sent {min(sent).isoformat()}): no decision by the follow-up date "
                f"{due.isoformat()} ({days} days, {level.source}); {level.next_step}")
    return (f"Status is Appealed ({level.name} sent {min(sent).isoformat()}): follow up by {due.isoformat()} if no "
            f"decision ({days} days, {level.source})")


def money(v) -> float | None:
    """An amount rounded to cents (None stays None)."""
    return None if v is None else round(float(v), 2)


def claim_key(claim_id) -> str:
    """A Claim ID as compared: trimmed, upper case (``--claim c1`` names claim ``C1``)."""
    return str(claim_id or "").strip().upper()


def sheet_name_for(claim_id: str, taken: set[str]) -> str:
    """``Appeal <Claim ID>``, cut to Excel's 31 characters, without the characters Excel forbids,
    and unique (case-insensitively) against ``taken`` (which it updates)."""
    base = "Appeal " + _BAD_SHEET_CHARS.sub("-", plain_value(str(claim_id))).strip().strip("'")
    base = base[:31].rstrip() or "Appeal"
    name, n = base, 2
    while name.upper() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(name.upper())
    return name


def plan_appeals(book, as_of: dt.date | None = None, claim_ids: Iterable[str] | None = None, *,
                 findings=None, practice=None) -> AppealPlan:
    """Decide every denied claim and lay out a letter for each appealable one.

    ``claim_ids`` limits the letters to those claims (the Appeals Log still lists every denied
    claim); a named claim gets a letter even when its window has closed or it was already
    appealed.  Unknown IDs are ignored here (``run_appeals`` refuses them).

    ``findings`` are those of a full ``check`` run on this book as of the same day, when the caller
    has one; a corrected-claim decision quotes its CPT/MOD/DX/POS/NPI findings.  Without them
    those families are run here.  ``practice``: the workbook's Practice sheet
    (:func:`claimcheck.appeals.practice.read_practice`), the letters' letterhead and signer."""
    as_of = as_of or dt.date.today()
    selected = {claim_key(c) for c in claim_ids if str(c).strip()} if claim_ids else None
    if findings is None:
        findings = run_rules(book, as_of, select=D.FIX_FAMILIES)
    fixes = D.fixes_by_row(findings)
    decisions = D.claim_decisions(book, as_of, fixes=fixes)
    c = book.claims
    plan = AppealPlan(as_of=as_of, letters=[], decisions=decisions, selected=selected)
    ids = c["claim_id"].fillna("").astype(str) if not c.empty else pd.Series(dtype=object)
    for d in decisions:
        lines = c.loc[list(d.indexes)]
        plan.amounts[d.claim_id] = float(lines["charge"].fillna(0).sum())
        dos = [x for x in (D.as_date(v) for v in c.loc[ids == d.claim_id, "dos"]) if x is not None]
        plan.first_dos[d.claim_id] = min(dos) if dos else None
    # One authorization matching serves every letter that argues an authorization.
    matching = match_authorizations(book) if any("authorization" in d.arguments for d in decisions) else None
    for d in decisions:
        if d.decision == D.ALREADY_APPEALED:
            plan.follow_up[d.claim_id] = _follow_up_text(book, d, as_of)
    if not c.empty:
        firsts = pd.DataFrame({"key": ids.map(claim_key), "status": c["status_key"].fillna("")}).drop_duplicates("key")
        plan.claim_status = dict(zip(firsts["key"].tolist(), firsts["status"].tolist()))
    taken: set[str] = set()
    for d in decisions:
        named = selected is not None and claim_key(d.claim_id) in selected
        if selected is not None and not named:
            continue
        write = (d.decision == D.APPEAL and (not d.deadline_passed or named)) or (d.decision == D.ALREADY_APPEALED and named)
        if not write:
            continue
        name = sheet_name_for(d.claim_id, taken)
        plan.sheet_of[d.claim_id] = name
        plan.letters.append(build_letter(book, d, as_of, name, practice, matching))
    if selected is not None:
        decided = {claim_key(d.claim_id) for d in decisions}
        seen = set()
        for i in c.index:
            cid = ids.at[i]
            if claim_key(cid) in selected and claim_key(cid) not in decided and claim_key(cid) not in seen:
                seen.add(claim_key(cid))
                plan.not_denied.append((cid, c.at[i, "payer"] or "", c.at[i, "status_key"] or ""))
                dos = [x for x in (D.as_date(v) for v in c.loc[ids == cid, "dos"]) if x is not None]
                plan.first_dos[cid] = min(dos) if dos else None
    return plan

