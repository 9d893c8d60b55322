"""What the buttons share: the workbook's sheets read as the command line reads a file, the
check they run, and their own columns found, added, written and coloured."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from claimcheck import columns as C
from claimcheck.columns import last_header  # noqa: F401  (the buttons import it from here)
from claimcheck.reader import RawTable, UnusableInput, rows_to_table, sheet_list, sheet_lookup, skip_non_lines

from ..workbook_port import WorkbookPort

CHECK_HEADER = "Check"
HEADER_FILL = "#305496"


def hex_colour(argb: str) -> str:
    return "#" + argb[-6:]


def fills() -> dict[str, str]:
    from claimcheck.writer import FILL

    return {k: hex_colour(v) for k, v in FILL.items()}


def read_tables(wb: WorkbookPort) -> tuple[dict[str, RawTable], dict[str, list[tuple[Any, ...]]]]:
    """The contract sheets as raw tables (as the command line reads a file), and their rows."""
    kinds = sheet_lookup(wb.sheet_names())
    if "Claims" not in kinds:
        raise UnusableInput(
            f"no Claims sheet (found: {sheet_list(wb.sheet_names())}); "
            "name the sheet with the service lines 'Claims'")
    raw: dict[str, RawTable] = {}
    rows_by_kind: dict[str, list[tuple[Any, ...]]] = {}
    for kind, name in kinds.items():
        rows = wb.read(name)
        width = max((len(r) for r in rows), default=0)
        rows = [tuple(r) + (None,) * (width - len(r)) for r in rows]
        rows_by_kind[kind] = rows
        try:
            raw[kind] = rows_to_table(kind, name, rows)
            skip_non_lines(raw[kind])  # a units row, a totals row: as the command line reads a file
        except UnusableInput as exc:
            if kind == "Claims":
                raise
            table = RawTable(sheet=name, kind=kind, header_row=0, headers=[], positions={})
            table.problem = str(exc)  # type: ignore[attr-defined]  # a finding (REQ007), as on the command line
            raw[kind] = table
    return raw, rows_by_kind


def check_workbook(wb: WorkbookPort, as_of: dt.date | None):
    from claimcheck.api import check_raw

    raw, rows = read_tables(wb)
    return check_raw(raw, as_of or dt.date.today()), raw, rows


def header_column(header: tuple[Any, ...], name: str) -> int | None:
    for i, value in enumerate(header, start=1):
        if value is not None and C.key(value) == C.key(name):
            return i
    return None


def own_column(wb: WorkbookPort, sheet: str, rows, header_row: int, name: str, after: int | None = None) -> int:
    """The column of our header ``name`` on the header row, added when missing."""
    header = rows[header_row - 1] if len(rows) >= header_row else ()
    col = header_column(header, name)
    if col is None:
        col = max(last_header(header), after or 0) + 1
        wb.write(sheet, header_row, col, [[name]])
    return col


def spans(values: list[tuple[int, Any]]) -> Iterable[tuple[int, int, Any]]:
    """Contiguous (first_row, last_row, value) runs of equal values, for few fill calls."""
    run: list = []
    for row, value in sorted(values):
        if run and row == run[1] + 1 and value == run[2]:
            run[1] = row
        else:
            if run:
                yield tuple(run)
            run = [row, row, value]
    if run:
        yield tuple(run)


def write_column(wb, sheet, first_row, last_row, col, texts: dict[int, str]) -> None:
    if last_row < first_row:
        return
    wb.write(sheet, first_row, col, [[texts.get(r, "")] for r in range(first_row, last_row + 1)])
