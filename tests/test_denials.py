"""The denial-code catalogue, explain/lookup, deadlines and the DENY rules."""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

import pytest

from claimcheck import columns as C
from claimcheck import denials as D
from claimcheck.api import check_raw
from claimcheck.deadlines import appeal_deadline, days_left, filing_deadline
from claimcheck.models import Payer
from claimcheck.reader import rows_to_table

AS_OF = dt.date(2026, 6, 30)
NAME, DOB = "Zelda Privateperson", dt.date(1984, 3, 7)
HEADERS = C.CLAIM_HEADERS
PAYERS = [["Payer", "Payer ID", "Timely Filing Days", "Appeal Days", "Telehealth Modifier", "Auth Required",
           "Eval Counts Toward Auth", "Appeal Address", "Appeal Fax", "Phone"],
          ["Acme Health", "ACM1", 90, 180, "95", "N", "N", "PO Box 1, Town, ST 00001", "555-0100", "555-0101"],
          ["Gov Medicaid", "GOV1", 365, 60, "GT", "N", "N", "PO Box 2, Town, ST 00002", "555-0200", "555-0201"]]
BASE = {"Claim ID": "C1", "Client ID": "CL-1", "Client Name": NAME, "Client DOB": DOB, "Member ID": "M100",
        "Payer": "Acme Health", "Rendering NPI": "1234567893", "Billing NPI": "1987654328", "DOS": dt.date(2026, 5, 4),
        "Minutes": 45, "CPT": "90834", "Modifiers": None, "Units": 1, "Dx Codes": "F41.1", "POS": "11", "Charge": 130.0,
        "Auth Number": None, "Status": "Denied", "Submitted On": dt.date(2026, 5, 6), "Paid Amount": None,
        "Denial Codes": "CO-50", "Denial Date": dt.date(2026, 6, 1), "Payer Claim Number": "2226152000001"}


def line(**kw):
    out = dict(BASE)
    out.update({k.replace("_", " "): v for k, v in kw.items()})
    return out


def check(lines, headers=HEADERS):
    rows = [tuple(headers)] + [tuple(l.get(h) for h in headers) for l in lines]
    raw = {"Claims": rows_to_table("Claims", "Claims", rows),
           "Payers": rows_to_table("Payers", "Payers", [tuple(p) for p in PAYERS])}
    return check_raw(raw, AS_OF)


def deny(result):
    return [f for f in result.findings if f.code.startswith("DENY")]


def codes(result):
    return sorted(f.code for f in deny(result))


# --------------------------------------------------------------------------- catalogue

def _csv(name):
    text = (resources.files("claimcheck") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


REQUIRED_CARC = "1 2 3 4 5 11 15 16 18 22 23 27 29 45 50 96 97 109 119 151 167 170 185 197 198 204 242 252".split()
REQUIRED_RARC = "MA130 N290 N30 M76 M51 N479 N362 N115 M127 N386".split()


def test_catalogue_holds_the_codes_billers_meet_with_action_and_source():
    carc = {r["code"]: r for r in _csv("carc.csv")}
    rarc = {r["code"]: r for r in _csv("rarc.csv")}
    groups = {r["code"] for r in _csv("group_codes.csv")}
    assert set(REQUIRED_CARC) <= set(carc)
    assert set(REQUIRED_RARC) <= set(rarc)
    assert groups == {"CO", "PR", "OA", "PI"}
    for table in (carc, rarc):
        for code, r in table.items():
            assert r["action"] in D.ACTIONS, code
            assert r["source"].strip(), code
            assert r["meaning"].strip() and r["evidence"].strip(), code
            assert r["verified"] in ("Y", "N"), code
    assert carc["50"]["action"] == "appeal"
    assert carc["1"]["action"] == "bill the patient"
    assert carc["4"]["action"] == "corrected claim"
    assert carc["109"]["action"] == "send to another payer"
    assert carc["45"]["action"] == "write off"
    # Meanings we could not confirm in a second source are marked, per the domain reference.
    assert rarc["N362"]["verified"] == "N" and rarc["M76"]["verified"] == "N"
    # M127 (medical record missing) is confirmed by a second source (a lab biller's CO-16/M127 notice).
    assert rarc["M127"]["verified"] == "Y" and "xifin" in rarc["M127"]["source"]
    assert rarc["MA130"]["verified"] == "Y"
    # Each CARC has a short label for the workbook's Dashboard chart (its only list of reasons).
    for code, r in carc.items():
        assert 0 < len(r["short"]) <= 48 and D.lookup(code).short == r["short"], code


def test_meanings_are_our_own_words_not_x12_text():
    x12_phrases = ["These are non-covered services because this is not deemed a 'medical necessity' by the payer",
                   "Claim/service lacks information or has submission/billing error(s)",
                   "The procedure code is inconsistent with the modifier used",
                   "Missing/incomplete/invalid rendering provider primary identifier",
                   "Time limit for filing has expired"]
    texts = " ".join(r["meaning"] for name in ("carc.csv", "rarc.csv") for r in _csv(name)).lower()
    for phrase in x12_phrases:
        assert phrase.lower() not in texts


@pytest.mark.parametrize("typed, group, code, kind", [
    ("CO-50", "CO", "50", "CARC"), ("co 50", "CO", "50", "CARC"), ("PR1", "PR", "1", "CARC"), ("CO-016", "CO", "16", "CARC"),
    ("50", "", "50", "CARC"), ("N290", "", "N290", "RARC"), ("ma130", "", "MA130", "RARC"), ("OA", "OA", "", "group"),
    ("C0-50", "", "C0-50", "unknown"),
])
def test_parse_code(typed, group, code, kind):
    p = D.parse_code(typed)
    assert (p.group, p.code, p.kind) == (group, code, kind)


def test_explain_gives_meaning_action_and_evidence():
    text = D.explain("CO-50")
    assert text.startswith("CO-50: the payer judged the service not medically necessary")
    assert "Do: appeal" in text and "Evidence:" in text and "treatment plan" in text
    assert "bill the client" in D.explain("PR-2")
    assert "Rendering NPI" in D.explain("N290")
    assert "new claim" in D.explain("MA130")
    assert "unverified" in D.explain("N362")
    assert "unverified" not in D.explain("N290")


@pytest.mark.parametrize("bad", ["CO-999", "XYZ", "C0-50", "N99999"])
def test_explain_unknown_code_says_so(bad):
    assert "not in claimcheck's catalogue" in D.explain(bad)
    assert D.lookup(bad) is None


@pytest.mark.parametrize("weird", [None, "", "   ", 50, 3.5, object(), "=1+1", "\x00"])
def test_explain_never_raises(weird):
    assert isinstance(D.explain(weird), str)
    D.lookup(weird)  # returns an entry or None, never raises


def test_lookup_returns_entries():
    assert D.lookup("CO-197").argument == "authorization"
    assert D.lookup("N290").kind == "RARC"
    assert D.lookup("pr").kind == "group"


# --------------------------------------------------------------------------- deadlines

@pytest.mark.parametrize("denied, days, expected", [
    (dt.date(2027, 12, 15), 60, dt.date(2028, 2, 13)),   # across a year end into a leap year
    (dt.date(2028, 2, 28), 1, dt.date(2028, 2, 29)),     # leap day
    (dt.date(2027, 2, 28), 1, dt.date(2027, 3, 1)),      # no leap day
    (dt.date(2024, 1, 31), 30, dt.date(2024, 3, 1)),     # month end, leap February
    (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 1)),
    (dt.date(2026, 6, 12), 120, dt.date(2026, 10, 10)),
])
def test_appeal_deadline_in_calendar_days(denied, days, expected):
    assert appeal_deadline(denied, Payer(name="X", appeal_days=days)) == expected


def test_filing_deadline_and_days_left():
    assert filing_deadline(dt.date(2025, 12, 31), Payer(name="X", timely_filing_days=90)) == dt.date(2026, 3, 31)
    assert days_left(dt.date(2026, 7, 1), AS_OF) == 1
    assert days_left(AS_OF, AS_OF) == 0
    assert days_left(dt.date(2026, 6, 20), AS_OF) == -10


def test_payer_missing_from_sheet_uses_documented_default_appeal_days():
    res = check([line(Payer="Unlisted Mutual", Denial_Date=dt.date(2026, 3, 1))])  # default 120 days -> 2026-06-29
    f = [f for f in deny(res) if f.code == "DENY001"]
    assert f and "2026-06-29" in f[0].message and "120 days" in f[0].message


# --------------------------------------------------------------------------- DENY rules: must pass

PASS = {
    "appeal window open": [line()],
    "paid line with PR codes is not a denial": [line(Status="Paid", Denial_Codes="PR-1", Paid_Amount=90.0)],
    "appealed line past its window": [line(Status="Appealed", Denial_Date=dt.date(2025, 1, 1))],
    "appealed line without date or codes": [line(Status="Appealed", Denial_Date=None, Denial_Codes=None)],
    "ready line": [line(Status="Ready", Denial_Codes=None, Denial_Date=None, Submitted_On=None)],
    "deadline 15 days away": [line(Payer="Gov Medicaid", Denial_Date=dt.date(2026, 5, 16))],  # 2026-07-15
}


@pytest.mark.parametrize("name", sorted(PASS))
def test_deny_rules_pass(name):
    assert codes(check(PASS[name])) == []


# --------------------------------------------------------------------------- DENY rules: fixtures

def test_every_deny_rule_has_a_fixture_that_fires_and_a_near_miss():
    """tests/rule_cases_deny.py, run by tests/test_rules.py."""
    from claimcheck.rules.registry import all_rules
    from rule_cases_deny import CASES

    deny_rules = {r.code for r in all_rules() if r.family == "DENY"}
    assert {c["code"] for c in CASES if c["flag"]} == deny_rules
    assert {c["code"] for c in CASES if not c["flag"]} == deny_rules


def test_deadline_passed_is_an_error_and_names_the_dates():
    f = [f for f in deny(check([line(Denial_Date=dt.date(2025, 12, 1))])) if f.code == "DENY001"][0]
    assert f.severity == "error"
    assert "2026-05-30" in f.message and "passed 31 days ago" in f.message


def test_deadline_today_and_in_14_days_warn():
    today = check([line(Payer="Gov Medicaid", Denial_Date=dt.date(2026, 5, 1))])  # + 60 = 2026-06-30
    f = [f for f in deny(today) if f.code == "DENY002"]
    assert f and "today" in f[0].message and f[0].severity == "warning"
    edge = check([line(Payer="Gov Medicaid", Denial_Date=dt.date(2026, 5, 15))])  # 2026-07-14, 14 days
    assert [f.code for f in deny(edge)] == ["DENY002"]


def test_corrected_claim_names_what_to_fix():
    npi = [f for f in deny(check([line(Denial_Codes="CO-16, N290")])) if f.code == "DENY003"][0]
    assert "Rendering NPI" in npi.message and "corrected claim" in npi.message and "by 2026-08-02" in npi.message
    # CO-4 on a telehealth line without the payer's modifier: claimcheck's own MOD finding names the fix.
    mod = [f for f in deny(check([line(Denial_Codes="CO-4", POS="10")])) if f.code == "DENY003"][0]
    assert "modifier" in mod.message and "95" in mod.message and "MOD" in mod.message
    ma130 = [f for f in deny(check([line(Denial_Codes="CO-16, MA130, M76")])) if f.code == "DENY003"][0]
    assert "new claim" in ma130.message and "Dx Codes" in ma130.message


def test_correction_after_the_filing_window_goes_through_the_appeal():
    # DOS 2026-01-05 + 90 days filing = 2026-04-05, closed; denial 2026-06-10 + 180 appeal days open.
    res = check([line(Denial_Codes="CO-4", DOS=dt.date(2026, 1, 5), Submitted_On=dt.date(2026, 1, 9),
                      Denial_Date=dt.date(2026, 6, 10))])
    assert "DENY003" not in codes(res)
    [d] = D.claim_decisions(res.book, AS_OF)
    assert d.decision == D.APPEAL and "coding" in d.arguments


def test_timely_filing_denial_without_proof_is_a_write_off():
    late = check([line(Denial_Codes="CO-29", DOS=dt.date(2026, 1, 5), Submitted_On=dt.date(2026, 4, 20))])
    f = [f for f in deny(late) if f.code == "DENY009"]
    assert f and "write off" in f[0].message and "15 days after" in f[0].message
    on_time = check([line(Denial_Codes="CO-29")])
    assert codes(on_time) == []  # appealable with proof, window open
    [d] = D.claim_decisions(on_time.book, AS_OF)
    assert d.decision == D.APPEAL and d.arguments == ("timely_filing",)


def test_claim_decision_precedence():
    assert D.decide(["CO-16", "MA130"])[0] == D.NEW_CLAIM
    assert D.decide(["CO-50", "N290"])[0] == D.CORRECTED
    assert D.decide(["PR-1", "CO-50"])[0] == D.APPEAL
    assert D.decide(["PR-1", "PR-2"])[0] == D.BILL_PATIENT
    assert D.decide(["CO-22"])[0] == D.OTHER_PAYER
    assert D.decide(["OA-18"])[0] == D.CHECK_FIRST
    assert D.decide(["CO-27"])[0] == D.APPEAL  # appealable once eligibility is verified
    assert D.decide([])[0] == D.CHECK_FIRST


SECOND_ROUND_CARC = {  # issue 17, missing check 6: code -> the decision it leads to alone (group CO)
    "236": D.CORRECTED, "234": D.APPEAL, "B7": D.APPEAL, "8": D.APPEAL, "58": D.CORRECTED, "181": D.CORRECTED,
    "182": D.CORRECTED, "206": D.CORRECTED, "207": D.CORRECTED, "208": D.CORRECTED, "140": D.CORRECTED,
    "284": D.CORRECTED, "296": D.CORRECTED,
}


@pytest.mark.parametrize("code", sorted(SECOND_ROUND_CARC))
def test_second_round_carcs_are_catalogued_with_action_source_and_label(code):
    entry = D.lookup(f"CO-{code}")
    assert entry is not None and entry.kind == "CARC" and entry.code == code
    assert entry.action in D.ACTIONS and entry.source.strip() and entry.evidence.strip() and entry.short
    assert "not in claimcheck's catalogue" not in D.explain(f"CO-{code}")
    assert D.decide([f"CO-{code}"])[0] == SECOND_ROUND_CARC[code]
    if entry.action == "corrected claim":  # a correction says what to change
        assert entry.fix and D.correction_fix(D.decide([f"CO-{code}"])[1])


def test_second_round_carc_on_a_denied_line_is_not_an_unknown_code():
    assert "DENY004" in codes(check([line(Denial_Codes="CO-999")]))  # the near miss: still unknown
    res = check([line(Denial_Codes="CO-236")])
    assert "DENY004" not in codes(res)
    [d] = D.claim_decisions(res.book, AS_OF)
    assert d.decision == D.CORRECTED and "59" in d.why and not d.unknown
    [d] = D.claim_decisions(check([line(Denial_Codes="CO-234")]).book, AS_OF)
    assert d.decision == D.APPEAL and any("only if the services were separate" in n for n in d.notes)


def test_remark_code_action_wins_over_co16_default():
    # CO-16 says only "see the remark code"; M127 asks for the medical record: send it, do not correct a field.
    decision, parsed, _ = D.decide(["CO-16", "M127"])
    assert decision == D.APPEAL and D.appeal_arguments(parsed) == ["records"]
    res = check([line(Denial_Codes="CO-16, M127")])
    assert "DENY003" not in codes(res)
    [d] = D.claim_decisions(res.book, AS_OF)
    assert d.decision == D.APPEAL and d.arguments == ("records",)
    assert "medical record" in d.why and "correct" not in d.why and "fix" not in d.why
    # A remark code that names a field still makes it a correction, and CO-16 alone stays one.
    assert D.decide(["CO-16", "N290"])[0] == D.CORRECTED
    assert D.decide(["CO-16"])[0] == D.CORRECTED
    # Patient responsibility is not overridden, and other CARCs keep their own action.
    assert D.decide(["PR-16", "M127"])[0] == D.BILL_PATIENT
    assert D.decide(["CO-4", "M127"])[0] == D.CORRECTED


def test_multi_line_claim_uses_earliest_denial_date():
    res = check([line(Denial_Date=dt.date(2026, 6, 1)),
                 line(CPT="90785", Minutes=None, Charge=25.0, Denial_Date=dt.date(2025, 12, 20))])
    f = [f for f in deny(res) if f.code == "DENY001"]
    assert len(f) == 1 and f[0].row == 3 and "2026-06-18" in f[0].message


def test_workbook_without_denial_columns_does_not_crash():
    headers = [h for h in HEADERS if h not in ("Denial Codes", "Denial Date")]
    res = check([line(Status="Denied")], headers=headers)
    assert {"DENY005", "DENY006"} <= set(codes(res))
    assert "DENY001" not in codes(res)


def test_deny_rules_are_documented_in_the_rule_list():
    from claimcheck.report import rules_text

    text = rules_text()
    assert "== DENY ==" in text and "DENY001" in text and "Appeal deadline passed" in text


def test_claim_decisions_group_interleaved_lines_and_use_only_denied_lines_for_dates():
    # Claim A: an Appealed line (its code still counts), then two Denied lines, the first
    # without a payer; claim B sits between them; claim C is appealed on every line.
    res = check([line(Claim_ID="A", Status="Appealed", Denial_Codes="CO-50", Denial_Date=dt.date(2025, 1, 2)),
                 line(Claim_ID="B", Payer="Gov Medicaid", Denial_Date=dt.date(2026, 5, 20)),
                 line(Claim_ID="A", Payer=None, Denial_Codes="CO-4", Denial_Date=dt.date(2026, 6, 5), DOS=dt.date(2026, 5, 20)),
                 line(Claim_ID="A", CPT="90785", Minutes=None, Charge=25.0, Denial_Date=dt.date(2026, 6, 2)),
                 line(Claim_ID="C", Status="Appealed")])
    a, b, c = D.claim_decisions(res.book, AS_OF)
    assert [d.claim_id for d in (a, b, c)] == ["A", "B", "C"]
    assert a.status == "Denied" and a.decision == D.CORRECTED  # CO-4 (Denied) outranks CO-50 (Appealed line)
    assert a.code_list == "CO-50, CO-4"
    assert a.indexes == tuple(res.book.claims.index[[2, 3]]) and a.payer == "Acme Health"
    assert a.denial_date == dt.date(2026, 6, 2) and a.deadline_line == res.book.claims.index[3]
    acme = res.book.payer("Acme Health")
    assert a.appeal_deadline == appeal_deadline(dt.date(2026, 6, 2), acme) and a.days_left == days_left(a.appeal_deadline, AS_OF)
    assert a.filing_deadline == filing_deadline(dt.date(2026, 5, 4), acme) and a.filing_days_left == days_left(a.filing_deadline, AS_OF)
    assert type(a.days_left) is int and type(a.filing_days_left) is int
    assert b.payer == "Gov Medicaid" and b.appeal_deadline == dt.date(2026, 7, 19) and b.days_left == 19
    assert c.decision == "already appealed" and len(c.indexes) == 1
    assert [(f.code, f.row) for f in deny(res) if f.code == "DENY003"] == [("DENY003", 4)]


# --------------------------------------------------------------------------- payer type

def _check_with_payers(lines, payer_rows):
    headers = C.PAYER_HEADERS
    rows = [tuple(HEADERS)] + [tuple(l.get(h) for h in HEADERS) for l in lines]
    raw = {"Claims": rows_to_table("Claims", "Claims", rows),
           "Payers": rows_to_table("Payers", "Payers", [tuple(headers)] + [tuple(p) for p in payer_rows])}
    return check_raw(raw, AS_OF)


def _payer_row(name, payer_type, appeal_days=120):
    values = {"Payer": name, "Timely Filing Days": 365, "Appeal Days": appeal_days, "Payer Type": payer_type}
    return [values.get(h) for h in C.PAYER_HEADERS]


def test_payer_type_decides_medicare_not_the_name():
    # A Medicare Advantage plan named without "Advantage": its Payer Type says MA, so it gets a
    # corrected claim (not a Medicare reopening) and the plan's reconsideration.
    res = _check_with_payers([line(Payer="Golden Senior Medicare", Denial_Codes="CO-16, N290"),
                              line(Claim_ID="C2", Payer="Golden Senior Medicare", Denial_Codes="CO-50"),
                              line(Claim_ID="C3", Payer="Noridian JF", Denial_Codes="CO-16, N290"),
                              line(Claim_ID="C4", Payer="Noridian JF", Denial_Codes="CO-50")],
                             [_payer_row("Golden Senior Medicare", "Medicare Advantage"), _payer_row("Noridian JF", "medicare")])
    by_id = {d.claim_id: d for d in D.claim_decisions(res.book, AS_OF)}
    assert by_id["C1"].payer_type == "Medicare Advantage" and "frequency code 7" in by_id["C1"].why
    assert "reopen" not in by_id["C1"].why
    assert "reconsideration" in by_id["C2"].why and "422.582" in by_id["C2"].why and "CMS-20027" not in by_id["C2"].why
    # Original Medicare by type, though "Medicare" is not in its name.
    assert "reopen the claim" in by_id["C3"].why and "frequency code 7 with" not in by_id["C3"].why
    assert by_id["C3"].reopen_deadline == dt.date(2027, 6, 1)
    assert "redetermination" in by_id["C4"].why and "CMS-20027" in by_id["C4"].why
    assert not any("Payer Type is blank" in n for d in by_id.values() for n in d.notes)


def test_blank_payer_type_falls_back_to_the_name_and_says_so():
    res = _check_with_payers([line(Payer="Medicare Part B", Denial_Codes="CO-50")], [_payer_row("Medicare Part B", None)])
    [d] = D.claim_decisions(res.book, AS_OF)
    assert d.payer_type == "Medicare" and "redetermination" in d.why
    assert any("Payer Type is blank" in n and "Original Medicare" in n for n in d.notes)
    assert D.is_medicare("Medicare Part B") and not D.is_medicare("Sunrise Medicare Advantage")
    assert D.is_medicare_advantage("Sunrise Medicare Advantage")


def test_bad_payer_type_is_a_finding_on_that_cell_and_blank_is_used():
    res = _check_with_payers([line(Payer="Acme Health", Status="Paid", Paid_Amount=90.0, Denial_Codes=None, Denial_Date=None)],
                             [_payer_row("Acme Health", "HMO")])
    bad = [f for f in res.findings if f.sheet == "Payers" and f.column == "Payer Type"]
    assert [f.code for f in bad] == ["REQ002"] and "'HMO' is not a payer type" in bad[0].message
    assert res.book.payer("Acme Health").payer_type == ""


def test_medicare_reopening_names_no_redetermination_date_once_that_window_closed():
    # Denied 2026-01-02: the 120-day redetermination window closed 2026-05-02; the one-year
    # reopening window is open to 2027-01-02.
    res = _check_with_payers([line(Payer="Medicare Part B", Denial_Codes="CO-16, N290", Denial_Date=dt.date(2026, 1, 2))],
                             [_payer_row("Medicare Part B", "Medicare")])
    [f] = [f for f in res.findings if f.code == "DENY003"]
    assert "by 2027-01-02 (one year from the initial determination)" in f.message
    assert "redetermination by" not in f.message


@pytest.mark.parametrize("payer_type,days,assumed", [("Medicaid", 60, True), ("medicaid mco", 60, True),
                                                     ("Commercial", 120, False), (None, 120, False)])
def test_blank_appeal_days_of_a_medicaid_payer_assumes_60_and_says_so(payer_type, days, assumed):
    res = _check_with_payers([line(Payer="State Plan", Denial_Codes="CO-50", Denial_Date=dt.date(2026, 6, 1))],
                             [_payer_row("State Plan", payer_type, appeal_days=None)])
    [d] = D.claim_decisions(res.book, AS_OF)
    assert d.appeal_deadline == dt.date(2026, 6, 1) + dt.timedelta(days=days)
    assert any("Appeal Days is blank for State Plan" in n and "60 days are assumed" in n for n in d.notes) == assumed
    # a filled Appeal Days is the payer's own, whatever its type
    res = _check_with_payers([line(Payer="State Plan", Denial_Codes="CO-50", Denial_Date=dt.date(2026, 6, 1))],
                             [_payer_row("State Plan", payer_type, appeal_days=90)])
    [d] = D.claim_decisions(res.book, AS_OF)
    assert d.appeal_deadline == dt.date(2026, 8, 30) and not any("assumed" in n for n in d.notes)
