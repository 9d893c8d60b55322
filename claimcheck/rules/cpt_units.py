"""CPT: units - psychotherapy billed with more than one unit, units of a per-unit-of-time code
(H2019 per 15 minutes) against its minutes, units over the daily maximum or CMS's MUE, and
crisis care's add-on 90840 against the crisis minutes.

Unit lengths, daily limits and MUEs come from the code tables (``claimcheck/data/*.csv``, each
row with its source), not from this file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..table_rows import UNIT_ROUNDING
from ..tables import units_for_minutes
from .registry import line_rule, rule
from ._cpt import as_day, code_mask, lines_with_code, number_text, procedure
from ._util import combine_codes, day, days_text, per_code, run_client_codes, run_codes


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
    p = procedure(line, env)
    if p is not None and p.kind in ("psychotherapy", "psychotherapy_em") and line.units is not None and line.units > 1:
        return f"{p.code} is billed once per session; {number_text(line.units)} units on one line (bill 1 unit)"


def _unit_rounding(env) -> str:
    """payer_defaults.csv ``Timed Unit Rounding`` (midpoint unless the practice says whole)."""
    value = (env.tables.payer_defaults.get("Timed Unit Rounding") or "").strip().lower()
    return value if value in UNIT_ROUNDING else "midpoint"


def _per_unit_of_time(line, env):
    """(procedure, minutes, units, units the minutes support, rounding) for a line whose code is
    billed per unit of time (procedures.csv ``unit_minutes``) with minutes and units recorded;
    None otherwise."""
    p, m, u = procedure(line, env), line.minutes, line.units
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
        return (f"{p.code} x{number_text(u)}: {number_text(m)} minutes support {supported} unit{'' if supported == 1 else 's'} "
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
        return (f"{p.code} x{number_text(u)}: {number_text(m)} minutes support {supported} units "
                f"({_unit_rule_text(p, rounding)}); bill {supported} unless a cap limits them")


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
    crisis = lines_with_code(ctx, "90839")
    crisis = crisis[minutes[crisis] > 74]  # False for NaN
    if not len(crisis):
        return []
    addon = lines_with_code(ctx, "90840")
    claim, dos = c["claim_id"], c["dos"]
    keys = set(zip(claim.iloc[addon], dos.iloc[addon]))  # (claim, date) of each 90840
    return [(idx, f"{number_text(m)} minutes of crisis care: add 90840 x{units_supported(m)} for the time past 74 minutes")
            for idx, m, cid, d in zip(c.index[crisis], minutes[crisis].tolist(), claim.iloc[crisis], dos.iloc[crisis])
            if (cid, d) not in keys]


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
    lines = np.flatnonzero(code_mask(ctx, limited.__contains__)[cpt_k])
    if not len(lines):
        return over_mue or None
    group = combine_codes(run_client_codes(ctx)[lines], run_codes(ctx, "dos")[0][lines], cpt_k[lines])
    totals = pd.Series(c["units"].to_numpy()[lines]).groupby(group).transform("sum").to_numpy()
    limit = per_code(cpt_u, lambda u: limited.get(u, 0) if isinstance(u, str) else 0, float)[cpt_k[lines]]
    over = np.flatnonzero(totals > limit)
    days = days_text(c["dos"].to_numpy()[lines[over]])
    found = [(idx, f"{code}: {number_text(t)} units on {d}; at most {limited[code]} per day")
             for idx, code, t, d in zip(c.index[lines[over]], cpt_u[cpt_k[lines[over]]], totals[over].tolist(), days)]
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
    lines = np.flatnonzero(code_mask(ctx, mue.__contains__)[cpt_k])
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
        in_force = mue[code].mue_on(as_day(dos.iat[pos]))
        if in_force is None:
            continue  # the date of service is before every loaded CMS MUE file's effective date
        limit, mai, effective = in_force
        mai = mai or 3
        value = u if mai == 1 else t
        if value > limit:
            where = "on this line" if mai == 1 else f"on {day(dos.iat[pos])} by this provider"
            since = f", file effective {effective.isoformat()}" if effective else ""
            out.append((idx, f"{code}: {number_text(value)} units {where}; CMS's MUE is {limit} ({_MAI_TEXT[mai]}{since})"))
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
    lines = np.union1d(lines_with_code(ctx, "90839"), lines_with_code(ctx, "90840"))
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
                out.append((idx, f"90840 needs 75+ minutes of crisis care; {number_text(m)} recorded"))
            else:
                out.append((idx, f"90840 x{number_text(units)} needs {75 + 30 * (int(units) - 1)}+ minutes; {number_text(m)} recorded supports {allowed} unit{'s' if allowed > 1 else ''}"))
    return out


def units_supported(minutes: float) -> int:
    """Units of 90840 supported by a crisis session of ``minutes`` (0 below 75)."""
    return 0 if minutes != minutes or minutes < 75 else int((minutes - 45) // 30)
