"""Deadlines: timely filing (date of service + the payer's Timely Filing Days) and appeal
(denial date + the payer's Appeal Days).  Calendar days, as payer contracts and CMS count them;
month ends, year ends and leap days need no special case with calendar-day arithmetic.
Defaults for a payer missing from the Payers sheet are in ``data/payer_defaults.csv``."""

from __future__ import annotations

import datetime as dt

from .models import Payer


def filing_deadline(dos: dt.date, payer: Payer) -> dt.date:
    """The last day to file a claim for ``dos`` with ``payer``."""
    return dos + dt.timedelta(days=payer.timely_filing_days)


def appeal_deadline(denial_date: dt.date, payer: Payer) -> dt.date:
    """The last day to appeal a denial dated ``denial_date`` with ``payer``."""
    return denial_date + dt.timedelta(days=payer.appeal_days)


def days_left(deadline: dt.date, as_of: dt.date) -> int:
    """Days from ``as_of`` to ``deadline``: 0 is today, negative has passed."""
    return (deadline - as_of).days
