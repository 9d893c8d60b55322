"""CPT: procedure codes and their time - unknown, malformed or deleted codes, minutes versus the
code's time band, 90792 by a non-prescriber, a diagnostic evaluation repeated too soon.  Units
are in ``cpt_units``, add-ons and same-day pairs in ``cpt_same_day``.

Time bands and the procedure records come from the code tables (``claimcheck/data/*.csv``, each
row with its source), not from this file.
"""

from __future__ import annotations

import numpy as np

from ..table_rows import PROCEDURE_SHAPE
from ..tables import psychotherapy_code_for_minutes
from ..values import brief, shown
from .registry import line_rule, rule
from ._cpt import as_day, code_mask, number_text, procedure
from ._util import run_client_key, run_codes

PRESCRIBER_CREDENTIALS = frozenset({"MD", "DO", "NP", "PMHNP", "PMHNP-BC", "APRN", "CNS", "PA", "PA-C", "APN", "FNP", "DNP", "CNP"})


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
    p = procedure(line, env)
    if p is None or p.kind != "deleted":
        return None
    if p.code in ("99354", "99355"):
        return (f"{p.code} was deleted on 2023-01-01; for psychotherapy bill 90837 alone (no add-on for extra time) and check the payer's "
                f"extended-session policy; 99417/G2212 extend E/M visits only")
    return f"{p.code} is a deleted code; {p.label}"


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
    p, m = procedure(line, env), line.minutes
    if p is None or p.min_minutes is None or p.kind == "crisis_addon" or m is None or m >= p.min_minutes:
        return None
    if p.kind in ("psychotherapy", "psychotherapy_em") and m < 16:
        return None
    return f"{p.code} needs {_band(p)}; {number_text(m)} recorded{_fits(p.kind, m)}"


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
    p, m = procedure(line, env), line.minutes
    if p is None or p.max_minutes is None or p.kind == "crisis" or m is None or m <= p.max_minutes:
        return None
    return f"{p.code} covers {_band(p)}; {number_text(m)} recorded{_fits(p.kind, m)}"


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
    p, m = procedure(line, env), line.minutes
    if p is not None and p.kind in ("psychotherapy", "psychotherapy_em") and m is not None and m < 16:
        return f"{line.cpt} with {number_text(m)} minutes: psychotherapy under 16 minutes is not billable"


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
    p = procedure(line, env)
    if p is not None and p.timed and p.kind != "crisis_addon" and line.minutes__empty and not line.minutes__bad:
        return f"{line.cpt} is a timed code; enter the session minutes"


@line_rule(
    "CPT013", title="90792 billed by a provider who does not prescribe", severity="warning", column="Rendering NPI",
    needs=("cpt", "rendering_npi"),
    why="90792 (evaluation with medical services) is for prescribers (MD, DO, NP, PA); therapists bill 90791.",
    fix="Bill 90791, or correct the rendering provider.",
    reads=("cpt", "rendering_npi"),
    needs_sheets=("Providers",),
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
    evals = np.flatnonzero(code_mask(ctx, lambda code: getattr(ctx.tables.procedures.get(code), "kind", None) in EVAL_KINDS)[cpt_k])
    if not len(evals):
        return []
    # The evaluation lines' values only (a whole date column as objects costs more than the rule).
    day_of = [as_day(d) for d in c["dos"].iloc[evals].tolist()]
    status = c["status_key"].to_numpy(dtype=object)[evals] if "status_key" in c else np.full(len(evals), "", dtype=object)
    who = run_client_key(ctx).to_numpy(dtype=object)[evals]
    payer = c["payer_key"].to_numpy(dtype=object)[evals]
    npi = c["rendering_npi"].to_numpy(dtype=object)[evals]
    last: dict = {}  # (client, payer, provider) -> the latest earlier evaluation's date
    out = []
    dated = [j for j, day_ in enumerate(day_of) if day_ is not None and status[j] not in NOT_BILLED_KEYS]
    for j in sorted(dated, key=lambda j: (day_of[j], j)):
        i, day_, key = evals[j], day_of[j], (who[j], payer[j], npi[j])
        before = last.get(key)
        if before is not None and day_ != before and (day_ - before).days < days:
            out.append((c.index[i], f"{c['cpt'].iat[i]} on {day_.isoformat()}: this client had a diagnostic evaluation by this provider "
                                     f"with {c['payer'].iat[i] or 'this payer'} on {before.isoformat()}, {(day_ - before).days} days earlier "
                                     f"(limit assumed: one per {days} days)"))
        last[key] = day_
    return out
