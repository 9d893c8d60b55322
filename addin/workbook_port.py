"""The small workbook interface the buttons are written against, and its adapters.

Each button (:mod:`addin.buttons`) is written once against :class:`WorkbookPort`.  Adapters:

* :class:`XlwingsWorkbook` wraps a live ``xlwings.Book``: in classic desktop Excel the book of
  ``xw.Book.caller()`` (:mod:`addin.classic`), in xlwings Lite the ``book: xw.Book`` passed to
  an ``@script`` (``addin/lite/main.py``).  The same code serves both because both are
  ``xw.Book`` objects; only what a runtime cannot do (open a file in Lite) differs, and
  :attr:`XlwingsWorkbook.folder` says so.
* :class:`MemoryWorkbook` keeps cells, fills and messages in dictionaries, for tests.

Rows and columns are 1-based, as Excel shows them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class WorkbookPort(Protocol):
    def sheet_names(self) -> list[str]:
        """The workbook's sheet names, in order."""

    def read(self, sheet: str) -> list[tuple[Any, ...]]:
        """The values of the sheet from A1 to the last used cell (errors as ``"#N/A"`` text)."""

    def write(self, sheet: str, row: int, column: int, values: list[list[Any]]) -> None:
        """Write a 2D block of values with its top-left cell at (row, column)."""

    def fill(self, sheet: str, first_row: int, last_row: int, first_column: int, last_column: int,
             color: str | None) -> None:
        """Set the fill of a block to ``#RRGGBB``, or clear it with None."""

    def fill_of(self, sheet: str, row: int, column: int) -> str | None:
        """A cell's fill as ``#RRGGBB``, ``""`` when it has none, None when the runtime cannot
        read fills (xlwings Lite)."""

    def wrap_text(self, sheet: str, first_row: int, last_row: int, column: int) -> None:
        """Wrap the text of a column's cells (Excel then makes each row as tall as its text)."""

    def formulas(self, sheet: str) -> list[tuple[Any, ...]] | None:
        """The formulas of the sheet in the shape :meth:`read` gives (``"=E2+30"`` where a cell holds
        a formula, None elsewhere), or None when the runtime cannot read formulas (xlwings Lite)."""

    def delete_rows(self, sheet: str, first_row: int, last_row: int) -> None:
        """Delete whole rows, moving the rows below up with their values, formulas and formatting
        (as Excel does, formula references included)."""

    def hide_sheet(self, name: str) -> None:
        """Hide a sheet claimcheck keeps for itself (the cells it coloured)."""

    def link(self, sheet: str, row: int, column: int, target: str, text: str) -> None:
        """Make a cell a link to a place in the workbook (``'Claims'!K7``) showing ``text``."""

    def add_sheet(self, name: str) -> None:
        """Add an empty sheet at the end."""

    def clear_sheet(self, name: str) -> None:
        """Clear a sheet's contents and formats (only ever a sheet claimcheck generates)."""

    def selection(self) -> tuple[str, list[int]] | None:
        """The selected sheet and the row numbers the selection covers, or None."""

    def message(self, text: str) -> None:
        """Tell the biller something (a message box where the runtime has one)."""

    @property
    def folder(self) -> Path | None:
        """The folder of the workbook file, or None when there is no file system (Lite)."""

    def open(self, path: Path) -> None:
        """Open a workbook file in Excel (classic only)."""


def safe_value(value: Any) -> Any:
    """A value to write so Excel never evaluates biller text as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "@") or (
            isinstance(value, str) and value.startswith("-") and not _is_number(value)):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


_AREA = re.compile(r"\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})?\$?(\d+)?)?$")


def rows_of_address(address: str) -> list[int]:
    """Row numbers covered by an A1 address such as ``$B$5:$D$7,$A$10`` (whole columns: none)."""
    rows: list[int] = []
    for part in address.replace(" ", "").split(","):
        part = part.split("!")[-1]
        m = _AREA.match(part.upper())
        if not m or m.group(2) is None:
            continue
        first = int(m.group(2))
        last = int(m.group(4)) if m.group(4) else first
        if last - first > 100_000:
            continue
        rows.extend(range(min(first, last), max(first, last) + 1))
    return sorted(set(rows))


# --------------------------------------------------------------------------- in memory


class MemoryWorkbook:
    """A workbook in dictionaries: sheets of cells, fills, a selection and messages.  A cell may
    hold a formula (:meth:`set_formula`: its text, and the value it shows) and formatting besides
    its fill (:meth:`set_format`, e.g. a number format or a bold font); writing a value replaces a
    formula, as in Excel."""

    def __init__(self, sheets: dict[str, list[list[Any]]] | None = None,
                 selection: tuple[str, list[int]] | None = None, folder: Path | None = None):
        self.cells: dict[str, dict[tuple[int, int], Any]] = {}
        self.fills: dict[str, dict[tuple[int, int], str]] = {}
        self.formula_cells: dict[str, dict[tuple[int, int], str]] = {}
        self.formats: dict[str, dict[tuple[int, int], dict[str, Any]]] = {}
        self.messages: list[str] = []
        self.hidden: set[str] = set()
        self.links: dict[tuple[str, int, int], str] = {}
        self.opened: list[Path] = []
        self._selection = selection
        self._folder = folder
        for name, rows in (sheets or {}).items():
            self.add_sheet(name)
            self.write(name, 1, 1, rows)

    def sheet_names(self) -> list[str]:
        return list(self.cells)

    def _sheet(self, sheet: str) -> str:
        for name in self.cells:
            if name.casefold() == sheet.casefold():
                return name
        raise KeyError(sheet)

    def read(self, sheet: str) -> list[tuple[Any, ...]]:
        cells = self.cells[self._sheet(sheet)]
        used = [k for k, v in cells.items() if v is not None and v != ""]
        if not used:
            return []
        rows = max(r for r, _ in used)
        cols = max(c for _, c in used)
        return [tuple(cells.get((r, c)) for c in range(1, cols + 1)) for r in range(1, rows + 1)]

    def write(self, sheet: str, row: int, column: int, values: list[list[Any]]) -> None:
        cells = self.cells[self._sheet(sheet)]
        formulas = self.formula_cells[self._sheet(sheet)]
        for i, line in enumerate(values):
            for j, value in enumerate(line):
                formulas.pop((row + i, column + j), None)
                value = safe_value(value)
                if value is None or value == "":
                    cells.pop((row + i, column + j), None)
                else:
                    cells[(row + i, column + j)] = value

    def fill(self, sheet, first_row, last_row, first_column, last_column, color):
        fills = self.fills[self._sheet(sheet)]
        for r in range(first_row, last_row + 1):
            for c in range(first_column, last_column + 1):
                if color is None:
                    fills.pop((r, c), None)
                else:
                    fills[(r, c)] = color

    def fill_of(self, sheet: str, row: int, column: int) -> str | None:
        return self.fills[self._sheet(sheet)].get((row, column), "")

    def wrap_text(self, sheet: str, first_row: int, last_row: int, column: int) -> None:
        formats = self.formats[self._sheet(sheet)]
        for r in range(first_row, last_row + 1):
            formats.setdefault((r, column), {})["wrap_text"] = True

    def set_formula(self, sheet: str, row: int, column: int, formula: str, shows: Any) -> None:
        """Type a formula in a cell; ``shows`` is the value Excel shows for it."""
        self.cells[self._sheet(sheet)][(row, column)] = shows
        self.formula_cells[self._sheet(sheet)][(row, column)] = formula

    def set_format(self, sheet: str, row: int, column: int, **style: Any) -> None:
        """Format a cell (``number_format="mm/dd/yyyy"``, ``bold=True`` ...)."""
        self.formats[self._sheet(sheet)].setdefault((row, column), {}).update(style)

    def formulas(self, sheet: str) -> list[tuple[Any, ...]] | None:
        shape = self.read(sheet)
        formulas = self.formula_cells[self._sheet(sheet)]
        return [tuple(formulas.get((r, c)) for c in range(1, len(row) + 1)) for r, row in enumerate(shape, start=1)]

    def delete_rows(self, sheet: str, first_row: int, last_row: int) -> None:
        from openpyxl.formula.translate import Translator
        from openpyxl.utils import get_column_letter

        name = self._sheet(sheet)
        count = last_row - first_row + 1

        def moved(store: dict, translate: bool = False) -> dict:
            out = {}
            for (r, c), v in store.items():
                if first_row <= r <= last_row:
                    continue
                if r > last_row:
                    if translate:  # the references move with the row, as Excel moves them
                        v = Translator(v, origin=f"{get_column_letter(c)}{r}").translate_formula(
                            f"{get_column_letter(c)}{r - count}")
                    r -= count
                out[(r, c)] = v
            return out

        self.cells[name] = moved(self.cells[name])
        self.fills[name] = moved(self.fills[name])
        self.formats[name] = moved(self.formats[name])
        self.formula_cells[name] = moved(self.formula_cells[name], translate=True)

    def hide_sheet(self, name: str) -> None:
        self.hidden.add(self._sheet(name))

    def link(self, sheet: str, row: int, column: int, target: str, text: str) -> None:
        self.links[(self._sheet(sheet), row, column)] = target

    def add_sheet(self, name: str) -> None:
        self.cells[name] = {}
        self.fills[name] = {}
        self.formula_cells[name] = {}
        self.formats[name] = {}

    def clear_sheet(self, name: str) -> None:
        name = self._sheet(name)
        for store in (self.cells, self.fills, self.formula_cells, self.formats):
            store[name].clear()

    def selection(self):
        return self._selection

    def message(self, text: str) -> None:
        self.messages.append(text)

    @property
    def folder(self) -> Path | None:
        return self._folder

    def open(self, path: Path) -> None:
        self.opened.append(Path(path))

    def value(self, sheet: str, row: int, column: int) -> Any:
        return self.cells[self._sheet(sheet)].get((row, column))


# --------------------------------------------------------------------------- live xlwings book


class XlwingsWorkbook:
    """A live ``xlwings.Book``: classic desktop (COM) or xlwings Lite / Office.js."""

    def __init__(self, book):
        self.book = book

    def _remote(self) -> bool:
        return getattr(self.book.app.engine, "type", "") == "remote"

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def _sheet(self, name: str):
        for s in self.book.sheets:
            if s.name.casefold() == name.casefold():
                return s
        raise KeyError(name)

    def read(self, sheet: str) -> list[tuple[Any, ...]]:
        sh = self._sheet(sheet)
        last = sh.used_range.last_cell
        values = sh.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
        rows = [tuple(r) for r in (values or [])]
        if len(rows) == 1 and all(v is None for v in rows[0]):
            return []
        return rows

    def write(self, sheet: str, row: int, column: int, values: list[list[Any]]) -> None:
        if not values or not values[0]:
            return
        width = max(len(r) for r in values)
        block = [[_excel_value(safe_value(v)) for v in list(r) + [None] * (width - len(r))] for r in values]
        sh = self._sheet(sheet)
        if not self._remote():
            sh.range((row, column)).value = block
            return
        # xlwings Lite: the value setter works out the target's size from the whole sheet's values,
        # copied several times over for each write (0.1-0.3 s a write on a 10,000-line sheet).
        # The raw setter takes the values as Office.js gets them, over the block's own range, in
        # parts no larger than xlwings' own write budget.
        step = max(1, OFFICE_CELLS_PER_WRITE // width)
        for start in range(0, len(block), step):
            part = block[start:start + step]
            target = sh.range((row + start, column), (row + start + len(part) - 1, column + width - 1))
            target.raw_value = [[office_value(v) for v in r] for r in part]

    def fill(self, sheet, first_row, last_row, first_column, last_column, color):
        sh = self._sheet(sheet)
        sh.range((first_row, first_column), (last_row, last_column)).color = color

    def wrap_text(self, sheet: str, first_row: int, last_row: int, column: int) -> None:
        self._sheet(sheet).range((first_row, column), (last_row, column)).wrap_text = True

    def fill_of(self, sheet: str, row: int, column: int) -> str | None:
        try:
            colour = self._sheet(sheet).range((row, column)).color
        except Exception:
            return None  # xlwings Lite reads fills only asynchronously
        if isinstance(colour, (tuple, list)) and len(colour) == 3:
            return "#{:02X}{:02X}{:02X}".format(*colour)
        return colour if isinstance(colour, str) else ""

    def formulas(self, sheet: str) -> list[tuple[Any, ...]] | None:
        sh = self._sheet(sheet)
        last = sh.used_range.last_cell
        try:
            grid = sh.range((1, 1), (last.row, last.column)).formula
        except Exception:
            return None  # xlwings Lite reads formulas only asynchronously
        if not isinstance(grid, (tuple, list)) or grid and not isinstance(grid[0], (tuple, list)):
            grid = ((grid,),) if not isinstance(grid, (tuple, list)) else (tuple(grid),)
        return [tuple(f if isinstance(f, str) and f.startswith("=") else None for f in row) for row in grid]

    def delete_rows(self, sheet: str, first_row: int, last_row: int) -> None:
        self._sheet(sheet).range(f"{first_row}:{last_row}").delete(shift="up")

    def hide_sheet(self, name: str) -> None:
        try:
            self._sheet(name).visible = False
        except Exception:
            pass  # a runtime without sheet visibility shows it; it holds no client data

    def link(self, sheet: str, row: int, column: int, target: str, text: str) -> None:
        try:
            self._sheet(sheet).range((row, column)).add_hyperlink("#" + target, text)
        except Exception:
            pass  # a runtime without links keeps the cell's text (Claims!K7), which names the cell

    def add_sheet(self, name: str) -> None:
        self.book.sheets.add(name=name, after=self.book.sheets[len(self.book.sheets) - 1])

    def clear_sheet(self, name: str) -> None:
        self._sheet(name).clear()

    def selection(self):
        try:
            rng = self.book.selection if self._remote() else self.book.app.selection
        except Exception:
            return None
        if rng is None:
            return None
        try:
            return rng.sheet.name, rows_of_address(rng.address)
        except Exception:
            return None

    def message(self, text: str) -> None:
        self.book.app.alert(text, title="claimcheck")

    @property
    def folder(self) -> Path | None:
        if self._remote():
            return None  # xlwings Lite runs in the browser: no file system to write to
        try:
            full = Path(self.book.fullname)
        except Exception:
            return None
        return full.parent if full.parent != Path("") and full.parent.exists() else None

    def open(self, path: Path) -> None:
        self.book.app.books.open(str(path))


#: The most cells xlwings writes to Excel in one Office.js action (its default write budget,
#: ``xlwings.base_classes.DEFAULT_MAX_CELLS_PER_WRITE``); a larger block goes in parts.
OFFICE_CELLS_PER_WRITE = 100_000


def office_value(value: Any) -> Any:
    """A cell value as xlwings' Office.js engine sends it to Excel (as its value setter does):
    blank as empty text, a date (or a date and time at midnight) as ISO date text, a date and
    time as ``YYYY-MM-DD HH:MM:SS``, numbers (numpy's too) as numbers."""
    if value is None or isinstance(value, float) and value != value:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.replace(tzinfo=None).isoformat(sep=" ").split(".")[0]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (str, bool, int, float)):
        return value
    import numpy as np

    if isinstance(value, np.floating):
        return "" if value != value else float(value)
    if isinstance(value, np.number):
        return float(value)
    return value


def _excel_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value
