"""DX: ICD-10-CM diagnosis codes - malformed, not in ICD-10-CM FY2026, a category header that is
not billable, a missing primary, too many, an external-cause code listed first.  Validity comes
from :mod:`claimcheck.icd10` (simple-icd-10-cm, CDC FY2026)."""

from __future__ import annotations

from .. import icd10
from .registry import rule
from ._util import bad, map_unique, memo


def _problems(ctx, kind: str):
    return memo(ctx, "dx.problems", lambda: _all_problems(ctx)).get(kind, [])


def _all_problems(ctx) -> dict[str, list]:
    """kind -> (index, message) for every code of every line, in line and code order; each
    distinct Dx cell is looked up once."""
    c = ctx.claims
    checked = map_unique(c["dx"], lambda codes: [res for res in map(icd10.check, codes or ()) if res])
    out: dict[str, list] = {}
    for idx, found in zip(c.index, checked):
        for kind, message in found:
            out.setdefault(kind, []).append((idx, message))
    return out


@rule(
    "DX001", title="Malformed diagnosis code", severity="error", column="Dx Codes", needs=("dx",),
    why="A diagnosis code is a letter, two characters, and up to four more after the dot (F41.1, F32.A); anything else is rejected.",
    fix="Retype the code; separate several codes with commas.",
)
def malformed_dx(ctx):
    """Flags each diagnosis that is not shaped like an ICD-10-CM code."""
    return _problems(ctx, "malformed")


@rule(
    "DX002", title="Diagnosis code not in ICD-10-CM", severity="error", column="Dx Codes", needs=("dx",),
    why="Payers reject codes that are not in the ICD-10-CM edition in force for the date of service (FY2026 here).",
    fix="Look the code up and enter the current one (a typo, an ICD-9 or DSM-only code, or a retired code).",
)
def unknown_dx(ctx):
    """Flags each well-formed code that ICD-10-CM FY2026 does not contain."""
    return _problems(ctx, "unknown")


@rule(
    "DX003", title="Diagnosis is a category, not billable", severity="error", column="Dx Codes", needs=("dx",),
    why="Only the most specific codes (the leaves of ICD-10-CM) are billable; a category such as F41 or F43.1 is denied (CARC 11/16).",
    fix="Use the specific code from the note (the finding shows a few).",
)
def header_dx(ctx):
    """Flags each code that is a category header with more specific codes beneath it."""
    return _problems(ctx, "header")


@rule(
    "DX004", title="No primary diagnosis", severity="error", column="Dx Codes", needs=("dx",),
    why="Every service line needs at least one diagnosis pointer; without it the claim is rejected.",
    fix="Enter the primary diagnosis first, then any others, separated by commas.",
)
def missing_primary(ctx):
    """Flags a line with no diagnosis code."""
    c = ctx.claims
    mask = c["dx"].map(len).eq(0) & ~bad(c, "dx")
    return c.index[mask].to_series().map(lambda _: "no diagnosis code; enter the primary diagnosis")


@rule(
    "DX005", title="More than twelve diagnoses", severity="error", column="Dx Codes", needs=("dx",),
    why="A professional claim carries at most twelve diagnoses (CMS-1500 box 21 A-L).",
    fix="Keep the twelve most relevant, the primary first.",
)
def too_many_dx(ctx):
    """Flags a line with more than twelve diagnosis codes."""
    c = ctx.claims
    c = c[map_unique(c["dx"], lambda codes: len(codes or ()) > 12).astype(bool)]
    return [(idx, f"{len(codes)} diagnosis codes; a claim holds at most 12") for idx, codes in zip(c.index, c["dx"]) if len(codes) > 12]


@rule(
    "DX006", title="Diagnosis repeated", severity="warning", column="Dx Codes", needs=("dx",),
    why="A repeated code takes a diagnosis slot and some payers reject it.",
    fix="Remove the repeated code.",
)
def repeated_dx(ctx):
    """Flags a diagnosis listed twice on one line."""
    c = ctx.claims
    out = []
    for idx, twice in zip(c.index, map_unique(c["dx"], lambda codes: sorted({x for x in codes or () if codes.count(x) > 1}))):
        if twice:
            out.append((idx, f"{', '.join(twice)} listed twice"))
    return out


@rule(
    "DX007", title="External-cause code listed first", severity="error", column="Dx Codes", needs=("dx",),
    why="External-cause codes (V00-Y99) describe how an injury happened and may never be the first-listed diagnosis.",
    fix="List the condition treated first and the external-cause code after it.",
)
def external_cause_first(ctx):
    """Flags a line whose primary diagnosis is a V, W, X or Y code."""
    c = ctx.claims
    c = c[map_unique(c["dx"], lambda codes: bool(codes) and codes[0][:1] in "VWXY").astype(bool)]
    return [(idx, f"{codes[0]} is an external-cause code and cannot be the primary diagnosis")
            for idx, codes in zip(c.index, c["dx"]) if codes and codes[0][:1] in "VWXY"]
