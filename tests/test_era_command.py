"""``claimcheck era``: posting 835 files to a copy of the workbook (claimcheck.era.command and
claimcheck.era.workbook): the sheets it writes, exit codes, the input never changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from claimcheck import columns as C
from tests.helpers import as_row, claimcheck_exe, line, write_workbook

FIXTURES = Path(__file__).parent / "fixtures" / "era"
LINES = [
    line(Claim_ID="CC-1001", CPT="90834", DOS=dt.date(2026, 11, 10), Status="Submitted"),  # row 2
    line(Claim_ID="CC-1003", CPT="90791", DOS=dt.date(2026, 11, 12)),                      # row 3
    line(Claim_ID="CC-1003", CPT="90785", DOS=dt.date(2026, 11, 12)),                      # row 4
    line(Claim_ID="CC-1002", CPT="90837", Modifiers="HO", DOS=dt.date(2026, 11, 11)),      # row 5
]


def fx(*names: str) -> list[str]:
    return [str(FIXTURES / n) for n in names]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def era(*args) -> subprocess.CompletedProcess:
    return subprocess.run([claimcheck_exe(), "era", *map(str, args), "--as-of", "2026-12-10"],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def workbook(tmp_path):
    return write_workbook(tmp_path / "claims.xlsx", [as_row(l) for l in LINES])


def claims_values(path: Path) -> list[tuple]:
    ws = load_workbook(path)["Claims"]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def sheet_rows(path: Path, name: str) -> list[tuple]:
    return [r for r in load_workbook(path)[name].iter_rows(min_row=2, values_only=True)]


def header_index(path: Path) -> dict[str, int]:
    ws = load_workbook(path)["Claims"]
    return {c.value: c.column for c in ws[1] if c.value}


def test_posts_to_a_copy_and_prints_claims_and_payments(workbook, tmp_path):
    out = tmp_path / "posted.xlsx"
    before = digest(workbook)
    proc = era(workbook, *fx("paid.835", "partly_paid.835"), "--output", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert digest(workbook) == before  # the input is never changed
    assert "CC-1001  payment EFT0000101  paid 110.00: Paid" in proc.stdout
    assert "EFT0000103  EXAMPLE HEALTH PLAN  2026-12-05  paid 120.00; claims 120.00 less provider " \
           "adjustments 0.00 = 120.00: balanced" in proc.stdout
    ws = load_workbook(out)["Claims"]
    col = header_index(out)
    assert ws.cell(row=2, column=col["Status"]).value == "Paid"
    assert ws.cell(row=2, column=col["Paid Amount"]).value == 110
    assert ws.cell(row=4, column=col["Status"]).value == "Denied"
    assert ws.cell(row=4, column=col["Denial Codes"]).value == "CO-97, M80"
    assert ws.cell(row=4, column=col["Denial Date"]).value == dt.datetime(2026, 12, 5)
    assert ws.cell(row=3, column=col["Adjustments"]).value == "CO-45 60.00"
    assert ws.max_row == 1 + len(LINES)
    remits = sheet_rows(out, "Remittances")
    assert [(r[2], r[5], r[9]) for r in remits] == [("EFT0000101", 110, "Yes"), ("EFT0000103", 120, "Yes")]
    lines = sheet_rows(out, "ERA Lines")
    assert [(r[0], r[3], r[6]) for r in lines] == [
        ("EFT0000101|CC-1001|PCN0001001", 2, "90834"), ("EFT0000103|CC-1003|PCN0001003", 3, "90791"),
        ("EFT0000103|CC-1003|PCN0001003", 4, "90785")]


def test_posting_the_output_again_with_the_same_file_changes_nothing(workbook, tmp_path):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert era(workbook, *fx("plb_remarks.835", "denied.835"), "--output", first).returncode == 1
    proc = era(first, *fx("plb_remarks.835", "denied.835"), "--output", second, "--format", "json")
    report = json.loads(proc.stdout)
    assert report["summary"]["posted"] == 0 and report["summary"]["cells_changed"] == 0
    assert report["summary"]["already_posted"] == 2 and report["summary"]["unmatched"] == 1
    for name in ("Claims", "Remittances", "ERA Lines", "ERA Unmatched"):
        assert sheet_rows(second, name) == sheet_rows(first, name), name


def test_a_later_correction_replaces_the_earlier_posting_and_says_so(workbook, tmp_path):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert era(workbook, *fx("paid.835"), "--output", first).returncode == 0
    proc = era(first, *fx("reversal_correction.835"), "--output", second, "--format", "json")
    assert proc.returncode == 0, proc.stdout
    report = json.loads(proc.stdout)
    assert [f["code"] for f in report["findings"]] == ["ERA006", "ERA006"]
    assert "EFT0000101|CC-1001|PCN0001001" in report["findings"][0]["message"]
    col = header_index(second)
    ws = load_workbook(second)["Claims"]
    assert ws.cell(row=2, column=col["Paid Amount"]).value == 95
    assert ws.cell(row=2, column=col["Payer Claim Number"]).value == "PCN0001001A"
    assert ws.cell(row=2, column=col["Status"]).value == "Paid"


def test_a_typed_value_is_never_overwritten_and_exit_1_names_both_values(tmp_path):
    typed = [dict(LINES[0], **{"Paid Amount": 100, "Denial Codes": None})] + LINES[1:]
    wb = write_workbook(tmp_path / "typed.xlsx", [as_row(l) for l in typed])
    out = tmp_path / "out.xlsx"
    proc = era(wb, *fx("paid.835"), "--output", out)
    assert proc.returncode == 1
    assert "ERA001 [warning] row 2: Paid Amount: typed 100.00, the remittance says 110.00" in proc.stdout
    ws = load_workbook(out)["Claims"]
    assert ws.cell(row=2, column=header_index(out)["Paid Amount"]).value == 100
    (posted,) = sheet_rows(out, "ERA Lines")
    assert posted[-1] == "kept the typed Paid Amount 100.00 (remittance: 110.00)"


def test_unmatched_claims_are_listed_not_added_to_claims_and_exit_1(workbook, tmp_path):
    out = tmp_path / "out.xlsx"
    proc = era(workbook, *fx("plb_remarks.835"), "--output", out)
    assert proc.returncode == 1
    assert "CC-1005  payment EFT0000106  paid 1800.00: no claim with this Claim ID; listed on ERA Unmatched" in proc.stdout
    (row,) = sheet_rows(out, "ERA Unmatched")
    assert row[4] == "CC-1005" and row[6] == "Claim" and row[10] == 1800
    assert "CC-1005" not in [r[0] for r in claims_values(out)]


def test_an_out_of_balance_payment_is_exit_1_and_marked(workbook, tmp_path):
    bad = tmp_path / "short.835"
    bad.write_text((FIXTURES / "paid.835").read_text().replace("BPR*I*110.00*", "BPR*I*100.00*"))
    out = tmp_path / "out.xlsx"
    proc = era(workbook, bad, "--output", out)
    assert proc.returncode == 1 and "OUT OF BALANCE by -10.00" in proc.stdout
    (row,) = sheet_rows(out, "Remittances")
    assert row[9] == "No" and row[10] == -10


@pytest.mark.parametrize("name, says", [
    ("truncated.835", "truncated.835: the file is cut short"),
    ("claim_837.x12", "claim_837.x12: "),
    ("ack_999.x12", "ack_999.x12: "),
])
def test_unusable_remittance_is_one_line_exit_2_and_nothing_written(workbook, tmp_path, name, says):
    out = tmp_path / "out.xlsx"
    proc = era(workbook, *fx("paid.835", name), "--output", out)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("claimcheck: " + says) and proc.stderr.count("\n") == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [workbook]


def test_unreadable_workbook_and_output_over_input_are_exit_2(workbook, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    proc = era(junk, *fx("paid.835"), "--output", tmp_path / "o.xlsx")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and not (tmp_path / "o.xlsx").exists()
    before = digest(workbook)
    proc = era(workbook, *fx("paid.835"), "--output", workbook)
    assert proc.returncode == 2 and "never overwrites the input" in proc.stderr
    assert digest(workbook) == before


def test_template_workbook_keeps_its_table_and_formats(tmp_path):
    from claimcheck.workbook_templates.build import build_workbook

    book = build_workbook(tmp_path / "new.xlsx", sample=True)
    ws = load_workbook(book)["Claims"]
    col = {c.value: c.column for c in ws[1] if c.value}
    first = ws.cell(row=2, column=col["Claim ID"]).value
    dos = ws.cell(row=2, column=col["DOS"]).value.date()
    code = ws.cell(row=2, column=col["CPT"]).value
    mods = ws.cell(row=2, column=col["Modifiers"]).value
    text = (FIXTURES / "paid.835").read_text().replace("CC-1001", first).replace(
        "20261110", dos.strftime("%Y%m%d")).replace("HC:90834", "HC:" + code + (":" + mods if mods else ""))
    era_file = tmp_path / "one.835"
    era_file.write_text(text)
    out = tmp_path / "out.xlsx"
    proc = era(book, era_file, "--output", out)
    assert proc.returncode in (0, 1), proc.stderr
    posted = load_workbook(out)["Claims"]
    assert list(posted.tables) == list(ws.tables) and posted.tables[next(iter(ws.tables))].ref == \
        ws.tables[next(iter(ws.tables))].ref
    assert all(h in col for h in C.CLAIM_HEADERS)  # the template has every posted column
    assert posted.cell(row=2, column=col["Remit Date"]).value == dt.datetime(2026, 12, 5)
    typed = ws.cell(row=2, column=col["Payer Claim Number"]).value
    if typed:  # the sample's own number differs from the remittance's: kept and reported
        assert posted.cell(row=2, column=col["Payer Claim Number"]).value == typed
        assert f"kept typed Payer Claim Number {typed}" in proc.stdout
    assert posted.cell(row=2, column=col["Allowed Amount"]).number_format == "#,##0.00"


def test_a_workbook_without_the_new_columns_gets_them_with_its_header_look(tmp_path):
    headers = C.CLAIM_HEADERS[:C.CLAIM_HEADERS.index("Payer Claim Number") + 1]
    wb = write_workbook(tmp_path / "old.xlsx", [as_row(l, headers) for l in LINES], claims_headers=headers)
    from openpyxl import load_workbook as load

    typed = load(wb)
    paid = typed["Claims"].cell(row=2, column=headers.index("Paid Amount") + 1)
    paid.number_format = '"$"#,##0.000'  # the biller's own format
    typed.save(wb)
    out = tmp_path / "out.xlsx"
    assert era(wb, *fx("paid.835"), "--output", out).returncode == 0
    col = header_index(out)
    cell = load_workbook(out)["Claims"].cell(row=2, column=col["Paid Amount"])
    assert cell.value == 110 and cell.number_format == '"$"#,##0.000'

    assert [h for h in col if h not in headers] == ["Allowed Amount", "Patient Responsibility", "Adjustments",
                                                     "Payer Order", "Remit Date"]
    ws = load_workbook(out)["Claims"]
    assert ws.cell(row=2, column=col["Allowed Amount"]).value == 110
    assert ws.cell(row=2, column=col["Remit Date"]).number_format == "mm/dd/yyyy"


def test_the_fee_schedule_sheet_finds_an_underpayment(workbook, tmp_path):
    wb = load_workbook(workbook)
    fees = wb.create_sheet("Fee Schedule")
    for row in (("Payer", "Code", "Modifier", "Contracted Amount"), ("Acme Health", "90834", None, 125)):
        fees.append(row)
    wb.save(workbook)
    proc = era(workbook, *fx("paid.835"), "--output", tmp_path / "out.xlsx", "--format", "json")
    assert proc.returncode == 0, proc.stdout  # an underpayment is work to do, not a posting problem
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["code"] == "ERA008" and "15.00 under contract" in finding["message"]
