"""AUTH: prior authorizations (contract section 3).

Every rule reads the run's ``ctx.auth_matching`` (:class:`claimcheck.auth.AuthMatching`, made
once by the engine before the first AUTH rule) and words its findings; the matching itself -
which line uses which authorization, and how the lines are numbered - is described in
:mod:`claimcheck.auth`.
"""

from __future__ import annotations

import numpy as np

from ..auth import EXPIRING_DAYS, count_text, plural, used_as_of
from ..models import Authorization
from ..values import brief, brief_list
from .examples import Example
from .registry import rule

NEAR_VISITS = 2  # a visits authorization is nearly used up with this many visits left or fewer
NEAR_UNITS_SHARE = 0.10  # a units authorization: 10% of its units left or fewer

AUTH_COLUMN = "Auth Number"
USES = ("auth_matching",)


def _cells(ctx, name: str, positions: np.ndarray) -> list:
    """The cells of a claims column at some line positions (None when there is no such column)."""
    c = ctx.claims
    if name not in c.columns:
        return [None] * len(positions)
    return c[name].to_numpy(dtype=object)[positions].tolist()


def _dos_texts(ctx, positions: np.ndarray) -> list[str | None]:
    """The DOS of some lines as YYYY-MM-DD (None when it could not be read)."""
    if "dos" not in ctx.claims.columns:
        return [None] * len(positions)
    days = ctx.claims["dos"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")[positions]
    return [None if np.isnat(d) else str(d) for d in days]


def _dates_text(auth: Authorization) -> str:
    start = auth.start_date.isoformat() if auth.start_date else "?"
    end = auth.end_date.isoformat() if auth.end_date else "?"
    return f"{start} to {end}"


def _unit_word(auth: Authorization) -> str:
    return "unit" if auth.unit_type == "Units" else "visit"


def _units_span(start: float, end: float) -> str:
    if start == end:
        return f"unit {count_text(end)}"
    return f"units {count_text(start)}-{count_text(end)}"


def _patient_responsibility(codes) -> bool:
    """Whether a line's Denial Codes are all patient responsibility (PR-1 deductible, PR-2
    coinsurance, PR-3 copay ...): the payer processed the line and assigned it to the client,
    so a missing authorization no longer decides whether it is paid."""
    if not codes or not isinstance(codes, (tuple, list)):
        return False
    from ..denials import BILL_PATIENT, decide

    return decide(tuple(str(c) for c in codes))[0] == BILL_PATIENT


@rule(
    "AUTH001", title="Authorization required but missing", severity="error", column=AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=USES,
    why="The payer pays these sessions only under a prior authorization; a claim without one is denied (CARC 197).",
    fix="Enter the authorization number from the payer's approval letter; if there is none, request one (retro-authorization is rarely granted).",
    bad=Example(lines=({},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-2', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Payer': 'Plain Plan'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-2', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_missing(ctx):
    """Flags a line with no Auth Number (on the line or its claim) for a payer whose Auth
    Required is Y, when no authorization on the sheet covers it (90791/90792 are exempt unless
    the payer's Eval Counts Toward Auth is Y).  A line whose Denial Codes the payer put all on
    the client (group PR) is not flagged."""
    m = ctx.auth_matching
    out = [(idx, f"{brief(payer) if payer else 'the payer'} requires prior authorization and this line has no Auth Number; enter it")
           for idx, payer, codes in zip(m.labels(m.required_without_sheet), m.required_without_sheet_payer,
                                        _cells(ctx, "denial_codes", m.required_without_sheet))
           if not _patient_responsibility(codes)]
    pos = m.uncovered
    for idx, payer, client, day, cpt, codes in zip(m.labels(pos), m.uncovered_payer, _cells(ctx, "client_id", pos),
                                                   _dos_texts(ctx, pos), _cells(ctx, "cpt", pos),
                                                   _cells(ctx, "denial_codes", pos)):
        if _patient_responsibility(codes):
            continue
        what = f" for {brief(cpt)}" if isinstance(cpt, str) else ""
        when = f" on {day}" if day is not None else ""
        out.append((idx, f"{brief(payer) if payer else 'the payer'} requires prior authorization; this line has no Auth Number and "
                         f"no authorization on the sheet covers client {brief(client) if client else '(no Client ID)'}{when}{what}"))
    return out


@rule(
    "AUTH002", title="Authorization number not on the Authorizations sheet", severity="error", column=AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=USES,
    why="An authorization that is not tracked cannot be checked for dates, codes or visits left; a mistyped number is denied by the payer.",
    fix="Add the authorization to the Authorizations sheet, or correct the number on the line.",
    bad=Example(lines=({'Auth Number': 'A-9'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Auth Number': ' a-1 '},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_unknown(ctx):
    """Flags an Auth Number that is not on the Authorizations sheet."""
    m = ctx.auth_matching
    return [(idx, f"auth {brief(number)} is not on the Authorizations sheet; add the authorization or correct the number")
            for idx, number in zip(m.labels(m.unknown), m.unknown_number)]


def _positions(found: list) -> np.ndarray:
    return np.array([p for _, _, p in found], dtype=np.intp)


def _tied(ctx, keep: np.ndarray) -> list[tuple]:
    """(label, authorization, position) of the numbered lines tied to a record (``m.tied``) that
    one of the matching's flags (``keep``, aligned with ``m.tied``) marks."""
    m = ctx.auth_matching
    pos = m.tied[keep]
    return list(zip(m.labels(pos), (ctx.book.authorizations[i] for i in m.tied_auth[keep].tolist()), pos.tolist()))


@rule(
    "AUTH003", title="Authorization belongs to another client or payer", severity="error", column=AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=USES,
    why="An authorization covers one member with one payer; on another client's claim or another payer's claim it is denied.",
    fix="Use this client's authorization for this payer, or correct the Client ID or payer on the line.",
    bad=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-2', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': '', 'Payer': '', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_other_client(ctx):
    """Flags a line whose authorization is for a different Client ID or payer."""
    clients = _tied(ctx, ctx.auth_matching.other_client)
    payers = _tied(ctx, ctx.auth_matching.other_payer)
    out = [(idx, f"{brief(a.auth_number)} is for client {brief(a.client_id)}, not {brief(client)}; correct the auth number or the "
                 f"Client ID") for (idx, a, _), client in zip(clients, _cells(ctx, "client_id", _positions(clients)))]
    out += [(idx, f"{brief(a.auth_number)} was issued by {brief(a.payer)}, but this line bills {brief(payer)}; correct the auth number "
                  f"or the payer") for (idx, a, _), payer in zip(payers, _cells(ctx, "payer", _positions(payers)))]
    return out


@rule(
    "AUTH004", title="Date of service outside the authorization", severity="error", column="DOS",
    needs=("auth_number",), row_level=False, uses=USES,
    why="Sessions before the start date or after the end date are not authorized and are denied (CARC 197/198).",
    fix="Bill the authorization that covers the date, or request a new or extended authorization before billing.",
    bad=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-05-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-06-01', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_outside_dates(ctx):
    """Flags a DOS before the authorization's Start Date or after its End Date (both inclusive)."""
    found = _tied(ctx, ctx.auth_matching.outside)
    days = _dos_texts(ctx, _positions(found))
    return [(idx, f"DOS {day} is outside {brief(a.auth_number)} ({_dates_text(a)}); the payer denies sessions outside the "
                  f"authorized dates") for (idx, a, _), day in zip(found, days)]


@rule(
    "AUTH005", title="Procedure code not covered by the authorization", severity="error", column="CPT",
    needs=("auth_number",), row_level=False, uses=USES,
    why="An authorization for some codes does not cover the others, even close ones (90837 is not authorized by an approval for 90834).",
    fix="Bill a covered code if it describes the session, or ask the payer to add the code to the authorization.",
    bad=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits', 'Codes Covered': '90837'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits', 'Codes Covered': '90832-90838'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_code_not_covered(ctx):
    """Flags a code not in the authorization's Codes Covered (blank Codes Covered means all)."""
    found = _tied(ctx, ctx.auth_matching.not_covered)
    cpts = _cells(ctx, "cpt", _positions(found))
    return [(idx, f"{brief(cpt)} is not covered by {brief(a.auth_number)} (covers {brief_list(a.codes_covered)}); bill a covered "
                  f"code or ask the payer to add {brief(cpt)}") for (idx, a, _), cpt in zip(found, cpts)]


@rule(
    "AUTH006", title="Rendering provider not on the authorization", severity="error", column="Rendering NPI",
    needs=("auth_number",), row_level=False, uses=USES,
    why="Provider-specific authorizations pay only the named clinician; another provider's sessions are denied (CARC 15).",
    fix="Bill under the authorized provider if they gave the session, or ask the payer to add this provider.",
    bad=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits', 'Rendering NPI': '1456789019'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits', 'Rendering NPI': '1234567893'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_wrong_provider(ctx):
    """Flags a line whose Rendering NPI differs from the authorization's (blank means any)."""
    found = _tied(ctx, ctx.auth_matching.wrong_npi)
    npis = _cells(ctx, "rendering_npi", _positions(found))
    return [(idx, f"{brief(a.auth_number)} is for rendering NPI {brief(a.rendering_npi)}; this line's provider is {brief(npi)}")
            for (idx, a, _), npi in zip(found, npis)]


def _numbered_lines(ctx, near) -> list[tuple[int, Authorization, float, float]]:
    """(label, authorization, first number, last number) of the numbered lines, in sheet order,
    whose authorization's count is known and for which ``near(last number, authorized)`` holds
    (arrays in, boolean array out), so that the rules word only a few lines."""
    m, auths = ctx.auth_matching, ctx.book.authorizations
    authorized = np.array([np.nan if a.authorized is None else float(a.authorized) for a in auths])
    known = np.array([a.authorized is not None for a in auths], dtype=bool)
    with np.errstate(invalid="ignore"):
        keep = np.flatnonzero(known[m.using_auth] & ~np.isnan(m.seq_end) & near(m.seq_end, authorized[m.using_auth]))
    return list(zip(m.labels(m.using[keep]), (auths[i] for i in m.using_auth[keep].tolist()),
                    m.seq_start[keep].tolist(), m.seq_end[keep].tolist()))


@rule(
    "AUTH007", title="Session over the authorized count", severity="error", column=AUTH_COLUMN,
    row_level=False, uses=USES,
    why="The payer pays only the visits or units it authorized; every session past the count is denied.",
    fix="Request more visits or units (ask for a retroactive extension for sessions already given) before billing these lines.",
    bad=Example(lines=({'Claim ID': 'W0', 'DOS': '2026-05-18', 'Auth Number': 'A-1'}, {'Claim ID': 'W1', 'DOS': '2026-05-25', 'Auth Number': 'A-1'}, {'Claim ID': 'W2', 'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 2, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Claim ID': 'C0', 'DOS': '2026-05-25', 'Auth Number': 'A-1'}, {'Auth Number': 'A-1'}, {'Minutes': None, 'CPT': '90785', 'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 2, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_over_count(ctx):
    """Flags every line past the authorized count, numbering the authorization's lines in date
    order: "session 13 of 12 authorized" (visits) or "units 41-44 of 40 authorized"."""
    out = []
    for idx, auth, start, end in _numbered_lines(ctx, lambda end, authorized: ~(end <= authorized)):
        if end <= auth.authorized:
            continue
        if auth.unit_type == "Units":
            over = end - max(auth.authorized, start - 1)
            out.append((idx, f"{_units_span(start, end)} of {count_text(auth.authorized)} authorized on "
                             f"{brief(auth.auth_number)}: {plural(over, 'unit')} over"))
        else:
            out.append((idx, f"session {count_text(end)} of {count_text(auth.authorized)} authorized on "
                             f"{brief(auth.auth_number)}; request more visits before billing it"))
    return out


@rule(
    "AUTH008", title="Authorization nearly used up", severity="warning", column=AUTH_COLUMN,
    row_level=False, uses=USES,
    why="Authorizations take days to renew; when the last visits are used without a new one, the next sessions go unpaid.",
    fix="Request the next authorization now, with the treatment plan and progress notes.",
    bad=Example(lines=({'Claim ID': 'W0', 'DOS': '2026-05-25', 'Auth Number': 'A-1'}, {'Claim ID': 'W1', 'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 4, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Claim ID': 'W0', 'DOS': '2026-05-25', 'Auth Number': 'A-1'}, {'Claim ID': 'W1', 'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 5, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_nearly_used(ctx):
    """Warns once per authorization, on its latest line, when that line leaves 2 visits or
    fewer, or 10% of the units or fewer (an authorization already over its count is AUTH007's)."""
    # The array pre-filter keeps every line within the larger of the two margins, or over.
    margin = lambda end, authorized: ~(authorized - end > np.maximum(NEAR_VISITS, NEAR_UNITS_SHARE * authorized))  # noqa: E731
    latest: dict[int, tuple] = {}  # authorization -> its line with the highest number (the last such in sheet order)
    for idx, auth, start, end in _numbered_lines(ctx, margin):
        now = latest.get(id(auth))
        if now is None or end >= now[3]:
            latest[id(auth)] = (idx, auth, start, end)
    out = []
    for idx, auth, start, end in latest.values():
        if end > auth.authorized:
            continue
        left = auth.authorized - end
        if auth.unit_type == "Units":
            if left <= NEAR_UNITS_SHARE * auth.authorized:
                rest = "no units left after it" if left == 0 else f"{plural(left, 'unit')} left"
                out.append((idx, f"{_units_span(start, end)} of {count_text(auth.authorized)} authorized on "
                                 f"{brief(auth.auth_number)}: {rest}; request more now"))
        elif left <= NEAR_VISITS:
            rest = "no visits left after it" if left == 0 else f"{plural(left, 'visit')} left"
            out.append((idx, f"session {count_text(end)} of {count_text(auth.authorized)} authorized on "
                             f"{brief(auth.auth_number)}: {rest}; request more now"))
    return out


@rule(
    "AUTH009", title="Authorization expiring with visits left", severity="info", column=AUTH_COLUMN,
    row_level=False, uses=USES,
    why="Visits or units not used by the end date are lost, and sessions after it need a new authorization.",
    fix="Schedule the remaining sessions before the end date, or request an extension or the next authorization.",
    bad=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-07-10', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-07-20', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_expiring(ctx):
    """Notes, on the latest line of an authorization, that it ends within 14 days of the as-of
    date with visits or units left."""
    m, auths = ctx.auth_matching, ctx.book.authorizations
    use = used_as_of(m, auths, ctx.as_of)
    last = m.last_lines(len(auths))
    out = []
    for ai, auth in enumerate(auths):
        if last[ai] is None or auth.end_date is None or auth.authorized is None:
            continue
        days = (auth.end_date - ctx.as_of).days
        left = auth.authorized - use[ai]
        if not 0 <= days <= EXPIRING_DAYS or left <= 0:
            continue
        when = "today" if days == 0 else f"in {plural(days, 'day')}"
        out.append((m.labels(last[ai]), f"{brief(auth.auth_number)} ends {auth.end_date.isoformat()} ({when}) with "
                                        f"{count_text(left)} of {plural(auth.authorized, _unit_word(auth))} left; "
                                        f"schedule them or request an extension"))
    return out


@rule(
    "AUTH010", title="Authorization matched to a line without a number", severity="info", column=AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=USES,
    why="The payer needs the authorization number on the claim (box 23 / REF*G1); claimcheck found the one authorization that covers the line and counted the session against it.",
    fix="Enter the authorization number the finding names in Auth Number before billing.",
    bad=Example(lines=({},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_matched(ctx):
    """Notes a line with no Auth Number tied to the single authorization covering it (same
    client and payer, dates, code, provider), which it is counted against."""
    m, auths = ctx.auth_matching, ctx.book.authorizations
    return [(idx, f"no Auth Number; {brief(auths[i].auth_number)} is the one authorization covering this line, counted "
                  f"against it; enter {brief(auths[i].auth_number)} in Auth Number")
            for idx, i in zip(m.labels(m.matched), m.matched_auth.tolist())]


@rule(
    "AUTH011", title="Several authorizations could cover a line without a number", severity="error",
    column=AUTH_COLUMN, needs=("auth_number",), row_level=False, uses=USES,
    why="With overlapping authorizations the payer applies the number on the claim; without one the claim is denied and the visit cannot be counted.",
    fix="Enter the authorization number the session belongs to.",
    bad=Example(lines=({},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'}, {'Auth Number': 'A-2', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-05-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'}, {'Auth Number': 'A-2', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-05-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits', 'Codes Covered': '90837'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_ambiguous(ctx):
    """Flags a line with no Auth Number, for a payer that requires one, when two or more
    authorizations cover it."""
    m, auths = ctx.auth_matching, ctx.book.authorizations
    return [(idx, f"no Auth Number and {len(found)} authorizations cover this line "
                  f"({brief_list(sorted({auths[i].auth_number for i in found}))}); enter the one the payer should apply")
            for idx, found in zip(m.labels(m.ambiguous), m.ambiguous_auths)]


@rule(
    "AUTH012", title="No Authorizations sheet", severity="info", column=AUTH_COLUMN,
    needs=("auth_number",), row_level=False, uses=USES,
    why="Without the Authorizations sheet the auth numbers on the lines cannot be checked for dates, codes, provider or visits left.",
    fix="Add an Authorizations sheet with Auth Number, Client ID, Payer, Start Date, End Date and Authorized (one row per authorization).",
    bad=Example(lines=({'Claim ID': 'W0', 'DOS': '2026-05-18', 'Auth Number': 'A-1'}, {'Claim ID': 'W1', 'DOS': '2026-05-25', 'Auth Number': 'A-1'}, {'Claim ID': 'W2', 'Auth Number': 'A-1'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
    good=Example(lines=({'Claim ID': 'W0', 'DOS': '2026-05-18', 'Auth Number': 'A-1'}, {'Claim ID': 'W1', 'DOS': '2026-05-25', 'Auth Number': 'A-1'}, {'Claim ID': 'W2', 'Auth Number': 'A-1'},),
                 authorizations=({'Auth Number': 'A-1', 'Client ID': 'CL-1', 'Payer': 'Acme Health', 'Start Date': '2026-01-01', 'End Date': '2026-12-31', 'Authorized': 12, 'Unit Type': 'Visits'},),
                 payers={'Acme Health': {'Auth Required': 'Y'}, 'Gov Medicaid': {'Auth Required': 'Y', 'Eval Counts Toward Auth': 'Y'}}),
)
def auth_sheet_missing(ctx):
    """Reports once, on the first line with an auth number, that there is no usable
    Authorizations sheet, instead of flagging every line."""
    m = ctx.auth_matching
    count = len(m.numbered_without_sheet)
    if not count:
        return None
    return [(m.labels(m.numbered_without_sheet[0]), f"no usable Authorizations sheet, so the auth numbers on "
                                                     f"{plural(count, 'line')} cannot be checked (dates, codes, "
                                                     f"provider, visits left); add the sheet with Auth Number, Start "
                                                     f"Date, End Date and Authorized")]
