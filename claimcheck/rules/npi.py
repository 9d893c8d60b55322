"""NPI: provider identifiers malformed, failing their check digit, or not on the Providers
sheet.  The check digit is computed by :mod:`claimcheck.npi` (Luhn over 80840 + NPI)."""

from __future__ import annotations

from ..npi import check_npi
from .registry import line_rule

_COLUMNS = (("rendering_npi", "Rendering NPI"), ("billing_npi", "Billing NPI"))


def _npi_problems(line, env, kind: str) -> list[tuple[str, str]]:
    out = []
    for field, header in _COLUMNS:
        npi = getattr(line, field)
        if field not in env.present or not isinstance(npi, str):
            continue
        res = check_npi(npi)
        if res and res[0] == kind:
            out.append((header, f"{header}: {res[1]}"))
    return out


@line_rule(
    "NPI001", title="Malformed NPI", severity="error", column="(varies)",
    why="An NPI is ten digits starting with 1 or 2; anything else is rejected before the claim is read.",
    fix="Copy the NPI from the NPPES registry or the provider's enrollment letter.",
    reads=("rendering_npi", "billing_npi"),
    bad=[{'Rendering NPI': '123456789'}],
    good=[{'Rendering NPI': '1234567893'}],
)
def malformed_npi(line, env):
    """Flags a Rendering or Billing NPI that is not ten digits starting with 1 or 2."""
    return _npi_problems(line, env, "malformed")


@line_rule(
    "NPI002", title="NPI fails its check digit", severity="error", column="(varies)",
    why="The last digit of an NPI is a check digit; a failing one means a typo, and the claim is rejected as an invalid provider.",
    fix="Copy the NPI again from NPPES; two swapped digits are the usual cause.",
    reads=("rendering_npi", "billing_npi"),
    bad=[{'Rendering NPI': '1234567890'}],
    good=[{'Rendering NPI': 1234567893}],
)
def npi_check_digit(line, env):
    """Flags an NPI whose Luhn check digit (over 80840 + NPI) is wrong."""
    return _npi_problems(line, env, "check_digit")


@line_rule(
    "NPI003", title="Rendering provider not on the Providers sheet", severity="warning", column="Rendering NPI",
    needs=("rendering_npi",),
    why="claimcheck checks credentials (for example who may bill 90792) and authorizations by provider; an unlisted NPI may also be a typo for a listed one.",
    fix="Add the provider to the Providers sheet, or correct the NPI.",
    reads=("rendering_npi",),
    needs_sheets=("Providers",),
    bad=[{'Rendering NPI': '1122334455'}],
    good=[{'Rendering NPI': '1234567893'}],
)
def rendering_not_listed(line, env):
    """Flags a valid Rendering NPI missing from the Providers sheet (when the workbook has one)."""
    npi = line.rendering_npi
    if "Providers" in env.sheets and isinstance(npi, str) and npi not in env.providers and check_npi(npi) is None:
        return f"Rendering NPI {npi} is not on the Providers sheet"
