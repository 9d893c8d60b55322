"""Findings held as columns (issue 20): the engine hands a FindingTable from the rules to the
reports; it reads as a sequence of Finding objects, made when asked for, and sorts as the engine
always sorted its findings."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import pytest

from claimcheck import report
from claimcheck.api import check_workbook
from claimcheck.engine import in_engine_order, summary
from claimcheck.models import SEVERITY_ORDER, Finding, FindingTable

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
AS_OF = dt.date(2026, 6, 30)


def some_findings(n: int = 300, seed: int = 3) -> list[Finding]:
    """Findings with many ties in the sort keys (the same row, severity, code and column)."""
    rng = random.Random(seed)
    return [Finding(sheet=rng.choice(["Claims", "Claims", "Payers", "Authorizations"]),
                    row=rng.choice([None, 1, 2, 3, 5, 8, 13, 1_048_576]),
                    claim_id=rng.choice(["", "C1", "C2"]), column=rng.choice(["CPT", "Dx Codes", "Minutes", ""]),
                    code=rng.choice(["CPT001", "CPT002", "DX003", "AUTH005"]),
                    severity=rng.choice(["error", "warning", "info"]), message=f"message {k}")
            for k in range(n)]


def test_a_table_reads_as_the_findings_it_was_made_from():
    findings = some_findings()
    table = FindingTable.of(findings)
    assert len(table) == len(findings)
    assert list(table) == findings and table == findings
    assert table[0] == findings[0] and table[-1] == findings[-1]
    assert isinstance(table[2:5], FindingTable) and list(table[2:5]) == findings[2:5]
    assert table + [findings[0]] == findings + [findings[0]]
    assert table * 2 == findings * 2
    assert FindingTable.of(table) is table
    assert FindingTable.joined([FindingTable.of(findings[:10]), FindingTable.of(findings[10:])]) == table
    assert table.reordered([3, 1]) == [findings[3], findings[1]]
    assert not FindingTable() and FindingTable() == []
    with pytest.raises(ValueError):
        FindingTable(sheet=["Claims"], row=[], claim_id=[], column=[], code=[], severity=[], message=[])


def test_the_engine_order_of_a_table_is_the_order_of_sorting_the_findings_themselves():
    for seed in range(5):
        findings = some_findings(seed=seed)
        expected = sorted(findings, key=lambda f: (f.sheet != "Claims", f.row or 0, SEVERITY_ORDER[f.severity],
                                                   f.code, f.column))  # (a stable sort: ties keep their order)
        assert list(in_engine_order(FindingTable.of(findings), "Claims")) == expected


def test_the_engine_hands_over_a_table_and_the_counts_are_those_of_the_findings():
    result = check_workbook(SAMPLE, AS_OF)
    assert isinstance(result.findings, FindingTable) and len(result.findings) > 10
    as_list = list(result.findings)
    assert summary(as_list, 7) == summary(result.findings, 7)
    assert result.summary["errors"] == sum(f.severity == "error" for f in as_list)
    assert result.has_errors == any(f.severity == "error" for f in as_list)


def test_every_report_is_the_same_from_a_table_or_a_list_of_findings():
    result = check_workbook(SAMPLE, AS_OF)
    from_table = (report.to_json(result), report.to_csv(result.findings), report.to_text(result))
    result.findings = list(result.findings)
    assert (report.to_json(result), report.to_csv(result.findings), report.to_text(result)) == from_table
    out = io.StringIO()
    report.write_csv(FindingTable.of(result.findings), out)
    assert out.getvalue() == from_table[1]
