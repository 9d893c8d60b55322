"""CHG: charges and units - zero, negative, missing or unreadable."""

from __future__ import annotations

from .registry import declare, line_rule

declare(
    "CHG002", title="Charge could not be read", severity="error", column="Charge",
    why="Without a readable charge the line cannot be billed.",
    fix="Enter the charge as a number, for example 150 or $150.00.",
)
declare(
    "CHG004", title="Units could not be read", severity="error", column="Units",
    why="Without readable units the payer cannot price the line.",
    fix="Enter the units as a whole number (1 for a session).",
)


def _money(x: float) -> str:
    x = x + 0.0  # -0.0 reads as $0.00
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


@line_rule(
    "CHG001", title="Charge zero or negative", severity="error", column="Charge", needs=("charge",),
    why="A line with no positive charge is rejected or paid at zero.",
    fix="Enter the practice's fee for the code; record write-offs and adjustments elsewhere, not as a negative charge.",
    reads=("charge",),
    bad=[{'Charge': 0}],
    good=[{'Charge': '$1,250.00'}],
)
def charge_not_positive(line, env):
    """Flags a charge of zero or less."""
    if line.charge is not None and line.charge <= 0:
        return f"charge is {_money(line.charge)}; enter the fee for the service"


@line_rule(
    "CHG005", title="Charge missing", severity="error", column="Charge", needs=("charge",),
    why="Every claim line needs a billed amount.",
    fix="Enter the practice's fee for the code.",
    reads=("charge", "charge__bad"),
    bad=[{'Charge': None}],
    good=[{'Charge': 130}],
)
def charge_missing(line, env):
    """Flags an empty Charge cell (an unreadable one is CHG002)."""
    if line.charge is None and not line.charge__bad:
        return "charge is empty; enter the fee for the service"


@line_rule(
    "CHG003", title="Units zero, negative or fractional", severity="error", column="Units", needs=("units",),
    why="Units are whole numbers of at least 1; anything else is rejected.",
    fix="Enter whole units (1 for a session; one per 15 minutes for per-15-minute codes).",
    reads=("units",),
    bad=[{'Units': 0}],
    good=[{'Units': None}],
)
def units_invalid(line, env):
    """Flags units below 1 or not whole (a blank Units cell counts as 1)."""
    u = line.units
    if u is not None and (u < 1 or u % 1 != 0):
        return f"units are {u:g}; enter a whole number of at least 1"


@line_rule(
    "CHG006", title="Paid more than charged", severity="warning", column="Paid Amount", needs=("charge", "paid_amount"),
    why="A payment above the charge is an overpayment the payer will take back, or a typo in either amount.",
    fix="Check both amounts against the remittance; refund an overpayment.",
    reads=("charge", "paid_amount"),
    bad=[{'Status': 'Paid', 'Submitted On': '2026-06-02', 'Paid Amount': 150}],
    good=[{'Status': 'Paid', 'Submitted On': '2026-06-02', 'Paid Amount': 104}],
)
def paid_over_charge(line, env):
    """Flags Paid Amount greater than Charge."""
    if line.paid_amount is not None and line.charge is not None and line.paid_amount > line.charge:
        return f"paid {_money(line.paid_amount)} on a charge of {_money(line.charge)}; check the remittance"
