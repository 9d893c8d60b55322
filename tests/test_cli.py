"""`claimcheck check` and `claimcheck rules` through the installed entry point, on real .xlsx
files: every header synonym and value form of contract section 2, output formats, exit codes,
`--output` copies, and unusable input."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl

from claimcheck import writer
import pytest
from openpyxl.worksheet.table import Table

from helpers import AS_OF, BASE_LINE, CLAIM_HEADERS, NPI_A, as_row, claimcheck_exe, line, write_workbook

D = dt.date
EXE = claimcheck_exe()
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-billing.xlsx"


def run(*args, check_exit=None):
    proc = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=120)
    if check_exit is not None:
        assert proc.returncode == check_exit, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def as_json(path, *extra, exit_code=None):
    proc = run("check", path, "--as-of", AS_OF.isoformat(), "--format", "json", *extra, check_exit=exit_code)
    return json.loads(proc.stdout)


# --------------------------------------------------------------------------- synonyms and values

SYNONYMS = {
    "Claim ID": "claim #", "Client ID": "Patient ID", "Client Name": "PATIENT NAME", "Client DOB": "Date of Birth",
    "Member ID": "Subscriber_ID", "Payer": "Insurance", "Rendering NPI": "Provider NPI", "Billing NPI": "Group NPI",
    "DOS": "Date of Service", "Minutes": "Session Minutes", "CPT": "CPT/HCPCS", "Modifiers": "Mods", "Units": "Qty",
    "Dx Codes": "ICD-10", "POS": "Place of Service", "Charge": "Billed", "Auth Number": "Prior Auth",
    "Status": "Claim Status", "Submitted On": "Submission Date", "Paid Amount": "Paid", "Denial Codes": "CARC",
    "Denial Date": "Denied On", "Payer Claim Number": "ICN", "Appealed On": "Appeal Date", "Appeal Level": "Level",
    "Allowed Amount": "Allowed", "Patient Responsibility": "Patient Resp", "Adjustments": "Adjustment Detail",
    "Remark Codes": "RARC", "Payer Order": "Coverage Order", "Remit Date": "ERA Date", "Line Control Number": "LCN",
}


def test_every_synonym_title_rows_blank_rows_and_value_forms(tmp_path):
    """Synonym headers in another order under two title rows on a sheet named 'claims', with
    blank rows, an extra column, and values in every form a biller types them."""
    order = list(reversed(CLAIM_HEADERS))
    headers = [SYNONYMS[h] for h in order] + ["My Notes"]
    clean = [
        line(Claim_ID="A1", DOS=D(2026, 6, 1)),                                   # an Excel date
        line(Claim_ID="A2", DOS=46175, CPT=90834),                                 # serial, code as number
        line(Claim_ID="A3", DOS="2026-06-03", POS=2, Modifiers="95"),              # ISO text, POS 2 -> 02
        line(Claim_ID="A4", DOS="06/04/2026", Dx_Codes="f411; f331"),              # US text, dx lower, no dot
        line(Claim_ID="A5", DOS=" 6/5/2026 ", Modifiers="HO;XE"),  # stray spaces, ';' modifiers
        line(Claim_ID="  A6 ", DOS=D(2026, 6, 8), Charge="$130.00", Minutes="45 min", Units="1"),
        line(Claim_ID="A7", DOS=D(2026, 6, 9), Rendering_NPI=int(NPI_A), Modifiers="HO XE"),
    ]
    rows = []
    for i, l in enumerate(clean):
        rows.append([l.get(h) for h in order] + [f"note {i}"])
        if i == 2:
            rows.append([None] * len(headers))  # a blank row is skipped
    path = write_workbook(tmp_path / "syn.xlsx", rows, claims_headers=headers, sheet_name="claims",
                          title_rows=[["Spring billing"], []])
    out = as_json(path, exit_code=0)
    assert out["summary"]["lines"] == 7
    assert out["findings"] == []


def test_unreadable_and_error_values_become_findings_on_their_cells(tmp_path):
    rows = [as_row(line(Claim_ID="B1", DOS="31/31/2026")),
            as_row(line(Claim_ID="B2", Minutes="#N/A")),
            as_row(line(Claim_ID="B3", Charge="#VALUE!")),
            as_row(line(Claim_ID="B4", Client_DOB="born Jan 2nd"))]
    path = write_workbook(tmp_path / "bad.xlsx", rows)
    out = as_json(path, exit_code=1)
    got = {(f["row"], f["code"], f["column"]) for f in out["findings"]}
    assert (2, "REQ002", "DOS") in got
    assert (3, "REQ003", "Minutes") in got
    assert (4, "REQ003", "Charge") in got
    assert (5, "REQ002", "Client DOB") in got
    # a private value is never echoed
    assert "born Jan 2nd" not in json.dumps(out)


def test_missing_optional_column_is_reported_once(tmp_path):
    headers = [h for h in CLAIM_HEADERS if h != "Minutes"]
    rows = [[line(Claim_ID=f"M{i}", DOS=D(2026, 6, i + 1)).get(h) for h in headers] for i in range(3)]
    path = write_workbook(tmp_path / "nominutes.xlsx", rows, claims_headers=headers)
    out = as_json(path, exit_code=0)
    req = [f for f in out["findings"] if f["code"] == "REQ004"]
    assert len(req) == 1
    assert req[0]["row"] == 1 and req[0]["column"] == "Minutes"
    assert "CPT002" in req[0]["message"] and "add a 'Minutes' column" in req[0]["message"]


def test_unusable_reference_sheet_is_reported_not_fatal(tmp_path):
    path = write_workbook(tmp_path / "badpayers.xlsx", [as_row(line())], payers=None)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("PAYERS")
    ws.append(["Name", "Days"])
    wb.save(path)
    out = as_json(path, exit_code=0)
    req = [f for f in out["findings"] if f["code"] == "REQ007"]
    assert len(req) == 1 and req[0]["sheet"] == "PAYERS" and "Payer" in req[0]["message"]
    assert [f["code"] for f in out["findings"] if f["code"] != "REQ007"] == ["REQ006"]


def test_excel_table_header_wins_over_a_decoy_row(tmp_path):
    """The header of the Excel Table is the header row, even below the top ten rows and with
    a row above it that also names Claim ID, DOS and CPT."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Spring billing"])
    ws.append(["Claim ID", "DOS", "CPT", "(old layout, ignore)"])
    for _ in range(9):
        ws.append([None])
    ws.append(CLAIM_HEADERS)  # row 12
    ws.append(as_row(line(Claim_ID="T1")))
    ws.add_table(Table(displayName="Claims1", ref="A12:V13"))
    path = tmp_path / "table.xlsx"
    wb.save(path)
    out = as_json(path, exit_code=0)
    assert out["summary"]["lines"] == 1


# --------------------------------------------------------------------------- formats

def test_sample_text_report_names_claims_rows_and_fixes():
    proc = run("check", SAMPLE, "--as-of", "2026-06-30", check_exit=1)
    text = proc.stdout
    assert re.search(r"^\d\d service lines checked: \d+ errors", text, re.M)
    assert "Claim C1101  (row 15)  ERROR" in text
    assert "CPT002  Minutes        90837 needs 53+ minutes; 45 recorded (90834 fits)" in text
    assert "By rule:" in text
    for name in ("Avery Sample", "Jordan Example", "1988-04-12", "04/12/1988"):
        assert name not in text and name not in proc.stderr


def test_json_and_csv_agree(tmp_path):
    js = json.loads(run("check", SAMPLE, "--as-of", "2026-06-30", "--format", "json", check_exit=1).stdout)
    assert set(js) == {"workbook", "as_of", "summary", "findings"}
    assert js["as_of"] == "2026-06-30" and js["workbook"] == "sample-billing.xlsx"
    assert js["summary"]["errors"] == sum(f["severity"] == "error" for f in js["findings"])
    first = js["findings"][0]
    assert set(first) == {"sheet", "row", "claim_id", "column", "code", "severity", "message"}
    rows = list(csv.DictReader(io.StringIO(run("check", SAMPLE, "--as-of", "2026-06-30", "--format", "csv", check_exit=1).stdout)))
    assert [(r["code"], int(r["row"])) for r in rows] == [(f["code"], f["row"]) for f in js["findings"]]


def test_csv_never_emits_a_formula(tmp_path):
    bad = ['=HYPERLINK("http://x")', "+SUM(1,2)", "-2+3", "@cmd"]
    path = write_workbook(tmp_path / "inj.xlsx", [as_row(line(Claim_ID=b, DOS=None)) for b in bad])
    wb = openpyxl.load_workbook(path)
    cell = wb["Claims"]["A2"]
    cell.value, cell.data_type = bad[0], "s"  # text that looks like a formula, not a formula
    wb.save(path)
    rows = list(csv.reader(io.StringIO(run("check", path, "--as-of", "2026-06-30", "--format", "csv").stdout)))
    claim_cells = {r[2] for r in rows[1:] if r[2]}
    assert claim_cells == {"'" + b for b in bad}


def test_as_of_changes_deadlines(tmp_path):
    path = write_workbook(tmp_path / "d.xlsx", [as_row(line(DOS=D(2026, 4, 6)))])
    early = as_json(path, exit_code=0)
    assert [f["code"] for f in early["findings"]] == ["DATE004"]
    late = json.loads(run("check", path, "--as-of", "2026-07-20", "--format", "json", check_exit=1).stdout)
    assert [f["code"] for f in late["findings"]] == ["DATE003"]


def test_rules_lists_every_rule_with_why_and_fix():
    out = run("rules", check_exit=0).stdout
    for code in ("REQ001", "CPT002", "CPT007", "MOD004", "DX003", "POS001", "NPI002", "DATE003", "CHG001", "DUP001"):
        assert code in out
    assert out.count("Why:") == out.count("Fix:") >= 50


# --------------------------------------------------------------------------- --output

def test_output_copy_keeps_everything_and_adds_check_and_findings(tmp_path):
    src = tmp_path / "in.xlsx"
    shutil.copy(SAMPLE, src)
    wb = openpyxl.load_workbook(src)
    ws = wb["Claims"]
    ws["A1"].font = openpyxl.styles.Font(bold=True, color="FFFF0000")  # a biller's style
    from openpyxl.worksheet.datavalidation import DataValidation
    dv = DataValidation(type="list", formula1='"Draft,Ready"')
    ws.add_data_validation(dv)
    dv.add("R2:R61")
    notes = wb.create_sheet("Notes")
    notes["A1"] = "keep me"
    notes["B1"] = "=COUNTA(Claims!A:A)"  # a biller's formula
    from openpyxl.workbook.defined_name import DefinedName
    wb.defined_names["FeeTable"] = DefinedName("FeeTable", attr_text="Payers!$A$1:$C$5")
    wb.save(src)
    before = sha(src)

    out = tmp_path / "out.xlsx"
    proc = run("check", src, "--as-of", "2026-06-30", "--output", out, check_exit=1)
    assert sha(src) == before, "the input must never change"
    assert f"Wrote {out}" in proc.stdout

    res = openpyxl.load_workbook(out)
    claims = res["Claims"]
    headers = [c.value for c in claims[1]]
    assert "Check" in headers
    col = headers.index("Check") + 1
    assert claims.cell(row=15, column=col).value.startswith("CPT002: 90837 needs 53+ minutes")
    assert claims.cell(row=2, column=col).value == "OK"
    assert claims.cell(row=15, column=col).fill.start_color.rgb == "FFF4C7CE"
    assert claims["A1"].font.bold and claims["A1"].font.color.rgb == "FFFF0000"
    assert res["Notes"]["A1"].value == "keep me" and res["Notes"]["B1"].value == "=COUNTA(Claims!A:A)"
    assert "FeeTable" in res.defined_names
    assert any(d.sqref and "R2:R61" in str(d.sqref) for d in claims.data_validations.dataValidation)
    table = claims.tables["ClaimsTable"]
    assert table.ref.startswith("A1:") and table.tableColumns[-1].name == "Check"
    findings = res["Findings"]
    assert [c.value for c in findings[1]] == writer.FINDINGS_HEADERS
    assert [c.value for c in findings[1]][:9] == ["Claim ID", "Client ID", "Payer", "DOS", "CPT", "Charge", "Code",
                                                  "Severity", "Message"]
    js = as_json(src, exit_code=1)
    assert findings.max_row - 1 == len(js["findings"])

    # running again on the copy refreshes Check instead of adding a second column
    out2 = tmp_path / "out2.xlsx"
    run("check", out, "--as-of", "2026-06-30", "--output", out2, check_exit=1)
    again = [c.value for c in openpyxl.load_workbook(out2)["Claims"][1]]
    assert again.count("Check") == 1


def test_output_equal_to_input_is_refused(tmp_path):
    src = tmp_path / "same.xlsx"
    shutil.copy(SAMPLE, src)
    before = sha(src)
    proc = run("check", src, "--output", src, check_exit=2)
    assert "never overwrites the input" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert sha(src) == before


def test_output_keeps_vba_of_xlsm(tmp_path):
    from claimcheck.addin.vba_project import VbaModule, build_vba_project
    import xlsxwriter

    vba = build_vba_project([VbaModule(name="Module1", source='Sub Hello()\n    MsgBox "hi"\nEnd Sub\n')])
    (tmp_path / "vbaProject.bin").write_bytes(vba)
    src = tmp_path / "macro.xlsm"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Claims")
    ws.write_row(0, 0, CLAIM_HEADERS)
    ws.write_row(1, 0, [v if not isinstance(v, dt.date) else v.isoformat() for v in as_row(BASE_LINE)])
    wb.add_vba_project(str(tmp_path / "vbaProject.bin"))
    wb.close()
    out = tmp_path / "macro-out.xlsm"
    run("check", src, "--as-of", "2026-06-30", "--output", out, check_exit=0)
    import zipfile
    assert zipfile.ZipFile(out).read("xl/vbaProject.bin") == zipfile.ZipFile(src).read("xl/vbaProject.bin")


# --------------------------------------------------------------------------- unusable input

def _one_line_exit_2(proc, *words):
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for w in words:
        assert w in lines[0]


def test_missing_file(tmp_path):
    _one_line_exit_2(run("check", tmp_path / "nope.xlsx"), "file not found")


def test_csv_renamed_as_xlsx(tmp_path):
    p = tmp_path / "fake.xlsx"
    p.write_text("Claim ID,DOS,CPT\nC1,2026-01-05,90834\n")
    _one_line_exit_2(run("check", p), "not an Excel workbook", "save it as .xlsx")


def test_no_claims_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(CLAIM_HEADERS)
    p = tmp_path / "noclaims.xlsx"
    wb.save(p)
    _one_line_exit_2(run("check", p), "no Claims sheet", "Sheet1")


def test_missing_required_header_is_named(tmp_path):
    headers = [h for h in CLAIM_HEADERS if h != "CPT"]
    p = write_workbook(tmp_path / "nocpt.xlsx", [[1] * len(headers)], claims_headers=headers)
    _one_line_exit_2(run("check", p), "CPT")


def test_empty_claims_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Claims"
    p = tmp_path / "empty.xlsx"
    wb.save(p)
    _one_line_exit_2(run("check", p), "empty")


def test_bad_as_of(tmp_path):
    _one_line_exit_2(run("check", SAMPLE, "--as-of", "30/06/2026"), "--as-of", "YYYY-MM-DD")


@pytest.mark.parametrize("fmt", ["json", "csv", "text"])
def test_clean_workbook_exits_zero(tmp_path, fmt):
    p = write_workbook(tmp_path / "clean.xlsx", [as_row(line())])
    proc = run("check", p, "--as-of", "2026-06-30", "--format", fmt, check_exit=0)
    if fmt == "text":
        assert "No problems found" in proc.stdout


def _run_with_terminal_stderr(*args):
    """Run claimcheck with stderr on a pseudo-terminal (as in a biller's console)."""
    import os
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([EXE, *map(str, args)], stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    out = proc.stdout.read()
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_and_quiet_otherwise(tmp_path):
    rows = [as_row(line(Claim_ID=f"P{i}", Client_ID=f"CL{i}", Member_ID=f"M{i}")) for i in range(5200)]
    path = write_workbook(tmp_path / "big.xlsx", rows)
    code, out, err = _run_with_terminal_stderr("check", path, "--as-of", "2026-06-30", "--format", "json")
    assert code == 0
    assert "checking 5,200 lines" in err and "rules" in err
    assert json.loads(out)["summary"]["lines"] == 5200  # stdout stays clean JSON
    quiet = run("check", path, "--as-of", "2026-06-30", "--format", "json", check_exit=0)
    assert quiet.stderr == ""


@pytest.mark.parametrize("command", ["check", "appeals"])
def test_a_reader_that_goes_away_does_not_stop_the_work(tmp_path, command):
    """`claimcheck appeals ... | head`: once nobody reads the printout, the command still writes
    its --output copy and exits with its own code, with nothing on stderr (no "Broken pipe")."""
    out = tmp_path / "out.xlsx"
    proc = subprocess.Popen([claimcheck_exe(), command, str(SAMPLE), "--as-of", "2026-06-30", "--output", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == 1 and err == b"", err
    assert openpyxl.load_workbook(out, read_only=True).sheetnames[0] == "Claims"
