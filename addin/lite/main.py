"""claimcheck for xlwings Lite: paste this into the xlwings Lite editor's main.py.

requirements.txt (the other tab) installs claimcheck; see addin/INSTALL.md.

Worksheet functions: =CHECK_CLAIM(), =CHECK_CLAIMS(), =CPT_FOR_MINUTES(), =CHECK_DX(),
=CHECK_NPI(), =AUTH_USED(), =AUTH_REMAINING(), =FILING_DEADLINE(), =APPEAL_DEADLINE(),
=DENIAL_REASON() - imported below, so xlwings Lite registers them.

Buttons: run a script from the task pane (choose it in the dropdown, then Run), or click a
sheet button: a shape named as in BUTTON_CELLS whose hyperlink points to that cell of the
Claims sheet (Insert > Shapes, name it in the Name Box, right-click > Link > This Document).
"""

import xlwings as xw
from xlwings import script

from claimcheck.addin.buttons import run
from claimcheck.addin.workbook_port import XlwingsWorkbook
from claimcheck.udfs import (  # noqa: F401  (registered as worksheet functions)
    APPEAL_DEADLINE,
    AUTH_REMAINING,
    AUTH_USED,
    CHECK_CLAIM,
    CHECK_CLAIMS,
    CHECK_DX,
    CHECK_NPI,
    CPT_FOR_MINUTES,
    DENIAL_REASON,
    FILING_DEADLINE,
)

# Shape name -> the cell its hyperlink points to (one cell per button, in a row the biller
# does not type in; the template puts the buttons above the Claims header).
BUTTON_CELLS = {
    "ValidateClaims": "Claims!A1",
    "FlagAuthorizations": "Claims!B1",
    "GenerateAppeals": "Claims!C1",
    "NewClaimsWorkbook": "Claims!D1",
    "PostEra": "Claims!E1",
}


def _button(shape):
    return f"[{shape}]{BUTTON_CELLS[shape]}"


@script(name="Validate Claims", button=_button("ValidateClaims"))
def validate_claims(book: xw.Book):
    """Fill the Check column, colour the lines and rewrite the Findings sheet."""
    run("validate_claims", XlwingsWorkbook(book))


@script(name="Flag Authorizations", button=_button("FlagAuthorizations"))
def flag_authorizations(book: xw.Book):
    """Mark lines over their authorization or outside its dates; show each authorization's use."""
    run("flag_authorizations", XlwingsWorkbook(book))


@script(name="Generate Appeals", button=_button("GenerateAppeals"))
def generate_appeals(book: xw.Book):
    """Write appeal sheets for the selected denied lines (or all) and the Appeals Log."""
    run("generate_appeals", XlwingsWorkbook(book))


@script(name="Post ERA", button=_button("PostEra"))
def post_era(book: xw.Book):
    """Post the 835 remittance text pasted into the ERA Inbox sheet (emptied once posted)."""
    run("post_era", XlwingsWorkbook(book))


@script(name="New Claims Workbook", button=_button("NewClaimsWorkbook"))
def new_claims_workbook(book: xw.Book):
    """Add the template's sheets and headers (Lite has no file system for a new file)."""
    run("new_claims_workbook", XlwingsWorkbook(book))
