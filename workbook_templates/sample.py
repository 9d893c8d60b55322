"""Write the bundled sample workbook (``examples/sample-billing.xlsx``).

A plain, table-formatted workbook holding :mod:`workbook_templates.sample_data`, the way a
practice's own billing sheet looks.  Regenerate with
``python -m claimcheck.workbook_templates.sample examples/sample-billing.xlsx``, which also
writes the sample remittance (``examples/sample-remit.835``, :func:`sample_data.sample_remittance`)
beside it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from . import sample_data as S

DATE_FORMAT = "mm/dd/yyyy"
MONEY_FORMAT = '"$"#,##0.00'
TIME_FORMAT = "h:mm AM/PM"


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list], table: str, first: bool = False) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, header in enumerate(headers, start=1):
        width = max([len(header), *(len(str(r[i - 1])) for r in rows if i <= len(r) and r[i - 1] is not None)])
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 45)
        for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
            if isinstance(cell.value, dt.time):
                cell.number_format = TIME_FORMAT
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            elif header in ("Charge", "Paid Amount", "Copay"):
                cell.number_format = MONEY_FORMAT
    ref = f"A1:{get_column_letter(len(headers))}{max(2, len(rows) + 1)}"
    tab = Table(displayName=table, ref=ref)
    tab.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(tab)
    ws.freeze_panes = "A2"


def write_sample(path: str | Path) -> Path:
    path = Path(path)
    wb = Workbook()
    _sheet(wb, "Claims", S.CLAIM_HEADERS, S.claim_lines(), "ClaimsTable", first=True)
    _sheet(wb, "Authorizations", S.AUTH_HEADERS, S.AUTHORIZATIONS, "AuthorizationsTable")
    _sheet(wb, "Payers", S.PAYER_HEADERS, S.PAYERS, "PayersTable")
    _sheet(wb, "Providers", S.PROVIDER_HEADERS, S.PROVIDERS, "ProvidersTable")
    _sheet(wb, "Provider Enrollment", S.ENROLLMENT_HEADERS, S.ENROLLMENT, "ProviderEnrollmentTable")
    _sheet(wb, "Coverage", S.COVERAGE_HEADERS, S.COVERAGE, "CoverageTable")
    _sheet(wb, "Clients", S.CLIENT_HEADERS, S.CLIENT_PLANS, "ClientsTable")
    practice = wb.create_sheet("Practice")  # label and value a row: the appeal letters' letterhead
    practice.append(["Field", "Value"])
    for row in S.PRACTICE:
        practice.append(list(row))
    practice["A1"].font = practice["B1"].font = Font(bold=True)
    practice.column_dimensions["A"].width, practice.column_dimensions["B"].width = 18, 40
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_sample_remittance(path: str | Path) -> Path:
    """Write the sample's 835 remittance (bytes as given: ``~`` and a newline end each segment)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(S.sample_remittance().encode("ascii"))
    return path


if __name__ == "__main__":  # pragma: no cover
    workbook = write_sample(sys.argv[1] if len(sys.argv) > 1 else "examples/sample-billing.xlsx")
    print(workbook)
    print(write_sample_remittance(workbook.with_name("sample-remit.835")))
