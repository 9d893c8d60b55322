"""POS: place of service unknown, or inconsistent with the telehealth modifiers, telehealth
lines for codes off CMS's telehealth list (procedures.csv ``telehealth``), and Original
Medicare's POS 02/10 telehealth billing since 2024 (POS004).  Codes come
from ``pos.csv`` (CMS place-of-service code set)."""

from __future__ import annotations

import datetime as dt

from ..denials import is_medicare
from ..values import brief, brief_list, shown
from ._util import per_code, run_codes
from .registry import line_rule
from .mod import TELEHEALTH_MODIFIERS, TELEHEALTH_SOURCE

#: From this date of service Original Medicare telehealth is billed with POS 02 or 10 and, with few
#: exceptions, without modifier 95 (CY2024 physician fee schedule final rule, 88 FR 78874-78876).
MEDICARE_TELEHEALTH_POS_FROM = dt.date(2024, 1, 1)
MEDICARE_95_SOURCE = (
    "CY2024 Medicare physician fee schedule final rule, 88 FR 78874-78876; National Government Services, "
    "'Telehealth Changes for 2024 - Modifier 95 and Place of Service Codes': the PHE practice of the in-person POS "
    "with 95 ended on 2023-12-31; telehealth is POS 10 (client at home) or 02 (elsewhere); 95 is kept only when the "
    "clinician is in a hospital and the client at home, and for outpatient PT/OT/SLP")


@line_rule(
    "POS001", title="Unknown place of service", severity="error", column="POS", needs=("pos",),
    why="The place of service must be a two-digit CMS code; an unknown code is rejected and the wrong one is paid at the wrong rate.",
    fix="Use the CMS code: 11 office, 02 telehealth not at home, 10 telehealth at home, 12 home, 03 school, 53 CMHC.",
    reads=("pos",),
    bad=[{'POS': '98'}],
    good=[{'POS': 11}],
)
def unknown_pos(line, env):
    """Flags a POS that is not in the CMS place-of-service code set."""
    if line.pos is not None and line.pos not in env.tables.pos:
        return f"place of service {shown(line.pos)} is not a CMS code (11 office, 02/10 telehealth)"


@line_rule(
    "POS002", title="Telehealth modifier with an in-person place of service", severity="warning", column="POS",
    needs=("pos", "modifiers"),
    why="A telehealth modifier says the visit was remote while the place of service says in person; payers that pair telehealth with POS 02/10 deny or reprice it.",
    fix="Use POS 10 (client at home) or 02 (elsewhere) for telehealth, unless this payer asks for the office POS with 95.",
    reads=("pos", "modifiers"),
    bad=[{'Modifiers': '95'}],
    good=[{'Modifiers': '95', 'POS': '10'}],
)
def telehealth_modifier_in_person_pos(line, env):
    """Flags 95/93/GT/GQ/FQ on a line whose POS is not a telehealth POS (02 or 10); a warning,
    since some commercial payers ask for the office POS with 95."""
    tele = [m for m in line.modifiers if m in TELEHEALTH_MODIFIERS]
    if not tele or line.pos is None or line.pos in env.tables.telehealth_pos:
        return None
    return f"modifier {brief_list(tele)} marks telehealth but POS {brief(line.pos)} is in person; use 10 (home) or 02"


@line_rule(
    "POS003", title="Telehealth line for a code not on CMS's telehealth list", severity="warning", column="CPT",
    needs=("cpt",),
    why="Medicare pays a service delivered by telehealth only when its code is on CMS's List of Telehealth Services; a "
        "telehealth line (POS 02 or 10, or modifier 95, GT, GQ, 93 or FQ) for a code outside the list is denied, and many "
        "payers follow the list (" + TELEHEALTH_SOURCE + ").",
    fix="Check that the service really was remote and that this payer covers the code by telehealth (Medicaid programs often "
        "cover H-codes by telehealth under their own rules); if it does, mark the code Y in the telehealth column of "
        "procedures.csv in your tables folder.",
    reads=("cpt", "pos", "modifiers"),
    bad=[{'CPT': 'H2019', 'Minutes': 60, 'Units': 4, 'Modifiers': 'HO, 95', 'POS': '10'}],
    good=[{'CPT': '90834', 'Modifiers': '95', 'POS': '10'}],
)
def telehealth_code_not_on_list(line, env):
    """Flags a telehealth line (POS 02/10, or a telehealth modifier) whose code procedures.csv marks
    as not on CMS's telehealth list (``telehealth`` N); a code left empty there (not verified) is
    not flagged."""
    if not isinstance(line.cpt, str):
        return None
    p = env.tables.procedures.get(line.cpt)
    if p is None or p.telehealth is not False:
        return None
    tele = [m for m in line.modifiers if m in TELEHEALTH_MODIFIERS]
    if line.pos in env.tables.telehealth_pos:
        how = f"POS {brief(line.pos)}"
    elif tele:
        how = f"modifier {brief_list(tele)}"
    else:
        return None
    return f"{p.code} billed as telehealth ({how}) is not on CMS's telehealth list; check this payer covers it by telehealth"


def medicare_telehealth_pos_era(dos) -> bool:
    """Whether Original Medicare's telehealth POS rules of 2024 apply on this DOS (from 2024-01-01;
    not on a blank DOS): the one fact about the DOS POS004 reads."""
    return dos is not None and dos >= MEDICARE_TELEHEALTH_POS_FROM


def _medicare_candidates(ctx):
    """The lines POS004 may flag: those with modifier 95, and with the setting 'always' the
    telehealth-POS lines too (the rule reads the payer and the date only for these)."""
    codes, uniques = run_codes(ctx, "modifiers")
    mask = per_code(uniques, lambda mods: isinstance(mods, tuple) and "95" in mods)[codes]
    if (ctx.tables.payer_defaults.get("Medicare Modifier 95") or "").strip().lower() == "always":
        pos_codes, pos_uniques = run_codes(ctx, "pos")
        mask = mask | per_code(pos_uniques, lambda pos: pos in ctx.tables.telehealth_pos)[pos_codes]
    return mask


@line_rule(
    "POS004", title="Original Medicare telehealth billed the pre-2024 way", severity="warning", column="POS",
    needs=("pos", "modifiers", "payer", "dos"),
    why="Since 2024 Original Medicare pays telehealth billed with POS 10 (client at home) or 02 (elsewhere); the office "
        "POS with modifier 95, allowed during the COVID-19 emergency, ended on 2023-12-31, and 95 stays only when the "
        "clinician works from a hospital and the client is at home (" + MEDICARE_95_SOURCE + "). Which case applies to "
        "a practice is the payer_defaults.csv setting Medicare Modifier 95: 'hospital only' (default) or 'always' for "
        "a hospital-based practice.",
    fix="Bill Medicare telehealth with POS 10 or 02 and without 95 (93 stays for audio-only); keep 95 only if the "
        "clinician was in a hospital - then set Medicare Modifier 95 to 'always' in your tables folder, or put 95 "
        "as the payer's Telehealth Modifier on the Payers sheet.",
    reads=("pos", "modifiers", "payer", "dos"),
    candidates=_medicare_candidates, through={"dos": medicare_telehealth_pos_era},
    bad=[{'Payer': 'Medicare Part B', 'Modifiers': '95', 'POS': '10'}, {'Payer': 'Medicare Part B', 'Claim ID': 'C2', 'Modifiers': '95'}],
    good=[{'Payer': 'Medicare Part B', 'POS': '10'}, {'Payer': 'Medicare Part B', 'Claim ID': 'C2', 'Modifiers': '93', 'POS': '10'}],
)
def medicare_telehealth_pos(line, env):
    """Flags, for an Original Medicare payer (Payer Type Medicare, or the name when the type is
    blank) and a DOS from 2024-01-01: modifier 95 with an in-person POS (use 02/10), and modifier
    95 with POS 02/10 when the payer_defaults.csv setting Medicare Modifier 95 is 'hospital only'
    (the default) and the Payers sheet does not name 95 as this payer's telehealth modifier; with
    'always', a POS 02/10 line without 95 or 93."""
    if not medicare_telehealth_pos_era(line.dos) or line.pos is None:
        return None
    payer = env.payer(line.payer)
    if not is_medicare(payer):
        return None
    telehealth_pos = line.pos in env.tables.telehealth_pos
    has_95 = "95" in line.modifiers
    always = (env.tables.payer_defaults.get("Medicare Modifier 95") or "").strip().lower() == "always"
    if has_95 and not telehealth_pos:
        return (f"modifier 95 with POS {line.pos}: since 2024 Original Medicare telehealth is POS 10 (client at home) "
                f"or 02, not the in-person POS with 95")
    if not telehealth_pos:
        return None
    if always:
        if not has_95 and "93" not in line.modifiers:
            return f"POS {line.pos} for Original Medicare without 95: add 95 (your practice bills from a hospital)"
        return None
    if has_95 and payer.telehealth_modifier != "95":
        return (f"modifier 95 with POS {line.pos}: since 2024 Original Medicare wants 95 only when the clinician is "
                f"in a hospital; remove it otherwise")
    return None
