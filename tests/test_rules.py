"""Every rule against its fixture rows (the CASES of every tests/rule_cases*.py module), plus a
clean corpus that must raise nothing at all."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest

from claimcheck.rules.registry import all_rules
from claimcheck.values import date_to_serial
from helpers import NPI_B, NPI_MD, check_lines, line

D = dt.date

#: Families whose fixtures are not written yet: exempt from the fixture test below.
NOT_YET_CONVERTED: set[str] = set()  # every family has its fixtures
#: Families whose near miss is (at least) the clean corpus at the end of this file: every one of
#: their rules runs on it and none may fire.
CLEAN_CORPUS_FAMILIES = {"REQ", "CPT", "MOD", "DX", "POS", "NPI", "DATE", "CHG", "DUP"}
#: What a case may say about its book besides its lines (see helpers.raw_tables).
BOOK_FIELDS = ("payers", "providers", "auths", "sheets")


def _cases() -> list[dict]:
    cases = []
    for path in sorted(Path(__file__).parent.glob("rule_cases*.py")):
        cases.extend(importlib.import_module(path.stem).CASES)
    return cases


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c['code']}: {c['name']}" for c in CASES])
def test_rule_case(case, tmp_path, monkeypatch):
    if "covered_dx" in case:  # the case's covered_dx.csv rows, loaded as a practice's tables folder
        (tmp_path / "covered_dx.csv").write_text("payer,codes,dx,source\n" + "".join(
            f"{payer},{codes},{dx},test\n" for payer, codes, dx in case["covered_dx"]), encoding="utf-8")
        monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))
    result = check_lines(case["lines"], **{k: case[k] for k in BOOK_FIELDS if k in case})
    hits = [f for f in result.findings if f.code == case["code"]]
    expected_rows = sorted(i + 2 for i in case["flag"])  # header is row 1
    assert sorted(f.row for f in hits) == expected_rows, [f.message for f in hits]
    for f in hits:
        assert case["contains"] in f.message
        assert "Pat Example" not in f.message and "1990" not in f.message


def test_every_rule_has_a_fixture_that_fires_and_one_that_passes():
    rules = [r for r in all_rules() if r.status == "stable" and r.family not in NOT_YET_CONVERTED
             and r.code not in {"REQ004", "REQ007", "REQ008", "REQ009"}  # sheet-level: test_cli, test_reader_hostile
             and r.family != "ERA"]  # posting findings (claimcheck era): tests/test_era_*.py
    fired = {c["code"] for c in CASES if c["flag"]}
    passed = {c["code"] for c in CASES if not c["flag"]}
    passed |= {r.code for r in rules if r.family in CLEAN_CORPUS_FAMILIES}
    assert {r.family for r in rules} >= {"REQ", "AUTH"}
    missing = sorted(r.code for r in rules if r.code not in fired)
    assert not missing, f"rules without a failing fixture: {missing}"
    missing = sorted(r.code for r in rules if r.code not in passed)
    assert not missing, f"rules without a near miss that passes: {missing}"


def test_every_rule_is_documented():
    for r in all_rules():
        assert r.code[:-3].isalpha() and r.code[-3:].isdigit(), r.code
        assert r.title and r.why and r.fix, r.code
        assert r.severity in ("error", "warning", "info")
        if r.func is not None:
            assert r.doc, f"{r.code} has no docstring"


# A corpus of correct lines across the code set: none may raise anything.
CLEAN = [
    line(Claim_ID="K1", CPT="90791", Minutes=60, DOS=D(2026, 6, 1)),
    line(Claim_ID="K1", CPT="90785", Minutes=None, DOS=D(2026, 6, 1)),
    line(Claim_ID="K2", CPT="90832", Minutes=16, DOS=D(2026, 6, 8)),
    line(Claim_ID="K3", CPT="90832", Minutes=37, DOS=D(2026, 6, 9)),
    line(Claim_ID="K4", CPT="90834", Minutes=38, DOS=D(2026, 6, 10)),
    line(Claim_ID="K5", CPT=90834, Minutes=52, DOS="06/11/2026", POS=10, Modifiers="95"),
    line(Claim_ID="K6", CPT="90837", Minutes=53, DOS="2026-06-12", POS="02", Modifiers=95),
    line(Claim_ID="K7", CPT="90837", Minutes=75, DOS=date_to_serial(D(2026, 6, 17)), Dx_Codes="f32a"),  # a serial number
    line(Claim_ID="K8", CPT="90839", Minutes=74, DOS=D(2026, 6, 18), Dx_Codes="F43.0"),
    line(Claim_ID="K9", CPT="90839", Minutes=80, DOS=D(2026, 6, 19), Dx_Codes="F43.0"),
    line(Claim_ID="K9", CPT="90840", Minutes=80, DOS=D(2026, 6, 19), Dx_Codes="F43.0"),
    line(Claim_ID="K10", CPT="90839", Minutes=134, DOS=D(2026, 6, 20), Dx_Codes="F43.0"),
    line(Claim_ID="K10", CPT="90840", Minutes=134, Units=2, DOS=D(2026, 6, 20), Dx_Codes="F43.0"),
    line(Claim_ID="K11", CPT="90847", Minutes=26, DOS=D(2026, 6, 22), Dx_Codes="F91.3, Z63.8"),
    line(Claim_ID="K12", CPT="90846", Minutes=50, DOS=D(2026, 6, 23), Dx_Codes="F91.3"),
    line(Claim_ID="K13", CPT="90853", Minutes=90, DOS=D(2026, 6, 24), Dx_Codes="F10.20"),
    line(Claim_ID="K14", CPT="99214", Minutes=None, DOS=D(2026, 6, 25), Rendering_NPI=NPI_MD, Dx_Codes="F31.81"),
    line(Claim_ID="K14", CPT="90836", Minutes=40, DOS=D(2026, 6, 25), Rendering_NPI=NPI_MD, Dx_Codes="F31.81"),
    line(Claim_ID="K15", CPT="90792", Minutes=None, DOS=D(2026, 6, 26), Rendering_NPI=NPI_MD, Dx_Codes="F20.9"),
    line(Claim_ID="K16", CPT="h2019", Minutes=60, Units=4, Modifiers="HO", DOS=D(2026, 6, 15), Dx_Codes="F84.0", Charge="$80.00"),
    line(Claim_ID="K17", CPT="96130", Minutes=None, DOS=D(2026, 6, 16), Rendering_NPI=NPI_B, Dx_Codes="F90.0"),
    line(Claim_ID="K17", CPT="96131", Minutes=None, Units=2, DOS=D(2026, 6, 16), Rendering_NPI=NPI_B, Dx_Codes="F90.0"),
    line(Claim_ID="K18", CPT="90834", Minutes=45, DOS=D(2026, 5, 4), Status="Paid", Submitted_On=D(2026, 5, 6), Paid_Amount=104),
    line(Claim_ID="K19", CPT="90834", Minutes="50 minutes", DOS=D(2026, 5, 5), Payer="Gov Medicaid", POS=10, Modifiers="GT"),
    line(Claim_ID="K20", CPT="90834", Minutes=45, DOS=D(2026, 5, 6), Payer="Plain Plan", Dx_Codes="F01.A0"),
    line(Claim_ID="K21", CPT="90834", Minutes=45, DOS=D(2026, 5, 7), Modifiers="HO; XE", Dx_Codes="F41.1, F33.1, Z63.0"),
]


def test_clean_corpus_raises_nothing():
    result = check_lines(CLEAN)
    assert [(f.row, f.code, f.message) for f in result.findings] == []
    assert result.summary["lines"] == len(CLEAN)
    assert not result.has_errors
