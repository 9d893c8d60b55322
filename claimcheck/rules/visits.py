"""Payer visit limits per year (AUTH013): the Payers sheet's ``Visits Per Year``.

Many plans cap outpatient behavioral-health visits per benefit year whether or not an
authorization is needed (Texas Medicaid, for example, 30 outpatient encounters per calendar year
before prior authorization: TMHP Behavioral Health Services Handbook); a visit past the cap is
denied as a benefit maximum (CARC 119).  Visits are counted as the payer counts an
authorization's (``Auth Visits Per``): each primary service line, or each date.
"""

from __future__ import annotations

import numpy as np

from .. import columns as C
from ._util import run_client_key
from .examples import Example
from .registry import rule

_NOT_SERVICES = frozenset(map(C.status_key, C.NOT_BILLED_STATUSES + C.NOT_BILLED_SPELLINGS))


@rule(
    "AUTH013", title="Visits over the payer's yearly limit", severity="error", column="DOS",
    needs=("payer", "dos"), row_level=False,
    why="A plan that limits visits per client per year denies every visit past the limit as a benefit maximum "
        "(CARC 119), whether or not the visits were authorized (for example Texas Medicaid: 30 outpatient "
        "behavioral-health encounters per calendar year, then prior authorization - TMHP Behavioral Health "
        "Services Handbook). Visits at other practices count too, so the payer may reach the limit sooner.",
    fix="Check the client's remaining benefit with the payer; request an exception or authorization for more visits "
        "before billing these, or tell the client they may be billed (with the payer's notice where required).",
    bad=Example(lines=({'Claim ID': 'W1', 'DOS': '2026-05-18'}, {'Claim ID': 'W2', 'DOS': '2026-05-25'},
                       {'Claim ID': 'W3'}),
                payers={'Acme Health': {'Visits Per Year': 2}}),
    good=Example(lines=({'Claim ID': 'W1', 'DOS': '2025-12-29'}, {'Claim ID': 'W2', 'DOS': '2026-05-25'},
                        {'Claim ID': 'W3'}),
                 payers={'Acme Health': {'Visits Per Year': 2}}),
)
def over_yearly_visits(ctx):
    """Flags each visit of a client with a payer past the payer's Visits Per Year in a calendar
    year: the lines of the client (Client ID, else Member ID) and payer, by date then row, each
    primary (not add-on) service line a visit, or each date where the payer's Auth Visits Per is
    Date; add-ons share the visit before them and are flagged with it.  Void, Cancelled and No
    Show lines are not visits; lines without a readable DOS are left out."""
    c, book = ctx.claims, ctx.book
    capped = {key: p for key, p in book.payers.items() if p.visits_per_year}
    if not capped or "payer_key" not in c.columns:
        return []
    payer_key = c["payer_key"].to_numpy(dtype=object)
    lines = np.flatnonzero(np.isin(payer_key, list(capped)))
    if not len(lines):
        return []
    days = c["dos"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")[lines]
    status = c["status_key"].to_numpy(dtype=object)[lines] if "status_key" in c.columns else np.full(len(lines), "")
    keep = ~np.isnat(days) & ~np.isin(status, list(_NOT_SERVICES))
    lines, days = lines[keep], days[keep]
    procs = ctx.tables.procedures
    cpts = c["cpt"].to_numpy(dtype=object)[lines].tolist()
    clients = run_client_key(ctx).to_numpy(dtype=object)[lines].tolist()
    rows = c["row"].to_numpy()[lines].tolist() if "row" in c.columns else lines.tolist()
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    groups: dict = {}
    for i, (client, key, year) in enumerate(zip(clients, payer_key[lines].tolist(), years.tolist())):
        groups.setdefault((client, key, year), []).append(i)
    index, labels = c.index, lines
    out = []
    for (client, key, year), members in groups.items():
        payer = capped[key]
        members.sort(key=lambda i: (days[i], rows[i]))
        visits, last_day, day_has_visit = 0, None, False
        for i in members:
            primary = not (cpts[i] in procs and procs[cpts[i]].addon)
            if days[i] != last_day:
                last_day, day_has_visit = days[i], False
            if primary and not (payer.auth_visits_per == "Date" and day_has_visit):
                visits += 1
                day_has_visit = True
            if visits > payer.visits_per_year and (primary or day_has_visit):
                who = "this client" if str(client).startswith("claim:") else f"client {client}"
                out.append((index[labels[i]], f"visit {visits} in {year} for {who} with {payer.name}, which allows "
                                              f"{payer.visits_per_year} a year; the payer denies visits past its limit"))
    return out
