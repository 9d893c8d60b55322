"""Appeal sheets: the plan (letters as rows, Appeals Log), each reason's argument and
enclosures, and ``claimcheck appeals`` through the installed entry point on real workbooks."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from claimcheck import columns as C
from claimcheck.appeals import LOG_HEADER, LOG_SHEET, plan_appeals, sheet_name_for
from claimcheck.book import build_book
from claimcheck.engine import run_rules
from claimcheck.reader import rows_to_table
from helpers import claimcheck_exe

AS_OF = dt.date(2026, 6, 30)
NAME, DOB = "Zelda Privateperson", dt.date(1984, 3, 7)
HEADERS = C.CLAIM_HEADERS
PAYERS = [["Payer", "Payer ID", "Timely Filing Days", "Appeal Days", "Telehealth Modifier", "Auth Required",
           "Eval Counts Toward Auth", "Appeal Address", "Appeal Fax", "Phone"],
          ["Acme Health", "ACM1", 90, 180, "95", "N", "N", "Acme Appeals, PO Box 1, Town, ST 00001", "555-0100", "555-0101"],
          ["Gov Medicaid", "GOV1", 365, 60, "GT", "Y", "N", "Medicaid Appeals, PO Box 2, Town, ST 00002", "555-0200", "555-0201"]]
PROVIDERS = [["NPI", "Name", "Credential", "Taxonomy"], ["1234567893", "Dana Reyes", "LCSW", "1041C0700X"]]
AUTHS = [["Auth Number", "Client ID", "Payer", "Start Date", "End Date", "Authorized", "Unit Type", "Codes Covered",
          "Rendering NPI", "Notes"],
         ["A-1", "CL-1", "Gov Medicaid", dt.date(2026, 3, 1), dt.date(2026, 8, 31), 10, "Visits", "90834", "", ""],
         ["A-2", "CL-2", "Gov Medicaid", dt.date(2026, 1, 1), dt.date(2026, 3, 31), 2, "Visits", "", "", ""]]
BASE = {"Claim ID": "C1", "Client ID": "CL-1", "Client Name": NAME, "Client DOB": DOB, "Member ID": "M100",
        "Payer": "Acme Health", "Rendering NPI": "1234567893", "Billing NPI": "1987654328", "DOS": dt.date(2026, 5, 4),
        "Minutes": 45, "CPT": "90834", "Modifiers": None, "Units": 1, "Dx Codes": "F41.1, F33.1", "POS": "11",
        "Charge": 130.0, "Auth Number": None, "Status": "Denied", "Submitted On": dt.date(2026, 5, 6),
        "Paid Amount": None, "Denial Codes": "CO-50", "Denial Date": dt.date(2026, 6, 1)}


def line(**kw):
    out = dict(BASE)
    out.update({k.replace("_", " "): v for k, v in kw.items()})
    return out


def book_of(lines):
    rows = [tuple(HEADERS)] + [tuple(l.get(h) for h in HEADERS) for l in lines]
    raw = {"Claims": rows_to_table("Claims", "Claims", rows),
           "Payers": rows_to_table("Payers", "Payers", [tuple(p) for p in PAYERS]),
           "Providers": rows_to_table("Providers", "Providers", [tuple(p) for p in PROVIDERS]),
           "Authorizations": rows_to_table("Authorizations", "Authorizations", [tuple(a) for a in AUTHS])}
    return build_book(raw)


def letter_for(lines, claim="C1", **kw):
    plan = plan_appeals(book_of(lines), AS_OF, **kw)
    found = [l for l in plan.letters if l.claim_id == claim]
    assert found, plan.log_rows()
    return found[0]


# --------------------------------------------------------------------------- each reason

def test_medical_necessity_argument_and_enclosures():
    letter = letter_for([line()])
    text = letter.text()
    assert letter.reasons == ("medical_necessity",)
    assert "F41.1 (Generalized anxiety disorder)" in text
    assert "F33.1 (Major depressive disorder, recurrent, moderate)" in text
    assert "45 minutes face-to-face, within the 38-52 minutes the code requires" in text
    assert "Current treatment plan with measurable goals" in letter.enclosures
    assert "Acme Health's medical-necessity criteria with each criterion met marked" in letter.enclosures
    assert "Reverse the medical-necessity denial" in text


def test_authorization_on_file_counts_the_visit():
    lines = [line(Claim_ID="C0", Payer="Gov Medicaid", Status="Paid", DOS=dt.date(2026, 3, 2), Auth_Number="A-1",
                  Denial_Codes=None, Denial_Date=None),
             line(Payer="Gov Medicaid", Auth_Number="A-1", Denial_Codes="CO-197", DOS=dt.date(2026, 3, 9),
                  Denial_Date=dt.date(2026, 6, 10))]
    letter = letter_for(lines)
    text = letter.text()
    assert letter.reasons == ("authorization",)
    assert "Authorization A-1 was issued for this client: March 1, 2026 to August 31, 2026, 10 visits, covering 90834" in text
    assert "visit 2 of 10, so it was authorized" in text
    assert "Authorization approval letter or portal record (number, dates, count, codes)" in letter.enclosures
    assert "Apply the authorization on file" in text


def test_authorization_found_by_client_and_date_when_number_missing():
    text = letter_for([line(Payer="Gov Medicaid", Denial_Codes="CO-197", DOS=dt.date(2026, 4, 6))]).text()
    assert "The authorization number was missing from the claim; it is A-1." in text


def test_no_authorization_asks_for_retro_authorization():
    letter = letter_for([line(Client_ID="CL-9", Denial_Codes="CO-197")])
    assert "We request a retroactive authorization" in letter.text()
    assert "Grant the retroactive authorization" in letter.text()
    assert not any("approval letter" in e for e in letter.enclosures)


def test_authorization_exceeded_asks_for_extension():
    lines = [line(Claim_ID=f"P{i}", Client_ID="CL-2", Payer="Gov Medicaid", Status="Paid", Auth_Number="A-2",
                  DOS=dt.date(2026, 2, 2 + 7 * i), Denial_Codes=None, Denial_Date=None) for i in range(2)]
    lines.append(line(Client_ID="CL-2", Payer="Gov Medicaid", Auth_Number="A-2", DOS=dt.date(2026, 3, 16),
                      Denial_Codes="CO-198", Denial_Date=dt.date(2026, 6, 15)))
    text = letter_for(lines).text()
    assert "the session is visit 3 of 2 authorized" in text
    assert "retroactive extension of authorization A-2" in text


def test_authorization_letter_counts_the_visits_the_check_counts():
    """A line without a number that the check ties to A-2 (AUTH010) uses a visit too: the
    letter says visit 3 of 2, as AUTH007 does, not "visit 2 of 2, so it was authorized"."""
    lines = [line(Claim_ID="P0", Client_ID="CL-2", Payer="Gov Medicaid", Status="Paid", DOS=dt.date(2026, 2, 2),
                  Denial_Codes=None, Denial_Date=None),
             line(Claim_ID="P1", Client_ID="CL-2", Payer="Gov Medicaid", Status="Paid", Auth_Number="A-2",
                  DOS=dt.date(2026, 2, 9), Denial_Codes=None, Denial_Date=None),
             line(Client_ID="CL-2", Payer="Gov Medicaid", Auth_Number="A-2", DOS=dt.date(2026, 3, 16),
                  Denial_Codes="CO-198", Denial_Date=dt.date(2026, 6, 15))]
    book = book_of(lines)
    over = [f for f in run_rules(book, AS_OF, select=["AUTH007"]) if f.claim_id == "C1"]
    assert [f.code for f in over] == ["AUTH007"] and "session 3 of 2" in over[0].message
    text = letter_for(lines).text()
    assert "the session is visit 3 of 2 authorized" in text
    assert "retroactive extension of authorization A-2" in text


def test_timely_filing_argument_uses_the_submission_date():
    letter = letter_for([line(Denial_Codes="CO-29")])
    text = letter.text()
    assert "We first submitted this claim on May 6, 2026, 2 days after the date of service" in text
    assert "90-day filing limit, which ran to August 2, 2026" in text
    assert "Clearinghouse acceptance report (999/277CA) showing the submission date" in letter.enclosures


def test_bundled_add_on_argument():
    lines = [line(Status="Paid", Denial_Codes=None, Denial_Date=None),
             line(CPT="90785", Minutes=None, Charge=25.0, Denial_Codes="CO-97")]
    letter = letter_for(lines)
    text = letter.text()
    assert "90785 (Interactive complexity add-on) is an add-on code billed with its primary service 90834" in text
    assert any("NCCI" in e for e in letter.enclosures)
    # The service table covers every line of the claim, the paid one too.
    table = [r for r in letter.rows() if isinstance(r[0], dt.date)]
    assert [r[1] for r in table] == ["90834", "90785"]
    assert table[0][6] == "Paid" and table[1][6] == "CO-97"


def test_coding_correction_explained_when_the_filing_window_has_closed():
    letter = letter_for([line(Denial_Codes="CO-4", DOS=dt.date(2026, 1, 5), Submitted_On=dt.date(2026, 1, 9),
                              POS="10", Modifiers="95", Denial_Date=dt.date(2026, 6, 10))])
    text = letter.text()
    assert letter.reasons[0] == "coding"
    assert "The line as corrected: 90834 with modifiers 95, place of service 10" in text
    assert "For telehealth Acme Health asks for modifier 95" in text
    assert "The filing limit for a corrected claim ended April 5, 2026" in text
    assert "Corrected claim (CMS-1500) with the changed fields marked" in letter.enclosures


@pytest.mark.parametrize("code, phrase, enclosure", [
    ("CO-27", "was active on May 4, 2026", "Copy of the insurance card (front and back)"),
    ("CO-185", "rendered by Dana Reyes, LCSW (NPI 1234567893, taxonomy 1041C0700X)", "Clinician's license"),
    ("CO-151", "1 unit of 90834 was billed for May 4, 2026, supported by 45 documented minutes", "Treatment plan explaining the frequency"),
    ("CO-242", "We request a network exception", "Progress notes"),
    ("CO-252", "The records Acme Health asked for are enclosed", "The records requested for each date of service"),
    ("CO-96", "Outpatient behavioral-health treatment is a benefit", "Summary of benefits showing outpatient mental-health coverage"),
])
def test_other_reasons(code, phrase, enclosure):
    letter = letter_for([line(Denial_Codes=code)])
    assert phrase in letter.text()
    assert enclosure in letter.enclosures


# --------------------------------------------------------------------------- the plan

def test_letter_rows_are_plain_values_and_carry_what_the_payer_needs():
    letter = letter_for([line()])
    rows = letter.rows()
    assert all(len(r) == 7 for r in rows)
    for r in rows:
        for v in r:
            assert v is None or type(v) in (str, float, dt.date), (v, type(v))
    text = letter.text()
    for needed in ("Acme Appeals, PO Box 1, Town, ST 00001", "Member ID  M100", "Our claim ID  C1", "1234567893",
                   "1987654328", "CO-50: the payer judged the service not medically necessary", NAME, "03/07/1984",
                   "Dear Appeals Department:", "Sincerely,"):
        assert needed in text
    # The deadline and the fill-in instructions are notes for the biller, not letter text.
    assert "Deadline 11/28/2026 (151 days left as of 06/30/2026; denial date + 180 days)." in letter.notes
    assert not any(word in text for word in ("days left", "Prepared with claimcheck", "Deadline"))


def test_log_lists_every_denied_claim_with_its_decision():
    lines = [line(Claim_ID="A1"), line(Claim_ID="A2", Denial_Codes="CO-16, N290"), line(Claim_ID="A3", Denial_Codes="PR-1"),
             line(Claim_ID="A4", Denial_Date=dt.date(2025, 11, 1)), line(Claim_ID="A5", Status="Appealed"),
             line(Claim_ID="A6", Denial_Codes="CO-109"), line(Claim_ID="A7", Status="Paid", Denial_Codes=None)]
    plan = plan_appeals(book_of(lines), AS_OF)
    assert plan.log_header == LOG_HEADER
    log = {r[0]: r for r in plan.log_rows()}
    assert set(log) == {"A1", "A2", "A3", "A4", "A5", "A6"}
    assert log["A1"][6] == "appeal written" and log["A1"][10] == "Appeal A1" and log["A1"][9] == 151.0
    assert log["A2"][6] == "corrected claim instead" and "Rendering NPI" in log["A2"][7]
    assert log["A3"][6] == "bill patient"
    # An appeal deadline only where an appeal is the route: none on bill-patient, correction or other-payer rows.
    for claim in ("A2", "A3", "A6"):
        assert log[claim][8] is None and log[claim][9] is None, claim
    assert log["A4"][6] == "not appealable: window closed" and log["A4"][9] == -61.0 and log["A4"][10] is None
    assert log["A5"][6] == "already appealed"
    assert log["A6"][6] == "send to other payer"
    assert [l.claim_id for l in plan.letters] == ["A1"]
    assert [d.claim_id for d in plan.missed] == ["A4"]


def test_named_claims_get_letters_even_when_the_window_closed():
    lines = [line(Claim_ID="A1"), line(Claim_ID="A4", Denial_Date=dt.date(2025, 11, 1)),
             line(Claim_ID="A5", Status="Appealed"), line(Claim_ID="A7", Status="Paid", Denial_Codes=None)]
    plan = plan_appeals(book_of(lines), AS_OF, claim_ids=["a4", "A5", "A7"])
    assert [l.claim_id for l in plan.letters] == ["A4", "A5"]
    assert "accept it for good cause" in plan.letters[0].text()
    log = {r[0]: r for r in plan.log_rows()}
    assert log["A1"][6] == "appeal (not selected)"
    assert log["A4"][6].startswith("appeal written") and log["A5"][6] == "appeal reprinted"
    assert log["A7"][6] == "not denied"


def test_plan_reads_the_fixes_from_a_run_the_caller_already_did():
    """A corrected claim quotes claimcheck's own findings on its lines: given a full run's
    findings the plan quotes them as it does when it runs those rule families itself."""
    from claimcheck.engine import run_rules

    lines = [line(Claim_ID="A2", Denial_Codes="CO-5", POS="30"), line(Claim_ID="A1")]
    book = book_of(lines)
    own = plan_appeals(book, AS_OF)
    given = plan_appeals(book, AS_OF, findings=run_rules(book, AS_OF))
    assert "claimcheck also finds: POS001" in {r[0]: r for r in own.log_rows()}["A2"][7]
    assert given.log_rows() == own.log_rows()
    assert [l.rows() for l in given.letters] == [l.rows() for l in own.letters]
    # and they are read from the findings given, not worked out again
    assert "POS001" not in {r[0]: r for r in plan_appeals(book, AS_OF, findings=[]).log_rows()}["A2"][7]


def test_appeals_and_denials_import_nothing_above_the_engine():
    """Layers import downward (engine -> Excel adapters -> templates): the appeals own the
    letters' page setup, and no import, even inside a function, reaches up."""
    import ast

    import claimcheck

    root = Path(claimcheck.__file__).parent
    files = sorted((root / "appeals").glob("*.py")) + sorted((root / "denials").glob("*.py")) + [root / "rules" / "deny.py"]
    upward = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            upward += [(path.name, n) for n in names if {"workbook_templates", "addin", "udfs"} & set(n.split("."))]
    assert len(files) > 8 and upward == []


def test_sheet_names_are_cut_to_31_characters_and_unique():
    taken: set[str] = set()
    long_id = "CLAIM-2026-000000000123456789"
    a = sheet_name_for(long_id, taken)
    b = sheet_name_for(long_id + "X", taken)
    c = sheet_name_for("c/1:2?", taken)
    assert len(a) == 31 and a.startswith("Appeal CLAIM-2026")
    assert len(b) <= 31 and b != a and b.upper() != a.upper()
    assert c == "Appeal c-1-2-"
    assert sheet_name_for("C1", taken) == "Appeal C1" and sheet_name_for("c1", taken) == "Appeal c1 (2)"


# --------------------------------------------------------------------------- the command on real files

FORMULA_MEMBER = '=HYPERLINK("http://x.example","click")'


def _write_book(path: Path, lines) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(HEADERS)
    for l in lines:
        ws.append([l.get(h) for h in HEADERS])
    for i, l in enumerate(lines, start=2):  # force biller text that looks like a formula to be text
        for c, h in enumerate(HEADERS, start=1):
            v = l.get(h)
            if isinstance(v, str) and v.startswith("="):
                ws.cell(row=i, column=c).value = v
                ws.cell(row=i, column=c).data_type = "s"
    for title, rows in (("Payers", PAYERS), ("Providers", PROVIDERS), ("Authorizations", AUTHS)):
        s = wb.create_sheet(title)
        for r in rows:
            s.append(r)
    notes = wb.create_sheet("My Notes")
    notes["A1"] = "keep me"
    notes["B1"] = "=1+1"
    wb.save(path)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(*args, cwd=None):
    return subprocess.run([claimcheck_exe(), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture()
def workbook(tmp_path):
    lines = [line(Claim_ID="C1", Member_ID=FORMULA_MEMBER),
             line(Claim_ID="C2", Denial_Codes="CO-16, N290"),
             line(Claim_ID="C3", Denial_Codes="PR-1"),
             line(Claim_ID="C4", Denial_Codes="CO-29")]
    return _write_book(tmp_path / "in.xlsx", lines)


def test_cli_writes_appeal_sheets_and_log_and_leaves_the_input_alone(workbook, tmp_path):
    before = _sha(workbook)
    out = tmp_path / "out.xlsx"
    res = _run("appeals", workbook, "--output", out, "--as-of", "2026-06-30")
    assert res.returncode == 0, res.stderr
    assert _sha(workbook) == before
    assert NAME not in res.stdout + res.stderr and DOB.isoformat() not in res.stdout + res.stderr
    assert "C1" in res.stdout and "appeal written" in res.stdout
    wb = load_workbook(out)
    assert wb.sheetnames == ["Claims", "Payers", "Providers", "Authorizations", "My Notes", "Appeal C1", "Appeal C4", LOG_SHEET]
    assert wb["My Notes"]["A1"].value == "keep me" and wb["My Notes"]["B1"].value == "=1+1"

    log = list(wb[LOG_SHEET].iter_rows(values_only=True))
    assert list(log[0]) == LOG_HEADER
    decisions = {r[0]: r[6] for r in log[1:]}
    assert decisions == {"C1": "appeal written", "C2": "corrected claim instead", "C3": "bill patient", "C4": "appeal written"}
    c1 = [r for r in log[1:] if r[0] == "C1"][0]
    assert c1[8].date() == dt.date(2026, 11, 28) and c1[9] == 151 and c1[10] == "Appeal C1"

    ws = wb["Appeal C1"]
    assert ws.page_setup.paperSize == 1 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 1
    last = max(r for r in range(1, ws.max_row + 1) if any(ws.cell(row=r, column=c).value is not None for c in range(1, 8)))
    assert ws.print_area == f"'Appeal C1'!$A$1:$G${last}"
    assert ws.page_margins.left == 0.75
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(str(v).startswith("Re: Appeal of denied claim C1, payer claim number") for v in values) and NAME in values
    # The member ID that looks like a formula stays text.
    member = [c for row in ws.iter_rows() for c in row if c.value == FORMULA_MEMBER]
    assert member and all(c.data_type == "s" for c in member)
    assert not any(isinstance(v, str) and v.startswith("=") and v != FORMULA_MEMBER for v in values)


def test_cli_claim_filter_docx_and_exit_code_for_a_missed_deadline(tmp_path):
    src = _write_book(tmp_path / "in.xlsx", [line(Claim_ID="K1"), line(Claim_ID="K2", Denial_Date=dt.date(2025, 11, 1))])
    out, docs = tmp_path / "out.xlsx", tmp_path / "letters"
    res = _run("appeals", src, "--output", out, "--as-of", "2026-06-30", "--docx", docs)
    assert res.returncode == 1, res.stderr  # K2's window closed
    assert "1 appeal deadline(s) passed: K2" in res.stdout
    assert [p.name for p in sorted(docs.iterdir())] == ["Appeal K1.docx"]
    import docx

    text = "\n".join(p.text for p in docx.Document(str(docs / "Appeal K1.docx")).paragraphs)
    tables = " ".join(c.text for t in docx.Document(str(docs / "Appeal K1.docx")).tables for row in t.rows for c in row.cells)
    assert "Appeal of denied claim K1" in text and "K1" in tables and "medically necessary" in text

    res = _run("appeals", src, "--output", tmp_path / "one.xlsx", "--as-of", "2026-06-30", "--claim", "K1")
    assert res.returncode == 0
    assert load_workbook(tmp_path / "one.xlsx").sheetnames[-2:] == ["Appeal K1", LOG_SHEET]


def test_cli_refuses_the_input_as_output_and_unknown_claims(workbook, tmp_path):
    before = _sha(workbook)
    res = _run("appeals", workbook, "--output", workbook)
    assert res.returncode == 2 and "never overwrites the input" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    res = _run("appeals", workbook, "--output", tmp_path / "o.xlsx", "--claim", "NOPE")
    assert res.returncode == 2 and "NOPE" in res.stderr
    res = _run("appeals", tmp_path / "missing.xlsx", "--output", tmp_path / "o.xlsx")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert _sha(workbook) == before


def test_cli_on_the_bundled_sample(tmp_path):
    sample = Path(__file__).resolve().parents[1] / "examples" / "sample-billing.xlsx"
    out = tmp_path / "sample-appeals.xlsx"
    res = _run("appeals", sample, "--output", out, "--as-of", "2026-06-30")
    assert res.returncode == 1  # two Riverbend denials missed their 60-day window
    wb = load_workbook(out)
    assert [s for s in wb.sheetnames if s.startswith("Appeal ")] == ["Appeal C1207", "Appeal C1505", "Appeal C1703", "Appeal C1704"]
    log = {r[0]: r[6] for r in wb[LOG_SHEET].iter_rows(min_row=2, values_only=True)}
    assert log["C1404"] == "not appealable: window closed" and log["C1701"] == "corrected claim instead"
    assert log["C1702"] == "bill patient"
    for name in ("Sample", "Placeholder", "Testcase", "Synthetic", "Fictional", "Madeup", "Example"):
        assert name not in res.stdout


def test_each_appeal_sheet_prints_as_one_letter_page_in_libreoffice(tmp_path):
    """The sample's appeal sheets opened in a real spreadsheet program and rendered to PDF:
    every appeal is exactly one page, with its letter heading and its own footer."""
    import office

    sample = Path(__file__).resolve().parents[1] / "examples" / "sample-billing.xlsx"
    out = tmp_path / "appeals.xlsx"
    _run("appeals", sample, "--output", out, "--as-of", "2026-06-30")
    pdf = office.soffice_convert(out, tmp_path / "pdf", "pdf", tmp_path / "lo-profile")
    pdftotext = office.need("pdftotext")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=120).stdout
    pages = text.split("\f")
    info = subprocess.run([office.need("pdfinfo"), "-f", "1", "-l", str(len(pages)), str(pdf)],
                          capture_output=True, text=True, timeout=60).stdout
    sizes = {int(m[0]): m[1] for m in re.findall(r"Page\s+(\d+) size:\s+(.*)", info)}
    claims = ["C1207", "C1505", "C1703", "C1704"]
    for claim in claims:
        letter_pages = [i for i, p in enumerate(pages) if f"of denied claim {claim}," in p]
        footer_pages = [i for i, p in enumerate(pages) if f"Claim {claim} - page" in p]
        assert len(letter_pages) == 1 and footer_pages == letter_pages, claim
        page = pages[letter_pages[0]]
        for part in ("Re: ", "Dear ", "Why this claim should be paid", "Action requested", "Enclosures", "Sincerely"):
            assert part in page, (claim, part)
        assert sizes[letter_pages[0] + 1].startswith("612 x 792 pts"), sizes[letter_pages[0] + 1]  # US Letter


# --------------------------------------------------------------------------- letter form (issue 18)

PRACTICE = [("Practice Name", "Cedar Counseling Group"), ("Street Address", "12 Elm St, Suite 3"),
            ("City State ZIP", "Springfield, IL 62701"), ("Phone", "(217) 555-0123"), ("Fax", "(217) 555-0124"),
            ("Email", "billing@cedar.example"), ("Tax ID", 123456789), ("Group NPI", "1987654328"),
            ("Contact", "Alex Biller"), ("Signer", "Dana Reyes, LCSW"), ("Signer Title", "Clinical Director")]


def test_letter_uses_us_dates_money_salutation_and_plurals():
    letter = letter_for([line(), line(DOS=dt.date(2026, 5, 11))])
    text = letter.text()
    assert "June 30, 2026" in text and "Dear Appeals Department:" in text and "Sincerely," in text
    assert "for the 2 sessions on May 4, 2026 and May 11, 2026" in text
    assert "05/04/2026  90834" in text and "$130.00" in text and "total charge $260.00" in text
    assert not re.search(r"\b2026-\d\d-\d\d\b", text)  # no ISO dates on the page
    one = letter_for([line()]).text()
    assert "for the session on May 4, 2026" in one and "The session on May 4, 2026 treated" in one


def test_practice_sheet_feeds_the_letterhead_and_the_signature_block():
    from claimcheck.appeals.practice import practice_from_rows

    practice = practice_from_rows([("Field", "Value"), *PRACTICE])
    letter = letter_for([line()], practice=practice)
    text = letter.text()
    lines = text.splitlines()
    assert lines[0] == "Cedar Counseling Group" and lines[1] == "12 Elm St, Suite 3, Springfield, IL 62701"
    assert "Phone (217) 555-0123 | Fax (217) 555-0124 | billing@cedar.example" in text
    assert "Tax ID 123456789 | Group NPI 1987654328" in text
    assert lines[-3:] == ["Dana Reyes, LCSW", "Clinical Director", "Cedar Counseling Group"]
    assert "to Alex Biller at (217) 555-0123" in text
    assert "[practice" not in text.lower() and "[signer" not in text and "[title]" not in text
    assert not any("Practice sheet" in n for n in letter.notes)
    # While the sheet is empty: placeholders, and a note naming the fields to fill.
    empty = letter_for([line()])
    assert "[practice address and phone]" in empty.text() and "[Practice name]" in empty.text()
    assert any(n.startswith("Fill in the Practice sheet: Practice Name, Street Address") for n in empty.notes)


@pytest.mark.parametrize("payer, codes, title, form", [
    ("Medicare Part B", "CO-50", "Re: Request for redetermination of denied claim C1", True),
    ("Medicare Part B", "CO-29", "Re: Request for reopening of denied claim C1", False),
    ("Sunrise Medicare Advantage", "CO-50", "Re: Request for reconsideration of denied claim C1", False),
    ("Acme Health", "CO-50", "Re: Appeal of denied claim C1", False),
])
def test_the_letter_is_titled_for_the_payer_type(payer, codes, title, form):
    letter = letter_for([line(Payer=payer, Denial_Codes=codes)])
    text = letter.text()
    assert title in text
    assert any("CMS-20027" in e for e in letter.enclosures) == form
    if "Advantage" in payer:
        assert "reopen" not in text.lower() and "Medicare Contractor" not in text


def test_notes_sit_outside_the_print_area_and_never_in_the_docx(tmp_path):
    docx = pytest.importorskip("docx")
    from claimcheck.appeals import write_appeals
    from claimcheck.appeals.docx import write_letter
    from claimcheck.appeals.xlsx import NOTES_COL

    plan = plan_appeals(book_of([line()]), AS_OF)
    wb = Workbook()
    write_appeals(wb, plan)
    ws = wb["Appeal C1"]
    assert ws.print_area == f"'Appeal C1'!$A$1:$G${len(plan.letters[0].body)}"
    panel = [ws[f"{NOTES_COL}{r}"].value for r in range(1, ws.max_row + 1) if ws[f"{NOTES_COL}{r}"].value]
    assert panel[0] == "For the biller (not printed)"
    assert any(v.startswith("Deadline 11/28/2026 (151 days left") for v in panel)
    assert any(v.startswith("Prepared with claimcheck") for v in panel)
    printed = [c.value for row in ws.iter_rows(max_col=7) for c in row if isinstance(c.value, str)]
    assert not any("Prepared with claimcheck" in v or "days left" in v or "Fill in" in v for v in printed)
    table_date = [c for row in ws.iter_rows(max_col=7) for c in row if isinstance(c.value, (dt.date, dt.datetime))]
    assert table_date and all(c.number_format == "mm/dd/yyyy" for c in table_date)
    assert any(ws.cell(row=c.row, column=6).number_format == '"$"#,##0.00' for c in table_date)

    path = write_letter(plan.letters[0], tmp_path / "a.docx")
    d = docx.Document(str(path))
    words = "\n".join(p.text for p in d.paragraphs) + " ".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    assert "Dear Appeals Department:" in words and "$130.00" in words and "05/04/2026" in words
    for internal in ("Prepared with claimcheck", "days left", "Deadline", "Fill in the Practice sheet", "2026-05-04"):
        assert internal not in words
    paras = d.paragraphs
    at = [p.text for p in paras].index("Sincerely,")
    assert all(p.paragraph_format.keep_with_next for p in paras[at:-1])  # the signature stays with the closing


def test_cli_reads_the_practice_sheet_and_says_which_fields_to_fill(tmp_path):
    src = _write_book(tmp_path / "in.xlsx", [line(Claim_ID="K1")])
    res = _run("appeals", src, "--output", tmp_path / "a.xlsx", "--as-of", "2026-06-30")
    assert "until the Practice sheet gives: Practice Name, Street Address, City State ZIP, Phone, Tax ID, Group NPI, " \
           "Signer, Signer Title" in res.stdout
    wb = load_workbook(src)
    ws = wb.create_sheet("Practice")
    for row in PRACTICE:
        ws.append(row)
    wb.save(src)
    res = _run("appeals", src, "--output", tmp_path / "b.xlsx", "--as-of", "2026-06-30")
    assert res.returncode == 0 and "Practice sheet" not in res.stdout
    values = [c.value for row in load_workbook(tmp_path / "b.xlsx")["Appeal K1"].iter_rows(max_col=7) for c in row]
    assert values[0] == "Cedar Counseling Group" and "Clinical Director" in values


def test_the_payer_claim_number_leads_the_re_line_and_a_placeholder_stands_in_when_blank():
    letter = letter_for([line(Payer_Claim_Number="2226152000001"), line(CPT="90785", Minutes=None, Charge=25.0)])
    text = letter.text()
    assert "Re: Appeal of denied claim C1, payer claim number 2226152000001; date of service May 4, 2026" in text
    assert "Payer claim no.  2226152000001" in text and "Claim 2226152000001, total charge $155.00" in text
    assert not any("Payer Claim Number column" in n for n in letter.notes)
    blank = letter_for([line()])
    assert "payer claim number [payer claim number from the remittance]" in blank.text()
    assert any("Payer Claim Number column" in n for n in blank.notes)
    # Original Medicare names it as form CMS-20027 does.
    medicare = letter_for([line(Payer="Medicare Part B", Payer_Claim_Number="2226152000009")]).text()
    assert "ICN  2226152000009" in medicare and "Medicare number  M100" in medicare and "Beneficiary  " in medicare



def test_medical_necessity_asks_for_clinical_specifics_criteria_and_peer_review_and_cites_parity_by_type():
    payers = PAYERS[0] + ["Payer Type"]
    rows = [payers] + [r + [t] for r, t in zip(PAYERS[1:], ["Commercial", "Medicaid"])]
    claims = [tuple(HEADERS)] + [tuple(l.get(h) for h in HEADERS) for l in (line(), line(Claim_ID="C2", Payer="Gov Medicaid"))]
    book = build_book({"Claims": rows_to_table("Claims", "Claims", claims),
                       "Payers": rows_to_table("Payers", "Payers", [tuple(p) for p in rows])})
    plan = plan_appeals(book, AS_OF)
    by_id = {l.claim_id: l for l in plan.letters}
    text = by_id["C1"].text()
    for needed in ("[symptoms and their severity]", "PHQ-9 or GAD-7", "[functional impairment", "[the plan's measurable goals]",
                   "medical-necessity criteria Acme Health applied", "peer-to-peer review",
                   "Mental Health Parity and Addiction Equity Act (29 CFR 2590.712"):
        assert needed in text, needed
    assert "Parity" not in by_id["C2"].text()  # a fee-for-service Medicaid plan: no MHPAEA citation
    # Payer Type blank: no citation, and a note says how to get it.
    blank = letter_for([line()])
    assert "Parity" not in blank.text() and any("MHPAEA" in n for n in blank.notes)


def test_missing_authorization_leads_with_the_request_not_a_concession():
    text = letter_for([line(Client_ID="CL-9", Denial_Codes="CO-197")]).text()
    assert "No authorization is on file" not in text
    why = text.split("Why this claim should be paid")[1]
    assert why.strip().startswith("We request a retroactive authorization for 90834 on May 4, 2026. Care could not wait")


def test_log_calls_a_medicare_correction_a_reopening():
    plan = plan_appeals(book_of([line(Payer="Medicare Part B", Denial_Codes="CO-16, N290")]), AS_OF)
    [row] = plan.log_rows()
    assert row[6] == "reopening instead" and "reopen the claim" in row[7] and "frequency code 7 with" not in row[7]
    assert "Payer Type is blank" in row[7]  # the route was taken from the name, and the log says so



def test_a_closed_window_row_states_one_decision():
    # CO-4 after the filing window: the correction would go through the appeal, but that window closed too.
    plan = plan_appeals(book_of([line(Denial_Codes="CO-4", DOS=dt.date(2025, 6, 2), Submitted_On=dt.date(2025, 6, 4),
                                      Denial_Date=dt.date(2025, 9, 1))]), AS_OF)
    [row] = plan.log_rows()
    assert row[6] == "not appealable: window closed"
    assert row[7].startswith("appeal window closed 2026-02-28: appeal CO-4 only with a good-cause reason")
    assert "goes through the appeal" not in row[7]
