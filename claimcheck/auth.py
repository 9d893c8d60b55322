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
from typing import Any

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


def _analyse(book) -> _Analysis:
    """Tie every claim line to its authorization and number the lines each one covers."""
    cache = book.__dict__.get("_auth_analysis")
    if cache is not None and cache[0] is book.claims and cache[1] == len(book.claims):
        return cache[2]
    result = _analyse_uncached(book)
    book.__dict__["_auth_analysis"] = (book.claims, len(book.claims), result)
    return result


def _analyse_uncached(book) -> _Analysis:
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
            problems["AUTH001"].append((idx, f"{payer.name or 'the payer'} requires prior authorization and this line "
                                             f"has no Auth Number; enter it"))
            continue
        candidates = []
        if day is not None and client:
            pool = by_client_payer.get((client, payer_key), []) + by_client_payer.get((client, ""), [])
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
        else:
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
            # One visit per date with a primary line; the date's add-ons share its number.
            visits: list[dt.date] = []
            day_lines: list[int] = []
            day = None
            for p in [*plist, -1]:
                if p == -1 or dos[p] != day:
                    if day_lines and not all(addon_of.get(cpts[q], False) for q in day_lines):
                        visits.append(day)
                        number = float(len(visits))
                        for q in day_lines:
                            ln = lines[index[q]]
                            ln.seq_start = ln.seq_end = number
                    if p == -1:
                        break
                    day, day_lines = dos[p], []
                day_lines.append(p)
            visit_dates[ai] = visits
    return _Analysis(lines=lines, problems=problems, by_auth=by_auth, dates=dates,
                     visit_dates=visit_dates, units=used_units, numbered_without_sheet=numbered_without_sheet)


# --------------------------------------------------------------------------- usage


def _used(analysis: _Analysis, ai: int, auth: Authorization, as_of: dt.date) -> float:
    if auth.unit_type == "Units":
        return float(sum(analysis.units[i] for i in analysis.by_auth.get(ai, ()) if analysis.dates[i] <= as_of))
    return float(sum(1 for d in analysis.visit_dates.get(ai, ()) if d <= as_of))


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
    analysis = _analyse(book)
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
    analysis = _analyse(book)
    return float(sum(_used(analysis, i, book.authorizations[i], as_of) for i in found))


def auth_remaining(book, auth_number: str, as_of: dt.date | None = None) -> float:
    """Authorized minus used as of ``as_of`` (negative when over; NaN when Authorized cannot be
    read).  Raises ``KeyError`` for a number not on the Authorizations sheet."""
    found = _records(book, auth_number)
    as_of = as_of or dt.date.today()
    analysis = _analyse(book)
    total = 0.0
    for i in found:
        a = book.authorizations[i]
        if a.authorized is None:
            return math.nan
        total += a.authorized - _used(analysis, i, a, as_of)
    return float(total)


# --------------------------------------------------------------------------- rules

_AUTH_COLUMN = "Auth Number"


@rule(
    "AUTH001", title="Authorization required but missing", severity="error", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False,
    why="The payer pays these sessions only under a prior authorization; a claim without one is denied (CARC 197).",
    fix="Enter the authorization number from the payer's approval letter; if there is none, request one (retro-authorization is rarely granted).",
)
def auth_missing(ctx):
    """Flags a line with no Auth Number (on the line or its claim) for a payer whose Auth
    Required is Y, when no authorization on the sheet covers it (90791/90792 are exempt unless
    the payer's Eval Counts Toward Auth is Y)."""
    return _analyse(ctx.book).problems.get("AUTH001")


@rule(
    "AUTH002", title="Authorization number not on the Authorizations sheet", severity="error", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False,
    why="An authorization that is not tracked cannot be checked for dates, codes or visits left; a mistyped number is denied by the payer.",
    fix="Add the authorization to the Authorizations sheet, or correct the number on the line.",
)
def auth_unknown(ctx):
    """Flags an Auth Number that is not on the Authorizations sheet."""
    return _analyse(ctx.book).problems.get("AUTH002")


@rule(
    "AUTH003", title="Authorization belongs to another client or payer", severity="error", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False,
    why="An authorization covers one member with one payer; on another client's claim or another payer's claim it is denied.",
    fix="Use this client's authorization for this payer, or correct the Client ID or payer on the line.",
)
def auth_other_client(ctx):
    """Flags a line whose authorization is for a different Client ID or payer."""
    return _analyse(ctx.book).problems.get("AUTH003")


@rule(
    "AUTH004", title="Date of service outside the authorization", severity="error", column="DOS",
    needs=("auth_number",), row_level=False,
    why="Sessions before the start date or after the end date are not authorized and are denied (CARC 197/198).",
    fix="Bill the authorization that covers the date, or request a new or extended authorization before billing.",
)
def auth_outside_dates(ctx):
    """Flags a DOS before the authorization's Start Date or after its End Date (both inclusive)."""
    return _analyse(ctx.book).problems.get("AUTH004")


@rule(
    "AUTH005", title="Procedure code not covered by the authorization", severity="error", column="CPT",
    needs=("auth_number",), row_level=False,
    why="An authorization for some codes does not cover the others, even close ones (90837 is not authorized by an approval for 90834).",
    fix="Bill a covered code if it describes the session, or ask the payer to add the code to the authorization.",
)
def auth_code_not_covered(ctx):
    """Flags a code not in the authorization's Codes Covered (blank Codes Covered means all)."""
    return _analyse(ctx.book).problems.get("AUTH005")


@rule(
    "AUTH006", title="Rendering provider not on the authorization", severity="error", column="Rendering NPI",
    needs=("auth_number",), row_level=False,
    why="Provider-specific authorizations pay only the named clinician; another provider's sessions are denied (CARC 15).",
    fix="Bill under the authorized provider if they gave the session, or ask the payer to add this provider.",
)
def auth_wrong_provider(ctx):
    """Flags a line whose Rendering NPI differs from the authorization's (blank means any)."""
    return _analyse(ctx.book).problems.get("AUTH006")


@rule(
    "AUTH007", title="Session over the authorized count", severity="error", column=_AUTH_COLUMN,
    row_level=False,
    why="The payer pays only the visits or units it authorized; every session past the count is denied.",
    fix="Request more visits or units (ask for a retroactive extension for sessions already given) before billing these lines.",
)
def auth_over_count(ctx):
    """Flags every line past the authorized count, numbering the authorization's lines in date
    order: "session 13 of 12 authorized" (visits) or "units 41-44 of 40 authorized"."""
    a = _analyse(ctx.book)
    auths = ctx.book.authorizations
    out = []
    for idx, ln in a.lines.items():
        auth = auths[ln.auth]
        if auth.authorized is None or ln.seq_end is None or ln.seq_end <= auth.authorized:
            continue
        if auth.unit_type == "Units":
            over = ln.seq_end - max(auth.authorized, ln.seq_start - 1)
            out.append((idx, f"{_units_span(ln)} of {_num(auth.authorized)} authorized on {auth.auth_number}: "
                             f"{_plural(over, 'unit')} over"))
        else:
            out.append((idx, f"session {_num(ln.seq_end)} of {_num(auth.authorized)} authorized on {auth.auth_number}; "
                             f"request more visits before billing it"))
    return out


def _units_span(ln: _Line) -> str:
    if ln.seq_start == ln.seq_end:
        return f"unit {_num(ln.seq_end)}"
    return f"units {_num(ln.seq_start)}-{_num(ln.seq_end)}"


@rule(
    "AUTH008", title="Authorization nearly used up", severity="warning", column=_AUTH_COLUMN,
    row_level=False,
    why="Authorizations take days to renew; when the last visits are used without a new one, the next sessions go unpaid.",
    fix="Request the next authorization now, with the treatment plan and progress notes.",
)
def auth_nearly_used(ctx):
    """Warns on the lines that leave 2 visits or fewer, or 10% of the units or fewer."""
    a = _analyse(ctx.book)
    auths = ctx.book.authorizations
    out = []
    for idx, ln in a.lines.items():
        auth = auths[ln.auth]
        if auth.authorized is None or ln.seq_end is None or ln.seq_end > auth.authorized:
            continue
        left = auth.authorized - ln.seq_end
        if auth.unit_type == "Units":
            if left <= NEAR_UNITS_SHARE * auth.authorized:
                rest = "no units left after it" if left == 0 else f"{_plural(left, 'unit')} left"
                out.append((idx, f"{_units_span(ln)} of {_num(auth.authorized)} authorized on {auth.auth_number}: "
                                 f"{rest}; request more now"))
        elif left <= NEAR_VISITS:
            rest = "no visits left after it" if left == 0 else f"{_plural(left, 'visit')} left"
            out.append((idx, f"session {_num(ln.seq_end)} of {_num(auth.authorized)} authorized on {auth.auth_number}: "
                             f"{rest}; request more now"))
    return out


@rule(
    "AUTH009", title="Authorization expiring with visits left", severity="info", column=_AUTH_COLUMN,
    row_level=False,
    why="Visits or units not used by the end date are lost, and sessions after it need a new authorization.",
    fix="Schedule the remaining sessions before the end date, or request an extension or the next authorization.",
)
def auth_expiring(ctx):
    """Notes, on the latest line of an authorization, that it ends within 14 days of the as-of
    date with visits or units left."""
    a = _analyse(ctx.book)
    out = []
    for ai, auth in enumerate(ctx.book.authorizations):
        idxs = a.by_auth.get(ai)
        if not idxs or auth.end_date is None or auth.authorized is None:
            continue
        days = (auth.end_date - ctx.as_of).days
        if not 0 <= days <= EXPIRING_DAYS:
            continue
        left = auth.authorized - _used(a, ai, auth, ctx.as_of)
        if left <= 0:
            continue
        when = "today" if days == 0 else f"in {_plural(days, 'day')}"
        out.append((idxs[-1], f"{auth.auth_number} ends {auth.end_date.isoformat()} ({when}) with "
                                    f"{_num(left)} of {_plural(auth.authorized, _unit_word(auth))} left; schedule them "
                                    f"or request an extension"))
    return out


@rule(
    "AUTH010", title="Authorization matched to a line without a number", severity="info", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False,
    why="The payer needs the authorization number on the claim (box 23 / REF*G1); claimcheck found the one authorization that covers the line and counted the session against it.",
    fix="Enter the authorization number the finding names in Auth Number before billing.",
)
def auth_matched(ctx):
    """Notes a line with no Auth Number, for a payer that requires one, tied to the single
    authorization covering it (same client and payer, dates, code, provider)."""
    return _analyse(ctx.book).problems.get("AUTH010")


@rule(
    "AUTH011", title="Several authorizations could cover a line without a number", severity="error",
    column=_AUTH_COLUMN, needs=("auth_number",), row_level=False,
    why="With overlapping authorizations the payer applies the number on the claim; without one the claim is denied and the visit cannot be counted.",
    fix="Enter the authorization number the session belongs to.",
)
def auth_ambiguous(ctx):
    """Flags a line with no Auth Number, for a payer that requires one, when two or more
    authorizations cover it."""
    return _analyse(ctx.book).problems.get("AUTH011")


@rule(
    "AUTH012", title="No Authorizations sheet", severity="info", column=_AUTH_COLUMN,
    needs=("auth_number",), row_level=False,
    why="Without the Authorizations sheet the auth numbers on the lines cannot be checked for dates, codes, provider or visits left.",
    fix="Add an Authorizations sheet with Auth Number, Client ID, Payer, Start Date, End Date and Authorized (one row per authorization).",
)
def auth_sheet_missing(ctx):
    """Reports once, on the first line with an auth number, that there is no usable
    Authorizations sheet, instead of flagging every line."""
    a = _analyse(ctx.book)
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
