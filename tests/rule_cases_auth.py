"""Fixture rows for the AUTH rules, in the shape of tests/rule_cases.py: lines that must raise the
rule (``flag``: the 0-based lines expected, with a text each message must contain) and near
misses that must not (``flag=[]``).  ``auths`` and ``payers`` are the book's Authorizations and
Payers sheets (no ``auths``: no Authorizations sheet).

As of 2026-06-30.  Lines are BASE_LINE (tests/helpers.py: client CL-1, Acme Health, 90834 on
2026-06-01 by NPI_A) with changes.  Here Acme Health requires authorization and does not count
evaluations, Gov Medicaid requires it and counts them, Plain Plan does not require it.  A-1 is
a 12-visit authorization of CL-1 with Acme Health for 2026.
"""

from __future__ import annotations

import datetime as dt

from helpers import NPI_A, NPI_B, line

D = dt.date

PAYERS = [
    ["Acme Health", "ACM1", 90, 180, "95", "Y", "N", "PO Box 1, Town, ST 00001", "555-0100", "555-0101"],
    ["Gov Medicaid", "GOV1", 365, 60, "GT", "Y", "Y", "PO Box 2, Town, ST 00002", "555-0200", "555-0201"],
    ["Plain Plan", "PLN1", 180, 120, "", "N", "N", "PO Box 3, Town, ST 00003", "555-0300", "555-0301"],
]


def auth(number="A-1", client="CL-1", payer="Acme Health", start=D(2026, 1, 1), end=D(2026, 12, 31), authorized=12,
         unit="Visits", codes="", npi=""):
    return [number, client, payer, start, end, authorized, unit, codes, npi, ""]


def case(code, name, lines, flag, contains="", auths=(auth(),), **kw):
    return {"code": code, "name": name, "lines": lines, "flag": flag, "contains": contains, "payers": PAYERS,
            "auths": None if auths is None else [list(a) for a in auths], **kw}


def capped(visits, per=None):
    """PAYERS with Acme Health limited to ``visits`` a year (Visits Per Year), counted per ``per``."""
    acme = [*PAYERS[0], "Commercial", per, visits]
    return [acme, *PAYERS[1:]]


def weekly(n, **changes):
    """``n`` weekly sessions from 2026-06-01 back, oldest first, each its own claim."""
    return [line(Claim_ID=f"W{k}", DOS=D(2026, 6, 1) - dt.timedelta(weeks=n - 1 - k), Auth_Number="A-1", **changes)
            for k in range(n)]


CASES = [
    # ---------------------------------------------------------------- AUTH001 missing where required
    case("AUTH001", "no number and no authorization of this client",
         [line()], [0], "Acme Health requires prior authorization; this line has no Auth Number and no "
                        "authorization on the sheet covers client CL-1 on 2026-06-01 for 90834", auths=[auth(client="CL-2")]),
    case("AUTH001", "no number and no Authorizations sheet",
         [line()], [0], "Acme Health requires prior authorization and this line has no Auth Number; enter it", auths=None),
    case("AUTH001", "payer that does not require authorization passes", [line(Payer="Plain Plan")], [],
         auths=[auth(client="CL-2")]),
    case("AUTH001", "evaluation the payer does not count passes", [line(CPT="90791", Minutes=None)], [],
         auths=[auth(client="CL-2")]),
    case("AUTH001", "number on another line of the claim passes",
         [line(Auth_Number="A-1"), line(CPT="90785", Minutes=None)], []),
    case("AUTH001", "a line the payer put on the client (PR-1 deductible) passes",
         [line(Status="Denied", Submitted_On=D(2026, 6, 3), Denial_Codes="PR-1", Denial_Date=D(2026, 6, 20))], [],
         auths=[auth(client="CL-2")]),
    case("AUTH001", "coinsurance and copay on a paid line pass",
         [line(Status="Paid", Submitted_On=D(2026, 6, 3), Paid_Amount=90, Denial_Codes="PR-2, PR-3")], [], auths=None),
    case("AUTH001", "PR with a payer denial (CO-197) is still flagged",
         [line(Status="Denied", Submitted_On=D(2026, 6, 3), Denial_Codes="PR-1, CO-197", Denial_Date=D(2026, 6, 20))],
         [0], "requires prior authorization", auths=[auth(client="CL-2")]),
    # ---------------------------------------------------------------- AUTH002 number not on the sheet
    case("AUTH002", "mistyped number", [line(Auth_Number="A-9")], [0],
         "auth A-9 is not on the Authorizations sheet; add the authorization or correct the number"),
    case("AUTH002", "number in other case and spacing passes", [line(Auth_Number=" a-1 ")], []),
    # ---------------------------------------------------------------- AUTH003 another client or payer
    case("AUTH003", "another client's authorization", [line(Auth_Number="A-1")], [0],
         "A-1 is for client CL-2, not CL-1; correct the auth number or the Client ID", auths=[auth(client="CL-2")]),
    case("AUTH003", "another payer's authorization", [line(Auth_Number="A-1")], [0],
         "A-1 was issued by Gov Medicaid, but this line bills Acme Health", auths=[auth(payer="Gov Medicaid")]),
    case("AUTH003", "authorization naming no client or payer passes", [line(Auth_Number="A-1")], [],
         auths=[auth(client="", payer="")]),
    case("AUTH003", "client and payer in other case pass", [line(Auth_Number="A-1")], [],
         auths=[auth(client="cl-1", payer="ACME HEALTH")]),
    # ---------------------------------------------------------------- AUTH004 outside the dates
    case("AUTH004", "DOS after the end date", [line(Auth_Number="A-1")], [0],
         "DOS 2026-06-01 is outside A-1 (2026-01-01 to 2026-05-31)", auths=[auth(end=D(2026, 5, 31))]),
    case("AUTH004", "DOS before the start date", [line(Auth_Number="A-1")], [0], "is outside A-1 (2026-06-02 to",
         auths=[auth(start=D(2026, 6, 2))]),
    case("AUTH004", "DOS on the end date passes", [line(Auth_Number="A-1")], [], auths=[auth(end=D(2026, 6, 1))]),
    case("AUTH004", "renewal with the same number covering the date passes", [line(Auth_Number="A-1")], [],
         auths=[auth(end=D(2026, 3, 31)), auth(start=D(2026, 4, 1))]),
    # ---------------------------------------------------------------- AUTH005 code not covered
    case("AUTH005", "90834 on an authorization for 90837", [line(Auth_Number="A-1")], [0],
         "90834 is not covered by A-1 (covers 90837); bill a covered code or ask the payer to add 90834",
         auths=[auth(codes="90837")]),
    case("AUTH005", "code inside a covered range passes", [line(Auth_Number="A-1")], [],
         auths=[auth(codes="90832-90838")]),
    # ---------------------------------------------------------------- AUTH006 provider not on the authorization
    case("AUTH006", "another clinician's session", [line(Auth_Number="A-1")], [0],
         f"A-1 is for rendering NPI {NPI_B}; this line's provider is {NPI_A}", auths=[auth(npi=NPI_B)]),
    case("AUTH006", "the authorized clinician passes", [line(Auth_Number="A-1")], [], auths=[auth(npi=NPI_A)]),
    # ---------------------------------------------------------------- AUTH007 over the count
    case("AUTH007", "third session of two", weekly(3), [2],
         "session 3 of 2 authorized on A-1; request more visits before billing it", auths=[auth(authorized=2)]),
    case("AUTH007", "units past the count", [line(Auth_Number="A-1", CPT="H2019", Minutes=None, Modifiers="HO", Units=6)],
         [0], "units 1-6 of 4 authorized on A-1: 2 units over", auths=[auth(authorized=4, unit="Units")]),
    case("AUTH007", "an add-on the same day uses no second visit",
         [line(Auth_Number="A-1", DOS=D(2026, 5, 25), Claim_ID="C0"), line(Auth_Number="A-1"),
          line(Auth_Number="A-1", CPT="90785", Minutes=None)], [], auths=[auth(authorized=2)]),
    case("AUTH007", "a void session uses nothing", weekly(2) + [line(Claim_ID="V", Auth_Number="A-1", Status="Void")], [],
         auths=[auth(authorized=2)]),
    # ---------------------------------------------------------------- AUTH008 nearly used up
    case("AUTH008", "two visits left", weekly(2), [1], "session 2 of 4 authorized on A-1: 2 visits left; request more now",
         auths=[auth(authorized=4)]),
    case("AUTH008", "three visits left passes", weekly(2), [], auths=[auth(authorized=5)]),
    case("AUTH008", "once per authorization, on its latest line", weekly(3), [2],
         "session 3 of 4 authorized on A-1: 1 visit left; request more now", auths=[auth(authorized=4)]),
    case("AUTH008", "latest line in sheet order is not the latest session", list(reversed(weekly(3))), [0],
         "session 3 of 4", auths=[auth(authorized=4)]),
    case("AUTH008", "units: once, on the latest line", weekly(3, Units=2), [2], "units 5-6 of 6 authorized on A-1: "
         "no units left after it", auths=[auth(authorized=6, unit="Units")]),
    case("AUTH008", "an authorization already over its count passes (AUTH007 says so)", weekly(3), [],
         auths=[auth(authorized=2)]),
    # ---------------------------------------------------------------- AUTH009 expiring with visits left
    case("AUTH009", "ends in 10 days with 11 left", [line(Auth_Number="A-1")], [0],
         "A-1 ends 2026-07-10 (in 10 days) with 11 of 12 visits left", auths=[auth(end=D(2026, 7, 10))]),
    case("AUTH009", "ends in 20 days passes", [line(Auth_Number="A-1")], [], auths=[auth(end=D(2026, 7, 20))]),
    case("AUTH009", "used up passes", weekly(2), [], auths=[auth(end=D(2026, 7, 10), authorized=2)]),
    # ---------------------------------------------------------------- AUTH010 matched without a number
    case("AUTH010", "the one authorization covering a line without a number", [line()], [0],
         "no Auth Number; A-1 is the one authorization covering this line, counted against it; enter A-1 in Auth Number"),
    case("AUTH010", "line with its number passes", [line(Auth_Number="A-1")], []),
    # ---------------------------------------------------------------- AUTH011 several could cover it
    case("AUTH011", "two overlapping authorizations", [line()], [0],
         "no Auth Number and 2 authorizations cover this line (A-1, A-2); enter the one the payer should apply",
         auths=[auth(), auth("A-2", start=D(2026, 5, 1))]),
    case("AUTH011", "the other one covers another code: passes", [line()], [],
         auths=[auth(), auth("A-2", start=D(2026, 5, 1), codes="90837")]),
    case("AUTH011", "a payer that does not require authorization passes", [line(Payer="Plain Plan")], [],
         auths=[auth(payer=""), auth("A-2", payer="")]),
    # ---------------------------------------------------------------- AUTH012 no Authorizations sheet
    case("AUTH012", "numbers without the sheet, reported once", weekly(3), [0],
         "no usable Authorizations sheet, so the auth numbers on 3 lines cannot be checked", auths=None),
    case("AUTH012", "with the sheet passes", weekly(3), []),
    # ---------------------------------------------------------------- AUTH013 yearly visit limit (Payers: Visits Per Year)
    case("AUTH013", "third visit of a 2-a-year plan, with its add-on", weekly(2) + [line(Claim_ID="W9", DOS=D(2026, 6, 8)),
         line(Claim_ID="W9", DOS=D(2026, 6, 8), CPT="90785", Minutes=None)], [2, 3],
         "visit 3 in 2026 for client CL-1 with Acme Health, which allows 2 a year", auths=None, payers=capped(2)),
    case("AUTH013", "two services on one date are two visits", [line(Claim_ID="C1"), line(Claim_ID="C2", CPT="90853", Minutes=None,
         Rendering_NPI=NPI_B)], [1], "visit 2 in 2026", auths=None, payers=capped(1)),
    case("AUTH013", "counted per date where the payer says so", [line(Claim_ID="C1"), line(Claim_ID="C2", CPT="90853", Minutes=None,
         Rendering_NPI=NPI_B)], [], auths=None, payers=capped(1, per="Date")),
    case("AUTH013", "a new calendar year starts again", [line(Claim_ID="C0", DOS=D(2025, 12, 29)), line()], [],
         auths=None, payers=capped(1)),
    case("AUTH013", "void and no-show lines and other clients are not visits",
         [line(Claim_ID="C0", DOS=D(2026, 5, 4), Status="Void"), line(Claim_ID="C9", DOS=D(2026, 5, 11), Status="No Show"),
          line(Claim_ID="C8", Client_ID="CL-2", Member_ID="M200", DOS=D(2026, 5, 18)), line()], [], auths=None, payers=capped(1)),
    case("AUTH013", "a payer without a limit passes", weekly(5), [], auths=None),
]
