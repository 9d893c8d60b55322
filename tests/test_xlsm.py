"""``claimcheck new Billing.xlsm``: the macro workbook with a Billing ribbon tab and sheet buttons.

Excel is not available here, so the file is checked by independent readers:

* oletools' ``olevba`` reads every module's source back; ``olefile`` lists the project streams;
* LibreOffice opens the workbook headless (UNO), lists the modules with the same source text,
  and runs the ``ClaimcheckSelfTest`` macro, which writes a marker we read back;
* the ribbon XML is parsed with defusedxml; every ``onAction`` names a
  ``Sub X(control As IRibbonControl)`` of the project;
* ``claimcheck check Billing.xlsm --output out.xlsm`` keeps the VBA project byte-identical and
  the ribbon part and relationship, and notes the form buttons it cannot carry;
* the sheets, tables, formulas, validations ... equal those of the ``.xlsx`` template.

LibreOffice tests skip when ``soffice`` (or a Python with ``uno``) is missing locally, but FAIL
when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest

import office
from helpers import claimcheck_cmd
from defusedxml import ElementTree as DET
from openpyxl import load_workbook
from oletools.olevba import VBA_Parser

from claimcheck.addin.vba_project import ModuleKind, module_source_text
from claimcheck.reader import UnusableInput
from claimcheck.workbook_templates import xlsm
from claimcheck.workbook_templates.build import build_workbook

REPO = Path(__file__).resolve().parent.parent
CUI = "{" + xlsm.CUSTOMUI_NS + "}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("xlsm")
    out = {}
    for name in ("Billing.xlsm", "Billing.xlsx"):
        out[name] = build_workbook(base / name, sample=True)
    out["blank"] = build_workbook(base / "Blank.xlsm", sample=False)
    return out


@pytest.fixture(scope="module")
def book(books) -> Path:
    return books["Billing.xlsm"]


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _codenames(path: Path) -> tuple[str, list[str]]:
    """The workbook's codeName and each sheet's, in sheet order."""
    with zipfile.ZipFile(path) as z:
        wb = DET.fromstring(z.read("xl/workbook.xml"))
        rels = DET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        book_code = wb.find(f"{MAIN_NS}workbookPr").get("codeName")
        sheets = []
        for s in wb.find(f"{MAIN_NS}sheets"):
            rid = s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            xml = DET.fromstring(z.read("xl/" + targets[rid].lstrip("/").removeprefix("xl/")))
            sheets.append(xml.find(f"{MAIN_NS}sheetPr").get("codeName"))
    return book_code, sheets


def _expected_modules(path: Path):
    _, sheets = _codenames(path)
    return xlsm.vba_modules(sheets)


def _olevba_sources(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        return {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


# ----------------------------------------------------------------------------- the VBA project


def test_olevba_reads_back_every_module_exactly(book):
    found = _olevba_sources(book)
    modules = _expected_modules(book)
    assert set(found) == {m.name for m in modules}
    for m in modules:
        assert _normalise(found[m.name]) == _normalise(module_source_text(m)), m.name


def test_project_holds_our_sources_and_the_installed_xlwings_runtime(book):
    found = {k: _normalise(v) for k, v in _olevba_sources(book).items()}
    # Our modules: the files in addin/vba, body unchanged.
    for path in sorted((REPO / "addin" / "vba").glob("*.bas")):
        text = _normalise(path.read_bytes().decode("utf-8"))
        name = re.search(r'Attribute VB_Name = "(\w+)"', text).group(1)
        assert found[name] == text if text.endswith("\n") else found[name] == text + "\n", name
    assert {"ClaimcheckButtons", "ClaimcheckFunctions", "ClaimcheckSelfTest"} <= set(found)
    # xlwings' runtime as installed, BSD licence header kept.
    installed = xlsm.xlwings_package_dir()
    assert found["xlwings"] == _normalise((installed / "xlwings.bas").read_bytes().decode("utf-8"))
    assert "'xlwings is distributed under a BSD 3-clause license." in found["xlwings"]
    assert "Copyright (C) 2014-present, Zoomer Analytics LLC." in found["xlwings"]
    assert f"'Version: {xlsm.xlwings_version()}" in found["xlwings"]
    assert "Public Function RunPython(PythonCommand As String)" in found["xlwings"]
    assert "Function XLPy()" in found["xlwings"]  # the function wrappers call XLPy.CallUDF
    assert "License: MIT" in found["Dictionary"] and "Tim Hall" in found["Dictionary"]


def test_function_wrappers_are_the_generated_ones():
    from claimcheck.addin import generate_vba

    assert generate_vba.main(["--check"]) == 0
    text = (REPO / "addin" / "vba" / "ClaimcheckFunctions.bas").read_bytes().decode()
    assert 'XLPy.CallUDF("claimcheck.udfs", "CHECK_CLAIM"' in text


def test_olefile_lists_the_project_streams(book):
    with zipfile.ZipFile(book) as z:
        data = z.read("xl/vbaProject.bin")
    assert olefile.isOleFile(io.BytesIO(data))
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        streams = {"/".join(s) for s in ole.listdir()}
        project = ole.openstream("PROJECT").read().decode("cp1252")
    finally:
        ole.close()
    modules = _expected_modules(book)
    assert {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"} <= streams
    assert streams == {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"} | {f"VBA/{m.name}" for m in modules}
    lines = project.split("\r\n")
    assert f'Name="{xlsm.PROJECT_NAME}"' in lines
    for m in modules:
        prefix = {ModuleKind.DOCUMENT: "Document=", ModuleKind.CLASS: "Class=", ModuleKind.STANDARD: "Module="}[m.kind]
        assert any(line.startswith(prefix + m.name) for line in lines), m.name


def test_document_modules_match_the_code_names(books):
    for key in ("Billing.xlsm", "blank"):
        path = books[key]
        book_code, sheets = _codenames(path)
        assert book_code == "ThisWorkbook"
        assert sheets == [f"Sheet{i}" for i in range(1, len(sheets) + 1)]
        docs = [m.name for m in _expected_modules(path) if m.kind is ModuleKind.DOCUMENT]
        assert docs == ["ThisWorkbook"] + sheets
        assert {n for n in _olevba_sources(path)} >= set(docs)
        with zipfile.ZipFile(path) as z:
            types = z.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert "application/vnd.ms-office.vbaProject" in types


def test_ribbon_callbacks_and_button_macros_exist_in_the_project(book):
    sources = _olevba_sources(book)
    ribbon_subs = set()
    plain_subs = set()
    for code in sources.values():
        ribbon_subs |= set(re.findall(r"^Sub (\w+)\(control As IRibbonControl\)\s*$", _normalise(code), re.M))
        plain_subs |= set(re.findall(r"^(?:Public )?Sub (\w+)\(\)\s*$", _normalise(code), re.M))
    macros = {b.macro for b in xlsm.BUTTONS}
    assert macros <= plain_subs
    assert {m + "Ribbon" for m in macros} <= ribbon_subs
    assert xlsm.SELF_TEST_MACRO in plain_subs
    buttons = _normalise(sources["ClaimcheckButtons"])
    for m in macros:  # each button runs its Python entry point in addin.classic
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", m).lower()
        assert f'RunPython "import claimcheck.addin.classic as c; c.{snake}()"' in buttons
        from claimcheck.addin import classic

        assert callable(getattr(classic, snake))


# ----------------------------------------------------------------------------- ribbon


def _ribbon(path: Path):
    with zipfile.ZipFile(path) as z:
        return z.read(xlsm.CUSTOMUI_PART), z.read("_rels/.rels"), z.read("[Content_Types].xml"), z.namelist()


def test_ribbon_part_is_well_formed_2006_customui_with_the_four_buttons(book):
    part, rels, types, names = _ribbon(book)
    assert part == (REPO / "addin" / "ribbon" / "customUI.xml").read_bytes()
    root = DET.fromstring(part)
    assert root.tag == f"{CUI}customUI"
    tabs = root.findall(f"{CUI}ribbon/{CUI}tabs/{CUI}tab")
    assert [t.get("label") for t in tabs] == ["Billing"]
    buttons = tabs[0].findall(f".//{CUI}button")
    assert [b.get("label") for b in buttons] == [b.caption for b in xlsm.BUTTONS]
    ids = [b.get("id") for b in buttons]
    assert len(set(ids)) == len(ids)
    for b in buttons:
        assert re.fullmatch(r"[A-Za-z]\w*", b.get("imageMso") or ""), b.attrib
        assert b.get("image") is None  # built-in icons only, no image parts
    # every element of the ribbon lives in the 2006 namespace
    assert all(el.tag.startswith(CUI) for el in root.iter())


def test_every_onaction_is_a_ribbon_sub_of_the_project(book):
    part, *_ = _ribbon(book)
    callbacks = {el.get("onAction") for el in DET.fromstring(part).iter() if el.get("onAction")}
    assert len(callbacks) == len(xlsm.BUTTONS)
    code = "\n".join(_normalise(c) for c in _olevba_sources(book).values())
    for cb in callbacks:
        name = cb.split(".")[-1]
        assert re.search(rf"^Sub {name}\(control As IRibbonControl\)\s*$", code, re.M), cb


def test_ribbon_relationship_and_content_type(book):
    part, rels, types, names = _ribbon(book)
    found = [r for r in DET.fromstring(rels) if r.get("Type") == xlsm.CUSTOMUI_REL_TYPE]
    assert len(found) == 1 and found[0].get("Target") == xlsm.CUSTOMUI_PART
    assert xlsm.CUSTOMUI_PART in names
    ids = [r.get("Id") for r in DET.fromstring(rels)]
    assert len(ids) == len(set(ids))
    defaults = {d.get("Extension"): d.get("ContentType") for d in DET.fromstring(types) if d.tag == f"{CT_NS}Default"}
    assert defaults.get("xml") == "application/xml"  # covers customUI/customUI.xml, no override needed
    with zipfile.ZipFile(book) as z:
        assert z.testzip() is None
        assert len(z.namelist()) == len(set(z.namelist()))


# ----------------------------------------------------------------------------- sheets


def test_conf_sheet_sets_udf_modules_and_nothing_else(book):
    wb = load_workbook(book, keep_vba=True)
    ws = wb[xlsm.CONF_SHEET]
    assert ws.sheet_state == "hidden"
    assert wb.sheetnames[-1] == xlsm.CONF_SHEET
    assert (ws["A1"].value, ws["B1"].value) == ("UDF Modules", "claimcheck.udfs")
    # xlwings reads A1 down to the first blank cell: only UDF Modules is set (the interpreter
    # comes from the user's xlwings config unless the biller adds Interpreter_Win in A2).
    assert ws["A2"].value is None and ws["B2"].value is None
    assert ws[xlsm.SELF_TEST_CELL].value is None
    assert "Interpreter_Win" in " ".join(str(c.value) for c in ws["A"] if c.value)


def test_claims_sheet_has_four_form_buttons_bound_to_the_macros(book):
    with zipfile.ZipFile(book) as z:
        wb = DET.fromstring(z.read("xl/workbook.xml"))
        names = [s.get("name") for s in wb.find(f"{MAIN_NS}sheets")]
        claims_xml = f"xl/worksheets/sheet{names.index('Claims') + 1}.xml"
        rels = z.read(claims_xml.replace("worksheets/", "worksheets/_rels/") + ".rels").decode()
        vml_name = "xl/drawings/" + re.search(r'Target="../drawings/(vmlDrawing\d+\.vml)"', rels).group(1)
        vml = z.read(vml_name).decode()
        others = [n for n in z.namelist() if n.startswith("xl/drawings/vmlDrawing") and n != vml_name]
        assert all(b'ObjectType="Button"' not in z.read(n) for n in others)
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert macros == [b.macro for b in xlsm.BUTTONS]
    assert vml.count('ObjectType="Button"') == len(xlsm.BUTTONS)
    for b in xlsm.BUTTONS:
        assert b.caption in vml


def _sheet_snapshot(ws) -> dict:
    cells = {c.coordinate: (c.value if not hasattr(c.value, "text") else str(c.value), c.number_format,
                            c.data_type)
             for row in ws.iter_rows() for c in row if c.value is not None}
    return {
        "cells": cells,
        "tables": {t.name: (t.ref, t.tableStyleInfo.name if t.tableStyleInfo else None,
                            [(c.name, getattr(c.calculatedColumnFormula, "attr_text", c.calculatedColumnFormula))
                             for c in t.tableColumns])
                   for t in ws.tables.values()},
        "validations": sorted((str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.operator, dv.errorStyle,
                               dv.prompt, dv.error) for dv in ws.data_validations.dataValidation),
        "conditional": sorted((str(rng.sqref), tuple((r.type, tuple(r.formula or ()), r.priority, r.stopIfTrue)
                                                     for r in rules))
                              for rng, rules in ws.conditional_formatting._cf_rules.items()),
        "merged": sorted(str(m) for m in ws.merged_cells.ranges),
        "freeze": ws.freeze_panes,
        "widths": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
        "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        "state": ws.sheet_state,
        "print_area": ws.print_area,
        "charts": len(ws._charts),
        "comments": sorted((c.coordinate, c.comment.text) for row in ws.iter_rows() for c in row if c.comment),
    }


def test_same_content_as_the_xlsx_template(books):
    a = load_workbook(books["Billing.xlsx"])
    b = load_workbook(books["Billing.xlsm"], keep_vba=True)
    assert b.sheetnames == a.sheetnames + [xlsm.CONF_SHEET]
    assert sorted(a.defined_names) == sorted(b.defined_names)
    for name in a.defined_names:
        assert a.defined_names[name].attr_text == b.defined_names[name].attr_text
    assert a.active.title == b.active.title
    for name in a.sheetnames:
        assert _sheet_snapshot(a[name]) == _sheet_snapshot(b[name]), name
    # the raw parts other than the sheets' code names / button drawing are byte-identical
    with zipfile.ZipFile(books["Billing.xlsx"]) as za, zipfile.ZipFile(books["Billing.xlsm"]) as zb:
        for part in za.namelist():
            if part.startswith(("xl/tables/", "xl/charts/", "xl/comments", "xl/theme/")):
                assert za.read(part) == zb.read(part), part
            if part.startswith("xl/worksheets/sheet"):  # only the code name differs
                assert za.read(part) == re.sub(rb' codeName="Sheet\d+"', b"", zb.read(part)), part


# ----------------------------------------------------------------------------- commands


def test_cli_new_xlsm_and_check_output_keeps_vba_ribbon_and_notes_buttons(tmp_path):
    book = tmp_path / "Billing.xlsm"
    done = subprocess.run(claimcheck_cmd() + ["new", str(book), "--sample"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"Wrote {book}" in done.stdout and done.stderr == ""
    out = tmp_path / "out.xlsm"
    done = subprocess.run(claimcheck_cmd() + ["check", str(book), "--output", str(out), "--as-of", "2026-03-01"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("claimcheck: note:")]
    assert any("form buttons" in n for n in notes), done.stderr
    with zipfile.ZipFile(book) as zi, zipfile.ZipFile(out) as zo:
        assert zo.read("xl/vbaProject.bin") == zi.read("xl/vbaProject.bin")
        assert zo.read(xlsm.CUSTOMUI_PART) == zi.read(xlsm.CUSTOMUI_PART)
        rels = [r for r in DET.fromstring(zo.read("_rels/.rels")) if r.get("Type") == xlsm.CUSTOMUI_REL_TYPE]
        assert [r.get("Target") for r in rels] == [xlsm.CUSTOMUI_PART]
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in zo.read("[Content_Types].xml").decode()
    assert _codenames(out)[0] == "ThisWorkbook"
    wb = load_workbook(out, keep_vba=True)
    assert wb[xlsm.CONF_SHEET]["B1"].value == "claimcheck.udfs" and wb[xlsm.CONF_SHEET].sheet_state == "hidden"
    assert "Findings" in wb.sheetnames


def test_new_xlsm_without_xlwings_says_so_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "xlwings", None)  # import xlwings -> ImportError
    with pytest.raises(UnusableInput, match=r'needs xlwings: pip install "claimcheck-billing\[excel\]"'):
        build_workbook(tmp_path / "Billing.xlsm")
    assert list(tmp_path.iterdir()) == []


def test_add_ribbon_is_idempotent_and_keeps_other_parts(tmp_path, book):
    copy = tmp_path / "copy.xlsm"
    shutil.copyfile(book, copy)
    xlsm.add_ribbon(copy)
    with zipfile.ZipFile(book) as a, zipfile.ZipFile(copy) as b:
        assert a.namelist() == b.namelist()
        for n in a.namelist():
            assert a.read(n) == b.read(n), n


# ----------------------------------------------------------------------------- LibreOffice


_require, _soffice, _uno_python = office.require, office.soffice, office.uno_python


def _lo_run(tmp_path: Path, book: Path, skip: list[str]) -> dict:
    return office.run_macro(tmp_path, book, xlsm.PROJECT_NAME, xlsm.SELF_TEST_MODULE, xlsm.SELF_TEST_MACRO,
                            xlsm.CONF_SHEET, xlsm.SELF_TEST_CELL, skip=skip)


def _lo_body(text: str) -> str:
    """LibreOffice's module text without the header lines it adds (Rem Attribute ..., Option VBASupport ...)."""
    lines = _normalise(text).split("\n")
    while lines and re.match(r"(Rem Attribute VBA_ModuleType=|Option VBASupport|Option ClassModule)", lines[0]):
        lines.pop(0)
    return "\n".join(lines).rstrip("\n")


def test_libreoffice_opens_the_workbook_sees_every_module_and_runs_the_self_test(tmp_path, book):
    result = _lo_run(tmp_path, book, skip=["xlwings", "Dictionary"])
    assert xlsm.PROJECT_NAME in result["libraries"]
    modules = _expected_modules(book)
    assert set(result["sources"]) == {m.name for m in modules}
    for m in modules:
        if m.kind is ModuleKind.DOCUMENT:
            continue
        # LibreOffice drops procedure attribute lines (Attribute X.VB_Description = ...) on import
        ours = "\n".join(ln for ln in _normalise(m.source).split("\n") if not re.match(r"\s*Attribute \w+\.VB_", ln))
        assert _lo_body(result["sources"][m.name]) == ours.rstrip("\n"), m.name
    assert result["before"] == ""
    assert result["after"] == xlsm.SELF_TEST_MARKER


def test_libreoffice_runs_the_self_test_of_the_blank_template(tmp_path, books):
    result = _lo_run(tmp_path, books["blank"], skip=["xlwings", "Dictionary"])
    assert result["after"] == xlsm.SELF_TEST_MARKER
