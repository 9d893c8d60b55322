"""Reading the contract sheets' rows with openpyxl (read-only, values as last calculated): the
reader when python-calamine is not installed or cannot read a file (see :mod:`claimcheck.fast_reader`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from . import columns as C
from .errors import UnusableInput
from .workbook_file import (MAX_ROWS, DamagedSheet, is_damage, refusal, table_ranges, unparseable_sheets,
                            with_empty_parts)


def read_sheets_openpyxl(path: Path, widths: dict[str, int] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """The openpyxl reader; ``widths``: the columns to read of each sparse sheet (found
    here when not given)."""
    import warnings

    from openpyxl import load_workbook

    wb = None
    failure: BaseException
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
            wanted = {C.key(k) for k in C.SHEETS}
            out: dict[str, list[tuple[Any, ...]]] = {}
            if widths is None:
                widths = _bounded_widths(path, wanted)
            for ws in wb.worksheets:
                if C.key(ws.title) not in wanted:
                    out[ws.title] = []
                    continue
                width = widths.get(ws.title)
                rows = []
                cells = ws.iter_rows(values_only=True) if width is None else ws.iter_rows(max_col=max(width, 1), values_only=True)
                try:
                    for n, row in enumerate(cells):
                        if n >= MAX_ROWS:
                            raise UnusableInput(
                                f"{path}: the {ws.title} sheet has more than {MAX_ROWS:,} rows, above the "
                                "limit (CLAIMCHECK_MAX_ROWS raises it); split the workbook by year or payer"
                            )
                        if width is not None and row.count(None) == len(row):
                            row = ()  # a blank row of a sparse sheet: one shared empty tuple
                        rows.append(row)
                except Exception as exc:
                    if not is_damage(exc):
                        raise
                    rows = DamagedSheet("its part cannot be read")
                out[ws.title] = rows
            return out
    except UnusableInput:
        raise
    except Exception as exc:  # damaged parts, hostile XML, unsupported content
        failure = exc
    finally:
        if wb is not None:
            wb.close()
    # openpyxl could not even open the workbook: when contract sheets' parts are not
    # well-formed, read the others and report those sheets as damaged.
    bad = unparseable_sheets(path) if is_damage(failure) else {}
    if bad:
        try:
            out = read_sheets_openpyxl(with_empty_parts(path, bad), widths)
        except UnusableInput:
            raise refusal(path, failure) from None
        for name in bad:
            out[name] = DamagedSheet("its part cannot be read")
        return out
    raise refusal(path, failure) from None


def _bounded_widths(path: Path, wanted: set[str]) -> dict[str, int]:
    """For each contract sheet that is sparse (a stray value far out, or a dimension claiming
    far more than the sheet holds: see :mod:`claimcheck.extent`), the columns to read: up to the
    last column of its top ten rows or of its Excel Tables, where a header can be.  Reading the
    full grid of such a sheet would take gigabytes."""
    from .extent import extent, header_width, is_sparse, listed_sheets

    out: dict[str, int] = {}
    tables = None
    with zipfile.ZipFile(path) as zf:
        for name, part in listed_sheets(zf):
            if part is None or C.key(name) not in wanted:
                continue
            data = zf.read(part)
            if is_sparse(extent(data)):
                if tables is None:
                    tables = table_ranges(path)
                last_table_col = max((t[3] for t in tables.get(name, [])), default=0)
                out[name] = header_width(data, last_table_col)
    return out
