"""The bundled sample: a synthetic group practice's spring 2026 billing, checked as of
2026-06-30.  Every name, ID, NPI and address here is invented (NPIs carry valid check digits
but are made up); payers are fictional so no real payer's rules are implied.

The lines mix clean sessions with the problems billers meet most: a 90837 for 45 minutes, an
add-on without its primary, a category diagnosis, a telehealth line without the payer's
modifier, the thirteenth session of a twelve-visit authorization, a closing filing window,
duplicates, bad NPIs and denials to appeal.  Values come in the forms billers type them:
codes as numbers, dates as text, POS 2 for 02, diagnoses without the dot.
"""

from __future__ import annotations

import datetime as dt

from claimcheck import columns as C

AS_OF = dt.date(2026, 6, 30)

D = dt.date

CLAIM_HEADERS = C.CLAIM_HEADERS

PAYER_HEADERS = C.PAYER_HEADERS
PAYERS = [
    ["Evergreen Health Plan", "EVG01", 90, 180, "95", "Y", "N",
     "Evergreen Health Plan, Provider Appeals, PO Box 4410, Portland, OR 97208", "(503) 555-0140", "(800) 555-0110",
     "Commercial", "Service", None],
    ["Summit BlueCare", "SBC22", 180, 180, "95", "N", "N",
     "Summit BlueCare, Claim Appeals Unit, 200 Ridge Ave, Denver, CO 80202", "(303) 555-0198", "(800) 555-0120",
     "Commercial", "Service", None],
    ["Medicare Part B", "MCRB", 365, 120, "", "N", "N",
     "Medicare Administrative Contractor, Redeterminations, PO Box 6700, Fargo, ND 58108", "(701) 555-0177", "(855) 555-0130",
     "Medicare", "Service", None],
    ["Riverbend Medicaid", "RBM07", 95, 60, "GT", "Y", "Y",
     "Riverbend Medicaid, Appeals and Grievances, 15 State St, Albany, NY 12207", "(518) 555-0101", "(888) 555-0150",
     "Medicaid", "Service", 30],
]

PROVIDER_HEADERS = C.PROVIDER_HEADERS
PROVIDERS = [  # NPI, Name, Credential, Taxonomy, Licence Type, Licence Expiry, Supervising NPI
    ["1234567893", "Dana Reyes", "LCSW", "1041C0700X", "Independent", D(2027, 9, 30), ""],
    ["1456789019", "Sam Okafor", "PsyD", "103TC0700X", "Independent", D(2027, 3, 31), ""],
    ["1678901236", "Priya Nair", "MD", "2084P0800X", "Independent", D(2028, 1, 31), ""],
    ["1543210987", "Lee Marsh", "LPC", "101YP2500X", "Independent", D(2026, 12, 31), ""],
]

#: The Provider Enrollment sheet: each provider with the payers it bills.  Sam Okafor's Medicare
#: enrollment took effect 2026-05-01, after the 2026-04-15 session billed to Medicare (PRV007).
ENROLLMENT_HEADERS = C.ENROLLMENT_HEADERS
ENROLLMENT = [
    ["1234567893", "Evergreen Health Plan", D(2023, 9, 1), None, ""],
    ["1456789019", "Summit BlueCare", D(2024, 2, 1), None, ""],
    ["1456789019", "Medicare Part B", D(2026, 5, 1), None, "Approved 5/12; effective 5/1"],
    ["1678901236", "Medicare Part B", D(2022, 1, 1), None, ""],
    ["1678901236", "Riverbend Medicaid", D(2021, 3, 1), None, ""],
    ["1543210987", "Riverbend Medicaid", D(2024, 6, 1), None, ""],
    ["1543210987", "Harbor Mutual", D(2025, 1, 1), None, ""],
]
GROUP_NPI = "1987654328"

#: The Practice sheet: one label and its value a row (claimcheck.columns.PRACTICE).  Fictional.
PRACTICE_LABELS = C.PRACTICE_LABELS
PRACTICE = [
    ("Practice Name", "Cedar Grove Counseling Group"),
    ("Street Address", "410 Main St, Suite 200"),
    ("City State ZIP", "Springfield, IL 62701"),
    ("Phone", "(217) 555-0160"),
    ("Fax", "(217) 555-0161"),
    ("Email", "billing@cedargrove.example"),
    ("Tax ID", "12-3456789"),
    ("Group NPI", GROUP_NPI),
    ("Contact", "Morgan Lee"),
    ("Contact Title", "Billing Manager"),
    ("Signer", "Priya Nair, MD"),
    ("Signer Title", "Medical Director"),
]

AUTH_HEADERS = C.AUTH_HEADERS
AUTHORIZATIONS = [
    ["EV-26-0142", "CL-1001", "Evergreen Health Plan", D(2026, 3, 1), D(2026, 8, 31), 12, "Visits",
     "90832, 90834, 90837", "1234567893", "Initial 12 visits"],
    ["EV-26-0177", "CL-1002", "Evergreen Health Plan", D(2026, 1, 1), D(2026, 7, 10), 8, "Visits",
     "90834, 90837", "", "Renewal requested 6/20"],
    ["RB-55120", "CL-1004", "Riverbend Medicaid", D(2026, 4, 1), D(2026, 9, 30), 40, "Units",
     "H2019, H0004", "", "Therapeutic behavioral services"],
    ["RB-55121", "CL-1005", "Riverbend Medicaid", D(2026, 2, 1), D(2026, 7, 8), 10, "Visits",
     "", "1543210987", "Any outpatient code"],
]

# client id -> (name, dob, member id, payer)
CLIENTS = {
    "CL-1001": ("Avery Sample", D(1988, 4, 12), "EVG889201", "Evergreen Health Plan"),
    "CL-1002": ("Jordan Example", D(1975, 11, 3), "EVG889377", "Evergreen Health Plan"),
    "CL-1003": ("Riley Placeholder", D(1992, 7, 21), "SBC-44120-01", "Summit BlueCare"),
    "CL-1004": ("Casey Fictional", D(2011, 2, 9), "RBM0099812", "Riverbend Medicaid"),
    "CL-1005": ("Morgan Madeup", D(1969, 9, 30), "RBM0077123", "Riverbend Medicaid"),
    "CL-1006": ("Taylor Testcase", D(1950, 1, 17), "1EG4TE5MK73", "Medicare Part B"),
    "CL-1007": ("Quinn Synthetic", D(1999, 5, 5), "HM-300712", "Harbor Mutual"),
}

#: The Coverage sheet: each client's plans.  CL-1002's Evergreen plan ended 2026-04-30, so the
#: 2026-05-04 draft line is outside the coverage (ELIG001); CL-1006 is dual eligible (Medicaid second).
COVERAGE_HEADERS = C.COVERAGE_HEADERS
COVERAGE = [
    ["CL-1001", "Evergreen Health Plan", "EVG889201", D(2025, 1, 1), None, "Primary", 25],
    ["CL-1002", "Evergreen Health Plan", "EVG889377", D(2024, 7, 1), D(2026, 4, 30), "Primary", 25],
    ["CL-1003", "Summit BlueCare", "SBC-44120-01", D(2026, 1, 1), D(2026, 12, 31), "Primary", 30],
    ["CL-1004", "Riverbend Medicaid", "RBM0099812", D(2025, 4, 1), None, "Primary", 0],
    ["CL-1005", "Riverbend Medicaid", "RBM0077123", D(2024, 10, 1), None, "Primary", 0],
    ["CL-1006", "Medicare Part B", "1EG4TE5MK73", D(2015, 2, 1), None, "Primary", None],
    ["CL-1006", "Riverbend Medicaid", "RBM0011458", D(2020, 6, 1), None, "Secondary", 0],
    ["CL-1007", "Harbor Mutual", "HM-300712", D(2026, 1, 1), None, "Primary", 40],
]

#: The Clients sheet: each client's current treatment plan.  CL-1006's plan of 2026-01-10 is past
#: Medicare Part B's 90-day review on the 2026-05-06 visit (DOC005).
CLIENT_HEADERS = C.CLIENT_HEADERS
CLIENT_PLANS = [
    ["CL-1001", D(2026, 3, 2)], ["CL-1002", D(2026, 2, 20)], ["CL-1003", D(2026, 3, 10)], ["CL-1004", D(2026, 4, 6)],
    ["CL-1005", D(2026, 2, 16)], ["CL-1006", D(2026, 1, 10)], ["CL-1007", D(2026, 4, 15)],
]

FEES = {"90791": 200, "90792": 240, "90832": 95, "90834": 130, "90837": 165, "90839": 210, "90840": 100,
        "90785": 25, "90846": 140, "90847": 150, "99214": 180, "90833": 90, "90836": 120, "90853": 60,
        "H2019": 20, "H0004": 28, "96130": 220, "96131": 180}


def _line(claim, client, dos, cpt, minutes=None, npi="1234567893", mods="", units=1, dx="F41.1", pos="11",
          auth="", status="Submitted", submitted=None, paid=None, denial="", denial_date=None, charge=None,
          payer=None, member=None, dob=None, icn=None, signed="next day", start=dt.time(9, 0), span=None):
    name, client_dob, member_id, client_payer = CLIENTS[client]
    day = dos if isinstance(dos, dt.date) else dt.datetime.strptime(dos, "%m/%d/%Y").date()
    if signed == "next day":  # the clinician signs the note the day after the session (drafts: not yet)
        signed = day + dt.timedelta(days=1) if status != "Draft" else None
    stop = None
    if isinstance(minutes, (int, float)) and start is not None:  # the note's times span the minutes
        end = dt.datetime.combine(day, start) + dt.timedelta(minutes=span if span is not None else minutes)
        stop = end.time()
    else:
        start = None
    if icn is None and status in ("Paid", "Partially Paid", "Denied", "Appealed") and isinstance(dos, dt.date):
        icn = f"2{dos:%y%j}{''.join(ch for ch in claim if ch.isdigit())}00"  # a made-up payer claim number (ICN)
    fee = charge if charge is not None else FEES.get(str(cpt), 100) * (units if str(cpt).startswith("H") else 1)
    if submitted is None and status in ("Submitted", "Paid", "Denied", "Appealed") and isinstance(dos, dt.date):
        submitted = dos + dt.timedelta(days=3)
    return [claim, client, name, dob if dob is not None else client_dob, member if member is not None else member_id,
            payer or client_payer, npi, GROUP_NPI, dos, minutes, cpt, mods, units, dx, pos, fee, auth, status,
            submitted, paid, denial, denial_date, icn or None, signed, start, stop, None, None]  # Appealed On, Appeal Level: blank


def claim_lines() -> list[list]:
    rows: list[list] = []
    add = rows.append
    # CL-1001: weekly 90834 under a 12-visit authorization; the 13th session goes over.
    weekly = [D(2026, 3, 2) + dt.timedelta(weeks=i) for i in range(13)]
    for i, dos in enumerate(weekly):
        status = "Paid" if i < 9 else ("Submitted" if i < 12 else "Ready")
        paid = 104.00 if status == "Paid" else None
        add(_line(f"C{1001 + i}", "CL-1001", dos, 90834, 50, auth="EV-26-0142", status=status, paid=paid,
                  dx="F41.1, F33.1", pos="11" if i % 3 else "10", mods="" if i % 3 else "95",
                  signed=None if i == 11 else "next day"))  # C1012's note is not signed yet (DOC001)
    # CL-1002: 90837 billed for 45 minutes (CPT002); telehealth without 95 (MOD004); category dx F43.1.
    add(_line("C1101", "CL-1002", D(2026, 4, 6), "90837", 45, auth="EV-26-0177", status="Ready", dx="F33.1"))
    add(_line("C1102", "CL-1002", D(2026, 4, 13), "90834", 48, auth="EV-26-0177", pos=10, status="Ready", dx="F43.1"))
    add(_line("C1103", "CL-1002", "04/20/2026", "90834", 45, auth="EV-26-0177", status="Ready", dx="f4310"))
    add(_line("C1104", "CL-1002", D(2026, 4, 27), "90834", 45, auth="EV-26-0177", status="Paid", paid=104.0, dx="F43.10"))
    add(_line("C1105", "CL-1002", D(2026, 5, 4), "90834", 12, auth="EV-26-0177", status="Draft", dx="F43.10"))
    # CL-1003: Summit BlueCare, diagnostic eval + interactive complexity (clean), then problems.
    add(_line("C1201", "CL-1003", D(2026, 3, 10), "90791", 60, npi="1456789019", dx="F90.2", paid=160.0, status="Paid"))
    add(_line("C1201", "CL-1003", D(2026, 3, 10), "90785", None, npi="1456789019", dx="F90.2", paid=20.0, status="Paid"))
    add(_line("C1202", "CL-1003", D(2026, 3, 17), "90832", 30, npi="1456789019", dx="F90.2", status="Paid", paid=76.0))
    add(_line("C1203", "CL-1003", D(2026, 3, 24), "90785", None, npi="1456789019", dx="F90.2", status="Ready"))  # add-on alone
    add(_line("C1204", "CL-1003", D(2026, 3, 31), "90839", 80, npi="1456789019", dx="F43.0", status="Paid", paid=168.0))
    add(_line("C1204", "CL-1003", D(2026, 3, 31), "90840", 80, npi="1456789019", dx="F43.0", status="Paid", paid=80.0))
    add(_line("C1205", "CL-1003", D(2026, 4, 7), "90839", 50, npi="1456789019", dx="F43.0", status="Ready"))
    add(_line("C1205", "CL-1003", D(2026, 4, 7), "90785", None, npi="1456789019", dx="F43.0", status="Ready"))  # 90785 with crisis
    add(_line("C1206", "CL-1003", D(2026, 4, 14), "90840", 40, npi="1456789019", dx="F43.0", status="Ready"))  # 90840 alone
    add(_line("C1207", "CL-1003", D(2026, 4, 21), "90834", 45, npi="1456789019", dx="F90.2", status="Denied",
              denial="CO-50", denial_date=D(2026, 5, 20)))
    add(_line("C1208", "CL-1003", D(2026, 4, 28), "90834", 45, npi="1456789019", dx="F90.2", status="Ready",
              mods="95, 93", pos="02"))  # conflicting modifiers
    # CL-1004: Medicaid per-unit authorization of H2019.
    for i, (dos, units) in enumerate([(D(2026, 4, 6), 8), (D(2026, 4, 13), 8), (D(2026, 4, 20), 8), (D(2026, 4, 27), 8), (D(2026, 5, 4), 6)]):
        add(_line(f"C13{i + 1:02d}", "CL-1004", dos, "H2019", 120 if units == 8 else 90, npi="1543210987", units=units,
                  dx="F91.3", auth="RB-55120", mods="HO", status="Paid" if i < 3 else "Submitted",
                  paid=units * 16.0 if i < 3 else None))
    add(_line("C1306", "CL-1004", D(2026, 5, 11), "H2019", 60, npi="1543210987", units=4, dx="F91.3", auth="RB-55120",
              mods="HO", status="Ready"))
    # CL-1005: Medicaid visits auth, eval counts; telehealth with the wrong modifier (95 not GT).
    add(_line("C1401", "CL-1005", D(2026, 2, 9), "90791", 55, npi="1543210987", dx="F32.1", auth="RB-55121", status="Paid", paid=150.0))
    add(_line("C1402", "CL-1005", D(2026, 2, 16), "90837", 55, npi="1543210987", dx="F32.1", auth="RB-55121", status="Paid", paid=120.0))
    add(_line("C1403", "CL-1005", D(2026, 2, 23), "90837", 56, npi="1543210987", dx="F32.1", auth="RB-55121", status="Paid", paid=120.0,
              pos="10", mods="GT"))
    add(_line("C1404", "CL-1005", D(2026, 3, 2), "90837", 55, npi="1543210987", dx="F32.1", auth="RB-55121", status="Denied",
              pos="10", mods="95", denial="CO-4", denial_date=D(2026, 3, 30)))
    add(_line("C1405", "CL-1005", D(2026, 3, 9), "90837", 58, npi="1543210987", dx="F32.1", auth="RB-55121", status="Denied",
              denial="CO-197", denial_date=D(2026, 4, 10)))
    add(_line("C1406", "CL-1005", D(2026, 4, 1), "90834", 40, npi="1543210987", dx="F32.1, Z63.0", auth="RB-55121", status="Ready",
              start=dt.time(10, 0), span=35))  # the note's times span 35 minutes, 40 billed (DOC003)
    add(_line("C1407", "CL-1005", D(2026, 4, 1), "90834", 40, npi="1543210987", dx="F32.1, Z63.0", auth="RB-55121", status="Ready"))  # duplicate
    # CL-1006: Medicare Part B with a prescriber: E/M + psychotherapy add-on (clean), then problems.
    add(_line("C1501", "CL-1006", D(2026, 3, 4), "99214", None, npi="1678901236", dx="F31.81", status="Paid", paid=120.0))
    add(_line("C1501", "CL-1006", D(2026, 3, 4), "90836", 40, npi="1678901236", dx="F31.81", status="Paid", paid=85.0))
    add(_line("C1502", "CL-1006", D(2026, 4, 1), "90833", 25, npi="1678901236", dx="F31.81", status="Ready"))  # no E/M
    add(_line("C1503", "CL-1006", D(2026, 4, 15), "90792", 60, npi="1456789019", dx="F31.81", status="Ready"))  # PsyD bills 90792
    add(_line("C1504", "CL-1006", D(2026, 5, 6), "99214", None, npi="1678901237", dx="F31.81", status="Ready"))  # NPI typo
    add(_line("C1505", "CL-1006", D(2026, 5, 20), "90834", 45, npi="1678901236", dx="F31.81", status="Denied",
              denial="CO-29", denial_date=D(2026, 6, 12)))
    add(_line("C1506", "CL-1006", D(2025, 7, 14), "90834", 45, npi="1678901236", dx="F31.81", status="Ready"))  # filing window closing
    # Dual eligible: Medicare has not answered the 2026-06-03 claim, yet the Medicaid (secondary) claim
    # for the same session has gone out (ELIG005: the secondary needs the primary's remittance).
    add(_line("C1507", "CL-1006", D(2026, 6, 3), "90834", 45, npi="1678901236", dx="F31.81", status="Submitted"))
    add(_line("C1508", "CL-1006", D(2026, 6, 3), "90834", 45, npi="1678901236", dx="F31.81", status="Submitted",
              payer="Riverbend Medicaid", member="RBM0011458"))
    # CL-1007: payer not on the Payers sheet; filing deadline passed; bad values.
    add(_line("C1601", "CL-1007", D(2026, 3, 12), "90834", 45, npi="1543210987", dx="F41.1", status="Draft"))
    add(_line("C1602", "CL-1007", D(2026, 6, 8), "90834", 45, npi="1543210987", dx="F41", status="Ready"))
    add(_line("C1603", "CL-1007", D(2026, 6, 15), "90834", 45, npi="1543210987", dx="F41.1", status="Ready", charge=0))
    add(_line("C1604", "CL-1007", D(2026, 7, 6), "90834", 45, npi="1543210987", dx="F41.1", status="Draft"))  # future DOS
    add(_line("C1605", "CL-1007", D(2026, 6, 22), "90834", 45, npi="1543210987", dx="F41.1", pos="11", status="Ready",
              mods="HO, 95, XE, 59"))
    add(_line("C1606", "CL-1007", D(2026, 6, 24), "90847", 50, npi="1543210987", dx="F41.1", status="Ready", pos=2, mods="95"))
    add(_line("C1607", "CL-1007", D(2026, 6, 24), "90834", 45, npi="1543210987", dx="F41.1", status="Ready", pos=2, mods="95"))
    add(_line("C1608", "CL-1007", D(2026, 6, 26), "90834", "45 min", npi="1543210987", dx="F41.1", status="Ready"))
    add(_line("C1609", "CL-1007", D(2026, 6, 29), "90834", 45, npi="1543210987", dx="F41.1", status="Ready",
              dob=D(2027, 1, 1)))
    # Denials that need a corrected claim or the patient's share.
    add(_line("C1701", "CL-1003", D(2026, 5, 12), "90834", 45, npi="1456789019", dx="F90.2", status="Denied",
              denial="CO-16, N290", denial_date=D(2026, 6, 20)))
    add(_line("C1702", "CL-1001", D(2026, 2, 23), "90834", 50, dx="F41.1", status="Denied", denial="PR-1",
              denial_date=D(2026, 3, 25), paid=0.0))
    # Denials to appeal for a payer not on the Payers sheet (default appeal days): an add-on
    # denied as bundled with its primary, and a session denied for no authorization.
    add(_line("C1703", "CL-1007", D(2026, 5, 26), "90834", 50, npi="1543210987", dx="F41.1", status="Paid", paid=104.0))
    add(_line("C1703", "CL-1007", D(2026, 5, 26), "90785", None, npi="1543210987", dx="F41.1", status="Denied",
              denial="CO-97", denial_date=D(2026, 6, 18)))
    add(_line("C1704", "CL-1007", D(2026, 6, 2), "90837", 55, npi="1543210987", dx="F41.1, Z63.0", status="Denied",
              denial="CO-197", denial_date=D(2026, 6, 22), icn=""))  # no payer claim number yet: DENY010
    return rows


# --- a remittance for the sample ------------------------------------------------------------------
#: An invented X12 835 (005010X221A1) answering five of the sample's Submitted claims, two payments:
#: Evergreen Health Plan pays C1010 (a copay to the patient), denies C1011 as not medically
#: necessary (CO-50) and leaves C1012 to the deductible (PR-1); Riverbend Medicaid pays C1304 and
#: denies C1305 for a missing rendering NPI (CO-16 with MA130/N290). Written beside the sample
#: workbook as examples/sample-remit.835 (claimcheck era, the README's tour). Every name, number
#: and amount is made up; the layout follows the 835 guide as tests/fixtures/era/build.py does.
REMIT_DATE = "20260610"

#: (Claim ID, CLP02 status, paid, patient responsibility, payer claim number, adjustments, allowed,
#: remark codes) per claim answered; the charge, dates, code, units and patient come from the claim's line.
_EVERGREEN = [
    ("C1010", "1", "88.00", "20.00", "EVG2616100101", ["CAS*PR*3*20.00", "CAS*CO*45*22.00"], "108.00", []),
    ("C1011", "4", "0", "", "EVG2616100102", ["CAS*CO*50*130.00"], None, []),
    ("C1012", "1", "0", "110.00", "EVG2616100103", ["CAS*PR*1*110.00", "CAS*CO*45*20.00"], "110.00", []),
]
_RIVERBEND = [
    ("C1304", "1", "144.00", "", "RBM26161000304", ["CAS*CO*45*16.00"], "144.00", []),
    ("C1305", "4", "0", "", "RBM26161000305", ["CAS*CO*16*120.00"], None, ["MA130", "N290"]),
]


def _payment(st: str, payer: str, payer_id: str, trace: str, claims: list) -> list[str]:
    paid = sum(float(c[2]) for c in claims)
    body = [f"BPR*I*{paid:.2f}*C*ACH*CCP*01*011000015*DA*1234567*1512345678**01*021000021*DA*7654321*{REMIT_DATE}",
            f"TRN*1*{trace}*1512345678", f"DTM*405*{REMIT_DATE}", f"N1*PR*{payer}", "N3*PO BOX 100",
            "N4*SPRINGFIELD*IL*62701", f"REF*2U*{payer_id}", "N1*PE*SAMPLE COUNSELING GROUP*XX*1987654328", "LX*1"]
    at = {name: i for i, name in enumerate(CLAIM_HEADERS)}
    lines = {row[at["Claim ID"]]: row for row in claim_lines()}
    for claim_id, status, pay, patient, icn, cas, allowed, remarks in claims:
        line = lines[claim_id]
        first, last = line[at["Client Name"]].upper().split()
        charge, dos = f"{line[at['Charge']]:.2f}", f"{line[at['DOS']]:%Y%m%d}"
        modifiers = [m.strip() for m in (line[at["Modifiers"]] or "").split(",") if m.strip()]
        procedure = ":".join(["HC", str(line[at["CPT"]]), *modifiers])
        body.append(f"CLP*{claim_id}*{status}*{charge}*{pay}*{patient}*12*{icn}*11*1")
        body.append(f"NM1*QC*1*{last}*{first}****MI*{line[at['Member ID']]}")
        if remarks:
            body.append("MOA***" + "*".join(remarks))
        body += [f"DTM*232*{dos}", f"DTM*233*{dos}", f"SVC*{procedure}*{charge}*{pay}**{line[at['Units']]}"]
        body.append(f"DTM*472*{dos}")
        body += cas
        if allowed:
            body.append(f"AMT*B6*{allowed}")
    segments = [f"ST*835*{st}", *body]
    return segments + [f"SE*{len(segments) + 1}*{st}"]


def sample_remittance() -> str:
    """The text of examples/sample-remit.835 (one interchange, one group, two payments)."""
    transactions = (_payment("0001", "EVERGREEN HEALTH PLAN", "EVG01", "EFT2616100001", _EVERGREEN)
                    + _payment("0002", "RIVERBEND MEDICAID", "RBM07", "EFT2616100002", _RIVERBEND))
    isa = ("ISA*00*          *00*          *ZZ*" + "EVERGREENHP".ljust(15) + "*ZZ*" + "SAMPLECOUNSEL".ljust(15)
           + "*260610*0900*^*00501*000000610*0*P*:")
    segments = [isa, "GS*HP*EVERGREENHP*SAMPLECOUNSEL*20260610*0900*610*X*005010X221A1", *transactions,
                "GE*2*610", "IEA*1*000000610"]
    return "".join(segment + "~\n" for segment in segments)
