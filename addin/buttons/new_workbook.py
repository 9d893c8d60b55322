"""The New Claims Workbook button.

**New Claims Workbook** builds the template next to the current workbook and opens it
(classic); where there is no file system (xlwings Lite) it adds the template's missing sheets
with their header rows to the current workbook instead, and says so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from claimcheck import columns as C

from ..workbook_port import WorkbookPort


TEMPLATE_SHEETS = (("Claims", C.CLAIMS), ("Authorizations", C.AUTHORIZATIONS), ("Payers", C.PAYERS),
                   ("Providers", C.PROVIDERS))


def new_file_name(folder: Path, today: dt.date | None = None) -> Path:
    stem = f"Claims {(today or dt.date.today()).isoformat()}"
    path = folder / f"{stem}.xlsx"
    n = 2
    while path.exists():
        path = folder / f"{stem} ({n}).xlsx"
        n += 1
    return path


def new_claims_workbook(wb: WorkbookPort, build_workbook: Callable[..., Any] | None = None) -> str:
    """A new billing workbook next to ``wb``, written by ``build_workbook(path, sample=False)``
    (classic Excel's entry point passes the template's builder, from the layer above this one);
    without a builder or a folder (xlwings Lite) the template's sheets are added to ``wb``."""
    folder = wb.folder
    if folder is not None and build_workbook is not None:
        path = new_file_name(folder)
        build_workbook(path, sample=False)
        wb.open(path)
        text = f"New Claims Workbook: created {path.name} next to this workbook and opened it."
        wb.message(text)
        return text
    existing = {C.key(n) for n in wb.sheet_names()}
    added = []
    for name, cols in TEMPLATE_SHEETS:
        if C.key(name) in existing:
            continue
        wb.add_sheet(name)
        wb.write(name, 1, 1, [[c.name for c in cols]])
        wb.fill(name, 1, 1, 1, len(cols), "#DDEBF7")
        added.append(name)
    if added:
        text = ("New Claims Workbook: this Excel has no file system to save a new workbook to, so the "
                f"template's {', '.join(added)} sheet{'s' if len(added) > 1 else ''} with header rows "
                "were added to this workbook. To start a fresh file, create a blank workbook and run "
                "this button there.")
    else:
        text = ("New Claims Workbook: this workbook already has the Claims, Authorizations, Payers and "
                "Providers sheets; nothing was changed. To start a fresh file, create a blank workbook "
                "and run this button there.")
    wb.message(text)
    return text
