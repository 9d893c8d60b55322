"""Tying claim lines to their authorizations (the engine's ``auth_matching`` stage).

:func:`match_authorizations` runs four named steps over whole columns:

1. :func:`read_lines` - per line, what matching needs: is it a service, its number (its own or
   its claim's), client, payer settings, code and date, each as an integer code into a small
   table of distinct values (a fact about a value is worked out once per distinct value).
2. :func:`tie_numbered_lines` - a line with a number is tied to the record of that number (the
   one whose dates cover the DOS when the number is on the sheet twice) and checked against it:
   client, payer, dates, code, provider.  A line that passes uses the authorization.
3. :func:`match_unnumbered_lines` - a line without a number is matched to the authorizations
   that cover it; exactly one is counted (AUTH010), several (AUTH011) or none (AUTH001) are
   flagged when the payer requires authorization.
4. :func:`number_lines` - the lines each authorization covers are numbered in date order (then
   sheet row): visits (one per primary service line, or per date where the payer counts per
   date) or units (a running total).

The result, :class:`AuthMatching`, holds facts only (positions, authorization indexes, flags);
the AUTH rules (:mod:`claimcheck.rules.auth`) word the findings and :mod:`claimcheck.auth.usage`
counts use as of a date.  Python loops run over distinct values and authorizations, never over
every line.  Every array used to index, ``take``, ``repeat`` or ``bincount`` is ``np.intp``
(the engine runs on 32-bit Pyodide); day numbers and sort keys are int64.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..models import Authorization, Payer
from .codes import expand, factor, factor_values, one_space, shared_codes, truthy

EVAL_CODES = frozenset({"90791", "90792"})
#: Statuses of lines that are not services and use nothing (the contract's Void, Cancelled and
#: No Show and their other spellings: claimcheck.columns), as lower-case text.
NOT_SERVICES = frozenset(s.lower() for s in C.NOT_BILLED_STATUSES + C.NOT_BILLED_SPELLINGS)

EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_OPEN_START = np.iinfo(np.int64).min  # an authorization without a Start Date
_OPEN_END = np.iinfo(np.int64).max  # ... without an End Date
_DAY_SHIFT = 1 << 32  # (auth index, day) packed in one ascending int64, see day_key
_DAY_KEY = 1 << 33
_NO_INDEX = np.zeros(0, dtype=np.intp)

_RANGE = re.compile(r"^([A-Z]?)(\d{4,5})\s*[-\u2013]\s*([A-Z]?)(\d{4,5})$")


def norm(text: Any) -> str:
    """A key for matching text cells: stripped, upper case; "" for a blank or a non-text cell."""
    return text.strip().upper() if isinstance(text, str) and text.strip() else ""


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


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return day.toordinal() - EPOCH_ORDINAL


def day_key(auth: np.ndarray, day: np.ndarray) -> np.ndarray:
    """(authorization, day number) as one int64 that sorts by authorization, then day."""
    return auth.astype(np.int64) * _DAY_KEY + (day.astype(np.int64) + _DAY_SHIFT)


def first_day_key(count: int) -> np.ndarray:
    """Per authorization 0..count-1, a key below every ``day_key`` of that authorization."""
    return day_key(np.arange(count, dtype=np.intp), np.full(count, -_DAY_SHIFT, dtype=np.int64))


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Numbered:
    """Step 4's answer: the lines of each authorization numbered, and its use by date."""

    #: The lines that use an authorization, in sheet order, with their visit number, or first
    #: and last unit number (NaN on a date with only add-on lines) (AUTH007, AUTH008).
    using: np.ndarray
    using_auth: np.ndarray
    seq_start: np.ndarray
    seq_end: np.ndarray
    #: The same lines by authorization (ascending), in date order then row (AUTH009, usage).
    dated: np.ndarray
    dated_auth: np.ndarray
    #: Usage as of a date: the ``day_key`` of each dated line with the running total of units
    #: of its authorization, and the ``day_key`` of each date that used a visit; ascending.
    unit_keys: np.ndarray
    unit_totals: np.ndarray
    visit_keys: np.ndarray


@dataclass(frozen=True)
class AuthMatching(Numbered):
    """Every claim line tied to its authorization (the fields below), and the lines of each
    authorization numbered (the fields of :class:`Numbered`).

    Positions are row positions in ``book.claims`` (``index`` turns them into its labels);
    ``auth`` values are indexes into ``book.authorizations``.  Each group of fields is what one
    or two AUTH rules read.
    """

    #: ``book.claims.index`` as an array: ``index[pos]`` is a line's label.
    index: np.ndarray
    #: No Authorizations sheet: the lines with a number (AUTH012) and, by payer, the lines
    #: without one whose payer requires authorization (AUTH001), with that payer's name.
    numbered_without_sheet: np.ndarray
    required_without_sheet: np.ndarray
    required_without_sheet_payer: list[str]
    #: A number that is not on the sheet (AUTH002), as the line (or its claim) gave it.
    unknown: np.ndarray
    unknown_number: list[str]
    #: Lines tied by number to a record of the sheet, and what does not fit (AUTH003-AUTH006):
    #: another client, another payer, DOS outside the dates, code or provider not covered.
    tied: np.ndarray
    tied_auth: np.ndarray
    other_client: np.ndarray
    other_payer: np.ndarray
    outside: np.ndarray
    not_covered: np.ndarray
    wrong_npi: np.ndarray
    #: Lines without a number: matched to the one authorization covering them (AUTH010);
    #: covered by several, with those authorizations (AUTH011); covered by none while their
    #: payer requires authorization (AUTH001), with the payer's name.
    matched: np.ndarray
    matched_auth: np.ndarray
    ambiguous: np.ndarray
    ambiguous_auths: list[list[int]]
    uncovered: np.ndarray
    uncovered_payer: list[str]

    def labels(self, positions: np.ndarray) -> list:
        """The ``book.claims`` labels of some positions."""
        return self.index[positions].tolist()

    def lines_by_authorization(self) -> dict[int, list]:
        """Authorization index -> the labels of the lines that use it, in date order."""
        labels, auth = self.labels(self.dated), self.dated_auth
        firsts = np.flatnonzero(np.r_[True, auth[1:] != auth[:-1]]) if len(auth) else _NO_INDEX
        stops = [*firsts[1:].tolist(), len(labels)]
        return {a: labels[lo:hi] for a, lo, hi in zip(auth[firsts].tolist(), firsts.tolist(), stops)}

    def last_lines(self, count: int) -> list[int | None]:
        """Per authorization (``count`` of them), the position of its latest line (None: no line)."""
        every = np.arange(count, dtype=np.intp)
        stops = np.searchsorted(self.dated_auth, every, "right")
        some = stops > np.searchsorted(self.dated_auth, every, "left")
        last = self.dated[np.maximum(stops - 1, 0)] if len(self.dated) else np.zeros(count, dtype=np.intp)
        return [int(p) if k else None for p, k in zip(last.tolist(), some.tolist())]


# --------------------------------------------------------------------------- step 1: the lines


@dataclass
class Lines:
    """Step 1's answer: per claim line, what matching reads (arrays of the lines' length)."""

    count: int
    service: np.ndarray  # not Void, No Show, ... (bool)
    number: np.ndarray  # code into number_keys of the line's number, or its claim's; -1: none
    own_number: np.ndarray  # code into number_keys of the line's own cell ("" when blank)
    number_keys: list[str]  # normalised auth numbers
    client: np.ndarray  # code of the client key (in the authorizations' space after read_authorizations)
    payer: np.ndarray  # code of the payer key (likewise)
    payer_of: list[Payer]  # per payer key code, the payer's settings
    payer_code: np.ndarray  # code into payer_of
    auth_required: np.ndarray  # bool
    exempt_eval: np.ndarray  # an evaluation the payer does not count (bool)
    cpt: np.ndarray  # code into cpt_keys
    cpt_keys: list  # the distinct CPT cells (NaN for an empty cell)
    dated: np.ndarray  # the DOS could be read (bool)
    day: np.ndarray  # day number of the DOS (0 when not dated), int64
    npis: np.ndarray  # the Rendering NPI cells (object)


def read_lines(book, ctx=None) -> tuple[Lines, list, list]:
    """Step 1: per line codes, and the distinct client and payer keys of the lines (for
    :func:`read_authorizations` to put the authorizations in the same code spaces)."""
    c = book.claims
    n = len(c)

    def cells(name):
        return c[name].to_numpy(dtype=object) if name in c.columns else np.full(n, None, dtype=object)

    lower = lambda v: v.strip().lower() if isinstance(v, str) else ""  # noqa: E731
    upper = lambda v: v.strip().upper() if isinstance(v, str) else ""  # noqa: E731
    # The book's status_key (the status stripped and capitalized) is read when present: it is
    # cheaper to factorize than the cells, and its lowercase is the status's lowercase except
    # where a first character title-cases to several letters (ligatures such as "ﬁ", or "ß"),
    # which no word of NOT_SERVICES begins with.
    status_code, status_keys = factor(c, "status_key" if "status_key" in c.columns else "status", lower)
    service = ~np.array([k in NOT_SERVICES for k in status_keys], dtype=bool)[status_code]
    number_code, number_keys = factor(c, "auth_number", upper)
    client_code, client_keys = factor(c, "client_id", upper)
    payer_code, payer_keys = factor(c, "payer_key", default="")
    cpt_code, cpt_size, cpt_uniques = shared_codes(ctx, c, "cpt")
    cpt_keys = [*cpt_uniques, *[np.nan] * (cpt_size - len(cpt_uniques))]  # an empty cell: NaN
    if "dos" in c.columns:
        days = c["dos"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        dated = ~np.isnat(days)
        day = np.where(dated, days.view(np.int64), 0)
    else:
        dated, day = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)

    # Each payer key's settings, looked up by the payer name on its first line.
    payers = cells("payer")
    first_line = np.full(len(payer_keys), n, dtype=np.intp)
    np.minimum.at(first_line, payer_code, np.arange(n, dtype=np.intp))
    payer_of = [book.payer(payers[p] if p < n else None) for p in first_line.tolist()]
    auth_required = np.array([p.auth_required for p in payer_of], dtype=bool)[payer_code]
    exempt_eval = (np.array([k in EVAL_CODES for k in cpt_keys], dtype=bool)[cpt_code]
                   & ~np.array([p.eval_counts_toward_auth for p in payer_of], dtype=bool)[payer_code])

    lines = Lines(count=n, service=service, number=claim_numbers(ctx, c, service, number_code, number_keys),
                  own_number=number_code, number_keys=number_keys, client=client_code, payer=payer_code,
                  payer_of=payer_of, payer_code=payer_code, auth_required=auth_required, exempt_eval=exempt_eval,
                  cpt=cpt_code, cpt_keys=cpt_keys, dated=dated, day=day, npis=cells("rendering_npi"))
    return lines, client_keys, [k or "" for k in payer_keys]


def claim_numbers(ctx, c: pd.DataFrame, service: np.ndarray, number_code: np.ndarray,
                  number_keys: list[str]) -> np.ndarray:
    """Per line, the code of its auth number, or of its claim's (-1: none).  A claim carries one
    authorization (box 23), so a line without a number takes the number its claim's other
    service lines carry - none when they carry different numbers; an empty Claim ID is no claim."""
    has_number = truthy(number_keys)[number_code]
    number = np.where(has_number, number_code, -1).astype(np.intp)
    claim_code, claims, _ = shared_codes(ctx, c, "claim_id")
    numbered = service & has_number
    lowest = np.full(claims, len(number_keys), dtype=np.intp)
    highest = np.full(claims, -1, dtype=np.intp)
    np.minimum.at(lowest, claim_code[numbered], number_code[numbered])
    np.maximum.at(highest, claim_code[numbered], number_code[numbered])
    claim_number = np.where(lowest == highest, lowest, -1)
    bare = np.flatnonzero(~has_number)
    bare = bare[claim_number[claim_code[bare]] >= 0]
    claim_ids = c["claim_id"].to_numpy(dtype=object)[bare] if "claim_id" in c.columns else np.full(len(bare), None)
    bare = bare[~(pd.isna(claim_ids) | (claim_ids == ""))]
    number[bare] = claim_number[claim_code[bare]]
    return number


# --------------------------------------------------------------------------- the authorizations


@dataclass
class Authorizations:
    """Per authorization, in the lines' code spaces: client, payer, dates, codes and provider,
    with the three tests a line must pass to use one."""

    client: np.ndarray  # code into the client space
    payer: np.ndarray  # code into the payer space
    no_payer: int  # the payer space's code of "" (an authorization for any payer)
    client_given: np.ndarray  # per client-space code: not blank
    payer_given: np.ndarray  # per payer-space code: not blank
    start: np.ndarray  # day numbers (int64); open ends far out
    end: np.ndarray
    listed_row: np.ndarray  # row of code_listed, -1 when the authorization covers every code
    code_listed: np.ndarray  # [listed row, cpt code] -> covered
    npi_given: np.ndarray  # names a rendering provider
    npi: list[str]
    payer_space_size: int
    records: dict[str, list[int]]  # normalised auth number -> its records, in sheet order

    def dates_cover(self, ai: np.ndarray, pos: np.ndarray, lines: Lines) -> np.ndarray:
        """The authorization's dates cover the line's DOS (an undated line is not covered)."""
        return lines.dated[pos] & (self.start[ai] <= lines.day[pos]) & (lines.day[pos] <= self.end[ai])

    def code_ok(self, ai: np.ndarray, pos: np.ndarray, lines: Lines) -> np.ndarray:
        """The line's code is covered (every code, for an authorization without Codes Covered)."""
        ok = np.ones(len(ai), dtype=bool)
        row = self.listed_row[ai]
        some = row >= 0
        ok[some] = self.code_listed[row[some], lines.cpt[pos[some]]]
        return ok

    def provider_ok(self, ai: np.ndarray, pos: np.ndarray, lines: Lines) -> np.ndarray:
        """The line's Rendering NPI is the authorization's, or either is blank."""
        ok = np.ones(len(ai), dtype=bool)
        named = np.flatnonzero(self.npi_given[ai])
        if len(named):  # read only at the lines whose authorization names a provider
            npi_code, npi_keys = factor_values(lines.npis[pos[named]])
            _, npi_text, a_npi = one_space([str(k) for k in npi_keys], self.npi)
            ok[named] = ~truthy(npi_keys)[npi_code] | (npi_text[npi_code] == a_npi[ai[named]])
        return ok


def read_authorizations(auths: list[Authorization], lines: Lines, client_keys: list,
                        payer_keys: list) -> tuple[Authorizations, Lines]:
    """The authorizations, and the lines with their client and payer codes moved into one code
    space with the authorizations' (equal keys, equal codes)."""
    client_space, line_client, a_client = one_space(client_keys, [norm(a.client_id) for a in auths])
    payer_space, line_payer, a_payer = one_space(payer_keys, [norm(a.payer) for a in auths] + [""])
    lines = replace(lines, client=line_client[lines.client], payer=line_payer[lines.payer])
    codes = [covered_codes(a) for a in auths]
    listing = [i for i, cc in enumerate(codes) if cc is not None]  # the others cover every code
    listed_row = np.full(len(auths), -1, dtype=np.intp)
    listed_row[listing] = np.arange(len(listing), dtype=np.intp)
    code_listed = np.array([[isinstance(k, str) and k in codes[i] for k in lines.cpt_keys] for i in listing],
                           dtype=bool).reshape(len(listing), len(lines.cpt_keys))
    records: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(auths):
        records[norm(a.auth_number)].append(i)
    found = Authorizations(
        client=a_client, payer=a_payer[:-1], no_payer=int(a_payer[-1]),
        client_given=truthy(client_space), payer_given=truthy(payer_space),
        start=np.array([_OPEN_START if a.start_date is None else day_number(a.start_date) for a in auths], dtype=np.int64),
        end=np.array([_OPEN_END if a.end_date is None else day_number(a.end_date) for a in auths], dtype=np.int64),
        listed_row=listed_row, code_listed=code_listed,
        npi_given=truthy([a.rendering_npi for a in auths]), npi=[a.rendering_npi for a in auths],
        payer_space_size=len(payer_space), records=dict(records))
    return found, lines


# --------------------------------------------------------------------------- step 2: numbered lines


@dataclass
class Tied:
    """Step 2's answer: the numbered lines checked against their authorization."""

    unknown: np.ndarray
    unknown_number: list[str]
    pos: np.ndarray
    auth: np.ndarray
    other_client: np.ndarray
    other_payer: np.ndarray
    outside: np.ndarray
    not_covered: np.ndarray
    wrong_npi: np.ndarray

    @property
    def usable(self) -> np.ndarray:
        """Of ``pos``, the lines that use their authorization: dated and nothing wrong."""
        return ~(self.other_client | self.other_payer | self.outside | self.not_covered | self.wrong_npi)


def tie_numbered_lines(lines: Lines, auths: Authorizations, numbered: np.ndarray) -> Tied:
    """Step 2: tie each line with a number (positions ``numbered``) to a record of that number -
    the first whose dates cover the DOS when the number is on the sheet twice (a renewal kept
    its number), else the first - and check it against the record."""
    keys = lines.number_keys
    records = [auths.records.get(k, []) for k in keys]
    n_records = np.array([len(r) for r in records], dtype=np.intp)
    ai = np.array([r[0] if r else -1 for r in records], dtype=np.intp)[lines.number[numbered]]
    unknown = numbered[ai < 0]
    unknown_number = [keys[own] or keys[num] for own, num in
                      zip(lines.own_number[unknown].tolist(), lines.number[unknown].tolist())]
    pos, ai = numbered[ai >= 0], ai[ai >= 0]
    renewed = np.flatnonzero((n_records[lines.number[pos]] > 1) & lines.dated[pos])
    if len(renewed):
        flat = np.array([i for r in records for i in r], dtype=np.intp)
        k = lines.number[pos[renewed]]
        owner, item = expand(renewed, (np.cumsum(n_records) - n_records)[k], n_records[k])
        record = flat[item]
        hit = auths.dates_cover(record, pos[owner], lines)
        found, first = np.unique(owner[hit], return_index=True)
        ai[found] = record[hit][first]
    lc, lp = lines.client[pos], lines.payer[pos]
    ac, ap = auths.client[ai], auths.payer[ai]
    other_client = auths.client_given[ac] & auths.client_given[lc] & (ac != lc)
    other_payer = ~other_client & auths.payer_given[ap] & auths.payer_given[lp] & (ap != lp)
    cpt_is_text = np.array([isinstance(k, str) for k in lines.cpt_keys], dtype=bool)[lines.cpt[pos]]
    return Tied(unknown=unknown, unknown_number=unknown_number, pos=pos, auth=ai,
                other_client=other_client, other_payer=other_payer,
                outside=lines.dated[pos] & ~auths.dates_cover(ai, pos, lines),
                not_covered=cpt_is_text & ~auths.code_ok(ai, pos, lines),
                wrong_npi=~auths.provider_ok(ai, pos, lines))


# --------------------------------------------------------------------------- step 3: lines without a number


@dataclass
class Matched:
    """Step 3's answer, for the lines without a number."""

    matched: np.ndarray  # covered by exactly one authorization: counted against it
    matched_auth: np.ndarray
    ambiguous: np.ndarray  # auth required, covered by several
    ambiguous_auths: list[list[int]]
    uncovered: np.ndarray  # auth required, covered by none


def match_unnumbered_lines(lines: Lines, auths: Authorizations, auth_list: list[Authorization],
                           bare: np.ndarray) -> Matched:
    """Step 3: the authorizations covering each line without a number (positions ``bare``): same
    client, same payer or none on the authorization, both dates given and covering the DOS,
    code covered, provider allowed.  One is counted; for a payer that requires authorization,
    several or none are reported."""
    pool = np.array([i for i, a in enumerate(auth_list) if a.start_date is not None and a.end_date is not None],
                    dtype=np.intp)
    width = auths.payer_space_size
    pool_keys = auths.client[pool].astype(np.int64) * width + auths.payer[pool]
    order = np.argsort(pool_keys, kind="stable")
    pool, pool_keys = pool[order], pool_keys[order]
    look = bare[lines.dated[bare] & auths.client_given[lines.client[bare]]]
    owners, found = [], []
    # The authorizations for the line's payer, then those for no payer (for a line without a
    # payer these are the same: looked up once, so that one authorization is not counted twice).
    with_payer = look[lines.payer[look] != auths.no_payer]
    for who, payer_part in ((look, lines.payer[look]), (with_payer, np.full(len(with_payer), auths.no_payer))):
        keys = lines.client[who].astype(np.int64) * width + payer_part
        lo = np.searchsorted(pool_keys, keys, "left").astype(np.intp)
        owner, item = expand(who, lo, np.searchsorted(pool_keys, keys, "right") - lo)
        owners.append(owner)
        found.append(pool[item])
    owner, cand = np.concatenate(owners).astype(np.intp), np.concatenate(found).astype(np.intp)
    fits = (auths.dates_cover(cand, owner, lines) & auths.code_ok(cand, owner, lines)
            & auths.provider_ok(cand, owner, lines))
    owner, cand = owner[fits], cand[fits]
    count = np.bincount(owner, minlength=lines.count)[bare]
    the_one = np.zeros(lines.count, dtype=np.intp)
    the_one[owner] = cand
    matched = bare[count == 1]
    required = lines.auth_required[bare]
    several = bare[required & (count > 1)]
    by_line = np.argsort(owner, kind="stable")
    owner, cand = owner[by_line], cand[by_line]
    lo = np.searchsorted(owner, several, "left")
    hi = np.searchsorted(owner, several, "right")
    return Matched(matched=matched, matched_auth=the_one[matched], ambiguous=several,
                   ambiguous_auths=[cand[a:b].tolist() for a, b in zip(lo.tolist(), hi.tolist())],
                   uncovered=bare[required & (count == 0)])


# --------------------------------------------------------------------------- step 4: numbering


def number_lines(book, lines: Lines, u_pos: np.ndarray, u_auth: np.ndarray) -> Numbered:
    """Step 4: number the lines that use each authorization in date order, then sheet row -
    Units: a running total of the line's units (1 when blank); Visits: one visit per primary (not
    add-on) line, or per date with one where the payer's Auth Visits Per is Date, add-ons sharing
    a number (see :func:`number_visits`)."""
    c, auths = book.claims, book.authorizations
    procs = book.tables.procedures if book.tables is not None else {}
    n, day = lines.count, lines.day
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
    order = order.astype(np.intp, copy=False)
    s_pos, s_auth = u_pos[order], u_auth[order]
    s_day = day[s_pos]
    firsts = np.flatnonzero(np.r_[True, s_auth[1:] != s_auth[:-1]]) if len(s_pos) else _NO_INDEX
    stops = np.r_[firsts[1:], len(s_pos)].astype(np.intp)
    s_start = np.full(len(s_pos), np.nan)
    s_end = np.full(len(s_pos), np.nan)
    by_units = np.array([a.unit_type == "Units" for a in auths], dtype=bool)[s_auth]

    unit = c["units"].to_numpy(dtype=np.float64) if "units" in c.columns else np.ones(n)
    totals = number_units(np.where(np.isnan(unit), 1.0, unit)[s_pos], by_units, firsts, stops, s_start, s_end)
    addon = np.array([k in procs and bool(procs[k].addon) for k in lines.cpt_keys], dtype=bool)
    per_date = np.array([p.auth_visits_per == "Date" for p in lines.payer_of], dtype=bool)[lines.payer_code[s_pos]]
    visit_auth, visit_day = number_visits(s_auth, s_day, ~addon[lines.cpt[s_pos]], ~by_units, s_start, s_end, per_date)

    # Back to sheet order for the rules; by authorization for the usage.
    line_start, line_end = np.empty(len(s_pos)), np.empty(len(s_pos))
    line_start[order], line_end[order] = s_start, s_end
    return Numbered(using=u_pos, using_auth=u_auth, seq_start=line_start, seq_end=line_end,
                    dated=s_pos, dated_auth=s_auth, unit_keys=day_key(s_auth, s_day), unit_totals=totals,
                    visit_keys=day_key(visit_auth, visit_day))


def number_units(unit: np.ndarray, by_units: np.ndarray, firsts: np.ndarray, stops: np.ndarray,
                 s_start: np.ndarray, s_end: np.ndarray) -> np.ndarray:
    """Units authorizations: each line's first and last unit number (into ``s_start``/``s_end``)
    from a running total of ``unit`` per authorization, added in date order one line at a time.
    The lines are sorted by authorization; ``firsts``/``stops`` bound each one's lines.  Returns
    the running totals (0 on the lines of visits authorizations)."""
    totals = np.zeros(len(unit))
    for lo, hi in zip(firsts[by_units[firsts]].tolist(), stops[by_units[firsts]].tolist()):
        totals[lo:hi] = np.cumsum(unit[lo:hi])
    before = np.r_[0.0, totals[:-1]]
    before[firsts] = 0.0
    s_start[by_units] = before[by_units] + 1
    s_end[by_units] = totals[by_units]
    return totals


def number_visits(s_auth: np.ndarray, s_day: np.ndarray, primary: np.ndarray, by_visits: np.ndarray,
                  s_start: np.ndarray, s_end: np.ndarray, per_date: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Visits authorizations: each ``primary`` (not add-on) line is a visit - two separate
    services on one date are two visits - except where its payer counts per date (``per_date``,
    the Payers sheet's Auth Visits Per = Date): then one visit per date.  Numbered per
    authorization; an add-on shares the number of the date's primary line before it (the first
    one when it comes first), and a date with only add-ons has none (NaN), into
    ``s_start``/``s_end``.  The lines are sorted by authorization, then date, then row.  Returns
    the authorization and day number of each visit (a day twice for two visits)."""
    visits = np.flatnonzero(by_visits)
    v_auth, v_day = s_auth[visits], s_day[visits]
    new_date = np.r_[True, (v_auth[1:] != v_auth[:-1]) | (v_day[1:] != v_day[:-1])][:len(visits)]
    v_primary = primary[visits]
    # A primary line after the date's first primary starts a visit of its own (counted per service).
    primaries = np.cumsum(v_primary, dtype=np.intp)
    date_first = np.flatnonzero(new_date)
    before_date = (primaries - v_primary)[date_first]
    earlier_primaries = primaries - v_primary - np.repeat(before_date, np.diff(np.r_[date_first, len(visits)]).astype(np.intp))
    per_service = ~per_date[visits] if per_date is not None else np.ones(len(visits), dtype=bool)
    new_visit = new_date | (v_primary & per_service & (earlier_primaries > 0))
    date_starts = np.flatnonzero(new_visit)  # the first line of each visit (a date, or a service)
    date_of = np.cumsum(new_visit, dtype=np.intp) - 1
    a_visit = np.logical_or.reduceat(v_primary, date_starts) if len(visits) else np.zeros(0, dtype=bool)
    date_auth = v_auth[date_starts]
    running = np.cumsum(a_visit, dtype=np.intp)
    auth_starts = np.flatnonzero(np.r_[True, date_auth[1:] != date_auth[:-1]]) if len(date_starts) else date_starts
    before_auth = (running - a_visit)[auth_starts]  # visits of the authorizations sorted before
    number = running - np.repeat(before_auth, np.diff(np.r_[auth_starts, len(date_starts)]).astype(np.intp))
    seq = np.where(a_visit[date_of], number[date_of].astype(np.float64), np.nan)
    s_start[visits] = seq
    s_end[visits] = seq
    return date_auth[a_visit], v_day[date_starts][a_visit]


# --------------------------------------------------------------------------- the whole matching


def match_authorizations(book, ctx=None) -> AuthMatching:
    """Tie every claim line to its authorization and number the lines each one covers (the
    engine's ``auth_matching`` stage).  Given the rules' Context, the Claim ID and CPT codes
    other rules of the run computed are reused.

    Which lines take part: every service line whatever its status (Draft to Appealed) except
    Void, No Show and the like (:data:`NOT_SERVICES`); an evaluation (90791/90792) only when
    its payer's Eval Counts Toward Auth is Y."""
    lines, client_keys, payer_keys = read_lines(book, ctx)
    auth_list = book.authorizations
    auths, lines = read_authorizations(auth_list, lines, client_keys, payer_keys)
    none = np.zeros(0, dtype=np.intp)
    in_scope = lines.service & ~lines.exempt_eval
    numbered = np.flatnonzero(in_scope & (lines.number >= 0))
    bare = in_scope & (lines.number < 0)
    required_without_sheet = none
    if "Authorizations" not in book.sheets_present:
        numbered_without_sheet, numbered = numbered, none
        required_without_sheet, bare = np.flatnonzero(bare & lines.auth_required), none
    else:
        numbered_without_sheet, bare = none, np.flatnonzero(bare)
    tied = tie_numbered_lines(lines, auths, numbered)
    found = match_unnumbered_lines(lines, auths, auth_list, bare)
    use = tied.usable & lines.dated[tied.pos]
    numbered_lines = number_lines(book, lines, np.concatenate([tied.pos[use], found.matched]),
                                  np.concatenate([tied.auth[use], found.matched_auth]))
    payer_name = lambda positions: [lines.payer_of[p].name for p in lines.payer_code[positions].tolist()]  # noqa: E731
    return AuthMatching(
        index=book.claims.index.to_numpy(),
        numbered_without_sheet=numbered_without_sheet, required_without_sheet=required_without_sheet,
        required_without_sheet_payer=payer_name(required_without_sheet),
        unknown=tied.unknown, unknown_number=tied.unknown_number,
        tied=tied.pos, tied_auth=tied.auth, other_client=tied.other_client, other_payer=tied.other_payer,
        outside=tied.outside, not_covered=tied.not_covered, wrong_npi=tied.wrong_npi,
        matched=found.matched, matched_auth=found.matched_auth, ambiguous=found.ambiguous,
        ambiguous_auths=found.ambiguous_auths, uncovered=found.uncovered, uncovered_payer=payer_name(found.uncovered),
        **vars(numbered_lines))
