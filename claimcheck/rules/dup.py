"""DUP: the same service billed twice, and one Claim ID shared by different clients."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import NOT_BILLED_KEYS
from ..values import brief
from .registry import rule
from ._util import combine_codes, day, first_positions, per_line, run_client_codes, run_codes, run_empty_code


@rule(
    "DUP001", title="Same service billed twice", severity="error", column="CPT", needs=("dos", "cpt"), row_level=False,
    why="Two lines with the same client, date, code, modifiers and payer are a duplicate claim (CARC 18): the second is denied and repeated duplicates draw audits.",
    fix="Remove the repeated line; if the service truly happened twice, bill it once with the total units or mark the repeat with 76/77 or 59 as the payer directs.",
    bad=[{}, {'Claim ID': 'C2'}],
    good=[{}, {'Claim ID': 'C2', 'Modifiers': '76'}],
)
def duplicate_service(ctx):
    """Flags every line after the first with the same client, DOS, code, modifiers (in any
    order) and payer, naming the first line.  The same service billed to a second payer, or to
    the same payer as another Payer Order (Secondary, Tertiary), is coordination of benefits,
    not a duplicate; a line whose Status is Void, Cancelled or No Show
    is not a billed service, so its rebill does not repeat it."""
    c = ctx.claims
    # Billed lines with a DOS and a code, grouped by integer ids of (client, DOS, code, payer);
    # only lines sharing those with another line can repeat one, so the modifiers are compared
    # just there.
    dos_k, dos_u = run_codes(ctx, "dos")
    cpt_k, cpt_u = run_codes(ctx, "cpt")
    payer_k = run_codes(ctx, "payer_key")[0]
    if "payer_order" in c and c["payer_order"].notna().any():
        # the same payer as primary and as secondary (Payer Order) is not a duplicate; blank is Primary
        order = c["payer_order"].map(lambda v: "" if v is None or str(v).strip().capitalize() == "Primary"
                                     else str(v).strip().capitalize())
        payer_k = combine_codes(payer_k, pd.factorize(order)[0])
    billed = ~c["status_key"].isin(NOT_BILLED_KEYS).to_numpy() if "status_key" in c else True
    lines = np.flatnonzero((dos_k != run_empty_code(ctx, "dos")) & (cpt_k != run_empty_code(ctx, "cpt")) & billed)
    if not len(lines):
        return None
    group = combine_codes(run_client_codes(ctx)[lines], dos_k[lines], cpt_k[lines], payer_k[lines])
    lines = lines[np.bincount(group)[group] >= 2]
    if not len(lines):
        return None
    # The modifiers in a fixed order, worked out once per distinct Modifiers cell.
    mod_k, mod_u = run_codes(ctx, "modifiers")
    same_set = pd.factorize(np.array([_modifier_set(m) for m in mod_u], dtype=object))[0]
    group = combine_codes(run_client_codes(ctx)[lines], dos_k[lines], cpt_k[lines], payer_k[lines],
                          same_set[mod_k[lines]])
    first = first_positions(group)[group]  # per line: its group's first line (in ``lines``)
    dup = np.flatnonzero(first != np.arange(len(lines)))
    if not len(dup):
        return None
    rows = c["row"].to_numpy()
    first_claim = _first_claim_ids(lines, group, c["claim_id"].to_numpy(dtype=object), dup, first)
    days = per_line(dos_u, dos_k[lines[dup]], day)
    codes = per_line(cpt_u, cpt_k[lines[dup]])
    return [(idx, f"same client, date ({d}), code {code} and modifiers as row {row} ({_claim_named(fc)}); remove one")
            for idx, d, code, row, fc in zip(c.index[lines[dup]], days, codes, rows[lines[first[dup]]].tolist(), first_claim)]


def _claim_named(claim_id) -> str:
    """How a message names the claim of the line repeated: its Claim ID, or that it has none."""
    return "no Claim ID" if claim_id is None or (isinstance(claim_id, float) and claim_id != claim_id) or claim_id == "" \
        else f"claim {claim_id}"


def _modifier_set(m) -> str:
    """The modifiers of a line in a fixed order (the order they were typed in does not matter)."""
    return "" if m is None or (isinstance(m, float) and m != m) else " ".join(sorted(m))


def _first_claim_ids(lines, group, claims, dup, first) -> list:
    """The Claim ID named for each repeated line: its group's first line's."""
    named = claims[lines[first[dup]]]
    if not pd.isna(named).any():
        return named.tolist()
    # Some group's first line has no Claim ID: name the group's first non-empty one, exactly as
    # pandas' groupby "first" over the repeated lines always did (NaN or None when none has one).
    repeated = np.flatnonzero(np.bincount(group)[group] >= 2)
    firsts = pd.Series(claims[lines[repeated]], dtype=object).groupby(group[repeated]).transform("first")
    return firsts.to_numpy(dtype=object)[np.searchsorted(repeated, dup)].tolist()


@rule(
    "DUP002", title="One Claim ID used for different clients or payers", severity="error", column="Claim ID",
    needs=("claim_id",), row_level=False,
    why="The lines of one claim go to one payer for one client; mixing them sends services to the wrong payer or member.",
    fix="Give the lines of each client and payer their own Claim ID.",
    bad=[{}, {'Client ID': 'CL-2', 'Member ID': 'M200', 'Minutes': None, 'CPT': '90785'}],
    good=[{}, {'Claim ID': 'C2', 'Client ID': 'CL-2', 'Member ID': 'M200'}],
)
def claim_id_mixed(ctx):
    """Flags lines whose Claim ID is shared with a line of another client or payer."""
    c = ctx.claims
    claim, claim_u = run_codes(ctx, "claim_id")
    who, payer = run_client_codes(ctx), run_codes(ctx, "payer_key")[0]
    # A claim is mixed when some line differs from the claim's first line in client or payer
    # (claim integers are numbered in order of first appearance).
    first = first_positions(claim)[claim]
    odd = (who != who[first]) | (payer != payer[first])
    odd &= claim != run_empty_code(ctx, "claim_id")
    if not odd.any():
        return None
    mixed = np.zeros(len(claim_u), dtype=bool)
    mixed[claim[odd]] = True
    lines = np.flatnonzero(mixed[claim])
    claim = pd.factorize(claim[lines])[0]

    # Distinct values of ``key`` per claim (neither key is ever empty): distinct (claim, key)
    # pairs counted per claim.
    def nunique(key: np.ndarray) -> np.ndarray:
        pair = combine_codes(claim, key[lines])
        claim_of_pair = np.zeros(pair.max() + 1, dtype=np.intp)
        claim_of_pair[pair] = claim
        return np.bincount(claim_of_pair)[claim]

    out = []
    for idx, cid, nc, np_ in zip(c.index[lines], c["claim_id"].to_numpy(dtype=object)[lines], nunique(who).tolist(), nunique(payer).tolist()):
        what = "clients" if nc > 1 else "payers"
        out.append((idx, f"claim {brief(cid)} has lines for {max(nc, np_)} different {what}; split them into separate claims"))
    return out
