"""Fixture rows for the DOC rules (documentation readiness), in the shape of tests/rule_cases.py:
``flag`` the 0-based lines expected with a text each message must contain; ``flag=[]`` a near
miss.  ``sheets`` gives the Clients sheet.  Times come in every form Excel holds them.

As of 2026-06-30; lines are BASE_LINE (tests/helpers.py: Status Ready, 90834 for 45 minutes on
2026-06-01, Acme Health) with changes.
"""

from __future__ import annotations

import datetime as dt

from helpers import PAYER_HEADERS, PAYERS, line

D = dt.date
T = dt.time

#: Acme Health wants notes signed within 3 days and plans reviewed every 60; Gov Medicaid the same
#: day (0); Plain Plan leaves both blank (the defaults: 30 and 90 days).
_WIDTH = len(PAYER_HEADERS)
_SIGN, _REVIEW = PAYER_HEADERS.index("Note Sign Days"), PAYER_HEADERS.index("Plan Review Days")
STRICT = [list(p) + [None] * (_WIDTH - len(p)) for p in PAYERS]
STRICT[0][_SIGN], STRICT[0][_REVIEW] = 3, 60
STRICT[1][_SIGN], STRICT[1][_REVIEW] = 0, None


def case(code, name, lines, flag, contains="", clients=None, **kw):
    if clients is not None:
        kw["sheets"] = {"Clients": [{"Client ID": c, "Treatment Plan Date": d} for c, d in clients]}
    return {"code": code, "name": name, "lines": lines, "flag": flag, "contains": contains, **kw}


def signed(day=D(2026, 6, 2), **changes):
    return line(Note_Signed=day, **changes)


CASES = [
    # ---------------------------------------------------------------- DOC001 unsigned note
    case("DOC001", "Ready line without a signature date", [signed(None)], [0],
         "the session note is not signed (Status Ready); sign it before the claim goes out"),
    case("DOC001", "Submitted in lower case", [signed(None, Status="submitted")], [0], "(Status Submitted)"),
    case("DOC001", "signed line passes", [signed()], []),
    case("DOC001", "a draft may be unsigned", [signed(None, Status="Draft")], []),
    case("DOC001", "paid lines are history", [signed(None, Status="Paid")], []),
    case("DOC001", "no Note Signed column: not checked", [line(Start_Time="2:00 PM", Stop_Time="2:45 PM")], []),
    # ---------------------------------------------------------------- DOC002 signed late
    case("DOC002", "signed after the default 30 days", [signed(D(2026, 7, 2), Payer="Plain Plan")], [0],
         "the note was signed 31 days after the session (2026-07-02); Plain Plan allows 30"),
    case("DOC002", "signed after the payer's 3 days", [signed(D(2026, 6, 5))], [0], "Acme Health allows 3",
         payers=STRICT),
    case("DOC002", "same-day payer, signed next day", [signed(D(2026, 6, 2), Payer="Gov Medicaid")], [0],
         "1 days after the session", payers=STRICT),
    case("DOC002", "signed before the session", [signed(D(2026, 5, 30))], [0],
         "the note is signed 2026-05-30, before the session on 2026-06-01; correct the date"),
    case("DOC002", "signed on the last allowed day passes", [signed(D(2026, 6, 4))], [], payers=STRICT),
    case("DOC002", "signed the same day passes for a same-day payer", [signed(D(2026, 6, 1), Payer="Gov Medicaid")], [],
         payers=STRICT),
    case("DOC002", "a draft signed late is not yet billed", [signed(D(2026, 7, 20), Status="Draft")], []),
    # ---------------------------------------------------------------- DOC003 minutes over the times
    case("DOC003", "text times spanning 40 minutes for 45 billed",
         [line(Start_Time="2:00 PM", Stop_Time="2:40 PM")], [0],
         "45 minutes billed, but the note's times (2:00 PM to 2:40 PM) span 40; correct the minutes or the times"),
    case("DOC003", "Excel times (fractions of a day)", [line(Start_Time=0.375, Stop_Time=0.40277777777777773)], [0],
         "(9:00 AM to 9:40 AM) span 40"),
    case("DOC003", "times with dates and datetime cells",
         [line(Start_Time=dt.datetime(2026, 6, 1, 14, 0), Stop_Time="2026-06-01 14:30")], [0], "span 30"),
    case("DOC003", "stop before start", [line(Start_Time=T(15, 0), Stop_Time=T(14, 15))], [0],
         "Stop Time 2:15 PM is before Start Time 3:00 PM"),
    case("DOC003", "H2019 units of time", [line(CPT="H2019", Minutes=60, Units=4, Start_Time="9:00", Stop_Time="9:50")],
         [0], "60 minutes billed"),
    case("DOC003", "times matching the minutes pass", [line(Start_Time="14:00", Stop_Time="2:45 pm")], []),
    case("DOC003", "untimed code passes", [line(CPT="90791", Minutes=60, Start_Time="9:00", Stop_Time="9:30")], []),
    case("DOC003", "90840 (minutes are the claim's crisis total) passes",
         [line(CPT="90839", Minutes=80, Start_Time="9:00", Stop_Time="10:20"),
          line(CPT="90840", Minutes=80, Start_Time="9:00", Stop_Time="9:30")], []),
    case("DOC003", "one time missing passes", [line(Start_Time="2:00 PM")], []),
    # ---------------------------------------------------------------- DOC004 times over the minutes
    case("DOC004", "times spanning 55 minutes for 45 billed", [line(Start_Time="1400", Stop_Time="14:55")], [0],
         "the note's times (2:00 PM to 2:55 PM) span 55 minutes, but 45 are billed; make them agree"),
    case("DOC004", "half a minute over passes", [line(Start_Time="14:00:00", Stop_Time="14:45:30")], []),
    case("DOC004", "no minutes: CPT005's business", [line(Minutes=None, Start_Time="14:00", Stop_Time="14:55")], []),
    # ---------------------------------------------------------------- DOC005 treatment plan
    case("DOC005", "plan older than the default 90 days", [line(Payer="Plain Plan")], [0],
         "the treatment plan of 2026-02-01 is 120 days old on 2026-06-01; Plain Plan wants it reviewed every 90 days",
         clients=[("CL-1", D(2026, 2, 1))]),
    case("DOC005", "payer's own 60 days", [line()], [0], "Acme Health wants it reviewed every 60 days",
         clients=[("cl-1", "03/15/2026")], payers=STRICT),
    case("DOC005", "client listed without a plan date", [line()], [0],
         "client CL-1 has no Treatment Plan Date on the Clients sheet", clients=[("CL-1", None)]),
    case("DOC005", "plan exactly 90 days old passes", [line(Payer="Plain Plan")], [], clients=[("CL-1", D(2026, 3, 3))]),
    case("DOC005", "evaluation before a plan passes", [line(CPT="90791", Minutes=60)], [],
         clients=[("CL-1", D(2025, 1, 1))]),
    case("DOC005", "paid lines are history", [line(Status="Paid")], [], clients=[("CL-1", D(2025, 1, 1))]),
    case("DOC005", "plan within the payer's 60 days passes", [line()], [], clients=[("CL-1", D(2026, 4, 2))],
         payers=STRICT),
    case("DOC005", "client not on the sheet passes", [line(Client_ID="CL-2")], [], clients=[("CL-1", D(2025, 1, 1))]),
]
