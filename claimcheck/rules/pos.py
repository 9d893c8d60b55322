"""POS: place of service unknown, or inconsistent with the telehealth modifiers.  Codes come
from ``pos.csv`` (CMS place-of-service code set)."""

from __future__ import annotations

from ..values import shown
from .registry import line_rule
from .mod import TELEHEALTH_MODIFIERS


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
    return f"modifier {', '.join(tele)} marks telehealth but POS {line.pos} is in person; use 10 (home) or 02"
