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


def reference_csv(findings) -> str:
    """The CSV report as it was written before, one finding's dict at a time."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(report.FIELDS)
    for f in findings:
        d = f.as_dict()
        writer.writerow([report.safe_cell(d[k]) if d[k] is not None else "" for k in report.FIELDS])
    return buf.getvalue()


def test_the_csv_report_streams_the_same_text_with_formulas_made_inert():
    result = check_workbook(SAMPLE, AS_OF)
    odd = Finding(sheet="Claims", row=None, claim_id="=HYPERLINK(1)", column="+CPT", code="CPT001", severity="error",
                  message='-1, "quoted"\nnext line')
    findings = result.findings + [odd] * 3
    assert report.to_csv(findings) == reference_csv(findings)
    assert "'=HYPERLINK(1)" in report.to_csv([odd])
    out = io.StringIO()
    report.write_csv(findings, out)
    assert out.getvalue() == reference_csv(findings)
    for per_chunk in (1, 2, 10_000):
        assert "".join(report.csv_chunks(findings, per_chunk=per_chunk)) == reference_csv(findings)
    assert report.to_csv([]) == reference_csv([])


def test_the_text_report_streams_the_same_text_in_any_piece_size():
    result = check_workbook(SAMPLE, AS_OF)
    whole = report.to_text(result)
    assert whole.startswith("claimcheck ") and "By rule:" in whole
    for per_chunk in (1, 3, 10_000):
        assert "".join(report.text_chunks(result, per_chunk=per_chunk)) == whole
    out = io.StringIO()
    report.write_text(result, out, hide_expired=True)
    assert out.getvalue() == report.to_text(result, hide_expired=True)


def test_the_summary_counts_each_sheet_row_with_an_error_once():
    from claimcheck.engine import summary

    def finding(sheet, row, severity, code="CPT001"):
        return Finding(sheet=sheet, row=row, claim_id="C1", column="CPT", code=code, severity=severity, message="m")

    findings = [finding("Claims", 2, "error"), finding("Claims", 2, "error", "DX001"), finding("Claims", 3, "warning"),
                finding("Payers", 2, "error"), finding("Claims", None, "error"), finding("Claims", 7, "info"),
                finding("Authorizations", 10**12, "error"), finding("Claims", 4, "error")]
    s = summary(findings, 10)
    assert s["lines_with_errors"] == 4  # Claims 2 and 4, Payers 2, Authorizations 10**12
    assert (s["errors"], s["warnings"], s["info"]) == (6, 1, 1)
    assert s["by_code"] == {"CPT001": 7, "DX001": 1}
    assert summary([f for f in findings if f.severity != "error"], 10)["lines_with_errors"] == 0
    assert summary([], 0)["lines_with_errors"] == 0
    result = check_workbook(SAMPLE, AS_OF)
    by_hand = {(f.sheet, f.row) for f in result.findings if f.severity == "error" and f.row is not None}
    assert result.summary["lines_with_errors"] == len(by_hand) > 0


def reference_text_findings(result) -> list[str]:
    """The findings part of the text report as it was written before, one finding at a time."""
    labels = {"error": "ERROR  ", "warning": "WARNING", "info": "INFO   "}
    groups: dict = {}
    for f in result.findings:
        if f.row is None or (not f.claim_id and f.row == result.book.header_row):
            key = ("sheet", f.sheet)
        else:
            key = ("claim", f.claim_id or f"(no claim ID, row {f.row})")
        groups.setdefault(key, []).append(f)
    lines = []
    for (kind, name), items in groups.items():
        rows = sorted({f.row for f in items if f.row is not None})
        where = f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(map(str, rows))}" if rows else ""
        worst = min((f.severity for f in items), key=["error", "warning", "info"].index)
        lines.append(f"{'Claim' if kind == 'claim' else 'Sheet'} {name}{f'  ({where})' if where else ''}  "
                     f"{worst.upper() if worst != 'info' else 'NOTE'}")
        for f in items:
            prefix = f"  row {f.row:<5}" if f.row is not None else "  " + " " * 9
            lines.append(f"{prefix} {labels[f.severity]} {f.code:<7} {f.column:<14} {f.message}")
        lines.append("")
    return lines


def test_the_text_report_groups_and_writes_each_finding_as_before():
    result = check_workbook(SAMPLE, AS_OF)
    odd = [Finding(sheet="Payers", row=4, claim_id="", column="Payer", code="REQ006", severity="warning", message="p"),
           Finding(sheet="Claims", row=9, claim_id="", column="CPT", code="CPT001", severity="info", message="no id"),
           Finding(sheet="Claims", row=None, claim_id="C9", column="", code="REQ004", severity="info", message="none"),
           Finding(sheet="Claims", row=result.book.header_row, claim_id="", column="X", code="REQ004",
                   severity="info", message="header"),
           Finding(sheet="Claims", row=12, claim_id="Claim X", column="Units", code="CPT011", severity="error",
                   message="a %s and {braces}")]
    result.findings = list(result.findings) + odd + list(result.findings)[:3]
    text = report.to_text(result)
    expected = "\n".join(reference_text_findings(result))
    assert expected in text
    assert text.index(expected) == len(text.split("\n", 3)[0]) + len(text.split("\n", 3)[1]) + 3


def test_the_csv_report_quotes_every_character_as_the_csv_module_does():
    texts = [chr(c) for c in range(0x250)] + ["\u2028", "\uff1d1", "\U0001F600", " lead", "trail ", "a-b", "-1", "x.y z",
                                               "C-100", "", "tab\tin", "semi;colon", "C\u00e9"]
    texts += [f"a{t}b" for t in texts]
    findings = [Finding(sheet=t, row=k, claim_id=t, column=t, code="CPT001", severity="error", message=t)
                for k, t in enumerate(texts)]
    assert report.to_csv(findings) == reference_csv(findings)
