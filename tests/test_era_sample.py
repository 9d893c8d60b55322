"""The bundled sample remittance (examples/sample-remit.835): it is what the sample module writes,
and it posts to the bundled sample workbook as the README's tour says, then feeds the appeals."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from claimcheck.workbook_templates import sample_data as S
from tests.helpers import claimcheck_exe

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
REMIT = ROOT / "examples" / "sample-remit.835"


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([claimcheck_exe(), *map(str, args), "--as-of", "2026-06-30"], capture_output=True,
                          text=True, timeout=300)


def test_the_bundled_remittance_is_what_the_sample_module_writes():
    assert REMIT.read_bytes() == S.sample_remittance().encode("ascii"), (
        "regenerate: python -m claimcheck.workbook_templates.sample examples/sample-billing.xlsx")


def test_the_sample_remittance_posts_every_claim_to_the_sample_and_balances(tmp_path):
    out = tmp_path / "posted.xlsx"
    before = SAMPLE.read_bytes()
    proc = run("era", SAMPLE, REMIT, "--output", out, "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert SAMPLE.read_bytes() == before
    report = json.loads(proc.stdout)
    assert report["findings"] == []
    assert [p["balanced"] for p in report["payments"]] == [True, True]
    ws = load_workbook(out)["Claims"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) for name in ("Claim ID", "Status", "Paid Amount", "Patient Responsibility",
                                                 "Denial Codes", "Payer Claim Number")}
    posted = {row[col["Claim ID"]]: row for row in ws.iter_rows(min_row=2, values_only=True)
              if row[col["Claim ID"]] in ("C1010", "C1011", "C1012", "C1304", "C1305")}
    assert {cid: posted[cid][col["Status"]] for cid in posted} == {
        "C1010": "Paid", "C1011": "Denied", "C1012": "Patient Responsibility", "C1304": "Paid", "C1305": "Denied"}
    assert posted["C1010"][col["Paid Amount"]] == 88 and posted["C1010"][col["Patient Responsibility"]] == 20
    assert posted["C1011"][col["Denial Codes"]] == "CO-50"
    assert posted["C1305"][col["Denial Codes"]] == "CO-16, MA130, N290"
    assert posted["C1304"][col["Payer Claim Number"]] == "RBM26161000304"
    # Posting the same file to the posted copy changes nothing.
    again = run("era", out, REMIT, "--output", tmp_path / "again.xlsx", "--format", "json")
    summary = json.loads(again.stdout)["summary"]
    assert again.returncode == 0 and summary["already_posted"] == 5 and summary["cells_changed"] == 0, again.stdout


def test_a_posted_denial_becomes_an_appeal_and_a_missing_field_a_corrected_claim(tmp_path):
    posted = tmp_path / "posted.xlsx"
    assert run("era", SAMPLE, REMIT, "--output", posted).returncode == 0
    proc = run("appeals", posted, "--output", tmp_path / "appeals.xlsx")
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip().startswith(("C1011", "C1305"))}
    assert "appeal written" in lines["C1011"], proc.stdout
    assert "new claim instead" in lines["C1305"], proc.stdout
    assert "Appeal C1011" in load_workbook(tmp_path / "appeals.xlsx", read_only=True).sheetnames


def test_the_era_sheets_print_landscape_with_their_columns_wide_enough(tmp_path):
    posted = tmp_path / "posted.xlsx"
    assert run("era", SAMPLE, REMIT, "--output", posted).returncode == 0
    wb = load_workbook(posted)
    for name, last in (("Remittances", "M"), ("ERA Lines", "V")):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == "$1:$1"
        assert ws.print_area == f"'{name}'!$A$1:${last}${ws.max_row}"
    remittances = wb["Remittances"]
    assert remittances.page_setup.fitToWidth == 1
    payer = [c.value for c in remittances[1]].index("Payer") + 1
    assert remittances.column_dimensions["A"].width >= len("EVERGREEN HEALTH PLAN") and payer == 1
