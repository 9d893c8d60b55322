"""DATE: service dates in the future or before birth, and timely filing: the deadline is the
date of service plus the payer's Timely Filing Days (Payers sheet, else the documented
default; see ``payer_defaults.csv``)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..values import brief
from ..columns import status_key
from .registry import line_rule, rule
from ._util import days_text, memo, per_code, run_codes

NEAR_DAYS = 14
UNSUBMITTED = ("", "Draft", "Ready")


def filing_deadlines(ctx) -> pd.Series:
    """Per line: DOS + the payer's timely filing days (NaT without a DOS)."""
    def make():
        c = ctx.claims
        codes, payers = run_codes(ctx, "payer")  # an empty Payer cell (NaN here) gets the defaults
        limit = per_code(payers, lambda p: ctx.book.payer(p if isinstance(p, str) else None).timely_filing_days, np.int64)
        dos = c["dos"]
        if dos.dtype.kind == "M":
            return pd.Series(dos.to_numpy() + limit[codes].astype("timedelta64[D]"), index=c.index)
        return dos + pd.to_timedelta(pd.Series(limit[codes], index=c.index), unit="D")
    return memo(ctx, "date.filing_deadlines", make)


def _whole_days(delta) -> np.ndarray:
    """Timedeltas as whole days, rounded down (as ``.dt.days``), NaN for NaT."""
    delta = np.asarray(delta)
    if delta.dtype.kind != "m":
        return pd.Series(delta).dt.days.to_numpy(dtype=float)
    day = np.timedelta64(1, "D").astype(delta.dtype).view(np.int64)
    return np.where(np.isnat(delta), np.nan, np.floor_divide(delta.view(np.int64), day))


def _unsubmitted(ctx) -> np.ndarray:
    """Per line: not yet submitted (Draft, Ready or blank status, and no Submitted On)."""
    def make():
        c = ctx.claims
        codes, statuses = run_codes(ctx, "status_key")
        mask = per_code(statuses, lambda s: s in UNSUBMITTED)[codes]  # once per status
        if "submitted_on" in c:
            mask &= c["submitted_on"].isna().to_numpy()
        return mask
    return memo(ctx, "date.unsubmitted", make)


@lru_cache(maxsize=64)
def _years_before(day, years: int):
    """The same calendar day ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@line_rule(
    "DATE001", title="Date of service in the future", severity="error", column="DOS", needs=("dos",),
    why="A claim for a service that has not happened yet is rejected, and billing it is a compliance risk.",
    fix="Correct the date, or keep the line as Draft and bill it after the session.",
    reads=("dos",),
    bad=[{'DOS': '2026-07-01'}],
    good=[{'DOS': '2026-06-30'}],
)
def dos_in_future(line, env):
    """Flags a DOS after the as-of date."""
    if line.dos is not None and line.dos > env.as_of:
        return f"DOS {line.dos.isoformat()} is after {env.as_of.isoformat()}; correct the date or wait until the session has happened"


@line_rule(
    "DATE002", title="Date of service before the client's birth", severity="error", column="DOS", needs=("dos", "client_dob"),
    why="A service before the date of birth is impossible; one of the two dates is wrong and the payer rejects the line.",
    fix="Check the DOS and the client's date of birth against the note and the insurance card.",
    reads=("dos", "client_dob"),
    candidates=lambda ctx: (ctx.claims["dos"] < ctx.claims["client_dob"]).to_numpy(),
    bad=[{'Client DOB': '2026-06-02'}],
    good=[{'Client DOB': '1990-01-02'}],
)
def dos_before_birth(line, env):
    """Flags a DOS earlier than Client DOB (the DOB itself is never printed)."""
    if line.dos is not None and line.client_dob is not None and line.dos < line.client_dob:
        return f"DOS {line.dos.isoformat()} is before the client's date of birth; check both dates"


@line_rule(
    "DATE006", title="Implausible date of birth", severity="warning", column="Client DOB", needs=("client_dob",),
    why="A date of birth in the future or over 120 years ago is a typo; eligibility checks fail on it.",
    fix="Correct the date of birth from the insurance card.",
    reads=("client_dob",),
    candidates=lambda ctx: ((ctx.claims["client_dob"] > ctx.as_of_ts)
                            | (ctx.claims["client_dob"] < pd.Timestamp(_years_before(ctx.as_of, 120)))).to_numpy(),
    bad=[{'Client DOB': '2027-01-01'}],
    good=[{'Client DOB': '1990-01-02'}],
)
def implausible_dob(line, env):
    """Flags a Client DOB after the as-of date or more than 120 years before it."""
    dob = line.client_dob
    if dob is None:
        return None
    if dob > env.as_of:
        return "Client DOB is in the future; correct it"
    if dob < _years_before(env.as_of, 120):
        return "Client DOB is more than 120 years ago; correct it"


def _filing(ctx):
    """The claims, each line's filing deadline (numpy datetimes) and the days left until it
    (negative once passed, NaN without a DOS)."""
    c = ctx.claims
    deadline = filing_deadlines(ctx).to_numpy()
    left = memo(ctx, "date.left", lambda: _whole_days(deadline - ctx.as_of_ts.to_datetime64()))
    return c, deadline, left


def _filing_findings(ctx, mask: np.ndarray, text) -> list:
    """``text(deadline, days left, payer, that payer's timely filing days)`` for the lines of
    ``mask`` (the deadline as a message writes it; the payer's settings looked up once per payer)."""
    c, deadline, left = _filing(ctx)
    payers = c["payer"][mask].to_numpy(dtype=object).tolist()
    limit = {p: ctx.book.payer(p).timely_filing_days for p in set(payers)}
    return [(idx, text(dl, n, p, limit[p]))
            for idx, dl, n, p in zip(c.index[mask], days_text(deadline[mask]), left[mask].tolist(), payers)]


@rule(
    "DATE003", title="Timely filing deadline passed", severity="error", column="DOS", needs=("dos",), row_level=False,
    why="Claims filed after the payer's filing limit are denied (CARC 29) and the practice may not bill the client.",
    fix="A line never sent: write it off unless the payer allows an exception (such as retroactive eligibility). "
        "A rejected line: correct it and resubmit today with the proof of the first submission (the clearinghouse report).",
    bad=[{'DOS': '2026-03-01'}],
    good=[{'DOS': '2026-03-01', 'Status': 'Submitted', 'Submitted On': '2026-03-05'}],
)
def filing_deadline_passed(ctx):
    """Flags a line whose filing deadline is before the as-of date and that was not filed: one
    never sent (Draft, Ready or blank status, no Submitted On), or one the payer or clearinghouse
    rejected (Status Rejected).  Only a rejected line was sent, so only it is told to file now
    with proof of timely filing."""
    c, deadline, left = _filing(ctx)
    rejected = _rejected(ctx)
    never = _filing_findings(ctx, _unsubmitted(ctx) & ~rejected & (left < 0), lambda dl, n, p, days: (
        f"filing deadline {dl} ({days} days from DOS for {brief(p) if p else 'this payer'}) passed {-int(n)} days ago and the "
        f"line was never sent; expect a timely-filing denial (CO-29): write it off unless the payer allows an exception"))
    sent = _filing_findings(ctx, rejected & (left < 0), lambda dl, n, p, days: (
        f"filing deadline {dl} ({days} days from DOS for {brief(p) if p else 'this payer'}) passed {-int(n)} days ago; the claim "
        f"was rejected: correct it and file now with proof of timely filing (the first submission's clearinghouse report)"))
    found = never + sent  # (no line is in both)
    return [found[k] for k in np.argsort(c.index.get_indexer([idx for idx, _ in found]), kind="stable").tolist()]


def _rejected(ctx) -> np.ndarray:
    """Per line: Status Rejected (sent, but refused before the payer processed it)."""
    def make():
        codes, statuses = run_codes(ctx, "status_key")
        rejected = status_key("Rejected")
        return per_code(statuses, lambda s: s == rejected)[codes]
    return memo(ctx, "date.rejected", make)


@rule(
    "DATE004", title="Timely filing deadline within 14 days", severity="warning", column="DOS", needs=("dos",), row_level=False,
    why="A line not filed before the payer's limit becomes an unrecoverable denial (CARC 29).",
    fix="Submit the claim before the deadline the finding gives.",
    bad=[{'DOS': '2026-04-06'}],
    good=[{'DOS': '2026-04-16'}],
)
def filing_deadline_near(ctx):
    """Flags a line not yet submitted whose filing deadline is today or within 14 days."""
    c, deadline, left = _filing(ctx)
    return _filing_findings(ctx, _unsubmitted(ctx) & (left >= 0) & (left <= NEAR_DAYS), lambda dl, n, p, days: (
        f"file by {dl} ({'today' if n == 0 else f'in {int(n)} days'}; {days}-day limit for {brief(p) if p else 'this payer'})"))


@line_rule(
    "DATE005", title="Submitted before the date of service", severity="error", column="Submitted On",
    needs=("dos", "submitted_on"),
    why="A claim cannot be submitted before the service; one of the dates is wrong.",
    fix="Correct the Submitted On date or the DOS.",
    reads=("dos", "submitted_on"),
    candidates=lambda ctx: (ctx.claims["submitted_on"] < ctx.claims["dos"]).to_numpy(),
    bad=[{'Status': 'Submitted', 'Submitted On': '2026-05-30'}],
    good=[{'Status': 'Submitted', 'Submitted On': '2026-06-02'}],
)
def submitted_before_service(line, env):
    """Flags Submitted On earlier than DOS."""
    s, d = line.submitted_on, line.dos
    if s is not None and d is not None and s < d:
        return f"Submitted On {s.isoformat()} is before DOS {d.isoformat()}"


@rule(
    "DATE007", title="Submitted after the filing deadline", severity="warning", column="Submitted On",
    needs=("dos", "submitted_on"), row_level=False,
    why="A claim submitted after the payer's limit is usually denied for timely filing (CARC 29) unless there is proof of an earlier submission.",
    fix="Keep the proof of any earlier submission ready; expect a CO-29 denial otherwise.",
    bad=[{'DOS': '2026-01-05', 'Status': 'Submitted', 'Submitted On': '2026-04-10'}],
    good=[{'DOS': '2026-01-05', 'Status': 'Submitted', 'Submitted On': '2026-03-20'}],
)
def submitted_late(ctx):
    """Flags Submitted On later than DOS + the payer's timely filing days."""
    c = ctx.claims
    deadline = filing_deadlines(ctx).to_numpy()
    submitted = c["submitted_on"].to_numpy()
    mask = submitted > deadline  # False for NaT either side
    late = _whole_days(submitted[mask] - deadline[mask])
    return [(idx, f"submitted {s}, {int(n)} days after the filing deadline {dl}; expect a timely-filing denial (CO-29)")
            for idx, s, n, dl in zip(c.index[mask], days_text(submitted[mask]), late.tolist(), days_text(deadline[mask]))]
