"""A practice loads an ICD-10-CM fiscal year claimcheck does not ship (FY2027 from 2026-10-01):
CMS's order file (or its ZIP as downloaded) in the tables folder, and the DX rules and CHECK_DX
check that year's dates of service against it instead of noting DX010 on every new code.

The order files here are written in CMS's fixed-width layout (order number, code without its
dot, 0 for a header / 1 for a billable code, short and long descriptions) from a few real
FY2026 codes, with one change made up for the test: F41.8 turned into a category with two new
codes under it, as a fiscal year's update does to a code."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from udfs_env import call, serial  # noqa: I001  (sets the xlwings env vars before xlwings is imported)
from claimcheck import icd10  # noqa: E402
from claimcheck.api import check_book  # noqa: E402
from claimcheck.book import build_book  # noqa: E402
from claimcheck.errors import UnusableInput  # noqa: E402
from claimcheck.tables import load_tables, tables  # noqa: E402
from helpers import claimcheck_cmd, line, raw_tables, write_workbook, CLAIM_HEADERS  # noqa: E402

#: (code, 1 billable / 0 header): FY2026's F41 family, with F41.8 made a category in "FY2027".
FY2027 = [("F41", 0), ("F41.0", 1), ("F41.1", 1), ("F41.3", 1), ("F41.8", 0), ("F41.81", 1), ("F41.89", 1),
          ("F41.9", 1), ("Z00", 0), ("Z00.00", 1)]
FALL, SUMMER = dt.date(2026, 10, 5), dt.date(2026, 9, 30)  # FY2027, FY2026


def order_file(codes) -> str:
    lines = []
    for n, (code, billable) in enumerate(codes, start=1):
        plain = code.replace(".", "")
        lines.append(f"{n:05d} {plain:<7} {billable} {'short description':<60} long description of {code}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "icd10cm_order_2027.txt").write_text(order_file(FY2027), encoding="ascii")
    load_tables.cache_clear()
    yield tmp_path
    load_tables.cache_clear()


def dx_findings(code_tables, dos, dx):
    book = build_book(raw_tables([line(DOS=dos, Dx_Codes=dx)]), code_tables)
    return sorted((f.code, f.message) for f in check_book(book, dt.date(2026, 12, 4)).findings
                  if f.code.startswith("DX"))


def test_the_order_file_reads_as_cms_lays_it_out():
    index = icd10.read_order_file(order_file(FY2027), "icd10cm_order_2027.txt")
    assert index.billable == {"F41.0", "F41.1", "F41.3", "F41.81", "F41.89", "F41.9", "Z00.00"}
    assert index.headers == {"F41", "F41.8", "Z00"}
    assert index.children("F41.8") == ["F41.81", "F41.89"]


def test_without_the_file_a_new_code_is_only_a_note_and_a_retired_one_passes():
    shipped = load_tables()
    assert dx_findings(shipped, FALL, "F41.81") == [("DX010", (
        "F41.81 is not in ICD-10-CM FY2026, the newest code set claimcheck has; the date of service falls in "
        "FY2027: check the code against FY2027's code set"))]
    assert dx_findings(shipped, FALL, "F41.8") == []


def test_with_the_file_a_fall_line_is_checked_against_fy2027(folder):
    loaded = load_tables(str(folder))
    assert set(loaded.diagnoses.own) == {2027}
    assert dx_findings(loaded, FALL, "F41.81") == []
    assert dx_findings(loaded, FALL, "F41.8") == [("DX003", (
        "F41.8 is a category, not a billable code; use a more specific code (e.g. F41.81, F41.89)"))]
    assert dx_findings(loaded, FALL, "F43.10") == [("DX002", (
        "F43.10 is not in ICD-10-CM FY2027 (dates of service 2026-10-01 to 2027-09-30)"))]
    # a September line still answers by FY2026
    assert dx_findings(loaded, SUMMER, "F41.8") == []
    assert dx_findings(loaded, SUMMER, "F41.81")[0][0] == "DX002"


def test_the_zip_as_downloaded_works_and_an_april_update_wins(tmp_path):
    with zipfile.ZipFile(tmp_path / "2027-code-descriptions-tabular-order.zip", "w") as zf:
        zf.writestr("Code Descriptions/icd10cm_order_2027.txt", order_file(FY2027))
        zf.writestr("Code Descriptions/icd10cm_codes_2027.txt", "F4181   not an order file\n")
    (tmp_path / "icd10cm-order-April-2027.txt").write_text(order_file(FY2027 + [("F41.82", 1)]), encoding="ascii")
    found = icd10.read_order_files(tmp_path)
    assert list(found) == [2027] and "F41.82" in found[2027].billable
    (tmp_path / "icd10cm-order-April-2027.txt").unlink()
    assert icd10.read_order_files(tmp_path)[2027].billable == {c for c, b in FY2027 if b}


def test_check_and_check_dx_use_the_tables_folder(folder, tmp_path, monkeypatch):
    book = tmp_path / "book.xlsx"
    row = {**line(DOS=FALL, Dx_Codes="F41.8")}
    write_workbook(book, [[row.get(h) for h in CLAIM_HEADERS]])
    proc = subprocess.run([*claimcheck_cmd(), "check", str(book), "--as-of", "2026-12-04", "--tables", str(folder),
                           "--format", "csv"], capture_output=True, text=True)
    assert "DX003" in proc.stdout and "F41.81, F41.89" in proc.stdout, proc.stdout + proc.stderr
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(folder))
    load_tables.cache_clear()
    assert tables().diagnoses.own
    assert call("CHECK_DX", [["F41.81"]], [[serial(FALL)]]) == [["OK"]]
    assert "category" in call("CHECK_DX", [["F41.8"]], [[serial(FALL)]])[0][0]
    assert call("CHECK_DX", [["F41.8"]], [[serial(SUMMER)]]) == [["OK"]]


def test_a_damaged_order_file_is_one_line_naming_the_file_and_line(folder, tmp_path):
    text = order_file(FY2027).splitlines()
    text[3] = "00004 F413    x Generalized anxiety"
    (folder / "icd10cm_order_2027.txt").write_text("\n".join(text), encoding="ascii")
    with pytest.raises(UnusableInput) as caught:
        load_tables(str(folder))
    assert str(caught.value) == (f"{folder / 'icd10cm_order_2027.txt'} line 4: not a line of an ICD-10-CM order file "
                                 "(order number, code, 0 or 1, descriptions); use the order file from CMS's or "
                                 "CDC's ICD-10-CM page")
    book = tmp_path / "book.xlsx"
    write_workbook(book, [[line().get(h) for h in CLAIM_HEADERS]])
    before = book.read_bytes()
    proc = subprocess.run([*claimcheck_cmd(), "check", str(book), "--tables", str(folder)],
                          capture_output=True, text=True, env={**os.environ, "CLAIMCHECK_TABLES": ""})
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "line 4" in proc.stderr
    assert book.read_bytes() == before


def test_an_appeal_letter_names_a_new_code_by_the_order_file_description(folder):
    from claimcheck.appeals import plan_appeals

    denied = line(DOS=FALL, Dx_Codes="F41.81", Status="Denied", Denial_Codes="CO-50",
                  Denial_Date=dt.date(2026, 11, 2), Claim_ID="C2027")
    book = build_book(raw_tables([denied]), load_tables(str(folder)))
    letters = plan_appeals(book, dt.date(2026, 12, 4)).letters
    text = " ".join(str(v) for letter in letters for row in letter.rows() for v in row if v)
    assert "F41.81 (long description of F41.81)" in text
