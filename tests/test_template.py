"""The billing workbook template (``claimcheck new``): structure, the engine reading it, and its
formulas calculated by a real spreadsheet program (LibreOffice), plus a rendered look.

Tests that need LibreOffice (``soffice``) or poppler (``pdftoppm``) skip when they are missing,
and fail instead when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

import office
from helpers import claimcheck_cmd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from claimcheck import columns as C
from claimcheck.reader import UnusableInput
from claimcheck.workbook_templates import sample_data as S
from claimcheck.workbook_templates.build import build_workbook
from claimcheck.workbook_templates.specs import HINT

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
CONTRACT_CLAIMS = [c.name for c in C.CLAIMS]
CALCULATED = ["Check", "Session #", "Authorized", "Auth Left", "File By", "Appeal Days Left", "Visit"]



need = office.need
soffice_convert = office.soffice_convert


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The sample and the empty template, made by the installed ``claimcheck new``."""
    d = tmp_path_factory.mktemp("template")
    out = {}
    for name, args in (("sample", ["--sample"]), ("empty", [])):
        path = d / f"{name}.xlsx"
        done = subprocess.run(claimcheck_cmd() + ["new", str(path), *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert f"Wrote {path}" in done.stdout
        out[name] = path
    return out


@pytest.fixture(scope="module")
def calculated(built, tmp_path_factory) -> dict[str, object]:
    """Both workbooks after LibreOffice recalculated them, read back with cached values."""
    d = tmp_path_factory.mktemp("recalc")
    books = {}
    for name, path in built.items():
        out = soffice_convert(path, d / name, "xlsx:Calc MS Excel 2007 XML", d / f"lo_profile_{name}")
        books[name] = load_workbook(out, data_only=True)
    return books


def table_rows(ws, key: str = "Claim ID") -> dict[str, list[dict]]:
    headers = [c.value for c in ws[1]]
    out: dict[str, list[dict]] = collections.defaultdict(list)
    for row in ws.iter_rows(min_row=2, values_only=True):
        rec = dict(zip(headers, row))
        if rec.get(key):
            out[rec[key]].append(rec)
    return out


def day(value) -> dt.date:
    assert isinstance(value, (dt.date, dt.datetime)), value
    return value.date() if isinstance(value, dt.datetime) else value


# ----------------------------------------------------------------------------- the command


def test_new_refuses_existing_and_other_names(tmp_path):
    # .xlsm is built by workbook_templates/xlsm.py (tests/test_xlsm.py)
    with pytest.raises(UnusableInput, match=r"must end in \.xlsx \(or \.xlsm"):
        build_workbook(tmp_path / "book.xls")
    with pytest.raises(UnusableInput, match="must end in .xlsx"):
        build_workbook(tmp_path / "book.csv")
    assert list(tmp_path.iterdir()) == []  # nothing half-written
    existing = tmp_path / "mine.xlsx"
    existing.write_bytes(b"keep me")
    done = subprocess.run(claimcheck_cmd() + ["new", str(existing)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "already exists" in done.stderr and "Traceback" not in done.stderr
    assert existing.read_bytes() == b"keep me"
    done = subprocess.run(claimcheck_cmd() + ["new", str(tmp_path / "b.ods")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "must end in .xlsx" in done.stderr
    assert done.stderr.count("\n") == 1


# ----------------------------------------------------------------------------- structure


def test_sheets_tables_and_headers(built):
    wb = load_workbook(built["sample"])
    assert wb.sheetnames == ["Instructions", "Claims", "Authorizations", "Payers", "Providers", "Provider Enrollment", "Coverage",
                            "Clients", "Practice", "Dashboard", "Codes",
                            "Rules"]
    expected = {
        "Claims": ("ClaimsTable", CONTRACT_CLAIMS + CALCULATED),
        "Authorizations": ("AuthorizationsTable", [c.name for c in C.AUTHORIZATIONS] + ["Used", "Left", "Ends In Days"]),
        "Payers": ("PayersTable", [c.name for c in C.PAYERS]),
        "Providers": ("ProvidersTable", [c.name for c in C.PROVIDERS]),
        "Provider Enrollment": ("ProviderEnrollmentTable", [c.name for c in C.ENROLLMENT]),
        "Coverage": ("CoverageTable", [c.name for c in C.COVERAGE]),
        "Clients": ("ClientsTable", [c.name for c in C.CLIENTS]),
    }
    for sheet, (table, headers) in expected.items():
        ws = wb[sheet]
        assert list(ws.tables) == [table]
        assert [c.value for c in ws[1]][: len(headers)] == headers
        assert ws.freeze_panes in ("A2", "B2")
    claims = wb["Claims"]
    last = get_column_letter(len(CONTRACT_CLAIMS + CALCULATED))  # the Visit helper
    assert claims.tables["ClaimsTable"].ref == f"A1:{last}{len(S.claim_lines()) + 1}"
    assert claims.column_dimensions[last].hidden
    # the empty template keeps one blank row in each table
    empty = load_workbook(built["empty"])
    assert empty["Claims"].tables["ClaimsTable"].ref == f"A1:{last}2"
    assert all(empty["Claims"].cell(row=2, column=j).value is None for j in range(1, 23))
    assert empty.active.title == "Instructions" and wb.active.title == "Claims"


def test_number_formats_keep_codes_as_text(built):
    ws = load_workbook(built["sample"])["Claims"]
    col = {c.value: c.column for c in ws[1]}
    cell = lambda h, r=2: ws.cell(row=r, column=col[h])  # noqa: E731
    assert cell("DOS").number_format == "mm/dd/yyyy" and isinstance(cell("DOS").value, dt.datetime)
    assert cell("Charge").number_format.startswith('"$"#,##0.00')
    for h in ("CPT", "POS", "Rendering NPI", "Auth Number", "Dx Codes", "Modifiers", "Member ID"):
        assert cell(h).number_format == "@", h
    assert cell("CPT").value == "90834" and cell("POS").value == "10"  # typed codes stay text
    assert cell("File By").number_format == "mm/dd/yyyy"
    # the sample's US text date became a date, as typing it into the date column would
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    assert cell("DOS", rows["C1103"]).value == dt.datetime(2026, 4, 20)


def test_calculated_columns_are_table_formulas(built):
    wb = load_workbook(built["sample"])
    ws = wb["Claims"]
    col = {c.value: c.column for c in ws[1]}
    check = ws.cell(row=2, column=col["Check"]).value
    last = C.CLAIM_HEADERS[-1]
    assert check.startswith(f"=IF(COUNTA(ClaimsTable[[#This Row],[Claim ID]:[{last}]])=0")
    assert f"CHECK_CLAIM(ClaimsTable[[#This Row],[Claim ID]:[{last}]],ClaimsTable[[#Headers],[Claim ID]:[{last}]])" in check
    assert "_xludf" not in check and HINT in check
    table = ws.tables["ClaimsTable"]
    formulas = {c.name: c.calculatedColumnFormula for c in table.tableColumns}
    for h in CALCULATED:
        assert formulas[h] is not None, h  # new rows typed under the table get the formula
    assert formulas["Session #"] is not None and "SUMIFS(ClaimsTable[Visit]" in str(formulas["Session #"].attr_text)
    names = set(wb.defined_names.keys()) if hasattr(wb.defined_names, "keys") else {n.name for n in wb.defined_names.definedName}
    assert {"AsOf", "CPTCodes", "POSCodes", "PayerNames", "AuthNumbers", "ProviderNPIs"} <= names


def test_dropdowns_and_input_messages(built):
    ws = load_workbook(built["sample"])["Claims"]
    col = {c.value: c.column_letter for c in ws[1]}
    by_col = {}
    for v in ws.data_validations.dataValidation:
        for rng in str(v.sqref).split():
            by_col[rng.rstrip("0123456789:").split(":")[0].rstrip("0123456789")] = v
    def dv(header):  # noqa: E306
        return by_col[col[header]]
    assert dv("CPT").type == "list" and dv("CPT").formula1 == "CPTCodes" and dv("CPT").errorStyle == "warning"
    assert dv("POS").formula1 == "POSCodes" and dv("POS").errorStyle == "warning"
    assert dv("Status").formula1 == '"' + ",".join(C.STATUSES) + '"'
    assert dv("Payer").formula1 == "PayerNames" and dv("Payer").errorStyle == "warning"
    assert dv("Auth Number").formula1 == "AuthNumbers" and dv("Auth Number").errorStyle == "warning"
    for h in ("Minutes", "Modifiers", "Dx Codes"):
        assert dv(h).showInputMessage and dv(h).prompt, h
    assert "90834 38-52" in dv("Minutes").prompt
    assert str(dv("CPT").sqref).endswith("5001")  # reaches rows billers add later
    wb = load_workbook(built["sample"])
    codes = wb["Codes"]
    assert set(codes.tables) == {"ProceduresTable", "ModifiersTable", "PlacesOfServiceTable", "DenialCodesTable"}
    cpt_range = wb.defined_names["CPTCodes"].attr_text
    first, last = (int(x.split("$")[-1]) for x in cpt_range.split(":"))
    listed = {codes.cell(row=r, column=1).value for r in range(first, last + 1)}
    assert {"90791", "90834", "90837", "90785", "H2019"} <= listed
    assert codes.cell(row=first, column=12).value == "01"  # POS stays two digits


def test_conditional_formats_cover_flags_auth_deadlines_and_denials(built):
    ws = load_workbook(built["sample"])["Claims"]
    formulas = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules if r.formula]
    assert any('$R2="Denied"' in f and "AND" not in f for f in formulas)  # denied rows
    at = {h: get_column_letter(i) for i, h in enumerate(CONTRACT_CLAIMS + CALCULATED, start=1)}
    assert any(f'${at["Check"]}2<>"OK"' in f for f in formulas)  # flagged rows
    assert any(f'${at["Auth Left"]}2<0' in f for f in formulas)  # over authorization
    assert any(f'${at["File By"]}2-AsOf<=14' in f for f in formulas)  # filing deadline near
    assert any(f'${at["Appeal Days Left"]}2<=14' in f for f in formulas)  # appeal deadline near


def test_rules_and_instructions_sheets(built):
    from claimcheck.rules.registry import all_rules

    wb = load_workbook(built["empty"])
    rules = wb["Rules"]
    assert [c.value for c in rules[1]][:6] == ["Code", "Severity", "Title", "Sheet / Column", "Why payers care", "How to fix"]
    codes = [rules.cell(row=r, column=1).value for r in range(2, rules.max_row + 1)]
    assert codes == [r.code for r in all_rules() if r.status != "removed"]
    text = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row if c.value)
    for words in ("Validate Claims", "Flag Authorizations", "Generate Appeals", "New Claims Workbook",
                  "Session #", "File By", "Appeal Days Left", "Dashboard", "Start here"):
        assert words in text


def test_print_setup(built):
    wb = load_workbook(built["sample"])
    claims = wb["Claims"]
    assert claims.page_setup.orientation == "landscape" and claims.page_setup.paperSize == 1
    assert claims.sheet_properties.pageSetUpPr.fitToPage and claims.page_setup.fitToHeight == 0
    assert claims.print_title_rows == "$1:$1"
    # the working columns through Appeal Days Left, on as few pages across as keeps them readable
    from claimcheck import printing

    header = [c.value for c in claims[1]]
    last = header.index("Appeal Days Left") + 1
    assert claims.print_area.replace("$", "").split("!")[-1].startswith(f"A1:{get_column_letter(last)}")
    widths = [printing.column_width(claims, c) for c in range(1, last + 1)]
    across = claims.page_setup.fitToWidth or 1
    assert across == printing.pages_wide(widths, widths[:2]) >= 2
    points = sum(map(printing.column_points, widths)) + (across - 1) * sum(map(printing.column_points, widths[:2]))
    assert printing.PRINTABLE_WIDTH_PT / (points / across) >= printing.READABLE_SCALE  # the scale it prints at
    assert claims.print_title_cols == "$A:$B"
    dash = wb["Dashboard"]
    assert dash.page_setup.orientation == "landscape" and dash.page_setup.fitToWidth in (None, 1)  # one page wide


# ----------------------------------------------------------------------------- the engine reads it


def _findings(path: Path) -> tuple[int, list[dict]]:
    done = subprocess.run(claimcheck_cmd() + ["check", str(path), "--as-of", "2026-06-30", "--format", "json"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


def test_engine_finds_the_same_problems_in_the_template_as_in_the_sample_workbook(built):
    code_t, ours = _findings(built["sample"])
    code_s, theirs = _findings(SAMPLE)
    assert code_t == code_s == 1
    key = lambda f: (f["claim_id"], f["row"], f["code"])  # noqa: E731
    assert collections.Counter(map(key, ours)) == collections.Counter(map(key, theirs))
    assert {f["code"] for f in ours} >= {"CPT002", "DX003", "MOD004", "DUP001"}
    assert not any(f["sheet"] == "Claims" and f["column"] in CALCULATED for f in ours)


def test_engine_reads_the_empty_template_as_no_lines(built):
    code, findings = _findings(built["empty"])
    assert code == 0
    assert not [f for f in findings if f["sheet"] == "Claims"]


def test_check_output_on_the_template_keeps_its_tables(built, tmp_path):
    out = tmp_path / "checked.xlsx"
    done = subprocess.run(claimcheck_cmd() + ["check", str(built["sample"]), "--as-of", "2026-06-30", "--output", str(out)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 1, done.stderr
    wb = load_workbook(out)
    assert "Findings" in wb.sheetnames and "Dashboard" in wb.sheetnames
    ws = wb["Claims"]
    headers = [c.value for c in ws[1]]
    assert headers.count("Check") == 1  # the template's Check column is reused
    check = ws.cell(row=2, column=headers.index("Check") + 1).value
    assert check == "OK" or ":" in check


# ----------------------------------------------------------------------------- in a spreadsheet program


def test_formulas_calculate_in_libreoffice(calculated):
    wb = calculated["sample"]
    claims = table_rows(wb["Claims"])
    # CL-1001: weekly sessions under EV-26-0142 (12 visits); the 13th is over by one.
    for i in range(13):
        (line,) = claims[f"C{1001 + i}"]
        assert line["Session #"] == i + 1
        assert line["Authorized"] == 12
        assert line["Auth Left"] == 12 - (i + 1)
        assert line["Visit"] == 1
    assert claims["C1013"][0]["Auth Left"] == -1
    # two service lines on one date are two visits (Riverbend counts per service: Auth Visits Per
    # blank); a per-unit authorization counts units (40 authorized, 42 used)
    assert (claims["C1406"][0]["Session #"], claims["C1407"][0]["Session #"]) == (6, 7)
    assert claims["C1407"][0]["Visit"] == 1
    assert claims["C1306"][0]["Session #"] == 6 and claims["C1306"][0]["Auth Left"] == -2
    # no authorization: blank, not an error
    assert claims["C1201"][0]["Session #"] is None and claims["C1201"][0]["Auth Left"] is None
    # timely filing: DOS + payer days; a payer not on the Payers sheet gets the default 90
    assert day(claims["C1101"][0]["File By"]) == dt.date(2026, 7, 5)  # Evergreen, 90
    assert day(claims["C1201"][0]["File By"]) == dt.date(2026, 9, 6)  # Summit, 180
    assert day(claims["C1501"][0]["File By"]) == dt.date(2027, 3, 4)  # Medicare, 365
    assert day(claims["C1601"][0]["File By"]) == dt.date(2026, 6, 10)  # Harbor Mutual: default 90
    # appeal days left, counted from the sample's As of date (06/30/2026)
    assert day(wb["Dashboard"]["C2"].value) == S.AS_OF
    assert claims["C1207"][0]["Appeal Days Left"] == 139  # Summit 180: 05/20 + 180 = 11/16
    assert claims["C1505"][0]["Appeal Days Left"] == 102  # Medicare 120
    assert claims["C1404"][0]["Appeal Days Left"] == -32  # Riverbend 60: passed
    assert claims["C1101"][0]["Appeal Days Left"] is None  # not denied
    assert claims["C1704"][0]["Appeal Days Left"] == 112  # payer not on the Payers sheet: default 120
    # the add-in is not loaded in LibreOffice: the Check column says so instead of #NAME?
    assert {r[0]["Check"] for r in claims.values()} == {HINT}

    auths = table_rows(wb["Authorizations"], "Auth Number")
    assert (auths["EV-26-0142"][0]["Used"], auths["EV-26-0142"][0]["Left"]) == (13, -1)
    assert (auths["RB-55120"][0]["Used"], auths["RB-55120"][0]["Left"]) == (42, -2)
    assert auths["EV-26-0177"][0]["Ends In Days"] == 10


def test_dashboard_helpers_calculate_in_libreoffice(calculated):
    ws = calculated["sample"]["Dashboard"]
    lines = S.claim_lines()
    kpi = {ws.cell(row=4, column=j).value: ws.cell(row=5, column=j).value for j in range(2, 10)}
    assert kpi["Service lines"] == len(lines)
    # deductible, coinsurance or copay alone (PR-1/2/3) is the client's share, not a denial
    share_only = [r for r in lines if r[17] == "Denied" and r[20]
                  and set(str(r[20]).replace(",", " ").split()) <= {"PR-1", "PR-2", "PR-3"}]
    assert share_only  # the sample has one (C1702, PR-1)
    assert kpi["Denied lines"] == sum(1 for r in lines if r[17] == "Denied") - len(share_only)
    # Billed counts only lines sent to the payer (not Draft, Ready, Void ...)
    sent = {"Submitted", "Rejected", "Paid", "Partially Paid", "Denied", "Appealed"}
    assert kpi["Billed (sent)"] == pytest.approx(sum(r[15] for r in lines if r[17] in sent))
    assert kpi["Billed (sent)"] < sum(r[15] for r in lines)
    assert kpi["Sessions over authorization"] == 2
    helper = {ws.cell(row=r, column=11).value: ws.cell(row=r, column=12).value for r in range(1, ws.max_row + 1)}
    for status in C.STATUSES:
        assert helper[status] == sum(1 for r in lines if r[17] == status), status
    # accounts receivable: unpaid lines sent to the payer, in dollars, by days since Submitted On
    unpaid = [r for r in lines if r[17] in ("Submitted", "Rejected", "Denied", "Appealed") and r[18]]
    buckets = {"0-30 days": (0, 30), "31-60 days": (31, 60), "61-90 days": (61, 90), "91-120 days": (91, 120),
               "Over 120 days": (121, 10**6)}

    def submitted(r) -> dt.date:
        return r[18] if isinstance(r[18], dt.date) else dt.datetime.strptime(r[18], "%m/%d/%Y").date()

    def dollars(rows, lo, hi):
        return sum(r[15] for r in rows if lo <= (S.AS_OF - submitted(r)).days <= hi)

    dollars_col = {ws.cell(row=r, column=11).value: ws.cell(row=r, column=13).value for r in range(1, ws.max_row + 1)}
    for label, (lo, hi) in buckets.items():
        assert dollars_col[label] == pytest.approx(dollars(unpaid, lo, hi)), label
        assert helper[label] == sum(1 for r in unpaid if lo <= (S.AS_OF - submitted(r)).days <= hi), label
    assert sum(dollars_col[b] for b in buckets) > 0
    # ... and by payer, below the charts
    table = {}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=2, max_col=9, values_only=True):
        if isinstance(row[0], str) and row[0] and all(isinstance(v, (int, float)) for v in row[2:]):
            table[row[0]] = row[2:]
    for payer in {r[5] for r in unpaid} & {p[0] for p in S.PAYERS}:
        mine = [r for r in unpaid if r[5] == payer]
        assert list(table[payer]) == pytest.approx([dollars(mine, lo, hi) for lo, hi in buckets.values()]
                                                   + [sum(r[15] for r in mine)]), payer
    assert table["All payers"][-1] == pytest.approx(sum(r[15] for r in unpaid))
    off_sheet = [r for r in unpaid if r[5] not in {p[0] for p in S.PAYERS}]
    assert table["Payers not on the Payers sheet"][-1] == pytest.approx(sum(r[15] for r in off_sheet))
    top = {ws.cell(row=r, column=15).value: ws.cell(row=r, column=16).value for r in range(5, 13)}
    top.pop(None, None)
    # expected: lines per CARC, read from the sample with the engine's own code parser
    from claimcheck.denials import parse_code

    expected = collections.Counter()
    for r in lines:
        if r[20]:
            carcs = {p.code for p in map(parse_code, str(r[20]).replace(",", " ").split()) if p.kind == "CARC"}
            expected.update(carcs)
    assert expected["197"] == 2 and expected["50"] == 1  # CO-197 twice (C1405, C1704)
    for share in ("1", "2", "3"):  # the client's share is not a denial reason
        expected.pop(share, None)
    assert {k.split(" - ")[0]: v for k, v in top.items()} == dict(expected.most_common(8))
    counts = list(top.values())
    assert counts == sorted(counts, reverse=True)  # biggest reason first


def test_empty_template_shows_blanks_not_errors(calculated):
    wb = calculated["empty"]
    for sheet in ("Claims", "Authorizations"):
        row = [c.value for c in wb[sheet][2]]
        assert all(v in (None, "") for v in row), (sheet, row)
    assert day(wb["Dashboard"]["C2"].value) == dt.date.today()  # As of = TODAY()
    for name in ("sample", "empty"):
        book = wb if name == "empty" else calculated["sample"]
        errors = [(ws.title, c.coordinate, c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                  if isinstance(c.value, str) and c.value in ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "Err:502", "Err:504")]
        assert errors == [], (name, errors[:5])


def test_claims_and_dashboard_render_to_pdf(built, tmp_path):
    need("pdftoppm")
    pdf = soffice_convert(built["sample"], tmp_path / "pdf", "pdf", tmp_path / "lo_profile_pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    pages = text.split("\f")
    claims_pages = [p for p in pages if "Claim ID" in p and "C1013" in p]
    across = load_workbook(built["sample"])["Claims"].page_setup.fitToWidth
    assert across >= 2 and len(claims_pages) == across  # pages across, Claim ID repeated on each
    assert "Session" in claims_pages[-1] and "File By" in claims_pages[-1] and "Payer" in claims_pages[0]
    first = pages.index(next(p for p in pages if "Billing dashboard" in p))
    dash_page = pages[first] + pages[first + 1]
    for title in ("Denials by reason", "Authorization use", "Claims by status", "Accounts receivable by age",
                  "Accounts receivable by payer"):
        assert title in dash_page, title
    done = subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.glob("page-*.png"))) == len([p for p in pages if p.strip()])


def test_rendering_npi_dropdowns_show_the_providers_name_and_the_pick_reads_as_the_npi(built, calculated, tmp_path):
    from claimcheck.workbook_templates.specs import PROVIDER_PICK_HEADER

    wb = load_workbook(built["sample"])
    source = wb.defined_names["ProviderNPIs"].attr_text
    providers = wb["Providers"]
    pick = next(c for c in providers[1] if c.value == PROVIDER_PICK_HEADER)
    assert f"Providers!${pick.column_letter}$2" in source
    for sheet in ("Claims", "Authorizations"):
        ws = wb[sheet]
        npi_col = next(c.column_letter for c in ws[1] if c.value == "Rendering NPI")
        dvs = [v for v in ws.data_validations.dataValidation if str(v.sqref).startswith(f"{npi_col}2")]
        assert dvs and dvs[0].type == "list" and dvs[0].formula1 == "ProviderNPIs", sheet
    shown = calculated["sample"]["Providers"]
    listed = [shown.cell(row=r, column=pick.column).value for r in range(2, 2 + len(S.PROVIDERS))]
    assert listed == [f"{p[0]}  {p[1]} ({p[2]})" for p in S.PROVIDERS]
    assert shown.cell(row=2 + len(S.PROVIDERS), column=pick.column).value in (None, "")
    # a line whose Rendering NPI was picked from the list reads as that NPI
    from claimcheck.api import check_workbook

    picked = tmp_path / "picked.xlsx"
    claims = wb["Claims"]
    npi_col = next(c.column for c in claims[1] if c.value == "Rendering NPI")
    before = {f.row: (f.code, f.message) for f in check_workbook(built["sample"], S.AS_OF).findings if f.code.startswith("NPI")}
    for r in range(2, claims.max_row + 1):
        value = claims.cell(row=r, column=npi_col).value
        name = {p[0]: f"{p[0]}  {p[1]} ({p[2]})" for p in S.PROVIDERS}.get(value)
        if name:
            claims.cell(row=r, column=npi_col).value = name
    wb.save(picked)
    after = {f.row: (f.code, f.message) for f in check_workbook(picked, S.AS_OF).findings if f.code.startswith("NPI")}
    assert after == before


def test_payers_sheet_has_a_payer_type_dropdown_and_the_sample_fills_it(built):
    ws = load_workbook(built["sample"])["Payers"]
    col = {c.value: c.column_letter for c in ws[1]}
    assert "Payer Type" in col
    found = [v for v in ws.data_validations.dataValidation
             if any(str(r).startswith(col["Payer Type"]) for r in str(v.sqref).split())]
    assert found and found[0].formula1 == '"' + ",".join(C.PAYER_TYPES) + '"' and found[0].errorStyle in (None, "stop")  # stop is the default
    types = {ws.cell(row=r, column=1).value: ws[f"{col['Payer Type']}{r}"].value for r in range(2, ws.max_row + 1)}
    assert types["Medicare Part B"] == "Medicare" and types["Riverbend Medicaid"] == "Medicaid"


def test_practice_sheet_gives_the_letters_their_letterhead(built):
    from claimcheck.appeals.practice import read_practice

    sample = read_practice(load_workbook(built["sample"]))
    assert sample.name == "Cedar Grove Counseling Group" and sample.signer == "Priya Nair, MD" and not sample.missing()
    ws = load_workbook(built["empty"])["Practice"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 2 + len(C.PRACTICE_LABELS))] == C.PRACTICE_LABELS
    empty = read_practice(load_workbook(built["empty"]))
    assert empty.empty and empty.missing()[:2] == ["Practice Name", "Street Address"]
