"""Authorizations (issue 3): usage computed from the Claims sheet, the AUTH rules, the summary
on the Authorizations sheet and in the text report, and the functions AUTH_USED/AUTH_REMAINING
call.  Every workbook here is invented; NPIs carry valid check digits but are made up."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table, TableStyleInfo

from claimcheck import auth as A
from claimcheck import report
from claimcheck.api import check_raw, load_book
from claimcheck.book import build_book
from claimcheck.reader import rows_to_table
from helpers import claimcheck_exe

D = dt.date
AS_OF = D(2026, 6, 30)
NPI_A = "1234567893"
NPI_B = "1456789019"
GROUP = "1987654328"

CLAIM_HEADERS = ["Claim ID", "Client ID", "Client Name", "Client DOB", "Member ID", "Payer", "Rendering NPI",
                 "Billing NPI", "DOS", "Minutes", "CPT", "Modifiers", "Units", "Dx Codes", "POS", "Charge",
                 "Auth Number", "Status"]
PAYER_HEADERS = ["Payer", "Payer ID", "Timely Filing Days", "Appeal Days", "Telehealth Modifier",
                 "Auth Required", "Eval Counts Toward Auth", "Auth Visits Per"]
AUTH_HEADERS = ["Auth Number", "Client ID", "Payer", "Start Date", "End Date", "Authorized", "Unit Type",
                "Codes Covered", "Rendering NPI", "Notes"]
PAYERS = [
    ["Acme Health", "ACM1", 365, 180, "95", "Y", "N"],   # auth required, evaluations exempt
    ["Gov Medicaid", "GOV1", 365, 60, "GT", "Y", "Y"],   # auth required, evaluations count
    ["Plain Plan", "PLN1", 365, 120, "", "N", "N"],      # no authorization required
]
CLIENT_NAME = "Pat Example"
CLIENT_DOB = D(1990, 1, 2)

AUTH_CODES = {f"AUTH{n:03d}" for n in range(1, 14)}  # AUTH013: yearly visit limit (rules/visits.py)


def line(claim="C1", client="CL-1", dos=D(2026, 6, 1), cpt="90834", auth="A-1", payer="Acme Health",
         npi=NPI_A, units=None, minutes=45, status="Ready", mods=None, dx="F41.1", charge=None):
    minutes = None if cpt in ("90785", "H2019") and minutes == 45 else minutes
    return {"Claim ID": claim, "Client ID": client, "Client Name": CLIENT_NAME, "Client DOB": CLIENT_DOB,
            "Member ID": "M-" + client, "Payer": payer, "Rendering NPI": npi, "Billing NPI": GROUP, "DOS": dos,
            "Minutes": minutes, "CPT": cpt, "Modifiers": mods, "Units": units, "Dx Codes": dx, "POS": "11",
            "Charge": charge if charge is not None else 130.0, "Auth Number": auth, "Status": status}


def auth(number="A-1", client="CL-1", payer="Acme Health", start=D(2026, 1, 1), end=D(2026, 12, 31),
         authorized=12, unit="Visits", codes="", npi="", notes=""):
    return [number, client, payer, start, end, authorized, unit, codes, npi, notes]


def weekly(n, start=D(2026, 1, 5), **kw):
    return [line(claim=f"C{i + 1:03d}", dos=start + dt.timedelta(weeks=i), **kw) for i in range(n)]


def raw(lines, auths=None, payers=PAYERS):
    out = {"Claims": rows_to_table("Claims", "Claims", [tuple(CLAIM_HEADERS)] + [tuple(l.get(h) for h in CLAIM_HEADERS) for l in lines])}
    if payers is not None:
        out["Payers"] = rows_to_table("Payers", "Payers", [tuple(PAYER_HEADERS)] + [tuple(p) for p in payers])
    if auths is not None:
        out["Authorizations"] = rows_to_table("Authorizations", "Authorizations", [tuple(AUTH_HEADERS)] + [tuple(a) for a in auths])
    return out


def check(lines, auths=None, as_of=AS_OF, payers=PAYERS):
    return check_raw(raw(lines, auths, payers), as_of)


def found(result, code):
    """(row, message) of every finding with ``code``, in row order."""
    return [(f.row, f.message) for f in result.findings if f.code == code]


def auth_codes(result):
    return sorted((f.code, f.row) for f in result.findings if f.code in AUTH_CODES)


def usage(result, number):
    return next(u for u in A.auth_usage(result.book, result.as_of) if u.auth_number == number)


# --------------------------------------------------------------------------- rules are registered


def test_every_auth_code_is_registered_with_why_and_fix():
    from claimcheck.rules.registry import all_rules

    rules = {r.code: r for r in all_rules() if r.family == "AUTH"}
    assert set(rules) == AUTH_CODES
    assert rules["AUTH007"].severity == "error" and rules["AUTH008"].severity == "warning"
    assert rules["AUTH009"].severity == "info" and rules["AUTH010"].severity == "info"
    for r in rules.values():
        assert r.why and r.fix and r.title and not r.row_level


# --------------------------------------------------------------------------- a clean schedule


def test_clean_schedule_raises_nothing():
    lines = weekly(8) + [line(claim="E1", dos=D(2026, 1, 2), cpt="90791", minutes=60, auth=None)]
    res = check(lines, [auth(authorized=12, codes="90832, 90834, 90837", npi=NPI_A, end=D(2026, 12, 31))])
    assert auth_codes(res) == []
    assert not any(f.severity == "error" for f in res.findings), res.findings
    u = usage(res, "A-1")
    assert (u.used, u.remaining, u.status, u.percent_used) == (8, 4, "Active", pytest.approx(66.6667, abs=1e-3))
    assert len(u.line_indexes) == 8


# --------------------------------------------------------------------------- over the count


def test_every_session_past_the_count_is_an_error_and_nearly_used_up_warns_once_on_the_latest_line():
    res = check(weekly(12), [auth(authorized=12)])
    assert found(res, "AUTH008") == [
        (13, "session 12 of 12 authorized on A-1: no visits left after it; request more now"),
    ]
    res = check(weekly(14), [auth(authorized=12)])
    assert found(res, "AUTH007") == [
        (14, "session 13 of 12 authorized on A-1; request more visits before billing it"),
        (15, "session 14 of 12 authorized on A-1; request more visits before billing it"),
    ]
    assert found(res, "AUTH008") == []  # already over: AUTH007 says so
    assert {f.severity for f in res.findings if f.code == "AUTH007"} == {"error"}
    u = usage(res, "A-1")
    assert (u.used, u.remaining, u.status) == (14, -2, "Exhausted")


def test_lines_out_of_date_order_are_numbered_by_date():
    lines = weekly(5)
    shuffled = [lines[3], lines[0], lines[4], lines[2], lines[1]]  # sheet rows 2..6
    res = check(shuffled, [auth(authorized=3)])
    # By date: C001 (row 3), C002 (row 6), C003 (row 5), C004 (row 2), C005 (row 4).
    assert found(res, "AUTH007") == [
        (2, "session 4 of 3 authorized on A-1; request more visits before billing it"),
        (4, "session 5 of 3 authorized on A-1; request more visits before billing it"),
    ]
    assert found(res, "AUTH008") == []  # the authorization is over its count: AUTH007's
    assert [res.book.claims.at[i, "claim_id"] for i in usage(res, "A-1").line_indexes] == ["C001", "C002", "C003", "C004", "C005"]


def test_units_authorization_counts_units():
    spec = [(D(2026, 4, 6), 8), (D(2026, 4, 13), 8), (D(2026, 4, 20), 8), (D(2026, 4, 27), 8), (D(2026, 5, 4), 6),
            (D(2026, 5, 11), 4), (D(2026, 5, 18), 4)]
    lines = [line(claim=f"U{i}", cpt="H2019", units=u, dos=d, mods="HO", auth="U-1", payer="Gov Medicaid", minutes=None)
             for i, (d, u) in enumerate(spec)]
    res = check(lines, [auth("U-1", payer="Gov Medicaid", start=D(2026, 4, 1), end=D(2026, 9, 30), authorized=40,
                             unit="Units", codes="H2019, H0004")])
    assert found(res, "AUTH007") == [
        (7, "units 39-42 of 40 authorized on U-1: 2 units over"),
        (8, "units 43-46 of 40 authorized on U-1: 4 units over"),
    ]
    # 40 - 32 = 8 left after row 5 (20%): no warning; 2 left after row 6 (5%): warning.
    assert found(res, "AUTH008") == []  # nearly used up is said once on the latest line; that line is over
    assert A.auth_used(res.book, "U-1", AS_OF) == 46
    assert A.auth_remaining(res.book, "U-1", AS_OF) == -6
    assert A.auth_used(res.book, "u-1", D(2026, 4, 30)) == 32  # as of a date; number matched ignoring case


def test_units_blank_counts_one_unit():
    lines = [line(claim=f"U{i}", cpt="H2019", units=None, dos=D(2026, 5, 1 + i), mods="HO", auth="U-1", minutes=None)
             for i in range(3)]
    res = check(lines, [auth("U-1", authorized=2, unit="Units")])
    assert found(res, "AUTH007") == [(4, "unit 3 of 2 authorized on U-1: 1 unit over")]


# --------------------------------------------------------------------------- what a line uses


def test_evaluation_is_exempt_when_the_payer_says_it_does_not_count():
    lines = [line(claim="E1", dos=D(2026, 3, 2), cpt="90791", minutes=60, auth="A-1"),
             line(claim="E2", dos=D(2026, 3, 3), cpt="90792", minutes=60, auth=None),  # no number needed
             *weekly(2, start=D(2026, 3, 9))]
    res = check(lines, [auth(authorized=5, codes="90834")])  # 90791 not in Codes Covered: still fine
    assert auth_codes(res) == []
    assert A.auth_used(res.book, "A-1", AS_OF) == 2


def test_evaluation_counts_when_the_payer_says_so():
    lines = [line(claim="E1", dos=D(2026, 3, 2), cpt="90791", minutes=60, payer="Gov Medicaid"),
             *weekly(2, start=D(2026, 3, 9), payer="Gov Medicaid")]
    res = check(lines, [auth(payer="Gov Medicaid", authorized=2)])
    assert found(res, "AUTH007") == [(4, "session 3 of 2 authorized on A-1; request more visits before billing it")]
    assert A.auth_used(res.book, "A-1", AS_OF) == 3
    # An evaluation with no number for that payer is missing its authorization.
    res = check([line(cpt="90791", minutes=60, payer="Gov Medicaid", auth=None, client="CL-9")], [auth(payer="Gov Medicaid")])
    assert [r for r, _ in found(res, "AUTH001")] == [2]


def test_addon_lines_on_the_same_date_use_no_more_visits():
    lines = [
        line(claim="C1", dos=D(2026, 3, 2), cpt="90834"),
        line(claim="C1", dos=D(2026, 3, 2), cpt="90785", auth=None),  # takes the claim's number
        line(claim="C2", dos=D(2026, 3, 9), cpt="90834"),
        line(claim="C3", dos=D(2026, 3, 16), cpt="90834"),
        line(claim="C3", dos=D(2026, 3, 16), cpt="90785"),
    ]
    res = check(lines, [auth(authorized=3)])
    assert [f for f in res.findings if f.code in ("AUTH001", "AUTH007")] == []
    assert A.auth_used(res.book, "A-1", AS_OF) == 3
    assert len(usage(res, "A-1").line_indexes) == 5
    # The fourth date is over, and its add-on line is flagged with it (same session).
    res = check(lines + [line(claim="C4", dos=D(2026, 3, 23)), line(claim="C4", dos=D(2026, 3, 23), cpt="90785", auth=None)],
                [auth(authorized=3)])
    assert found(res, "AUTH007") == [
        (7, "session 4 of 3 authorized on A-1; request more visits before billing it"),
        (8, "session 4 of 3 authorized on A-1; request more visits before billing it"),
    ]


def test_two_services_on_one_date_use_two_visits_and_void_lines_use_none():
    """Counted per service line by default (issue 17: 90837 by one clinician and 90853 by another
    on one date are two visits); a payer whose Auth Visits Per is Date counts the date once."""
    lines = [line(claim="C1", dos=D(2026, 3, 2), cpt="90837", minutes=55),
             line(claim="C1b", dos=D(2026, 3, 2), cpt="90853", minutes=None, npi=NPI_B),
             line(claim="C2", dos=D(2026, 3, 9), status="Void"), line(claim="C3", dos=D(2026, 3, 16), status="Denied")]
    book = build_book(raw(lines, [auth(authorized=2)]))  # usage only: no other feature's rules
    assert A.auth_used(book, "A-1", AS_OF) == 3  # 3/2 twice, 3/16 (denied still used it); void not
    assert [book.claims.at[i, "claim_id"] for i in A.auth_usage(book, AS_OF)[0].line_indexes] == ["C1", "C1b", "C3"]
    res = check(lines, [auth(authorized=2)])
    assert found(res, "AUTH007") == [(5, "session 3 of 2 authorized on A-1; request more visits before billing it")]

    per_date = [[*PAYERS[0], "Date"], *PAYERS[1:]]
    book = build_book(raw(lines, [auth(authorized=2)], payers=per_date))
    assert book.payer("Acme Health").auth_visits_per == "Date"
    assert A.auth_used(book, "A-1", AS_OF) == 2  # 3/2 once, 3/16
    assert found(check(lines, [auth(authorized=2)], payers=per_date), "AUTH007") == []


def test_an_addon_shares_the_visit_of_the_service_before_it():
    lines = [line(claim="C1", dos=D(2026, 3, 2), cpt="90785", auth=None),  # add-on listed first: the date's first visit
             line(claim="C1", dos=D(2026, 3, 2), cpt="90834"),
             line(claim="C2", dos=D(2026, 3, 2), cpt="90846", minutes=50),
             line(claim="C2", dos=D(2026, 3, 2), cpt="90785", auth=None)]  # after 90846: the second visit
    res = check(lines, [auth(authorized=1)])
    assert A.auth_used(res.book, "A-1", AS_OF) == 2
    assert found(res, "AUTH007") == [(4, "session 2 of 1 authorized on A-1; request more visits before billing it"),
                                     (5, "session 2 of 1 authorized on A-1; request more visits before billing it")]


def test_status_spellings_that_use_nothing():
    """However a not-service status is typed (case, spaces, hyphen), the line uses nothing and is
    not checked; any other status, blank included, counts."""
    skipped = ["VOID", " voided ", "Cancelled", "canceled", "DELETED", "No Show", " no-show", "NoShow",
               "late cancel", "Late Cancellation"]
    counted = ["Ready", " denied ", "PAID", None, "Appealed", "Voids", "No Shows"]
    lines = [line(claim=f"S{i}", dos=D(2026, 2, 2) + dt.timedelta(days=i), status=s, auth="A-9" if s in skipped else "A-1")
             for i, s in enumerate(skipped + counted)]
    res = check(lines, [auth(authorized=20)])
    assert A.auth_used(res.book, "A-1", AS_OF) == len(counted)
    assert found(res, "AUTH002") == []  # the unknown A-9 is only on lines that are not services
    assert [res.book.claims.at[i, "claim_id"] for i in usage(res, "A-1").line_indexes] == \
        [f"S{i}" for i in range(len(skipped), len(skipped) + len(counted))]


def test_lines_after_as_of_are_not_used_yet():
    lines = weekly(4, start=D(2026, 6, 15))  # 6/15, 6/22, 6/29, 7/6
    res = check(lines, [auth(authorized=4)])
    u = usage(res, "A-1")
    assert (u.used, u.remaining, len(u.line_indexes)) == (3, 1, 4)
    assert A.auth_remaining(res.book, "A-1", D(2026, 6, 20)) == 3


# --------------------------------------------------------------------------- line vs authorization


def test_unknown_number_other_client_other_payer():
    lines = [line(claim="C1", auth="A-9"),
             line(claim="C2", client="CL-2"),
             line(claim="C3", payer="Plain Plan")]
    res = check(lines, [auth()])
    assert found(res, "AUTH002") == [(2, "auth A-9 is not on the Authorizations sheet; add the authorization or correct the number")]
    assert found(res, "AUTH003") == [
        (3, "A-1 is for client CL-1, not CL-2; correct the auth number or the Client ID"),
        (4, "A-1 was issued by Acme Health, but this line bills Plain Plan; correct the auth number or the payer"),
    ]
    assert A.auth_used(res.book, "A-1", AS_OF) == 0  # lines the auth does not cover use nothing


def test_dates_outside_are_flagged_and_the_ends_are_inclusive():
    a = auth(start=D(2026, 3, 1), end=D(2026, 5, 31))
    lines = [line(claim="C1", dos=D(2026, 2, 28)), line(claim="C2", dos=D(2026, 3, 1)),
             line(claim="C3", dos=D(2026, 5, 31)), line(claim="C4", dos=D(2026, 6, 1))]
    res = check(lines, [a])
    assert found(res, "AUTH004") == [
        (2, "DOS 2026-02-28 is outside A-1 (2026-03-01 to 2026-05-31); the payer denies sessions outside the authorized dates"),
        (5, "DOS 2026-06-01 is outside A-1 (2026-03-01 to 2026-05-31); the payer denies sessions outside the authorized dates"),
    ]
    assert next(f for f in res.findings if f.code == "AUTH004").column == "DOS"
    assert A.auth_used(res.book, "A-1", AS_OF) == 2


def test_code_not_covered_and_ranges():
    lines = [line(claim="C1", cpt="90837", minutes=55), line(claim="C2", cpt="90847", minutes=50)]
    res = check(lines, [auth(codes="90832-90837, 90853")])
    assert found(res, "AUTH005") == [
        (3, "90847 is not covered by A-1 (covers 90832-90837, 90853); bill a covered code or ask the payer to add 90847"),
    ]
    assert A.covered_codes(res.book.authorizations[0]) == frozenset({"90832", "90833", "90834", "90835", "90836", "90837", "90853"})


def test_rendering_provider_not_the_authorizations():
    lines = [line(claim="C1", npi=NPI_A), line(claim="C2", npi=NPI_B)]
    res = check(lines, [auth(npi=NPI_A)])
    assert found(res, "AUTH006") == [(3, f"A-1 is for rendering NPI {NPI_A}; this line's provider is {NPI_B}")]
    res = check(lines, [auth(npi="")])  # blank means any provider
    assert found(res, "AUTH006") == []


def test_missing_number_where_required_and_not_where_not():
    lines = [line(claim="C1", auth=None, client="CL-7"),                # Acme requires one: none covers
             line(claim="C2", auth=None, client="CL-7", payer="Plain Plan")]  # not required
    res = check(lines, [auth()])
    assert found(res, "AUTH001") == [
        (2, "Acme Health requires prior authorization; this line has no Auth Number and no authorization on the sheet "
            "covers client CL-7 on 2026-06-01 for 90834"),
    ]


def test_a_line_without_a_payer_is_matched_to_the_one_authorization_without_a_payer():
    """An authorization naming no payer was looked up twice for a line naming none (once for the
    line's payer, once for 'no payer') and reported as two authorizations covering the line."""
    payers = PAYERS + [["*", "", 365, 180, "", "Y", "N"]]  # payers not on the sheet require authorization
    res = check([line(auth=None, payer=None)], [auth(payer="")], payers=payers)
    assert found(res, "AUTH011") == []
    assert found(res, "AUTH010") == [(2, "no Auth Number; A-1 is the one authorization covering this line, counted "
                                         "against it; enter A-1 in Auth Number")]
    assert A.auth_used(res.book, "A-1", AS_OF) == 1


# --------------------------------------------------------------------------- several authorizations


def test_consecutive_and_overlapping_authorizations():
    first = auth("A-1", start=D(2026, 3, 1), end=D(2026, 5, 31), authorized=4)
    second = auth("A-2", start=D(2026, 5, 1), end=D(2026, 8, 31), authorized=4)
    lines = [
        *[line(claim=f"X{i}", dos=D(2026, 3, 2) + dt.timedelta(weeks=i), auth="A-1") for i in range(4)],  # rows 2-5
        line(claim="N1", dos=D(2026, 5, 15), auth=None),  # row 6: both cover it
        line(claim="N2", dos=D(2026, 6, 15), auth=None),  # row 7: only A-2
        line(claim="N3", dos=D(2026, 2, 15), auth=None),  # row 8: neither
        line(claim="Y1", dos=D(2026, 5, 20), auth="A-2"),  # row 9
    ]
    res = check(lines, [first, second])
    assert found(res, "AUTH011") == [(6, "no Auth Number and 2 authorizations cover this line (A-1, A-2); enter the one the payer should apply")]
    assert found(res, "AUTH010") == [(7, "no Auth Number; A-2 is the one authorization covering this line, counted against it; enter A-2 in Auth Number")]
    assert [r for r, _ in found(res, "AUTH001")] == [8]
    assert found(res, "AUTH007") == []
    assert A.auth_used(res.book, "A-1", AS_OF) == 4
    assert A.auth_used(res.book, "A-2", AS_OF) == 2
    assert {f.severity for f in res.findings if f.code in ("AUTH010", "AUTH011")} == {"info", "error"}


def test_matching_respects_code_and_provider():
    a1 = auth("T-1", codes="90834", npi=NPI_A)
    a2 = auth("T-2", codes="H2019", unit="Units", authorized=40)
    lines = [line(claim="N1", auth=None), line(claim="N2", auth=None, cpt="H2019", units=4, mods="HO", minutes=None),
             line(claim="N3", auth=None, npi=NPI_B)]
    res = check(lines, [a1, a2])
    assert [(r, m.split(";")[1].strip()) for r, m in found(res, "AUTH010")] == [
        (2, "T-1 is the one authorization covering this line, counted against it"),
        (3, "T-2 is the one authorization covering this line, counted against it"),
    ]
    assert [r for r, _ in found(res, "AUTH001")] == [4]
    assert A.auth_used(res.book, "T-2", AS_OF) == 4


def test_renewal_with_the_same_number_uses_the_record_covering_the_date():
    old = auth("R-1", start=D(2026, 1, 1), end=D(2026, 3, 31), authorized=2)
    new = auth("R-1", start=D(2026, 4, 1), end=D(2026, 6, 30), authorized=2)
    lines = [line(claim=f"R{i}", dos=d, auth="R-1") for i, d in enumerate([D(2026, 2, 2), D(2026, 2, 9), D(2026, 4, 6)])]
    res = check(lines, [old, new])
    assert auth_codes(res) == [("AUTH008", 3), ("AUTH008", 4), ("AUTH009", 4)]  # once per record, its latest line
    assert [(u.used, u.status) for u in A.auth_usage(res.book, AS_OF)] == [(2, "Expired"), (1, "Expiring")]
    assert A.auth_used(res.book, "R-1", AS_OF) == 3 and A.auth_remaining(res.book, "R-1", AS_OF) == 1


# --------------------------------------------------------------------------- expiring, statuses


def test_expiring_within_14_days_with_visits_left_is_noted_on_the_latest_line():
    lines = weekly(3, start=D(2026, 6, 1))  # rows 2-4, last on 6/15
    res = check(lines, [auth(end=D(2026, 7, 10), authorized=8)])
    assert found(res, "AUTH009") == [(4, "A-1 ends 2026-07-10 (in 10 days) with 5 of 8 visits left; schedule them or request an extension")]
    assert usage(res, "A-1").status == "Expiring"
    assert found(check(lines, [auth(end=D(2026, 7, 15), authorized=8)]), "AUTH009") == []  # 15 days away
    assert found(check(lines, [auth(end=D(2026, 7, 10), authorized=3)]), "AUTH009") == []  # nothing left
    assert found(check(lines, [auth(end=D(2026, 6, 30), authorized=8)]), "AUTH009")[0][1].startswith("A-1 ends 2026-06-30 (today)")


def test_statuses():
    auths = [auth("S-ACT", end=D(2026, 12, 31)), auth("S-EXP", end=D(2026, 6, 29)),
             auth("S-SOON", end=D(2026, 7, 14)), auth("S-FULL", authorized=1)]
    lines = [line(claim="F1", auth="S-FULL", dos=D(2026, 6, 1))]
    res = check(lines, auths)
    assert {u.auth_number: u.status for u in A.auth_usage(res.book, AS_OF)} == {
        "S-ACT": "Active", "S-EXP": "Expired", "S-SOON": "Expiring", "S-FULL": "Exhausted"}


def test_unknown_number_raises_key_error_and_unreadable_authorized_is_nan():
    res = check([line()], [auth(authorized="twelve")])
    with pytest.raises(KeyError):
        A.auth_used(res.book, "NOPE")
    with pytest.raises(KeyError):
        A.auth_remaining(res.book, "", AS_OF)
    assert A.auth_used(res.book, "A-1", AS_OF) == 1
    assert math.isnan(A.auth_remaining(res.book, "A-1", AS_OF))
    assert found(res, "AUTH007") == []
    assert any(f.sheet == "Authorizations" and f.column == "Authorized" for f in res.findings)


# --------------------------------------------------------------------------- no Authorizations sheet


def test_no_authorizations_sheet_is_reported_once():
    lines = weekly(5) + [line(claim="Z1", auth=None, dos=D(2026, 6, 1))]
    res = check(lines, auths=None)
    assert found(res, "AUTH012") == [(2, "no usable Authorizations sheet, so the auth numbers on 5 lines cannot be checked "
                                         "(dates, codes, provider, visits left); add the sheet with Auth Number, Start Date, "
                                         "End Date and Authorized")]
    assert found(res, "AUTH002") == []
    assert found(res, "AUTH001") == [(7, "Acme Health requires prior authorization and this line has no Auth Number; enter it")]
    assert A.auth_usage(res.book, AS_OF) == []
    assert report.auth_summary_lines(res) == []


def test_no_auth_number_column_reports_once_through_req004():
    headers = [h for h in CLAIM_HEADERS if h != "Auth Number"]
    table = rows_to_table("Claims", "Claims", [tuple(headers)] + [tuple(l.get(h) for h in headers) for l in weekly(2)])
    res = check_raw({"Claims": table}, AS_OF)
    req = [f for f in res.findings if f.code == "REQ004" and f.column == "Auth Number"]
    assert len(req) == 1 and "AUTH001" in req[0].message
    assert [f for f in res.findings if f.code in AUTH_CODES] == []


def test_messages_never_carry_the_clients_name_or_birth_date():
    res = check(weekly(14) + [line(claim="Q", auth="BAD")], [auth(authorized=12, npi=NPI_B, codes="90837", end=D(2026, 3, 1))])
    msgs = [f.message for f in res.findings if f.code in AUTH_CODES]
    assert len(msgs) > 14
    for m in msgs:
        assert CLIENT_NAME not in m and "1990" not in m and "01/02" not in m


# --------------------------------------------------------------------------- text summary


def test_summary_lines_table_and_hide_expired():
    auths = [auth("A-1", authorized=12, start=D(2026, 3, 1), end=D(2026, 8, 31)),
             auth("OLD-1", start=D(2025, 1, 1), end=D(2025, 12, 31), authorized=10),
             auth("U-1", unit="Units", authorized=40, start=D(2026, 4, 1), end=D(2026, 9, 30))]
    lines = weekly(8, start=D(2026, 3, 2)) + [line(claim="U1", cpt="H2019", units=10, auth="U-1", mods="HO", minutes=None,
                                                   dos=D(2026, 4, 6))]
    res = check(lines, auths)
    text = report.auth_summary_lines(res)
    assert text == [
        "Authorizations as of 2026-06-30:",
        "  Auth   Client  Payer        Dates                   Authorized  Used  Left  Status   Use",
        "  A-1    CL-1    Acme Health  2026-03-01..2026-08-31  12 visits      8     4  Active   ▓▓▓▓▓▓▓░░░ 67%",
        "  OLD-1  CL-1    Acme Health  2025-01-01..2025-12-31  10 visits      0    10  Expired  ░░░░░░░░░░ 0%",
        "  U-1    CL-1    Acme Health  2026-04-01..2026-09-30  40 units      10    30  Active   ▓▓▓░░░░░░░ 25%",
        "",
    ]
    text = report.auth_summary_lines(res, hide_expired=True)
    assert not any("OLD-1" in t for t in text)
    assert "  (1 expired authorization hidden)" in text
    assert report.text_bar(108.3) == "▓▓▓▓▓▓▓▓▓▓ 108%"


# --------------------------------------------------------------------------- the workbook: check --output


def _workbook(path: Path, claim_lines, auths, *, auth_table=True, extra_auth_headers=(), extra_values=None,
              title_row=False):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(CLAIM_HEADERS)
    for l in claim_lines:
        ws.append([l.get(h) for h in CLAIM_HEADERS])
    p = wb.create_sheet("Payers")
    p.append(PAYER_HEADERS)
    for r in PAYERS:
        p.append(r)
    a = wb.create_sheet("Authorizations")
    first = 1
    if title_row:
        a.append(["Authorizations on file (spring 2026)"])
        first = 2
    headers = AUTH_HEADERS + list(extra_auth_headers)
    a.append(headers)
    for i, r in enumerate(auths):
        a.append(r + list((extra_values or {}).get(i, [None] * len(extra_auth_headers))))
    if auth_table:
        last = openpyxl.utils.get_column_letter(len(headers))
        t = Table(displayName="AuthTable", ref=f"A{first}:{last}{first + len(auths)}")
        t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        a.add_table(t)
    wb.save(path)
    return path


def _run(*args, check_exit=None):
    proc = subprocess.run([claimcheck_exe(), *map(str, args)], capture_output=True, text=True, timeout=120)
    if check_exit is not None:
        assert proc.returncode == check_exit, (proc.returncode, proc.stdout[-2000:], proc.stderr)
    assert "Traceback" not in proc.stderr
    return proc


SUMMARY_AUTHS = [
    auth("A-1", authorized=12, start=D(2026, 3, 1), end=D(2026, 8, 31)),
    auth("OLD-1", start=D(2025, 1, 1), end=D(2025, 12, 31), authorized=10),
    auth("U-1", unit="Units", authorized=40, start=D(2026, 4, 1), end=D(2026, 9, 30)),
]


def _summary_lines_for_workbook():
    return weekly(13, start=D(2026, 3, 2)) + [line(claim="U1", cpt="H2019", units=10, auth="U-1", mods="HO", minutes=None,
                                                   dos=D(2026, 4, 6))]


def test_check_output_adds_used_remaining_status_after_biller_columns_and_widens_the_table(tmp_path):
    src = _workbook(tmp_path / "in.xlsx", _summary_lines_for_workbook(), SUMMARY_AUTHS,
                    extra_auth_headers=["Case Manager"], extra_values={0: ["Kim"], 2: ["Lou"]})
    out = tmp_path / "out.xlsx"
    proc = _run("check", src, "--as-of", "2026-06-30", "--output", out, check_exit=1)
    assert "session 13 of 12 authorized on A-1" in proc.stdout
    assert "Authorizations as of 2026-06-30:" in proc.stdout
    wb = openpyxl.load_workbook(out)
    ws = wb["Authorizations"]
    assert [c.value for c in ws[1]] == AUTH_HEADERS + ["Case Manager", "Used", "Remaining", "% Used", "Status"]
    assert [[c.value for c in r][10:] for r in ws.iter_rows(min_row=2, max_row=4)] == [
        ["Kim", 13, -1, 1.0833, "Exhausted"],
        [None, 0, 10, 0, "Expired"],
        ["Lou", 10, 30, 0.25, "Active"],
    ]
    table = ws.tables["AuthTable"]
    assert table.ref == "A1:O4"
    assert [c.name for c in table.tableColumns] == AUTH_HEADERS + ["Case Manager", "Used", "Remaining", "% Used", "Status"]
    assert ws["N2"].number_format == "0%"
    bars = [(str(cf.sqref), r.dataBar) for cf in ws.conditional_formatting for r in cf.rules if r.dataBar is not None]
    assert [s for s, _ in bars] == ["N2:N4"]
    assert ws.row_dimensions[3].hidden is False
    # The Check column and Findings sheet are still written; the input is untouched.
    assert "Findings" in wb.sheetnames and wb["Claims"].cell(row=1, column=len(CLAIM_HEADERS) + 1).value == "Check"
    assert [c.value for c in openpyxl.load_workbook(src)["Authorizations"][1]] == AUTH_HEADERS + ["Case Manager"]

    # Checking the output again reuses the columns: nothing is added twice.
    again = tmp_path / "again.xlsx"
    _run("check", out, "--as-of", "2026-07-01", "--output", again, check_exit=1)
    ws2 = openpyxl.load_workbook(again)["Authorizations"]
    assert [c.value for c in ws2[1]] == AUTH_HEADERS + ["Case Manager", "Used", "Remaining", "% Used", "Status"]
    assert ws2.max_column == 15
    assert [c.value for c in ws2[2]][10:] == ["Kim", 13, -1, 1.0833, "Exhausted"]
    assert ws2.tables["AuthTable"].ref == "A1:O4"
    assert len([1 for cf in ws2.conditional_formatting for r in cf.rules if r.dataBar is not None]) == 1


def test_existing_summary_headers_are_reused_and_other_columns_survive(tmp_path):
    # The biller already has a Status column (in the middle) and a Notes-like column after it.
    auths = [a[:] for a in SUMMARY_AUTHS]
    src = _workbook(tmp_path / "in.xlsx", _summary_lines_for_workbook(), auths, auth_table=False, title_row=True,
                    extra_auth_headers=["status", "Reviewer"], extra_values={0: ["old", "Ann"], 1: [None, "Bo"]})
    out = tmp_path / "out.xlsx"
    _run("check", src, "--as-of", "2026-06-30", "--output", out, "--hide-expired", check_exit=1)
    ws = openpyxl.load_workbook(out)["Authorizations"]
    assert ws["A1"].value == "Authorizations on file (spring 2026)"
    assert [c.value for c in ws[2]] == AUTH_HEADERS + ["status", "Reviewer", "Used", "Remaining", "% Used"]
    assert [[c.value for c in r][10:] for r in ws.iter_rows(min_row=3, max_row=5)] == [
        ["Exhausted", "Ann", 13, -1, 1.0833],
        ["Expired", "Bo", 0, 10, 0],
        ["Active", None, 10, 30, 0.25],
    ]
    assert ws.row_dimensions[4].hidden is True  # OLD-1 expired and --hide-expired


def test_formula_columns_are_kept_and_left_counts_as_remaining(tmp_path):
    # Like the claimcheck template: Used and Left are the workbook's own formulas.
    src = _workbook(tmp_path / "in.xlsx", _summary_lines_for_workbook(), SUMMARY_AUTHS,
                    extra_auth_headers=["Used", "Left"],
                    extra_values={i: [f"=COUNTIF(Claims!Q:Q,A{i + 2})", f"=F{i + 2}-K{i + 2}"] for i in range(3)})
    out = tmp_path / "out.xlsx"
    _run("check", src, "--as-of", "2026-06-30", "--output", out, check_exit=1)
    ws = openpyxl.load_workbook(out)["Authorizations"]
    assert [c.value for c in ws[1]] == AUTH_HEADERS + ["Used", "Left", "% Used", "Status"]
    assert [c.value for c in ws[2]][10:] == ["=COUNTIF(Claims!Q:Q,A2)", "=F2-K2", 1.0833, "Exhausted"]
    assert ws.tables["AuthTable"].ref == "A1:N4"


def test_cli_hide_expired_in_the_text_report(tmp_path):
    src = _workbook(tmp_path / "in.xlsx", _summary_lines_for_workbook(), SUMMARY_AUTHS)
    shown = _run("check", src, "--as-of", "2026-06-30", check_exit=1).stdout
    hidden = _run("check", src, "--as-of", "2026-06-30", "--hide-expired", check_exit=1).stdout
    assert "  OLD-1  CL-1    Acme Health  2025-01-01..2025-12-31  10 visits      0    10  Expired    ░░░░░░░░░░ 0%" in shown
    assert "OLD-1" not in hidden and "(1 expired authorization hidden)" in hidden
    assert "  A-1   CL-1    Acme Health  2026-03-01..2026-08-31  12 visits     13    -1  Exhausted  ▓▓▓▓▓▓▓▓▓▓ 108%" in hidden
    assert "--hide-expired" in _run("check", "--help").stdout


def test_cli_json_carries_auth_findings(tmp_path):
    import json

    src = _workbook(tmp_path / "in.xlsx", weekly(13), [auth(authorized=12)])
    js = json.loads(_run("check", src, "--as-of", "2026-06-30", "--format", "json", check_exit=1).stdout)
    over = [f for f in js["findings"] if f["code"] == "AUTH007"]
    assert over == [{"sheet": "Claims", "row": 14, "claim_id": "C013", "column": "Auth Number", "code": "AUTH007",
                     "severity": "error", "message": "session 13 of 12 authorized on A-1; request more visits before billing it"}]


def test_sample_workbook_authorizations():
    sample = Path(__file__).resolve().parents[1] / "examples" / "sample-billing.xlsx"
    book = load_book(sample)
    got = {u.auth_number: (u.used, u.remaining, u.status) for u in A.auth_usage(book, D(2026, 6, 30))}
    assert got == {"EV-26-0142": (13, -1, "Exhausted"), "EV-26-0177": (5, 3, "Expiring"),
                   "RB-55120": (42, -2, "Exhausted"), "RB-55121": (7, 3, "Expiring")}
