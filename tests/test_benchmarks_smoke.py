"""The benchmark generator and runner work at a tiny size (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.generate import CLAIM_HEADERS, generate  # noqa: E402


def test_generator_writes_the_lines_asked_for_with_some_problems(tmp_path):
    path = generate(200, seed=5, path=tmp_path / "g.xlsx")
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["Claims", "Authorizations", "Payers", "Providers"]
    rows = list(wb["Claims"].iter_rows(values_only=True))
    assert list(rows[0]) == CLAIM_HEADERS and len(rows) == 201
    again = generate(200, seed=5, path=tmp_path / "h.xlsx")
    assert list(load_workbook(again, read_only=True)["Claims"].iter_rows(values_only=True)) == rows  # deterministic

    from claimcheck.api import check_workbook
    from benchmarks.generate import AS_OF

    result = check_workbook(path, AS_OF)
    with_errors = result.summary["lines_with_errors"]
    assert 0 < with_errors < 60  # mostly clean lines, a few with problems


def test_run_prints_the_table_and_writes_the_performance_page(tmp_path):
    from benchmarks.run import PYODIDE_END, PYODIDE_START

    page = tmp_path / "performance.md"
    pyodide = "| Pyodide | CHECK_CLAIM | 1 ms |"
    page.write_text(f"# old page\n\n{PYODIDE_START}\n{pyodide}\n{PYODIDE_END}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "10", "--repeat", "1",
                           "--cold-runs", "1", "--udf-lines", "20", "--udf-calls", "2", "--dense-sizes", "200",
                           "--out", str(tmp_path / "r.md"),
                           "--markdown", str(page)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = (tmp_path / "r.md").read_text()
    assert "| # | measure |" in text and "cold start" in text and "CHECK_CLAIMS" in text and "peak memory" in text
    assert "CHECK_CLAIM, the function's own time per call, first calculation" in text and "of the dispatch" in text
    doc = page.read_text(encoding="utf-8")
    assert doc.startswith("# Performance") and "old page" not in doc
    for name in ("Python", "numpy", "pandas", "python-calamine", "xlwings"):
        assert name in doc.split("## Measures")[0], name
    assert "| # | measure |" in doc and "## Pyodide (xlwings Lite)" in doc
    assert doc.split(PYODIDE_START)[1].split(PYODIDE_END)[0].strip() == pyodide  # kept as it was


def test_problem_dense_workbooks_have_one_or_more_findings_per_line_one_and_five_for_their_variants(tmp_path):
    from benchmarks.generate import AS_OF, DENSE, DENSE1, DENSE5
    from claimcheck.api import check_workbook

    def per_line(problems):
        path = generate(400, seed=5, path=tmp_path / f"p{problems}.xlsx", problems=problems)
        return len(check_workbook(path, AS_OF).findings) / 400

    plain, dense1, dense, dense5 = per_line(0.07), per_line(DENSE1), per_line(DENSE), per_line(DENSE5)
    assert plain < 0.3
    assert 0.8 <= dense1 <= 1.3
    assert 1.1 <= dense <= 1.8
    assert 4.0 <= dense5 <= 6.0


def test_dense_benchmark_writes_its_rows_and_checks_that_the_reports_agree(tmp_path):
    page = tmp_path / "performance.md"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--parts", "dense", "--dense-sizes", "200",
                           "--repeat", "1", "--sizes", "10", "--skip-udfs", "--out", str(tmp_path / "r.md"),
                           "--markdown", str(page)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = page.read_text(encoding="utf-8")
    assert "python-calamine" in doc.split("## Measures")[0]
    rows = [line for line in doc.splitlines() if line.startswith("| 6 |")]
    for fmt in ("json", "csv", "text"):
        assert any(f"`claimcheck check --format {fmt}` vs python-calamine reading every cell" in r and "| 200 |" in r
                   for r in rows), fmt
    assert any("peak memory (VmHWM)" in r for r in rows)
    assert any("findings per line" in r and (" vs 1." in r or " vs 0." in r) for r in rows)  # 5 per line vs 1
    assert any("`claimcheck check --output`" in r and "openpyxl" in r for r in rows)
    assert any("fixed start-up" in r for r in rows)


def test_the_dense_benchmark_refuses_reports_that_disagree(tmp_path):
    import json

    from benchmarks.run import outputs_agree

    report = {"summary": {"lines": 1, "errors": 1, "warnings": 0, "info": 0},
              "findings": [{"sheet": "Claims", "row": 2, "claim_id": "C1", "column": "CPT", "code": "CPT001",
                            "severity": "error", "message": "m"}]}
    (tmp_path / "r.json").write_text(json.dumps(report), encoding="utf-8")
    (tmp_path / "r.csv").write_text("sheet,row,claim_id,column,code,severity,message\nClaims,3,C1,CPT,CPT001,error,m\n",
                                    encoding="utf-8")
    (tmp_path / "r.txt").write_text("1 service lines checked: 1 errors, 0 warnings, 0 notes\n", encoding="utf-8")
    import pytest

    with pytest.raises(RuntimeError, match="csv"):
        outputs_agree(tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "r.txt", tmp_path / "none.xlsx")


def test_check_claims_share_of_the_dispatch_is_measured_through_the_tier_driver():
    """benchmarks/pyodide.py's issue-19 measure: the driver's rounds of CHECK_CLAIM's own time and
    the same lines through xlwings' dispatch (run here in CPython, through the same driver)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent / "pyodide"))
    import tier

    from benchmarks.pyodide import share_text

    claims = tier.grid(tier.sample_sheets()["Claims"])
    out = tier.run_cpython([{"op": "check_claim_rounds", "header": claims[:1], "rows": claims[1:6], "rounds": 3}], {})
    rounds = json.loads(out["results"][0])
    assert len(rounds) == 3
    for own, dispatched in rounds[1:]:  # (the first round builds the code tables and ICD-10-CM index)
        assert 0 < own < dispatched  # the dispatched calls run the function and the dispatch around it
    text = share_text([[own * 40, dispatched * 40] for own, dispatched in rounds], [])  # (as for 200 lines)
    assert "of the dispatch" in text and "goal of issue 19: ≤ 15%" in text
    assert "15%: met" in share_text([[1.0, 20.0]] * 3, [[0.5, 20.0]]) and "15%: not met" in share_text([[1.0, 5.0]] * 3, [])


def test_the_output_reference_must_write_the_checked_copys_cells(tmp_path):
    """``check --output`` is measured against openpyxl writing the same cells; the benchmark
    refuses a reference whose Findings sheet or Check column differs from the checked copy's."""
    import pytest
    from openpyxl import Workbook

    from benchmarks.run import same_cells

    def book(name, message, check):
        wb = Workbook()
        wb.active.title = "Claims"
        wb["Claims"].append(["Claim ID", "Check"])
        wb["Claims"].append(["C1", check])
        wb.create_sheet("Findings").append(["Code", "Message"])
        wb["Findings"].append(["CPT001", message])
        wb.save(tmp_path / name)
        return tmp_path / name

    ours = book("ours.xlsx", "m", "CPT001: m")
    same_cells(ours, book("same.xlsx", "m", "CPT001: m"))
    with pytest.raises(RuntimeError, match="Findings"):
        same_cells(ours, book("other.xlsx", "n", "CPT001: m"))
    with pytest.raises(RuntimeError, match="Check"):
        same_cells(ours, book("check.xlsx", "m", "OK"))
