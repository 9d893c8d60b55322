"""Helpers shared by the engine tests: build workbooks and raw tables from plain rows."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from claimcheck import columns as C
from claimcheck.api import check_raw
from claimcheck.reader import rows_to_table

#: The Claims headers the tests' workbooks carry: the contract's, without the optional
#: documentation columns (Note Signed, Start Time, Stop Time), which a book has only when one of
#: its lines fills them (see raw_tables).
CLAIM_HEADERS = [h for h in C.CLAIM_HEADERS if h not in C.DOCUMENTATION_HEADERS]
PAYER_HEADERS = C.PAYER_HEADERS
PROVIDER_HEADERS = C.PROVIDER_HEADERS
AUTH_HEADERS = C.AUTH_HEADERS

AS_OF = dt.date(2026, 6, 30)
NPI_A = "1234567893"  # valid check digit, made up
NPI_B = "1456789019"
NPI_MD = "1678901236"
GROUP = "1987654328"

#: A clean line: every rule passes on it as of AS_OF.
BASE_LINE: dict[str, Any] = {
    "Claim ID": "C1", "Client ID": "CL-1", "Client Name": "Pat Example", "Client DOB": dt.date(1990, 1, 2),
    "Member ID": "M100", "Payer": "Acme Health", "Rendering NPI": NPI_A, "Billing NPI": GROUP,
    "DOS": dt.date(2026, 6, 1), "Minutes": 45, "CPT": "90834", "Modifiers": None, "Units": 1,
    "Dx Codes": "F41.1", "POS": "11", "Charge": 130.0, "Auth Number": None, "Status": "Ready",
    "Submitted On": None, "Paid Amount": None, "Denial Codes": None, "Denial Date": None,
    "Payer Claim Number": None, "Appealed On": None, "Appeal Level": None,
    "Allowed Amount": None, "Patient Responsibility": None, "Adjustments": None,
    "Remark Codes": None, "Payer Order": None, "Remit Date": None, "Line Control Number": None,
}
PAYERS = [
    ["Acme Health", "ACM1", 90, 180, "95", "N", "N", "PO Box 1, Town, ST 00001", "555-0100", "555-0101"],
    ["Gov Medicaid", "GOV1", 365, 60, "GT", "N", "N", "PO Box 2, Town, ST 00002", "555-0200", "555-0201"],
    ["Plain Plan", "PLN1", 180, 120, "", "N", "N", "PO Box 3, Town, ST 00003", "555-0300", "555-0301"],
]
PROVIDERS = [
    [NPI_A, "Dana Reyes", "LCSW", "1041C0700X"],
    [NPI_B, "Sam Okafor", "PsyD", "103TC0700X"],
    [NPI_MD, "Priya Nair", "MD", "2084P0800X"],
]


def claimcheck_exe() -> str:
    """The ``claimcheck`` command of the environment running the tests (the venv's entry point
    beside its python), never whatever else PATH holds."""
    exe = Path(sys.executable).parent / ("claimcheck.exe" if sys.platform == "win32" else "claimcheck")
    assert exe.exists(), f"no claimcheck entry point beside {sys.executable}: install the project (pip install -e .)"
    return str(exe)


def claimcheck_cmd() -> list[str]:
    """The command line to run ``claimcheck`` (see :func:`claimcheck_exe`)."""
    return [claimcheck_exe()]


def line(**changes: Any) -> dict[str, Any]:
    """BASE_LINE with changes; keyword names use underscores for spaces (Claim_ID)."""
    out = dict(BASE_LINE)
    for k, v in changes.items():
        out[k.replace("_", " ")] = v
    return out


def raw_tables(lines: list[dict], *, payers=PAYERS, providers=PROVIDERS, auths=None, headers=None,
               sheets: dict | None = None) -> dict:
    """The raw tables of a book; ``sheets``: other contract sheets (Provider Enrollment,
    Coverage ...) as name -> rows, each a dict by header."""
    headers = headers or CLAIM_HEADERS + [h for h in C.DOCUMENTATION_HEADERS if any(h in l for l in lines)]
    rows = [tuple(headers)] + [tuple(l.get(h) for h in headers) for l in lines]
    raw = {"Claims": rows_to_table("Claims", "Claims", rows)}
    if payers is not None:
        raw["Payers"] = rows_to_table("Payers", "Payers", [tuple(PAYER_HEADERS)] + [tuple(p) for p in payers])
    if providers is not None:
        raw["Providers"] = rows_to_table("Providers", "Providers", [tuple(PROVIDER_HEADERS)] + [tuple(p) for p in providers])
    if auths is not None:
        raw["Authorizations"] = rows_to_table("Authorizations", "Authorizations", [tuple(AUTH_HEADERS)] + [tuple(a) for a in auths])
    for kind, rows in (sheets or {}).items():
        names = [c.name for c in C.SHEETS[kind][0]]
        raw[kind] = rows_to_table(kind, kind, [tuple(names)] + [tuple(r.get(h) for h in names) for r in rows])
    return raw


def check_lines(lines: list[dict], as_of: dt.date = AS_OF, **kw):
    return check_raw(raw_tables(lines, **kw), as_of)


def write_workbook(path: Path, claims_rows: list[list], *, claims_headers=None, payers=PAYERS,
                   providers=PROVIDERS, auths=None, title_rows: list[list] | None = None,
                   sheet_name: str = "Claims") -> Path:
    """A real .xlsx with the given claim rows (lists in header order)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    for t in title_rows or []:
        ws.append(t)
    ws.append(claims_headers or CLAIM_HEADERS)
    for r in claims_rows:
        ws.append(r)
    if payers is not None:
        p = wb.create_sheet("Payers")
        p.append(PAYER_HEADERS)
        for r in payers:
            p.append(r)
    if providers is not None:
        p = wb.create_sheet("Providers")
        p.append(PROVIDER_HEADERS)
        for r in providers:
            p.append(r)
    if auths is not None:
        a = wb.create_sheet("Authorizations")
        a.append(AUTH_HEADERS)
        for r in auths:
            a.append(r)
    wb.save(path)
    return path


def as_row(d: dict, headers=None) -> list:
    return [d.get(h) for h in (headers or CLAIM_HEADERS)]
