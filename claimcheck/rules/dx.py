"""DX: ICD-10-CM diagnosis codes - malformed, not in ICD-10-CM FY2026, a category header that is
not billable, a missing primary, too many on a claim or a line, an external-cause code listed
first, a symptom or circumstance code first on psychotherapy.  Validity comes
from :mod:`claimcheck.icd10` (simple-icd-10-cm, CDC FY2026)."""

from __future__ import annotations

from functools import lru_cache

from .. import icd10
from ..values import brief, brief_list
from .registry import line_rule, rule


@lru_cache(maxsize=4096)
def _checked(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(kind, message) for each code of a Dx cell that ICD-10-CM does not accept as billable,
    in code order (kinds: malformed, unknown, header)."""
    return tuple(res for res in map(icd10.check, codes) if res)


def _problems(codes: tuple[str, ...], kind: str) -> list[str]:
    return [message for k, message in _checked(codes) if k == kind] if codes else []


@line_rule(
    "DX001", title="Malformed diagnosis code", severity="error", column="Dx Codes", needs=("dx",),
    why="A diagnosis code is a letter, two characters, and up to four more after the dot (F41.1, F32.A); anything else is rejected.",
    fix="Retype the code; separate several codes with commas.",
    reads=("dx",),
    bad=[{'Dx Codes': '41.1'}],
    good=[{'Dx Codes': 'F41.1'}],
)
def malformed_dx(line, env):
    """Flags each diagnosis that is not shaped like an ICD-10-CM code."""
    return _problems(line.dx, "malformed")


@line_rule(
    "DX002", title="Diagnosis code not in ICD-10-CM", severity="error", column="Dx Codes", needs=("dx",),
    why="Payers reject codes that are not in the ICD-10-CM edition in force for the date of service (FY2026 here).",
    fix="Look the code up and enter the current one (a typo, an ICD-9 or DSM-only code, or a retired code).",
    reads=("dx",),
    bad=[{'Dx Codes': 'F41.7'}],
    good=[{'Dx Codes': 'F41.9'}],
)
def unknown_dx(line, env):
    """Flags each well-formed code that ICD-10-CM FY2026 does not contain."""
    return _problems(line.dx, "unknown")


@line_rule(
    "DX003", title="Diagnosis is a category, not billable", severity="error", column="Dx Codes", needs=("dx",),
    why="Only the most specific codes (the leaves of ICD-10-CM) are billable; a category such as F41 or F43.1 is denied (CARC 11/16).",
    fix="Use the specific code from the note (the finding shows a few).",
    reads=("dx",),
    bad=[{'Dx Codes': 'F41'}],
    good=[{'Dx Codes': 'F99'}],
)
def header_dx(line, env):
    """Flags each code that is a category header with more specific codes beneath it."""
    return _problems(line.dx, "header")


@line_rule(
    "DX004", title="No primary diagnosis", severity="error", column="Dx Codes", needs=("dx",),
    why="Every service line needs at least one diagnosis pointer; without it the claim is rejected.",
    fix="Enter the primary diagnosis first, then any others, separated by commas.",
    reads=("dx", "dx__bad"),
    bad=[{'Dx Codes': None}],
    good=[{'Dx Codes': 'F41.1'}],
)
def missing_primary(line, env):
    """Flags a line with no diagnosis code (an unreadable Dx cell is already reported)."""
    if not line.dx and not line.dx__bad:
        return "no diagnosis code; enter the primary diagnosis"


@rule(
    "DX005", title="More than twelve diagnoses on a claim", severity="error", column="Dx Codes", needs=("dx",),
    row_level=False,
    why="A professional claim carries at most twelve diagnoses, for all its lines together (CMS-1500 item 21 A-L; "
        "NUCC 1500 Claim Form Reference Instruction Manual); a thirteenth cannot be sent.",
    fix="Keep the twelve most relevant diagnoses across the claim's lines, the primary first, or split the lines into two claims.",
    bad=[{'Dx Codes': 'F41.1, F32.1, F43.10, F90.2, F33.1, F40.10'},
         {'Dx Codes': 'F42.2, F50.00, F51.01, F63.81, F64.0, F84.0, Z63.0'}],
    good=[{'Dx Codes': 'F41.1, F32.1, F43.10, F90.2, F33.1, F40.10'},
          {'Dx Codes': 'F42.2, F50.00, F51.01, F63.81, F64.0, F84.0'}],
)
def too_many_dx(ctx):
    """Flags every line of a claim (lines sharing a Claim ID; a line without one is its own
    claim) whose lines list more than twelve distinct diagnosis codes together."""
    c = ctx.claims
    claim = c["claim_id"].to_numpy(dtype=object)
    codes_of: dict = {}
    for i, (cid, dx) in enumerate(zip(claim, c["dx"].to_numpy(dtype=object))):
        key = cid if isinstance(cid, str) and cid else ("line", i)
        codes_of.setdefault(key, set()).update(dx if isinstance(dx, tuple) else ())
    out = []
    for i, (idx, cid) in enumerate(zip(c.index, claim)):
        key = cid if isinstance(cid, str) and cid else ("line", i)
        n = len(codes_of[key])
        if n > 12:
            where = f"claim {cid}" if key == cid else "this line"
            out.append((idx, f"{where} lists {n} distinct diagnosis codes; a claim holds at most 12"))
    return out


@line_rule(
    "DX008", title="More than four diagnoses on one line", severity="warning", column="Dx Codes", needs=("dx",),
    why="Each service line points to at most four of the claim's diagnoses (CMS-1500 item 24E, 837P SV107; NUCC 1500 "
        "Claim Form Reference Instruction Manual): the fifth and later codes of a line are not tied to that service.",
    fix="List the four diagnoses this service treats, the primary first; the others can stay on the claim's other lines.",
    reads=("dx",),
    bad=[{'Dx Codes': 'F41.1, F32.1, F43.10, F90.2, Z63.0'}],
    good=[{'Dx Codes': 'F41.1, F32.1, F43.10, F90.2'}],
)
def over_four_pointers(line, env):
    """Flags a line listing more than four diagnosis codes."""
    if len(line.dx) > 4:
        return f"{len(line.dx)} diagnosis codes on one line; a line points to at most 4 ({brief_list(line.dx[4:])} would not be tied to it)"


#: Procedure kinds that are psychotherapy (the services payers pay for a mental-health diagnosis).
PSYCHOTHERAPY_KINDS = frozenset({"psychotherapy", "psychotherapy_em", "crisis", "family", "group", "psychoanalysis"})


@line_rule(
    "DX009", title="Psychotherapy with a Z or R code as the primary diagnosis", severity="warning", column="Dx Codes",
    needs=("dx", "cpt"),
    why="Most payers pay psychotherapy for a mental-health diagnosis (F01-F99) first; a symptom (R) or a social or "
        "family circumstance (Z) as the primary diagnosis is denied as not medically necessary (for example Medicare's "
        "Psychiatry and Psychology Services LCD L33632 and its billing article).",
    fix="List the mental-health diagnosis treated first and the Z or R code after it; if there is none, check the payer's "
        "policy before billing psychotherapy.",
    reads=("dx", "cpt"),
    bad=[{'Dx Codes': 'Z63.0, F41.1'}],
    good=[{'Dx Codes': 'F41.1, Z63.0'}],
)
def symptom_or_circumstance_first(line, env):
    """Flags a psychotherapy line (by the procedure table's kind) whose first-listed diagnosis is
    an R (symptom) or Z (circumstance) code."""
    codes = line.dx
    if not codes or codes[0][:1] not in ("R", "Z") or not isinstance(line.cpt, str):
        return None
    p = env.tables.procedures.get(line.cpt)
    if p is None or p.kind not in PSYCHOTHERAPY_KINDS:
        return None
    mental = [c for c in codes[1:] if c[:1] == "F"]
    if mental:
        return f"{brief(codes[0])} is listed before {brief(mental[0])}; list the mental-health diagnosis first for {line.cpt}"
    return f"{line.cpt} with only {brief(codes[0])}{' and other non-F codes' if len(codes) > 1 else ''}: most payers need a mental-health diagnosis (F01-F99) first"


@line_rule(
    "DX006", title="Diagnosis repeated", severity="warning", column="Dx Codes", needs=("dx",),
    why="A repeated code takes a diagnosis slot and some payers reject it.",
    fix="Remove the repeated code.",
    reads=("dx",),
    bad=[{'Dx Codes': 'F41.1, F41.1'}],
    good=[{'Dx Codes': 'F41.1, F32.1'}],
)
def repeated_dx(line, env):
    """Flags a diagnosis listed twice on one line."""
    codes = line.dx
    twice = sorted({x for x in codes if codes.count(x) > 1}) if len(codes) > 1 else ()
    if twice:
        return f"{brief_list(twice)} listed twice"


@line_rule(
    "DX007", title="External-cause code listed first", severity="error", column="Dx Codes", needs=("dx",),
    why="External-cause codes (V00-Y99) describe how an injury happened and may never be the first-listed diagnosis.",
    fix="List the condition treated first and the external-cause code after it.",
    reads=("dx",),
    bad=[{'Dx Codes': 'X71.0XXA, F32.1'}],
    good=[{'Dx Codes': 'F32.1, X71.0XXA'}],
)
def external_cause_first(line, env):
    """Flags a line whose primary diagnosis is a V, W, X or Y code."""
    codes = line.dx
    if codes and codes[0][:1] in "VWXY":
        return f"{brief(codes[0])} is an external-cause code and cannot be the primary diagnosis"
