"""Deadlines: timely filing (date of service + the payer's Timely Filing Days) and appeal
(denial date + the payer's Appeal Days).  Calendar days, as payer contracts and CMS count them;
month ends, year ends and leap days need no special case with calendar-day arithmetic.
Defaults for a payer missing from the Payers sheet are in ``data/payer_defaults.csv``; a payer on
the sheet with a blank Appeal Days whose Payer Type is Medicaid or Medicaid MCO gets the shorter
``Medicaid Appeal Days`` (60) instead of the general default (:func:`default_appeal_days`)."""

from __future__ import annotations

import datetime as dt

from .models import Payer


#: Payer types whose appeal windows run as short as 30-60 days (payer_defaults.csv Medicaid Appeal Days).
MEDICAID_TYPES = ("Medicaid", "Medicaid MCO")


def default_appeal_days(payer_type: str, defaults: dict[str, str]) -> int | None:
    """The appeal days to assume for a payer of ``payer_type`` whose Appeal Days is blank, when
    its type has its own default (``Medicaid Appeal Days`` for Medicaid and Medicaid MCO); None
    when the general ``Appeal Days`` default applies.  ``defaults``: CodeTables.payer_defaults."""
    if payer_type in MEDICAID_TYPES and (defaults.get("Medicaid Appeal Days") or "").strip():
        return int(float(defaults["Medicaid Appeal Days"]))
    return None


def filing_deadline(dos: dt.date, payer: Payer) -> dt.date:
    """The last day to file a claim for ``dos`` with ``payer``."""
    return dos + dt.timedelta(days=payer.timely_filing_days)


def appeal_deadline(denial_date: dt.date, payer: Payer) -> dt.date:
    """The last day to appeal a denial dated ``denial_date`` with ``payer``."""
    return denial_date + dt.timedelta(days=payer.appeal_days)


def days_left(deadline: dt.date, as_of: dt.date) -> int:
    """Days from ``as_of`` to ``deadline``: 0 is today, negative has passed."""
    return (deadline - as_of).days
