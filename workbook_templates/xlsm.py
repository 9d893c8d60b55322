"""The macro step of ``claimcheck new Billing.xlsm``: VBA project, sheet buttons, Billing ribbon.

:func:`workbook_templates.build.build_workbook` writes the same content as the ``.xlsx``
template with XlsxWriter and, for ``.xlsm``, calls

* :func:`add_macros` before XlsxWriter closes the workbook: a hidden ``xlwings.conf`` sheet
  (``UDF Modules = claimcheck.udfs``), the VBA code names of the workbook and its sheets, four form buttons
  on the Claims sheet bound to the button macros, and the VBA project built by
  :mod:`addin.vba_project` from
    - the xlwings VBA runtime (``xlwings.bas``, BSD licence, header kept, and the ``Dictionary``
      class it uses on macOS, MIT licence), copied from the **installed** xlwings package, as
      ``xlwings quickstart --standalone`` does: the module declares the xlwings DLL by its version
      (``xlwings64-<version>.dll``), so it must come from the same xlwings that runs the Python
      side on the biller's PC;
    - our modules in ``addin/vba/``: ``ClaimcheckButtons`` (button macros and ribbon callbacks),
      ``ClaimcheckFunctions`` (the worksheet-function wrappers, generated from the function
      registry) and ``ClaimcheckSelfTest`` (writes a marker into ``xlwings.conf!D1``);
    - one empty document module per code name (``ThisWorkbook``, ``Sheet1`` ...).
* :func:`add_ribbon` after it: XlsxWriter cannot write a ``customUI`` part, so the zip is
  rewritten with ``customUI/customUI.xml`` (``addin/ribbon/customUI.xml``) and its relationship
  in ``_rels/.rels``.

With the standalone xlwings module inside the workbook the biller needs no reference to the
xlwings add-in and never opens the VBA editor; the Python interpreter comes from the user's
xlwings config (``xlwings addin install`` writes it) or an ``Interpreter_Win`` row on the
``xlwings.conf`` sheet.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from claimcheck.addin.vba_project import (ModuleKind, VbaModule, build_vba_project, excel_document_modules,
                                          load_vba_source, load_vba_sources)
from claimcheck.atomic import replacing
from claimcheck.reader import UnusableInput

ADDIN_DIR = Path(__file__).resolve().parent.parent / "addin"
VBA_DIR = ADDIN_DIR / "vba"
RIBBON_XML = ADDIN_DIR / "ribbon" / "customUI.xml"

PROJECT_NAME = "ClaimCheck"  # the VBA project (LibreOffice names its Basic library after it)
CONF_SHEET = "xlwings.conf"
UDF_MODULES = "claimcheck.udfs"
SELF_TEST_MACRO = "ClaimcheckSelfTest"
SELF_TEST_MODULE = "ClaimcheckSelfTest"
SELF_TEST_CELL = "D1"
SELF_TEST_MARKER = "claimcheck macros OK"

CUSTOMUI_PART = "customUI/customUI.xml"
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CUSTOMUI_REL_TYPE = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
CUSTOMUI_REL_ID = "rIdClaimcheckRibbon"


@dataclass(frozen=True)
class Button:
    macro: str  # the VBA Sub (ClaimcheckButtons.bas); the ribbon calls macro + "Ribbon"
    caption: str


BUTTONS = (
    Button("ValidateClaims", "Validate Claims"),
    Button("FlagAuthorizations", "Flag Authorizations"),
    Button("GenerateAppeals", "Generate Appeals"),
    Button("PostEra", "Post ERA"),
    Button("NewClaimsWorkbook", "New Claims Workbook"),
)
BUTTON_WIDTH = 132  # pixels
BUTTON_HEIGHT = 36  # fits the Claims header row (32 pt), which is frozen, so they stay in view
BUTTON_GAP = 8


# ----------------------------------------------------------------------------- VBA sources


def xlwings_package_dir() -> Path:
    try:
        import xlwings
    except ImportError:
        raise UnusableInput('a macro workbook (.xlsm) needs xlwings: pip install "claimcheck-billing[excel]", '
                            "or make a .xlsx") from None
    return Path(xlwings.__file__).resolve().parent


def xlwings_version() -> str:
    xlwings_package_dir()
    import xlwings

    return xlwings.__version__


def xlwings_runtime_modules() -> list[VbaModule]:
    """The xlwings VBA runtime of the installed xlwings: ``xlwings`` (RunPython, XLPy, the config
    lookup) and its ``Dictionary`` class, licence headers kept."""
    base = xlwings_package_dir()
    bas = base / "xlwings.bas"
    cls = base / "addin" / "Dictionary.cls"
    missing = [p for p in (bas, cls) if not p.is_file()]
    if missing:
        raise UnusableInput(f"{missing[0]}: not in the installed xlwings {xlwings_version()}; reinstall xlwings")
    return [load_vba_source(bas, ModuleKind.STANDARD), load_vba_source(cls, ModuleKind.CLASS)]


def claimcheck_modules() -> list[VbaModule]:
    """Our modules from ``addin/vba/`` (buttons, ribbon callbacks, function wrappers, self-test)."""
    return load_vba_sources(VBA_DIR)


def vba_modules(sheet_codenames: list[str]) -> list[VbaModule]:
    """Every module of the workbook's VBA project, document modules first."""
    return excel_document_modules(sheet_codenames) + xlwings_runtime_modules() + claimcheck_modules()


def build_project(sheet_codenames: list[str]) -> bytes:
    # The Office reference types the ribbon callbacks' ``control As IRibbonControl``; a new Excel
    # project has it too.
    return build_vba_project(vba_modules(sheet_codenames), PROJECT_NAME, 1252, include_office_reference=True)


# ----------------------------------------------------------------------------- workbook


def _write_conf_sheet(wb) -> object:
    """The hidden ``xlwings.conf`` sheet: xlwings reads A1 down to the first blank A cell."""
    ws = wb.add_worksheet(CONF_SHEET)
    bold = wb.add_format({"bold": True})
    note = wb.add_format({"italic": True, "font_color": "#595959"})
    ws.set_column("A:A", 16)
    ws.set_column("B:B", 14)
    ws.set_column("D:D", 22)
    ws.write_string(0, 0, "UDF Modules", bold)
    ws.write_string(0, 1, UDF_MODULES)
    notes = [
        f"Settings of the xlwings VBA module in this workbook (copied from xlwings {xlwings_version()}). "
        "xlwings reads column A from A1 down to the first blank cell; a setting here overrides the "
        "user's xlwings.conf.",
        "The Python interpreter comes from the user's xlwings config (xlwings addin install writes it). "
        "To pin one for this workbook, type Interpreter_Win in A2 and the full path of python.exe in B2 "
        "(macOS: Interpreter_Mac).",
        f"D1 is written by the {SELF_TEST_MACRO} macro (Alt+F8) to show the macros run. Keep this "
        "sheet's name.",
    ]
    for i, text in enumerate(notes, start=3):
        ws.write_string(i, 0, text, note)
    ws.hide()
    return ws


def add_macros(wb, claims_ws, first_free_col: int) -> None:
    """Add the conf sheet, code names, Claims buttons and VBA project to an open XlsxWriter
    workbook (whose file name ends in .xlsm) before it is closed.  ``first_free_col`` is the
    0-based column right of the Claims table."""
    xlwings_runtime_modules()  # fails early (no xlwings) before any change
    _write_conf_sheet(wb)
    wb.set_vba_name("ThisWorkbook")
    codenames = []
    for i, ws in enumerate(wb.worksheets(), start=1):
        name = f"Sheet{i}"
        ws.set_vba_name(name)
        codenames.append(name)
    # One blank column for the Auth column Flag Authorizations adds right of the table.
    col = first_free_col + 1
    for i, button in enumerate(BUTTONS):
        claims_ws.insert_button(0, col, {
            "macro": button.macro,
            "caption": button.caption,
            "width": BUTTON_WIDTH,
            "height": BUTTON_HEIGHT,
            "x_offset": i * (BUTTON_WIDTH + BUTTON_GAP),
            "y_offset": 3,
            "description": f"Runs the {button.caption} macro (claimcheck)",
        })
    wb.add_vba_project(io.BytesIO(build_project(codenames)), is_stream=True)


def ribbon_xml() -> bytes:
    return RIBBON_XML.read_bytes()


def _with_customui_relationship(rels: bytes) -> bytes:
    text = rels.decode("utf-8")
    if CUSTOMUI_REL_TYPE in text:
        return rels
    rel = (f"<Relationship Id={quoteattr(CUSTOMUI_REL_ID)} Type={quoteattr(CUSTOMUI_REL_TYPE)} "
           f"Target={quoteattr(CUSTOMUI_PART)}/>")
    end = text.rindex("</Relationships>")
    return (text[:end] + rel + text[end:]).encode("utf-8")


def add_ribbon(path: str | os.PathLike, xml: bytes | None = None) -> None:
    """Rewrite the zip at ``path`` with the customUI part and its package relationship.

    No content-type override is needed: the part ends in .xml, which the package's
    ``Default Extension="xml"`` covers (as in the ribbon workbooks xlwings ships)."""
    path = Path(path)
    xml = ribbon_xml() if xml is None else xml
    with replacing(path, prefix=".claimcheck-ribbon-") as tmp, zipfile.ZipFile(path) as src, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        types = src.read("[Content_Types].xml").decode("utf-8")
        if 'Extension="xml"' not in types:
            raise UnusableInput(f"{path}: no default content type for .xml parts")
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "_rels/.rels":
                data = _with_customui_relationship(data)
            if info.filename == CUSTOMUI_PART:
                continue
            dst.writestr(info, data)
        dst.writestr(zipfile.ZipInfo(CUSTOMUI_PART, date_time=src.infolist()[0].date_time), xml,
                     compress_type=zipfile.ZIP_DEFLATED)
