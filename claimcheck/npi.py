"""National Provider Identifier: 10 digits, first digit 1 or 2, Luhn check digit computed over
the prefix ``80840`` + the first nine digits (CMS NPI standard; see johndcook.com 2024-06-26 and
the R ``npis`` package reference).  ``1234567893`` is valid, ``1234567890`` is not."""

from __future__ import annotations

from functools import lru_cache

from .values import shown


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@lru_cache(maxsize=8192)  # a practice has a few dozen NPIs, checked on every line
def check_npi(npi: str) -> tuple[str, str] | None:
    """None for a valid NPI, else ``(kind, message)``; kind is ``malformed`` or ``check_digit``."""
    if len(npi) != 10 or not npi.isdigit():
        return "malformed", f"NPI {shown(npi)} must be exactly 10 digits"
    if npi[0] not in "12":
        return "malformed", f"NPI {npi} must start with 1 or 2"
    if not luhn_valid("80840" + npi):
        return "check_digit", f"NPI {npi} fails its check digit (a typo?); copy it from NPPES"
    return None
