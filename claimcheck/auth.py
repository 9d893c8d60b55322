"""AUTH: prior authorizations - which service lines use which authorization, how many visits or
units are used and left, and the findings a biller acts on (missing, unknown, not covering the
line, over the authorized count, nearly used up, expiring).

Usage is always computed from the Claims sheet itself, never from a counter typed by hand.

How a line is tied to an authorization
    * The line's own Auth Number, else the Auth Number on another line of the same claim
      (a claim carries one authorization, box 23, so an add-on line may leave it blank).
    * A line with no number, for a payer whose ``Auth Required`` is Y, is matched to the one
      authorization that covers it (same client and payer, dates cover the DOS, code covered,
      provider allowed) - an info finding (AUTH010) says so.  None (AUTH001) or several
      (AUTH011) is flagged.  For a payer that does not require authorization, a line with no
      number is counted only when exactly one authorization on the sheet covers it (AUTH010
      again); otherwise it is left alone.
    * When the same number is on the Authorizations sheet twice (a renewal kept its number),
      the record whose dates cover the DOS is used.

What a line uses
    * Visits authorizations: one visit per date of service with at least one primary (not
      add-on) line; add-on lines (``addon`` in the procedure table) never use a visit, so an
      add-on on the same date uses nothing more.  Two lines on one date use one visit.
    * Units authorizations: the line's units (1 when Units is blank).
    * 90791/90792 use the authorization only when the payer's ``Eval Counts Toward Auth`` is Y;
      otherwise an evaluation is exempt: it uses nothing and is never flagged for a missing or
      uncovered authorization.
    * A line the authorization does not cover (another client or payer, outside its dates,
      code or provider not covered) is flagged and uses nothing: the payer will not apply it.
    * Lines whose DOS cannot be read use nothing (the date rules report the date).

Which statuses count
    Every line counts whatever its status - Draft, Ready, Submitted, Paid, Denied, Appealed or
    blank - because each is a session the client received: a Draft or Ready line will be billed,
    and a Denied line (even one denied for "authorization exceeded") still used the session the
    payer authorized.  Only lines marked Void, Voided, Cancelled, Canceled, Deleted, No Show or
    Late Cancel use nothing and are not checked here: they are not billed services.

As of a date
    ``used`` counts the lines with DOS on or before ``as_of``; ``remaining`` is authorized minus
    used and goes negative when more was given than authorized.  The findings number every line
    in date order (sheet order does not matter), including lines dated after ``as_of``, so a
    scheduled session past the count is flagged before it is billed.

The worksheet functions AUTH_USED / AUTH_REMAINING call :func:`auth_used` and
:func:`auth_remaining`; ``check --output`` calls :func:`write_auth_summary`; the text report calls
:func:`summary_lines`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .models import Authorization
from .rules.registry import rule

EVAL_CODES = frozenset({"90791", "90792"})
NOT_SERVICES = frozenset({"void", "voided", "cancelled", "canceled", "deleted", "no show", "no-show", "noshow",
                          "late cancel", "late cancellation"})
EXPIRING_DAYS = 14
NEAR_VISITS = 2  # a visits authorization is nearly used up with this many visits left or fewer
NEAR_UNITS_SHARE = 0.10  # a units authorization: 10% of its units left or fewer

STATUSES = ("Active", "Expiring", "Exhausted", "Expired")
SUMMARY_HEADERS = ("Used", "Remaining", "% Used", "Status")
#: Existing headers taken as one of ours (the template's formula column "Left" is Remaining).
_SUMMARY_SYNONYMS = {"Used": ("used",), "Remaining": ("remaining", "left"), "% Used": ("%used", "percentused"),
                     "Status": ("status",)}

#: ``check --hide-expired`` sets ``hide_expired`` on the result; this is the default.
HIDE_EXPIRED_DEFAULT = False


# --------------------------------------------------------------------------- public records


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


# --------------------------------------------------------------------------- small helpers


def _norm(text: Any) -> str:
    return str(text).strip().upper() if isinstance(text, str) and text.strip() else ""


def _normalised(values: list, how=str.upper) -> list[str]:
    """``_norm`` over a column, computed once per distinct value (columns repeat a lot)."""
    seen: dict[Any, str] = {}
    out = []
    for v in values:
        try:
            out.append(seen[v])
        except KeyError:
            seen[v] = r = how(v.strip()) if isinstance(v, str) else ""
            out.append(r)
        except TypeError:
            out.append("")
    return out


def _num(x: float | None) -> str:
    if x is None or x != x:
        return "?"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _plural(n: float, word: str) -> str:
    return f"{_num(n)} {word if n == 1 else word + 's'}"


def _unit_word(auth: Authorization) -> str:
    return "unit" if auth.unit_type == "Units" else "visit"


_RANGE = re.compile(r"^([A-Z]?)(\d{4,5})\s*[-\u2013]\s*([A-Z]?)(\d{4,5})$")


def covered_codes(auth: Authorization) -> frozenset[str] | None:
    """The codes an authorization covers (None = every code).  Ranges such as 90832-90838 are
    expanded."""
    if not auth.codes_covered:
        return None
    out: set[str] = set()
    for item in auth.codes_covered:
        item = item.strip().upper()
        m = _RANGE.match(item)
        if m and m.group(1) == m.group(3) and len(m.group(2)) == len(m.group(4)) and int(m.group(4)) - int(m.group(2)) < 1000:
            width = len(m.group(2))
            out.update(f"{m.group(1)}{n:0{width}d}" for n in range(int(m.group(2)), int(m.group(4)) + 1))
        elif item:
            out.add(item)
    return frozenset(out) or None


def _covers_date(auth: Authorization, day: dt.date) -> bool:
    return (auth.start_date is None or auth.start_date <= day) and (auth.end_date is None or day <= auth.end_date)


def _dates_text(auth: Authorization) -> str:
    start = auth.start_date.isoformat() if auth.start_date else "?"
    end = auth.end_date.isoformat() if auth.end_date else "?"
    return f"{start} to {end}"


# --------------------------------------------------------------------------- the analysis
#
# The analysis works on whole columns: each text column is factorized once, so a fact about a
# value (its normalised form, the payer's settings, whether a code is an add-on) is worked out
# once per distinct value and read per line through an integer code.  Python loops run over the
# distinct values, the authorizations and the lines that produce a finding, never over every line.

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_OPEN_START = np.iinfo(np.int64).min  # an authorization without a Start Date
_OPEN_END = np.iinfo(np.int64).max  # ... without an End Date
_DAY_SHIFT = 1 << 32  # (auth index, day) packed in one ascending int64, see _day_key
_DAY_KEY = 1 << 33


@dataclass
class _Analysis:
    problems: dict[str, list[tuple[int, str]]]  # rule code -> (claim index, message), in sheet order
    numbered_without_sheet: list[int]  # lines with an auth number when there is no Authorizations sheet
    # The lines that use an authorization, by authorization (ascending) in date order, then row:
    dated_index: np.ndarray  # claim index
    dated_auth: np.ndarray  # index into book.authorizations
    # The lines that use an authorization, in sheet order (AUTH007, AUTH008):
    line_index: np.ndarray  # claim index
    line_auth: np.ndarray  # index into book.authorizations
    seq_start: np.ndarray  # visit number, or first unit number (NaN on a date with only add-ons)
    seq_end: np.ndarray  # visit number, or last unit number (NaN on a date with only add-ons)
    # Usage as of a date: the same lines by authorization in date order with the running total of
    # units, and the dates that used a visit, each keyed by _day_key(auth, day), ascending.
    unit_keys: np.ndarray
    unit_totals: np.ndarray
    visit_keys: np.ndarray
    used: dict[dt.date, list[float]] = field(default_factory=dict)  # as_of -> use per authorization

    @cached_property
    def by_auth(self) -> dict[int, list[int]]:
        """Auth index -> the claim indexes that use it, in date order."""
        index, auth = self.dated_index.tolist(), self.dated_auth
        firsts = np.flatnonzero(np.r_[True, auth[1:] != auth[:-1]]) if len(auth) else np.zeros(0, dtype=np.intp)
        stops = [*firsts[1:].tolist(), len(index)]
        return {a: index[lo:hi] for a, lo, hi in zip(auth[firsts].tolist(), firsts.tolist(), stops)}

    def last_lines(self, count: int) -> list[int | None]:
        """Per authorization (``count`` of them), the claim index of its latest line (None: no line)."""
        stops = np.searchsorted(self.dated_auth, np.arange(count), "right")
        some = stops > np.searchsorted(self.dated_auth, np.arange(count), "left")
        last = self.dated_index[np.maximum(stops - 1, 0)] if len(self.dated_index) else np.zeros(count, dtype=np.intp)
        return [i if k else None for i, k in zip(last.tolist(), some.tolist())]


def _has_auth_sheet(book) -> bool:
    return "Authorizations" in book.sheets_present


def match_authorizations(book, ctx=None) -> _Analysis:
    """Tie every claim line to its authorization and number the lines each one covers (the
    engine's ``auth_matching`` stage).  Given the rules' Context, the Claim ID and CPT codes
    other rules of the run computed are reused."""
    return _analyse_uncached(book, ctx)


def _factor(c, name: str, func=None, default=None) -> tuple[np.ndarray, list]:
    """Per line, a code into the returned list of the distinct ``func(value)`` (of the distinct
    values when ``func`` is None); ``func`` is called once per distinct cell value.  A missing
    column reads as ``default`` on every line."""
    if name not in c.columns:
        return np.zeros(len(c), dtype=np.intp), [default if func is None else func(default)]
    return _factor_values(c[name], func)


def _factor_values(values, func=None) -> tuple[np.ndarray, list]:
    """``_factor`` over a Series or an array of cell values."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = list(uniques)
    blank = codes < 0
    if blank.any():  # empty cells are one more distinct value (as the sheet gave it: None)
        first = int(np.argmax(blank))
        uniques.append(values.iat[first] if isinstance(values, pd.Series) else values[first])
        codes = np.where(blank, len(uniques) - 1, codes)
    mapped = uniques if func is None else [func(u) for u in uniques]
    keys: dict[Any, int] = {}
    remap = np.fromiter((keys.setdefault(m, len(keys)) for m in mapped), dtype=np.intp, count=len(mapped))
    return remap[codes], list(keys)


def _space(keys: list, more: list) -> tuple[list, np.ndarray, np.ndarray]:
    """One code space for two lists of values (equal values, equal codes): the distinct values and
    the codes of ``keys`` and of ``more``."""
    space: dict[Any, int] = {}
    first = np.fromiter((space.setdefault(k, len(space)) for k in keys), dtype=np.intp, count=len(keys))
    second = np.fromiter((space.setdefault(v, len(space)) for v in more), dtype=np.intp, count=len(more))
    return list(space), first, second


def _expand(owners: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (owner, item) for the ``counts[k]`` consecutive items from ``starts[k]`` of each owner,
    owner by owner."""
    owner = np.repeat(owners, counts)
    item = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts - starts, counts)
    return owner, item


def _day_number(day: dt.date | None, missing: int) -> int:
    return missing if day is None else day.toordinal() - _EPOCH_ORDINAL


def _date(day) -> dt.date:
    return dt.date.fromordinal(_EPOCH_ORDINAL + int(day))


def _day_key(auth: np.ndarray, day: np.ndarray) -> np.ndarray:
    """(authorization, day) as one int64 that sorts by authorization, then day."""
    return auth.astype(np.int64) * _DAY_KEY + (day.astype(np.int64) + _DAY_SHIFT)


def _truthy(values: list) -> np.ndarray:
    return np.fromiter((bool(v) for v in values), dtype=bool, count=len(values))


def _shared_codes(ctx, c, name: str) -> tuple[np.ndarray, int, Any]:
    """Per line, a code for the column's value; the number of codes; and the distinct values
    (indexed by code; an empty cell's code may lie past them).  Taken from the run's memo when
    there is a rules Context (``rules._util.run_codes``, which other rules of the run compute
    anyway), else computed here."""
    if name not in c.columns:
        return np.zeros(len(c), dtype=np.intp), 1, []
    if ctx is not None:
        from .rules._util import run_codes

        codes, uniques = run_codes(ctx, name)
    else:
        codes, uniques = pd.factorize(c[name], use_na_sentinel=False)
    if len(codes) and codes.min() < 0:
        codes, uniques = pd.factorize(c[name], use_na_sentinel=False)
    return codes, max(len(uniques), int(codes.max()) + 1 if len(codes) else 0), uniques


def _shared_keys(ctx, c, name: str) -> tuple[np.ndarray, list]:
    """``_shared_codes`` with the distinct values as a list, NaN for an empty cell."""
    codes, size, uniques = _shared_codes(ctx, c, name)
    return codes, [*uniques, *[np.nan] * (size - len(uniques))]


def _analyse_uncached(book, ctx=None) -> _Analysis:
    c = book.claims
    auths: list[Authorization] = book.authorizations
    has_sheet = _has_auth_sheet(book)
    procs = book.tables.procedures if book.tables is not None else {}
    problems: dict[str, list[tuple[int, str]]] = {}
    n = len(c)
    index = c.index.to_numpy()

    def cells(name):  # a column's values as the sheet gave them, read where a message needs them
        return c[name].to_numpy(dtype=object) if name in c.columns else np.full(n, None, dtype=object)

    def report(code: str, positions: np.ndarray, message, *per_line: np.ndarray) -> None:
        """Add ``message(position, *values)`` for each line to the findings of ``code``."""
        if len(positions):
            texts = map(message, positions.tolist(), *(v.tolist() for v in per_line))
            problems.setdefault(code, []).extend(zip(index[positions].tolist(), texts))

    # Per line: codes into small tables of distinct values.
    # The book's status_key (the status stripped and capitalized) is read when present: it is
    # cheaper to factorize than the cells, and its lowercase is the status's lowercase except
    # where a first character title-cases to several letters (ligatures such as "ﬁ", or "ß"), which
    # no word of NOT_SERVICES begins with.
    status_code, status_keys = _factor(c, "status_key" if "status_key" in c.columns else "status",
                                       lambda v: v.strip().lower() if isinstance(v, str) else "")
    service = ~np.array([k in NOT_SERVICES for k in status_keys], dtype=bool)[status_code]
    number_code, number_keys = _factor(c, "auth_number", lambda v: v.strip().upper() if isinstance(v, str) else "")
    client_code, client_keys = _factor(c, "client_id", lambda v: v.strip().upper() if isinstance(v, str) else "")
    payer_code, payer_raw = _factor(c, "payer_key", default="")
    cpt_code, cpt_keys = _shared_keys(ctx, c, "cpt")  # an empty cell: not text, an evaluation or an add-on
    if "dos" in c.columns:
        days = c["dos"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        dated = ~np.isnat(days)
        day = np.where(dated, days.view(np.int64), 0)  # days since 1970-01-01
    else:
        dated, day = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)
    clients, payers, cpts, npis = cells("client_id"), cells("payer"), cells("cpt"), cells("rendering_npi")

    # Each payer key's settings, looked up by the payer name on its first line.
    first_line = np.full(len(payer_raw), n, dtype=np.intp)
    np.minimum.at(first_line, payer_code, np.arange(n, dtype=np.intp))
    payer_of = [book.payer(payers[p] if p < n else None) for p in first_line.tolist()]
    auth_required = np.array([p.auth_required for p in payer_of], dtype=bool)[payer_code]
    exempt_eval = (np.array([k in EVAL_CODES for k in cpt_keys], dtype=bool)[cpt_code]
                   & ~np.array([p.eval_counts_toward_auth for p in payer_of], dtype=bool)[payer_code])

    # Per authorization: client, payer, NPI (in the lines' code spaces), dates, covered codes.
    client_space, line_client, a_client = _space(client_keys, [_norm(a.client_id) for a in auths])
    line_client = line_client[client_code]
    payer_space, line_payer, a_payer = _space([k or "" for k in payer_raw], [_norm(a.payer) for a in auths] + [""])
    line_payer, no_payer, a_payer = line_payer[payer_code], a_payer[-1], a_payer[:-1]
    a_npi_given = _truthy([a.rendering_npi for a in auths])
    client_given, payer_given = _truthy(client_space), _truthy(payer_space)
    a_start = np.array([_day_number(a.start_date, _OPEN_START) for a in auths], dtype=np.int64)
    a_end = np.array([_day_number(a.end_date, _OPEN_END) for a in auths], dtype=np.int64)
    codes = [covered_codes(a) for a in auths]
    listing = [i for i, cc in enumerate(codes) if cc is not None]  # the others cover every code
    listed_row = np.full(len(auths), -1, dtype=np.intp)
    listed_row[listing] = np.arange(len(listing))
    code_listed = np.array([[isinstance(k, str) and k in codes[i] for k in cpt_keys] for i in listing],
                           dtype=bool).reshape(len(listing), len(cpt_keys))
    cpt_is_text = np.array([isinstance(k, str) for k in cpt_keys], dtype=bool)[cpt_code]

    def covers(ai, pos):  # the authorization's dates cover the line's DOS
        return dated[pos] & (a_start[ai] <= day[pos]) & (day[pos] <= a_end[ai])

    def code_ok(ai, pos):
        ok = np.ones(len(ai), dtype=bool)
        row = listed_row[ai]
        some = row >= 0
        ok[some] = code_listed[row[some], cpt_code[pos[some]]]
        return ok

    def provider_ok(ai, pos):  # read only at the lines whose authorization names a provider
        ok = np.ones(len(ai), dtype=bool)
        named = np.flatnonzero(a_npi_given[ai])
        if len(named):
            npi_code, npi_keys = _factor_values(npis[pos[named]])
            _, npi_text, a_npi = _space([str(k) for k in npi_keys], [a.rendering_npi for a in auths])
            ok[named] = ~_truthy(npi_keys)[npi_code] | (npi_text[npi_code] == a_npi[ai[named]])
        return ok

    # A claim carries one authorization: lines without a number take their claim's (none when the
    # claim's lines carry different numbers; an empty Claim ID is no claim).
    has_number = _truthy(number_keys)[number_code]
    number = np.where(has_number, number_code, -1)  # -1: no number
    claim_code, claims, _ = _shared_codes(ctx, c, "claim_id")
    numbered = service & has_number
    lowest = np.full(claims, len(number_keys), dtype=np.intp)
    highest = np.full(claims, -1, dtype=np.intp)
    np.minimum.at(lowest, claim_code[numbered], number_code[numbered])
    np.maximum.at(highest, claim_code[numbered], number_code[numbered])
    claim_number = np.where(lowest == highest, lowest, -1)
    bare = np.flatnonzero(~has_number)
    bare = bare[claim_number[claim_code[bare]] >= 0]
    claim_ids = cells("claim_id")[bare]
    bare = bare[~(pd.isna(claim_ids) | (claim_ids == ""))]
    number[bare] = claim_number[claim_code[bare]]

    in_scope = service & ~exempt_eval  # an evaluation the payer does not count: nothing to check
    use_pos, use_auth = [], []

    # Lines with a number (their own or their claim's).
    numbered = np.flatnonzero(in_scope & (number >= 0))
    numbered_without_sheet: list[int] = []
    if not has_sheet:
        numbered_without_sheet = index[numbered].tolist()
        numbered = numbered[:0]
    by_number: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(auths):
        by_number[_norm(a.auth_number)].append(i)
    records = [by_number.get(k, []) for k in number_keys]
    n_records = np.array([len(r) for r in records], dtype=np.intp)
    ai = np.array([r[0] if r else -1 for r in records], dtype=np.intp)[number[numbered]]
    report("AUTH002", numbered[ai < 0],
           lambda p: f"auth {number_keys[number_code[p]] or number_keys[number[p]]} is not on the Authorizations "
                     f"sheet; add the authorization or correct the number")
    pos, ai = numbered[ai >= 0], ai[ai >= 0]
    # A number on the sheet twice (a renewal): the first record whose dates cover the DOS.
    renewed = np.flatnonzero((n_records[number[pos]] > 1) & dated[pos])
    if len(renewed):
        flat = np.array([i for r in records for i in r], dtype=np.intp)
        k = number[pos[renewed]]
        owner, item = _expand(renewed, (np.cumsum(n_records) - n_records)[k], n_records[k])
        record = flat[item]
        hit = covers(record, pos[owner])
        found, first = np.unique(owner[hit], return_index=True)
        ai[found] = record[hit][first]
    lc, lp = line_client[pos], line_payer[pos]
    other_client = client_given[a_client[ai]] & client_given[lc] & (a_client[ai] != lc)
    other_payer = ~other_client & payer_given[a_payer[ai]] & payer_given[lp] & (a_payer[ai] != lp)
    outside = dated[pos] & ~covers(ai, pos)
    not_covered = cpt_is_text[pos] & ~code_ok(ai, pos)
    wrong_npi = ~provider_ok(ai, pos)
    report("AUTH003", pos[other_client | other_payer],
           lambda p, i, client: (f"{auths[i].auth_number} is for client {auths[i].client_id}, not {clients[p]}; "
                                 f"correct the auth number or the Client ID") if client else
                                (f"{auths[i].auth_number} was issued by {auths[i].payer}, but this line bills "
                                 f"{payers[p]}; correct the auth number or the payer"),
           ai[other_client | other_payer], other_client[other_client | other_payer])
    report("AUTH004", pos[outside],
           lambda p, i: f"DOS {_date(day[p]).isoformat()} is outside {auths[i].auth_number} ({_dates_text(auths[i])}); "
                        f"the payer denies sessions outside the authorized dates", ai[outside])
    report("AUTH005", pos[not_covered],
           lambda p, i: f"{cpts[p]} is not covered by {auths[i].auth_number} (covers "
                        f"{', '.join(auths[i].codes_covered)}); bill a covered code or ask the payer to add {cpts[p]}",
           ai[not_covered])
    report("AUTH006", pos[wrong_npi],
           lambda p, i: f"{auths[i].auth_number} is for rendering NPI {auths[i].rendering_npi}; this line's "
                        f"provider is {npis[p]}", ai[wrong_npi])
    fine = ~(other_client | other_payer | outside | not_covered | wrong_npi) & dated[pos]
    use_pos.append(pos[fine])
    use_auth.append(ai[fine])

    # Lines with no number.
    bare = in_scope & (number < 0)
    if not has_sheet:
        report("AUTH001", np.flatnonzero(bare & auth_required),
               lambda p: f"{payer_of[payer_code[p]].name or 'the payer'} requires prior authorization and this line "
                         f"has no Auth Number; enter it")
    else:
        # The authorizations that cover the line: same client and payer (or no payer on the
        # authorization), both dates given and covering the DOS, code covered, provider allowed.
        bare = np.flatnonzero(bare)
        pool = np.array([i for i, a in enumerate(auths) if a.start_date is not None and a.end_date is not None],
                        dtype=np.intp)
        width = len(payer_space)
        pool_keys = a_client[pool].astype(np.int64) * width + a_payer[pool]
        order = np.argsort(pool_keys, kind="stable")
        pool, pool_keys = pool[order], pool_keys[order]
        look = bare[dated[bare] & client_given[line_client[bare]]]
        owners, found = [], []
        for payer_part in (line_payer[look], np.full(len(look), no_payer)):  # the line's payer, then none
            keys = line_client[look].astype(np.int64) * width + payer_part
            lo = np.searchsorted(pool_keys, keys, "left")
            owner, item = _expand(look, lo, np.searchsorted(pool_keys, keys, "right") - lo)
            owners.append(owner)
            found.append(pool[item])
        owner, cand = np.concatenate(owners), np.concatenate(found)
        fits = covers(cand, owner) & code_ok(cand, owner) & provider_ok(cand, owner)
        owner, cand = owner[fits], cand[fits]
        count = np.bincount(owner, minlength=n)[bare]
        the_one = np.zeros(n, dtype=np.intp)
        the_one[owner] = cand
        # A payer that does not require authorization: only a clear match is counted.
        matched = bare[count == 1]
        use_pos.append(matched)
        use_auth.append(the_one[matched])
        report("AUTH010", matched,
               lambda p, i: f"no Auth Number; {auths[i].auth_number} is the one authorization covering this line, "
                            f"counted against it; enter {auths[i].auth_number} in Auth Number", the_one[matched])
        required = auth_required[bare]
        several = bare[required & (count > 1)]
        if len(several):
            by_line = np.argsort(owner, kind="stable")
            owner, cand = owner[by_line], cand[by_line]
            lo = np.searchsorted(owner, several, "left")
            hi = np.searchsorted(owner, several, "right")
            report("AUTH011", several,
                   lambda p, lo, hi: f"no Auth Number and {hi - lo} authorizations cover this line "
                                     f"({', '.join(sorted({auths[i].auth_number for i in cand[lo:hi].tolist()}))}); "
                                     f"enter the one the payer should apply", lo, hi)

        def missing(p):
            what = f" for {cpts[p]}" if isinstance(cpts[p], str) else ""
            when = f" on {_date(day[p]).isoformat()}" if dated[p] else ""
            return (f"{payer_of[payer_code[p]].name or 'the payer'} requires prior authorization; this line has no "
                    f"Auth Number and no authorization on the sheet covers client "
                    f"{clients[p] or '(no Client ID)'}{when}{what}")

        report("AUTH001", bare[required & (count == 0)], missing)

    return _number_lines(c, auths, procs, index, day, cpt_code, cpt_keys, np.concatenate(use_pos),
                         np.concatenate(use_auth), problems, numbered_without_sheet)


def _number_lines(c, auths, procs, index, day, cpt_code, cpt_keys, u_pos, u_auth, problems,
                  numbered_without_sheet) -> _Analysis:
    """Number the lines of each authorization in date order (then sheet row): visits or units."""
    n = len(c)
    in_order = np.argsort(u_pos, kind="stable")
    u_pos, u_auth = u_pos[in_order], u_auth[in_order]  # sheet order
    rows = c["row"].to_numpy() if "row" in c.columns else np.zeros(n, dtype=np.int64)
    if len(u_pos) and (n < 2 or bool(np.all(rows[1:] > rows[:-1]))):
        # Rows in sheet order (as read): (auth, day) sorted stably keeps row order within a date.
        u_day = day[u_pos]
        low, span = int(u_day.min()), int(u_day.max()) - int(u_day.min()) + 1
        order = np.argsort(u_auth.astype(np.int64) * span + (u_day - low), kind="stable")
    else:
        order = np.lexsort((u_pos, rows[u_pos], day[u_pos], u_auth))
    s_pos, s_auth = u_pos[order], u_auth[order]
    s_day = day[s_pos]
    firsts = np.flatnonzero(np.r_[True, s_auth[1:] != s_auth[:-1]]) if len(s_pos) else np.zeros(0, dtype=np.intp)
    stops = np.r_[firsts[1:], len(s_pos)].astype(np.intp)
    s_start = np.full(len(s_pos), np.nan)
    s_end = np.full(len(s_pos), np.nan)
    by_units = np.array([a.unit_type == "Units" for a in auths], dtype=bool)[s_auth]

    # Units authorizations: the line's units (1 when blank), a running total per authorization,
    # added in date order one line at a time.
    unit = c["units"].to_numpy(dtype=np.float64) if "units" in c.columns else np.ones(n)
    unit = np.where(np.isnan(unit), 1.0, unit)[s_pos]
    totals = np.zeros(len(s_pos))
    for lo, hi in zip(firsts[by_units[firsts]].tolist(), stops[by_units[firsts]].tolist()):
        totals[lo:hi] = np.cumsum(unit[lo:hi])
    before = np.r_[0.0, totals[:-1]]
    before[firsts] = 0.0
    s_start[by_units] = before[by_units] + 1
    s_end[by_units] = totals[by_units]

    # Visits authorizations: one visit per date with a primary line; its add-ons share the number.
    visits = np.flatnonzero(~by_units)
    v_auth, v_day = s_auth[visits], s_day[visits]
    addon = np.array([k in procs and bool(procs[k].addon) for k in cpt_keys], dtype=bool)
    primary = ~addon[cpt_code[s_pos[visits]]]
    new_date = np.r_[True, (v_auth[1:] != v_auth[:-1]) | (v_day[1:] != v_day[:-1])][:len(visits)]
    date_starts = np.flatnonzero(new_date)
    date_of = np.cumsum(new_date) - 1
    a_visit = np.logical_or.reduceat(primary, date_starts) if len(visits) else np.zeros(0, dtype=bool)
    date_auth = v_auth[date_starts]
    running = np.cumsum(a_visit)
    auth_starts = np.flatnonzero(np.r_[True, date_auth[1:] != date_auth[:-1]]) if len(date_starts) else date_starts
    before_auth = (running - a_visit)[auth_starts]  # visits of the authorizations sorted before
    number = running - np.repeat(before_auth, np.diff(np.r_[auth_starts, len(date_starts)]))
    seq = np.where(a_visit[date_of], number[date_of].astype(np.float64), np.nan)
    s_start[visits] = seq
    s_end[visits] = seq

    # Back to sheet order for the rules, by authorization for the usage.
    line_start, line_end = np.empty(len(s_pos)), np.empty(len(s_pos))
    line_start[order], line_end[order] = s_start, s_end
    return _Analysis(problems=problems, numbered_without_sheet=numbered_without_sheet,
                     dated_index=index[s_pos], dated_auth=s_auth,
                     line_index=index[u_pos], line_auth=u_auth, seq_start=line_start, seq_end=line_end,
                     unit_keys=_day_key(s_auth, s_day), unit_totals=totals,
                     visit_keys=_day_key(date_auth[a_visit], v_day[date_starts][a_visit]))


# --------------------------------------------------------------------------- usage


def _used(analysis: _Analysis, auths: list[Authorization], as_of: dt.date) -> list[float]:
    """Each authorization's use as of ``as_of``: the units of its lines dated on or before it
    (Units), or the dates on or before it that used a visit (Visits)."""
    used = analysis.used.get(as_of)
    if used is None:
        every = np.arange(len(auths))
        start = _day_key(every, np.full(len(auths), -_DAY_SHIFT))
        stop = _day_key(every, np.full(len(auths), as_of.toordinal() - _EPOCH_ORDINAL))
        lo = np.searchsorted(analysis.unit_keys, start, "left")
        hi = np.searchsorted(analysis.unit_keys, stop, "right")
        # The running total of the last line on or before as_of is the sum of the lines up to it.
        units = np.where(hi > lo, np.r_[0.0, analysis.unit_totals][hi], 0.0)
        visits = np.searchsorted(analysis.visit_keys, stop, "right") - np.searchsorted(analysis.visit_keys, start, "left")
        by_units = np.array([a.unit_type == "Units" for a in auths], dtype=bool)
        used = analysis.used[as_of] = np.where(by_units, units, visits.astype(np.float64)).tolist()
    return used


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


def auth_usage(book, as_of: dt.date | None = None) -> list[AuthUsage]:
    """Every authorization on the Authorizations sheet with its use as of ``as_of`` (default
    today), in sheet order."""
    as_of = as_of or dt.date.today()
    analysis = match_authorizations(book)
    use = _used(analysis, book.authorizations, as_of)
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
            line_indexes=list(analysis.by_auth.get(ai, [])), row=a.row,
        ))
    return out


def _records(book, auth_number: str) -> list[int]:
    key = _norm(auth_number if isinstance(auth_number, str) else str(auth_number))
    found = [i for i, a in enumerate(book.authorizations) if _norm(a.auth_number) == key]
    if not key or not found:
        raise KeyError(auth_number)
    return found


def auth_used(book, auth_number: str, as_of: dt.date | None = None) -> float:
    """Visits or units of ``auth_number`` used by the Claims lines dated on or before ``as_of``
    (default today).  A number on the sheet twice (a renewal) adds both records.  Raises
    ``KeyError`` for a number not on the Authorizations sheet."""
    found = _records(book, auth_number)
    as_of = as_of or dt.date.today()
    analysis = match_authorizations(book)
    use = _used(analysis, book.authorizations, as_of)
    return float(sum(use[i] for i in found))


def auth_remaining(book, auth_number: str, as_of: dt.date | None = None) -> float:
    """Authorized minus used as of ``as_of`` (negative when over; NaN when Authorized cannot be
    read).  Raises ``KeyError`` for a number not on the Authorizations sheet."""
    found = _records(book, auth_number)
    as_of = as_of or dt.date.today()
    use = _used(match_authorizations(book), book.authorizations, as_of)
    total = 0.0
    for i in found:
        a = book.authorizations[i]
        if a.authorized is None:
            return math.nan
        total += a.authorized - use[i]
    return float(total)


# --------------------------------------------------------------------------- rules

_AUTH_COLUMN = "Auth Number"


@rule(
    "AUTH001", title="Authorization required but missing", severity="error", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="The payer pays these sessions only under a prior authorization; a claim without one is denied (CARC 197).",
    fix="Enter the authorization number from the payer's approval letter; if there is none, request one (retro-authorization is rarely granted).",
)
def auth_missing(ctx):
    """Flags a line with no Auth Number (on the line or its claim) for a payer whose Auth
    Required is Y, when no authorization on the sheet covers it (90791/90792 are exempt unless
    the payer's Eval Counts Toward Auth is Y)."""
    return ctx.auth_matching.problems.get("AUTH001")


@rule(
    "AUTH002", title="Authorization number not on the Authorizations sheet", severity="error", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="An authorization that is not tracked cannot be checked for dates, codes or visits left; a mistyped number is denied by the payer.",
    fix="Add the authorization to the Authorizations sheet, or correct the number on the line.",
)
def auth_unknown(ctx):
    """Flags an Auth Number that is not on the Authorizations sheet."""
    return ctx.auth_matching.problems.get("AUTH002")


@rule(
    "AUTH003", title="Authorization belongs to another client or payer", severity="error", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="An authorization covers one member with one payer; on another client's claim or another payer's claim it is denied.",
    fix="Use this client's authorization for this payer, or correct the Client ID or payer on the line.",
)
def auth_other_client(ctx):
    """Flags a line whose authorization is for a different Client ID or payer."""
    return ctx.auth_matching.problems.get("AUTH003")


@rule(
    "AUTH004", title="Date of service outside the authorization", severity="error", column="DOS",
    needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="Sessions before the start date or after the end date are not authorized and are denied (CARC 197/198).",
    fix="Bill the authorization that covers the date, or request a new or extended authorization before billing.",
)
def auth_outside_dates(ctx):
    """Flags a DOS before the authorization's Start Date or after its End Date (both inclusive)."""
    return ctx.auth_matching.problems.get("AUTH004")


@rule(
    "AUTH005", title="Procedure code not covered by the authorization", severity="error", column="CPT",
    needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="An authorization for some codes does not cover the others, even close ones (90837 is not authorized by an approval for 90834).",
    fix="Bill a covered code if it describes the session, or ask the payer to add the code to the authorization.",
)
def auth_code_not_covered(ctx):
    """Flags a code not in the authorization's Codes Covered (blank Codes Covered means all)."""
    return ctx.auth_matching.problems.get("AUTH005")


@rule(
    "AUTH006", title="Rendering provider not on the authorization", severity="error", column="Rendering NPI",
    needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="Provider-specific authorizations pay only the named clinician; another provider's sessions are denied (CARC 15).",
    fix="Bill under the authorized provider if they gave the session, or ask the payer to add this provider.",
)
def auth_wrong_provider(ctx):
    """Flags a line whose Rendering NPI differs from the authorization's (blank means any)."""
    return ctx.auth_matching.problems.get("AUTH006")


@rule(
    "AUTH007", title="Session over the authorized count", severity="error", column=_AUTH_COLUMN,
    row_level=False, uses=("auth_matching",),
    why="The payer pays only the visits or units it authorized; every session past the count is denied.",
    fix="Request more visits or units (ask for a retroactive extension for sessions already given) before billing these lines.",
)
def auth_over_count(ctx):
    """Flags every line past the authorized count, numbering the authorization's lines in date
    order: "session 13 of 12 authorized" (visits) or "units 41-44 of 40 authorized"."""
    auths = ctx.book.authorizations
    out = []
    for idx, ai, start, end in _numbered_lines(ctx.book, ctx.auth_matching, lambda end, authorized: ~(end <= authorized)):
        auth = auths[ai]
        if auth.authorized is None or end != end or end <= auth.authorized:
            continue
        if auth.unit_type == "Units":
            over = end - max(auth.authorized, start - 1)
            out.append((idx, f"{_units_span(start, end)} of {_num(auth.authorized)} authorized on {auth.auth_number}: "
                             f"{_plural(over, 'unit')} over"))
        else:
            out.append((idx, f"session {_num(end)} of {_num(auth.authorized)} authorized on {auth.auth_number}; "
                             f"request more visits before billing it"))
    return out


def _numbered_lines(book, a: _Analysis, near) -> list[tuple[int, int, float, float]]:
    """(claim index, auth index, seq_start, seq_end) of the numbered lines, in sheet order, for
    which ``near(seq_end, authorized)`` holds (arrays in, boolean array out): the rule narrows
    them down in Python."""
    authorized = np.array([np.nan if x.authorized is None else float(x.authorized) for x in book.authorizations])
    known = np.array([x.authorized is not None for x in book.authorizations], dtype=bool)
    limit = authorized[a.line_auth]
    keep = np.flatnonzero(known[a.line_auth] & ~np.isnan(a.seq_end) & near(a.seq_end, limit))
    return list(zip(a.line_index[keep].tolist(), a.line_auth[keep].tolist(), a.seq_start[keep].tolist(),
                    a.seq_end[keep].tolist()))


def _units_span(start: float, end: float) -> str:
    if start == end:
        return f"unit {_num(end)}"
    return f"units {_num(start)}-{_num(end)}"


@rule(
    "AUTH008", title="Authorization nearly used up", severity="warning", column=_AUTH_COLUMN,
    row_level=False, uses=("auth_matching",),
    why="Authorizations take days to renew; when the last visits are used without a new one, the next sessions go unpaid.",
    fix="Request the next authorization now, with the treatment plan and progress notes.",
)
def auth_nearly_used(ctx):
    """Warns on the lines that leave 2 visits or fewer, or 10% of the units or fewer."""
    auths = ctx.book.authorizations
    out = []
    # The vectorised pre-filter keeps every line within the larger of the two margins.
    margin = lambda end, authorized: ~(end > authorized) & ~(authorized - end > np.maximum(NEAR_VISITS, NEAR_UNITS_SHARE * authorized))
    for idx, ai, start, end in _numbered_lines(ctx.book, ctx.auth_matching, margin):
        auth = auths[ai]
        if auth.authorized is None or end != end or end > auth.authorized:
            continue
        left = auth.authorized - end
        if auth.unit_type == "Units":
            if left <= NEAR_UNITS_SHARE * auth.authorized:
                rest = "no units left after it" if left == 0 else f"{_plural(left, 'unit')} left"
                out.append((idx, f"{_units_span(start, end)} of {_num(auth.authorized)} authorized on {auth.auth_number}: "
                                 f"{rest}; request more now"))
        elif left <= NEAR_VISITS:
            rest = "no visits left after it" if left == 0 else f"{_plural(left, 'visit')} left"
            out.append((idx, f"session {_num(end)} of {_num(auth.authorized)} authorized on {auth.auth_number}: "
                             f"{rest}; request more now"))
    return out


@rule(
    "AUTH009", title="Authorization expiring with visits left", severity="info", column=_AUTH_COLUMN,
    row_level=False, uses=("auth_matching",),
    why="Visits or units not used by the end date are lost, and sessions after it need a new authorization.",
    fix="Schedule the remaining sessions before the end date, or request an extension or the next authorization.",
)
def auth_expiring(ctx):
    """Notes, on the latest line of an authorization, that it ends within 14 days of the as-of
    date with visits or units left."""
    a = ctx.auth_matching
    use = _used(a, ctx.book.authorizations, ctx.as_of)
    last = a.last_lines(len(ctx.book.authorizations))
    out = []
    for ai, auth in enumerate(ctx.book.authorizations):
        if last[ai] is None or auth.end_date is None or auth.authorized is None:
            continue
        days = (auth.end_date - ctx.as_of).days
        if not 0 <= days <= EXPIRING_DAYS:
            continue
        left = auth.authorized - use[ai]
        if left <= 0:
            continue
        when = "today" if days == 0 else f"in {_plural(days, 'day')}"
        out.append((last[ai], f"{auth.auth_number} ends {auth.end_date.isoformat()} ({when}) with "
                                    f"{_num(left)} of {_plural(auth.authorized, _unit_word(auth))} left; schedule them "
                                    f"or request an extension"))
    return out


@rule(
    "AUTH010", title="Authorization matched to a line without a number", severity="info", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="The payer needs the authorization number on the claim (box 23 / REF*G1); claimcheck found the one authorization that covers the line and counted the session against it.",
    fix="Enter the authorization number the finding names in Auth Number before billing.",
)
def auth_matched(ctx):
    """Notes a line with no Auth Number, for a payer that requires one, tied to the single
    authorization covering it (same client and payer, dates, code, provider)."""
    return ctx.auth_matching.problems.get("AUTH010")


@rule(
    "AUTH011", title="Several authorizations could cover a line without a number", severity="error",
    column=_AUTH_COLUMN, needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="With overlapping authorizations the payer applies the number on the claim; without one the claim is denied and the visit cannot be counted.",
    fix="Enter the authorization number the session belongs to.",
)
def auth_ambiguous(ctx):
    """Flags a line with no Auth Number, for a payer that requires one, when two or more
    authorizations cover it."""
    return ctx.auth_matching.problems.get("AUTH011")


@rule(
    "AUTH012", title="No Authorizations sheet", severity="info", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=("auth_matching",),
    why="Without the Authorizations sheet the auth numbers on the lines cannot be checked for dates, codes, provider or visits left.",
    fix="Add an Authorizations sheet with Auth Number, Client ID, Payer, Start Date, End Date and Authorized (one row per authorization).",
)
def auth_sheet_missing(ctx):
    """Reports once, on the first line with an auth number, that there is no usable
    Authorizations sheet, instead of flagging every line."""
    a = ctx.auth_matching
    idxs = a.numbered_without_sheet
    if not idxs:
        return None
    return [(idxs[0], f"no usable Authorizations sheet, so the auth numbers on {_plural(len(idxs), 'line')} cannot be "
                    f"checked (dates, codes, provider, visits left); add the sheet with Auth Number, Start Date, "
                    f"End Date and Authorized")]


# --------------------------------------------------------------------------- summary: text


def _hide_expired(result) -> bool:
    return bool(getattr(result, "hide_expired", HIDE_EXPIRED_DEFAULT))


def text_bar(percent: float | None, width: int = 10) -> str:
    """▓▓▓▓░░ 67%: the share used, capped at a full bar."""
    if percent is None:
        return ""
    filled = int(math.floor(min(max(percent, 0.0), 100.0) * width / 100.0 + 0.5))
    return "\u2593" * filled + "\u2591" * (width - filled) + f" {percent:.0f}%"


def summary_lines(result) -> list[str]:
    """The authorization table of the text report: one line per authorization with its client
    ID, payer, dates, authorized, used, remaining, status and a bar of use.  Empty when the
    workbook has no authorizations."""
    book = result.book
    if not book.authorizations:
        return []
    usage = auth_usage(book, result.as_of)
    hidden = 0
    if _hide_expired(result):
        kept = [u for u in usage if u.status != "Expired"]
        hidden = len(usage) - len(kept)
        usage = kept
    head = ("Auth", "Client", "Payer", "Dates", "Authorized", "Used", "Left", "Status", "Use")
    rows = []
    for u in usage:
        dates = f"{u.start_date.isoformat() if u.start_date else '?'}..{u.end_date.isoformat() if u.end_date else '?'}"
        rows.append((
            u.auth_number, u.client_id or "-", u.payer or "-", dates,
            f"{_num(u.authorized)} {u.unit_type.lower()}", _num(u.used),
            _num(u.remaining) if u.remaining is not None else "?", u.status, text_bar(u.percent_used),
        ))
    widths = [max(len(str(r[k])) for r in [head, *rows]) for k in range(len(head))]
    widths[2] = min(widths[2], 28)

    def fmt(r):
        cells = []
        for k, v in enumerate(r):
            v = str(v)
            if len(v) > widths[k]:
                v = v[: widths[k] - 1] + "\u2026"
            right = k in (5, 6)
            cells.append(v.rjust(widths[k]) if right else v.ljust(widths[k]))
        return "  " + "  ".join(cells).rstrip()

    out = [f"Authorizations as of {result.as_of.isoformat()}:"]
    out.append(fmt(head))
    out.extend(fmt(r) for r in rows)
    if hidden:
        out.append(f"  ({_plural(hidden, 'expired authorization')} hidden)")
    out.append("")
    return out


# --------------------------------------------------------------------------- summary: workbook

_STATUS_FILL = {"Active": "FFC6EFCE", "Expiring": "FFFFEB9C", "Exhausted": "FFF4C7CE", "Expired": "FFD9D9D9"}


def _auth_sheet_and_header(wb, book):
    """The Authorizations worksheet and its header row number (None when absent or unusable)."""
    from .reader import find_header, sheet_lookup

    name = sheet_lookup(wb.sheetnames).get("Authorizations")
    if name is None:
        return None, None
    ws = wb[name]
    firsts = []
    for table in ws.tables.values():
        from openpyxl.utils.cell import range_boundaries

        firsts.append(range_boundaries(table.ref)[1])
    top = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=1, max_row=max([10, *firsts]))]
    index, _ = find_header("Authorizations", top, firsts)
    if index is None:
        return None, None
    return ws, index + 1


def _summary_columns(ws, header_row: int) -> dict[str, int]:
    """Column numbers for Used, Remaining, % Used and Status: existing columns with those
    headers are reused; the others are added to the right of the last header."""
    def key(text) -> str:  # case and spaces ignored; "%" kept so "% Used" is not "Used"
        return "".join(str(text).split()).lower()

    found: dict[str, int] = {}
    last = 0
    for cell in ws[header_row]:
        if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        last = max(last, cell.column)
        for h in SUMMARY_HEADERS:
            if h not in found and key(cell.value) in _SUMMARY_SYNONYMS[h]:
                found[h] = cell.column
    for h in SUMMARY_HEADERS:
        if h not in found:
            last += 1
            found[h] = last
    return found


def _widen_table(ws, header_row: int, columns: dict[str, int]) -> None:
    """Grow an Excel Table whose header is ``header_row`` to take in new columns just right of it."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.worksheet.table import TableColumn

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row != header_row:
            continue
        extra = sorted(c for c in columns.values() if c > max_col)
        if not extra:
            continue
        # Only contiguous growth: the new columns must follow the table with no gap.
        new_max = max_col
        for c in extra:
            if c != new_max + 1:
                break
            new_max = c
        if new_max == max_col:
            continue
        ids = [tc.id for tc in table.tableColumns] or [0]
        next_id = max(ids) + 1
        for c in range(max_col + 1, new_max + 1):
            table.tableColumns.append(TableColumn(id=next_id, name=str(ws.cell(row=header_row, column=c).value)))
            next_id += 1
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(new_max)}{max_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
        return


def write_auth_summary(wb, result) -> None:
    """Add (or refresh) Used, Remaining, % Used and Status on the Authorizations sheet of an open
    openpyxl workbook, with a data bar on % Used.  Biller columns are never overwritten; an
    Excel Table on the sheet is widened to take the new columns.  With ``hide_expired`` on the
    result, expired authorizations' rows are hidden."""
    from openpyxl.formatting.rule import DataBarRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = result.book
    if not book.authorizations:
        return
    ws, header_row = _auth_sheet_and_header(wb, book)
    if ws is None:
        return
    cols = _summary_columns(ws, header_row)
    for h, c in cols.items():
        cell = ws.cell(row=header_row, column=c)
        if cell.value is None:
            cell.value = h
            cell.font = Font(bold=True)
            ws.column_dimensions[get_column_letter(c)].width = max(10, len(h) + 4)
    _widen_table(ws, header_row, cols)

    def put(r: int, header: str, value, number_format: str | None = None):
        cell = ws.cell(row=r, column=cols[header])
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
            return None  # a formula the workbook keeps (the template computes Used and Left itself)
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return cell

    hide = _hide_expired(result)
    rows = []
    for u in auth_usage(book, result.as_of):
        if u.row is None:
            continue
        r = u.row
        rows.append(r)
        put(r, "Used", u.used, "0.##")
        put(r, "Remaining", u.remaining, "0.##")
        put(r, "% Used", None if u.percent_used is None else round(u.percent_used / 100.0, 4), "0%")
        st = put(r, "Status", u.status)
        if st is not None:
            st.fill = PatternFill("solid", start_color=_STATUS_FILL[u.status], end_color=_STATUS_FILL[u.status])
        if hide and u.status == "Expired":
            ws.row_dimensions[r].hidden = True
    if not rows:
        return
    letter = get_column_letter(cols["% Used"])
    ref = f"{letter}{header_row + 1}:{letter}{max(rows)}"
    for existing in ws.conditional_formatting:
        if str(existing.sqref) == ref and any(getattr(r, "dataBar", None) is not None for r in existing.rules):
            return
    ws.conditional_formatting.add(ref, DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1,
                                                   color="FF5B9BD5", showValue=True))


__all__ = [
    "AuthUsage", "auth_usage", "auth_used", "auth_remaining", "auth_status", "covered_codes",
    "summary_lines", "write_auth_summary", "text_bar",
]
