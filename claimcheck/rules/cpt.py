"""CPT: procedure codes - unknown or malformed codes, time versus code, add-ons without their
primary, codes not billable together on one day, units over the daily maximum or CMS's MUE,
units of a per-unit-of-time code (H2019 per 15 minutes) against its minutes.

Time bands, unit lengths, add-on pairs, same-day pairs, daily limits and MUEs come from the code tables
(``claimcheck/data/*.csv``, each row with its source), not from this file.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from ..table_rows import PROCEDURE_SHAPE, UNIT_ROUNDING
from ..tables import psychotherapy_code_for_minutes, units_for_minutes
from ..values import brief, shown
from .registry import line_rule, rule
from ._util import (code_list, combine_codes, day, memo, messages, per_code, run_client_codes,
                    run_client_key, run_codes, run_empty_code)

DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
PRESCRIBER_CREDENTIALS = frozenset({"MD", "DO", "NP", "PMHNP", "PMHNP-BC", "APRN", "CNS", "PA", "PA-C", "APN", "FNP", "DNP", "CNP"})


def _procedure(line, env):
    """The line's procedure record from the code table (None when the code is unknown)."""
    return env.tables.procedures.get(line.cpt) if isinstance(line.cpt, str) else None


@line_rule(
    "CPT001", title="Malformed procedure code", severity="error", column="CPT", needs=("cpt",),
    why="A procedure code must be five characters (five digits for CPT, a letter and four digits for HCPCS); anything else is rejected at the clearinghouse.",
    fix="Retype the code (for example 90834 or H0004); check for a stray letter, a missing digit or a modifier typed into the CPT cell.",
    reads=("cpt",),
    bad=[{'CPT': '9O834'}],
    good=[{'CPT': 90834}],
)
def malformed_code(line, env):
    """Flags a CPT/HCPCS cell that is not shaped like a code."""
    if line.cpt is not None and not PROCEDURE_SHAPE.match(line.cpt):
        return f"{shown(line.cpt)} is not a CPT or HCPCS code (5 characters, e.g. 90834)"


@line_rule(
    "CPT006", title="Procedure code not in the behavioral-health code table", severity="warning", column="CPT", needs=("cpt",),
    why="claimcheck knows the psychiatry, psychotherapy, testing, E/M and behavioral HCPCS codes; an unknown code may be a typo or a service the payer does not cover for this provider.",
    fix="Check the code; if it is right, add it to procedures.csv in your tables folder (CLAIMCHECK_TABLES) so its rules apply.",
    reads=("cpt",),
    bad=[{'CPT': '12345'}],
    good=[{'CPT': '90834'}],
)
def unknown_code(line, env):
    """Flags a well-formed code that is not in the procedure table."""
    c = line.cpt
    if c is not None and PROCEDURE_SHAPE.match(c) and c not in env.tables.procedures:
        return f"{c} is not in claimcheck's behavioral-health code table; check it"


@line_rule(
    "CPT015", title="Deleted procedure code", severity="error", column="CPT", needs=("cpt",),
    why="Payers reject codes that have been deleted from CPT. The prolonged-service codes 99354/99355, once added to 90837 or 90847 for long "
        "therapy sessions, were deleted on 2023-01-01, and their successors 99417 and G2212 extend E/M visits only, not psychotherapy "
        "(theinsurancemaze.com extended-sessions update, 2023).",
    fix="For psychotherapy bill 90837 (53 minutes or more) alone: CPT has no add-on for the time past 90 minutes, so ask the payer whether "
        "it has an extended-session policy; crisis care is 90839 with 90840. A prescriber's long E/M visit uses 99417 (commercial) or G2212 (Medicare).",
    reads=("cpt",),
    bad=[{'Minutes': None, 'CPT': '99354'}],
    good=[{'CPT': '90837', 'Minutes': 95}],
)
def deleted_code(line, env):
    """Flags a code the table marks as deleted."""
    p = _procedure(line, env)
    if p is None or p.kind != "deleted":
        return None
    if p.code in ("99354", "99355"):
        return (f"{p.code} was deleted on 2023-01-01; for psychotherapy bill 90837 alone (no add-on for extra time) and check the payer's "
                f"extended-session policy; 99417/G2212 extend E/M visits only")
    return f"{p.code} is a deleted code; {p.label}"


@line_rule(
    "CPT016", title="Psychotherapy code with more than one unit", severity="error", column="Units", needs=("cpt", "units"),
    why="90832-90838 each describe one session's psychotherapy time: the code, not the units, says how long it was. "
        "A line with 2 units asks to be paid twice for one session and is denied or recouped "
        "(CPT time rule; MAC guidance such as Novitas' psychotherapy billing FAQ: one unit per session).",
    fix="Set Units to 1 and bill the code whose band holds the session's minutes; two separate sessions the same day are added together into one code.",
    reads=("cpt", "units"),
    bad=[{'Units': 2}],
    good=[{'Units': 1}],
)
def psychotherapy_units_over_one(line, env):
    """Flags 90832-90838 (psychotherapy and psychotherapy with E/M, by the procedure table's
    kind) billed with more than one unit."""
    p = _procedure(line, env)
    if p is not None and p.kind in ("psychotherapy", "psychotherapy_em") and line.units is not None and line.units > 1:
        return f"{p.code} is billed once per session; {_minutes(line.units)} units on one line (bill 1 unit)"


def _unit_rounding(env) -> str:
    """payer_defaults.csv ``Timed Unit Rounding`` (midpoint unless the practice says whole)."""
    value = (env.tables.payer_defaults.get("Timed Unit Rounding") or "").strip().lower()
    return value if value in UNIT_ROUNDING else "midpoint"


def _per_unit_of_time(line, env):
    """(procedure, minutes, units, units the minutes support, rounding) for a line whose code is
    billed per unit of time (procedures.csv ``unit_minutes``) with minutes and units recorded;
    None otherwise."""
    p, m, u = _procedure(line, env), line.minutes, line.units
    if p is None or not p.unit_minutes or m is None or u is None:
        return None
    rounding = _unit_rounding(env)
    return p, m, u, units_for_minutes(m, p.unit_minutes, rounding), rounding


def _unit_rule_text(p, rounding: str) -> str:
    half = p.unit_minutes // 2 + 1
    if rounding == "whole":
        return f"one unit per full {p.unit_minutes} minutes"
    return f"one unit per {p.unit_minutes} minutes, the first from {half} minutes"


_UNIT_SOURCE = ("CMS Medicare Claims Processing Manual, Pub. 100-04, ch. 5 sec. 20.2 (a unit of a timed code counts once "
                "more than half of it is given: the 8-minute rule for 15-minute units); Medicaid programs and other payers "
                "may require the full unit - set Timed Unit Rounding in payer_defaults.csv and unit_minutes in procedures.csv "
                "(your tables folder) to your payers' rule")


@line_rule(
    "CPT018", title="Units more than the minutes support (per-unit-of-time code)", severity="error", column="Units",
    needs=("cpt", "units", "minutes"),
    why="Codes billed per unit of time (H0004, H2011, H2019: 15 minutes a unit) are paid per unit, and each unit must be "
        "supported by documented minutes: with 15-minute units 8-22 minutes are 1 unit, 23-37 are 2, 38-52 are 3. "
        "Units the minutes do not support are denied or taken back in an audit (" + _UNIT_SOURCE + ").",
    fix="Bill the units the session's minutes support (the finding names them), or correct the minutes if they were typed wrong.",
    reads=("cpt", "units", "minutes"),
    bad=[{'CPT': 'H2019', 'Modifiers': 'HO', 'Minutes': 50, 'Units': 4}],
    good=[{'CPT': 'H2019', 'Modifiers': 'HO', 'Minutes': 53, 'Units': 4}],
)
def units_above_minutes(line, env):
    """Flags a line of a code billed per unit of time (procedures.csv ``unit_minutes``) whose
    Units are more than its Minutes support under Timed Unit Rounding (midpoint: the 8-minute
    rule).  Each line is checked on its own minutes; lines without minutes are left out."""
    found = _per_unit_of_time(line, env)
    if found is None:
        return None
    p, m, u, supported, rounding = found
    if u > supported:
        return (f"{p.code} x{_minutes(u)}: {_minutes(m)} minutes support {supported} unit{'' if supported == 1 else 's'} "
                f"({_unit_rule_text(p, rounding)})")


@line_rule(
    "CPT019", title="Units fewer than the minutes support (per-unit-of-time code)", severity="warning", column="Units",
    needs=("cpt", "units", "minutes"),
    why="A per-unit-of-time code (H0004, H2011, H2019) billed with fewer units than its documented minutes support is "
        "under-billed: the practice is paid for less time than it gave (" + _UNIT_SOURCE + ").",
    fix="Bill the units the minutes support (the finding names them), unless an authorization or payer cap limits the units.",
    reads=("cpt", "units", "minutes"),
    bad=[{'CPT': 'H2019', 'Modifiers': 'HO', 'Minutes': 60, 'Units': 2}],
    good=[{'CPT': 'H2019', 'Modifiers': 'HO', 'Minutes': 60, 'Units': 4}],
)
def units_below_minutes(line, env):
    """Flags a line of a code billed per unit of time whose Minutes support more units than it
    bills (under Timed Unit Rounding)."""
    found = _per_unit_of_time(line, env)
    if found is None:
        return None
    p, m, u, supported, rounding = found
    if u < supported:
        return (f"{p.code} x{_minutes(u)}: {_minutes(m)} minutes support {supported} units "
                f"({_unit_rule_text(p, rounding)}); bill {supported} unless a cap limits them")


def _band(p) -> str:
    if p.max_minutes is None:
        return f"{p.min_minutes}+ minutes"
    return f"{p.min_minutes}-{p.max_minutes} minutes"


def _fits(kind: str, minutes: float) -> str:
    if kind in ("psychotherapy", "psychotherapy_em"):
        code = psychotherapy_code_for_minutes(minutes, kind)
        return f" ({code} fits)" if code else ""
    if kind == "crisis" and minutes < 30:
        return " (crisis care under 30 minutes is billed as 90832, or 90833 with an E/M)"
    return ""


def _minutes(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@line_rule(
    "CPT002", title="Minutes too few for the code", severity="error", column="Minutes", needs=("cpt", "minutes"),
    why="Timed codes need the documented face-to-face minutes: 90832 16-37, 90834 38-52, 90837 53+, 90839 30-74, 90846/90847 26+. A payer audit takes back every session billed above its time.",
    fix="Bill the code whose time band holds the minutes (the finding names it), or correct the minutes if they were typed wrong.",
    reads=("cpt", "minutes"),
    bad=[{'CPT': '90837'}],
    good=[{'Minutes': 53, 'CPT': '90837'}],
)
def minutes_below_band(line, env):
    """Flags a timed code whose recorded minutes are below its band (psychotherapy under 16
    minutes is CPT004; 90840 is checked by CPT012)."""
    p, m = _procedure(line, env), line.minutes
    if p is None or p.min_minutes is None or p.kind == "crisis_addon" or m is None or m >= p.min_minutes:
        return None
    if p.kind in ("psychotherapy", "psychotherapy_em") and m < 16:
        return None
    return f"{p.code} needs {_band(p)}; {_minutes(m)} recorded{_fits(p.kind, m)}"


@line_rule(
    "CPT003", title="Minutes more than the code's band", severity="warning", column="Minutes", needs=("cpt", "minutes"),
    why="A session longer than the code's band is under-billed: the practice is paid for less time than it gave.",
    fix="Bill the code that fits the minutes (the finding names it).",
    reads=("cpt", "minutes"),
    bad=[{'Minutes': 50, 'CPT': '90832'}],
    good=[{'Minutes': 90, 'CPT': '90839'}],
)
def minutes_above_band(line, env):
    """Flags a timed code whose minutes exceed its band (crisis care over 74 minutes is CPT014,
    since it depends on the claim's other lines)."""
    p, m = _procedure(line, env), line.minutes
    if p is None or p.max_minutes is None or p.kind == "crisis" or m is None or m <= p.max_minutes:
        return None
    return f"{p.code} covers {_band(p)}; {_minutes(m)} recorded{_fits(p.kind, m)}"


@rule(
    "CPT014", title="Crisis care over 74 minutes without 90840", severity="warning", column="Minutes",
    needs=("cpt", "minutes"), row_level=False,
    why="90839 covers the first 74 minutes of crisis care; each further 30 minutes is billed with 90840, so without it the practice is under-paid.",
    fix="Add a 90840 line on the same claim and date (1 unit for 75-104 minutes, 2 for 105-134).",
    bad=[{'Minutes': 90, 'CPT': '90839'}],
    good=[{'Minutes': 90, 'CPT': '90839'}, {'Minutes': 90, 'CPT': '90840'}],
)
def crisis_without_addon(ctx):
    """Flags 90839 with more than 74 minutes when the claim has no 90840 on that date."""
    c = ctx.claims
    minutes = c["minutes"].to_numpy()
    crisis = _lines_with_code(ctx, "90839")
    crisis = crisis[minutes[crisis] > 74]  # False for NaN
    if not len(crisis):
        return []
    addon = _lines_with_code(ctx, "90840")
    claim, dos = c["claim_id"], c["dos"]
    keys = set(zip(claim.iloc[addon], dos.iloc[addon]))  # (claim, date) of each 90840
    return [(idx, f"{_minutes(m)} minutes of crisis care: add 90840 x{units_supported(m)} for the time past 74 minutes")
            for idx, m, cid, d in zip(c.index[crisis], minutes[crisis].tolist(), claim.iloc[crisis], dos.iloc[crisis])
            if (cid, d) not in keys]


def _lines_with_code(ctx, code: str) -> np.ndarray:
    """Positions of the lines billing ``code``."""
    cpt_k, cpt_u = run_codes(ctx, "cpt")
    return np.flatnonzero(np.isin(cpt_k, np.flatnonzero(cpt_u == code)))


def _code_mask(ctx, test) -> np.ndarray:
    """Per ``run_codes`` CPT integer: ``test(code)`` for text codes, else False."""
    return per_code(run_codes(ctx, "cpt")[1], lambda u: isinstance(u, str) and bool(test(u)))


@line_rule(
    "CPT004", title="Psychotherapy under 16 minutes", severity="error", column="Minutes", needs=("cpt", "minutes"),
    why="No psychotherapy code may be billed for fewer than 16 minutes; the line will be denied or recouped.",
    fix="Do not bill the session as psychotherapy; correct the minutes if they were mistyped.",
    reads=("cpt", "minutes"),
    bad=[{'Minutes': 12}],
    good=[{'Minutes': 16, 'CPT': '90832'}],
)
def psychotherapy_under_16(line, env):
    """Flags 90832-90838 with fewer than 16 recorded minutes."""
    p, m = _procedure(line, env), line.minutes
    if p is not None and p.kind in ("psychotherapy", "psychotherapy_em") and m is not None and m < 16:
        return f"{line.cpt} with {_minutes(m)} minutes: psychotherapy under 16 minutes is not billable"


@line_rule(
    "CPT005", title="Timed code without minutes", severity="warning", column="Minutes", needs=("cpt", "minutes"),
    why="Timed psychotherapy, crisis and family codes are paid on documented minutes; without them the code cannot be checked or defended in an audit.",
    fix="Enter the face-to-face minutes from the session note.",
    reads=("cpt", "minutes__empty", "minutes__bad"),
    bad=[{'Minutes': None, 'CPT': '90837'}],
    good=[{'Minutes': None, 'CPT': '90791'}],
)
def timed_code_without_minutes(line, env):
    """Flags a timed code whose Minutes cell is empty (an unreadable one is already reported).
    90840 is not flagged: its time is the claim's crisis minutes, entered on the 90839 line
    (which this rule checks) and read from there by CPT012; a 90840 without 90839 is CPT007."""
    p = _procedure(line, env)
    if p is not None and p.timed and p.kind != "crisis_addon" and line.minutes__empty and not line.minutes__bad:
        return f"{line.cpt} is a timed code; enter the session minutes"


def _primaries_text(ctx, primaries: frozenset[str]) -> str:
    em = ctx.tables.em_codes
    if em and em <= primaries:
        rest = primaries - em
        return "an E/M visit (99202-99350)" + (f" or {_any_of(rest)}" if rest else "")
    return _any_of(primaries)


def _any_of(codes) -> str:
    """Every code, in order: ``90832, 90834 or 90837`` (the biller needs the whole list, not "or 3 more")."""
    codes = sorted(codes)
    return codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " or " + codes[-1]


@rule(
    "CPT007", title="Add-on code without its primary", severity="error", column="CPT", needs=("cpt",),
    why="An add-on code (90785, 90833/90836/90838, 90840, 90863, testing add-ons) is paid only with its primary service on the same claim and date; alone it is denied.",
    fix="Add the primary code on the same claim and date, or remove the add-on.",
    row_level=False,
    bad=[{'Minutes': None, 'CPT': '90785'}],
    good=[{}, {'Minutes': None, 'CPT': '90785'}],
)
def addon_without_primary(ctx):
    """Flags an add-on line with none of its allowed primaries on the same claim and date."""
    c = ctx.claims
    addons = ctx.tables.addons
    cpt_k, cpt_u = run_codes(ctx, "cpt")
    is_addon = _code_mask(ctx, addons.get)
    if not is_addon[cpt_k].any():
        return []
    group = combine_codes(_claim_or_client_codes(ctx), run_codes(ctx, "dos")[0])
    # Only the claim/date groups that hold an add-on matter.
    wanted = np.zeros(group.max() + 1, dtype=bool)
    wanted[group[is_addon[cpt_k]]] = True
    lines = np.flatnonzero(wanted[group])
    group, codes = group[lines], cpt_k[lines]
    flagged = np.zeros(len(lines), dtype=bool)
    texts = {}
    for a in np.flatnonzero(is_addon):  # each add-on code of the sheet: groups with a primary of it
        primaries = addons[cpt_u[a]]
        served = np.zeros(len(wanted), dtype=bool)
        served[group[_code_mask(ctx, primaries.__contains__)[codes]]] = True
        flagged |= (codes == a) & ~served[group]
        texts[a] = f"{cpt_u[a]} is an add-on; bill it with {_primaries_text(ctx, primaries)} on the same claim and date"
    return [(idx, texts[k]) for idx, k in zip(c.index[lines[flagged]], codes[flagged])]


def _claim_or_client_codes(ctx) -> np.ndarray:
    """Per line: an integer for its Claim ID, or for a line without one, its client key (a key
    spelled like some Claim ID counts as that claim)."""
    claim_k, claim_u = run_codes(ctx, "claim_id")
    if run_empty_code(ctx, "claim_id") < 0:
        return claim_k
    empty = claim_k == run_empty_code(ctx, "claim_id")
    who = run_client_key(ctx).to_numpy(dtype=object)[empty]
    same_as_claim = pd.Index(claim_u).get_indexer(who)
    group = claim_k.copy()
    group[empty] = np.where(same_as_claim >= 0, same_as_claim, len(claim_u) + run_client_codes(ctx)[empty])
    return group


def _same_day_groups(ctx):
    return memo(ctx, "cpt.same_day", lambda: _same_day_groups_uncached(ctx))


def _same_day_groups_uncached(ctx):
    """The lines of clients with two or more dated lines on one day (the only lines that can
    pair up): their positions, the (client, day) group of each (numbered in order of the
    group's first line) and their ``run_codes`` CPT codes."""
    dos_k, dos_u = run_codes(ctx, "dos")
    cpt_k, _ = run_codes(ctx, "cpt")
    dated = np.flatnonzero((dos_k != run_empty_code(ctx, "dos")) & _code_mask(ctx, lambda code: True)[cpt_k])
    group = combine_codes(run_client_codes(ctx)[dated], dos_k[dated])
    several = np.bincount(group)[group] >= 2 if len(dated) else np.zeros(0, dtype=bool)
    lines = dated[several]
    return lines, pd.factorize(group[several])[0], cpt_k[lines]


def _same_day_hits(ctx, kind: str):
    c = ctx.claims
    lines, group, codes = _same_day_groups(ctx)
    if not len(lines):
        return []
    cpt_u = run_codes(ctx, "cpt")[1]
    npis = c["rendering_npi"].to_numpy(dtype=object)
    mods = c["modifiers"].to_numpy(dtype=object)
    dos = c["dos"]
    hits = []  # (group, rule number, line, message): the order the findings were always listed in
    for number, rule_ in enumerate(ctx.tables.same_day):
        if rule_.kind != kind:
            continue
        dated = rule_.effective is not None or rule_.deleted is not None
        # Only groups holding both a code of A and one of B can pair up; look at those in Python.
        in_a = _code_mask(ctx, rule_.codes_a.__contains__)[codes]
        in_b = _code_mask(ctx, rule_.codes_b.__contains__)[codes]
        n_groups = group.max() + 1
        both = (np.bincount(group[in_a], minlength=n_groups) > 0) & (np.bincount(group[in_b], minlength=n_groups) > 0)
        by_group: dict = defaultdict(list)
        for j in np.flatnonzero(both[group]).tolist():
            pos = int(lines[j])
            by_group[int(group[j])].append((j, cpt_u[codes[j]], npis[pos], mods[pos]))
        for g, group_lines in by_group.items():
            if dated and not rule_.applies_on(_as_day(dos.iat[int(lines[group_lines[0][0]])])):
                continue  # a CMS pair edit not in force on the group's date of service
            for j, code, npi, mod in group_lines:
                if code not in rule_.codes_a:
                    continue
                partners = [
                    (pcode, pmods) for pj, pcode, pnpi, pmods in group_lines
                    if pj != j and pcode in rule_.codes_b and pcode != code
                    and (rule_.scope != "provider" or pnpi == npi)
                ]
                if not partners:
                    continue
                if kind == "distinct" and (set(mod) | {m for _, pm in partners for m in pm}) & DISTINCT_MODIFIERS:
                    continue
                names = code_list({p for p, _ in partners})
                hits.append((g, number, j, f"{code} and {names} on {day(dos.iat[int(lines[j])])}: {rule_.note}"))
    hits.sort(key=lambda h: h[:3])
    return [(c.index[int(lines[j])], text) for _, _, j, text in hits]


@rule(
    "CPT008", title="Codes not billable together on one day", severity="error", column="CPT", needs=("cpt", "dos"),
    why="Payers bundle these pairs (NCCI indicator 0 or payer policy): the second service is denied, and no modifier makes it payable.",
    fix="Bill only the service that describes the day (for example the diagnostic evaluation, or the crisis code), or move the other service to the day it happened.",
    row_level=False,
    bad=[{'Minutes': 50, 'CPT': '90839'}, {'Minutes': None, 'CPT': '90785'}],
    good=[{'Minutes': None, 'CPT': '90791'}, {'Claim ID': 'C2', 'DOS': '2026-06-08'}],
)
def not_billable_together(ctx):
    """Flags a line whose code is never billed with another code the client has on that date
    from the same rendering provider (same_day.csv scope 'provider', the NCCI rule; a practice's
    own row may say 'client' for a payer policy that spans providers).  A CMS PTP edit loaded
    from the tables folder flags its column 2 code (the one CMS denies) and applies only to
    dates of service from its effective date to the day before its deletion date (CMS NCCI PTP
    files: Effective Date, Deletion Date)."""
    return _same_day_hits(ctx, "never")


@rule(
    "CPT009", title="Same-day pair needs a distinct-service modifier", severity="warning", column="Modifiers", needs=("cpt", "dos"),
    why="Individual and family psychotherapy on one day are paid only as separate, distinct services, marked with 59 or XE and documented separately.",
    fix="If the services were truly separate, add 59 or XE to the second service and keep separate notes; otherwise bill one.",
    row_level=False,
    bad=[{}, {'Claim ID': 'C2', 'Minutes': 50, 'CPT': '90847'}],
    good=[{}, {'Claim ID': 'C2', 'Minutes': 50, 'CPT': '90847', 'Modifiers': 'XE'}],
)
def distinct_modifier_needed(ctx):
    """Flags same-day pairs that payers accept only with 59/XE/XS/XP/XU (a CMS PTP edit with
    modifier indicator 1: on its column 2 code, within its effective and deletion dates)."""
    return _same_day_hits(ctx, "distinct")


@rule(
    "CPT010", title="Two timed psychotherapy codes on one date", severity="error", column="CPT", needs=("cpt", "dos"),
    why="One psychotherapy code covers a clinician's psychotherapy with a client for the whole day: the minutes of that clinician's sessions that day are added and billed as a single code.",
    fix="Add the minutes together and bill the one code that fits; remove the other line.",
    row_level=False,
    bad=[{}, {'Claim ID': 'C2', 'Minutes': 20, 'CPT': '90832'}],
    good=[{}, {'Claim ID': 'C2', 'Rendering NPI': '1456789019', 'Minutes': 20, 'CPT': '90832'}],
)
def two_timed_psychotherapy_codes(ctx):
    """Flags each line when a client has two or more different timed psychotherapy codes
    (90832-90838) on the same date from the same rendering provider (two clinicians' separate
    sessions on one day are separate services: NCCI pair edits apply per client, date and
    provider - AAPC "What is a CCI edit" 102771)."""
    c = ctx.claims
    lines, group, codes = _same_day_groups(ctx)
    timed = np.flatnonzero(_code_mask(ctx, ctx.tables.timed_psychotherapy.__contains__)[codes])
    if not len(timed):
        return []
    group = combine_codes(group, run_codes(ctx, "rendering_npi")[0][lines])  # (client, date, provider)
    # Distinct timed codes per group: distinct (group, code) pairs counted per group.
    pair = combine_codes(group[timed], codes[timed])
    group_of_pair = np.zeros(pair.max() + 1, dtype=np.intp)
    group_of_pair[pair] = group[timed]
    flagged = timed[np.bincount(group_of_pair)[group[timed]] >= 2]
    if not len(flagged):
        return []
    cpt_u = run_codes(ctx, "cpt")[1]
    codes_of: dict = defaultdict(set)
    for g, k in zip(group[flagged].tolist(), codes[flagged].tolist()):
        codes_of[g].add(cpt_u[k])
    flagged = flagged[np.argsort(group[flagged], kind="stable")]  # group by group, as always listed
    dos = c["dos"]
    return [(c.index[pos], f"{code_list(codes_of[g])} on {day(dos.iat[pos])}: bill one psychotherapy code for the day's total minutes")
            for pos, g in zip(lines[flagged].tolist(), group[flagged].tolist())]


@rule(
    "CPT011", title="Units over the daily maximum", severity="error", column="Units", needs=("cpt", "dos"),
    why="Payers cap the units of a code per client per day; units above the cap are denied. CMS's medically unlikely edits (MUEs) "
        "cap a code's units per client, date of service and provider, and their adjudication indicator (MAI) says how: 1 per "
        "claim line, 2 per date and never paid above, 3 per date and paid above only on appeal with records (CMS NCCI MUE "
        "page, cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medically-unlikely-edits-mues; "
        "Noridian JF MUE page). claimcheck ships no MUE values (they change each quarter): load the quarter's practitioner "
        "values for your codes into procedures.csv (mue, mai) in your tables folder.",
    fix="Correct the units; if more were truly given, appeal with the records (MAI 3) or put the extra units on another line "
        "with the right modifier (MAI 1). Load your payers' limits into procedures.csv (daily_max) and CMS's MUEs (mue, mai).",
    row_level=False,
    bad=[{'Minutes': None, 'CPT': '90791', 'Units': 2}],
    good=[{'CPT': '90791', 'Minutes': None, 'Units': 1}],
)
def units_over_daily_max(ctx):
    """Flags lines whose client/date/code units add up above the table's daily maximum
    (``daily_max``), and lines above CMS's MUE (``mue``) where the table has one: with MAI 1
    the line's own units, with MAI 2 or 3 (or none given) the units of the client, date of
    service, rendering provider and code added up.  An MUE from CMS's quarterly files applies by
    the effective date in the file's name: the newest file in force on the DOS (none before the
    oldest file's date)."""
    c = ctx.claims
    procs = ctx.tables.procedures
    limited = {code: p.daily_max for code, p in procs.items() if p.daily_max}
    over_mue = _units_over_mue(ctx)
    cpt_k, cpt_u = run_codes(ctx, "cpt")
    lines = np.flatnonzero(_code_mask(ctx, limited.__contains__)[cpt_k])
    if not len(lines):
        return over_mue or None
    group = combine_codes(run_client_codes(ctx)[lines], run_codes(ctx, "dos")[0][lines], cpt_k[lines])
    totals = pd.Series(c["units"].to_numpy()[lines]).groupby(group).transform("sum").to_numpy()
    limit = per_code(cpt_u, lambda u: limited.get(u, 0) if isinstance(u, str) else 0, float)[cpt_k[lines]]
    over = np.flatnonzero(totals > limit)
    dos = c["dos"]
    found = [(idx, f"{code}: {_minutes(t)} units on {day(dos.iat[pos])}; at most {limited[code]} per day")
             for idx, code, t, pos in zip(c.index[lines[over]], cpt_u[cpt_k[lines[over]]], totals[over].tolist(), lines[over].tolist())]
    return found + over_mue


_MAI_TEXT = {1: "MAI 1, per claim line: more units truly given go on another line with a modifier such as 59 or 76",
             2: "MAI 2, per date of service: never paid above it",
             3: "MAI 3, per date of service: paid above it only on appeal with records"}


def _units_over_mue(ctx) -> list:
    """(line index, message) for the lines above the MUE of procedures.csv (``mue``, ``mai``)."""
    procs = ctx.tables.procedures
    mue = {code: p for code, p in procs.items() if p.mue}
    if not mue:
        return []
    c = ctx.claims
    cpt_k, cpt_u = run_codes(ctx, "cpt")
    lines = np.flatnonzero(_code_mask(ctx, mue.__contains__)[cpt_k])
    if not len(lines):
        return []
    codes = cpt_u[cpt_k[lines]]
    units = c["units"].to_numpy(dtype=float)[lines]
    provider = run_codes(ctx, "rendering_npi")[0][lines] if "rendering_npi" in c.columns else np.zeros(len(lines), dtype=np.intp)
    group = combine_codes(run_client_codes(ctx)[lines], run_codes(ctx, "dos")[0][lines], provider, cpt_k[lines])
    totals = pd.Series(units).groupby(group).transform("sum").to_numpy()
    dos = c["dos"]
    out = []
    for idx, code, u, t, pos in zip(c.index[lines], codes, units.tolist(), totals.tolist(), lines.tolist()):
        in_force = mue[code].mue_on(_as_day(dos.iat[pos]))
        if in_force is None:
            continue  # the date of service is before every loaded CMS MUE file's effective date
        limit, mai, effective = in_force
        mai = mai or 3
        value = u if mai == 1 else t
        if value > limit:
            where = "on this line" if mai == 1 else f"on {day(dos.iat[pos])} by this provider"
            since = f", file effective {effective.isoformat()}" if effective else ""
            out.append((idx, f"{code}: {_minutes(value)} units {where}; CMS's MUE is {limit} ({_MAI_TEXT[mai]}{since})"))
    return out


@rule(
    "CPT012", title="90840 units do not match the crisis minutes", severity="error", column="Units", needs=("cpt", "minutes"),
    why="90840 is one unit per further 30 minutes after the first 74 (75-104 minutes = 1 unit, 105-134 = 2); more units than the minutes support are denied or recouped.",
    fix="Set the 90840 units from the total crisis minutes, or correct the minutes.",
    row_level=False,
    bad=[{'Minutes': 90, 'CPT': '90839'}, {'Minutes': 90, 'CPT': '90840', 'Units': 2}],
    good=[{'Minutes': 110, 'CPT': '90839'}, {'Minutes': 110, 'CPT': '90840', 'Units': 2}],
)
def crisis_addon_units(ctx):
    """Flags 90840 lines whose units exceed what the claim's crisis minutes support."""
    c = ctx.claims
    lines = np.union1d(_lines_with_code(ctx, "90839"), _lines_with_code(ctx, "90840"))
    if not len(lines):
        return None
    sub = c.iloc[lines]
    group = [sub["claim_id"].fillna(""), sub["dos"]]
    total = sub.groupby(group, dropna=False)["minutes"].transform("max")
    out = []
    for idx, code, units, m in zip(sub.index, sub["cpt"], sub["units"], total):
        if code != "90840" or m != m:
            continue
        allowed = units_supported(m)
        if units > allowed:
            if allowed == 0:
                out.append((idx, f"90840 needs 75+ minutes of crisis care; {_minutes(m)} recorded"))
            else:
                out.append((idx, f"90840 x{_minutes(units)} needs {75 + 30 * (int(units) - 1)}+ minutes; {_minutes(m)} recorded supports {allowed} unit{'s' if allowed > 1 else ''}"))
    return out


@line_rule(
    "CPT013", title="90792 billed by a provider who does not prescribe", severity="warning", column="Rendering NPI",
    needs=("cpt", "rendering_npi"),
    why="90792 (evaluation with medical services) is for prescribers (MD, DO, NP, PA); therapists bill 90791.",
    fix="Bill 90791, or correct the rendering provider.",
    reads=("cpt", "rendering_npi"),
    bad=[{'Minutes': None, 'CPT': '90792'}],
    good=[{'Rendering NPI': '1678901236', 'Minutes': None, 'CPT': '90792'}],
)
def eval_with_medical_services_by_non_prescriber(line, env):
    """Flags 90792 when the Providers sheet gives the rendering provider a non-prescriber
    credential (LCSW, LPC, LMFT, PhD, PsyD ...)."""
    if line.cpt != "90792" or line.rendering_npi not in env.providers:
        return None
    cred = env.providers[line.rendering_npi].credential
    creds = {x.strip() for x in cred.upper().replace("/", ",").replace(" ", ",").split(",") if x.strip()}
    if creds and not creds & PRESCRIBER_CREDENTIALS:
        return f"90792 is for prescribers; the rendering provider is {brief(cred)} (bill 90791)"


def units_supported(minutes: float) -> int:
    """Units of 90840 supported by a crisis session of ``minutes`` (0 below 75)."""
    return 0 if minutes != minutes or minutes < 75 else int((minutes - 45) // 30)


EVAL_KINDS = frozenset({"eval"})


def _eval_repeat_days(ctx) -> int | None:
    """The interval within which a second diagnostic evaluation is flagged (payer_defaults.csv
    ``Eval Repeat Days``; empty or 0 turns the rule off)."""
    text = (ctx.tables.payer_defaults.get("Eval Repeat Days") or "").strip()
    try:
        days = int(float(text)) if text else 0
    except ValueError:
        return None
    return days if days > 0 else None


@rule(
    "CPT017", title="Diagnostic evaluation repeated too soon", severity="warning", column="CPT", needs=("cpt", "dos"),
    row_level=False,
    why="Payers pay a diagnostic evaluation (90791/90792) once per episode of care, commonly once per client in about six months "
        "unless the condition or the provider changes; a repeat is denied as a frequency limit (the interval is an assumption each "
        "practice sets: Eval Repeat Days in payer_defaults.csv).",
    fix="Bill the follow-up as psychotherapy, or keep the evaluation and add a note of why a new one was needed (new provider, "
        "new episode, significant change) and check the payer's policy first.",
    bad=[{'CPT': '90791', 'Minutes': None, 'DOS': '2026-01-05'}, {'Claim ID': 'C2', 'CPT': '90791', 'Minutes': None}],
    good=[{'CPT': '90791', 'Minutes': None, 'DOS': '2025-11-03'}, {'Claim ID': 'C2', 'CPT': '90791', 'Minutes': None}],
)
def eval_repeated_too_soon(ctx):
    """Flags a 90791/90792 line (by the procedure table's kind) for a client, payer and rendering
    provider who had one on an earlier date less than Eval Repeat Days before (a new provider's
    evaluation, such as a prescriber's 90792 after a therapist's intake, is not a repeat); lines
    whose Status is Void, Cancelled or No Show are not services and are left out."""
    from ..columns import NOT_BILLED_KEYS

    days = _eval_repeat_days(ctx)
    if days is None:
        return []
    c = ctx.claims
    cpt_k, _ = run_codes(ctx, "cpt")
    evals = np.flatnonzero(_code_mask(ctx, lambda code: getattr(ctx.tables.procedures.get(code), "kind", None) in EVAL_KINDS)[cpt_k])
    if not len(evals):
        return []
    dos = c["dos"].to_numpy(dtype=object)
    status = c["status_key"].to_numpy(dtype=object) if "status_key" in c else np.full(len(c), "", dtype=object)
    who = run_client_key(ctx).to_numpy(dtype=object)
    payer = c["payer_key"].to_numpy(dtype=object)
    npi = c["rendering_npi"].to_numpy(dtype=object)
    last: dict = {}  # (client, payer, provider) -> the latest earlier evaluation's date
    out = []
    dated = [i for i in evals.tolist() if _as_day(dos[i]) is not None and status[i] not in NOT_BILLED_KEYS]
    for i in sorted(dated, key=lambda i: (_as_day(dos[i]), i)):
        day_, key = _as_day(dos[i]), (who[i], payer[i], npi[i])
        before = last.get(key)
        if before is not None and day_ != before and (day_ - before).days < days:
            out.append((c.index[i], f"{c['cpt'].iat[i]} on {day_.isoformat()}: this client had a diagnostic evaluation by this provider "
                                     f"with {c['payer'].iat[i] or 'this payer'} on {before.isoformat()}, {(day_ - before).days} days earlier "
                                     f"(limit assumed: one per {days} days)"))
        last[key] = day_
    return out


def _as_day(value):
    """A DOS cell's date (None when empty or unreadable)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    return value.date() if hasattr(value, "date") and callable(value.date) else value
