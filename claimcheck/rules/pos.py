"""POS: place of service unknown, or inconsistent with the telehealth modifiers, and telehealth
lines for codes off CMS's telehealth list (procedures.csv ``telehealth``).  Codes come
from ``pos.csv`` (CMS place-of-service code set)."""

from __future__ import annotations

from ..values import brief, brief_list, shown
from .registry import line_rule
from .mod import TELEHEALTH_MODIFIERS, TELEHEALTH_SOURCE


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
