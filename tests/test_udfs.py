"""The worksheet functions, called through xlwings' own Office.js dispatch (as xlwings Lite
calls them), with arguments as Excel sends them: 2D arrays, serial dates, blanks, errors."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udfs_env import (  # noqa: I001  (sets the xlwings env vars before xlwings is imported)
    call, cli_texts, grid, office_module, sample_sheets, serial, server, write_xlsx,
)
from helpers import CLAIM_HEADERS, line  # noqa: E402
from claimcheck import columns as C  # noqa: E402
from test_robustness import cell_values  # noqa: E402

CONTRACT = {
    "CHECK_CLAIM": ["row", "header?"],
    "CHECK_CLAIMS": ["claims", "authorizations?", "payers?", "as_of?", "providers?"],
    "CPT_FOR_MINUTES": ["minutes", "kind?"],
    "CHECK_DX": ["code", "dos?"],
    "CHECK_NPI": ["npi"],
    "AUTH_USED": ["auth", "claims", "authorizations", "as_of?"],
    "AUTH_REMAINING": ["auth", "claims", "authorizations", "as_of?"],
    "FILING_DEADLINE": ["dos", "payer", "payers?"],
    "APPEAL_DEADLINE": ["denial_date", "payer", "payers?"],
    "DENIAL_REASON": ["code"],
}
NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
AS_OF = dt.date(2026, 6, 30)


def one(result):
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    return result[0][0]


def test_meta_lists_every_contract_function_with_its_parameters():
    meta = server.custom_functions_meta(office_module())
    found = {f["name"]: [p["name"] + ("?" if p.get("optional") else "") for p in f["parameters"]]
             for f in meta["functions"]}
    assert found == CONTRACT
    for f in meta["functions"]:
        assert f["description"] and f["result"]["dimensionality"] == "matrix"
        assert all(p["description"] and not p["description"].startswith("Positional") for p in f["parameters"])


def test_check_dx():
    assert one(call("CHECK_DX", [["F41.1"]])) == "OK"
    assert one(call("CHECK_DX", [["f411"]])) == "OK"
    assert "category, not a billable code" in one(call("CHECK_DX", [["F41"]]))
    assert "not in ICD-10-CM" in one(call("CHECK_DX", [["F99.9"]]))
    assert one(call("CHECK_DX", [["F41.1, F43.10"]])) == "OK"
    assert one(call("CHECK_DX", [[None]])) == ""
    assert one(call("CHECK_DX", [[NA]])) == "claimcheck: the code cell shows #N/A"


def test_check_dx_by_date_of_service():
    """The optional date of service picks the fiscal year's code set (October 1): Z59.86 is
    billable in FY2025 and a category in FY2026, Z59.861 is new in FY2026; a date before the
    oldest shipped year gets a note, not an error."""
    assert one(call("CHECK_DX", [["Z59.86"]], [[serial(dt.date(2025, 9, 30))]])) == "OK"
    assert "category, not a billable code" in one(call("CHECK_DX", [["Z59.86"]], [[serial(dt.date(2025, 10, 1))]]))
    assert one(call("CHECK_DX", [["Z59.861"]], [[serial(dt.date(2025, 10, 1))]])) == "OK"
    assert one(call("CHECK_DX", [["Z59.861"]], [[serial(dt.date(2025, 9, 30))]])) == (
        "Z59.861 is not in ICD-10-CM FY2025 (dates of service 2024-10-01 to 2025-09-30)")
    assert one(call("CHECK_DX", [["Z59.861"]], [["2025-10-01"]])) == "OK"  # ISO text
    assert "the oldest code set claimcheck has" in one(call("CHECK_DX", [["Z59.861"]], [[serial(dt.date(2023, 3, 1))]]))
    assert one(call("CHECK_DX", [["F41.1"]], [[None]])) == "OK"  # blank: today
    assert one(call("CHECK_DX", [["F41.1"]], [["soon"]])).startswith("claimcheck: dos ")
    assert one(call("CHECK_DX", [["F41.1"]], [[NA]])) == "claimcheck: the dos cell shows #N/A"


def test_check_npi():
    assert one(call("CHECK_NPI", [[1234567893]])) == "OK"  # typed as a number
    assert one(call("CHECK_NPI", [["1234567893"]])) == "OK"
    assert "check digit" in one(call("CHECK_NPI", [["1234567890"]]))
    assert "10 digits" in one(call("CHECK_NPI", [["12345"]]))
    assert one(call("CHECK_NPI", [[None]])) == ""
    assert one(call("CHECK_NPI", [[{"type": "Error", "basicValue": "#REF!", "errorType": "Ref"}]])).startswith("claimcheck:")


def test_cpt_for_minutes():
    assert one(call("CPT_FOR_MINUTES", [[45]])) == "90834"
    assert one(call("CPT_FOR_MINUTES", [[53]])) == "90837"
    assert one(call("CPT_FOR_MINUTES", [["30 min"]])) == "90832"
    assert one(call("CPT_FOR_MINUTES", [[45]], [["with E/M"]])) == "90836"
    assert one(call("CPT_FOR_MINUTES", [[60]], [["crisis"]])) == "90839"
    assert one(call("CPT_FOR_MINUTES", [[10]])).startswith("no psychotherapy code fits 10")
    assert one(call("CPT_FOR_MINUTES", [[45]], [["massage"]])).startswith("claimcheck: kind")
    assert one(call("CPT_FOR_MINUTES", [["abc"]])).startswith("claimcheck: minutes")
    assert one(call("CPT_FOR_MINUTES", [[None]])) == ""


def test_deadlines_are_dates_excel_formats():
    dos = dt.date(2026, 1, 5)
    result = one(call("FILING_DEADLINE", [[serial(dos)]], [["Unknown Payer"]]))
    # the documented defaults: 90 filing days; Office.js gets a date-formatted number
    assert result == {"type": "FormattedNumber", "basicValue": float(serial(dos + dt.timedelta(days=90))),
                      "numberFormat": "M/d/yyyy"}
    payers = [["Payer", "Timely Filing Days", "Appeal Days"], ["Evergreen Health Plan", 180, 60]]
    result = one(call("FILING_DEADLINE", [["01/05/2026"]], [["evergreen health plan"]], payers))
    assert result["basicValue"] == serial(dos + dt.timedelta(days=180))
    result = one(call("APPEAL_DEADLINE", [[serial(dos)]], [["Evergreen Health Plan"]], payers))
    assert result["basicValue"] == serial(dos + dt.timedelta(days=60))
    assert one(call("FILING_DEADLINE", [[None]], [["X"]])) == ""
    assert "is not a date" in one(call("APPEAL_DEADLINE", [["soon"]], [["X"]]))
    assert one(call("APPEAL_DEADLINE", [[NA]], [["X"]])) == "claimcheck: the denial date cell shows #N/A"
    bad_payers = [["Name", "Days"], ["x", 1]]
    assert "no header row with Payer" in one(call("FILING_DEADLINE", [[serial(dos)]], [["X"]], bad_payers))


def test_denial_reason():
    from claimcheck.denials import explain

    assert one(call("DENIAL_REASON", [["CO-197"]])) == explain("CO-197")
    assert one(call("DENIAL_REASON", [[50]])) == explain("50")
    assert one(call("DENIAL_REASON", [[None]])) == ""
    assert one(call("DENIAL_REASON", [[NA]])).startswith("claimcheck:")


def _sample_claim(index: int):
    sheets = sample_sheets()
    return sheets["Claims"][0], sheets["Claims"][index]


def test_check_claim_positional_with_header_and_with_header_in_range():
    header = ["Claim ID", "DOS", "CPT", "Minutes", "Dx Codes", "POS", "Payer", "Rendering NPI"]
    row = ["C1", serial(dt.date(2026, 3, 2)), 90837, 45, "F41.1", 11, "Payer A", 1234567893]
    text = one(call("CHECK_CLAIM", [row], [header]))
    assert text.startswith("CPT002: 90837 needs 53+ minutes; 45 recorded")
    assert one(call("CHECK_CLAIM", [header, row])) == text  # header and line in one range
    fixed = list(row)
    fixed[2] = 90834
    assert "CPT002" not in one(call("CHECK_CLAIM", [fixed], [header]))
    # without a header the row is read in the template's (contract's) column order
    full_header, full_row = _sample_claim(1)
    positional = one(call("CHECK_CLAIM", grid([full_row])))
    assert positional == one(call("CHECK_CLAIM", grid([full_row]), grid([full_header])))


def test_check_claim_reads_excel_errors_and_blanks():
    header = ["Claim ID", "DOS", "CPT", "Minutes"]
    text = one(call("CHECK_CLAIM", [["C1", NA, 90834, 45]], [header]))
    assert "REQ003" in text and "#N/A" in text
    assert one(call("CHECK_CLAIM", [[None, None, None, None]], [header])) == ""
    assert one(call("CHECK_CLAIM", [["C1", 46000, 90834]], [["Name", "Date", "Code"]])).startswith(
        "claimcheck: the header has no Claim ID")
    assert one(call("CHECK_CLAIM", [["C1", 46000, 90834], ["C2", 46000, 90834]], [["Claim ID", "DOS", "CPT"]])).startswith(
        "claimcheck: CHECK_CLAIM takes one row")


def test_check_claim_runs_only_row_level_rules():
    header = ["Claim ID", "Client ID", "DOS", "CPT", "Minutes", "Dx Codes", "POS", "Payer", "Rendering NPI", "Member ID"]
    line = ["C1", "P1", serial(dt.date(2026, 3, 2)), 90834, 45, "F41.1", 11, "Payer A", 1234567893, "M1"]
    text = one(call("CHECK_CLAIM", [line], [header]))
    assert "DUP" not in text and "DATE003" not in text  # cross-row and payer-sheet rules are not run
    table = call("CHECK_CLAIMS", [header, line, line])
    assert "DUP001" in table[2][0]  # the whole-table function does run them


def test_check_claims_matches_the_command_line(tmp_path):
    sheets = sample_sheets()
    path = tmp_path / "billing.xlsx"
    write_xlsx(path, sheets)
    expected = cli_texts(path, AS_OF)
    result = call("CHECK_CLAIMS", grid(sheets["Claims"]), grid(sheets["Authorizations"]), grid(sheets["Payers"]),
                  [[serial(AS_OF)]], grid(sheets["Providers"]))
    assert len(result) == len(sheets["Claims"])
    assert result[0] == ["Check"]
    assert all(len(r) == 1 for r in result)
    for row in range(2, len(sheets["Claims"]) + 1):
        assert result[row - 1][0] == expected.get(row, "OK"), row
    assert sum(1 for r in result[1:] if r[0] != "OK") == len(expected) > 10
    assert any(text.startswith("AUTH") or "; AUTH" in text for (text,) in result)


def test_check_claim_matches_the_command_line_row_level(tmp_path):
    from claimcheck.rules.registry import all_rules

    sheets = {"Claims": sample_sheets()["Claims"]}
    path = tmp_path / "claims-only.xlsx"
    write_xlsx(path, sheets)
    today = dt.date.today()
    row_level = {r.code for r in all_rules() if r.row_level}
    expected = cli_texts(path, today, codes=row_level)
    header = grid(sheets["Claims"][:1])
    # A line of a multi-line claim can depend on its claim's other lines (CPT003 accepts 90839
    # over 74 minutes when the claim also bills 90840), which one row cannot show.
    lines_per_claim: dict = {}
    for r in sheets["Claims"][1:]:
        lines_per_claim[r[0]] = lines_per_claim.get(r[0], 0) + 1
    checked = 0
    for row in range(2, len(sheets["Claims"]) + 1):
        line = sheets["Claims"][row - 1]
        if lines_per_claim[line[0]] > 1:
            continue
        text = one(call("CHECK_CLAIM", grid([line]), header))
        assert text == expected.get(row, "OK"), row
        checked += 1
    assert checked > 40 and sum(1 for t in expected.values() if t) >= 8


def test_check_claims_whole_column_titles_and_trailing_blanks():
    header = ["Claim ID", "DOS", "CPT", "Minutes"]
    rows = [["Practice billing 2026", None, None, None], [None] * 4, header,
            ["C1", serial(dt.date(2026, 3, 2)), 90837, 45], [None] * 4, ["C2", serial(dt.date(2026, 3, 3)), 90834, 45]]
    rows += [[None] * 4] * 500  # a whole-column reference such as Claims!A:D
    result = call("CHECK_CLAIMS", rows, None, None, [[serial(AS_OF)]])
    assert [r[0] for r in result][:3] == ["", "", "Check"]
    assert result[3][0].startswith("CPT002") and result[4][0] == ""
    assert "CPT002" not in result[5][0]
    assert len(result) == 6  # the spill ends at the last line


def test_check_claims_problems_are_messages():
    assert one(call("CHECK_CLAIMS", [[None]])).startswith("claimcheck: the claims range is empty")
    assert one(call("CHECK_CLAIMS", [["a", "b"], [1, 2]])).startswith("claimcheck: the claims range has no header row")
    assert one(call("CHECK_CLAIMS", [["Claim ID", "DOS", "CPT"]], None, None, [["someday"]])).startswith("claimcheck: as_of")


def test_auth_used_and_remaining_match_the_engine():
    from claimcheck import auth as A
    from claimcheck.api import check_raw
    from claimcheck.reader import rows_to_table

    sheets = sample_sheets()
    raw = {k: rows_to_table(k, k, [tuple(r) for r in sheets[k]]) for k in ("Claims", "Authorizations")}
    book = check_raw(raw, AS_OF).book
    usage = A.auth_usage(book, AS_OF)
    assert usage
    claims, auths = grid(sheets["Claims"]), grid(sheets["Authorizations"])
    for u in usage[:4]:
        used = one(call("AUTH_USED", [[u.auth_number]], claims, auths, [[serial(AS_OF)]]))
        left = one(call("AUTH_REMAINING", [[u.auth_number]], claims, auths, [[serial(AS_OF)]]))
        assert used == pytest.approx(u.used)
        if u.remaining is not None:
            assert left == pytest.approx(u.remaining)
    assert one(call("AUTH_USED", [["NOPE-1"]], claims, auths)) == "claimcheck: authorization NOPE-1 is not in the authorizations range"
    assert one(call("AUTH_REMAINING", [[None]], claims, auths)) == ""


def test_exceptions_become_short_messages_without_private_data(monkeypatch):
    from claimcheck import udfs

    def boom(*args, **kwargs):
        raise RuntimeError("Jane Doe 01/02/1980 Traceback (most recent call last)")

    monkeypatch.setattr(udfs.core, "check_claims", boom)
    monkeypatch.setattr(udfs.core, "check_dx", boom)
    for name, args in (("CHECK_CLAIMS", ([["Claim ID", "DOS", "CPT"]],)), ("CHECK_DX", ([["F41.1"]],))):
        text = one(call(name, *args))
        assert text.startswith("claimcheck: could not check this (RuntimeError)")
        assert "Jane" not in text and "Traceback" not in text and "1980" not in text


def test_plain_python_calls_work_too():
    from claimcheck import udfs

    assert udfs.CHECK_DX("F41.1") == "OK"
    assert udfs.CPT_FOR_MINUTES(45) == "90834"
    assert udfs.FILING_DEADLINE(dt.date(2026, 1, 5), "Nobody") == dt.date(2026, 4, 5)


def test_classic_vba_module_is_generated_from_the_registry():
    from claimcheck.addin import generate_vba

    text = generate_vba.generate()
    assert generate_vba.OUT.read_bytes().decode("utf-8") == text, "run python -m claimcheck.addin.generate_vba"
    for name, params in CONTRACT.items():
        sig = ", ".join(("Optional " if p.endswith("?") else "") + p.rstrip("?") for p in params)
        assert f"Function {name}({sig})\r\n" in text
        assert f'{name} = XLPy.CallUDF("claimcheck.udfs", "{name}", Array(' in text
    assert text.startswith('Attribute VB_Name = "ClaimcheckFunctions"')


class JsNull:
    """Stands for Pyodide's ``JsNull``: what Office.js sends for an empty cell in xlwings Lite."""


def _as_officejs_sends(rows):
    """The sample's cells as Office.js hands them to a custom function: errors as error objects,
    empty cells alternately as null (Pyodide's JsNull) and as empty text."""
    out = []
    for i, row in enumerate(rows):
        cells = []
        for j, v in enumerate(row):
            if v is None:
                cells.append(JsNull() if (i + j) % 2 else "")
            elif isinstance(v, str) and v.startswith("#"):
                cells.append({"type": "Error", "basicValue": v, "errorType": "NotAvailable"})
            else:
                cells.append(v)
        out.append(cells)
    return out


def test_officejs_arguments_are_taken_raw_and_read_by_claimcheck():
    # xlwings' own per-cell cleaning is skipped under Office.js (it cost ~1 s on 10k lines);
    # claimcheck reads null, "", error objects and scalars itself, to the same answers.
    module = office_module()
    for name in ("CHECK_CLAIMS", "CHECK_CLAIM", "AUTH_USED", "DENIAL_REASON"):
        for arg in getattr(module, name).__xlfunc__["args"]:
            assert arg["options"].get("convert") == "raw", (name, arg["name"])
    sheets = sample_sheets()
    claims = grid(sheets["Claims"])
    claims[3][9] = "#N/A"  # an error cell among the sample's lines
    clean = call("CHECK_CLAIMS", claims, grid(sheets["Authorizations"]), grid(sheets["Payers"]), [[serial(AS_OF)]])
    raw = call("CHECK_CLAIMS", _as_officejs_sends(claims), _as_officejs_sends(grid(sheets["Authorizations"])),
               _as_officejs_sends(grid(sheets["Payers"])), serial(AS_OF))
    assert raw == clean
    assert "REQ003" in raw[3][0]
    line = _as_officejs_sends([claims[0], claims[3]])
    assert one(call("CHECK_CLAIM", [line[1]], [line[0]])) == one(call("CHECK_CLAIM", [claims[3]], [claims[0]]))


def test_classic_excel_keeps_xlwings_error_conversion():
    # COM hands error cells over as numbers; only xlwings' err_to_str turns them into "#N/A".
    from claimcheck.udfs.registry import RANGE, runtime_options

    assert runtime_options(RANGE, officejs=False) == {"ndim": 2, "err_to_str": True}
    assert runtime_options({**RANGE, "doc": "x"}, officejs=True) == {"convert": "raw", "doc": "x"}


# --------------------------------------------------------------------------- CHECK_CLAIM's kept answers

def template_row(**changes) -> list:
    """A clean line's cells in the template's column order (a signed note), for CHECK_CLAIM
    without a header."""
    cells = line(**{"Note_Signed": line()["DOS"], **changes})
    return [cells.get(h) for h in C.CLAIM_HEADERS]


def _claim_answer(call_):
    try:
        return call_()
    except Exception as exc:  # the decorated function shows the same message either way
        return ("raised", type(exc).__name__, str(exc))


def _fresh_and_kept(row, header):
    """CHECK_CLAIM on a workbook opened afresh, then again (a recalculation, from what it kept),
    and on the same cells converted first (Office.js' null, empty text, entities and errors as
    plain values): the three agree."""
    from claimcheck.udfs import core
    from claimcheck.udfs.convert import grid as to_grid

    core.forget()
    fresh = _claim_answer(lambda: core.check_claim(row, header, AS_OF))
    kept = _claim_answer(lambda: core.check_claim(row, header, AS_OF))
    converted = _claim_answer(lambda: core.check_claim(to_grid(row), to_grid(header), AS_OF))
    assert fresh == kept == converted, (row, header)
    return fresh


def test_check_claim_answers_the_same_afresh_kept_and_converted():
    values = [line()[h] for h in CLAIM_HEADERS]
    assert _fresh_and_kept([values], [CLAIM_HEADERS]) == "OK"
    office_error = {"type": "Error", "basicValue": "#N/A"}  # an entity cell
    assert _fresh_and_kept([values[:5] + [office_error] + values[6:]], [CLAIM_HEADERS]) == (
        "REQ003: Payer cell shows the Excel error #N/A")
    assert "REQ001: Payer is empty" in _fresh_and_kept([values[:5]], [CLAIM_HEADERS])  # a short row
    assert _fresh_and_kept([values + ["extra"]], [CLAIM_HEADERS]) == "OK"  # a wider row than its header
    assert _fresh_and_kept([[None] * len(values)], [CLAIM_HEADERS]) == ""  # a blank line
    assert _fresh_and_kept([[" "] * len(values)], [CLAIM_HEADERS]) == ""
    # A header with an Office.js error or entity cell (a dict).
    for header in (list(CLAIM_HEADERS) + [{"type": "Error", "basicValue": "#REF!"}],
                   [{"type": "String", "basicValue": "Claim ID"}] + list(CLAIM_HEADERS[1:])):
        assert _fresh_and_kept([values], [header]) == "OK"
    # A header of blanks is no header: the row is read in the template's order (which has Note
    # Signed: an empty one on a Ready line is DOC001).
    in_order = template_row()
    assert _fresh_and_kept([in_order], [[" "] * len(in_order)]) == _fresh_and_kept([in_order], [[None]]) == "OK"
    unsigned = template_row(Note_Signed=None)
    assert _fresh_and_kept([unsigned], [[None]]).startswith("DOC001")


def _headers():
    names = st.sampled_from(list(CLAIM_HEADERS) + ["", " ", None, "Notes", "DOB", "Patient", 1, 2.5,
                                                   {"type": "Error", "basicValue": "#REF!"}, ["x"]])
    return st.one_of(st.just(list(CLAIM_HEADERS)), st.permutations(list(CLAIM_HEADERS)),
                     st.lists(names, min_size=0, max_size=len(CLAIM_HEADERS) + 2))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_check_claim_answers_the_same_afresh_kept_and_converted_for_any_cells(data):
    header = data.draw(_headers())
    clean = [line()[h] for h in CLAIM_HEADERS]
    width = data.draw(st.integers(min_value=0, max_value=len(CLAIM_HEADERS) + 2))
    office = st.sampled_from([JsNull(), {"type": "Error", "basicValue": "#N/A"}, {"type": "Double", "basicValue": 90834},
                              {"type": "String", "basicValue": "F41.1"}, ""])  # as Office.js may send them
    cells = [data.draw(st.one_of(st.just(clean[i]) if i < len(clean) else st.none(), cell_values, office))
             for i in range(width)]
    _fresh_and_kept([cells], [header])


def test_a_kept_answer_serves_only_a_row_whose_cells_have_its_types():
    """1, 1.0 and TRUE are equal keys; CHECK_CLAIM keeps one answer per row, and must work a row
    out afresh when a cell's type differs from the kept row's (on any order of recalculation)."""
    from claimcheck.udfs import core

    def row(units, claim_id="C1"):
        return [[line(Units=units, **{"Claim ID": claim_id})[h] for h in CLAIM_HEADERS]]

    core.forget()
    one = core.check_claim(row(1), [CLAIM_HEADERS], AS_OF)
    flag = core.check_claim(row(True), [CLAIM_HEADERS], AS_OF)
    assert one == "OK" and flag == "CHG004: Units holds True, not a number", flag
    assert core.check_claim(row(1), [CLAIM_HEADERS], AS_OF) == one
    assert core.check_claim(row(1.0), [CLAIM_HEADERS], AS_OF) == one
    assert core.check_claim(row(True), [CLAIM_HEADERS], AS_OF) == flag
    assert core.check_claim(row(0, True), [CLAIM_HEADERS], AS_OF) != core.check_claim(row(0, 1), [CLAIM_HEADERS], AS_OF)
    for units, claim_id in ((1, True), (1, 1), (1.0, 1.0), (True, True)):  # the kept answers and fresh ones agree
        kept = core.check_claim(row(units, claim_id), [CLAIM_HEADERS], AS_OF)
        core.forget()
        assert core.check_claim(row(units, claim_id), [CLAIM_HEADERS], AS_OF) == kept


def test_check_claim_sees_a_changed_tables_setting(tmp_path, monkeypatch):
    """A practice's code tables (the CLAIMCHECK_TABLES setting) are seen by the next call."""
    from claimcheck.udfs import core

    monkeypatch.delenv("CLAIMCHECK_TABLES", raising=False)
    values = [line(CPT="97110")[h] for h in CLAIM_HEADERS]
    before = core.check_claim([values], [CLAIM_HEADERS], AS_OF)
    assert "CPT006: 97110 is not in claimcheck's behavioral-health code table" in before
    (tmp_path / "procedures.csv").write_text(
        "code,label,kind,addon,min_minutes,max_minutes,daily_max,source\n"
        "97110,Therapeutic exercise (a practice that also bills therapy),other,N,,,,test row\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))
    after = core.check_claim([values], [CLAIM_HEADERS], AS_OF)
    assert "CPT006" not in after, after
    monkeypatch.delenv("CLAIMCHECK_TABLES")
    assert core.check_claim([values], [CLAIM_HEADERS], AS_OF) == before


def test_a_recalculation_without_a_header_is_answered_from_the_kept_answer(monkeypatch):
    """The general path (no header: the template's column order) keeps its answers too."""
    from claimcheck.udfs import core

    values = template_row()
    core.forget()
    first = core.check_claim([values], None, AS_OF)
    assert first == "OK"
    worked_out = []
    real = core.check_text
    monkeypatch.setattr(core, "check_text", lambda findings: worked_out.append(findings) or real(findings))
    assert core.check_claim([values], None, AS_OF) == first
    assert core.check_claim([list(values)], None, AS_OF) == first
    assert not worked_out  # both from the kept answer
    at = C.CLAIM_HEADERS.index("Denial Date")  # a date cell given a code: a different answer
    assert core.check_claim([values[:at] + ["CO-50"] + values[at + 1:]], None, AS_OF) != first and worked_out


def test_check_claim_reads_empty_text_as_an_empty_cell_in_every_column():
    # Office.js hands an empty cell over as "" (or null); CHECK_CLAIM takes a row of plain cells as
    # it is, so every column's reader must read "" as it reads an empty cell.
    from claimcheck.udfs import core

    headers = [c.name for c in C.CLAIMS]  # every column, the optional ones too
    cells = line(Note_Signed=line()["DOS"], Start_Time="2:00 PM", Stop_Time="2:45 PM")
    values = [cells.get(h) for h in headers]
    assert core.check_claim([values], [headers], AS_OF) == "OK"
    for i, name in enumerate(headers):
        core.forget()
        as_none = core.check_claim([values[:i] + [None] + values[i + 1:]], [headers], AS_OF)
        core.forget()
        as_text = core.check_claim([values[:i] + [""] + values[i + 1:]], [headers], AS_OF)
        assert as_text == as_none, name
    every = ["" if v is None else v for v in values]
    assert "" in every and core.check_claim([every], [headers], AS_OF) == "OK"
    assert core.check_claim([[""] * len(values)], [headers], AS_OF) == ""  # a blank line


def test_pyodide_ffi_gets_a_jsnull_xlwings_finds_at_once_and_nothing_is_one(monkeypatch):
    # Pyodide 0.27 (xlwings Lite's runtime) has no pyodide.ffi.JsNull; xlwings imports it for every
    # argument of every call and the failed import is searched for again each time.
    import types

    from xlwings.pro.udfs_officejs import js_to_none

    from claimcheck.udfs.registry import name_jsnull

    ffi = types.ModuleType("pyodide.ffi")
    pyodide = types.ModuleType("pyodide")
    pyodide.ffi = ffi
    monkeypatch.setitem(sys.modules, "pyodide", pyodide)
    monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
    with pytest.raises(ImportError):
        exec("from pyodide.ffi import JsNull")  # (as xlwings does on every argument)
    assert name_jsnull() is True
    from pyodide.ffi import JsNull  # now found at once

    for value in (None, "", 0, [[None]], {"type": "Error", "basicValue": "#N/A"}):
        assert not isinstance(value, JsNull)
        assert js_to_none(value) is value  # xlwings answers as before
    # a Pyodide with its own JsNull (0.28 and later) is left alone
    own = type("JsNull", (), {})
    ffi.JsNull = own
    assert name_jsnull() is False and ffi.JsNull is own
    monkeypatch.delitem(sys.modules, "pyodide.ffi")
    assert name_jsnull() is False  # outside Pyodide: nothing to do


def test_every_function_states_its_own_signature_for_the_dispatch():
    # xlwings' Office.js dispatch asks for the signature on every call; each function states it
    # once, and it is exactly the function's own (the same parameters, defaults and order).
    import inspect

    import claimcheck.udfs as udfs
    from claimcheck.udfs.registry import EXCEL_FUNCTIONS

    assert len(EXCEL_FUNCTIONS) == len(udfs.__all__)
    for spec in EXCEL_FUNCTIONS:
        function = getattr(udfs, spec.name)
        assert "__signature__" in vars(function), spec.name
        assert function.__signature__ == inspect.signature(spec.plain), spec.name
        assert list(function.__signature__.parameters) == list(spec.plain.__code__.co_varnames[:spec.plain.__code__.co_argcount])


def test_check_claim_reads_a_flat_row_as_the_dispatch_hands_a_one_row_range_over():
    # xlwings' Office.js dispatch unwraps a one-row range into a flat list; CHECK_CLAIM answers it
    # as it answers the same row as a 2D range, blanks as "", errors as entities and all.
    from claimcheck.udfs import core

    values = [line()[h] for h in CLAIM_HEADERS]
    na = {"type": "Error", "basicValue": "#N/A"}
    rows = [values, ["" if v is None else v for v in values], values[:5] + [na] + values[6:],
            values[:9] + ["2026-13-45"] + values[10:], [None] * len(values)]
    for row in rows:
        core.forget()
        as_range = core.check_claim([list(row)], [list(CLAIM_HEADERS)], AS_OF)
        core.forget()
        assert core.check_claim(list(row), list(CLAIM_HEADERS), AS_OF) == as_range, row
    assert "REQ003" in core.check_claim(rows[2], list(CLAIM_HEADERS), AS_OF)
    assert core.check_claim(values, list(CLAIM_HEADERS), AS_OF) == "OK"
