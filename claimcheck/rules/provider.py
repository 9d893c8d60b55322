"""PRV: provider eligibility - whether the rendering provider may bill this payer for this
service on this date.

Payers deny a service by a provider they have not enrolled (credentialed) on the date of
service, a provider type they do not pay for that service, or a rendering provider who may not
perform it (the adjustment reasons B7, 170 and 185 on a remittance).  The checks read the
Providers sheet (Credential, Licence Type, Licence Expiry, Supervising NPI) and the optional
Provider Enrollment sheet (one row per provider and payer, with effective and termination
dates); a workbook without those columns or that sheet is checked as before.
"""

from __future__ import annotations

from ..values import brief

import datetime as dt

import pandas as pd

from .. import columns as C
from ..denials import is_medicare
from ..models import Provider
from .examples import Example
from .lines import run_line_rule
from .registry import line_rule, rule

#: Credentials of master's-level therapists (social workers, counsellors, marriage and family
#: therapists, addiction counsellors), full and associate licences: licensed to diagnose and
#: treat mental illness with psychotherapy, not to give medical (E/M) services.
SOCIAL_WORKER = frozenset({"LCSW", "LICSW", "LISW", "LISW-S", "LCSW-C", "LCSW-R", "LSW", "LMSW", "LLMSW", "CSW",
                           "ACSW", "LCSW-A", "LCSWA", "LGSW", "LCSW-S"})
COUNSELOR = frozenset({"LPC", "LPCC", "LCPC", "LMHC", "LCMHC", "LPCMH", "LPC-MH", "LMHP", "MHC", "CMHC", "LPC-S",
                       "LPC-A", "LPCA", "APCC", "LPCC-S", "LCMHC-A", "LMHCA", "LPC-I", "LAPC",
                       "LADC", "LCADC", "CADC", "LCDC", "LAC"})
MFT = frozenset({"LMFT", "MFT", "LAMFT", "AMFT", "LMFT-A", "LMFTA", "LMFT-S", "IMFT"})
THERAPIST_CREDENTIALS = SOCIAL_WORKER | COUNSELOR | MFT
#: Marriage and family therapists and mental health counsellors: the two provider types
#: Original Medicare pays only for services on or after 2024-01-01.
MFT_MHC_CREDENTIALS = COUNSELOR | MFT
#: Associate (pre-licensed) credentials: the clinician practises under a licensed supervisor.
ASSOCIATE_CREDENTIALS = frozenset({"LCSW-A", "LCSWA", "ACSW", "LGSW", "LLMSW", "LPC-A", "LPCA", "APCC", "LAPC",
                                   "LPC-I", "LCMHC-A", "LMHCA", "LAMFT", "AMFT", "LMFT-A", "LMFTA", "IMFT"})
#: Words in Licence Type that mean the clinician practises under supervision.
SUPERVISED_WORDS = ("associate", "prelicens", "pre-licens", "provisional", "supervis", "intern", "trainee",
                    "resident", "limited", "temporary", "unlicens")

#: Original Medicare pays marriage and family therapists and mental health counsellors for
#: services on or after this date: Consolidated Appropriations Act, 2023, Division FF, sec. 4121
#: (Social Security Act 1861(s)(2)(II), (lll)); CMS CY2024 physician fee schedule final rule
#: CMS-1784-F (42 CFR 410.53, 410.54).
MEDICARE_MFT_MHC_FROM = dt.date(2024, 1, 1)

ENROLLMENT_SOURCE = ("X12 claim adjustment reasons B7 (provider not certified or eligible for the service on this "
                     "date), 170 (not paid when given or billed by this type of provider) and 185 (rendering provider "
                     "not eligible for the service billed), x12.org/codes/claim-adjustment-reason-codes; CMS Medicare "
                     "Program Integrity Manual, Pub. 100-08 ch. 10 (enrollment effective dates)")


def credentials(provider: Provider | None) -> set[str]:
    """The provider's credentials as written on the Providers sheet ("LCSW, LCADC" -> both),
    upper case."""
    if provider is None:
        return set()
    text = provider.credential.upper().replace("/", ",").replace(";", ",").replace(" ", ",")
    return {c.strip(". ") for c in text.split(",") if c.strip(". ")}


def supervised(provider: Provider | None) -> bool:
    """Whether the clinician practises under supervision: the Licence Type says so (Associate,
    Pre-licensed, Provisional, Intern ...), or the credential is an associate licence (LPC-A,
    AMFT, LCSW-A ...)."""
    if provider is None:
        return False
    kind = provider.licence_type.lower()
    if kind and not kind.startswith(("independent", "full")) and any(w in kind for w in SUPERVISED_WORDS):
        return True
    return bool(credentials(provider) & ASSOCIATE_CREDENTIALS)


def _expiring_providers(ctx):
    """Candidate lines of PRV001: those of a provider with a Licence Expiry (most books give none)."""
    npis = [npi for npi, p in ctx.book.providers.items() if p.licence_expiry is not None]
    return ctx.claims["rendering_npi"].isin(npis).to_numpy()


def _before_2024(ctx):
    """Candidate lines of PRV005: a DOS before 2024 (NaT compares false)."""
    return (ctx.claims["dos"] < pd.Timestamp(MEDICARE_MFT_MHC_FROM)).to_numpy()


def _provider(line, env) -> Provider | None:
    npi = line.rendering_npi
    return env.providers.get(npi) if isinstance(npi, str) else None


def _kind(line, env) -> str:
    found = env.tables.procedures.get(line.cpt) if isinstance(line.cpt, str) else None
    return found.kind if found is not None else ""


@line_rule(
    "PRV001", title="Licence expired on the date of service", severity="error", column="Rendering NPI",
    needs=("rendering_npi", "dos"),
    why="A payer pays only for services a clinician was licensed to give on the date of service; a session after the "
        "licence expired is denied or taken back in an audit (the rendering provider was not eligible on that date: "
        "adjustment reason B7 or 185 on the remittance).",
    fix="Renew the licence and enter the new expiry date on the Providers sheet; if the licence was renewed in time, "
        "correct the date. Services given while it had lapsed cannot be billed under this clinician.",
    reads=("rendering_npi", "dos"), candidates=_expiring_providers,
    needs_sheets=("Providers",),
    bad=Example(lines=({},), sheets={"Providers": ({"NPI": "1234567893", "Name": "Dana Reyes", "Credential": "LCSW",
                                                    "Licence Expiry": "2026-05-31"},)}),
    good=Example(lines=({},), sheets={"Providers": ({"NPI": "1234567893", "Name": "Dana Reyes", "Credential": "LCSW",
                                                     "Licence Expiry": "2028-05-31"},)}),
)
def licence_expired(line, env):
    """Flags a line whose date of service is after the rendering provider's Licence Expiry
    (Providers sheet)."""
    provider = _provider(line, env)
    if provider is None or provider.licence_expiry is None or line.dos is None:
        return None
    if line.dos > provider.licence_expiry:
        return (f"the rendering provider's licence expired {provider.licence_expiry.isoformat()}, before the DOS "
                f"{line.dos.isoformat()}; renew it or correct Licence Expiry on the Providers sheet")


@line_rule(
    "PRV002", title="Supervised clinician without a supervising provider", severity="error", column="Rendering NPI",
    needs=("rendering_npi",),
    why="A pre-licensed or associate clinician (LPC-A, AMFT, LCSW-A, an intern) practises under a licensed "
        "supervisor, and payers that pay for such services want the supervising provider on the claim (837P loop "
        "2310D; CMS-1500 box 17 with qualifier DQ, NUCC 1500 Claim Form Reference Instruction Manual); without it "
        "the line is denied as billed by an ineligible provider (adjustment reason 170 or 185).",
    fix="Enter the supervisor's NPI in Supervising NPI on the Providers sheet (and put it on the claim as the "
        "supervising provider), or bill under the supervisor where the payer requires that.",
    reads=("rendering_npi",),
    needs_sheets=("Providers",),
    bad=Example(lines=({},), sheets={"Providers": ({"NPI": "1234567893", "Name": "Dana Reyes", "Credential": "LCSW-A",
                                                    "Licence Type": "Associate"},)}),
    good=Example(lines=({},), sheets={"Providers": ({"NPI": "1234567893", "Name": "Dana Reyes", "Credential": "LCSW-A",
                                                     "Licence Type": "Associate", "Supervising NPI": "1456789019"},
                                                    {"NPI": "1456789019", "Name": "Sam Okafor", "Credential": "PsyD"})}),
)
def supervised_without_supervisor(line, env):
    """Flags a line by a rendering provider whose Licence Type is associate, pre-licensed,
    provisional, intern, trainee, resident or supervised (or whose credential is an associate
    licence such as LPC-A, AMFT, LCSW-A) and whose Supervising NPI is blank."""
    provider = _provider(line, env)
    if provider is None or not supervised(provider) or provider.supervising_npi:
        return None
    what = ", ".join(x for x in (provider.credential, provider.licence_type) if x)
    return (f"the rendering provider ({what}) practises under supervision and has no Supervising NPI on the "
            "Providers sheet; enter the supervisor, who goes on the claim as the supervising provider")


@line_rule(
    "PRV003", title="Medical service billed by a therapist's credential", severity="error", column="Rendering NPI",
    needs=("cpt", "rendering_npi"),
    why="Evaluation and management visits (99202-99350) are medical services of physicians, nurse practitioners, "
        "physician assistants and clinical nurse specialists; social workers, counsellors and marriage and family "
        "therapists are licensed to diagnose and treat mental illness with psychotherapy, not to give E/M visits. A "
        "payer denies the visit as billed by a provider type it does not pay for it (adjustment reason 170 or 185; "
        "Medicare's benefits for these clinicians: 42 CFR 410.73, 410.53 and 410.54, for physicians' and "
        "practitioners' services 410.20 and 410.74-410.76). 90792 by a non-prescriber is CPT013.",
    fix="Bill the therapist's own service (90791 for an intake, 90832-90837 for psychotherapy), or correct the "
        "rendering provider to the prescriber who gave the visit.",
    reads=("cpt", "rendering_npi"),
    needs_sheets=("Providers",),
    bad=[{"CPT": "99213", "Minutes": None}],
    good=[{"CPT": "99213", "Minutes": None, "Rendering NPI": "1678901236"}],
)
def em_by_therapist(line, env):
    """Flags an E/M code (the procedure table's kind ``em``) whose rendering provider's
    credential on the Providers sheet is a social worker's, counsellor's or marriage and family
    therapist's (LCSW, LPC, LMFT, LMHC and their associate licences)."""
    provider = _provider(line, env)
    creds = credentials(provider)
    if not creds or _kind(line, env) != "em" or not creds <= THERAPIST_CREDENTIALS:
        return None
    return (f"{brief(line.cpt)} is an E/M visit, a medical service; the rendering provider is {brief(provider.credential)}, who "
            "bills psychotherapy and diagnostic evaluations (90791), not E/M")


@line_rule(
    "PRV004", title="Psychological testing billed by a therapist's credential", severity="warning",
    column="Rendering NPI", needs=("cpt", "rendering_npi"),
    why="Psychological and neuropsychological test evaluation and administration (96130-96139) are services of "
        "psychologists and physicians; most payers, Medicare among them, and most state licence laws do not let social "
        "workers, counsellors or marriage and family therapists bill them, so the line is denied for the provider type "
        "(adjustment reason 170 or 185). Some states let counsellors give some tests: check the payer's policy.",
    fix="Bill the testing under the psychologist or physician who gave and interpreted it, or confirm in writing that "
        "this payer pays the therapist's licence for testing.",
    reads=("cpt", "rendering_npi"),
    needs_sheets=("Providers",),
    bad=[{"CPT": "96130", "Minutes": None}],
    good=[{"CPT": "96130", "Minutes": None, "Rendering NPI": "1456789019"}],
)
def testing_by_therapist(line, env):
    """Flags a testing code (kinds ``testing`` and ``testing_addon``: 96130-96139) whose rendering
    provider's credential is a social worker's, counsellor's or marriage and family therapist's."""
    provider = _provider(line, env)
    creds = credentials(provider)
    if not creds or _kind(line, env) not in ("testing", "testing_addon") or not creds <= THERAPIST_CREDENTIALS:
        return None
    return (f"{brief(line.cpt)} is psychological testing; the rendering provider is {brief(provider.credential)}, whom most payers "
            "do not pay for testing")


@line_rule(
    "PRV005", title="Medicare billed for a counsellor or family therapist before 2024", severity="error",
    column="Rendering NPI", needs=("payer", "rendering_npi", "dos"),
    why="Original Medicare began paying marriage and family therapists and mental health counsellors (LPC, LMHC, "
        "LMFT ...) for services on or after 2024-01-01 (Consolidated Appropriations Act, 2023, sec. 4121; CMS CY2024 "
        "physician fee schedule final rule, 42 CFR 410.53 and 410.54); a service before that date is not a Medicare "
        "benefit for these clinicians and is denied for the provider type (adjustment reason 170).",
    fix="Do not bill Medicare for these sessions under the counsellor or therapist (check the DOS and the payer); "
        "a service before 2024 was billable only incident to a physician's service under that program's rules.",
    reads=("payer", "rendering_npi", "dos"), candidates=_before_2024,
    needs_sheets=("Providers",),
    bad=Example(lines=({"Payer": "Medicare Part B", "DOS": "2023-11-06"},),
                sheets={"Providers": ({"NPI": "1234567893", "Name": "Dana Reyes", "Credential": "LMFT"},)}),
    good=Example(lines=({"Payer": "Medicare Part B", "DOS": "2024-01-08"},),
                 sheets={"Providers": ({"NPI": "1234567893", "Name": "Dana Reyes", "Credential": "LMFT"},)}),
)
def medicare_mft_mhc_before_2024(line, env):
    """Flags a line to Original Medicare (Payer Type Medicare, or Medicare in the name when the
    type is blank) before 2024-01-01 whose rendering provider is a marriage and family therapist
    or mental health counsellor by credential (LMFT, LPC, LMHC, LPCC, LCPC ...)."""
    if line.dos is None or line.dos >= MEDICARE_MFT_MHC_FROM:
        return None
    provider = _provider(line, env)
    creds = credentials(provider)
    if not creds & MFT_MHC_CREDENTIALS or creds - MFT_MHC_CREDENTIALS or not is_medicare(env.payer(line.payer)):
        return None
    return (f"Medicare pays {brief(provider.credential)} services only from 2024-01-01; this DOS is "
            f"{line.dos.isoformat()}")


@line_rule(
    "PRV006", title="H-code billed to Medicare", severity="error", column="CPT", needs=("cpt", "payer"),
    why="HCPCS H-codes (H0001-H2037: behavioral-health and substance-use services such as H0004, H2011, H2019) were "
        "made for state Medicaid agencies and are not payable by Original Medicare (CMS HCPCS Level II, 'H' codes; "
        "Medicare processes CPT codes for these services); the line is rejected as an invalid procedure for the payer.",
    fix="Bill Medicare the CPT code for the service (for example 90832-90837 for psychotherapy), or bill the "
        "H-code to the Medicaid plan it belongs to.",
    reads=("cpt", "payer"),
    bad=[{"CPT": "H0004", "Minutes": 30, "Units": 2, "Payer": "Medicare Part B"}],
    good=[{"CPT": "90832", "Minutes": 30, "Payer": "Medicare Part B"}],
)
def h_code_to_medicare(line, env):
    """Flags an H-code (a procedure starting with H) billed to Original Medicare (Payer Type
    Medicare, or Medicare in the name when the type is blank; Medicare Advantage plans are not
    flagged)."""
    if not isinstance(line.cpt, str) or not line.cpt.startswith("H") or not is_medicare(env.payer(line.payer)):
        return None
    return f"{brief(line.cpt)} is a Medicaid H-code; Original Medicare does not pay H-codes (bill the CPT code)"


# --------------------------------------------------------------------------- enrollment

def _enrollment_index(book) -> dict[tuple[str, str], list]:
    """(NPI, payer upper case) -> the provider's enrollment rows with that payer."""
    index: dict[tuple[str, str], list] = {}
    for e in book.enrollments:
        index.setdefault((e.npi, e.payer.strip().upper()), []).append(e)
    return index


def _span(e) -> str:
    start = e.effective_date.isoformat() if e.effective_date else "(no effective date)"
    end = e.termination_date.isoformat() if e.termination_date else "open"
    return f"{start} to {end}"


_ENROLL_SHEET = {"Provider Enrollment": ({"NPI": "1234567893", "Payer": "Acme Health", "Effective Date": "2026-01-01"},)}


@rule(
    "PRV007", title="Provider not enrolled with the payer on the date of service", severity="error",
    column="Rendering NPI", needs=("rendering_npi", "payer", "dos"), row_level=False,
    why="A payer pays a provider only from the enrollment (credentialing) effective date to its termination; a session "
        "before the provider was enrolled or after the enrollment ended is denied as given by a provider who was not "
        "eligible on that date (" + ENROLLMENT_SOURCE + ").",
    fix="Check the dates on the Provider Enrollment sheet against the payer's enrollment letter; if the enrollment is "
        "pending, hold the claim until it is approved (ask for a retroactive effective date), otherwise bill under an "
        "enrolled provider the payer allows or bill the client.",
    bad=Example(lines=({"DOS": "2025-12-15"},), sheets=_ENROLL_SHEET),
    good=Example(lines=({},), sheets=_ENROLL_SHEET),
)
def outside_enrollment(ctx):
    """Flags a billed line (not Void, Cancelled or No Show) whose rendering provider has rows
    with the line's payer on the Provider Enrollment sheet (matched by NPI, and payer ignoring case) but none whose Effective Date to
    Termination Date (inclusive; a blank end is open) holds the DOS."""
    index = _enrollment_index(ctx.book)
    if not index:
        return None

    def check(line, env):
        if line.dos is None or line.status_key in C.NOT_BILLED_KEYS:
            return None
        rows = index.get((line.rendering_npi, (line.payer or "").strip().upper()))
        if not rows or any(e.covers(line.dos) for e in rows):
            return None
        spans = "; ".join(_span(e) for e in rows)
        return (f"DOS {line.dos.isoformat()} is outside the rendering provider's enrollment with {brief(line.payer)} "
                f"({spans}); the payer will deny it as an ineligible provider")

    return run_line_rule(ctx, check, ("rendering_npi", "payer", "dos", "status_key"), "Rendering NPI")


@rule(
    "PRV008", title="Provider has no enrollment with the payer on the sheet", severity="warning",
    column="Rendering NPI", needs=("rendering_npi", "payer"), row_level=False,
    why="The Provider Enrollment sheet lists this provider's payers but not this one: an out-of-network or not yet "
        "credentialed provider's claims are denied (" + ENROLLMENT_SOURCE + "), or paid at out-of-network rates.",
    fix="Add the enrollment with its effective date to the Provider Enrollment sheet; if the provider is not "
        "enrolled, start the payer's credentialing and hold the claims, or bill under an enrolled provider the payer "
        "allows.",
    bad=Example(lines=({"Payer": "Plain Plan"},), sheets=_ENROLL_SHEET),
    good=Example(lines=({"Payer": "Acme Health"},), sheets=_ENROLL_SHEET),
)
def no_enrollment_with_payer(ctx):
    """Flags the first billed line of each rendering provider and payer when the Provider Enrollment
    sheet lists the provider (by NPI) with other payers but not with the line's payer (once per
    provider and payer, as REQ006 is once per payer)."""
    index = _enrollment_index(ctx.book)
    if not index:
        return None
    listed = {npi for npi, _ in index}
    seen: set = set()

    def check(line, env):
        payer = (line.payer or "").strip().upper()
        if line.status_key in C.NOT_BILLED_KEYS:
            return None
        if line.rendering_npi not in listed or not payer or (line.rendering_npi, payer) in index:
            return None
        return (f"the Provider Enrollment sheet has no enrollment of this rendering provider with {brief(line.payer)}; "
                "add it, or check the provider is in network")

    found = run_line_rule(ctx, check, ("rendering_npi", "payer", "status_key"), "Rendering NPI")
    if found is None:
        return None
    keys = list(zip(ctx.claims.loc[found.index, "rendering_npi"], ctx.claims.loc[found.index, "payer_key"]))
    first = [k not in seen and not seen.add(k) for k in keys]
    return found[first]
