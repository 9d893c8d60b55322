"""DX: ICD-10-CM diagnosis codes - malformed, not in the ICD-10-CM code set of the date of
service's fiscal year (FY2025 before 2025-10-01, FY2026 from then; a note past the shipped years),
a category header that is not billable, a missing primary, too many on a claim or a line, an
external-cause or manifestation code listed first, a symptom or circumstance code first on
psychotherapy, a diagnosis the payer's covered list for the code lacks.  Validity comes from
:mod:`claimcheck.icd10` (simple-icd-10-cm, CDC FY2025 and FY2026) and the code sets of other
years a practice loads from CMS's order files (``tables.diagnoses``)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import icd10
from ..values import brief, brief_list
from ._util import per_code, run_codes
from .examples import Example
from .registry import line_rule, rule


@lru_cache(maxsize=4096)
def _checked(codes: tuple[str, ...], year: int = icd10.NEWEST,
             code_sets: icd10.CodeSets = icd10.SHIPPED) -> tuple[tuple[str, str], ...]:
    """(kind, message) for each code of a Dx cell that ICD-10-CM's code set of fiscal year
    ``year`` does not accept as billable, in code order (kinds: malformed, unknown, header,
    unlisted)."""
    return tuple(res for res in (code_sets.check(code, year) for code in codes) if res)


def _dated_candidates(ctx):
    """The lines DX002/DX003/DX010 may flag (the date of service matters only for these): read by
    the whole-table runner so that it groups by (Dx, DOS) only where the year can change the answer.
    A Dx cell may be flagged in some fiscal year when one of its codes is not billable in the newest
    code set or reads otherwise in another year."""
    code_sets = ctx.tables.diagnoses
    codes, uniques = run_codes(ctx, "dx")
    return per_code(uniques, lambda cell: isinstance(cell, tuple) and any(map(code_sets.may_differ, cell)))[codes]


def _problems(codes: tuple[str, ...], kind: str, dos=None, code_sets: icd10.CodeSets = icd10.SHIPPED) -> list[str]:
    return [message for k, message in _checked(codes, icd10.fiscal_year(dos), code_sets) if k == kind] if codes else []


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
    why="Payers reject codes that are not in the ICD-10-CM code set in force on the date of service. Each fiscal "
        "year's code set takes effect on October 1 (CMS, ICD-10 page: cms.gov/medicare/coding-billing/icd-10-codes; "
        "CDC ICD-10-CM files): a service on 2025-09-30 is coded from FY2025, one on 2025-10-01 from FY2026.",
    fix="Look the code up in the code set of the date of service and enter that one (a typo, an ICD-9 or DSM-only "
        "code, a retired code, or a code that starts only in a later fiscal year).",
    reads=("dx", "dos"),
    candidates=_dated_candidates, through={"dos": icd10.fiscal_year},
    bad=[{'Dx Codes': 'F41.7'}, {'DOS': '2025-09-15', 'Dx Codes': 'F41.1, Z59.861'}],
    good=[{'Dx Codes': 'F41.9'}, {'DOS': '2025-09-15', 'Dx Codes': 'F41.1, Z59.86'}],
)
def unknown_dx(line, env):
    """Flags each well-formed code that the ICD-10-CM code set of the date of service's fiscal
    year does not contain (FY2025 for a DOS before 2025-10-01, FY2026 from then; FY2026 when the
    DOS is blank).  A DOS outside the shipped years is DX010's note instead."""
    return _problems(line.dx, "unknown", line.dos, env.tables.diagnoses)


@line_rule(
    "DX003", title="Diagnosis is a category, not billable", severity="error", column="Dx Codes", needs=("dx",),
    why="Only the most specific codes (the leaves of ICD-10-CM) are billable; a category such as F41 or F43.1 is denied (CARC 11/16).",
    fix="Use the specific code from the note (the finding shows a few).",
    reads=("dx", "dos"),
    candidates=_dated_candidates, through={"dos": icd10.fiscal_year},
    bad=[{'Dx Codes': 'F41'}, {'DOS': '2025-10-15', 'Dx Codes': 'F41.1, Z59.86'}],
    good=[{'Dx Codes': 'F99'}, {'DOS': '2025-10-15', 'Dx Codes': 'F41.1, Z59.861'}],
)
def header_dx(line, env):
    """Flags each code that is a category header with more specific codes beneath it in the
    code set of the date of service's fiscal year (Z59.86 is billable in FY2025 and a category
    in FY2026)."""
    return _problems(line.dx, "header", line.dos, env.tables.diagnoses)


@line_rule(
    "DX010", title="Diagnosis not in the nearest code set claimcheck has", severity="info", column="Dx Codes",
    needs=("dx", "dos"),
    why="claimcheck ships the ICD-10-CM code sets of FY2025 and FY2026; a date of service outside them is coded "
        "from another year's code set (each takes effect October 1: CMS ICD-10 page, "
        "cms.gov/medicare/coding-billing/icd-10-codes), which may add or retire codes.",
    fix="Check the code against the code set of the date of service's fiscal year, or load that year: put CMS's "
        "order file (icd10cm_order_2027.txt, or the 'Code Descriptions in Tabular Order' ZIP as downloaded) in your "
        "tables folder, and these lines are checked against it (DX002/DX003).",
    reads=("dx", "dos"),
    candidates=_dated_candidates, through={"dos": icd10.fiscal_year},
    bad=[{'DOS': '2026-10-05', 'Dx Codes': 'F41.1, F99.9'}],
    good=[{'DOS': '2026-10-05', 'Dx Codes': 'F41.1'}],
)
def unlisted_dx(line, env):
    """Notes each well-formed code that the nearest shipped code set (FY2026 for a DOS on or
    after 2026-10-01, FY2025 for one before 2024-10-01) does not contain: not an error, since
    the DOS's own code set is not shipped."""
    return _problems(line.dx, "unlisted", line.dos, env.tables.diagnoses)


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
    claim_codes, claim_ids = run_codes(ctx, "claim_id")
    dx_codes, dx_lists = run_codes(ctx, "dx")
    dx_of = [d if isinstance(d, tuple) else () for d in dx_lists]
    # Each line's claim number; a line without a Claim ID is a claim of its own.
    claim_of = np.array(claim_codes, dtype=np.intp)
    own = np.array([not (isinstance(cid, str) and cid) for cid in claim_ids], dtype=bool)[claim_codes]
    claim_of[own] = len(claim_ids) + np.arange(np.count_nonzero(own), dtype=np.intp)
    # Only a claim whose lines list more than twelve codes in all can list more than twelve distinct.
    listed = np.array([len(d) for d in dx_of], dtype=np.intp)[dx_codes]
    maybe = np.flatnonzero(np.bincount(claim_of, weights=listed)[claim_of] > 12).tolist()
    codes_of: dict = {}
    for i in maybe:
        codes_of.setdefault(claim_of[i], set()).update(dx_of[dx_codes[i]])
    out = []
    for i in maybe:
        n = len(codes_of[claim_of[i]])
        if n > 12:
            cid = claim[i]
            where = f"claim {cid}" if isinstance(cid, str) and cid else "this line"
            out.append((c.index[i], f"{where} lists {n} distinct diagnosis codes; a claim holds at most 12"))
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


@line_rule(
    "DX011", title="Manifestation code listed first", severity="error", column="Dx Codes", needs=("dx",),
    why="A manifestation code (its title says 'in ... diseases classified elsewhere', such as F02.80 dementia in "
        "other diseases) describes how an underlying disease shows itself; ICD-10-CM's etiology/manifestation "
        "convention never lets it be the first-listed diagnosis: the underlying condition is coded first (ICD-10-CM "
        "Official Guidelines for Coding and Reporting FY2026, section I.A.13, cms.gov/medicare/coding-billing/icd-10-codes).",
    fix="List the underlying condition first (for example G30.9 Alzheimer's disease before F02.80), then the "
        "manifestation code.",
    reads=("dx",),
    bad=[{'Dx Codes': 'F02.80, G30.9'}],
    good=[{'Dx Codes': 'G30.9, F02.80'}],
)
def manifestation_first(line, env):
    """Flags a line whose first-listed diagnosis is a manifestation code: a billable code whose
    own or parent's title says 'in ... diseases classified elsewhere' (data/icd10cm-manifestations.txt,
    built from the ICD-10-CM tabular list by scripts/build-icd10-index --manifestations; the list is
    the same in FY2025 and FY2026)."""
    codes = line.dx
    if codes and codes[0] in icd10.manifestations():
        return (f"{codes[0]} is a manifestation code and cannot be the first-listed diagnosis; "
                f"list the underlying condition first")


def _covers(patterns: tuple[str, ...], code: str) -> bool:
    return any(code.startswith(p[:-1]) if p.endswith("*") else code == p for p in patterns)


@line_rule(
    "DX012", title="No diagnosis on the payer's covered list for the code", severity="warning", column="Dx Codes",
    needs=("dx", "cpt", "payer"),
    why="Payers pay a service only for the diagnoses their medical-necessity policy lists for it (a Medicare LCD's "
        "billing article lists the covered ICD-10-CM codes, for example L33632's article A57520 for psychiatric "
        "services; Medicaid programs and plans publish their own); a line none of whose diagnoses is listed is "
        "denied as not medically necessary (CARC 50 or 167).",
    fix="Check that the diagnoses on the note are coded fully and the covered one is listed; if the service was for "
        "another diagnosis, check the payer's policy before billing. Your lists: covered_dx.csv in your tables folder.",
    reads=("dx", "cpt", "payer_key"),
    candidates=lambda ctx: np.full(len(ctx.claims), bool(ctx.tables.covered_dx)),
    bad=Example(lines=({'Dx Codes': 'Z63.0, R45.851'},),
                covered_dx=({'payer': 'Acme Health', 'codes': '90832 90834 90837', 'dx': 'F*'},)),
    good=Example(lines=({'Dx Codes': 'F41.1, Z63.0'},),
                 covered_dx=({'payer': 'Acme Health', 'codes': '90832 90834 90837', 'dx': 'F*'},)),
)
def not_on_covered_list(line, env):
    """Flags a line whose payer (or ``*``, every payer without its own rows) has a covered-diagnosis
    list for the line's code in covered_dx.csv (columns payer, codes, dx, source; dx holds codes
    and prefixes such as F32*) and none of whose diagnoses is on it.  No list is shipped: a
    practice loads its payers' lists with ``--tables``; rule examples run with a sample list."""
    if not line.dx or not isinstance(line.cpt, str):
        return None
    covered = env.tables.covered_diagnoses(line.payer_key, line.cpt)
    if covered is None or any(_covers(covered, code) for code in line.dx):
        return None
    return (f"none of {', '.join(line.dx)} is on the covered list for {line.cpt} (covered_dx.csv); "
            f"the payer may deny it as not medically necessary")
