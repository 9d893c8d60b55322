"""The buttons, written once against :class:`addin.workbook_port.WorkbookPort`, one module each:

* **Validate Claims** (:mod:`.validate`) fills the ``Check`` column of Claims, colours the cells
  findings name and rewrites the ``Findings`` sheet, as ``claimcheck check --output`` does.
* **Flag Authorizations** (:mod:`.authorizations`) writes each line's AUTH findings into an
  ``Auth`` column and the usage columns of the Authorizations sheet.
* **Generate Appeals** (:mod:`.appeals`) writes an appeal sheet for each denied claim and brings
  ``Appeals Log`` up to date as a work queue, in place.
* **Post ERA** (:mod:`.era`) posts 835 remittances to Claims like ``claimcheck era`` and rewrites
  Remittances, ERA Lines and ERA Unmatched.
* **New Claims Workbook** (:mod:`.new_workbook`) builds the template next to the current workbook,
  or adds its missing sheets where there is no file system (xlwings Lite).

What they share - reading the sheets as the command line reads a file, finding and writing their
own columns - is in :mod:`.sheets`.  The classic macros (``addin/classic.py``) and the xlwings
Lite script (``addin/lite/main.py``) run a button by its name through :func:`run`.

No button writes into a cell the biller typed: only the Check/Auth/summary columns, cell fills,
and the sheets claimcheck generates (Findings, Appeals Log, Appeal ..., the ERA sheets) and, for
Post ERA, the empty or still-open posted cells of Claims; on an Appeals Log already there only
the computed columns are written (the biller's cells, with their formulas and formatting, move only
with their row).  Each returns the message it showed.
"""

from __future__ import annotations

from claimcheck.reader import UnusableInput
from claimcheck.writer import FINDINGS_HEADERS

from ..workbook_port import WorkbookPort
from .appeals import APPEALS_LOG_SHEET, generate_appeals
from .authorizations import AUTH_HEADER, flag_authorizations
from .era import ERA_INBOX_SHEET, inbox_text, post_era
from .new_workbook import TEMPLATE_SHEETS, new_claims_workbook, new_file_name
from .sheets import CHECK_HEADER, HEADER_FILL, fills, read_tables
from .validate import FINDINGS_SHEET, validate_claims, write_findings_sheet

__all__ = [
    "APPEALS_LOG_SHEET", "AUTH_HEADER", "BUTTONS", "CHECK_HEADER", "ERA_INBOX_SHEET", "FINDINGS_HEADERS",
    "FINDINGS_SHEET", "HEADER_FILL", "TEMPLATE_SHEETS", "fills", "flag_authorizations", "generate_appeals",
    "inbox_text", "new_claims_workbook", "new_file_name", "post_era", "read_tables", "run", "validate_claims",
    "write_findings_sheet",
]


BUTTONS = {
    "validate_claims": validate_claims,
    "flag_authorizations": flag_authorizations,
    "generate_appeals": generate_appeals,
    "new_claims_workbook": new_claims_workbook,
    "post_era": post_era,
}


def run(name: str, wb: WorkbookPort, **kwargs) -> str:
    """Run a button; any problem becomes one message (never a traceback)."""
    try:
        return BUTTONS[name](wb, **kwargs)
    except UnusableInput as exc:
        text = f"claimcheck: {exc}"
    except Exception as exc:  # a button must never show a traceback
        # The exception text is not shown: it could echo a cell (a client's name).
        text = f"claimcheck: {name.replace('_', ' ')} stopped ({type(exc).__name__}); nothing else was changed"
    try:
        wb.message(text)
    except Exception:
        pass
    return text
