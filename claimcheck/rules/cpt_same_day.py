"""CPT: add-ons and same-day pairs - an add-on code without its primary, codes not billable
together on one day or only with a distinct-service modifier, two timed psychotherapy codes on
one date.

Add-on pairs and same-day pairs come from the code tables (``claimcheck/data/*.csv``, each row
with its source), not from this file.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from .registry import rule
from ._cpt import as_day, code_mask
from ._util import (code_list, combine_codes, day, days_text, memo, run_client_codes, run_client_key, run_codes,
                    run_empty_code)

DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})


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
    is_addon = code_mask(ctx, addons.get)
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
        served[group[code_mask(ctx, primaries.__contains__)[codes]]] = True
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
    dated = np.flatnonzero((dos_k != run_empty_code(ctx, "dos")) & code_mask(ctx, lambda code: True)[cpt_k])
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
        in_a = code_mask(ctx, rule_.codes_a.__contains__)[codes]
        in_b = code_mask(ctx, rule_.codes_b.__contains__)[codes]
        n_groups = group.max() + 1
        both = (np.bincount(group[in_a], minlength=n_groups) > 0) & (np.bincount(group[in_b], minlength=n_groups) > 0)
        by_group: dict = defaultdict(list)
        for j in np.flatnonzero(both[group]).tolist():
            pos = int(lines[j])
            by_group[int(group[j])].append((j, cpt_u[codes[j]], npis[pos], mods[pos]))
        for g, group_lines in by_group.items():
            if dated and not rule_.applies_on(as_day(dos.iat[int(lines[group_lines[0][0]])])):
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
    timed = np.flatnonzero(code_mask(ctx, ctx.tables.timed_psychotherapy.__contains__)[codes])
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
    days = days_text(c["dos"].to_numpy()[lines[flagged]])
    return [(c.index[pos], f"{code_list(codes_of[g])} on {d}: bill one psychotherapy code for the day's total minutes")
            for pos, g, d in zip(lines[flagged].tolist(), group[flagged].tolist(), days)]
