"""The checked copy (``claimcheck check --output``): the cells findings name are coloured over the
biller's own formatting, which comes back when the finding goes away; the Findings sheet links to
the cell, carries the line's claim, client, payer, date, code and charge, filters by severity and
rule, and keeps the biller's Done and Note across runs; Claims and Findings print readably."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Border, Color, Font, PatternFill, Side

from claimcheck import printing, writer
from claimcheck.api import check_workbook
from helpers import AS_OF, CLAIM_HEADERS, as_row, line, write_workbook

MINUTES = CLAIM_HEADERS.index("Minutes") + 1
DX = CLAIM_HEADERS.index("Dx Codes") + 1
CPT = CLAIM_HEADERS.index("CPT") + 1
CHECK = len(CLAIM_HEADERS) + 1
THEME_FILL = PatternFill("solid", fgColor=Color(theme=4, tint=0.7999816888943144))


def _source(tmp_path):
    path = write_workbook(tmp_path / "billing.xlsx", [
        as_row(line(Claim_ID="C1", CPT="90837", Minutes=45)),  # CPT002 on Minutes
        as_row(line(Claim_ID="C2", DOS=AS_OF.replace(day=2), Dx_Codes="F43.1")),  # DX003 on Dx Codes
        as_row(line(Claim_ID="C3", DOS=AS_OF.replace(day=3))),
    ])
    wb = openpyxl.load_workbook(path)
    ws = wb["Claims"]
    ws.cell(row=2, column=MINUTES).fill = THEME_FILL  # the biller's own colours
    ws.cell(row=3, column=DX).fill = PatternFill("solid", start_color="FFABCDEF", end_color="FFABCDEF")
    wb.save(path)
    return path


def _checked(src, out):
    writer.write_checked_copy(src, out, check_workbook(src, AS_OF))
    return openpyxl.load_workbook(out)


def _at(name: str) -> int:
    return writer.FINDINGS_HEADERS.index(name) + 1


def test_the_cell_a_finding_names_is_coloured_and_the_billers_fill_comes_back(tmp_path):
    src = _source(tmp_path)
    wb = _checked(src, tmp_path / "checked.xlsx")
    ws = wb["Claims"]
    error = writer.FILL["error"]
    assert ws.cell(row=2, column=MINUTES).fill.fgColor.rgb == error
    assert ws.cell(row=2, column=CHECK).fill.fgColor.rgb == error
    assert ws.cell(row=2, column=CHECK).alignment.wrap_text
    assert ws.cell(row=3, column=DX).fill.fgColor.rgb == error
    assert ws.cell(row=2, column=CPT).fill.fill_type is None  # a cell no finding names is left alone
    assert ws.cell(row=4, column=CHECK).value == "OK" and ws.cell(row=4, column=CHECK).fill.fgColor.rgb == writer.FILL["ok"]
    assert wb[writer.MARKS_SHEET].sheet_state == "hidden"

    # the biller fixes both lines in the checked copy and checks it again
    ws.cell(row=2, column=CPT).value = "90834"
    ws.cell(row=3, column=DX).value = "F43.10"
    wb.save(tmp_path / "fixed.xlsx")
    again = _checked(tmp_path / "fixed.xlsx", tmp_path / "checked2.xlsx")["Claims"]
    assert again.cell(row=2, column=CHECK).value == "OK"
    minutes = again.cell(row=2, column=MINUTES).fill
    assert (minutes.fill_type, minutes.fgColor.type, minutes.fgColor.theme) == ("solid", "theme", 4)
    assert abs(minutes.fgColor.tint - THEME_FILL.fgColor.tint) < 1e-9
    assert again.cell(row=3, column=DX).fill.fgColor.rgb == "FFABCDEF"


def test_a_fill_the_biller_changed_after_the_check_is_theirs(tmp_path):
    src = _source(tmp_path)
    wb = _checked(src, tmp_path / "checked.xlsx")
    ws = wb["Claims"]
    ws.cell(row=2, column=MINUTES).fill = PatternFill("solid", start_color="FF00FF00", end_color="FF00FF00")
    ws.cell(row=2, column=CPT).value = "90834"
    wb.save(tmp_path / "fixed.xlsx")
    again = _checked(tmp_path / "fixed.xlsx", tmp_path / "checked2.xlsx")["Claims"]
    assert again.cell(row=2, column=MINUTES).fill.fgColor.rgb == "FF00FF00"


def _sort(ws, order: list[int]) -> None:
    """Sort the data rows as Excel does: each row's cells move with their values and formatting
    (row heights stay where they are); ``order`` lists the old row numbers in their new order."""
    first = min(order)
    moved = {r: [(c.value, c._style) for c in ws[r]] for r in order}
    for new, old in enumerate(order, start=first):
        for c, (value, style) in enumerate(moved[old], start=1):
            ws.cell(row=new, column=c).value = value
            ws.cell(row=new, column=c)._style = style


def test_a_claims_sheet_sorted_between_runs_gets_each_fill_back_on_its_own_line(tmp_path):
    """Two lines with a finding on Minutes, one of them over the biller's own fill; the biller
    sorts Claims (the two change places) and fixes both: each Minutes cell gets its own fill
    back, not the fill of the cell that was at its address."""
    path = write_workbook(tmp_path / "billing.xlsx", [
        as_row(line(Claim_ID="C1", CPT="90837", Minutes=45)),  # CPT002 on Minutes, over the biller's fill
        as_row(line(Claim_ID="C2", CPT="90837", Minutes=45, DOS=AS_OF.replace(day=2))),  # CPT002, no fill
        as_row(line(Claim_ID="C3", DOS=AS_OF.replace(day=3))),
    ])
    wb = openpyxl.load_workbook(path)
    wb["Claims"].cell(row=2, column=MINUTES).fill = THEME_FILL
    wb.save(path)
    ws = _checked(path, tmp_path / "checked.xlsx")["Claims"].parent["Claims"]
    assert ws.cell(row=2, column=MINUTES).fill.fgColor.rgb == ws.cell(row=3, column=MINUTES).fill.fgColor.rgb \
        == writer.FILL["error"]
    _sort(ws, [3, 2, 4])  # C2, C1, C3
    for r in (2, 3):
        ws.cell(row=r, column=CPT).value = "90834"
    ws.parent.save(tmp_path / "sorted.xlsx")
    again = _checked(tmp_path / "sorted.xlsx", tmp_path / "checked2.xlsx")["Claims"]
    assert [again.cell(row=r, column=1).value for r in (2, 3, 4)] == ["C2", "C1", "C3"]
    assert again.cell(row=2, column=CHECK).value == again.cell(row=3, column=CHECK).value == "OK"
    assert again.cell(row=2, column=MINUTES).fill.fill_type is None  # C2's Minutes had no fill
    c1 = again.cell(row=3, column=MINUTES).fill  # C1's Minutes: the biller's theme fill
    assert (c1.fill_type, c1.fgColor.type, c1.fgColor.theme) == ("solid", "theme", 4)


def test_validate_claims_on_a_sorted_sheet_puts_each_fill_back_on_its_own_line():
    """The same through the button's code path (the in-memory workbook)."""
    from claimcheck.addin import buttons
    from claimcheck.addin.workbook_port import MemoryWorkbook

    rows = [list(CLAIM_HEADERS), as_row(line(Claim_ID="C1", CPT="90837", Minutes=45)),
            as_row(line(Claim_ID="C2", CPT="90837", Minutes=45, DOS=AS_OF.replace(day=2))),
            as_row(line(Claim_ID="C3", DOS=AS_OF.replace(day=3)))]
    wb = MemoryWorkbook({"Claims": rows})
    wb.fill("Claims", 2, 2, MINUTES, MINUTES, "#ABCDEF")
    buttons.validate_claims(wb, AS_OF)
    red = buttons.fills()["error"]
    assert wb.fills["Claims"][(2, MINUTES)] == wb.fills["Claims"][(3, MINUTES)] == red
    cells, fills = dict(wb.cells["Claims"]), dict(wb.fills["Claims"])
    for new, old in ((2, 3), (3, 2)):  # the biller sorts: C2 first
        for store, saved in ((wb.cells["Claims"], cells), (wb.fills["Claims"], fills)):
            for c in range(1, CHECK + 1):
                store.pop((new, c), None)
                if (old, c) in saved:
                    store[(new, c)] = saved[(old, c)]
    wb.write("Claims", 2, CPT, [["90834"], ["90834"]])
    buttons.validate_claims(wb, AS_OF)
    assert [wb.value("Claims", r, 1) for r in (2, 3)] == ["C2", "C1"]
    assert (2, MINUTES) not in wb.fills["Claims"] and wb.fills["Claims"][(3, MINUTES)] == "#ABCDEF"


def test_a_row_claimcheck_made_tall_gets_its_height_back_when_its_line_is_ok(tmp_path):
    """The wrapped Check text makes a flagged row tall; once the line is OK the row gets the height
    it had back. A row the biller made tall, or changed after the check, keeps the biller's height."""
    long_line = line(Claim_ID="C1", CPT="90837", Minutes=45, Dx_Codes="F43.1", Modifiers="95")
    path = write_workbook(tmp_path / "billing.xlsx", [
        as_row(long_line), as_row(dict(long_line, **{"Claim ID": "C2", "DOS": AS_OF.replace(day=2)})),
        as_row(line(Claim_ID="C3", DOS=AS_OF.replace(day=3)))])
    wb = openpyxl.load_workbook(path)
    wb["Claims"].row_dimensions[4].height = 40  # the biller's own tall row (an OK line)
    wb.save(path)
    ws = _checked(path, tmp_path / "checked.xlsx")["Claims"]
    tall = ws.row_dimensions[2].height
    assert tall and tall > 15 and ws.row_dimensions[3].height > 15 and ws.row_dimensions[4].height == 40
    ws.row_dimensions[3].height = tall = ws.row_dimensions[3].height + 30  # the biller drags C2's row taller
    for r in (2, 3):
        ws.cell(row=r, column=CPT).value = "90834"
        ws.cell(row=r, column=DX).value = "F43.10"
        ws.cell(row=r, column=CLAIM_HEADERS.index("Modifiers") + 1).value = None
    ws.parent.save(tmp_path / "fixed.xlsx")
    again = _checked(tmp_path / "fixed.xlsx", tmp_path / "checked2.xlsx")["Claims"]
    assert [again.cell(row=r, column=CHECK).value for r in (2, 3, 4)] == ["OK", "OK", "OK"]
    assert again.row_dimensions[2].height is None  # back to the default height it had
    assert again.row_dimensions[3].height == tall and again.row_dimensions[4].height == 40


def test_each_coloured_cell_keeps_its_own_font_border_and_number_format(tmp_path):
    """A fill is given to many cells at once (worked out once for each style the cells had): each
    Minutes and Check cell keeps its own font, border and number format under its colour."""
    path = write_workbook(tmp_path / "billing.xlsx", [
        as_row(line(Claim_ID=f"C{i}", CPT="90837", Minutes=45, DOS=AS_OF.replace(day=i))) for i in (1, 2, 3)])
    wb = openpyxl.load_workbook(path)
    ws = wb["Claims"]
    ws.cell(row=2, column=MINUTES).font = Font(bold=True)
    ws.cell(row=3, column=MINUTES).number_format = "0.0"
    ws.cell(row=3, column=MINUTES).border = Border(left=Side(style="thin"))
    ws.cell(row=1, column=CHECK, value="Check")  # a Check column from an earlier run, one cell italic
    ws.cell(row=3, column=CHECK).font = Font(italic=True)
    wb.save(path)
    ws = _checked(path, tmp_path / "checked.xlsx")["Claims"]
    minutes = [ws.cell(row=r, column=MINUTES) for r in (2, 3, 4)]
    assert [c.fill.fgColor.rgb for c in minutes] == [writer.FILL["error"]] * 3
    assert [(c.font.b, c.number_format, c.border.left.style) for c in minutes] == [
        (True, "General", None), (False, "0.0", "thin"), (False, "General", None)]
    check = [ws.cell(row=r, column=CHECK) for r in (2, 3, 4)]
    assert [(c.fill.fgColor.rgb, c.alignment.wrap_text, c.font.i) for c in check] == [
        (writer.FILL["error"], True, False), (writer.FILL["error"], True, True), (writer.FILL["error"], True, False)]


def test_findings_cells_look_by_column_and_severity(tmp_path):
    sample = Path(__file__).resolve().parent.parent / "examples" / "sample-billing.xlsx"
    fs = _checked(sample, tmp_path / "checked.xlsx")["Findings"]
    rows = range(2, fs.max_row + 1)
    assert {fs.cell(row=r, column=_at("Severity")).value for r in rows} == {"error", "warning", "info"}
    for r in rows:
        severity = fs.cell(row=r, column=_at("Severity"))
        assert severity.fill.fgColor.rgb == writer.FILL[severity.value] and severity.alignment.vertical == "top"
        assert fs.cell(row=r, column=_at("DOS")).number_format == "mm/dd/yyyy"
        assert fs.cell(row=r, column=_at("Charge")).number_format == "$#,##0.00"
        assert fs.cell(row=r, column=_at("How to fix")).alignment.wrap_text
        done = fs.cell(row=r, column=_at("Done"))
        assert done.alignment.vertical == "top" and not done.alignment.wrap_text and done.fill.fill_type is None
        cell = fs.cell(row=r, column=_at("Cell"))
        assert (cell.font.color.rgb, cell.font.u) == ("FF0563C1", "single") if cell.hyperlink else cell.font.u is None
        assert fs.cell(row=r, column=_at("Rule")).alignment.vertical is None  # past the printed columns: plain


def test_findings_link_to_the_cell_carry_the_line_and_filter(tmp_path):
    wb = _checked(_source(tmp_path), tmp_path / "checked.xlsx")
    fs = wb["Findings"]
    assert [c.value for c in fs[1]] == writer.FINDINGS_HEADERS
    rows = {fs.cell(row=r, column=_at("Code")).value: r for r in range(2, fs.max_row + 1)}
    r = rows["CPT002"]
    values = {h: fs.cell(row=r, column=_at(h)).value for h in writer.FINDINGS_HEADERS}
    assert values["Claim ID"] == "C1" and values["Client ID"] == "CL-1" and values["Payer"] == "Acme Health"
    assert values["DOS"].date() == line()["DOS"] and values["CPT"] == "90837" and values["Charge"] == 130
    assert values["Severity"] == "error" and values["Column"] == "Minutes"
    assert values["How to fix"] and values["Message"].startswith("90837 needs")
    link = fs.cell(row=r, column=_at("Cell")).hyperlink
    assert link is not None and link.location == f"'Claims'!{openpyxl.utils.get_column_letter(MINUTES)}2"
    assert fs.cell(row=r, column=_at("Message")).alignment.wrap_text
    assert fs.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(writer.FINDINGS_HEADERS))}{fs.max_row}"
    # Findings prints the message and the fix on one page across, landscape
    assert fs.page_setup.orientation == "landscape" and fs.page_setup.fitToWidth == 1
    assert fs.sheet_properties.pageSetUpPr.fitToPage
    printed = fs.print_area.split("!")[-1].replace("$", "")
    last_printed = openpyxl.utils.column_index_from_string(printed.split(":")[1].rstrip("0123456789"))
    assert _at("Message") < _at("How to fix") <= last_printed and fs.print_title_rows == "$1:$1"


def test_done_and_note_are_kept_across_runs_by_claim_rule_and_column(tmp_path):
    wb = _checked(_source(tmp_path), tmp_path / "checked.xlsx")
    fs = wb["Findings"]
    r = next(r for r in range(2, fs.max_row + 1) if fs.cell(row=r, column=_at("Code")).value == "DX003")
    fs.cell(row=r, column=_at("Done")).value = "yes"
    fs.cell(row=r, column=_at("Note")).value = "asked the clinician"
    wb["Claims"].cell(row=2, column=CPT).value = "90834"  # another finding goes away: rows move up
    wb.save(tmp_path / "worked.xlsx")
    fs2 = _checked(tmp_path / "worked.xlsx", tmp_path / "checked2.xlsx")["Findings"]
    notes = [(fs2.cell(row=r, column=_at("Code")).value, fs2.cell(row=r, column=_at("Done")).value,
              fs2.cell(row=r, column=_at("Note")).value) for r in range(2, fs2.max_row + 1)]
    assert ("DX003", "yes", "asked the clinician") in notes
    assert all(n[1] is None and n[2] is None for n in notes if n[0] != "DX003")
    assert "CPT002" not in [n[0] for n in notes]


def test_claims_prints_its_working_columns_landscape_readable_with_titles(tmp_path):
    wb = _checked(_source(tmp_path), tmp_path / "checked.xlsx")
    ws = wb["Claims"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (1, "1")
    area = ws.print_area.split("!")[-1].replace("$", "")
    assert area == f"A1:{openpyxl.utils.get_column_letter(CHECK)}4"
    assert ws.print_title_rows == "$1:$1"
    widths = [printing.column_width(ws, c) for c in range(1, CHECK + 1)]
    pages = ws.page_setup.fitToWidth
    assert pages == printing.pages_wide(widths, widths[:2])
    # fitting to that many pages keeps the scale readable; one page fewer would not
    total = sum(map(printing.column_points, widths)) + (pages - 1) * sum(map(printing.column_points, widths[:2]))
    assert total / pages <= printing.PRINTABLE_WIDTH_PT / printing.READABLE_SCALE
    if pages > 1:
        assert ws.print_title_cols == "$A:$B"
        fewer = sum(map(printing.column_points, widths)) + (pages - 2) * sum(map(printing.column_points, widths[:2]))
        assert fewer / (pages - 1) > printing.PRINTABLE_WIDTH_PT / printing.READABLE_SCALE


def test_checked_copy_prints_readably_in_libreoffice(tmp_path):
    """The sample's checked copy rendered to PDF: Claims prints on the pages across it needs, with the header
    and Claim ID on every page (Check on the last), and every Findings page carries both the
    message and the fix."""
    import subprocess
    from pathlib import Path

    import office

    sample = Path(__file__).resolve().parents[1] / "examples" / "sample-billing.xlsx"
    out = tmp_path / "checked.xlsx"
    writer.write_checked_copy(sample, out, check_workbook(sample, AS_OF))
    pdf = office.soffice_convert(out, tmp_path / "pdf", "pdf", tmp_path / "lo-profile")
    text = subprocess.run([office.need("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          timeout=120).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    claims = [p for p in pages if p.lstrip().startswith("Claim ID") and "Client ID" in p.splitlines()[0]
              and "Severity" not in p.splitlines()[0]]
    with_check = [p for p in claims if "Check" in p.splitlines()[0]]
    from openpyxl import load_workbook

    across = load_workbook(out)["Claims"].page_setup.fitToWidth
    assert across >= 2 and claims and len(with_check) * across == len(claims)  # pages across, each page down
    assert all("Minutes" not in p.splitlines()[0] for p in with_check)  # Check is on the last page across
    assert "CPT002: 90837 needs 53+ minutes" in " ".join(" ".join(p.split()) for p in with_check)
    findings = [p for p in pages if "Severity" in p and "Message" in p]
    assert findings and all("How to fix" in p for p in findings)
    assert "CPT002" in "".join(findings)
