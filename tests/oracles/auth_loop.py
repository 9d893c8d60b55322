"""The authorization matcher as a plain loop over the lines: the test oracle of
:mod:`claimcheck.auth.match`.

This is the loop version the project used before the matching was rewritten on whole columns
(``git show a3e33d1^:claimcheck/auth.py``), trimmed to the analysis, the usage functions and the
wording of the AUTH findings, and adapted to today's Book (no memo kept on the book).  It is
deliberately slow and obvious: one pass over the lines, a dict per fact.  Keep it that way -
``tests/test_auth_oracle.py`` holds the vectorised matcher to it on random books.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from claimcheck.auth import (
    EVAL_CODES, EXPIRING_DAYS, NOT_SERVICES, AuthUsage, auth_status,
)
from claimcheck.denials import BILL_PATIENT, decide
from claimcheck.models import Authorization
from claimcheck.rules.auth import NEAR_UNITS_SHARE, NEAR_VISITS


# --------------------------------------------------------------------------- helpers


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


def _dates_text(auth: Authorization) -> str:
    start = auth.start_date.isoformat() if auth.start_date else "?"
    end = auth.end_date.isoformat() if auth.end_date else "?"
    return f"{start} to {end}"


# --------------------------------------------------------------------------- the analysis


@dataclass(slots=True)
class _Line:
    """Where one claim line stands with its authorization (internal)."""

    auth: int | None = None  # index into book.authorizations, when the line uses it
    matched: bool = False  # tied by AUTH010 matching rather than by its number
    seq_start: float | None = None  # visit number, or first unit number
    seq_end: float | None = None  # visit number, or last unit number


@dataclass
class _Analysis:
    lines: dict[int, _Line]  # claim index -> where it stands (only lines that use an auth)
    problems: dict[str, list[tuple[int, str]]]  # rule code -> (claim index, message)
    by_auth: dict[int, list[int]]  # auth index -> claim indexes that use it, in date order
    dates: dict[int, dt.date]  # claim index -> DOS of the lines that use an auth
    visit_dates: dict[int, list[dt.date]]  # auth index -> dates that used a visit (Visits auths)
    units: dict[int, float]  # claim index -> units (Units auths)
    numbered_without_sheet: list[int]  # lines with an auth number when there is no Authorizations sheet


def _has_auth_sheet(book) -> bool:
    return "Authorizations" in book.sheets_present


def analyse(book) -> _Analysis:
    """Tie every claim line to its authorization and number the lines each one covers."""
    c = book.claims
    auths: list[Authorization] = book.authorizations
    has_sheet = _has_auth_sheet(book)
    procs = book.tables.procedures if book.tables is not None else {}
    problems: dict[str, list[tuple[int, str]]] = defaultdict(list)
    lines: dict[int, _Line] = {}
    dates: dict[int, dt.date] = {}
    numbered_without_sheet: list[int] = []
    uses: list[tuple[int, int, bool]] = []  # (line position, auth index, matched)

    index = c.index.tolist()
    n = len(index)

    def col(name, default=None):
        return c[name].tolist() if name in c.columns else [default] * n

    claim_ids = col("claim_id")
    clients = col("client_id")
    payers = col("payer")
    payer_keys = col("payer_key", "")
    npis = col("rendering_npi")
    cpts = col("cpt")
    denials = col("denial_codes")

    def patient_owes(pos) -> bool:  # the payer put the whole line on the client (PR group codes only)
        codes = denials[pos]
        return bool(codes) and isinstance(codes, tuple) and decide(codes)[0] == BILL_PATIENT
    units = col("units", 1.0)
    numbers = _normalised(col("auth_number"))
    statuses = _normalised(col("status"), str.lower)
    # datetime64[D] -> datetime.date (NaT -> None) in one numpy call.
    dos = c["dos"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").tolist() if "dos" in c.columns else [None] * n

    # A claim carries one authorization: lines without a number take their claim's.
    claim_number: dict[str, str] = {}  # "" when the claim's lines carry different numbers
    for cid, num, st in zip(claim_ids, numbers, statuses):
        if cid and num and st not in NOT_SERVICES:
            prev = claim_number.get(cid)
            if prev is None:
                claim_number[cid] = num
            elif prev != num:
                claim_number[cid] = ""

    by_number: dict[str, list[int]] = defaultdict(list)
    by_client_payer: dict[tuple[str, str], list[int]] = defaultdict(list)
    # Per authorization, computed once: covered codes, client, payer, NPI, dates.
    codes = [covered_codes(a) for a in auths]
    a_clients = [_norm(a.client_id) for a in auths]
    a_payers = [_norm(a.payer) for a in auths]
    a_npis = [a.rendering_npi for a in auths]
    a_starts = [a.start_date for a in auths]
    a_ends = [a.end_date for a in auths]
    for i, a in enumerate(auths):
        by_number[_norm(a.auth_number)].append(i)
        by_client_payer[(a_clients[i], a_payers[i])].append(i)

    def covers(i: int, day: dt.date) -> bool:
        return (a_starts[i] is None or a_starts[i] <= day) and (a_ends[i] is None or day <= a_ends[i])

    def provider_ok(i: int, npi) -> bool:
        return not a_npis[i] or not npi or str(npi) == a_npis[i]

    def code_ok(i: int, cpt) -> bool:
        return codes[i] is None or (isinstance(cpt, str) and cpt in codes[i])

    payer_cache: dict[str, Any] = {}
    for key, name in zip(payer_keys, payers):
        if key not in payer_cache:
            payer_cache[key] = book.payer(name)
    client_keys = _normalised(clients)

    for pos in range(n):
        if statuses[pos] in NOT_SERVICES:
            continue
        idx = index[pos]
        cpt = cpts[pos]
        day = dos[pos]
        payer_key = payer_keys[pos] or ""
        payer = payer_cache[payer_keys[pos]]
        exempt_eval = cpt in EVAL_CODES and not payer.eval_counts_toward_auth
        number = numbers[pos]
        if not number and claim_ids[pos]:
            number = claim_number.get(claim_ids[pos]) or ""
        client = client_keys[pos]

        if number:
            if exempt_eval:
                continue  # an evaluation the payer does not count: the number does no harm
            if not has_sheet:
                numbered_without_sheet.append(idx)
                continue
            records = by_number.get(number)
            if not records:
                shown = numbers[pos] or number
                problems["AUTH002"].append((idx, f"auth {shown} is not on the Authorizations sheet; add the authorization "
                                                 f"or correct the number"))
                continue
            ai = records[0]
            if len(records) > 1 and day is not None:
                ai = next((r for r in records if covers(r, day)), records[0])
            a = auths[ai]
            bad = False
            a_client, a_payer = a_clients[ai], a_payers[ai]
            if a_client and client and a_client != client:
                problems["AUTH003"].append((idx, f"{a.auth_number} is for client {a.client_id}, not {clients[pos]}; "
                                                 f"correct the auth number or the Client ID"))
                bad = True
            elif a_payer and payer_key and a_payer != payer_key:
                problems["AUTH003"].append((idx, f"{a.auth_number} was issued by {a.payer}, but this line bills {payers[pos]}; "
                                                 f"correct the auth number or the payer"))
                bad = True
            if day is not None and not covers(ai, day):
                problems["AUTH004"].append((idx, f"DOS {day.isoformat()} is outside {a.auth_number} ({_dates_text(a)}); "
                                                 f"the payer denies sessions outside the authorized dates"))
                bad = True
            if isinstance(cpt, str) and not code_ok(ai, cpt):
                problems["AUTH005"].append((idx, f"{cpt} is not covered by {a.auth_number} (covers "
                                                 f"{', '.join(a.codes_covered)}); bill a covered code or ask the payer to add {cpt}"))
                bad = True
            if not provider_ok(ai, npis[pos]):
                problems["AUTH006"].append((idx, f"{a.auth_number} is for rendering NPI {a.rendering_npi}; this line's "
                                                 f"provider is {npis[pos]}"))
                bad = True
            if not bad and day is not None:
                uses.append((pos, ai, False))
            continue

        if exempt_eval or not (payer.auth_required or has_sheet):
            continue
        if not has_sheet:
            if patient_owes(pos):
                continue
            problems["AUTH001"].append((idx, f"{payer.name or 'the payer'} requires prior authorization and this line "
                                             f"has no Auth Number; enter it"))
            continue
        candidates = []
        if day is not None and client:
            pool = by_client_payer.get((client, payer_key), [])
            if payer_key != "":  # fixed here: a line without a payer counted its payer-less authorizations twice
                pool = pool + by_client_payer.get((client, ""), [])
            candidates = [i for i in pool if a_starts[i] is not None and a_ends[i] is not None
                          and covers(i, day) and code_ok(i, cpt) and provider_ok(i, npis[pos])]
        if not payer.auth_required and len(candidates) != 1:
            continue  # the payer does not require one: only a clear match is counted
        if len(candidates) == 1:
            a = auths[candidates[0]]
            uses.append((pos, candidates[0], True))
            problems["AUTH010"].append((idx, f"no Auth Number; {a.auth_number} is the one authorization covering this "
                                             f"line, counted against it; enter {a.auth_number} in Auth Number"))
        elif candidates:
            names = ", ".join(sorted({auths[i].auth_number for i in candidates}))
            problems["AUTH011"].append((idx, f"no Auth Number and {len(candidates)} authorizations cover this line "
                                             f"({names}); enter the one the payer should apply"))
        elif not patient_owes(pos):
            what = f" for {cpt}" if isinstance(cpt, str) else ""
            when = f" on {day.isoformat()}" if day is not None else ""
            problems["AUTH001"].append((idx, f"{payer.name or 'the payer'} requires prior authorization; this line has no "
                                             f"Auth Number and no authorization on the sheet covers client "
                                             f"{clients[pos] or '(no Client ID)'}{when}{what}"))

    # Number the lines of each authorization in date order (then sheet row).
    rows = col("row", 0)
    addon_of = {code: bool(p.addon) for code, p in procs.items()}
    positions: dict[int, list[int]] = defaultdict(list)
    for pos, ai, matched in uses:
        positions[ai].append(pos)
        idx = index[pos]
        lines[idx] = _Line(auth=ai, matched=matched)
        dates[idx] = dos[pos]
    by_auth: dict[int, list[int]] = {}
    visit_dates: dict[int, list[dt.date]] = {}
    used_units: dict[int, float] = {}
    for ai, plist in positions.items():
        plist.sort(key=lambda p: (dos[p], rows[p]))
        by_auth[ai] = [index[p] for p in plist]
        if auths[ai].unit_type == "Units":
            total = 0.0
            for p in plist:
                u = units[p]
                u = 1.0 if u is None or u != u else float(u)
                ln = lines[index[p]]
                ln.seq_start, ln.seq_end = total + 1, total + u
                total += u
                used_units[index[p]] = u
        else:
            # Each primary (not add-on) line is a visit, unless its payer counts per date (Auth
            # Visits Per = Date): then one visit per date.  An add-on shares the number of the
            # date's primary line before it (the first one when it comes first); a date with only
            # add-ons uses no visit.
            visits: list[dt.date] = []
            for day in sorted({dos[p] for p in plist}):
                groups: list[list[int]] = [[]]
                seen_primary = False
                for q in [p for p in plist if dos[p] == day]:
                    primary = not addon_of.get(cpts[q], False)
                    per_date = payer_cache[payer_keys[q]].auth_visits_per == "Date"
                    if primary and seen_primary and not per_date:
                        groups.append([])
                    seen_primary = seen_primary or primary
                    groups[-1].append(q)
                for group in groups:
                    if any(not addon_of.get(cpts[q], False) for q in group):
                        visits.append(day)
                        number = float(len(visits))
                        for q in group:
                            ln = lines[index[q]]
                            ln.seq_start = ln.seq_end = number
            visit_dates[ai] = visits
    return _Analysis(lines=lines, problems=problems, by_auth=by_auth, dates=dates,
                     visit_dates=visit_dates, units=used_units, numbered_without_sheet=numbered_without_sheet)


# --------------------------------------------------------------------------- usage


def _used(analysis: _Analysis, ai: int, auth: Authorization, as_of: dt.date) -> float:
    if auth.unit_type == "Units":
        return float(sum(analysis.units[i] for i in analysis.by_auth.get(ai, ()) if analysis.dates[i] <= as_of))
    return float(sum(1 for d in analysis.visit_dates.get(ai, ()) if d <= as_of))


def auth_usage(book, as_of: dt.date | None = None) -> list[AuthUsage]:
    """Every authorization on the Authorizations sheet with its use as of ``as_of`` (default
    today), in sheet order."""
    as_of = as_of or dt.date.today()
    analysis = analyse(book)
    out = []
    for ai, a in enumerate(book.authorizations):
        used = _used(analysis, ai, a, as_of)
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
    analysis = analyse(book)
    return float(sum(_used(analysis, i, book.authorizations[i], as_of) for i in found))


def auth_remaining(book, auth_number: str, as_of: dt.date | None = None) -> float:
    """Authorized minus used as of ``as_of`` (negative when over; NaN when Authorized cannot be
    read).  Raises ``KeyError`` for a number not on the Authorizations sheet."""
    found = _records(book, auth_number)
    as_of = as_of or dt.date.today()
    analysis = analyse(book)
    total = 0.0
    for i in found:
        a = book.authorizations[i]
        if a.authorized is None:
            return math.nan
        total += a.authorized - _used(analysis, i, a, as_of)
    return float(total)


# --------------------------------------------------------------------------- the findings


def findings(book, as_of: dt.date) -> dict[str, list[tuple[int, str]]]:
    """Rule code -> (claim index, message) of every AUTH finding, as the rules worded them."""
    a = analyse(book)
    auths = book.authorizations
    out: dict[str, list[tuple[int, str]]] = {code: list(found) for code, found in a.problems.items()}
    for idx, ln in a.lines.items():
        auth = auths[ln.auth]
        if auth.authorized is None or ln.seq_end is None:
            continue
        if ln.seq_end > auth.authorized:  # AUTH007
            if auth.unit_type == "Units":
                over = ln.seq_end - max(auth.authorized, ln.seq_start - 1)
                out.setdefault("AUTH007", []).append((idx, f"{_units_span(ln)} of {_num(auth.authorized)} authorized on "
                                                           f"{auth.auth_number}: {_plural(over, 'unit')} over"))
            else:
                out.setdefault("AUTH007", []).append((idx, f"session {_num(ln.seq_end)} of {_num(auth.authorized)} "
                                                           f"authorized on {auth.auth_number}; request more visits "
                                                           f"before billing it"))
            continue
    latest: dict[int, tuple] = {}  # AUTH008: once per authorization, on its highest-numbered line (the last in sheet order)
    for idx, ln in sorted(a.lines.items(), key=lambda item: item[0]):
        auth = auths[ln.auth]
        if auth.authorized is None or ln.seq_end is None:
            continue
        if ln.auth not in latest or ln.seq_end >= latest[ln.auth][1].seq_end:
            latest[ln.auth] = (idx, ln)
    for idx, ln in latest.values():
        auth = auths[ln.auth]
        if ln.seq_end > auth.authorized:
            continue
        left = auth.authorized - ln.seq_end
        if auth.unit_type == "Units":
            if left <= NEAR_UNITS_SHARE * auth.authorized:
                rest = "no units left after it" if left == 0 else f"{_plural(left, 'unit')} left"
                out.setdefault("AUTH008", []).append((idx, f"{_units_span(ln)} of {_num(auth.authorized)} authorized on "
                                                           f"{auth.auth_number}: {rest}; request more now"))
        elif left <= NEAR_VISITS:
            rest = "no visits left after it" if left == 0 else f"{_plural(left, 'visit')} left"
            out.setdefault("AUTH008", []).append((idx, f"session {_num(ln.seq_end)} of {_num(auth.authorized)} authorized "
                                                       f"on {auth.auth_number}: {rest}; request more now"))
    for ai, auth in enumerate(auths):  # AUTH009
        idxs = a.by_auth.get(ai)
        if not idxs or auth.end_date is None or auth.authorized is None:
            continue
        days = (auth.end_date - as_of).days
        if not 0 <= days <= EXPIRING_DAYS:
            continue
        left = auth.authorized - _used(a, ai, auth, as_of)
        if left <= 0:
            continue
        when = "today" if days == 0 else f"in {_plural(days, 'day')}"
        out.setdefault("AUTH009", []).append((idxs[-1], f"{auth.auth_number} ends {auth.end_date.isoformat()} ({when}) "
                                                        f"with {_num(left)} of {_plural(auth.authorized, _unit_word(auth))} "
                                                        f"left; schedule them or request an extension"))
    if a.numbered_without_sheet:  # AUTH012
        out["AUTH012"] = [(a.numbered_without_sheet[0],
                           f"no usable Authorizations sheet, so the auth numbers on "
                           f"{_plural(len(a.numbered_without_sheet), 'line')} cannot be checked (dates, codes, "
                           f"provider, visits left); add the sheet with Auth Number, Start Date, End Date and Authorized")]
    return {code: found for code, found in out.items() if found}


def _units_span(ln: _Line) -> str:
    if ln.seq_start == ln.seq_end:
        return f"unit {_num(ln.seq_end)}"
    return f"units {_num(ln.seq_start)}-{_num(ln.seq_end)}"
