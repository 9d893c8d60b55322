"""The reports are written without building them through json.dumps / one finding object at a
time, yet say exactly what they said before: the JSON report byte for byte what ``json.dumps(...,
indent=2, ensure_ascii=False)`` makes of ``CheckResult.as_json()``."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from claimcheck import report
from claimcheck.api import check_workbook
from claimcheck.models import Finding

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
AS_OF = dt.date(2026, 6, 30)


def reference_json(result) -> str:
    return json.dumps(result.as_json(), indent=2, ensure_ascii=False)


def test_the_json_report_of_the_sample_is_what_json_dumps_writes():
    result = check_workbook(SAMPLE, AS_OF)
    assert result.findings
    assert report.to_json(result) == reference_json(result)
    out = io.StringIO()
    report.write_json(result, out)
    assert out.getvalue() == reference_json(result)


def test_the_json_report_escapes_every_text_as_json_dumps_does():
    result = check_workbook(SAMPLE, AS_OF)
    odd = ['quote " and back\\slash', "tab\there\nnew line\r", "ctrl \x00\x1f\x7f", "é ü 中文 \u2028 \U0001F600",
           "", "'=SUM(A1)", "\ud800 lone surrogate"]
    result.findings = [Finding(sheet=s, row=row, claim_id=s, column=s, code="CPT001", severity="error", message=s)
                       for row, s in zip([None, 0, 2, 10**12, -1, 3, 4], odd)]
    assert report.to_json(result) == reference_json(result)


def test_the_json_report_with_no_findings_and_across_chunks():
    result = check_workbook(SAMPLE, AS_OF)
    findings = result.findings
    result.findings = []
    assert report.to_json(result) == reference_json(result)
    result.findings = findings * 3
    for per_chunk in (1, 2, len(findings), 10_000):
        assert "".join(report.json_chunks(result, per_chunk=per_chunk)) == reference_json(result)
