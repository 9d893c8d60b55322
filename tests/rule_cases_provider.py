"""Fixture rows for the PRV rules (provider eligibility), in the shape of tests/rule_cases.py:
``flag`` the 0-based lines expected with a text each message must contain; ``flag=[]`` a near
miss.  ``providers`` rows are in contract order (NPI, Name, Credential, Taxonomy, Licence Type,
Licence Expiry, Supervising NPI); ``sheets`` gives the Provider Enrollment sheet.

As of 2026-06-30; lines are BASE_LINE (tests/helpers.py) with changes.
"""

from __future__ import annotations

import datetime as dt

from helpers import NPI_A, NPI_B, NPI_MD, PAYERS, line

D = dt.date

MEDICARE = ["Medicare Part B", "MCR1", 365, 120, "", "N", "N", "", "", "", "Medicare"]
MA_PLAN = ["Senior Choice", "MA1", 365, 60, "", "N", "N", "", "", "", "Medicare Advantage"]
WITH_MEDICARE = PAYERS + [MEDICARE, MA_PLAN]


def prov(npi=NPI_A, credential="LCSW", licence_type="", expiry=None, supervisor=""):
    return [npi, "Clinician", credential, "", licence_type, expiry, supervisor]


def providers(*rows):
    return [list(r) for r in rows] or [prov()]


def enrolled(npi=NPI_A, payer="Acme Health", start=D(2026, 1, 1), end=None):
    return {"NPI": npi, "Payer": payer, "Effective Date": start, "Termination Date": end}


def case(code, name, lines, flag, contains="", **kw):
    return {"code": code, "name": name, "lines": lines, "flag": flag, "contains": contains, **kw}


CASES = [
    # ---------------------------------------------------------------- PRV001 licence expired
    case("PRV001", "DOS the day after the licence expired", [line()], [0],
         "licence expired 2026-05-31, before the DOS 2026-06-01", providers=providers(prov(expiry=D(2026, 5, 31)))),
    case("PRV001", "expiry typed as US text", [line()], [0], "expired 2026-05-31",
         providers=providers(prov(expiry="05/31/2026"))),
    case("PRV001", "DOS on the expiry date passes", [line()], [], providers=providers(prov(expiry=D(2026, 6, 1)))),
    case("PRV001", "blank expiry passes", [line()], [], providers=providers(prov())),
    case("PRV001", "only the lines after the expiry", [line(DOS=D(2026, 5, 20)), line(Claim_ID="C2")], [1],
         "expired 2026-05-31", providers=providers(prov(expiry=D(2026, 5, 31)))),
    # ---------------------------------------------------------------- PRV002 supervised, no supervisor
    case("PRV002", "associate licence type, no supervisor", [line()], [0],
         "(LPC, Associate) practises under supervision and has no Supervising NPI",
         providers=providers(prov(credential="LPC", licence_type="Associate"))),
    case("PRV002", "pre-licensed in other words", [line()], [0], "practises under supervision",
         providers=providers(prov(credential="MSW", licence_type="pre-licensed (intern)"))),
    case("PRV002", "associate credential with a blank licence type", [line()], [0], "(AMFT) practises",
         providers=providers(prov(credential="AMFT"))),
    case("PRV002", "supervised clinician with a supervisor passes", [line()], [],
         providers=providers(prov(credential="LPC-A", licence_type="Associate", supervisor=NPI_B), prov(NPI_B, "PsyD"))),
    case("PRV002", "independent licence passes", [line()], [],
         providers=providers(prov(credential="LPC", licence_type="Independent"))),
    # ---------------------------------------------------------------- PRV003 E/M by a therapist
    case("PRV003", "99214 by an LCSW", [line(CPT="99214", Minutes=None)], [0],
         "99214 is an E/M visit, a medical service; the rendering provider is LCSW"),
    case("PRV003", "99213 by an LMFT", [line(CPT="99213", Minutes=None)], [0], "rendering provider is LMFT",
         providers=providers(prov(credential="LMFT"))),
    case("PRV003", "E/M by the psychiatrist passes", [line(CPT="99214", Minutes=None, Rendering_NPI=NPI_MD)], []),
    case("PRV003", "E/M by an LCSW who is also a nurse practitioner passes", [line(CPT="99214", Minutes=None)], [],
         providers=providers(prov(credential="LCSW, PMHNP"))),
    case("PRV003", "psychotherapy by an LCSW passes", [line()], []),
    # ---------------------------------------------------------------- PRV004 testing by a therapist
    case("PRV004", "96130 by an LPC", [line(CPT="96130", Minutes=None)], [0], "96130 is psychological testing",
         providers=providers(prov(credential="LPC"))),
    case("PRV004", "96137 add-on by an LCSW", [line(CPT="96136", Minutes=None), line(CPT="96137", Minutes=None)],
         [0, 1], "is psychological testing"),
    case("PRV004", "testing by a psychologist passes", [line(CPT="96130", Minutes=None, Rendering_NPI=NPI_B)], []),
    # ---------------------------------------------------------------- PRV005 Medicare MFT/MHC before 2024
    case("PRV005", "LMFT to Medicare in 2023", [line(Payer="Medicare Part B", DOS=D(2023, 12, 29))], [0],
         "Medicare pays LMFT services only from 2024-01-01; this DOS is 2023-12-29",
         payers=WITH_MEDICARE, providers=providers(prov(credential="LMFT"))),
    case("PRV005", "LPC to a payer named Medicare with no type", [line(Payer="Medicare of Somewhere", DOS=D(2023, 6, 1))],
         [0], "Medicare pays LPC services", providers=providers(prov(credential="LPC"))),
    case("PRV005", "LMFT to Medicare on 2024-01-01 passes", [line(Payer="Medicare Part B", DOS=D(2024, 1, 1))], [],
         payers=WITH_MEDICARE, providers=providers(prov(credential="LMFT"))),
    case("PRV005", "LCSW to Medicare in 2023 passes (social workers were always paid)",
         [line(Payer="Medicare Part B", DOS=D(2023, 6, 1))], [], payers=WITH_MEDICARE),
    case("PRV005", "LMFT to a Medicare Advantage plan in 2023 passes", [line(Payer="Senior Choice", DOS=D(2023, 6, 1))],
         [], payers=WITH_MEDICARE, providers=providers(prov(credential="LMFT"))),
    # ---------------------------------------------------------------- PRV006 H-code to Medicare
    case("PRV006", "H0004 to Medicare", [line(Payer="Medicare Part B", CPT="H0004", Minutes=30, Units=2)], [0],
         "H0004 is a Medicaid H-code; Original Medicare does not pay H-codes", payers=WITH_MEDICARE),
    case("PRV006", "H2019 to a payer named Medicare", [line(Payer="medicare", CPT="h2019", Minutes=60, Units=4)], [0],
         "H2019 is a Medicaid H-code"),
    case("PRV006", "H0004 to Medicaid passes", [line(Payer="Gov Medicaid", CPT="H0004", Minutes=30, Units=2)], []),
    case("PRV006", "H0004 to a Medicare Advantage plan passes", [line(Payer="Senior Choice", CPT="H0004", Minutes=30, Units=2)],
         [], payers=WITH_MEDICARE),
    # ---------------------------------------------------------------- PRV007 outside the enrollment
    case("PRV007", "DOS before the enrollment's effective date", [line(DOS=D(2025, 12, 31))], [0],
         "DOS 2025-12-31 is outside the rendering provider's enrollment with Acme Health (2026-01-01 to open)",
         sheets={"Provider Enrollment": [enrolled()]}),
    case("PRV007", "DOS after the termination", [line()], [0], "(2025-01-01 to 2026-05-31)",
         sheets={"Provider Enrollment": [enrolled(start=D(2025, 1, 1), end=D(2026, 5, 31))]}),
    case("PRV007", "payer in other case, dates as text", [line(Payer="ACME HEALTH")], [0], "outside",
         sheets={"Provider Enrollment": [enrolled(payer="acme health", start="07/01/2026")]}),
    case("PRV007", "DOS on the termination date passes", [line()], [],
         sheets={"Provider Enrollment": [enrolled(start=D(2025, 1, 1), end=D(2026, 6, 1))]}),
    case("PRV007", "re-enrollment covering the date passes", [line()], [],
         sheets={"Provider Enrollment": [enrolled(start=D(2024, 1, 1), end=D(2025, 6, 30)), enrolled(start=D(2026, 3, 1))]}),
    case("PRV007", "another provider's enrollment does not apply", [line(Rendering_NPI=NPI_B)], [],
         sheets={"Provider Enrollment": [enrolled(start=D(2026, 7, 1))]}),
    # ---------------------------------------------------------------- PRV008 no enrollment with the payer
    case("PRV008", "provider listed with another payer only, once per provider and payer",
         [line(Payer="Plain Plan"), line(Claim_ID="C2", Payer="plain plan", DOS=D(2026, 6, 8)), line(Claim_ID="C3")], [0],
         "no enrollment of this rendering provider with Plain Plan", sheets={"Provider Enrollment": [enrolled()]}),
    case("PRV008", "provider not on the enrollment sheet at all passes", [line(Rendering_NPI=NPI_B, Payer="Plain Plan")],
         [], sheets={"Provider Enrollment": [enrolled()]}),
    case("PRV008", "no Provider Enrollment sheet passes", [line(Payer="Plain Plan")], []),
]
