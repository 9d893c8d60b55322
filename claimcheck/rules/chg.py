"""CHG: charges and units - zero, negative, missing or unreadable."""

from __future__ import annotations

from .registry import declare, rule
from ._util import bad

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
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


@rule(
    "CHG001", title="Charge zero or negative", severity="error", column="Charge", needs=("charge",),
    why="A line with no positive charge is rejected or paid at zero.",
    fix="Enter the practice's fee for the code; record write-offs and adjustments elsewhere, not as a negative charge.",
)
def charge_not_positive(ctx):
    """Flags a charge of zero or less."""
    c = ctx.claims
    mask = c["charge"] <= 0
    return [(idx, f"charge is {_money(x)}; enter the fee for the service") for idx, x in zip(c.index[mask], c.loc[mask, "charge"])]


@rule(
    "CHG005", title="Charge missing", severity="error", column="Charge", needs=("charge",),
    why="Every claim line needs a billed amount.",
    fix="Enter the practice's fee for the code.",
)
def charge_missing(ctx):
    """Flags an empty Charge cell."""
    c = ctx.claims
    mask = c["charge"].isna() & ~bad(c, "charge")
    return [(idx, "charge is empty; enter the fee for the service") for idx in c.index[mask]]


@rule(
    "CHG003", title="Units zero, negative or fractional", severity="error", column="Units", needs=("units",),
    why="Units are whole numbers of at least 1; anything else is rejected.",
    fix="Enter whole units (1 for a session; one per 15 minutes for per-15-minute codes).",
)
def units_invalid(ctx):
    """Flags units below 1 or not whole."""
    c = ctx.claims
    u = c["units"]
    mask = (u < 1) | (u % 1 != 0)
    return [(idx, f"units are {x:g}; enter a whole number of at least 1") for idx, x in zip(c.index[mask], u[mask])]


@rule(
    "CHG006", title="Paid more than charged", severity="warning", column="Paid Amount", needs=("charge", "paid_amount"),
    why="A payment above the charge is an overpayment the payer will take back, or a typo in either amount.",
    fix="Check both amounts against the remittance; refund an overpayment.",
)
def paid_over_charge(ctx):
    """Flags Paid Amount greater than Charge."""
    c = ctx.claims
    mask = c["paid_amount"] > c["charge"]
    return [(idx, f"paid {_money(p)} on a charge of {_money(x)}; check the remittance")
            for idx, p, x in zip(c.index[mask], c.loc[mask, "paid_amount"], c.loc[mask, "charge"])]
