"""MOD: modifiers - malformed or unknown, conflicting, too many, and the payer's telehealth
modifier missing or wrong.  Meanings and conflicts come from ``modifiers.csv`` and
``modifier_conflicts.csv``."""

from __future__ import annotations

from ..tables import MODIFIER_SHAPE
from ..values import shown
from .registry import rule
from ._util import memo

AUDIO_ONLY = frozenset({"93", "FQ"})
TELEHEALTH_MODIFIERS = frozenset({"95", "93", "GT", "GQ", "FQ"})


def _each_modifier(ctx):
    """(index, modifiers) of the lines that have any (found once per run)."""
    def make():
        c = ctx.claims
        return [(idx, mods) for idx, mods in zip(c.index, c["modifiers"]) if mods]
    return memo(ctx, "mod.lines", make)


@rule(
    "MOD001", title="Malformed modifier", severity="error", column="Modifiers", needs=("modifiers",),
    why="A modifier is exactly two letters or digits; anything else is rejected at the clearinghouse.",
    fix="Retype the modifiers, separated by commas (for example 95, HO).",
)
def malformed_modifier(ctx):
    """Flags a modifier that is not two characters."""
    out = []
    for idx, mods in _each_modifier(ctx):
        wrong = [m for m in mods if not MODIFIER_SHAPE.match(m)]
        if wrong:
            out.append((idx, f"{', '.join(shown(m) for m in wrong)} {'is not a modifier' if len(wrong) == 1 else 'are not modifiers'} (two characters, e.g. 95)"))
    return out


@rule(
    "MOD002", title="Unknown modifier", severity="warning", column="Modifiers", needs=("modifiers",),
    why="A modifier the payer does not recognise is rejected or changes how the line is paid.",
    fix="Check the modifier; if your payer uses it, add it to modifiers.csv in your tables folder.",
)
def unknown_modifier(ctx):
    """Flags a well-formed modifier that is not in the modifier table."""
    known = ctx.tables.modifiers
    out = []
    for idx, mods in _each_modifier(ctx):
        unknown = [m for m in mods if MODIFIER_SHAPE.match(m) and m not in known]
        if unknown:
            out.append((idx, f"modifier {', '.join(unknown)} is not in claimcheck's modifier table; check it"))
    return out


@rule(
    "MOD003", title="Conflicting modifiers", severity="error", column="Modifiers", needs=("modifiers",),
    why="Some modifiers contradict each other (95 with 93, GA with GZ, 59 with an X modifier, two licensure levels); the payer rejects the line.",
    fix="Keep the one modifier that describes the service and remove the other.",
)
def conflicting_modifiers(ctx):
    """Flags a line carrying a pair of modifiers listed as conflicting."""
    conflicts = ctx.tables.modifier_conflicts
    out = []
    for idx, mods in _each_modifier(ctx):
        have = set(mods)
        for pair, note in conflicts:
            if pair <= have:
                out.append((idx, f"{' with '.join(sorted(pair))}: {note}"))
    return out


@rule(
    "MOD004", title="Telehealth line without the payer's telehealth modifier", severity="error", column="Modifiers",
    needs=("modifiers", "pos", "payer"),
    why="Payers that require a telehealth modifier (95, GT or 93 on the Payers sheet) deny telehealth lines (POS 02 or 10) without it.",
    fix="Add the payer's telehealth modifier (93 for audio-only where the payer allows it).",
)
def telehealth_modifier_missing(ctx):
    """Flags a POS 02/10 line with no telehealth modifier when the payer requires one."""
    c = ctx.claims
    tele_pos = ctx.tables.telehealth_pos
    out = []
    c = c[c["pos"].isin(tele_pos)]  # only telehealth lines can need the modifier
    for idx, pos, mods, payer in zip(c.index, c["pos"], c["modifiers"], c["payer"]):
        if pos not in tele_pos:
            continue
        need = ctx.book.payer(payer).telehealth_modifier
        if not need or need in mods or set(mods) & AUDIO_ONLY or set(mods) & TELEHEALTH_MODIFIERS:
            continue
        out.append((idx, f"POS {pos} is telehealth and {payer} requires modifier {need}; add {need}"))
    return out


@rule(
    "MOD005", title="Telehealth modifier is not the payer's", severity="error", column="Modifiers",
    needs=("modifiers", "payer"),
    why="Payers name the one telehealth modifier they accept (for example GT rather than 95); another one is denied.",
    fix="Replace the modifier with the payer's (Payers sheet, Telehealth Modifier).",
)
def telehealth_modifier_wrong(ctx):
    """Flags an audio-video telehealth modifier (95/GT) other than the payer's required one."""
    c = ctx.claims
    out = []
    c = c[c["modifiers"].map(bool).astype(bool)]  # a line without modifiers has no video modifier
    for idx, mods, payer in zip(c.index, c["modifiers"], c["payer"]):
        video = [m for m in mods if m in {"95", "GT"}]
        if not video:
            continue
        need = ctx.book.payer(payer).telehealth_modifier
        if need in {"95", "GT"} and need not in mods:
            out.append((idx, f"{payer} expects {need} for telehealth, not {', '.join(video)}"))
    return out


@rule(
    "MOD006", title="More than four modifiers", severity="error", column="Modifiers", needs=("modifiers",),
    why="A claim line holds at most four modifiers (CMS-1500 box 24D, 837P SV101); extra ones are dropped or rejected.",
    fix="Keep the four that matter for payment, pricing modifiers first.",
)
def too_many_modifiers(ctx):
    """Flags a line with five or more modifiers."""
    return [(idx, f"{len(mods)} modifiers ({', '.join(mods)}); a line holds at most 4")
            for idx, mods in _each_modifier(ctx) if len(mods) > 4]


@rule(
    "MOD007", title="Modifier repeated", severity="warning", column="Modifiers", needs=("modifiers",),
    why="A repeated modifier takes a slot and some payers reject the line.",
    fix="Remove the repeated modifier.",
)
def repeated_modifier(ctx):
    """Flags a modifier listed twice on one line."""
    out = []
    for idx, mods in _each_modifier(ctx):
        twice = sorted({m for m in mods if mods.count(m) > 1})
        if twice:
            out.append((idx, f"modifier {', '.join(twice)} is listed twice"))
    return out


@rule(
    "MOD008", title="Modifier 25 on a code that is not an E/M", severity="warning", column="Modifiers",
    needs=("modifiers", "cpt"),
    why="Modifier 25 marks a separate E/M visit; on a psychotherapy or other code it is wrong and may trigger a rejection.",
    fix="Move 25 to the E/M line, or remove it.",
)
def modifier_25_not_em(ctx):
    """Flags 25 on a code that is not an E/M code."""
    c = ctx.claims
    em = ctx.tables.em_codes
    return [(idx, f"modifier 25 belongs on an E/M code, not {code}")
            for idx, mods, code in zip(c.index, c["modifiers"], c["cpt"])
            if "25" in mods and isinstance(code, str) and code not in em]
