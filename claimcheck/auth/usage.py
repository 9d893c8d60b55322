"""How much of each authorization is used and left as of a date (AUTH_USED, AUTH_REMAINING,
the Authorizations summary, Flag Authorizations).

Every function takes the book and, optionally, the :class:`~claimcheck.auth.match.AuthMatching`
of that book already made (the engine's ``auth_matching`` stage, or one made once for several
calls); without it the book is matched here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from ..models import Authorization
from .match import AuthMatching, day_key, day_number, first_day_key, match_authorizations, norm

EXPIRING_DAYS = 14  # an authorization ending within this many days of as_of is Expiring
STATUSES = ("Active", "Expiring", "Exhausted", "Expired")
#: The usage columns of the Authorizations summary (``check --output``, Flag Authorizations).
SUMMARY_HEADERS = ("Used", "Remaining", "% Used", "Status")


@dataclass(frozen=True)
class AuthUsage:
    """One authorization's use as of a date.

    ``used``/``remaining`` are visits or units (``unit_type``); ``remaining`` is negative when
    more was given than authorized; ``authorized``, ``remaining`` and ``percent_used`` are None
    when the Authorized cell could not be read.  ``line_indexes`` are the claim-line indexes
    (``book.claims`` index) the authorization covers, in date order, including lines after
    ``as_of`` (which do not count in ``used``).  ``row`` is its row on the Authorizations sheet.
    """

    auth_number: str
    client_id: str
    payer: str
    start_date: dt.date | None
    end_date: dt.date | None
    unit_type: str
    authorized: float | None
    used: float
    remaining: float | None
    status: str
    percent_used: float | None
    line_indexes: list[int] = field(default_factory=list)
    row: int | None = None


def count_text(x: float | None) -> str:
    """A count as a biller writes it: 12, 2.5; "?" when unknown."""
    if x is None or x != x:
        return "?"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def plural(n: float, word: str) -> str:
    """"1 visit", "3 visits"."""
    return f"{count_text(n)} {word if n == 1 else word + 's'}"


def used_as_of(matching: AuthMatching, auths: list[Authorization], as_of: dt.date) -> list[float]:
    """Each authorization's use as of ``as_of``: the units of its lines dated on or before it
    (Units), or the dates on or before it that used a visit (Visits)."""
    count = len(auths)
    start = first_day_key(count)
    stop = day_key(np.arange(count, dtype=np.intp), np.full(count, day_number(as_of), dtype=np.int64))
    lo = np.searchsorted(matching.unit_keys, start, "left")
    hi = np.searchsorted(matching.unit_keys, stop, "right")
    # The running total of the last line on or before as_of is the sum of the lines up to it.
    units = np.where(hi > lo, np.r_[0.0, matching.unit_totals][hi], 0.0)
    visits = np.searchsorted(matching.visit_keys, stop, "right") - np.searchsorted(matching.visit_keys, start, "left")
    by_units = np.array([a.unit_type == "Units" for a in auths], dtype=bool)
    return np.where(by_units, units, visits.astype(np.float64)).tolist()


def line_use(matching: AuthMatching) -> dict:
    """Claim-line label -> (index in ``book.authorizations`` of the authorization the line uses,
    the line's last visit or unit number: the number AUTH007 and AUTH008 report, NaN on a date
    with only add-on lines), for every line that uses one."""
    return dict(zip(matching.labels(matching.using), zip(matching.using_auth.tolist(), matching.seq_end.tolist())))


def auth_status(auth: Authorization, used: float, as_of: dt.date) -> str:
    """Active, Expiring (ends within 14 days of as_of with some left), Exhausted (nothing left)
    or Expired (ended before as_of)."""
    if auth.end_date is not None and auth.end_date < as_of:
        return "Expired"
    if auth.authorized is not None and used >= auth.authorized:
        return "Exhausted"
    if auth.end_date is not None and (auth.end_date - as_of).days <= EXPIRING_DAYS:
        return "Expiring"
    return "Active"


def auth_usage(book, as_of: dt.date | None = None, matching: AuthMatching | None = None) -> list[AuthUsage]:
    """Every authorization on the Authorizations sheet with its use as of ``as_of`` (default
    today), in sheet order."""
    as_of = as_of or dt.date.today()
    matching = matching if matching is not None else match_authorizations(book)
    use = used_as_of(matching, book.authorizations, as_of)
    by_auth = matching.lines_by_authorization()
    out = []
    for ai, a in enumerate(book.authorizations):
        used = use[ai]
        authorized = a.authorized
        remaining = authorized - used if authorized is not None else None
        percent = (100.0 * used / authorized if authorized else (100.0 if used else 0.0)) if authorized is not None else None
        out.append(AuthUsage(
            auth_number=a.auth_number, client_id=a.client_id, payer=a.payer, start_date=a.start_date,
            end_date=a.end_date, unit_type=a.unit_type, authorized=authorized, used=used, remaining=remaining,
            status=auth_status(a, used, as_of), percent_used=percent,
            line_indexes=list(by_auth.get(ai, [])), row=a.row,
        ))
    return out


def records_of(book, auth_number: str) -> list[int]:
    """The indexes in ``book.authorizations`` of the records with this number (ignoring case and
    spaces; a renewal keeps its number, so there may be several).  ``KeyError`` when none."""
    key = norm(auth_number if isinstance(auth_number, str) else str(auth_number))
    found = [i for i, a in enumerate(book.authorizations) if norm(a.auth_number) == key]
    if not key or not found:
        raise KeyError(auth_number)
    return found


def auth_used(book, auth_number: str, as_of: dt.date | None = None, matching: AuthMatching | None = None) -> float:
    """Visits or units of ``auth_number`` used by the Claims lines dated on or before ``as_of``
    (default today).  A number on the sheet twice (a renewal) adds both records.  Raises
    ``KeyError`` for a number not on the Authorizations sheet."""
    found = records_of(book, auth_number)
    as_of = as_of or dt.date.today()
    matching = matching if matching is not None else match_authorizations(book)
    use = used_as_of(matching, book.authorizations, as_of)
    return float(sum(use[i] for i in found))


def auth_remaining(book, auth_number: str, as_of: dt.date | None = None,
                   matching: AuthMatching | None = None) -> float:
    """Authorized minus used as of ``as_of`` (negative when over; NaN when Authorized cannot be
    read).  Raises ``KeyError`` for a number not on the Authorizations sheet."""
    found = records_of(book, auth_number)
    as_of = as_of or dt.date.today()
    matching = matching if matching is not None else match_authorizations(book)
    use = used_as_of(matching, book.authorizations, as_of)
    total = 0.0
    for i in found:
        a = book.authorizations[i]
        if a.authorized is None:
            return math.nan
        total += a.authorized - use[i]
    return float(total)
