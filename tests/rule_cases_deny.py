"""Fixture rows for the DENY rules, in the shape of tests/rule_cases.py: lines that must raise the
rule (``flag``: the 0-based lines expected, with a text each message must contain) and near
misses that must not (``flag=[]``).

As of 2026-06-30.  Payers (tests/helpers.py): Acme Health files in 90 days and appeals in 180,
Gov Medicaid 365 and 60.  A denied line is the clean BASE_LINE (DOS 2026-06-01, Acme Health)
sent on 2026-06-03 and denied CO-50 on 2026-06-20, with changes.
"""

from __future__ import annotations

import datetime as dt

from helpers import line

D = dt.date


def case(code, name, lines, flag, contains="", **kw):
    return {"code": code, "name": name, "lines": lines, "flag": flag, "contains": contains, **kw}


def denied(**changes):
    values = {"Status": "Denied", "Submitted_On": D(2026, 6, 3), "Denial_Codes": "CO-50", "Denial_Date": D(2026, 6, 20)}
    values.update(changes)
    return line(**values)


CASES = [
    # ---------------------------------------------------------------- DENY001 appeal deadline passed
    case("DENY001", "denied 2025-12-01, 180 days", [denied(Denial_Date=D(2025, 12, 1))], [0],
         "appeal deadline 2026-05-30 (denial 2025-12-01 + 180 days for Acme Health) passed 31 days ago; CO-50"),
    case("DENY001", "on the claim's line with the earliest Denial Date",
         [denied(Denial_Date=D(2026, 6, 1)), denied(Denial_Date=D(2025, 12, 1), CPT="90785", Minutes=None)], [1],
         "passed 31 days ago"),
    case("DENY001", "deadline today is not passed", [denied(Denial_Date=D(2026, 1, 1))], []),
    case("DENY001", "appealed line past its window passes", [denied(Status="Appealed", Denial_Date=D(2025, 1, 1))], []),
    case("DENY001", "passed window of a write-off passes", [denied(Denial_Codes="CO-45", Denial_Date=D(2025, 1, 1))], []),
    # ---------------------------------------------------------------- DENY002 appeal deadline near
    case("DENY002", "60-day window ends in 9 days", [denied(Payer="Gov Medicaid", Denial_Date=D(2026, 5, 10))], [0],
         "appeal CO-50 by 2026-07-09 (in 9 days; 60-day appeal window for Gov Medicaid)"),
    case("DENY002", "deadline today", [denied(Denial_Date=D(2026, 1, 1))], [0], "by 2026-06-30 (today;"),
    case("DENY002", "deadline in 15 days passes", [denied(Payer="Gov Medicaid", Denial_Date=D(2026, 5, 16))], []),
    # a Medicaid payer whose Appeal Days is blank: 60 days by Payer Type (payer_defaults.csv Medicaid Appeal Days), said so
    case("DENY002", "blank Appeal Days of a Medicaid MCO: 60 days, the assumption named",
         [denied(Payer="Gov Medicaid", Denial_Date=D(2026, 5, 10))], [0],
         "(in 9 days; 60-day appeal window for Gov Medicaid, assumed for a Medicaid MCO payer because its Appeal Days is blank)",
         payers=[["Gov Medicaid", "GOV1", 365, None, "GT", "N", "N", "PO Box 2", "555-0200", "555-0201", "Medicaid MCO"]]),
    case("DENY002", "blank Appeal Days of a commercial payer keeps the general 120 days",
         [denied(Payer="Gov Medicaid", Denial_Date=D(2026, 5, 10))], [],
         payers=[["Gov Medicaid", "GOV1", 365, None, "GT", "N", "N", "PO Box 2", "555-0200", "555-0201", "Commercial"]]),
    case("DENY001", "blank Appeal Days of a Medicaid payer: past 60 days",
         [denied(Payer="Gov Medicaid", Denial_Date=D(2026, 4, 1))], [0],
         "(denial 2026-04-01 + 60 days for Gov Medicaid, assumed for a Medicaid payer because its Appeal Days is blank) passed 30 days ago",
         payers=[["Gov Medicaid", "GOV1", 365, None, "GT", "N", "N", "PO Box 2", "555-0200", "555-0201", "Medicaid"]]),
    case("DENY001", "a Medicaid payer's own Appeal Days wins over the default",
         [denied(Payer="Gov Medicaid", Denial_Date=D(2026, 4, 1))], [],
         payers=[["Gov Medicaid", "GOV1", 365, 95, "GT", "N", "N", "PO Box 2", "555-0200", "555-0201", "Medicaid"]]),
    case("DENY002", "near deadline of a corrected claim passes",
         [denied(Payer="Gov Medicaid", Denial_Codes="CO-16, N290", Denial_Date=D(2026, 5, 10))], []),
    # ---------------------------------------------------------------- DENY003 correct instead of appealing
    case("DENY003", "CO-16 with N290", [denied(Denial_Codes="CO-16, N290")], [0],
         "send a corrected claim (frequency code 7 with the payer's claim number), not an appeal, by 2026-08-30"),
    # Original Medicare (Part B) takes no replacement (frequency 7) claim: a reopening, or a
    # redetermination (CMS Pub. 100-04 ch. 34 section 10; 42 CFR 405.980(b)(1)).  The payer is not
    # on the Payers sheet here, so its type is taken from the name.
    case("DENY003", "Medicare Part B: a reopening, not a frequency-7 corrected claim",
         [denied(Payer="Medicare Part B", Denial_Codes="CO-16, N290")], [0],
         "ask the Medicare contractor to reopen the claim to correct it (a clerical-error reopening by phone, portal or "
         "written request), by 2027-06-20 (one year from the initial determination); Medicare Part B takes no corrected "
         "(frequency 7) claim. If the contractor will not reopen it, request a redetermination by 2026-10-18"),
    case("DENY003", "Medicare reopening past the commercial filing limit is still a reopening",
         [denied(Payer="Medicare Part B", DOS=D(2026, 3, 1), Submitted_On=D(2026, 3, 3), Denial_Codes="CO-4")], [0],
         "reopen the claim"),
    case("DENY003", "Medicare: the reopening window past a year needs good cause",
         [denied(Payer="Medicare Part B", DOS=D(2025, 5, 1), Submitted_On=D(2025, 5, 3), Denial_Codes="CO-4",
                 Denial_Date=D(2025, 6, 1))], [0],
         "the one-year window closed 2026-06-01, so the request must show good cause (within four years); Medicare Part B "
         "takes no corrected (frequency 7) claim"),
    case("DENY003", "a Medicare Advantage plan takes a corrected claim",
         [denied(Payer="Sunrise Medicare Advantage", Denial_Codes="CO-16, N290")], [0],
         "send a corrected claim (frequency code 7 with the payer's claim number)"),
    case("DENY003", "MA130 needs a new claim", [denied(Denial_Codes="CO-16; MA130")], [0], "send a new claim, not an appeal"),
    case("DENY003", "names claimcheck's own finding on the line", [denied(Denial_Codes="CO-5", POS="30")], [0],
         "claimcheck also finds: POS001"),
    case("DENY003", "filing window closed: the correction goes through the appeal",
         [denied(DOS=D(2026, 3, 1), Submitted_On=D(2026, 3, 3), Denial_Codes="CO-4")], []),
    # ---------------------------------------------------------------- DENY004 unknown code
    case("DENY004", "CO-999", [denied(Denial_Codes="CO-999")], [0], "denial code CO-999 is not in claimcheck's catalogue"),
    case("DENY004", "C0-50 (zero for O)", [denied(Denial_Codes="C0-50, N290")], [0], "C0-50"),
    case("DENY004", "code typed in lower case with a space passes", [denied(Denial_Codes="co 50")], []),
    case("DENY004", "unknown code on a paid line passes", [line(Status="Paid", Submitted_On=D(2026, 6, 3), Paid_Amount=90.0,
                                                                  Denial_Codes="CO-999")], []),
    # ---------------------------------------------------------------- DENY005 no denial date
    case("DENY005", "Denial Date empty", [denied(Denial_Date=None)], [0], "Status is Denied but Denial Date is empty"),
    case("DENY005", "unreadable Denial Date is reported once, elsewhere", [denied(Denial_Date="soon")], []),
    case("DENY005", "appealed line without a date passes", [denied(Status="Appealed", Denial_Date=None)], []),
    # ---------------------------------------------------------------- DENY006 no denial codes
    case("DENY006", "Denial Codes empty", [denied(Denial_Codes=None)], [0], "Status is Denied but Denial Codes is empty"),
    case("DENY006", "Denial Codes blank", [denied(Denial_Codes="   ")], [0], "Denial Codes is empty"),
    case("DENY006", "appealed line without codes passes", [denied(Status="Appealed", Denial_Codes=None)], []),
    # ---------------------------------------------------------------- DENY007 patient responsibility
    case("DENY007", "PR-2 coinsurance", [denied(Denial_Codes="PR-2")], [0],
         "patient responsibility (PR-2 the amount is the client's coinsurance share): bill the client"),
    case("DENY007", "PR-1 with CO-50 is an appeal", [denied(Denial_Codes="PR-1, CO-50")], []),
    # ---------------------------------------------------------------- DENY008 another payer
    case("DENY008", "CO-109", [denied(Denial_Codes="CO-109")], [0], "send the claim to the responsible (primary) payer"),
    case("DENY008", "CO-22 with N479", [denied(Denial_Codes="CO-22, N479")], [0], "responsible (primary) payer"),
    case("DENY008", "CO-22 with a data error is a correction first", [denied(Denial_Codes="CO-22, CO-4")], []),
    # ---------------------------------------------------------------- DENY009 write off or check first
    case("DENY009", "CO-45 fee schedule", [denied(Denial_Codes="CO-45")], [0], ": write off (no appeal)"),
    case("DENY009", "OA-18 duplicate", [denied(Denial_Codes="OA-18")], [0], "check before doing anything: OA-18"),
    case("DENY009", "CO-29 sent after the filing limit",
         [denied(DOS=D(2026, 1, 5), Submitted_On=D(2026, 4, 10), Denial_Codes="CO-29")], [0],
         "CO-29: first submitted 2026-04-10, 5 days after the 90-day filing limit (2026-04-05)"),
    case("DENY009", "CO-29 sent within the limit is an appeal",
         [denied(DOS=D(2026, 1, 5), Submitted_On=D(2026, 3, 1), Denial_Codes="CO-29")], []),
    case("DENY009", "only an unknown code is DENY004's", [denied(Denial_Codes="CO-999")], []),
    # ---------------------------------------------------------------- DENY010 payer claim number missing
    case("DENY010", "appeal without the payer's claim number", [denied()], [0],
         "no Payer Claim Number for claim C1: the appeal must quote the payer's claim number (ICN/DCN)"),
    case("DENY010", "Medicare reopening without it", [denied(Payer="Medicare Part B", Denial_Codes="CO-16, N290")], [0],
         "the reopening must quote"),
    case("DENY010", "on one line of the claim is enough",
         [denied(), denied(CPT="90785", Minutes=None, Payer_Claim_Number="2226170123456")], []),
    case("DENY010", "patient responsibility needs none", [denied(Denial_Codes="PR-2")], []),
]
