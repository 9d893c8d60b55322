"""NPI: provider identifiers malformed, failing their check digit, or not on the Providers
sheet.  The check digit is computed by :mod:`claimcheck.npi` (Luhn over 80840 + NPI)."""

from __future__ import annotations

from ..npi import check_npi
from .registry import rule
from ._util import map_unique, memo

_COLUMNS = (("rendering_npi", "Rendering NPI"), ("billing_npi", "Billing NPI"))


def _npi_problems(ctx, kind: str):
    c = ctx.claims
    out = []
    for field, header in _COLUMNS:
        if field not in ctx.book.present:
            continue
        checked = memo(ctx, f"npi.{field}", lambda: map_unique(c[field], lambda npi: check_npi(npi) if isinstance(npi, str) else None))
        flagged = checked[checked.map(bool).astype(bool)]  # the few lines with a problem
        for idx, res in zip(flagged.index, flagged):
            if res and res[0] == kind:
                out.append({"index": idx, "message": f"{header}: {res[1]}", "column": header})
    if not out:
        return None
    import pandas as pd

    return pd.DataFrame(out).set_index("index")


@rule(
    "NPI001", title="Malformed NPI", severity="error", column="(varies)",
    why="An NPI is ten digits starting with 1 or 2; anything else is rejected before the claim is read.",
    fix="Copy the NPI from the NPPES registry or the provider's enrollment letter.",
)
def malformed_npi(ctx):
    """Flags a Rendering or Billing NPI that is not ten digits starting with 1 or 2."""
    return _npi_problems(ctx, "malformed")


@rule(
    "NPI002", title="NPI fails its check digit", severity="error", column="(varies)",
    why="The last digit of an NPI is a check digit; a failing one means a typo, and the claim is rejected as an invalid provider.",
    fix="Copy the NPI again from NPPES; two swapped digits are the usual cause.",
)
def npi_check_digit(ctx):
    """Flags an NPI whose Luhn check digit (over 80840 + NPI) is wrong."""
    return _npi_problems(ctx, "check_digit")


@rule(
    "NPI003", title="Rendering provider not on the Providers sheet", severity="warning", column="Rendering NPI",
    needs=("rendering_npi",),
    why="claimcheck checks credentials (for example who may bill 90792) and authorizations by provider; an unlisted NPI may also be a typo for a listed one.",
    fix="Add the provider to the Providers sheet, or correct the NPI.",
)
def rendering_not_listed(ctx):
    """Flags a valid Rendering NPI missing from the Providers sheet (when the workbook has one)."""
    providers = ctx.book.providers
    if "Providers" not in ctx.book.sheets_present:
        return None
    c = ctx.claims
    unlisted = map_unique(c["rendering_npi"], lambda npi: isinstance(npi, str) and npi not in providers and check_npi(npi) is None)
    return [(idx, f"Rendering NPI {npi} is not on the Providers sheet")
            for idx, npi, flag in zip(c.index, c["rendering_npi"], unlisted) if flag]
