"""MOD: modifiers - malformed or unknown, conflicting, too many, and the payer's telehealth
modifier missing or wrong.  Meanings and conflicts come from ``modifiers.csv`` and
``modifier_conflicts.csv``."""

from __future__ import annotations

from ..table_rows import MODIFIER_SHAPE
from ..values import brief_list, shown
from .registry import line_rule

AUDIO_ONLY = frozenset({"93", "FQ"})
TELEHEALTH_MODIFIERS = frozenset({"95", "93", "GT", "GQ", "FQ"})
#: Where the telehealth columns of procedures.csv (``telehealth``, ``audio_only``) come from.
TELEHEALTH_SOURCE = (
    "CMS List of Telehealth Services for CY2026 (cms.gov/medicare/coverage/telehealth/list-services; the CY2026 "
    "physician fee schedule final rule CMS-1832-F added 90849 and ended the provisional category); audio-only: "
    "42 CFR 410.78(a)(3) as revised by the CY2025 fee schedule final rule (two-way audio-only may deliver any "
    "telehealth service to a client at home when the clinician can do video and the client cannot or will not), "
    "billed with modifier 93, or FQ at an RHC/FQHC (CMS MLN telehealth FAQ). Codes we could not verify on the list "
    "are left empty in procedures.csv and not checked; Medicaid programs and commercial payers keep their own lists")


@line_rule(
    "MOD009", title="Audio-only modifier on a code that may not be delivered audio-only", severity="warning",
    column="Modifiers", needs=("modifiers", "cpt"),
    why="Modifier 93 (or FQ at an RHC/FQHC) says the service was delivered by telephone, audio only. Medicare pays audio-only "
        "only for services on its telehealth list, to a client at home; a code outside it (H-codes, partial hospitalization, "
        "ECT) billed audio-only is denied (" + TELEHEALTH_SOURCE + ").",
    fix="Bill the session as audio-video (95 or the payer's modifier) if video was used, or check the payer's own audio-only "
        "policy; mark the code Y in the audio_only column of procedures.csv in your tables folder if your payer allows it.",
    reads=("modifiers", "cpt"),
    bad=[{'CPT': 'H0004', 'Minutes': 30, 'Units': 2, 'Modifiers': '93', 'POS': '10'}],
    good=[{'CPT': '90834', 'Modifiers': '93', 'POS': '10'}],
)
def audio_only_not_allowed(line, env):
    """Flags 93 or FQ on a line whose code procedures.csv marks as not deliverable audio-only
    (``audio_only`` N); a code left empty there (not verified) is not flagged."""
    audio = [m for m in line.modifiers if m in AUDIO_ONLY]
    if not audio or not isinstance(line.cpt, str):
        return None
    p = env.tables.procedures.get(line.cpt)
    if p is not None and p.audio_only is False:
        return f"modifier {', '.join(audio)} marks audio-only, but {p.code} is not on Medicare's audio-only telehealth services; check the payer's policy"


def is_rhc_or_fqhc(tables) -> bool:
    """payer_defaults.csv ``RHC or FQHC``: whether the practice bills as a rural health clinic or
    federally qualified health center (N unless the practice's tables folder says Y)."""
    return (tables.payer_defaults.get("RHC or FQHC") or "").strip().upper() in ("Y", "YES")


FQ_SOURCE = ("CMS created modifier FQ for a rural health clinic's or federally qualified health center's mental "
             "health visit given by audio only, with 95 for audio-video (CY2022 physician fee schedule final rule "
             "CMS-1751-F, 86 FR 64996; NARHC's summary of the rule, 2021-11-15); a physician's or practitioner's "
             "audio-only telehealth is marked with 93 (42 CFR 410.78(a)(3); CMS transmittal R12671)")


@line_rule(
    "MOD010", title="FQ audio-only modifier from a practice that is not an RHC or FQHC", severity="warning",
    column="Modifiers", needs=("modifiers",),
    why="FQ marks audio-only care at a rural health clinic (RHC) or federally qualified health center (FQHC); "
        "a practice billing as physicians and practitioners marks audio-only telehealth with 93, and a payer "
        "reads FQ from anyone else as the wrong modifier and rejects or denies the line (" + FQ_SOURCE + ").",
    fix="Replace FQ with 93 (audio-only) - or 95 if video was used. If your practice is an RHC or FQHC, set RHC "
        "or FQHC to Y in payer_defaults.csv in your tables folder.",
    reads=("modifiers",),
    bad=[{'Modifiers': 'FQ', 'POS': '10'}],
    good=[{'Modifiers': '93', 'POS': '10'}],
)
def fq_outside_rhc_fqhc(line, env):
    """Flags FQ on a line when the payer_defaults.csv setting RHC or FQHC is N (the default: the
    practice bills as practitioners, whose audio-only modifier is 93)."""
    if "FQ" in line.modifiers and not is_rhc_or_fqhc(env.tables):
        return ("modifier FQ is the RHC/FQHC audio-only modifier; a practitioner's audio-only telehealth takes 93 "
                "(set RHC or FQHC to Y in payer_defaults.csv if you are one)")


@line_rule(
    "MOD001", title="Malformed modifier", severity="error", column="Modifiers", needs=("modifiers",),
    why="A modifier is exactly two letters or digits; anything else is rejected at the clearinghouse.",
    fix="Retype the modifiers, separated by commas (for example 95, HO).",
    reads=("modifiers",),
    bad=[{'Modifiers': 'HOX'}],
    good=[{'Modifiers': 'HO'}],
)
def malformed_modifier(line, env):
    """Flags a modifier that is not two characters."""
    wrong = [m for m in line.modifiers if not MODIFIER_SHAPE.match(m)]
    if wrong:
        return f"{brief_list(shown(m) for m in wrong)} {'is not a modifier' if len(wrong) == 1 else 'are not modifiers'} (two characters, e.g. 95)"


@line_rule(
    "MOD002", title="Unknown modifier", severity="warning", column="Modifiers", needs=("modifiers",),
    why="A modifier the payer does not recognise is rejected or changes how the line is paid.",
    fix="Check the modifier; if your payer uses it, add it to modifiers.csv in your tables folder.",
    reads=("modifiers",),
    bad=[{'Modifiers': 'ZZ'}],
    good=[{'Modifiers': 'HO;XE'}],
)
def unknown_modifier(line, env):
    """Flags a well-formed modifier that is not in the modifier table."""
    known = env.tables.modifiers
    unknown = [m for m in line.modifiers if MODIFIER_SHAPE.match(m) and m not in known]
    if unknown:
        return f"modifier {brief_list(unknown)} is not in claimcheck's modifier table; check it"


@line_rule(
    "MOD003", title="Conflicting modifiers", severity="error", column="Modifiers", needs=("modifiers",),
    why="Some modifiers contradict each other (95 with 93, GA with GZ, 59 with an X modifier, two licensure levels); the payer rejects the line.",
    fix="Keep the one modifier that describes the service and remove the other.",
    reads=("modifiers",),
    bad=[{'Modifiers': '95, 93', 'POS': '10'}],
    good=[{'Modifiers': '95', 'POS': '10'}],
)
def conflicting_modifiers(line, env):
    """Flags a line carrying a pair of modifiers listed as conflicting (one finding per pair)."""
    if len(line.modifiers) < 2:
        return None
    have = set(line.modifiers)
    return [f"{' with '.join(sorted(pair))}: {note}" for pair, note in env.tables.modifier_conflicts if pair <= have]


@line_rule(
    "MOD004", title="Telehealth line without the payer's telehealth modifier", severity="error", column="Modifiers",
    needs=("modifiers", "pos", "payer"),
    why="Payers that require a telehealth modifier (95, GT or 93 on the Payers sheet) deny telehealth lines (POS 02 or 10) without it.",
    fix="Add the payer's telehealth modifier (93 for audio-only where the payer allows it).",
    reads=("modifiers", "pos", "payer"),
    bad=[{'POS': '10'}],
    good=[{'Modifiers': '95', 'POS': '10'}],
)
def telehealth_modifier_missing(line, env):
    """Flags a POS 02/10 line with no telehealth modifier when the payer requires one."""
    if line.pos not in env.tables.telehealth_pos:
        return None
    need = env.payer(line.payer).telehealth_modifier
    mods = line.modifiers
    if not need or need in mods or set(mods) & AUDIO_ONLY or set(mods) & TELEHEALTH_MODIFIERS:
        return None
    return f"POS {line.pos} is telehealth and {line.payer} requires modifier {need}; add {need}"


@line_rule(
    "MOD005", title="Telehealth modifier is not the payer's", severity="error", column="Modifiers",
    needs=("modifiers", "payer"),
    why="Payers name the one telehealth modifier they accept (for example GT rather than 95); another one is denied.",
    fix="Replace the modifier with the payer's (Payers sheet, Telehealth Modifier).",
    reads=("modifiers", "payer"),
    bad=[{'Payer': 'Gov Medicaid', 'Modifiers': '95', 'POS': '10'}],
    good=[{'Payer': 'Gov Medicaid', 'Modifiers': 'GT', 'POS': '10'}],
)
def telehealth_modifier_wrong(line, env):
    """Flags an audio-video telehealth modifier (95/GT) other than the payer's required one."""
    video = [m for m in line.modifiers if m in {"95", "GT"}]
    if not video:
        return None
    need = env.payer(line.payer).telehealth_modifier
    if need in {"95", "GT"} and need not in line.modifiers:
        return f"{line.payer} expects {need} for telehealth, not {', '.join(video)}"


@line_rule(
    "MOD006", title="More than four modifiers", severity="error", column="Modifiers", needs=("modifiers",),
    why="A claim line holds at most four modifiers (CMS-1500 box 24D, 837P SV101); extra ones are dropped or rejected.",
    fix="Keep the four that matter for payment, pricing modifiers first.",
    reads=("modifiers",),
    bad=[{'Modifiers': 'HO, XE, KX, U1, U2'}],
    good=[{'Modifiers': 'HO, XE, KX, U1'}],
)
def too_many_modifiers(line, env):
    """Flags a line with five or more modifiers."""
    mods = line.modifiers
    if len(mods) > 4:
        return f"{len(mods)} modifiers ({brief_list(mods)}); a line holds at most 4"


@line_rule(
    "MOD007", title="Modifier repeated", severity="warning", column="Modifiers", needs=("modifiers",),
    why="A repeated modifier takes a slot and some payers reject the line.",
    fix="Remove the repeated modifier.",
    reads=("modifiers",),
    bad=[{'Modifiers': 'HO, HO'}],
    good=[{'Modifiers': 'HO'}],
)
def repeated_modifier(line, env):
    """Flags a modifier listed twice on one line."""
    mods = line.modifiers
    twice = sorted({m for m in mods if mods.count(m) > 1})
    if twice:
        return f"modifier {', '.join(twice)} is listed twice"


@line_rule(
    "MOD008", title="Modifier 25 on a code that is not an E/M", severity="warning", column="Modifiers",
    needs=("modifiers", "cpt"),
    why="Modifier 25 marks a separate E/M visit; on a psychotherapy or other code it is wrong and may trigger a rejection.",
    fix="Move 25 to the E/M line, or remove it.",
    reads=("modifiers", "cpt"),
    bad=[{'Modifiers': '25'}],
    good=[{'Rendering NPI': '1678901236', 'Minutes': None, 'CPT': '99214', 'Modifiers': '25'}],
)
def modifier_25_not_em(line, env):
    """Flags 25 on a code that is not an E/M code."""
    if "25" in line.modifiers and isinstance(line.cpt, str) and line.cpt not in env.tables.em_codes:
        return f"modifier 25 belongs on an E/M code, not {line.cpt}"
