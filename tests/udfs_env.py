"""Helpers for exercising the Excel layer through xlwings' own Office.js dispatch.

Importing this module sets ``XLWINGS_LICENSE_KEY=noncommercial`` and ``XLWINGS_ON_SERVER=true``
before xlwings is imported (xlwings' server tests use the same key), so ``xlwings.func`` is
the decorator xlwings Lite uses.  Only tests/test_udfs.py and tests/test_addin.py import it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import os
import sys
import types
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ["XLWINGS_ON_SERVER"] = "true"

import xlwings as xw  # noqa: E402
import xlwings.server as server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def office_module():
    """The ``udfs`` module as xlwings Lite registers it.  When xlwings was imported earlier
    without the server switch (pass-through decorators), the same registry is decorated with
    ``xlwings.server``'s decorators, exactly as xlwings Lite does at import."""
    from claimcheck import udfs
    from claimcheck.udfs.registry import EXCEL_FUNCTIONS, apply, undecorated_copy

    if all(hasattr(getattr(udfs, s.name), "__xlfunc__") for s in EXCEL_FUNCTIONS):
        return udfs
    module = types.ModuleType("udfs_officejs")
    for spec in EXCEL_FUNCTIONS:
        setattr(module, spec.name, apply(undecorated_copy(spec.plain), spec, server.func, server.arg, server.ret))
    return module


def body(func_name: str, *args, date_format: str = "M/d/yyyy") -> dict:
    return {"client": "Office.js", "func_name": func_name, "args": list(args),
            "caller_address": "[Billing.xlsx]Claims!Z2", "culture_info_name": "en-US",
            "date_format": date_format, "version": xw.__version__, "runtime": "1.4"}


def call(func_name: str, *args, module=None):
    """Call a worksheet function as Excel (Office.js) does; returns the converted result."""
    return asyncio.run(server.custom_functions_call(body(func_name, *args), module or office_module()))


def serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def day_fraction(value: dt.time) -> float:
    """A time of day as Excel holds it: the fraction of a day (noon is 0.5)."""
    return (value.hour * 3600 + value.minute * 60 + value.second) / 86400


def as_excel_sends(value):
    """A cell value as Office.js sends it in a function argument: dates as serials, times as
    fractions of a day, blanks as None."""
    if isinstance(value, dt.time):
        return day_fraction(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return serial(value)
    if value == "":
        return None
    return value


def grid(rows) -> list[list]:
    width = max(len(r) for r in rows)
    return [[as_excel_sends(v) for v in list(r) + [None] * (width - len(r))] for r in rows]


def script_value(value):
    """A cell value as xlwings' Office.js client sends it to a script (dates as ISO text, times
    as Excel's fraction of a day)."""
    if isinstance(value, dt.time):
        return day_fraction(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00:00.000Z"
    return "" if value is None else value


def book_json(sheets: dict[str, list[list]], selection: str = "A1", active: int = 0) -> dict:
    out = []
    for name, rows in sheets.items():
        width = max((len(r) for r in rows), default=0)
        values = [[script_value(v) for v in list(r) + [None] * (width - len(r))] for r in rows] or [[]]
        out.append({"name": name, "values": values, "pictures": [], "tables": []})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": "Billing.xlsx", "active_sheet_index": active, "selection": selection},
            "names": [], "sheets": out}


def lite_main():
    """``addin/lite/main.py`` loaded the way xlwings Lite loads the pasted file."""
    spec = importlib.util.spec_from_file_location("claimcheck_lite_main", ROOT / "addin" / "lite" / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(module, name: str, book) -> dict:
    asyncio.run(server.custom_scripts_call(module, name, typehint_to_value={xw.Book: book}))
    return book.json()


def sample_sheets() -> dict[str, list[list]]:
    from claimcheck.workbook_templates import sample_data as S

    return {
        "Claims": [list(S.CLAIM_HEADERS)] + [list(r) for r in S.claim_lines()],
        "Authorizations": [list(S.AUTH_HEADERS)] + [list(r) for r in S.AUTHORIZATIONS],
        "Payers": [list(S.PAYER_HEADERS)] + [list(r) for r in S.PAYERS],
        "Providers": [list(S.PROVIDER_HEADERS)] + [list(r) for r in S.PROVIDERS],
    }


def cli_texts(path, as_of: dt.date, codes: set[str] | None = None) -> dict[int, str]:
    """Per Claims row, the Check text built from ``claimcheck check --format json`` (every
    finding of the row, in the command line's order), optionally only the given rule codes."""
    import json
    import subprocess

    proc = subprocess.run([sys.executable, "-c", "from claimcheck.cli import main; main()", "check", str(path),
                           "--as-of", as_of.isoformat(), "--format", "json"], capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    per_row: dict[int, list[str]] = {}
    for f in data["findings"]:
        if f["sheet"] == "Claims" and f["row"] is not None and f["row"] != 1:
            if codes is None or f["code"] in codes:
                per_row.setdefault(f["row"], []).append(f"{f['code']}: {f['message']}")
    return {row: "; ".join(items) for row, items in per_row.items()}


def write_xlsx(path, sheets: dict[str, list[list]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(list(r))
    wb.save(path)
