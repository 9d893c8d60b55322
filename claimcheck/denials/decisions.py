"""What to do about each denied claim, decided once from its codes and the workbook
(:func:`claim_decisions`); the DENY rules of ``claimcheck check`` (:mod:`claimcheck.rules.deny`)
and the appeal sheets of ``claimcheck appeals`` both read that decision, so they never disagree.

Decisions, in order of precedence over the denied lines of one claim:

* ``new claim``: MA130 (unprocessable; no appeal rights) - send a new claim.
* ``corrected claim``: a code whose fix is a data correction (CO-4 modifier, CO-5 place of
  service, CO-11 diagnosis, CO-15 auth number, CO-16 with a remark code that names a field, N290 rendering NPI,
  M76, M51, CO-58, 140, 181, 182, 206-208, 236, 284, 296 ...), while the payer's filing window is still open.  When that window has closed a
  corrected claim would be denied for timely filing, so the correction goes through the appeal
  instead (the letter explains the correction).
* ``other payer``: another insurer is primary or responsible (22, 109, N479, MA04).
* ``appeal``: a denial that is argued with evidence (50, 97, 151, 167, 197, 198, 234, 242, 252, and
  29 with proof of timely filing; 8, 26, 27, 31, 96, 119, 170, 185, 204, B7 after verifying).
* ``check first``: nothing to appeal until something is checked (18 duplicate, 23 prior payer,
  unknown codes, no codes recorded).
* ``write off``: 45 (fee schedule), or 29 when the claim really was sent after the limit.
* ``bill patient``: every code on the claim is patient responsibility (group PR).

A remark code's own action wins over a CARC that only says "see the remark code" (CO-16,
``REMARK_LED`` in the catalogue): CO-16 with M127 (the payer wants the medical record) is an
appeal with the record, not a field to correct; CO-16 with N290 stays a correction.

Status: only lines with Status ``Denied`` are checked.  Lines with Status ``Appealed`` are
skipped by the deadline rules (the appeal was filed; the payer's decision is what is awaited)
and are listed in the Appeals Log as already appealed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Iterable

import numpy as np
import pandas as pd

from ..models import FindingTable
from .catalogue import REMARK_LED, ParsedCode, parse_code

#: Days before an appeal deadline from which DENY002 warns.
NEAR_DAYS = 14
#: The rule families whose findings a corrected-claim decision quotes (:func:`fixes_by_row`).
FIX_FAMILIES = ("CPT", "MOD", "DX", "POS", "NPI")

# Claim decisions (see the module docstring).
APPEAL = "appeal"
CORRECTED = "corrected claim"
NEW_CLAIM = "new claim"
OTHER_PAYER = "other payer"
CHECK_FIRST = "check first"
WRITE_OFF = "write off"
BILL_PATIENT = "bill patient"
ALREADY_APPEALED = "already appealed"
#: The decisions in order of precedence: the first that any of a claim's codes calls for wins.
PRECEDENCE = (NEW_CLAIM, CORRECTED, OTHER_PAYER, APPEAL, CHECK_FIRST, WRITE_OFF, BILL_PATIENT)


@dataclass
class ClaimDecision:
    """What to do about one denied claim."""

    claim_id: str
    decision: str  # one of PRECEDENCE, or ALREADY_APPEALED
    why: str  # the reason and next step, in the biller's words (no client data)
    codes: tuple[ParsedCode, ...] = ()
    unknown: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ()  # appeal argument kinds, most important first
    fix: str = ""  # for corrections: what to fix
    payer: str = ""
    denial_date: dt.date | None = None
    appeal_deadline: dt.date | None = None
    days_left: int | None = None
    filing_deadline: dt.date | None = None
    filing_days_left: int | None = None
    #: Original Medicare: the last day to ask for a reopening (Denial Date + 1 year), else None.
    reopen_deadline: dt.date | None = None
    #: The payer's type as decided (claimcheck.columns.PAYER_TYPES, or "" when unknown).
    payer_type: str = ""
    indexes: tuple = ()  # denied (or appealed) line indexes in book.claims
    status: str = "Denied"
    notes: tuple[str, ...] = ()
    # The line a deadline finding sits on: the first denied line with the earliest Denial Date.
    deadline_line: object = field(default=None, repr=False, compare=False)

    @property
    def deadline_passed(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def appealable(self) -> bool:
        return self.decision == APPEAL

    @property
    def code_list(self) -> str:
        return codes_shown(self.codes)


@lru_cache(maxsize=4096)
def codes_shown(codes: tuple[ParsedCode, ...]) -> str:
    """The codes as shown, each once, in the order typed (``CO-16, N290``)."""
    seen: list[str] = []
    for c in codes:
        if c.display not in seen:
            seen.append(c.display)
    return ", ".join(seen)


def as_date(value) -> dt.date | None:
    """A cell's value as a ``datetime.date`` (None when empty or unreadable as a date)."""
    if value is None or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _days(c: pd.DataFrame, name: str, at: np.ndarray) -> np.ndarray:
    """A date column's values on the lines at positions ``at`` as ``datetime64[D]`` (NaT when
    empty), as :func:`as_date` reads them; a datetime column is converted in one numpy call."""
    if name not in c.columns:
        return np.full(len(at), "NaT", dtype="datetime64[D]")
    values = c[name].to_numpy()[at]
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    return np.array([as_date(v) for v in values.tolist()], dtype="datetime64[D]")


def _first_of_group(where: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """For each of the ``k`` groups, the position of its first line where ``where`` holds
    (``len(groups)`` when none does)."""
    first = np.full(k, len(groups), dtype=np.intp)
    np.minimum.at(first, groups[where], np.flatnonzero(where))
    return first


def _earliest_of_group(days: np.ndarray, where: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """For each group, the earliest date of its lines where ``where`` holds (NaT when none)."""
    out = np.full(k, "NaT", dtype="datetime64[D]")
    np.fmin.at(out, groups[where], days[where])  # fmin skips NaT
    return out


def fixes_by_row(findings) -> dict[int, list[tuple[int, str]]]:
    """claimcheck's own findings that name a fix (the errors and warnings of CPT, MOD, DX, POS and
    NPI, as "CODE message"), by sheet row, each with its position in ``findings`` (the engine's
    order).  A corrected-claim decision quotes those of its lines."""
    table = FindingTable.of(findings)  # (read as columns: no Finding object is made)
    by_row: dict[int, list[tuple[int, str]]] = {}
    for pos, (row, code, severity, message) in enumerate(zip(table.row, table.code, table.severity, table.message)):
        if code.startswith(FIX_FAMILIES) and severity in ("error", "warning"):
            by_row.setdefault(row, []).append((pos, f"{code} {message}"))
    return by_row


def _fixes_of(fixes: dict[int, list[tuple[int, str]]], rows) -> list[str]:
    """The fix findings of these rows, in the engine's order, each text once."""
    out = []
    for _, text in sorted(found for r in rows for found in fixes.get(r, ())):
        if text not in out:
            out.append(text)
    return out


def decide(codes: Iterable[str]) -> tuple[str, list[ParsedCode], list[str]]:
    """The decision from the codes alone (before deadlines and the workbook are looked at):
    ``(decision, parsed codes, unknown codes)``."""
    facts = _facts(tuple(codes))
    return facts.decision, list(facts.parsed), list(facts.unknown)


def _decide(codes: Iterable[str]) -> tuple[str, list[ParsedCode], list[str]]:
    parsed = [parse_code(c) for c in codes if str(c).strip()]
    unknown = [p.text.strip() for p in parsed if p.entry is None and p.kind != "group"]
    if not parsed:
        return CHECK_FIRST, parsed, unknown
    candidates: list[str] = []
    led = remark_led(parsed)
    for p in parsed:
        e = p.entry
        if p.kind == "group" or e is None:
            continue
        if p.kind == "RARC":
            if p.code == "MA130":
                candidates.append(NEW_CLAIM)
            elif e.action == "corrected claim":
                candidates.append(CORRECTED)
            elif e.action == "send to another payer":
                candidates.append(OTHER_PAYER)
            elif led and e.action == "appeal":
                candidates.append(APPEAL)
            elif led and e.action == "verify/other":
                candidates.append(CHECK_FIRST)
            continue
        if p.group == "PR":
            candidates.append(BILL_PATIENT)
            continue
        if led and p.code in REMARK_LED:
            continue  # the remark codes decide
        action = e.action
        if action == "appeal":
            candidates.append(APPEAL)
        elif action == "corrected claim":
            candidates.append(CORRECTED)
        elif action == "send to another payer":
            candidates.append(OTHER_PAYER)
        elif action == "write off":
            candidates.append(WRITE_OFF)
        elif action == "bill the patient":
            candidates.append(BILL_PATIENT)
        elif action == "verify/other":
            candidates.append(APPEAL if e.appealable == "Y" else CHECK_FIRST)
    if unknown and not candidates:
        candidates.append(CHECK_FIRST)
    if not candidates:  # only group codes or informational remarks
        candidates.append(CHECK_FIRST)
    return min(candidates, key=PRECEDENCE.index), parsed, unknown


def remark_led(parsed) -> bool:
    """Whether the claim's remark codes decide in place of its CARC: a CARC that only points at
    the remark codes (``REMARK_LED``, CO-16), not patient responsibility, with at least one
    catalogued remark code beside it."""
    return (any(p.kind == "CARC" and p.code in REMARK_LED and p.group != "PR" and p.entry is not None for p in parsed)
            and any(p.kind == "RARC" and p.entry is not None for p in parsed))


def appeal_arguments(parsed: list[ParsedCode]) -> list[str]:
    """The appeal arguments the codes call for (``medical_necessity``, ``coding`` ...), each once,
    in the order typed; patient-responsibility codes call for none.  When the remark codes decide
    (:func:`remark_led`) and name an argument (M127: records), theirs replace CO-16's."""
    out: list[str] = []
    led = remark_led(parsed) and any(p.kind == "RARC" and p.entry is not None and p.entry.argument for p in parsed)
    for p in parsed:
        e = p.entry
        if e is None or not e.argument or e.argument in out:
            continue
        if p.kind == "CARC" and p.group != "PR" and not (led and p.code in REMARK_LED):
            out.append(e.argument)
        elif p.kind == "RARC" and led:
            out.append(e.argument)
    return out


def correction_fix(parsed: list[ParsedCode]) -> str:
    """What to fix, most specific first: a remark code's fix replaces CO-16's generic one."""
    fixes = []
    specific = any(p.kind == "RARC" and p.entry is not None and p.entry.fix for p in parsed)
    for p in parsed:
        e = p.entry
        if e is None or not e.fix or e.action not in ("corrected claim", "send to another payer"):
            continue
        if specific and p.kind == "CARC" and p.code == "16":
            continue
        text = e.fix if e.fix_is_instruction else f"fix {e.fix}"
        if f"{p.display}: {text}" not in fixes:
            fixes.append(f"{p.display}: {text}")
    return "; ".join(fixes)


# Payer types with their own correction and appeal routes (claimcheck.columns.PAYER_TYPES).
MEDICARE = "Medicare"
MEDICARE_ADVANTAGE = "Medicare Advantage"
#: A reopening of an Original Medicare claim for any reason, clerical errors included, may be
#: asked within one year of the initial determination: 42 CFR 405.980(b)(1); CMS Medicare Claims
#: Processing Manual (Pub. 100-04) ch. 34, section 10 (reopenings) and 10.11 (clerical errors).
MEDICARE_REOPEN_DAYS = 365


def payer_type(payer) -> tuple[str, bool]:
    """A payer's type and whether it was guessed: the Payers sheet's ``Payer Type`` when filled
    (``(type, False)``); otherwise a guess from the name (``(type, True)``): "Medicare" in the name
    is Original Medicare, unless "Advantage" is there too (a Medicare Advantage plan); any other
    name is ``""`` (unknown).  ``payer``: a :class:`claimcheck.models.Payer` or a payer name."""
    name, given = (payer, "") if isinstance(payer, str) or payer is None else (payer.name, payer.payer_type)
    if given:
        return given, False
    upper = (name or "").upper()
    if "MEDICARE" not in upper:
        return "", True
    return (MEDICARE_ADVANTAGE if "ADVANTAGE" in upper else MEDICARE), True


def is_medicare(payer) -> bool:
    """Whether a payer is Original Medicare (a MAC: reopenings, redeterminations, CMS-20027), by
    its Payer Type, or by its name when the type is blank.  Medicare Advantage plans are not:
    they run their own reconsiderations (42 CFR 422.582)."""
    return payer_type(payer)[0] == MEDICARE


def is_medicare_advantage(payer) -> bool:
    """Whether a payer is a Medicare Advantage plan (by Payer Type, or the name when blank)."""
    return payer_type(payer)[0] == MEDICARE_ADVANTAGE


def medicare_reopening_why(d: ClaimDecision, as_of: dt.date) -> str:
    """The next step for an Original Medicare claim whose data must be corrected: a reopening
    (Medicare Part B takes no replacement claim), with its one-year window, and the
    redetermination when the contractor will not reopen it - while that window is open.
    Sources: 42 CFR 405.980(b)(1) and (b)(2); CMS Pub. 100-04 ch. 34 sections 10 and 10.11."""
    head = ("ask the Medicare contractor to reopen the claim to correct it (a clerical-error reopening by phone, portal "
            "or written request)")
    if d.reopen_deadline is None:
        head += ", within one year of the initial determination (enter the Denial Date)"
    elif d.reopen_deadline >= as_of:
        head += f", by {d.reopen_deadline.isoformat()} (one year from the initial determination)"
    else:
        head += (f"; the one-year window closed {d.reopen_deadline.isoformat()}, so the request must show good cause "
                 "(within four years)")
    head += "; Medicare Part B takes no corrected (frequency 7) claim"
    if d.appeal_deadline is not None and d.days_left is not None and d.days_left >= 0:
        head += f". If the contractor will not reopen it, request a redetermination by {d.appeal_deadline.isoformat()}"
    return head


class _CodeFacts:
    """Everything a claim's denial codes decide by themselves: the decision before the
    workbook's deadlines are looked at, and the texts that follow from the codes alone.
    Worked out once per distinct combination of codes (a workbook has a few dozen), not once
    per claim."""

    def __init__(self, codes: tuple):
        decision, parsed, unknown = _decide(codes)
        self.decision = decision
        self.parsed = tuple(parsed)
        self.unknown = tuple(unknown)
        self.arguments = tuple(appeal_arguments(parsed))
        # The CARCs that decide: in the catalogue and not patient responsibility.
        self.carcs = tuple(p for p in parsed if p.kind == "CARC" and p.entry is not None and p.group != "PR")
        self.unverified = tuple(p.display for p in parsed if p.entry is not None and not p.entry.verified)
        self.has_29 = any(p.code == "29" for p in self.carcs)  # CO-29: filed after the limit
        self.only_29 = all(p.code == "29" for p in self.carcs)
        self.code_list = codes_shown(self.parsed)

    @cached_property
    def appeal_why(self) -> tuple[str, str | None]:
        """(why, note) for a claim to appeal."""
        carcs = self.carcs
        main = carcs[0] if carcs else None
        note = None
        if main is not None and main.entry.appealable == "conditional" and main.code in ("97", "234"):
            note = "appeal only if the services were separate; otherwise the amount is a write-off"
        verify = [p.display for p in carcs if p.entry.action == "verify/other"]
        head = f"appeal {self.code_list}"
        if remark_led(self.parsed):
            asked = [f"{p.display}: {p.entry.evidence}" for p in self.parsed
                     if p.kind == "RARC" and p.entry is not None and p.entry.action == "appeal" and p.entry.evidence]
            if asked:
                head += f" with what the remark code asks for ({'; '.join(asked)})"
        if verify:
            head += f" after checking ({', '.join(verify)}): {'; '.join(p.entry.evidence for p in carcs if p.entry.action == 'verify/other')}"
        return head, note

    @cached_property
    def correction_fix(self) -> str:
        return correction_fix(list(self.parsed))

    @cached_property
    def other_payer_why(self) -> str:
        evid = "; ".join(p.entry.evidence for p in self.parsed if p.entry is not None and p.entry.action == "send to another payer")
        return f"send the claim to the responsible (primary) payer: {evid}" if evid else "send the claim to the responsible payer"

    @cached_property
    def bill_patient_why(self) -> str:
        pr = [p for p in self.parsed if p.group == "PR" and p.entry is not None]
        what = "; ".join(f"{p.display} {p.entry.meaning}" for p in pr)
        return f"patient responsibility ({what}): bill the client, or the secondary insurance first; no appeal"

    @cached_property
    def write_off_why(self) -> str:
        return "; ".join(f"{p.display}: {p.entry.meaning}" for p in self.carcs if p.entry.action == "write off") + ": write off (no appeal)"

    @cached_property
    def check_first_why(self) -> str:
        if not self.parsed:
            return "no Denial Codes recorded: enter the codes from the remittance (e.g. CO-50) to decide appeal or correction"
        if self.unknown and not self.carcs:
            return f"denial code {', '.join(self.unknown)} is not in claimcheck's catalogue: read the remittance and decide"
        items = [f"{p.display}: {p.entry.evidence or p.entry.meaning}" for p in self.parsed if p.entry is not None and p.kind != "group"]
        return "check before doing anything: " + ("; ".join(items) if items else "read the remittance")


@lru_cache(maxsize=4096)
def _cached_facts(codes: tuple) -> _CodeFacts:
    return _CodeFacts(codes)


def _facts(codes: tuple) -> _CodeFacts:
    if len(codes) > 32:  # not a claim's codes but a pasted text: not kept
        return _CodeFacts(codes)
    try:
        return _cached_facts(codes)
    except TypeError:  # an unhashable value among the codes: work it out uncached
        return _CodeFacts(codes)


def claim_decisions(book, as_of: dt.date, *, statuses=("Denied", "Appealed"),
                    fixes: dict[int, list[tuple[int, str]]] | None = None) -> list[ClaimDecision]:
    """One decision per denied (or appealed) claim, in the order the claims first appear.
    ``fixes`` (:func:`fixes_by_row` of the run's findings) lets a corrected-claim decision name
    what claimcheck itself finds on its lines.

    A claim's decision uses all its denied (or appealed) lines' codes; when any of them is
    Denied, its dates, payer and lines are those of the Denied lines only."""
    c = book.claims
    if c.empty or "status_key" not in c:
        return []
    # Only the denied lines are read, each column once; the per-claim facts (status, first
    # payer, earliest dates, the deadline line) come from numpy over the lines grouped by claim,
    # and the decision from each distinct combination of codes (_facts), so the Python loop
    # below only assembles one ClaimDecision per claim.
    at = np.flatnonzero(c["status_key"].isin(statuses).to_numpy())
    n = len(at)
    if not n:
        return []
    status = c["status_key"].iloc[at].to_numpy(dtype=object)
    claim_id = c["claim_id"].iloc[at].fillna("").astype(str).to_numpy(dtype=object)
    groups, claim_ids = pd.factorize(claim_id, sort=False)  # claims in order of first appearance
    k = len(claim_ids)
    appealed = status == "Appealed"
    lines = np.bincount(groups, minlength=k)
    all_appealed = np.bincount(groups, weights=appealed, minlength=k) == lines  # Status Appealed on every line
    kept = all_appealed[groups] | (status == "Denied")  # the lines the claim's dates and payer come from

    # The claim's payer: the first kept line's non-empty Payer.
    payer_of = c["payer"].iloc[at].to_numpy(dtype=object) if "payer" in c.columns else np.full(n, None, dtype=object)
    first_payer = _first_of_group(kept & np.fromiter((bool(p) for p in payer_of), dtype=bool, count=n), groups, k)
    payer_name = np.where(first_payer < n, np.append(payer_of, "")[first_payer], "")
    payer_name = [p or "" for p in payer_name.tolist()]
    payers = {name: book.payer(name) for name in dict.fromkeys(payer_name)}
    payer = [payers[name] for name in payer_name]
    types = {name: payer_type(p) for name, p in payers.items()}

    denial = _days(c, "denial_date", at)
    earliest_denial = _earliest_of_group(denial, kept, groups, k)
    # The line a deadline finding sits on: the first kept line with the earliest Denial Date.
    on_earliest = kept & (denial == earliest_denial[groups])  # NaT never equals
    deadline_line = np.where(np.isnat(earliest_denial), _first_of_group(kept, groups, k),
                             _first_of_group(on_earliest, groups, k)).tolist()
    earliest_dos = _earliest_of_group(_days(c, "dos", at), kept, groups, k)
    # Deadlines as in claimcheck.deadlines (calendar days), for all claims at once.
    today = np.datetime64(as_of, "D")
    appeal_by = earliest_denial + np.array([p.appeal_days for p in payer], dtype="timedelta64[D]")
    file_by = earliest_dos + np.array([p.timely_filing_days for p in payer], dtype="timedelta64[D]")
    denial_date, first_dos, appeal_by_date, file_by_date = (
        days.tolist() for days in (earliest_denial, earliest_dos, appeal_by, file_by))  # datetime.date, None for NaT
    appeal_days_left, filing_days_left = (np.where(np.isnat(by), None, (by - today).astype(np.int64)).tolist()
                                          for by in (appeal_by, file_by))  # int, None for NaT
    first_submitted = _earliest_of_group(_days(c, "submitted_on", at), kept, groups, k).tolist()

    # Lines grouped by claim, each claim's in sheet order: all of them, and the kept ones.
    order = np.argsort(groups, kind="stable")
    start = np.concatenate(([0], np.cumsum(lines))).tolist()
    kept_order = order[kept[order]]
    kept_start = np.concatenate(([0], np.cumsum(np.bincount(groups[kept], minlength=k)))).tolist()
    codes_of = c["denial_codes"].to_numpy(dtype=object)[at] if "denial_codes" in c.columns else np.full(n, None, dtype=object)
    codes_in_order = codes_of[order].tolist()
    label_of = c.index[at]
    kept_labels = label_of[kept_order].tolist()
    kept_rows = c["row"].to_numpy()[at][kept_order].tolist() if "row" in c.columns else [None] * len(kept_order)
    labels = label_of.tolist()
    all_appealed = all_appealed.tolist()

    out: list[ClaimDecision] = []
    for i, claim in enumerate(claim_ids.tolist()):
        s, e = start[i], start[i + 1]
        if e - s == 1:
            codes = codes_in_order[s]
            codes = codes if type(codes) is tuple else tuple(codes or ())
        else:
            codes = tuple(code for line_codes in codes_in_order[s:e] for code in (line_codes or ()))
        facts = _facts(codes)
        decision, parsed, unknown = facts.decision, facts.parsed, facts.unknown
        ks, ke = kept_start[i], kept_start[i + 1]
        status_i = "Appealed" if all_appealed[i] else "Denied"
        line = deadline_line[i]
        d = ClaimDecision(claim_id=claim, decision=decision, why="", codes=parsed, unknown=unknown,
                          arguments=facts.arguments, payer=payer_name[i], denial_date=denial_date[i],
                          appeal_deadline=appeal_by_date[i], days_left=appeal_days_left[i],
                          filing_deadline=file_by_date[i], filing_days_left=filing_days_left[i],
                          indexes=tuple(kept_labels[ks:ke]), status=status_i,
                          deadline_line=labels[line] if line < n else None)
        p = payer[i]
        kind, guessed = types[payer_name[i]]
        d.payer_type = kind
        medicare = kind == MEDICARE
        notes: list[str] = []
        if not p.on_sheet:
            notes.append(f"{payer_name[i] or 'the payer'} is not on the Payers sheet, so the default {p.appeal_days} appeal days apply")
        elif p.appeal_days_assumed:
            notes.append(f"Appeal Days is blank for {payer_name[i]} on the Payers sheet, so {p.appeal_days} days are assumed "
                         f"for a {p.payer_type} payer; enter the plan's own appeal window")
        if guessed and kind:
            notes.append(f"Payer Type is blank, so {payer_name[i]} is taken for {'Original Medicare' if medicare else kind} "
                         "from its name; fill Payer Type on the Payers sheet")
        if unknown:
            notes.append(f"not in claimcheck's catalogue: {', '.join(unknown)}")
        if facts.unverified:
            notes.append(f"meaning unverified for {', '.join(facts.unverified)}: check the remittance")

        if status_i == "Appealed":
            d.decision = ALREADY_APPEALED
            d.why = "Status is Appealed: the appeal was filed; follow up with the payer if no decision within 60 days"
            d.notes = tuple(notes)
            out.append(d)
            continue

        # Refinements that need the workbook.
        if medicare and decision == CORRECTED and d.denial_date is not None:
            d.reopen_deadline = d.denial_date + dt.timedelta(days=MEDICARE_REOPEN_DAYS)
        if decision == CORRECTED and medicare:
            pass  # a Medicare reopening has its own one-year window, not the filing limit's
        elif decision == CORRECTED and d.filing_days_left is not None and d.filing_days_left < 0:
            # A corrected claim would now be denied for timely filing: correct through the appeal.
            d.decision = decision = APPEAL
            if "coding" not in d.arguments:
                d.arguments = ("coding",) + d.arguments
            notes.append(f"the filing window closed {d.filing_deadline.isoformat()}, so the correction goes through the appeal")
        if decision == APPEAL and facts.has_29:
            submitted = first_submitted[i]
            tf = file_by_date[i] if first_dos[i] else None
            if submitted is not None and tf is not None and submitted > tf:
                if facts.only_29:
                    d.decision = decision = WRITE_OFF
                    d.why = (f"CO-29: first submitted {submitted.isoformat()}, {(submitted - tf).days} days after the "
                             f"{p.timely_filing_days}-day filing limit ({tf.isoformat()}); not appealable without proof of an "
                             "earlier submission - write off")
            elif submitted is None:
                notes.append("CO-29: enter the Submitted On date; the appeal needs proof of the first submission")

        if decision == APPEAL and not d.why:
            d.why, note = facts.appeal_why
            if note:
                notes.append(note)
            if medicare and facts.only_29:
                # A timely-filing denial is not an initial determination with appeal rights
                # (Pub. 100-04 ch. 34, section 10.1): the contractor reopens on proof instead.
                d.why = ("ask the Medicare contractor to reopen the claim on proof of timely filing (CO-29 carries no "
                         "redetermination rights)" + d.why[len(f"appeal {facts.code_list}"):])
            elif medicare:
                d.why = "request a Medicare redetermination (form CMS-20027 or a letter with its fields) of" + d.why[len("appeal"):]
            elif kind == MEDICARE_ADVANTAGE:
                d.why = ("request the plan's reconsideration (Medicare Advantage, 42 CFR 422.582; not a Medicare contractor "
                         "redetermination) of" + d.why[len("appeal"):])
        elif decision in (CORRECTED, NEW_CLAIM):
            d.fix = facts.correction_fix
            found = _fixes_of(fixes, {int(r) for r in kept_rows[ks:ke]}) if fixes else []
            if found:
                d.fix = (d.fix + "; " if d.fix else "") + "claimcheck also finds: " + "; ".join(found)
            if decision == NEW_CLAIM:
                head = "send a new claim, not an appeal (MA130: unprocessable, no appeal rights)"
            elif medicare:
                # Original Medicare Part B takes no replacement (frequency 7) claims: a processed
                # claim is corrected by a reopening (clerical error) or appealed (redetermination).
                # CMS Pub. 100-04 ch. 34 section 10 and 10.11; 42 CFR 405.980(b)(1).
                head = medicare_reopening_why(d, as_of)
            else:
                head = "send a corrected claim (frequency code 7 with the payer's claim number), not an appeal"
            if d.filing_deadline is not None and not (medicare and decision == CORRECTED):
                head += f", by {d.filing_deadline.isoformat()} (filing limit)"
            d.why = head + (f". {d.fix}" if d.fix else "")
        elif decision == OTHER_PAYER:
            d.why = facts.other_payer_why
        elif decision == BILL_PATIENT:
            d.why = facts.bill_patient_why
        elif decision == WRITE_OFF and not d.why:
            d.why = facts.write_off_why
        elif decision == CHECK_FIRST:
            d.why = facts.check_first_why
        d.notes = tuple(notes)
        out.append(d)
    return out
