"""The Appeals Log as a work queue that keeps the biller's work.

Each run lays the plan's rows (:meth:`claimcheck.appeals.plan.AppealPlan.log_rows`) over the log
already in the workbook, by one function, :func:`merge_log`, that both ``claimcheck appeals``
(:func:`claimcheck.appeals.xlsx.write_appeals`) and the Generate Appeals button
(``claimcheck.addin.buttons.generate_appeals``) call:

* **Key.**  A row is one denial of one claim: its ``Claim ID`` (trimmed, upper case, as
  ``--claim`` compares) and its ``Denial Date`` (the earliest Denial Date of the claim's denied
  lines; blank when none is entered yet).  The key is read from the log's own ``Claim ID`` and
  ``Denial Date`` cells, so a biller may sort or filter the log.  A row keyed with a blank Denial
  Date is taken over by the same claim's dated denial (the date was entered after the first
  run).  A claim denied again on a later date (the appeal was denied) is a new row; the earlier
  one stays as history.
* **Computed columns** (:data:`COMPUTED_COLUMNS`: Claim ID ... Appeal Sheet) are rewritten from
  the workbook on every run.
* **Biller columns** (:data:`BILLER_COLUMNS`: Owner, Follow-up Date, Appeal Level, Reference #,
  Outcome, Notes) and any column the biller added are never changed: their values are carried
  over by key, as they were typed.
* **A denial that is gone** (the claim was paid since, or denied again on a later date, or left
  the Claims sheet) keeps its row when the biller wrote something in it; its Decision says why it
  is no longer worked (:data:`NO_LONGER_DENIED`, :data:`EARLIER_DENIAL`) and its deadline and
  days left are cleared.  A gone row with nothing typed in it is dropped.
* **Order.**  Rows already in the log stay in their order; new denials are added below.
* **Where each row was.**  :func:`update_log` also gives the sheet row each output row comes
  from and the rows left out (:class:`LogUpdate`): the button updates the sheet in place with it
  (the biller's cells are never rewritten, so their formulas and formatting stay), and the command
  line carries the formatting of the biller's cells to the row's new place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .. import columns as C
from ..denials import NEAR_DAYS, as_date

#: The columns claimcheck writes on every run (the plan's log rows, in this order).
COMPUTED_COLUMNS = ["Claim ID", "Payer", "First DOS", "Denial Codes", "Denial Date", "Amount Denied", "Decision",
                    "Why / next step", "Appeal Deadline", "Days Left", "Appeal Sheet"]
#: The columns the biller fills; claimcheck writes their header and never their values.
BILLER_COLUMNS = ["Owner", "Follow-up Date", "Appeal Level", "Reference #", "Outcome", "Notes"]
LOG_HEADER = COMPUTED_COLUMNS + BILLER_COLUMNS

#: The Decision of a kept row whose claim is no longer denied or appealed.
NO_LONGER_DENIED = "no longer denied"
#: The Decision of a kept row whose claim was denied again on a later date.
EARLIER_DENIAL = "earlier denial"

#: The Decision of a kept row whose claim and denial are also on another row of the log.
DUPLICATE_ROW = "duplicate row"
#: The Decisions of rows kept only for the biller's work.
KEPT_DECISIONS = (NO_LONGER_DENIED, EARLIER_DENIAL, DUPLICATE_ROW)

_CLAIM, _DENIAL_DATE, _DECISION, _WHY, _DEADLINE, _DAYS = (COMPUTED_COLUMNS.index(h) for h in (
    "Claim ID", "Denial Date", "Decision", "Why / next step", "Appeal Deadline", "Days Left"))
_COMPUTED_KEYS = {C.key(h) for h in COMPUTED_COLUMNS}


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def days_left_color(days: Any) -> str | None:
    """The fill of a Days Left cell as ``#RRGGBB``, as Excel's good/neutral/bad cell styles colour
    it: red once the appeal window has closed, yellow within :data:`NEAR_DAYS` days of the
    deadline, green before; None for a row without a deadline (a blank or a text)."""
    if isinstance(days, bool) or not isinstance(days, (int, float)):
        return None
    return "#F4C7CE" if days < 0 else "#FFEB9C" if days <= NEAR_DAYS else "#C6EFCE"


class Formula(str):
    """A formula the biller typed in the log (``=E2+30``), with the cell it was in, so it can be
    written where its row lands and its references move with it, as Excel moves them when rows
    are sorted."""

    origin: str = ""

    def __new__(cls, text: str, origin: str):
        self = super().__new__(cls, text)
        self.origin = origin
        return self


class LogNotReadable(ValueError):
    """The sheet named Appeals Log has content but no ``Claim ID`` header in its first row, so its
    rows cannot be matched to claims (and would be lost by rewriting it)."""


def row_key(claim_id, denial_date) -> tuple[str, str]:
    """The key of a log row: (Claim ID trimmed and upper case, Denial Date as YYYY-MM-DD or "")."""
    day = as_date(denial_date) if not isinstance(denial_date, str) else None
    if isinstance(denial_date, (int, float)) and not isinstance(denial_date, bool) and 1 <= denial_date < 2958466:
        day = _EXCEL_EPOCH + dt.timedelta(days=int(denial_date))  # a date cell read as its serial number
    if isinstance(denial_date, str) and denial_date.strip():
        try:
            day = dt.date.fromisoformat(denial_date.strip()[:10])
        except ValueError:
            day = None
    if isinstance(claim_id, float) and claim_id.is_integer():
        claim_id = int(claim_id)  # Excel turned a Claim ID such as 1001 into a number
    return str(claim_id if claim_id is not None else "").strip().upper(), day.isoformat() if isinstance(day, dt.date) else ""


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


@dataclass
class LoggedRow:
    """A row of the log as found in the workbook: its computed values (by contract header) and
    the biller's values (by the header as written)."""

    computed: dict[str, Any]
    biller: dict[str, Any] = field(default_factory=dict)
    #: Its row number on the sheet (1 is the header), so a button can update the row in place.
    row: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return row_key(self.computed.get("Claim ID"), self.computed.get("Denial Date"))

    @property
    def has_work(self) -> bool:
        return any(not _blank(v) for v in self.biller.values())


@dataclass
class ExistingLog:
    rows: list[LoggedRow]
    extra_headers: list[str]  # columns the biller added, in their order


def read_log(values: Sequence[Sequence[Any]] | None) -> ExistingLog:
    """The log already in the workbook, from its values (first row the header), as openpyxl's
    ``iter_rows(values_only=True)`` or a button's ``WorkbookPort.read`` gives them.  Raises
    :class:`LogNotReadable` when the sheet has content but no ``Claim ID`` header."""
    values = [tuple(r) for r in (values or [])]
    if not values or all(all(_blank(v) for v in r) for r in values):
        return ExistingLog(rows=[], extra_headers=[])
    header = values[0]
    computed_at: dict[str, int] = {}
    biller_at: dict[str, int] = {}
    extra: list[str] = []
    by_key = {C.key(h): h for h in LOG_HEADER}
    for i, h in enumerate(header):
        if _blank(h):
            continue
        k = C.key(h)
        if k in _COMPUTED_KEYS:
            computed_at.setdefault(by_key[k], i)
        elif k in by_key:
            biller_at.setdefault(by_key[k], i)
        elif str(h).strip() not in biller_at:
            biller_at[str(h).strip()] = i
            extra.append(str(h).strip())
    if "Claim ID" not in computed_at:
        raise LogNotReadable("the Appeals Log sheet has no 'Claim ID' header in its first row, so the notes on it "
                             "cannot be kept; rename that sheet (or restore its header row) and run again")
    rows = []
    for number, r in enumerate(values[1:], start=2):
        if all(_blank(v) for v in r):
            continue
        get = lambda i: r[i] if i < len(r) else None  # noqa: E731
        rows.append(LoggedRow(computed={h: get(i) for h, i in computed_at.items()},
                              biller={h: get(i) for h, i in biller_at.items()}, row=number))
    return ExistingLog(rows=rows, extra_headers=extra)


@dataclass
class LogUpdate:
    """The log to write (:func:`update_log`): ``header`` and ``rows`` as :func:`merge_log` returns
    them, and where each row was: ``from_rows[i]`` is the sheet row (1-based) of the logged row
    that row ``i`` updates or keeps, None for a new denial.  ``dropped`` are the sheet rows of
    logged rows that are left out (a gone denial with nothing of the biller's in it).  A button
    updates the sheet in place with it: delete ``dropped``, write the computed columns, and the
    biller's cells (values, formulas, formatting) never move but with their row."""

    header: list[str]
    rows: list[list[Any]]
    from_rows: list[int | None]
    dropped: list[int]


def merge_log(new_rows: Iterable[Sequence[Any]], existing: ExistingLog | Sequence[Sequence[Any]] | None,
              as_of: dt.date, still_listed: dict[str, str] | None = None) -> tuple[list[str], list[list[Any]]]:
    """The log to write: ``(header, rows)``.  ``new_rows`` are the plan's rows (one per
    :data:`COMPUTED_COLUMNS`); ``existing`` the log found in the workbook (:func:`read_log`, or
    its raw values); ``still_listed`` maps a claim key to its Status now (for the note on a row
    whose denial is gone).  See the module docstring for the rules."""
    update = update_log(new_rows, existing, as_of, still_listed)
    return update.header, update.rows


def update_log(new_rows: Iterable[Sequence[Any]], existing: ExistingLog | Sequence[Sequence[Any]] | None,
               as_of: dt.date, still_listed: dict[str, str] | None = None) -> LogUpdate:
    """:func:`merge_log`, with the sheet row each output row comes from (:class:`LogUpdate`)."""
    if existing is None or not isinstance(existing, ExistingLog):
        existing = read_log(existing)
    header = LOG_HEADER + existing.extra_headers
    biller_headers = BILLER_COLUMNS + existing.extra_headers
    fresh = [list(r) for r in new_rows]
    fresh_keys = [row_key(r[_CLAIM], r[_DENIAL_DATE]) for r in fresh]
    index_of: dict[tuple[str, str], int] = {}
    for i, k in enumerate(fresh_keys):
        index_of.setdefault(k, i)

    taken: dict[int, LoggedRow] = {}  # fresh row index -> the logged row it updates
    place: list[tuple[str, Any]] = []  # the output order: ("fresh", i) or ("kept", LoggedRow)
    unmatched: list[LoggedRow] = []
    for logged in existing.rows:
        i = index_of.get(logged.key)
        if i is not None and i not in taken:
            taken[i] = logged
            place.append(("fresh", i))
        else:
            place.append(("kept", logged))
            unmatched.append(logged)
    # A row logged before its Denial Date was entered is taken over by that claim's dated denial.
    for logged in unmatched:
        claim, day = logged.key
        if day:
            continue
        for i, (k_claim, k_day) in enumerate(fresh_keys):
            if k_claim == claim and k_day and i not in taken:
                taken[i] = logged
                at = next(n for n, p in enumerate(place) if p[0] == "kept" and p[1] is logged)
                place[at] = ("fresh", i)
                break
    for i in range(len(fresh)):
        if i not in taken:
            place.append(("fresh", i))

    current = {k[0] for k in fresh_keys}
    out: list[list[Any]] = []
    from_rows: list[int | None] = []
    dropped: list[int] = []
    seen: set[int] = set()
    for kind, what in place:
        if kind == "fresh":
            if what in seen:
                continue
            seen.add(what)
            logged = taken.get(what)
            biller = logged.biller if logged is not None else {}
            out.append(fresh[what] + [biller.get(h) for h in biller_headers])
            from_rows.append(logged.row if logged is not None else None)
            continue
        logged = what
        if not logged.has_work:
            if logged.row is not None:
                dropped.append(logged.row)
            continue  # nothing of the biller's in it: the row goes with its denial
        row = [logged.computed.get(h) for h in COMPUTED_COLUMNS]
        claim, day = logged.key
        if logged.key in index_of:
            row[_DECISION] = DUPLICATE_ROW
            row[_WHY] = "another row of this log has the same claim and denial (it is the one updated); move these notes there"
        elif claim in current:
            row[_DECISION] = EARLIER_DENIAL
            row[_WHY] = (f"claim {row[_CLAIM]} has a later denial (its own row); this row keeps the work on the denial of "
                         f"{day or 'an earlier date'}")
        else:
            status = (still_listed or {}).get(claim)
            row[_DECISION] = NO_LONGER_DENIED
            now = (f"Status is now {status or 'blank'}" if status is not None else "the claim is no longer on the Claims sheet")
            row[_WHY] = (f"as of {as_of.isoformat()} {now}: nothing left to appeal on this denial; "
                         "record the Outcome, and clear the row when done")
        row[_DEADLINE] = None
        row[_DAYS] = None
        out.append(row + [logged.biller.get(h) for h in biller_headers])
        from_rows.append(logged.row)
    return LogUpdate(header=header, rows=out, from_rows=from_rows, dropped=sorted(dropped))
