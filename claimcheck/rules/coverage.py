"""ELIG: the client's eligibility - whether the payer billed covers this client on the date of
service, under the member ID on the line.

Eligibility is among the most common reasons a claim is denied (no coverage on the date, the
wrong payer, a member ID the payer cannot match).  The checks read the optional Coverage sheet
(one row per client and plan: payer, member ID, effective and termination dates, plan order,
copay); a client without rows there, and a workbook without the sheet, are not checked.  The
Medicare Beneficiary Identifier's shape is checked on every line billed to Original Medicare.
"""

from __future__ import annotations

from ..values import brief

import re

import pandas as pd

from .. import columns as C
from ..denials import is_medicare
from .examples import Example
from .lines import run_line_rule
from ._util import map_unique, run_client_key
from .registry import line_rule, rule

COVERAGE_SOURCE = ("X12 claim adjustment reasons 26 (expenses incurred before coverage), 27 (after coverage ended), "
                   "31 (patient cannot be identified as our insured) and 109 (not covered by this payer), "
                   "x12.org/codes/claim-adjustment-reason-codes")

#: The letters an MBI may hold: A-Z without S, L, O, I, B and Z (CMS, "Understanding the Medicare
#: Beneficiary Identifier (MBI) Format", cms.gov/medicare/new-medicare-card/understanding-the-mbi.pdf).
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_N0, _N1, _A = "0123456789", "123456789", MBI_LETTERS
_AN = _N0 + MBI_LETTERS
#: What each of the 11 positions allows (C: 1-9; N: 0-9; A: a letter; AN: either), per the CMS spec.
MBI_POSITIONS = (_N1, _A, _AN, _N0, _A, _AN, _N0, _A, _A, _N0, _N0)
_KIND = {_N1: "a digit 1-9", _N0: "a digit", _A: "a letter (not S, L, O, I, B or Z)",
         _AN: "a digit or a letter (not S, L, O, I, B or Z)"}
#: The old Health Insurance Claim Number: a Social Security number and a letter code (no longer
#: accepted on claims since 2020-01-01, CMS New Medicare Card project).
_HICN = re.compile(r"\d{9}[A-Z]{1,2}\d?")


def mbi_problem(text: str) -> str | None:
    """Why ``text`` is not a Medicare Beneficiary Identifier, or None when it is one."""
    raw = text.strip().upper()
    compact = re.sub(r"[\s-]", "", raw)
    if _HICN.fullmatch(compact):
        return ("looks like an old Medicare number (HICN, based on a Social Security number); Medicare claims need "
                "the client's 11-character MBI from the red-white-and-blue card")
    if len(compact) != 11:
        return f"has {len(compact)} characters; an MBI has 11 (for example 1EG4TE5MK73)"
    for position, (char, allowed) in enumerate(zip(compact, MBI_POSITIONS), start=1):
        if char not in allowed:
            return f"has {char!r} at position {position}, which must be {_KIND[allowed]}"
    if compact != raw:
        return "is an MBI with dashes or spaces; send it as 11 characters without them"
    return None


@line_rule(
    "ELIG001", title="Malformed Medicare Beneficiary Identifier", severity="error", column="Member ID",
    needs=("member_id", "payer"),
    why="Original Medicare identifies a client only by the 11-character Medicare Beneficiary Identifier (MBI); a "
        "claim with another number (an old Social Security-based HICN, a typo, a Medicare Advantage plan's ID) is "
        "rejected before it is read. Each position allows only certain characters: 1 a digit 1-9; 2, 5, 8 and 9 "
        "letters; 4, 7, 10 and 11 digits; 3 and 6 either; the letters S, L, O, I, B and Z are never used (CMS, "
        "'Understanding the Medicare Beneficiary Identifier (MBI) Format', cms.gov).",
    fix="Copy the MBI from the client's Medicare card, or look it up in the Medicare contractor's portal; for a "
        "Medicare Advantage plan, set the payer's Payer Type to Medicare Advantage and use the plan's member ID.",
    reads=("member_id", "payer"),
    bad=[{"Payer": "Medicare Part B", "Member ID": "1EG4TE5MK7O"}],
    good=[{"Payer": "Medicare Part B", "Member ID": "1EG4TE5MK73"}],
)
def malformed_mbi(line, env):
    """Flags a Member ID on a line to Original Medicare (Payer Type Medicare, or Medicare in
    the name when the type is blank) that is not an MBI: 11 characters, each position of its
    kind, no S, L, O, I, B or Z; dashes or spaces are flagged too (claims carry the 11
    characters alone)."""
    if not isinstance(line.member_id, str) or not is_medicare(env.payer(line.payer)):
        return None
    problem = mbi_problem(line.member_id)
    if problem:
        return f"Member ID {brief(line.member_id)} {problem}"


# --------------------------------------------------------------------------- Coverage sheet

def _key(text) -> str:
    return (text or "").strip().upper() if isinstance(text, str) else ""


def _member_key(text) -> str:
    return re.sub(r"[\s-]", "", text).upper() if isinstance(text, str) else ""


def _coverage_index(book) -> dict[str, list]:
    """Client ID (upper case) -> the client's Coverage rows."""
    index: dict[str, list] = {}
    for cov in book.coverage:
        index.setdefault(_key(cov.client_id), []).append(cov)
    return index


def _span(cov) -> str:
    start = cov.effective_date.isoformat() if cov.effective_date else "(no effective date)"
    end = cov.termination_date.isoformat() if cov.termination_date else "open"
    return f"{start} to {end}"


def _billed(line) -> bool:
    return line.status_key not in C.NOT_BILLED_KEYS


_COVERAGE = {"Coverage": ({"Client ID": "CL-1", "Payer": "Acme Health", "Member ID": "M100",
                           "Effective Date": "2026-01-01", "Plan Order": "Primary"},)}
_READS = ("client_id", "payer", "dos", "status_key")


@rule(
    "ELIG002", title="Date of service outside the client's coverage", severity="error", column="DOS",
    needs=("client_id", "payer", "dos"), row_level=False,
    why="A payer pays only for services while the client's plan is in force; a session before the plan's effective "
        "date or after its termination is denied (" + COVERAGE_SOURCE + ").",
    fix="Verify eligibility for the date of service (the payer's portal or a 270/271 check); if the client has a new "
        "plan, add it to the Coverage sheet and bill that payer; if coverage was lost, bill the client as agreed.",
    bad=Example(lines=({"DOS": "2025-12-29"},), sheets=_COVERAGE),
    good=Example(lines=({},), sheets=_COVERAGE),
)
def outside_coverage(ctx):
    """Flags a billed line (not Void, Cancelled or No Show) whose client (Client ID, case
    ignored) has rows with the line's payer on the Coverage sheet, none of them in force on the
    DOS (Effective Date to Termination Date, inclusive; a blank end is open)."""
    index = _coverage_index(ctx.book)
    if not index:
        return None

    def check(line, env):
        if line.dos is None or not _billed(line):
            return None
        payer = _key(line.payer)
        rows = [c for c in index.get(_key(line.client_id), ()) if _key(c.payer) == payer] if payer else []
        if not rows or any(c.covers(line.dos) for c in rows):
            return None
        spans = "; ".join(_span(c) for c in rows)
        return (f"DOS {line.dos.isoformat()} is outside client {brief(line.client_id)}'s coverage with {brief(line.payer)} ({spans}); "
                "verify eligibility for that date")

    return run_line_rule(ctx, check, _READS, "DOS")


@rule(
    "ELIG003", title="Payer is not one of the client's plans", severity="error", column="Payer",
    needs=("client_id", "payer"), row_level=False,
    why="A claim sent to a payer that does not insure the client is denied as not its member or not its liability "
        "(" + COVERAGE_SOURCE + "); the right payer's filing deadline keeps running meanwhile.",
    fix="Bill the payer the Coverage sheet gives for the date of service (the finding names it), or add the client's "
        "plan with this payer to the Coverage sheet if it is missing.",
    bad=Example(lines=({"Payer": "Plain Plan"},), sheets=_COVERAGE),
    good=Example(lines=({"Payer": "Acme Health"},), sheets=_COVERAGE),
)
def payer_not_covering(ctx):
    """Flags a billed line whose client has rows on the Coverage sheet, none with the line's
    payer (case ignored); the message names the client's plans in force on the DOS."""
    index = _coverage_index(ctx.book)
    if not index:
        return None

    def check(line, env):
        rows = index.get(_key(line.client_id))
        payer = _key(line.payer)
        if not rows or not payer or not _billed(line) or any(_key(c.payer) == payer for c in rows):
            return None
        current = [c for c in rows if line.dos is None or c.covers(line.dos)]
        current.sort(key=lambda c: c.plan_order or 9)
        if current:
            names = ", ".join(f"{brief(c.payer)}" + (f" ({('primary', 'secondary', 'tertiary')[c.plan_order - 1]})"
                                               if c.plan_order else "") for c in current)
            where = f"the Coverage sheet gives {names}"
            if line.dos is not None:
                where += f" on {line.dos.isoformat()}"
        else:
            where = "the Coverage sheet has no plan in force on that date"
        return f"client {brief(line.client_id)} has no coverage with {brief(line.payer)}: {where}"

    return run_line_rule(ctx, check, _READS, "Payer")


@rule(
    "ELIG004", title="Member ID differs from the client's coverage", severity="warning", column="Member ID",
    needs=("client_id", "payer", "member_id"), row_level=False,
    why="The payer finds the client by the member ID; an ID that differs from the one on the client's plan (a typo, "
        "an old card, a dependant's suffix left off) is denied as a patient the payer cannot identify "
        "(" + COVERAGE_SOURCE + ").",
    fix="Copy the member ID from the client's current card into the line, or correct the Coverage sheet if the "
        "card changed.",
    bad=Example(lines=({"Member ID": "M1000"},), sheets=_COVERAGE),
    good=Example(lines=({"Member ID": "m-100"},), sheets=_COVERAGE),
)
def member_id_differs(ctx):
    """Flags a billed line whose Member ID differs (ignoring case, spaces and dashes) from the
    Member ID of every row of the client's coverage with the line's payer in force on the DOS
    (rows without a Member ID are not compared)."""
    index = _coverage_index(ctx.book)
    if not index:
        return None

    def check(line, env):
        mine = _member_key(line.member_id)
        if not mine or line.dos is None or not _billed(line):
            return None
        payer = _key(line.payer)
        ids = {c.member_id for c in index.get(_key(line.client_id), ())
               if _key(c.payer) == payer and c.covers(line.dos) and _member_key(c.member_id)}
        if not ids or any(_member_key(i) == mine for i in ids):
            return None
        return (f"Member ID {brief(line.member_id)} is not the ID of client {brief(line.client_id)}'s plan with {brief(line.payer)} "
                f"({', '.join(brief(i) for i in sorted(ids))}); correct it")

    return run_line_rule(ctx, check, _READS + ("member_id",), "Member ID")


#: Statuses that say the payer answered the line (a remittance was posted: paid, partly paid,
#: denied, or put on the client).
ANSWERED_STATUSES = frozenset(map(C.status_key, ("Paid", "Partially Paid", "Denied", "Patient Responsibility")))
#: Statuses of a line that has gone, or is about to go, to the payer.
SENT_STATUSES = frozenset(map(C.status_key, ("Ready", "Submitted")))
COB_SOURCE = ("a secondary payer decides its share from the primary's payment and adjustments, sent on the claim "
              "(837P loops 2320/2430) or as the primary's remittance with a paper claim; a secondary claim without "
              "them is denied - X12 remark codes MA04 (secondary payment cannot be considered without the primary "
              "payer's information) and N4 (prior insurance carrier's EOB missing or incomplete), "
              "x12.org/codes/remittance-advice-remark-codes; for Medicare as secondary payer, CMS Medicare Secondary "
              "Payer Manual, Pub. 100-05 ch. 3")


def _order(value) -> str:
    """A Payer Order cell as compared: '' for blank or Primary (the default), else its word."""
    text = C.status_key(value if isinstance(value, str) else ("" if value is None or value != value else str(value)))
    return "" if text == "Primary" else text


def _has(value) -> bool:
    """A cell that holds something (0 counts: a primary that paid nothing still answered)."""
    return value is not None and value == value and value != "" and value is not pd.NaT


@rule(
    "ELIG005", title="Secondary payer billed before the primary's remittance", severity="error", column="Payer Order",
    needs=("status", "dos", "cpt"), row_level=False,
    why="Under coordination of benefits the primary payer is billed first and the secondary after it has answered: "
        + COB_SOURCE + ". A secondary line sent while the primary has not paid or denied the same service is denied "
        "or held, and its filing limit keeps running.",
    fix="Set the secondary line back to Draft until the primary's remittance is posted on the primary line (Paid "
        "Amount, Remit Date or a Paid/Denied/Patient Responsibility status); then send the secondary with the "
        "primary's payment, adjustments and payer claim number. If the primary already answered, post its "
        "remittance on the primary line.",
    bad=[{}, {'Claim ID': 'C2', 'Payer': 'Gov Medicaid', 'Payer Order': 'Secondary'}],
    good=[{'Status': 'Paid', 'Submitted On': '2026-06-02', 'Paid Amount': 80.0, 'Remit Date': '2026-06-20'},
          {'Claim ID': 'C2', 'Payer': 'Gov Medicaid', 'Payer Order': 'Secondary'}],
)
def secondary_before_primary(ctx):
    """Flags a line whose Payer Order is Secondary (or Tertiary) - or, with Payer Order blank (or
    no such column), whose payer the Coverage sheet gives that Plan Order for the client on the
    DOS - and whose Status is Ready or Submitted while the same service - same client (Client ID, else Member ID), DOS and code -
    has a billed primary line (Payer Order Primary, or blank and not a later plan by the Coverage
    sheet; not Void, Cancelled or No Show)
    and none of the service's primary lines shows the primary's answer (a Paid Amount, 0
    included, a Remit Date, a Denial Date, or Status Paid, Partially Paid, Denied or Patient
    Responsibility).  A secondary line without a primary line on the sheet is not flagged.  The
    reverse case, a primary that answered and a secondary not yet sent, is ERA007's (claimcheck
    era)."""
    c = ctx.claims
    if "status_key" not in c.columns:
        return None
    typed = c["payer_order"] if "payer_order" in c.columns else pd.Series(None, index=c.index, dtype=object)
    order = map_unique(typed, _order)
    from_coverage = _orders_from_coverage(ctx, map_unique(typed, _has_text))
    order = order.where(from_coverage.isna(), from_coverage)
    later = order.isin(("Secondary", "Tertiary")) & c["status_key"].isin(SENT_STATUSES)
    if not later.any():
        return None
    who = run_client_key(ctx)
    key = pd.Series(list(zip(who, c["dos"], c["cpt"])), index=c.index)
    primary = (order == "") & ~c["status_key"].isin(C.NOT_BILLED_KEYS)
    wanted = set(key[later])
    primaries = c[primary & key.isin(wanted)]
    if primaries.empty:
        return None

    def answered(i) -> bool:
        row = primaries.loc[i]
        return (row["status_key"] in ANSWERED_STATUSES
                or any(_has(row.get(name)) for name in ("paid_amount", "remit_date", "denial_date")))

    by_service: dict = {}
    for i in primaries.index:
        k = key.at[i]
        rows, done = by_service.get(k, ([], False))
        by_service[k] = (rows + [i], done or answered(i))
    out = []
    sheet_row = c["row"]
    for i in c.index[later.to_numpy()]:
        found = by_service.get(key.at[i])
        if found is None or found[1] or pd.isna(c.at[i, "dos"]):
            continue
        first = found[0][0]
        why = (f" (the Coverage sheet makes {brief(c.at[i, 'payer'])} this client's {order.at[i].lower()} plan)"
               if isinstance(from_coverage.at[i], str) else "")
        out.append((i, f"{order.at[i].lower()} line sent ({c.at[i, 'status_key']}) before the primary answered{why}: "
                       f"the primary line for {c.at[i, 'cpt']} on {c.at[i, 'dos'].date().isoformat()} (row "
                       f"{sheet_row.at[first]}, {brief(c.at[first, 'payer'])}) has no remittance posted; hold this "
                       f"line until the primary's payment or denial is on it"))
    return out


def _has_text(value) -> bool:
    return _has(value) and str(value).strip() != ""


def _orders_from_coverage(ctx, typed: pd.Series) -> pd.Series:
    """Per line whose Payer Order is blank: Secondary or Tertiary when the Coverage sheet gives
    the line's payer that Plan Order for the client (Client ID) on the DOS, else None (NaN).  A
    typed Payer Order is never overridden."""
    out = pd.Series(None, index=typed.index, dtype=object)
    index = _coverage_index(ctx.book)
    if not index:
        return out
    c = ctx.claims
    names = {2: "Secondary", 3: "Tertiary"}
    later = {(client, _key(cov.payer)) for client, rows in index.items() for cov in rows if cov.plan_order in names}
    if not later:
        return out
    blank = ~typed.astype(bool)
    for i, client, payer, dos in zip(c.index[blank.to_numpy()], c["client_id"][blank], c["payer"][blank], c["dos"][blank]):
        if (_key(client), _key(payer)) not in later or pd.isna(dos):
            continue
        day = dos.date()
        for cov in index[_key(client)]:
            if _key(cov.payer) == _key(payer) and cov.plan_order in names and cov.covers(day):
                out.at[i] = names[cov.plan_order]
                break
    return out
