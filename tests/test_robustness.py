"""Never crash, never lose data, never leak (issue 9).

Property-based tests feed the engine every kind of value Excel can hold; hostile and unusable
files get exit 2 with one plain line; outputs are atomic; client names and birth dates never
leave the row data; the code makes no network calls.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

import office
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck.api import check_raw, check_workbook
from claimcheck.models import Finding
from claimcheck.reader import rows_to_table
from helpers import AS_OF, AUTH_HEADERS, CLAIM_HEADERS, PAYER_HEADERS, PAYERS, as_row, claimcheck_exe, line, write_workbook

ROOT = Path(__file__).resolve().parents[1]
EXE = claimcheck_exe()
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
D = dt.date

# --------------------------------------------------------------------------- cell values

EXCEL_ERRORS = ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"]

cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.times(),
    st.sampled_from(EXCEL_ERRORS),
    st.sampled_from(["90834", "90837 ", "f41.1", "F32.A, Z63.0", "95, HO", "2", "02", "01/05/2026", "2026-01-05",
                     "1/5/26", "31/12/2026", "Jan 5, 2026", "20260105", "45 min", "$1,250.00", "(35.00)", "Denied",
                     "CO-50, N290", "=1+1", "+SUM(A1)", "@cmd", "-2+3", "=HYPERLINK(\"http://x\")", "\u00a0 90834 \u00a0",
                     "1234567893", "１２３", "٩٠٨٣٤", "\x00\x01", ""]),
    st.text(max_size=40),
    st.sampled_from(["x" * 32767, "Ω≈ç√∫˜µ≤≥÷ 🙂 " * 500, "F41.1, " * 400]),  # Excel's longest cell, unicode, long lists
)


def _table(kind, headers, rows):
    return rows_to_table(kind, kind, [tuple(headers)] + [tuple(r) for r in rows])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.lists(cell_values, min_size=len(CLAIM_HEADERS), max_size=len(CLAIM_HEADERS)), min_size=1, max_size=6),
       st.lists(st.lists(cell_values, min_size=len(PAYER_HEADERS), max_size=len(PAYER_HEADERS)), max_size=3),
       st.lists(st.lists(cell_values, min_size=len(AUTH_HEADERS), max_size=len(AUTH_HEADERS)), max_size=3))
def test_any_cell_values_give_findings_never_an_exception(claims, payers, auths):
    # keep at least one recognisable line so the table is not empty of data
    claims = claims + [as_row(line())]
    raw = {"Claims": _table("Claims", CLAIM_HEADERS, claims)}
    if payers:
        raw["Payers"] = _table("Payers", PAYER_HEADERS, payers)
    if auths:
        raw["Authorizations"] = _table("Authorizations", AUTH_HEADERS, auths)
    first = check_raw(raw, AS_OF)
    assert all(isinstance(f, Finding) for f in first.findings)
    assert all(f.message and f.code[:-3].isalpha() for f in first.findings)
    again = check_raw(raw, AS_OF)
    assert [f.as_dict() for f in first.findings] == [f.as_dict() for f in again.findings]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(st.lists(st.lists(cell_values, min_size=len(CLAIM_HEADERS), max_size=len(CLAIM_HEADERS)), min_size=1, max_size=4))
def test_any_cell_values_survive_a_real_file(tmp_path, claims):
    """The same through openpyxl: what a cell can hold after a save is read without a crash."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(CLAIM_HEADERS)
    for r in claims + [as_row(line())]:
        cells = []
        for v in r:
            if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
                v = None  # a cell cannot store NaN or infinity
            if isinstance(v, str):
                v = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", v)  # XML forbids control characters
            if isinstance(v, int) and abs(v) > 2**53:
                v = float(v)
            if isinstance(v, (dt.date, dt.datetime)) and v.year < 1900:
                v = None  # Excel dates start in 1900
            cells.append(v)
        ws.append(cells)
    path = tmp_path / "fuzz.xlsx"
    wb.save(path)
    result = check_workbook(path, AS_OF, engine="openpyxl")
    assert result.summary["lines"] >= 1


def test_same_line_gets_the_same_findings_wherever_it_stands():
    bad = line(CPT="90837", Minutes=45, Dx_Codes="F41")
    payers = _table("Payers", PAYER_HEADERS, PAYERS)
    alone = check_raw({"Claims": _table("Claims", CLAIM_HEADERS, [as_row(bad)]), "Payers": payers}, AS_OF)
    among = check_raw({"Claims": _table("Claims", CLAIM_HEADERS, [as_row(line(Claim_ID=f"X{i}", Client_ID=f"P{i}")) for i in range(5)]
                                         + [as_row(bad)]), "Payers": payers}, AS_OF)
    codes = lambda r, row: sorted(f.code for f in r.findings if f.row == row)
    assert codes(alone, 2) == codes(among, 7) != []


# --------------------------------------------------------------------------- unusable input

def run(*args, env=None):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **(env or {})})


def one_line_exit_2(proc, *words):
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-500:])
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def test_text_file(tmp_path):
    p = tmp_path / "notes.xlsx"
    p.write_text("just some notes\n")
    one_line_exit_2(run("check", p), "not an Excel workbook")


def test_empty_file(tmp_path):
    p = tmp_path / "zero.xlsx"
    p.write_bytes(b"")
    one_line_exit_2(run("check", p), "empty")


def test_folder_instead_of_file(tmp_path):
    one_line_exit_2(run("check", tmp_path), "folder")


def test_password_protected_workbook(tmp_path):
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    shutil.copy(SAMPLE, plain)
    enc = tmp_path / "locked.xlsx"
    with open(plain, "rb") as src, open(enc, "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    one_line_exit_2(run("check", enc), "password-protected", "remove the password")


_soffice = office.soffice


def test_old_xls_workbook(tmp_path):
    exe = _soffice()
    src = tmp_path / "old.xlsx"
    shutil.copy(SAMPLE, src)
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    one_line_exit_2(run("check", tmp_path / "old.xls"), "old-format .xls", "save it as .xlsx")


def _zip_with(tmp_path, name, replace: dict[str, bytes], extra: dict[str, bytes] | None = None, declared: dict | None = None):
    """Copy the sample's zip, replacing or adding members."""
    out = tmp_path / name
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = replace.get(item.filename, zin.read(item.filename))
            zout.writestr(item.filename, data)
        for k, v in (extra or {}).items():
            zout.writestr(k, v)
    return out


def test_zip_bomb_refused_by_declared_size(tmp_path):
    big = b"<x/>" + b" " * (300 * 1024**2)  # 300 MB of spaces: inflates ~1000x
    p = _zip_with(tmp_path, "bomb.xlsx", {}, extra={"xl/media/padding.xml": big})
    line_ = one_line_exit_2(run("check", p), "refused")
    assert "inflate" in line_


def test_zip_bomb_refused_by_total_limit(tmp_path):
    p = _zip_with(tmp_path, "big.xlsx", {}, extra={f"xl/media/p{i}.bin": os.urandom(1024) * 0 + b"a" * (3 * 1024**2) for i in range(3)})
    one_line_exit_2(run("check", p, env={"CLAIMCHECK_MAX_UNCOMPRESSED": str(5 * 1024**2)}), "refused", "limit")


def test_lying_zip_header_is_bounded(tmp_path):
    """A member whose header declares a small size but whose data inflates far more: Python's
    zipfile stops at the declared size, so the read fails as damaged instead of inflating."""
    p = tmp_path / "liar.xlsx"
    shutil.copy(SAMPLE, p)
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    # patch the uncompressed size in the central directory entry to 100 bytes
    cd = data.rfind(b"PK\x01\x02", 0)
    name = b"xl/worksheets/sheet1.xml"
    pos = data.find(b"PK\x01\x02" , 0)
    while pos != -1:
        n = int.from_bytes(data[pos + 28:pos + 30], "little")
        if bytes(data[pos + 46:pos + 46 + n]) == name:
            data[pos + 24:pos + 28] = (100).to_bytes(4, "little")
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert pos != -1 and cd != -1 and info.file_size > 100
    p.write_bytes(bytes(data))
    proc = run("check", p, "--engine", "openpyxl")
    one_line_exit_2(proc)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Claim ID</t></is></c><c r="B1" t="inlineStr"><is><t>DOS</t></is></c>
<c r="C1" t="inlineStr"><is><t>CPT</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Claim ID</t></is></c><c r="B1" t="inlineStr"><is><t>DOS</t></is></c>
<c r="C1" t="inlineStr"><is><t>CPT</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize("engine", ["openpyxl", "auto"])
@pytest.mark.parametrize("payload,name", [(BILLION_LAUGHS, "laughs"), (XXE, "xxe")])
def test_xml_entities_are_never_expanded(tmp_path, payload, name, engine):
    p = _zip_with(tmp_path, f"{name}.xlsx", {"xl/worksheets/sheet1.xml": payload})
    proc = run("check", p, "--format", "json", "--engine", engine)
    assert "root:" not in proc.stdout + proc.stderr  # /etc/passwd never read into output
    assert "lollollol" not in proc.stdout + proc.stderr
    if proc.returncode == 2:
        one_line_exit_2(proc)
    else:  # a reader that ignores the DTD entirely: the entity stays unexpanded text or empty
        assert proc.returncode in (0, 1)
        assert len(proc.stdout) < 100_000


def test_huge_sheet_gets_a_clear_message(tmp_path):
    p = write_workbook(tmp_path / "many.xlsx", [as_row(line(Claim_ID=f"H{i}")) for i in range(60)])
    proc = run("check", p, env={"CLAIMCHECK_MAX_ROWS": "50"})
    one_line_exit_2(proc, "more than 50 rows", "CLAIMCHECK_MAX_ROWS")


# --------------------------------------------------------------------------- data safety

def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_biller_text_is_written_as_text_never_a_formula(tmp_path):
    p = write_workbook(tmp_path / "inj.xlsx", [as_row(line(Claim_ID="X", DOS=None))])
    wb = openpyxl.load_workbook(p)
    c = wb["Claims"]["A2"]
    c.value, c.data_type = '=HYPERLINK("http://evil","click")', "s"
    wb.save(p)
    out = tmp_path / "out.xlsx"
    run("check", p, "--as-of", "2026-06-30", "--output", out)
    res = openpyxl.load_workbook(out)
    findings = res["Findings"]
    claim_cells = [findings.cell(row=r, column=1) for r in range(2, findings.max_row + 1)]
    assert claim_cells and all(cell.data_type == "s" and cell.value.startswith("=HYPERLINK") for cell in claim_cells)
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>HYPERLINK" not in zf.read(name)


def test_a_failed_save_leaves_no_partial_file(tmp_path, monkeypatch):
    from claimcheck import writer
    from openpyxl.workbook.workbook import Workbook

    src = tmp_path / "in.xlsx"
    shutil.copy(SAMPLE, src)
    before = sha(src)
    result = check_workbook(src, AS_OF)
    out = tmp_path / "out.xlsx"
    real_save = Workbook.save

    def broken_save(self, filename):
        real_save(self, filename)
        with open(filename, "r+b") as fh:
            fh.truncate(100)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(OSError):
        writer.write_checked_copy(src, out, result)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.xlsx"]
    assert sha(src) == before


def test_an_existing_output_is_replaced_only_when_complete(tmp_path, monkeypatch):
    from claimcheck import writer
    from openpyxl.workbook.workbook import Workbook

    src = tmp_path / "in.xlsx"
    shutil.copy(SAMPLE, src)
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous results")
    result = check_workbook(src, AS_OF)
    monkeypatch.setattr(Workbook, "save", lambda self, f: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        writer.write_checked_copy(src, out, result)
    assert out.read_bytes() == b"previous results"


def test_round_trip_keeps_conditional_formats_and_warns_about_shapes(tmp_path):
    import xlsxwriter

    src = tmp_path / "shapes.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Claims")
    ws.write_row(0, 0, CLAIM_HEADERS)
    ws.write_row(1, 0, [v.isoformat() if isinstance(v, dt.date) else v for v in as_row(line())])
    ws.conditional_format("S2:S100", {"type": "cell", "criteria": "==", "value": '"Denied"',
                                      "format": wb.add_format({"bg_color": "#FFC7CE"})})
    ws.insert_textbox("X2", "Read me first", {"width": 200, "height": 60})
    wb.define_name("Fees", "=Claims!$P$2:$P$100")
    wb.close()
    out = tmp_path / "out.xlsx"
    proc = run("check", src, "--as-of", "2026-06-30", "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert "cannot carry 1 shape or text box" in proc.stderr
    res = openpyxl.load_workbook(out)
    assert "Fees" in res.defined_names
    assert any("S2:S100" in str(r.sqref) for r in res["Claims"].conditional_formatting)


# --------------------------------------------------------------------------- privacy

PRIVATE = ["Zebulon Quartermaine", "Xiomara Bellweather-Oduya", "1961-07-04", "07/04/1961", "1961", "Quartermaine"]


def _private_workbook(tmp_path) -> Path:
    rows = []
    for i, (name, dob) in enumerate([("Zebulon Quartermaine", D(1961, 7, 4)), ("Xiomara Bellweather-Oduya", "07/04/1961"),
                                     ("Zebulon Quartermaine", "not a date 1961")]):
        rows.append(as_row(line(Claim_ID=f"P{i}", Client_ID=f"CL{i}", Client_Name=name, Client_DOB=dob,
                                CPT="90837", Minutes=45, Dx_Codes="F41", DOS=D(2026, 3, 1), Denial_Codes="CO-50",
                                Status="Denied", Submitted_On=D(2026, 3, 3), Denial_Date=D(2026, 4, 1))))
    rows.append(as_row(line(Claim_ID="P9", Client_Name="Zebulon Quartermaine", Client_DOB=D(2030, 1, 1))))
    return write_workbook(tmp_path / "private.xlsx", rows)


def test_names_and_birth_dates_never_leave_the_row_data(tmp_path):
    p = _private_workbook(tmp_path)
    outputs = []
    for fmt in ("text", "json", "csv"):
        proc = run("check", p, "--as-of", "2026-06-30", "--format", fmt)
        assert proc.returncode == 1
        outputs += [proc.stdout, proc.stderr]
    out = tmp_path / "out.xlsx"
    proc = run("check", p, "--as-of", "2026-06-30", "--output", out)
    outputs += [proc.stdout, proc.stderr]
    fs = openpyxl.load_workbook(out)["Findings"]
    outputs += [str(c.value) for row in fs.iter_rows() for c in row if c.value is not None]
    claims = openpyxl.load_workbook(out)["Claims"]
    check_col = [c.value for c in claims[1]].index("Check") + 1
    outputs += [str(claims.cell(row=r, column=check_col).value) for r in range(2, claims.max_row + 1)]
    # unusable input: the message names the file, never its contents
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(p.read_bytes()[:2000])
    proc = run("check", broken)
    outputs += [proc.stdout, proc.stderr]
    blob = "\n".join(outputs)
    for secret in PRIVATE:
        assert secret not in blob, secret


def test_no_network_calls(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    result = check_workbook(SAMPLE, AS_OF)
    assert result.summary["lines"] >= 50


def test_no_module_imports_a_network_library():
    pattern = re.compile(r"^\s*(import|from)\s+(socket|urllib|http|requests|httpx|aiohttp|ftplib|smtplib)\b", re.M)
    offenders = []
    for folder in ("claimcheck", "udfs", "addin", "workbook_templates"):
        for path in (ROOT / folder).rglob("*.py"):
            if pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --------------------------------------------------------------------------- hostile parts (issue 21)


def _sample_with_sheet1(tmp_path: Path, name: str, change) -> Path:
    """The sample with its Claims part (sheet1.xml) changed by ``change(bytes) -> bytes``."""
    out = tmp_path / name
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def _col_letters(n: int) -> str:
    from claimcheck.extent import cell_name

    return cell_name(1, n)[:-1]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(row=st.integers(min_value=70, max_value=1_048_576), col=st.integers(min_value=1, max_value=16_384),
       wide_dimension=st.booleans(), formula=st.booleans())
def test_far_out_stray_cells_and_uncalculated_formulas_never_stop_the_reader(tmp_path, row, col, wide_dimension, formula):
    """A stray value or formula anywhere (the dimension claiming the whole grid or not) is read
    in bounded time and memory: no abort (which would end this process), the sample's lines kept."""
    from claimcheck.reader import read_workbook

    ref = f"{_col_letters(col)}{row}"
    cell = (f'<c r="{ref}"><f>Z{row}+1</f></c>' if formula else f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>').encode()

    def change(data: bytes) -> bytes:
        data = data.replace(b"</sheetData>", b'<row r="%d">%s</row></sheetData>' % (row, cell))
        if wide_dimension:
            data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data, count=1)
        return data

    base = len(read_workbook(SAMPLE)["Claims"].rows)
    path = _sample_with_sheet1(tmp_path, f"stray-{ref}-{int(wide_dimension)}{int(formula)}.xlsx", change)
    for engine in ("openpyxl", "auto"):
        table = read_workbook(path, engine=engine)["Claims"]
        assert len(table.rows) - base in (0, 1)  # the stray line, when in a header column and read
        if formula and col <= 22 and any(n == row for n, _ in table.rows):
            assert table.uncalculated == [(row, col - 1)]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="DATEdateSUMIFxyzA1$0123456789.+-*/()^,:! ", max_size=30))
def test_only_date_calls_and_arithmetic_on_constants_are_ever_worked_out(formula):
    from claimcheck.extent import safe_value

    value = safe_value(formula)
    letters = re.sub(r"(?i)date", "", formula)
    if any(ch.isalpha() or ch in "$^,:!" for ch in letters) and not re.fullmatch(r"\s*DATE\(\s*\d{4}\s*,\s*\d{1,2}\s*,\s*\d{1,2}\s*\)\s*", formula, re.I):
        assert value is None, formula
    if value is not None:
        assert isinstance(value, (int, float, dt.datetime))


@pytest.mark.parametrize("part", ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"])
@pytest.mark.parametrize("how", ["missing", "cut", "garbage"])
def test_every_damaged_reference_part_is_a_finding_never_silence(tmp_path, part, how):
    from claimcheck.api import check_workbook

    out = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                if how == "missing":
                    continue
                data = data[: len(data) // 3] if how == "cut" else b"\x00\xffnot xml at all"
            zout.writestr(info, data)
    result = check_workbook(out, as_of=D(2026, 6, 30))
    damaged = [f for f in result.findings if f.code == "REQ007" and "is damaged" in f.message]
    assert len(damaged) == 1


_SAMPLE_PARTS = sorted(zipfile.ZipFile(SAMPLE).namelist())
_SHEET_OF_PART = {"xl/worksheets/sheet1.xml": "Claims"}


@settings(max_examples=int(os.environ.get("DAMAGE_EXAMPLES", 25)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(part=st.sampled_from(_SAMPLE_PARTS), how=st.sampled_from(["missing", "cut", "garbage"]),
       where=st.floats(min_value=0, max_value=1), engine=st.sampled_from(["auto", "openpyxl"]))
def test_any_damaged_part_is_one_plain_line_or_a_finding(tmp_path, part, how, where, engine):
    """Any part of the workbook missing, cut short at any point or overwritten with junk: the
    check either runs (a damaged reference sheet is a REQ007 finding naming it) or stops with
    one plain UnusableInput line (a damaged Claims sheet says so); never another exception."""
    from claimcheck.errors import UnusableInput

    out = tmp_path / f"damaged-{how}.xlsx"
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                if how == "missing":
                    continue
                at = int((len(data) - 1) * where)  # cut at least the last byte
                data = data[:at] if how == "cut" else data[:at] + b"\x00<<junk\xff" + data[at + 9:]
            zout.writestr(info, data)
    try:
        result = check_workbook(out, as_of=D(2026, 6, 30), engine=engine)
    except UnusableInput as exc:
        message = str(exc)
        assert "\n" not in message and "Traceback" not in message
        if part == "xl/worksheets/sheet1.xml":
            assert "the Claims sheet is damaged" in message, message
        return
    assert part != "xl/worksheets/sheet1.xml", "a damaged Claims sheet was read"
    if part in ("xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"):
        assert any(f.code == "REQ007" and "is damaged" in f.message for f in result.findings)


def test_never_calculated_formulas_are_found_in_every_tag_form():
    """The quick look for a formula tag before the full scan misses none: a plain ``<f>``, a
    prefixed ``<x:f>``, one whose part holds no other letter f, and one after a text with many."""
    from claimcheck.extent import uncalculated_formulas

    assert uncalculated_formulas(b'<row r="2"><c r="B2"><f>DATE(2026,1,2)</f></c></row>') == {(2, 2): "DATE(2026,1,2)"}
    assert uncalculated_formulas(b'<x:row r="3"><x:c r="C3"><x:f>1+1</x:f><x:v/></x:c></x:row>') == {(3, 3): "1+1"}
    many = b'<c r="A1" t="inlineStr"><is><t>' + b"fff of " * 1000 + b"</t></is></c>"
    assert uncalculated_formulas(many + b'<c r="D4"><f t="shared" ref="D4:D5" si="0">2*3</f></c>') == {(4, 4): "2*3"}
    assert uncalculated_formulas(many + b'<c r="D4"><v>6</v></c>') == {}
