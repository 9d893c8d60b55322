"""Classic desktop Excel entry points for the buttons (``RunPython`` from VBA).

``addin/vba/ClaimcheckButtons.bas`` calls, for example,
``RunPython "import claimcheck.addin.classic as c; c.validate_claims()"``; each function wraps the calling
workbook (``xw.Book.caller()``) in :class:`addin.workbook_port.XlwingsWorkbook` and runs the
button from :mod:`addin.buttons`.  Problems are shown in a message box, never as a traceback.
"""

from __future__ import annotations

from . import buttons
from .workbook_port import XlwingsWorkbook


def _run(name: str, **kwargs) -> str:
    import xlwings as xw

    try:
        book = xw.Book.caller()
    except Exception:  # not started from Excel
        return "claimcheck: run this from the workbook's button in Excel"
    return buttons.run(name, XlwingsWorkbook(book), **kwargs)


def validate_claims() -> str:
    return _run("validate_claims")


def flag_authorizations() -> str:
    return _run("flag_authorizations")


def generate_appeals() -> str:
    return _run("generate_appeals")


def pick_era_files(book) -> list[str]:
    """The 835 files the biller chooses in Excel's own Open dialog: the VBA function
    ``PickEraFiles`` of ClaimcheckButtons.bas (``Application.GetOpenFilename``, several files
    allowed) returns their paths one per line, or nothing when the dialog is cancelled."""
    chosen = book.macro("PickEraFiles")()
    return [p.strip() for p in str(chosen or "").splitlines() if p.strip()]


def post_era() -> str:
    import xlwings as xw

    try:
        book = xw.Book.caller()
    except Exception:  # not started from Excel
        return "claimcheck: run this from the workbook's button in Excel"
    return buttons.run("post_era", XlwingsWorkbook(book), pick_files=lambda: pick_era_files(book))


def new_claims_workbook() -> str:
    # The template sits above the buttons; this entry point (like the command line) wires it in.
    from claimcheck.workbook_templates.build import build_workbook

    return _run("new_claims_workbook", build_workbook=build_workbook)
