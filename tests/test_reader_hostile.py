"""Hostile workbooks as real practices have them (issue 21): stray cells far out, formulas
never calculated, damaged parts, tables with a totals row, sheets whose names read the same.

Each workbook is built here from the sample with openpyxl or zip edits.  A reader abort
kills the interpreter, so the stray-cell checks run ``claimcheck`` in a child process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
AS_OF = "2026-06-30"

#: Runs the command line in this child and reports its own peak memory on the last stderr line.
_CHILD = (
    "import resource, sys\n"
    "from claimcheck.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "    rc = 0\n"
    "except SystemExit as exc:\n"
    "    rc = exc.code if isinstance(exc.code, int) else 2\n"
    # VmHWM is this program's own peak; Linux carries ru_maxrss over from the parent through
    # exec, so a child of a large test process would report the parent's size.
    "try:\n"
    "    peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "except (OSError, StopIteration):\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "sys.stderr.write(f'\\npeak-kb {peak}\\n')\n"
    "sys.exit(rc)\n"
)


def run_check(path: Path, *extra: str) -> tuple[int, dict | None, str, int]:
    """(exit code, the JSON report or None, stderr without the memory line, peak memory in KB)."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, "check", str(path), "--as-of", AS_OF, "--format", "json", *extra],
                          capture_output=True, text=True, timeout=600)
    err = proc.stderr.rstrip().splitlines()
    peak = int(err[-1].split()[1]) if err and err[-1].startswith("peak-kb ") else -1
    report = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else None
    return proc.returncode, report, "\n".join(err[:-1]), peak


def sample_with(tmp_path: Path, name: str, edit) -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    edit(wb)
    out = tmp_path / name
    wb.save(out)
    return out


# --------------------------------------------------------------------------- 1. stray cells far out


@pytest.mark.parametrize("cell", ["XFD1048576", "NTP200000"])
def test_a_stray_value_far_out_never_aborts_the_process(tmp_path, cell):
    path = sample_with(tmp_path, f"stray-{cell}.xlsx", lambda wb: wb["Claims"].__setitem__(cell, "x"))
    rc, report, err, _ = run_check(path)
    assert rc in (0, 1), f"exit {rc}: {err[-500:]}"
    _, plain, _, _ = run_check(SAMPLE)
    # The stray value is past the last header column: the findings are the sample's own.
    assert report["summary"] == plain["summary"]


def test_a_stray_value_at_the_last_row_is_read_as_a_line_in_bounded_memory(tmp_path):
    path = sample_with(tmp_path, "stray-A1048576.xlsx", lambda wb: wb["Claims"].__setitem__("A1048576", "x"))
    rc, report, err, peak = run_check(path)
    assert rc == 1, err
    rows = {f["row"] for f in report["findings"] if f["code"] == "REQ001"}
    assert 1048576 in rows  # the stray Claim ID is a line with its required values missing
    # Reading the whole grid took 1.3 GB; the bounded read takes the sample's ~150 MB.
    assert 0 < peak < 500_000, f"peak memory {peak} KB"


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_a_dimension_claiming_the_whole_grid_is_read_bounded(tmp_path, engine):
    import zipfile

    src = sample_with(tmp_path, "plain.xlsx", lambda wb: None)
    path = tmp_path / "dimension.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                import re

                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data, count=1)
            zout.writestr(info, data)
    from claimcheck.api import check_workbook

    plain = check_workbook(src, as_of=__import__("datetime").date(2026, 6, 30), engine=engine)
    result = check_workbook(path, as_of=__import__("datetime").date(2026, 6, 30), engine=engine)
    assert [f.as_dict() for f in result.findings] == [f.as_dict() for f in plain.findings]


# --------------------------------------------------------------------------- 2. formulas never calculated

DOS_COL = "I"  # the sample's DOS column


def _dos_as_formulas(kind: str):
    """Every DOS on Claims as a formula (written by openpyxl: no cached value)."""
    def edit(wb):
        ws = wb["Claims"]
        for row in range(2, ws.max_row + 1):
            cell = ws[f"{DOS_COL}{row}"]
            day = cell.value
            if not hasattr(day, "year"):
                continue  # the sample's blank and unreadable dates stay as they are
            if kind == "date":
                cell.value = f"=DATE({day.year},{day.month},{day.day})"
            else:  # a reference: never worked out here
                ws[f"Z{row}"] = day
                cell.value = f"=Z{row}"
    return edit


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_formulas_never_calculated_are_not_reported_as_empty(tmp_path, engine):
    from claimcheck.api import check_workbook
    import datetime as dt

    path = sample_with(tmp_path, "formulas.xlsx", _dos_as_formulas("reference"))
    result = check_workbook(path, as_of=dt.date(2026, 6, 30), engine=engine)
    empty_dos = [f for f in result.findings if f.code == "REQ001" and f.message.startswith("DOS is empty")]
    assert empty_dos == []
    said = [f for f in result.findings if f.code == "REQ008"]
    assert len(said) == 1 and said[0].sheet == "Claims" and said[0].row is None
    assert "formulas Excel has not calculated yet" in said[0].message and "I2" in said[0].message


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_a_date_formula_with_constants_is_worked_out(tmp_path, engine):
    from claimcheck.api import check_workbook
    import datetime as dt

    day = dt.date(2026, 6, 30)
    path = sample_with(tmp_path, "dates.xlsx", _dos_as_formulas("date"))
    result = check_workbook(path, as_of=day, engine=engine)
    plain = check_workbook(SAMPLE, as_of=day, engine=engine)
    others = [f.as_dict() for f in result.findings if f.code != "REQ008"]
    assert others == [f.as_dict() for f in plain.findings]  # the same findings as with typed dates
    said = [f for f in result.findings if f.code == "REQ008"]
    assert len(said) == 1 and "worked out" in said[0].message


def test_only_safe_formulas_are_worked_out():
    from claimcheck.extent import safe_value
    import datetime as dt

    assert safe_value("DATE(2026,5,1)") == dt.datetime(2026, 5, 1)
    assert safe_value("(60 + 30) / 2") == 45
    assert safe_value("150*1.5") == 225
    for unsafe in ("DATE(2026,2,30)", "A1+1", "SUM(1,2)", "1/0", "__import__('os')", "2**3", "TODAY()", "DATE(Y1,1,1)"):
        assert safe_value(unsafe) is None, unsafe


# --------------------------------------------------------------------------- 3. damaged parts


def damaged(tmp_path: Path, part: str, how: str) -> Path:
    """The sample with one worksheet part removed (``missing``) or cut in half (``cut``)."""
    import zipfile

    out = tmp_path / f"damaged-{how}.xlsx"
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                if how == "missing":
                    continue
                data = data[: len(data) // 2]
            zout.writestr(info, data)
    return out


PAYERS_PART = "xl/worksheets/sheet3.xml"  # the sample's Payers sheet
CLAIMS_PART = "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
@pytest.mark.parametrize("how", ["missing", "cut"])
def test_a_damaged_reference_sheet_is_a_finding_naming_it(tmp_path, engine, how):
    from claimcheck.api import check_workbook
    import datetime as dt

    result = check_workbook(damaged(tmp_path, PAYERS_PART, how), as_of=dt.date(2026, 6, 30), engine=engine)
    req7 = [f for f in result.findings if f.code == "REQ007"]
    assert len(req7) == 1 and req7[0].sheet == "Payers"
    assert "the Payers sheet is damaged" in req7[0].message


@pytest.mark.parametrize("how", ["missing", "cut"])
def test_a_damaged_claims_sheet_is_refused_saying_so(tmp_path, how):
    proc = subprocess.run([sys.executable, "-m", "claimcheck.cli", "check", str(damaged(tmp_path, CLAIMS_PART, how)),
                           "--as-of", AS_OF], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "the Claims sheet is damaged" in lines[0], proc.stderr


def test_appeals_never_exits_0_over_a_damaged_sheet(tmp_path):
    # As of this day the sample has no missed appeal deadline: appeals exits 0 on it.
    args = ["--as-of", "2026-04-15", "--output"]
    ok = subprocess.run([sys.executable, "-m", "claimcheck.cli", "appeals", str(SAMPLE), *args, str(tmp_path / "a.xlsx")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "claimcheck.cli", "appeals", str(damaged(tmp_path, PAYERS_PART, "missing")),
                          *args, str(tmp_path / "b.xlsx")], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "the Payers sheet is damaged" in bad.stderr


# --------------------------------------------------------------------------- 4. totals rows


def _with_table_totals(wb):
    ws = wb["Claims"]
    table = ws.tables["ClaimsTable"]
    last = ws.max_row + 1
    ws[f"A{last}"] = "Total"
    ws[f"P{last}"] = f"=SUBTOTAL(109,P2:P{last - 1})"  # Charge
    ws[f"M{last}"] = 99  # Units: a value a line could hold
    table.ref = f"A1:V{last}"
    table.totalsRowCount = 1
    table.autoFilter.ref = f"A1:V{last - 1}"


def _with_total_outside_a_table(wb):
    ws = wb["Claims"]
    del ws.tables["ClaimsTable"]
    last = ws.max_row + 1
    ws[f"A{last}"] = "Totals:"
    ws[f"P{last}"] = 12345


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
@pytest.mark.parametrize("edit", [_with_table_totals, _with_total_outside_a_table], ids=["table", "outside"])
def test_a_totals_row_is_not_checked_as_a_claim_line(tmp_path, engine, edit):
    from claimcheck.api import check_workbook
    import datetime as dt

    last = openpyxl.load_workbook(SAMPLE)["Claims"].max_row + 1
    path = sample_with(tmp_path, "totals.xlsx", edit)
    result = check_workbook(path, as_of=dt.date(2026, 6, 30), engine=engine)
    assert [f for f in result.findings if f.row == last] == []
    assert last not in set(result.book.claims["row"])
    note = [f for f in result.findings if f.code == "REQ009"]
    assert len(note) == 1 and f"row {last}" in note[0].message and note[0].severity == "info"
    plain = check_workbook(SAMPLE, as_of=dt.date(2026, 6, 30), engine=engine)
    assert [f.as_dict() for f in result.findings if f.code != "REQ009"] == [f.as_dict() for f in plain.findings]


def test_a_last_line_that_is_a_real_claim_is_kept(tmp_path):
    from claimcheck.reader import RawTable, skip_totals

    table = RawTable(sheet="Claims", kind="Claims", header_row=1, headers=["Claim ID"], positions={"claim_id": 0},
                     rows=[(2, ("C1",)), (3, ("Total care",))])
    skip_totals(table)
    assert [n for n, _ in table.rows] == [2, 3] and table.skipped == []


# --------------------------------------------------------------------------- 5. names that read the same


def _with_decoy(name: str, rename: str | None = None):
    """A second sheet whose name reads as Claims (a copy of Claims with its IDs changed), after it."""
    def edit(wb):
        decoy = wb.copy_worksheet(wb["Claims"])
        decoy.title = name
        for row in range(2, decoy.max_row + 1):
            decoy[f"A{row}"] = f"X{row}"
            decoy[f"I{row}"] = None  # every DOS empty: errors on each line if this sheet were checked
        if rename:
            wb["Claims"].title = rename
    return edit


@pytest.mark.parametrize("decoy", ["Claims.", "Claims ", " CLAIMS_"])
def test_the_exactly_named_sheet_wins_and_gets_the_check_column(tmp_path, decoy):
    from claimcheck.reader import read_workbook

    path = sample_with(tmp_path, "two.xlsx", _with_decoy(decoy))
    assert read_workbook(path)["Claims"].sheet == "Claims"
    out = tmp_path / "out.xlsx"
    proc = subprocess.run([sys.executable, "-m", "claimcheck.cli", "check", str(path), "--as-of", AS_OF,
                           "--output", str(out)], capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    wb = openpyxl.load_workbook(out)
    assert "Check" in [c.value for c in wb["Claims"][1]]
    assert "Check" not in [c.value for c in wb[decoy][1]]


def test_two_sheets_neither_named_exactly_are_refused_naming_both(tmp_path):
    # Excel's sheet names ignore case, so "CLAIMS" would be the exact name; "Claims " is not.
    path = sample_with(tmp_path, "two.xlsx", _with_decoy("Claims.", rename="Claims "))
    out = tmp_path / "out.xlsx"
    proc = subprocess.run([sys.executable, "-m", "claimcheck.cli", "check", str(path), "--as-of", AS_OF,
                           "--output", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "'Claims '" in lines[0] and "'Claims.'" in lines[0], proc.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- 8. messages


def _zip_edit(tmp_path: Path, name: str, change) -> Path:
    """The sample with each part passed through ``change(part name, bytes)`` (None drops it)."""
    import zipfile

    out = tmp_path / name
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)
    return out


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "claimcheck.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=600)


def test_a_strict_open_xml_workbook_is_named_with_how_to_re_save_it(tmp_path):
    def strict(name, data):
        if name.endswith((".xml", ".rels")):
            data = data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                b"http://purl.oclc.org/ooxml/spreadsheetml/main")
            data = data.replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                b"http://purl.oclc.org/ooxml/officeDocument/relationships")
        return data

    path = _zip_edit(tmp_path, "strict.xlsx", strict)
    for args in (["check", path], ["appeals", path, "--output", tmp_path / "out.xlsx"]):
        proc = cli(*args)
        assert proc.returncode == 2
        line, = proc.stderr.splitlines()
        assert "Strict Open XML" in line and "Save As" in line and "Excel Workbook (*.xlsx)" in line, line


@pytest.mark.parametrize("part", ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet1.xml"])
def test_an_unreadable_workbook_gets_one_wording_from_check_output_and_appeals(tmp_path, part):
    """A damaged sheet that stops the full copy: the same line from both commands (appeals said
    'internal error (ParseError)'), naming the damaged sheet."""
    path = _zip_edit(tmp_path, "damaged.xlsx", lambda name, data: b"\x00 not xml" if name == part else data)
    check = cli("check", path, "--as-of", AS_OF, "--output", tmp_path / "c.xlsx")
    appeals = cli("appeals", path, "--as-of", AS_OF, "--output", tmp_path / "a.xlsx")
    assert check.returncode == appeals.returncode == 2
    assert check.stderr == appeals.stderr
    line, = check.stderr.splitlines()
    assert "sheet is damaged" in line and "internal error" not in line, line


def test_a_missing_claims_part_says_the_sheet_is_damaged_in_every_command(tmp_path):
    path = _zip_edit(tmp_path, "no-claims-part.xlsx", lambda name, data: None if name == "xl/worksheets/sheet1.xml" else data)
    for args in (["check", path], ["check", path, "--output", tmp_path / "c.xlsx"],
                 ["appeals", path, "--output", tmp_path / "a.xlsx"]):
        proc = cli(*args)
        assert proc.returncode == 2
        line, = proc.stderr.splitlines()
        assert "the Claims sheet is damaged" in line and "no Claims sheet" not in line, line


def test_sheet_names_in_messages_are_shown_only_when_they_read_as_sheet_names():
    from claimcheck.reader import sheet_list

    assert sheet_list([]) == "no sheets"
    assert sheet_list(["Sheet1", "Lists", "Claims 2025"]) == "Sheet1, Lists, Claims 2025"
    assert sheet_list(["Sheet1", "Jane Doe", "Doe, Jane 1984-02-03", "Lists"]) == "Sheet1, Lists and 2 other sheets"
    assert sheet_list(["Jane Doe"]) == "1 sheet"
    assert sheet_list([f"Sheet{i}" for i in range(1, 9)]) == "Sheet1, Sheet2, Sheet3, Sheet4, Sheet5 and 3 other sheets"
    assert sheet_list(["Claims " + "Jan " * 20]) == ["Claims " + "Jan " * 20][0][:31]


def test_a_sheet_named_after_a_client_never_appears_in_the_no_claims_sheet_message(tmp_path):
    def edit(wb):
        wb["Claims"].title = "Doe, Jane"
        wb["Payers"].title = "Sheet1"

    path = sample_with(tmp_path, "client-sheet.xlsx", edit)
    proc = cli("check", path)
    assert proc.returncode == 2
    line, = proc.stderr.splitlines()
    assert "no Claims sheet (found: Authorizations, Sheet1, Providers, Practice and " in line and "Doe" not in line and "Jane" not in line, line

    from claimcheck.addin import buttons
    from claimcheck.addin.workbook_port import MemoryWorkbook

    wb = MemoryWorkbook({"Doe, Jane": [["Claim ID"]], "Sheet1": [["x"]]})
    text = buttons.run("validate_claims", wb)
    assert "found: Sheet1 and 1 other sheet" in text and "Jane" not in text, text


# --------------------------------------------------------------------------- 10. a units row under the headers


def _with_units_row(wb):
    from openpyxl.utils import get_column_letter
    from claimcheck.workbook_file import range_boundaries

    ws = wb["Claims"]
    ws.insert_rows(2)
    units = {"Units": "minutes", "Charge": "$", "DOS": "(MM/DD/YYYY)", "Claim ID": "(from the EHR)"}
    for c in range(1, ws.max_column + 1):
        header = ws.cell(row=1, column=c).value
        if header in units:
            ws.cell(row=2, column=c, value=units[header])
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row + 1}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_a_units_row_under_the_headers_is_a_second_header_row_with_a_note(tmp_path, engine):
    import datetime as dt
    from collections import Counter

    from claimcheck.api import check_workbook

    path = sample_with(tmp_path, "units.xlsx", _with_units_row)
    result = check_workbook(path, as_of=dt.date(2026, 6, 30), engine=engine)
    assert [f for f in result.findings if f.row == 2] == []
    assert 2 not in set(result.book.claims["row"])
    note, = [f for f in result.findings if f.code == "REQ009"]
    assert "row 2 is a second header row" in note.message and note.severity == "info"
    plain = check_workbook(SAMPLE, as_of=dt.date(2026, 6, 30), engine=engine)
    assert Counter((f.code, f.claim_id) for f in result.findings if f.code != "REQ009") == \
        Counter((f.code, f.claim_id) for f in plain.findings)


def test_a_first_line_with_a_claim_id_or_a_date_is_kept():
    import datetime as dt

    from claimcheck.reader import RawTable, skip_units_row

    positions = {"claim_id": 0, "dos": 1, "cpt": 2}
    for first in [("C1", None, None), (None, dt.date(2026, 1, 5), None), (None, None, "90834"),
                  ("", "", "", 60), ("x", "y", "z", 1.5)]:
        table = RawTable(sheet="Claims", kind="Claims", header_row=1, headers=["Claim ID", "DOS", "CPT", "Units"],
                         positions=positions, rows=[(2, first), (3, ("C2", dt.date(2026, 1, 6), "90837"))])
        skip_units_row(table)
        assert [n for n, _ in table.rows] == [2, 3] and table.skipped == [], first
    table = RawTable(sheet="Claims", kind="Claims", header_row=1, headers=["Claim ID", "DOS", "CPT", "Units"],
                     positions=positions, rows=[(2, (None, "date", "code", "minutes")), (3, ("C2", None, None, 1))])
    skip_units_row(table)
    assert [n for n, _ in table.rows] == [3] and table.skipped[0][0] == 2


# --------------------------------------------------------------------------- the buttons read as the command line


def _sheets_of(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_the_buttons_skip_a_totals_row_and_a_units_row_as_the_command_line_does(tmp_path):
    import datetime as dt

    from claimcheck.addin import buttons
    from claimcheck.addin.workbook_port import MemoryWorkbook

    sheets = _sheets_of(sample_with(tmp_path, "units.xlsx", _with_units_row))
    last = len(sheets["Claims"]) + 1
    sheets["Claims"].append(["Total"] + [None] * 14 + [12345.0])
    wb = MemoryWorkbook(sheets)
    buttons.validate_claims(wb, dt.date(2026, 6, 30))
    head, *findings = wb.read("Findings")
    at = {h: i for i, h in enumerate(head)}
    assert [r for r in findings if r[at["Row"]] in (2, last) and r[at["Code"]] != "REQ009"] == []
    notes = sorted(r[at["Message"]] for r in findings if r[at["Code"]] == "REQ009")
    assert len(notes) == 2 and notes[0].startswith("row 2 is a second header row") and f"row {last} is a totals row" in notes[1]
    check = next(c for c in range(1, 40) if wb.value("Claims", 1, c) == "Check")
    assert wb.value("Claims", 2, check) in (None, "") and wb.value("Claims", last, check) in (None, "")


def test_the_buttons_report_an_unusable_reference_sheet_as_the_command_line_does(tmp_path):
    import datetime as dt

    from claimcheck.addin import buttons
    from claimcheck.addin.workbook_port import MemoryWorkbook
    from claimcheck.api import check_workbook

    def no_payer_header(wb):
        wb["Payers"]["A1"] = "Notes"

    path = sample_with(tmp_path, "payers.xlsx", no_payer_header)
    cli_notes = [f.message for f in check_workbook(path, as_of=dt.date(2026, 6, 30)).findings if f.code == "REQ007"]
    wb = MemoryWorkbook(_sheets_of(path))
    buttons.validate_claims(wb, dt.date(2026, 6, 30))
    head, *rows = wb.read("Findings")
    at = {h: i for i, h in enumerate(head)}
    button_notes = [r[at["Message"]] for r in rows if r[at["Code"]] == "REQ007"]
    assert cli_notes and button_notes == cli_notes
