"""The calamine reader returns what the openpyxl reader returns, value for value and row for row,
and ``claimcheck check`` finds the same with either engine."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("python_calamine")

from openpyxl import Workbook  # noqa: E402

from claimcheck import columns as C  # noqa: E402
from claimcheck.fast_reader import read_sheets_calamine  # noqa: E402
from claimcheck.openpyxl_reader import read_sheets_openpyxl  # noqa: E402
from claimcheck.workbook_file import MAX_ROWS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def every_value_form(path: Path) -> Path:
    """Leading blank rows and a blank column, a title row, and every form a cell arrives in."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws["B3"] = "Spring billing - Claims"
    headers = ["Claim ID", "DOS", "CPT", "Minutes", "Units", "Dx Codes", "POS", "Charge", "Member ID", "Status",
               "Calc", "Submitted On"]
    for i, h in enumerate(headers):
        ws.cell(row=5, column=2 + i, value=h)
    rows = [
        ["C1", dt.date(2026, 1, 5), 90834, 45, 1, "F41.1", 11, 150.5, "M1", True, "=E6*2", dt.datetime(2026, 1, 8)],
        ["C2", dt.datetime(2026, 1, 6, 10, 30), "90837", 55.0, None, "F33.1, Z63.0", "02", 0, "#N/A", False, "=1/0", None],
        ["C3", 46027, "h0004", "45 min", 2.5, None, "2", "$1,250.00", None, None, '=CONCAT("a","b")', "01/09/2026"],
        [None] * 12,
        ["C4", "01/05/2026", 90785.0, 12, 1, "f411", None, -35, "  x  ", "Paid", "=TRUE()", 46030.0],
        ["C5", dt.time(10, 30), 1e20, 0.1, 3, 123, 11, 1234567890123, "#REF!", "Denied", "=NA()", "#DIV/0!"],
    ]
    for r, row in enumerate(rows, start=6):
        for c, v in enumerate(row, start=2):
            if v is None:
                continue
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str) and v.startswith("#"):
                cell.data_type = "e"
    ws.cell(row=11, column=3).number_format = "hh:mm"
    payers = wb.create_sheet("Payers")
    payers.append(["Payer", "Timely Filing Days"])
    payers.append(["Evergreen", 90])
    payers["F20"].number_format = "0.00"  # a styled empty cell: the dimension reaches F20
    wb.create_sheet("Notes")["A1"] = "not a contract sheet"
    wb.save(path)
    return path


def with_cached_values(path: Path, tmp_path: Path) -> Path | None:
    """The same workbook saved by LibreOffice, so formulas carry cached values."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    out = tmp_path / "lo"
    proc = subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                          capture_output=True, timeout=180)
    converted = out / path.name
    return converted if proc.returncode == 0 and converted.exists() else None


def same(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for name in a:
        assert len(a[name]) == len(b[name]), name
        for n, (x, y) in enumerate(zip(a[name], b[name])):
            assert x == y, (name, n + 1, x, y)
            assert [type(v) for v in x] == [type(v) for v in y], (name, n + 1, x, y)


def test_every_value_form_reads_the_same(tmp_path):
    path = every_value_form(tmp_path / "forms.xlsx")
    same(read_sheets_calamine(path, C.SHEETS, MAX_ROWS), read_sheets_openpyxl(path))


def test_formulas_with_cached_values_read_the_same(tmp_path):
    lo = with_cached_values(every_value_form(tmp_path / "forms.xlsx"), tmp_path)
    if lo is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    calamine = read_sheets_calamine(lo, C.SHEETS, MAX_ROWS)
    same(calamine, read_sheets_openpyxl(lo))
    rows = calamine["Claims"]
    calc = rows[4].index("Calc")  # the header is on Excel row 5
    assert rows[5][calc] == 90 and rows[6][calc] == "#DIV/0!" and rows[10][calc] == "#N/A"


def test_sample_and_template_read_the_same():
    for path in (ROOT / "examples").glob("*.xlsx"):
        same(read_sheets_calamine(path, C.SHEETS, MAX_ROWS), read_sheets_openpyxl(path))


def test_generated_workbook_reads_the_same(tmp_path):
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate

    path = generate(300, seed=3, path=tmp_path / "g.xlsx")
    same(read_sheets_calamine(path, C.SHEETS, MAX_ROWS), read_sheets_openpyxl(path))


def _check(path: Path, engine: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", "from claimcheck.cli import main; main()", "check", str(path),
                           "--as-of", "2026-06-30", "--format", "json", "--engine", engine],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_check_finds_the_same_with_either_engine(tmp_path):
    paths = [ROOT / "examples" / "sample-billing.xlsx", every_value_form(tmp_path / "forms.xlsx")]
    lo = with_cached_values(paths[1], tmp_path)
    if lo is not None:
        paths.append(lo)
    for path in paths:
        a, b = _check(path, "openpyxl"), _check(path, "calamine")
        assert a["findings"] == b["findings"], path
        assert a["summary"] == b["summary"]
    assert _check(paths[1], "calamine")["findings"]  # the forms workbook has problems to find


def test_unreadable_file_fails_as_with_openpyxl(tmp_path):
    from claimcheck.reader import UnusableInput, read_workbook

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnusableInput):
        read_workbook(bad, engine="calamine")


def test_error_cells_found_once_by_the_reader_read_the_same(tmp_path):
    """The reader decompresses each sheet's XML once: the error cells it found there are what the
    fast reader puts back (calamine drops them), not a second scan of the part."""
    import zipfile

    from claimcheck.extent import error_cells, listed_sheets

    path = every_value_form(tmp_path / "forms.xlsx")
    with zipfile.ZipFile(path) as zf:
        found = {name: error_cells(zf.read(part)) for name, part in listed_sheets(zf)}
    assert found["Claims"][(6, 9)] == "#N/A" and found["Claims"][(10, 12)] == "#DIV/0!"
    same(read_sheets_calamine(path, C.SHEETS, MAX_ROWS, sparse=set(), errors=found), read_sheets_openpyxl(path))
    # what is handed over is what is used: a sheet's errors given as none leave its cells blank
    given = read_sheets_calamine(path, C.SHEETS, MAX_ROWS, sparse=set(), errors={**found, "Claims": {}})
    assert given["Claims"][6][9] is None


def test_an_error_cell_without_a_reference_is_read_by_openpyxl():
    from claimcheck.extent import error_cells
    from claimcheck.fast_reader import CalamineCannotRead

    assert error_cells(b'<row r="2"><c t="e"><v>#N/A</v></c></row>') is None
    assert error_cells(b'<row r="2"><c r="B2" t="e"><v>#N/A</v></c></row>') == {(1, 1): "#N/A"}
    with pytest.raises(CalamineCannotRead):
        read_sheets_calamine(ROOT / "examples" / "sample-billing.xlsx", C.SHEETS, MAX_ROWS, sparse=set(),
                             errors={"Claims": None, "Payers": None, "Providers": None, "Authorizations": None})


def test_a_column_of_every_cell_form_reads_as_openpyxl_reads_it(tmp_path):
    # One column holding what a cell can be, in an order where equal values of different types
    # meet (True == 1 == 1.0, False == 0 == -0.0): a reader that converts each distinct value of
    # a column once would hand True back for 1 (or 1 for True).  Blanks, error cells, dates and
    # whole numbers past the integer limit sit in between.
    wb = Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Claim ID", "DOS", "CPT", "Units"])
    column = [True, 1, 1.0, False, 0, -0.0, 0.0, "", None, "#N/A", "x", dt.date(2026, 1, 5),
              dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 5, 10, 30), 1e20, 1e15 - 1, 2.5, -1e16,
              "1", " ", True, 1, "#DIV/0!", 0.5, False, 0]
    for i, value in enumerate(column, start=2):
        ws.cell(row=i, column=1, value=f"C{i}")
        cell = ws.cell(row=i, column=4, value=value)
        if isinstance(value, str) and value.startswith("#"):
            cell.data_type = "e"
    path = tmp_path / "column.xlsx"
    wb.save(path)
    calamine, openpyxl = read_sheets_calamine(path, C.SHEETS, MAX_ROWS), read_sheets_openpyxl(path)
    same(calamine, openpyxl)
    units = [row[3] for row in calamine["Claims"][1:]]
    assert [type(v) for v in units[:7]] == [bool, int, int, bool, int, int, int]
    assert units[7:10] == [None, None, "#N/A"] and units[14] == 1e20 and type(units[14]) is float


# ------------------------------------------------------------------ reading while the engine loads

ENGINE_LOADS_WHILE_PARSED = """
import sys, threading
import claimcheck.fast_reader as F
seen = {}
parse = F.parse_calamine
def watched(*args, **kwargs):
    seen["thread"] = threading.current_thread() is threading.main_thread() and "main" or "other"
    seen["pandas loaded"] = "pandas" in sys.modules
    return parse(*args, **kwargs)
F.parse_calamine = watched
from claimcheck.cli import main
try:
    main(["check", sys.argv[1], "--as-of", "2026-06-30", "--format", "json"])
except SystemExit:
    pass
sys.stderr.write(repr(seen) + "\\n")
"""


def test_check_parses_the_workbook_while_the_engine_loads():
    """``claimcheck check`` starts python-calamine's parse (which releases the GIL) in a background
    thread before pandas and the rules are imported, so the two overlap."""
    sample = ROOT / "examples" / "sample-billing.xlsx"
    done = subprocess.run([sys.executable, "-c", ENGINE_LOADS_WHILE_PARSED, str(sample)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert json.loads(done.stdout)["summary"]["errors"] == 30
    seen = eval(done.stderr.strip().splitlines()[-1])  # noqa: S307 - our own repr of a dict
    assert seen == {"thread": "other", "pandas loaded": False}


def test_reading_without_threads_reads_the_same(monkeypatch):
    """Where no thread can start (Pyodide), the reader parses in the caller's thread and reads the
    same tables."""
    import threading

    from claimcheck.reader import read_workbook

    sample = ROOT / "examples" / "sample-billing.xlsx"
    threaded = read_workbook(sample)

    def no_threads(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_threads)
    alone = read_workbook(sample)
    assert threaded.keys() == alone.keys()
    for kind in threaded:
        assert threaded[kind].rows == alone[kind].rows and threaded[kind].positions == alone[kind].positions


def test_an_unusable_file_found_in_the_background_is_refused_in_the_caller(tmp_path, monkeypatch):
    """What the background look at the sheets finds (a Claims sheet over the row limit) is raised
    where the tables are asked for, with its message."""
    from claimcheck import fast_reader
    from claimcheck.reader import UnusableInput, start_reading

    monkeypatch.setattr(fast_reader, "_dimension", lambda zf, part: (MAX_ROWS + 5, 10))
    reading = start_reading(ROOT / "examples" / "sample-billing.xlsx")  # the file's own checks pass
    with pytest.raises(UnusableInput, match="rows, above the limit"):
        reading.tables()


def test_a_panic_in_calamine_reads_the_file_with_openpyxl(monkeypatch):
    """A panic in python-calamine's Rust code (PyO3's PanicException, a BaseException, raised
    in the background thread) does not end the run: the file is read with openpyxl, as any file
    calamine cannot read."""
    import python_calamine

    from claimcheck.reader import read_workbook

    sample = ROOT / "examples" / "sample-billing.xlsx"
    expected = read_workbook(sample, engine="openpyxl")

    class PanicException(BaseException):  # (PyO3's, by name: it cannot be imported)
        pass

    class Panicking:
        def __init__(self, workbook):
            self._workbook = workbook

        def __getattr__(self, name):
            return getattr(self._workbook, name)

        def get_sheet_by_name(self, name):
            raise PanicException("index out of bounds")

    real = python_calamine.CalamineWorkbook

    class Workbook:
        @staticmethod
        def from_path(path):
            return Panicking(real.from_path(path))

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Workbook)
    read = read_workbook(sample, engine="calamine")
    assert read.keys() == expected.keys()
    assert all(read[k].rows == expected[k].rows for k in read)


def test_a_reading_gives_its_tables_once():
    from claimcheck.reader import start_reading

    reading = start_reading(ROOT / "examples" / "sample-billing.xlsx")
    assert "Claims" in reading.tables()
    with pytest.raises(RuntimeError, match="once"):
        reading.tables()
