"""REQ: a required value missing or unreadable."""

from __future__ import annotations

import pandas as pd

from ..columns import STATUS_KEYS, STATUSES
from ..values import shown
from .registry import declare, line_rule, rule
from ._util import first_positions, per_code, run_codes

declare(
    "REQ002", title="A value could not be read", severity="error", column="(varies)",
    why="A date, number or code the payer needs cannot be read, so the line cannot be checked or billed as typed.",
    fix="Retype the value in the form the column expects: dates as MM/DD/YYYY, numbers without words.",
)
declare(
    "REQ003", title="A cell shows an Excel error", severity="error", column="(varies)",
    why="A formula error (#N/A, #VALUE!, #REF!...) would go out on the claim as garbage or block it.",
    fix="Fix the formula or the lookup it depends on, or type the value.",
)
declare(
    "REQ004", title="A column is missing, so some rules cannot run", severity="info", column="(header)",
    why="Without the column the checks that need it are skipped, and the problems they catch go out to the payer.",
    fix="Add the column with the contract's header (or one of its synonyms) to the Claims sheet.",
    row_level=False,
)

declare(
    "REQ007", title="A reference sheet could not be used", severity="warning", column="(header)",
    why="Without a usable Payers, Providers or Authorizations sheet (its headers missing, or the sheet damaged in the file), claimcheck falls back to defaults and skips the checks that need it.",
    fix="Give the sheet its required headers (Payers: Payer; Providers: NPI; Authorizations: Auth Number, Start Date, End Date, Authorized) in one of its top ten rows; a damaged sheet: open and re-save the workbook in Excel, or restore the sheet from a backup.",
    row_level=False,
)

declare(
    "REQ008", title="Formulas Excel has not calculated yet", severity="warning", column="(sheet)",
    why="A workbook written by a script (openpyxl, pandas) holds formulas without their results until Excel calculates them; claimcheck cannot see what those cells will show, so it cannot check them.",
    fix="Open the workbook in Excel and save it (or recalculate with F9 and save), then check it again.",
    row_level=False,
)

declare(
    "REQ009", title="A totals row or second header row is not a claim line", severity="info", column="(row)",
    why="A row that adds up the lines (an Excel Table's totals row, or a last row labelled Total) or a second header row right under the headers (units such as minutes and $, with no Claim ID, DOS or CPT value) is not a service line; checking it would raise errors on the word Total or the units.",
    fix="Nothing to do: the row is left out of the checks. Move other totals below a blank row or to another sheet.",
    row_level=False,
)

# field -> (header, what to do).  Billing NPI may be blank (Rendering NPI then bills).
_REQUIRED = {
    "claim_id": ("Claim ID", "give every service line the ID of its claim"),
    "client_id": ("Client ID", "enter the practice's client ID"),
    "member_id": ("Member ID", "enter the subscriber/member ID from the insurance card"),
    "payer": ("Payer", "enter the payer as named on the Payers sheet"),
    "dos": ("DOS", "enter the date of service"),
    "cpt": ("CPT", "enter the procedure code"),
    "rendering_npi": ("Rendering NPI", "enter the rendering provider's 10-digit NPI"),
    "pos": ("POS", "enter the two-digit place of service (11 office, 10 telehealth at home)"),
    "dx": ("Dx Codes", None),  # a missing diagnosis is DX004
}


#: (field, header, message, its empty view, its unreadable flag) of each required column
#: (Dx Codes is left to DX004).
_REQUIRED_VIEWS = tuple((field, header, f"{header} is empty; {todo}", f"{field}__empty", f"{field}__bad")
                        for field, (header, todo) in _REQUIRED.items() if todo is not None)


@line_rule(
    "REQ001", title="A required value is missing", severity="error", column="(varies)",
    why="Payers reject a claim line without a date of service, procedure, member ID, payer, rendering NPI or place of service before they look at anything else.",
    fix="Fill in the empty cell named by the finding.",
    reads=tuple(view for _, _, _, *views in _REQUIRED_VIEWS for view in views) + ("billing_npi__empty",),
    bad=[{'DOS': None}],
    good=[{'Rendering NPI': None}],
)
def required_value_missing(line, env):
    """Flags each empty cell in a required column (only for columns the sheet has)."""
    out = None
    for field, header, message, empty, unreadable in _REQUIRED_VIEWS:
        if field not in env.present or not getattr(line, empty) or getattr(line, unreadable):
            continue
        if field == "rendering_npi" and "billing_npi" in env.present and not line.billing_npi__empty:
            continue
        if out is None:
            out = []
        out.append((header, message))
    return out


@line_rule(
    "REQ005", title="Unknown claim status", severity="warning", column="Status", needs=("status",),
    why="claimcheck decides which deadlines apply (filing, appeal) from the status; an unknown status hides them.",
    fix=f"Use one of: {', '.join(STATUSES)}.",
    reads=("status", "status_key"),
    bad=[{'Status': 'Pending'}],
    good=[{'Status': 'submitted'}],
)
def unknown_status(line, env):
    """Flags a Status that is not one of the contract's statuses (any case)."""
    if line.status is not None and line.status_key not in STATUS_KEYS:
        return f"Status {shown(line.status)} is not one of {', '.join(STATUSES)}"


@rule(
    "REQ006", title="Payer not on the Payers sheet; defaults used", severity="warning", column="Payer",
    needs=("payer",), row_level=False,
    why="Filing limits, appeal windows, telehealth modifiers and authorization rules differ by payer; defaults may be wrong for this one.",
    fix="Add the payer to the Payers sheet with its contract's timely filing days, appeal days, telehealth modifier and authorization rules.",
    bad=[{'Payer': 'Nowhere Mutual'}, {'Claim ID': 'C2', 'Payer': 'Nowhere Mutual', 'DOS': '2026-06-02'}],
    good=[{'Payer': 'ACME HEALTH'}],
)
def payer_not_on_sheet(ctx):
    """Flags the first line of each payer missing from the Payers sheet (once per payer)."""
    c = ctx.claims
    known = set(ctx.book.payers)
    codes, keys = run_codes(ctx, "payer_key")
    missing = per_code(keys, lambda key: key != "" and key not in known)  # once per payer
    firsts = first_positions(codes)  # the first line of each payer (codes number them in order)
    first = firsts[missing]
    d = ctx.book.payer("")
    return pd.Series(
        [f"Payer {shown(p, 40)} is not on the Payers sheet; using defaults ({d.timely_filing_days} filing days, "
         f"{d.appeal_days} appeal days); add it to the Payers sheet" for p in c["payer"].to_numpy(dtype=object)[first]],
        index=c.index[first], dtype=object)
