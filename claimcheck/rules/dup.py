"""DUP: the same service billed twice, and one Claim ID shared by different clients."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .registry import rule
from ._util import combine_codes, day, first_positions, run_client_codes, run_codes, run_empty_code


@rule(
    "DUP001", title="Same service billed twice", severity="error", column="CPT", needs=("dos", "cpt"), row_level=False,
    why="Two lines with the same client, date, code and modifiers are a duplicate claim (CARC 18): the second is denied and repeated duplicates draw audits.",
    fix="Remove the repeated line; if the service truly happened twice, bill it once with the total units or mark the repeat with 76/77 or 59 as the payer directs.",
)
def duplicate_service(ctx):
    """Flags every line after the first with the same client, DOS, code and modifiers (in any
    order), naming the first line."""
    c = ctx.claims
    # Lines with a DOS and a code, grouped by integer ids of (client, DOS, code, modifiers).
    dos_k, dos_u = run_codes(ctx, "dos")
    cpt_k, cpt_u = run_codes(ctx, "cpt")
    lines = np.flatnonzero((dos_k != run_empty_code(ctx, "dos")) & (cpt_k != run_empty_code(ctx, "cpt")))
    if not len(lines):
        return None
    group = combine_codes(run_client_codes(ctx)[lines], dos_k[lines], cpt_k[lines], _modifier_codes(ctx)[lines])
    first = first_positions(group)[group]  # per line: its group's first line (in ``lines``)
    dup = np.flatnonzero(first != np.arange(len(lines)))
    if not len(dup):
        return None
    rows = c["row"].to_numpy()
    claims = c["claim_id"].to_numpy(dtype=object)
    first_claim = _first_claim_ids(lines, group, claims, dup, first)
    return [(idx, f"same client, date ({day(dos_u[dos_k[pos]])}), code {cpt_u[cpt_k[pos]]} and modifiers as row {int(rows[lines[f]])} (claim {fc}); remove one")
            for idx, pos, f, fc in zip(c.index[lines[dup]], lines[dup], first[dup], first_claim)]


def _modifier_codes(ctx) -> np.ndarray:
    """Per line: one integer per set of modifiers (the order they were typed in does not matter)."""
    def canonical(m) -> str:
        return "" if m is None or (isinstance(m, float) and m != m) else " ".join(sorted(m))
    try:
        codes, uniques = run_codes(ctx, "modifiers")
    except TypeError:  # unhashable cells (lists): one string per line instead
        return pd.factorize(ctx.claims["modifiers"].map(canonical))[0]
    return pd.factorize(np.array([canonical(m) for m in uniques], dtype=object))[0][codes]


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
)
def claim_id_mixed(ctx):
    """Flags lines whose Claim ID is shared with a line of another client or payer."""
    c = ctx.claims
    claim_k, claim_u = run_codes(ctx, "claim_id")
    lines = np.flatnonzero(claim_k != run_empty_code(ctx, "claim_id"))
    if not len(lines):
        return None
    claim = claim_k[lines]

    # Distinct values of ``key`` per claim (neither key is ever empty): distinct (claim, key)
    # pairs counted per claim.
    def nunique(key: np.ndarray) -> np.ndarray:
        pair = combine_codes(claim, key[lines])
        claim_of_pair = np.zeros(pair.max() + 1, dtype=np.int64)
        claim_of_pair[pair] = claim
        return np.bincount(claim_of_pair, minlength=len(claim_u))[claim]

    n_clients = nunique(run_client_codes(ctx))
    n_payers = nunique(run_codes(ctx, "payer_key")[0])
    mask = (n_clients > 1) | (n_payers > 1)
    if not mask.any():
        return None
    out = []
    for idx, cid, nc, np_ in zip(c.index[lines[mask]], claim_u[claim[mask]], n_clients[mask].tolist(), n_payers[mask].tolist()):
        what = "clients" if nc > 1 else "payers"
        out.append((idx, f"claim {cid} has lines for {max(nc, np_)} different {what}; split them into separate claims"))
    return out
