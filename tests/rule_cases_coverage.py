"""Fixture rows for the ELIG rules (eligibility), in the shape of tests/rule_cases.py: ``flag``
the 0-based lines expected with a text each message must contain; ``flag=[]`` a near miss.
``sheets`` gives the Coverage sheet (rows by header).

As of 2026-06-30; lines are BASE_LINE (tests/helpers.py: client CL-1, member M100, Acme Health,
2026-06-01) with changes.
"""

from __future__ import annotations

import datetime as dt

from helpers import PAYERS, line

D = dt.date

MEDICARE = ["Medicare Part B", "MCR1", 365, 120, "", "N", "N", "", "", "", "Medicare"]
MA_PLAN = ["Senior Choice", "MA1", 365, 60, "", "N", "N", "", "", "", "Medicare Advantage"]
WITH_MEDICARE = PAYERS + [MEDICARE, MA_PLAN]


def cov(client="CL-1", payer="Acme Health", member="M100", start=D(2026, 1, 1), end=None, order="Primary", copay=20):
    return {"Client ID": client, "Payer": payer, "Member ID": member, "Effective Date": start,
            "Termination Date": end, "Plan Order": order, "Copay": copay}


def case(code, name, lines, flag, contains="", coverage=None, **kw):
    if coverage is not None:
        kw["sheets"] = {"Coverage": coverage}
    return {"code": code, "name": name, "lines": lines, "flag": flag, "contains": contains, **kw}


def mcr(member, **changes):
    return line(Payer="Medicare Part B", Member_ID=member, **changes)


CASES = [
    # ---------------------------------------------------------------- ELIG001 malformed MBI
    case("ELIG001", "letter O in a digit position", [mcr("1EG4TE5MK7O")], [0],
         "Member ID 1EG4TE5MK7O has 'O' at position 11, which must be a digit", payers=WITH_MEDICARE),
    case("ELIG001", "excluded letter S in position 2", [mcr("1SG4TE5MK73")], [0],
         "has 'S' at position 2, which must be a letter (not S, L, O, I, B or Z)", payers=WITH_MEDICARE),
    case("ELIG001", "first position 0", [mcr("0EG4TE5MK73")], [0], "position 1, which must be a digit 1-9",
         payers=WITH_MEDICARE),
    case("ELIG001", "ten characters", [mcr("1EG4TE5MK7")], [0], "has 10 characters; an MBI has 11",
         payers=WITH_MEDICARE),
    case("ELIG001", "old SSN-based HICN", [mcr("123456789A")], [0], "looks like an old Medicare number (HICN",
         payers=WITH_MEDICARE),
    case("ELIG001", "MBI typed with dashes", [mcr("1EG4-TE5-MK73")], [0], "with dashes or spaces",
         payers=WITH_MEDICARE),
    case("ELIG001", "payer named Medicare with no type", [line(Payer="Medicare", Member_ID="M100")], [0],
         "has 4 characters"),
    case("ELIG001", "a valid MBI passes", [mcr("1EG4TE5MK73"), mcr("9AA0AA0AA00", Claim_ID="C2")], [],
         payers=WITH_MEDICARE),
    case("ELIG001", "lower case MBI passes", [mcr("1eg4te5mk73")], [], payers=WITH_MEDICARE),
    case("ELIG001", "Medicare Advantage plan's own ID passes", [line(Payer="Senior Choice", Member_ID="SC-88812")], [],
         payers=WITH_MEDICARE),
    case("ELIG001", "commercial member ID passes", [line(Member_ID="M100")], []),
    # ---------------------------------------------------------------- ELIG002 outside coverage
    case("ELIG002", "DOS after the plan terminated", [line()], [0],
         "DOS 2026-06-01 is outside client CL-1's coverage with Acme Health (2025-01-01 to 2026-05-31)",
         coverage=[cov(start=D(2025, 1, 1), end=D(2026, 5, 31))]),
    case("ELIG002", "DOS before the plan began, dates as US text, payer in other case", [line(Payer="ACME health")], [0],
         "(2026-06-02 to open)", coverage=[cov(start="06/02/2026")]),
    case("ELIG002", "DOS on the termination date passes", [line()], [], coverage=[cov(end=D(2026, 6, 1))]),
    case("ELIG002", "a second period covering the date passes", [line()], [],
         coverage=[cov(start=D(2024, 1, 1), end=D(2024, 12, 31)), cov(start=D(2026, 5, 1))]),
    case("ELIG002", "client id in other case passes", [line(Client_ID="cl-1")], [], coverage=[cov()]),
    case("ELIG002", "a voided line is not checked", [line(Status="Void")], [], coverage=[cov(end=D(2026, 5, 31))]),
    case("ELIG002", "client not on the Coverage sheet passes", [line(Client_ID="CL-9")], [],
         coverage=[cov(end=D(2026, 5, 31))]),
    # ---------------------------------------------------------------- ELIG003 payer not the client's
    case("ELIG003", "billed to a payer the client does not have", [line(Payer="Plain Plan")], [0],
         "client CL-1 has no coverage with Plain Plan: the Coverage sheet gives Acme Health (primary), Gov Medicaid "
         "(secondary) on 2026-06-01", coverage=[cov(payer="Gov Medicaid", order="2", member="G1"), cov()]),
    case("ELIG003", "no plan in force on the DOS", [line(Payer="Plain Plan")], [0],
         "the Coverage sheet has no plan in force on that date", coverage=[cov(end=D(2026, 1, 31))]),
    case("ELIG003", "billing the secondary passes", [line(Payer="Gov Medicaid", Member_ID="G1")], [],
         coverage=[cov(), cov(payer="Gov Medicaid", order="Secondary", member="G1")]),
    case("ELIG003", "payer in other case passes", [line(Payer=" acme health ")], [], coverage=[cov()]),
    # ---------------------------------------------------------------- ELIG004 member ID differs
    case("ELIG004", "member ID with a digit too many", [line(Member_ID="M1000")], [0],
         "Member ID M1000 is not the ID of client CL-1's plan with Acme Health (M100); correct it", coverage=[cov()]),
    case("ELIG004", "old card's ID after a new plan period", [line(Member_ID="OLD-7")], [0], "(M100)",
         coverage=[cov(member="OLD-7", start=D(2025, 1, 1), end=D(2025, 12, 31)), cov()]),
    case("ELIG004", "case, spaces and dashes ignored", [line(Member_ID=" m-100 ")], [], coverage=[cov()]),
    case("ELIG004", "plan row without a member ID passes", [line(Member_ID="X9")], [], coverage=[cov(member=None)]),
    # ---------------------------------------------------------------- ELIG005 secondary before the primary
    case("ELIG005", "secondary Ready while the primary is only submitted", [
        line(Status="Submitted", Submitted_On=D(2026, 6, 3)),
        line(Claim_ID="C2", Payer="Gov Medicaid", Payer_Order="Secondary")], [1],
        "secondary line sent (Ready) before the primary answered: the primary line for 90834 on 2026-06-01 (row 2, "
        "Acme Health) has no remittance posted"),
    case("ELIG005", "secondary Submitted, primary still Ready, order typed in lower case", [
        line(Payer_Order="primary"),
        line(Claim_ID="C2", Payer="Gov Medicaid", Payer_Order="secondary", Status="Submitted",
             Submitted_On=D(2026, 6, 3))], [1], "(Submitted)"),
    case("ELIG005", "tertiary sent while the primary is unanswered", [
        line(), line(Claim_ID="C3", Payer="Plain Plan", Payer_Order="Tertiary")], [1], "tertiary line sent"),
    case("ELIG005", "no Payer Order typed: the Coverage sheet makes the payer secondary", [
        line(), line(Claim_ID="C2", Payer="Gov Medicaid", Member_ID="G1")], [1],
        "secondary line sent (Ready) before the primary answered (the Coverage sheet makes Gov Medicaid this client's "
        "secondary plan): the primary line for 90834 on 2026-06-01 (row 2, Acme Health)",
        coverage=[cov(), cov(payer="Gov Medicaid", order="Secondary", member="G1")]),
    case("ELIG005", "Coverage order ignored outside the plan's dates", [
        line(), line(Claim_ID="C2", Payer="Gov Medicaid", Member_ID="G1")], [],
        coverage=[cov(), cov(payer="Gov Medicaid", order="2", member="G1", start=D(2026, 7, 1))]),
    case("ELIG005", "a typed Payer Order Primary wins over the Coverage sheet", [
        line(Payer="Gov Medicaid", Member_ID="G1", Payer_Order="Primary"), line(Claim_ID="C2")], [],
        coverage=[cov(), cov(payer="Gov Medicaid", order="Secondary", member="G1")]),
    case("ELIG005", "primary paid passes", [
        line(Status="Paid", Paid_Amount=80.0), line(Claim_ID="C2", Payer="Gov Medicaid", Payer_Order="Secondary")], []),
    case("ELIG005", "primary paid nothing but its remittance is posted passes", [
        line(Status="Submitted", Paid_Amount=0, Remit_Date=D(2026, 6, 20)),
        line(Claim_ID="C2", Payer="Gov Medicaid", Payer_Order="Secondary")], []),
    case("ELIG005", "primary denied passes", [
        line(Status="Denied", Denial_Codes="CO-50", Denial_Date=D(2026, 6, 20)),
        line(Claim_ID="C2", Payer="Gov Medicaid", Payer_Order="Secondary")], []),
    case("ELIG005", "secondary still Draft passes", [
        line(), line(Claim_ID="C2", Payer="Gov Medicaid", Payer_Order="Secondary", Status="Draft")], []),
    case("ELIG005", "no primary line on the sheet passes", [
        line(Payer="Gov Medicaid", Payer_Order="Secondary")], []),
    case("ELIG005", "the primary line of another service (code, date) passes", [
        line(CPT="90837", Minutes=55), line(DOS=D(2026, 6, 2), Claim_ID="C3"),
        line(Claim_ID="C2", Payer="Gov Medicaid", Payer_Order="Secondary")], []),
    case("ELIG005", "a voided primary does not hold the secondary", [
        line(Status="Void"), line(Claim_ID="C2", Payer="Gov Medicaid", Payer_Order="Secondary")], []),
]
