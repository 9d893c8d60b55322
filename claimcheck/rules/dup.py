"""DUP: the same service billed twice, and one Claim ID shared by different clients."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .registry import rule
from ._util import day, group_ids, map_unique, run_client_key


@rule(
    "DUP001", title="Same service billed twice", severity="error", column="CPT", needs=("dos", "cpt"), row_level=False,
    why="Two lines with the same client, date, code and modifiers are a duplicate claim (CARC 18): the second is denied and repeated duplicates draw audits.",
    fix="Remove the repeated line; if the service truly happened twice, bill it once with the total units or mark the repeat with 76/77 or 59 as the payer directs.",
)
def duplicate_service(ctx):
    """Flags every line after the first with the same client, DOS, code and modifiers (in any
    order), naming the first line."""
    c = ctx.claims
    keyed = pd.DataFrame({
        "who": run_client_key(ctx),
        "dos": c["dos"],
        "cpt": c["cpt"],
        "mods": map_unique(c["modifiers"], lambda m: " ".join(sorted(m or ()))),
    }, index=c.index)
    keyed = keyed[keyed["dos"].notna() & keyed["cpt"].notna()]
    dup = keyed.duplicated(["who", "dos", "cpt", "mods"], keep="first")
    if not dup.any():
        return None
    idx = keyed.index[dup]
    # Only the lines of repeated services matter for "first": group just those.
    keyed = keyed[keyed.duplicated(["who", "dos", "cpt", "mods"], keep=False)]
    first_row = c.loc[keyed.index, "row"].groupby([keyed["who"], keyed["dos"], keyed["cpt"], keyed["mods"]], dropna=False).transform("first")
    first_claim = c.loc[keyed.index, "claim_id"].groupby([keyed["who"], keyed["dos"], keyed["cpt"], keyed["mods"]], dropna=False).transform("first")
    return [(i, f"same client, date ({day(c.at[i, 'dos'])}), code {c.at[i, 'cpt']} and modifiers as row {int(first_row[i])} (claim {first_claim[i]}); remove one")
            for i in idx]


@rule(
    "DUP002", title="One Claim ID used for different clients or payers", severity="error", column="Claim ID",
    needs=("claim_id",), row_level=False,
    why="The lines of one claim go to one payer for one client; mixing them sends services to the wrong payer or member.",
    fix="Give the lines of each client and payer their own Claim ID.",
)
def claim_id_mixed(ctx):
    """Flags lines whose Claim ID is shared with a line of another client or payer."""
    c = ctx.claims
    has_id = c["claim_id"].notna()
    sub = c[has_id]
    if sub.empty:
        return None
    who = run_client_key(ctx)[has_id]
    # nunique per claim (neither key is ever empty): distinct (claim, key) pairs counted per claim.
    claim = group_ids(sub["claim_id"])

    def nunique(key: pd.Series) -> pd.Series:
        pair = group_ids(sub["claim_id"], key)
        claim_of_pair = np.zeros(pair.max() + 1, dtype=np.int64)
        claim_of_pair[pair] = claim
        return pd.Series(np.bincount(claim_of_pair, minlength=claim.max() + 1)[claim], index=sub.index)

    n_clients = nunique(who)
    n_payers = nunique(sub["payer_key"])
    mask = (n_clients > 1) | (n_payers > 1)
    out = []
    for idx, claim, nc, np_ in zip(sub.index[mask], sub.loc[mask, "claim_id"], n_clients[mask], n_payers[mask]):
        what = "clients" if nc > 1 else "payers"
        out.append((idx, f"claim {claim} has lines for {max(nc, np_)} different {what}; split them into separate claims"))
    return out
