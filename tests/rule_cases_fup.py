"""Fixture rows for the FUP rules, in the shape of tests/rule_cases.py.  As of 2026-06-30.
Payers (tests/helpers.py): Acme Health (no Payer Type: any other payer, 30 follow-up days after
an appeal; 90 filing days), Gov Medicaid; "Medicare Part B" is not on the sheet and is taken for
Original Medicare from its name.  Rows with a Payer Type use their own Payers sheet."""

from __future__ import annotations

import datetime as dt

from helpers import PAYER_HEADERS, PAYERS, line

D = dt.date
#: The Payers sheet with Payer Type and Follow-up Days: Acme Health commercial with 45 follow-up days.
_WIDTH = len(PAYER_HEADERS)
_TYPE, _FOLLOW = PAYER_HEADERS.index("Payer Type"), PAYER_HEADERS.index("Follow-up Days")


def _payer(values: list, payer_type=None, follow_up=None) -> list:
    row = list(values) + [None] * (_WIDTH - len(values))
    row[_TYPE], row[_FOLLOW] = payer_type, follow_up
    return row


TYPED_PAYERS = [_payer(p) for p in PAYERS]
TYPED_PAYERS[0] = _payer(PAYERS[0], "Commercial", 45)
TYPED_PAYERS.append(_payer(["Medicare Advantage Gold", "MAG1", 365, 60, "95", "N", "N", "PO Box 9", "555-0900", "555-0901"],
                           "Medicare Advantage"))


def case(code, name, lines, flag, contains="", **kw):
    return {"code": code, "name": name, "lines": lines, "flag": flag, "contains": contains, **kw}


def appealed(**changes):
    values = {"DOS": D(2026, 3, 2), "Status": "Appealed", "Submitted_On": D(2026, 3, 4), "Denial_Codes": "CO-50",
              "Denial_Date": D(2026, 4, 1), "Appealed_On": D(2026, 4, 20)}
    values.update(changes)
    return line(**values)


def submitted(**changes):
    values = {"Status": "Submitted", "Submitted_On": D(2026, 5, 20)}
    values.update(changes)
    return line(**values)


CASES = [
    # ---------------------------------------------------------------- FUP001 appeal without a decision
    case("FUP001", "other payer: 30 days after the appeal", [appealed()], [0],
         "appeal sent 2026-04-20, no decision after 71 days: the payer has 30 days to decide"),
    case("FUP001", "Medicare redetermination: 60 days, then a QIC reconsideration within 180 days",
         [appealed(Payer="Medicare Part B", Appealed_On=D(2026, 4, 20))], [0],
         "Medicare redetermination sent 2026-04-20, no decision after 71 days: the payer has 60 days to decide "
         "(42 CFR 405.950) and the follow-up date 2026-06-19 has passed; call the Medicare contractor"),
    case("FUP001", "Medicare redetermination within its 60 days passes",
         [appealed(Payer="Medicare Part B", Appealed_On=D(2026, 5, 2))], []),
    case("FUP001", "Medicare reconsideration (QIC) names the escalation",
         [appealed(Payer="Medicare Part B", Appealed_On=D(2026, 4, 20), Appeal_Level="Reconsideration")], [0],
         "Medicare reconsideration (QIC) sent 2026-04-20"),
    case("FUP001", "commercial (ERISA) plan: 60 days", [appealed(Appealed_On=D(2026, 4, 20))], [0],
         "plan appeal (ERISA post-service) sent 2026-04-20, no decision after 71 days: the payer has 60 days",
         payers=TYPED_PAYERS),
    case("FUP001", "commercial plan within 60 days passes", [appealed(Appealed_On=D(2026, 5, 10))], [],
         payers=TYPED_PAYERS),
    case("FUP001", "commercial second level: 30 days", [appealed(Appealed_On=D(2026, 5, 10), Appeal_Level="Level 2")], [0],
         "plan second-level appeal (ERISA post-service) sent 2026-05-10", payers=TYPED_PAYERS),
    case("FUP001", "Medicare Advantage reconsideration: 60 days",
         [appealed(Payer="Medicare Advantage Gold", Appealed_On=D(2026, 4, 1))], [0],
         "Medicare Advantage plan reconsideration sent 2026-04-01", payers=TYPED_PAYERS),
    case("FUP001", "one finding per claim, on its first appealed line",
         [appealed(), appealed(CPT="90785", Minutes=None)], [0], "no decision after 71 days"),
    case("FUP001", "appeal without Appealed On passes", [appealed(Appealed_On=None)], []),
    case("FUP001", "denied again (Status Denied) passes", [appealed(Status="Denied", Denial_Date=D(2026, 6, 20))], []),
    # ---------------------------------------------------------------- FUP002 submitted without a remittance
    case("FUP002", "41 days without a remittance", [submitted()], [0],
         "submitted 2026-05-20, 41 days ago, and no remittance yet (Acme Health: 30 follow-up days)"),
    case("FUP002", "30 days is not yet late", [submitted(Submitted_On=D(2026, 5, 31))], []),
    case("FUP002", "the payer's own Follow-up Days (45)", [submitted()], [], payers=TYPED_PAYERS),
    case("FUP002", "past the payer's 45 days", [submitted(Submitted_On=D(2026, 5, 10))], [0],
         "(Acme Health: 45 follow-up days)", payers=TYPED_PAYERS),
    case("FUP002", "filing limit passed: send again with proof",
         [submitted(DOS=D(2026, 3, 2), Submitted_On=D(2026, 3, 4))], [0],
         "the filing limit passed 2026-05-31: if the payer has no record of it, send it again with proof"),
    case("FUP002", "a line with a Paid Amount has its answer", [submitted(Paid_Amount=90.0)], []),
    case("FUP002", "a line with a Denial Date has its answer", [submitted(Denial_Date=D(2026, 6, 20))], []),
    case("FUP002", "one finding per claim", [submitted(), submitted(CPT="90785", Minutes=None)], [0], "41 days ago"),
    case("FUP002", "Paid status passes", [submitted(Status="Paid", Paid_Amount=100.0)], []),
]
