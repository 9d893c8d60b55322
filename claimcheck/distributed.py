"""Checking millions of service lines on a Dask cluster (optional extra ``dask``).

The engine is a function from a claims DataFrame (plus the small reference sheets) to findings.
Every cross-row rule looks only inside a group of lines that belong together: a client's lines
(same-day pairs, duplicates, the day's psychotherapy code), a claim's lines (add-ons, denials,
one claim for one client) and an authorization's lines (visits used, over the count).  So the
lines can be split into partitions, checked independently and the findings concatenated, as long
as each such group stays in one partition.  :func:`check_dask` makes sure of that: it keys every
line by its client (Client ID, else Member ID, else its claim - as the rules do), joins the keys
of clients that share a Claim ID or an Auth Number (rare, and exactly the lines DUP002 and the
AUTH rules must see together), shuffles on that key and runs the engine per partition with
``map_partitions``.  The reference sheets (Authorizations, Payers, Providers) are small and go to
every partition.

The claims come as a Dask DataFrame of raw cell values with the workbook's headers as columns
(any contract name or synonym) - for example one Parquet dataset written from many workbooks -
and an optional ``row`` column with each line's Excel row number (default: numbered 2, 3, ... in
order, as if the header were on row 1).  The result is a pandas DataFrame of findings, the same
findings in the same order as one run of the engine over all lines.

    import dask.dataframe as dd
    from claimcheck.distributed import check_dask, reference_tables
    claims = dd.read_parquet("s3://billing/claims/")           # millions of lines
    refs = reference_tables("reference.xlsx")                    # Payers, Providers, Authorizations
    findings = check_dask(claims, refs, as_of=date(2026, 6, 30))
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pandas as pd

from . import columns as C
from . import values as V
from .reader import RawTable, match_headers, read_workbook

ROW = "row"
_KEY = "__claimcheck_part"
FINDING_COLUMNS = ["sheet", "row", "claim_id", "column", "code", "severity", "message"]


def reference_tables(path: str | os.PathLike, engine: str = "auto") -> dict[str, RawTable]:
    """The Authorizations, Payers and Providers sheets of a workbook, to pass to every partition."""
    raw = read_workbook(path, engine=engine)
    return {k: t for k, t in raw.items() if k != "Claims"}


def claims_frame(path: str | os.PathLike, engine: str = "auto") -> tuple[pd.DataFrame, dict[str, RawTable]]:
    """A workbook's Claims lines as a pandas DataFrame of raw values (the sheet's headers as
    columns, plus ``row``) and its reference tables - the input :func:`check_dask` takes."""
    raw = read_workbook(path, engine=engine)
    table = raw["Claims"]
    names = _unique_headers(table.headers)
    width = len(names)
    data = [tuple(vals[:width]) + (None,) * (width - len(vals)) for _, vals in table.rows]
    frame = pd.DataFrame(data, columns=names, dtype=object)
    frame[ROW] = [r for r, _ in table.rows]
    frame.attrs["claimcheck_header_row"] = table.header_row
    frame.attrs["claimcheck_sheet"] = table.sheet
    return frame, {k: t for k, t in raw.items() if k != "Claims"}


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        name = h or f"Column{i + 1}"
        if name in seen or name == ROW:
            name = f"{name}.{i + 1}"
        seen[name] = i
        out.append(name)
    return out


# --------------------------------------------------------------------------- one partition


def check_frame(part: pd.DataFrame, refs: dict[str, RawTable] | None = None, as_of: dt.date | None = None, *,
                header_row: int = 1, sheet: str = "Claims", tables_dir: str | None = None) -> pd.DataFrame:
    """Run the engine over one pandas DataFrame of raw claim lines; findings as a DataFrame."""
    from .book import build_book
    from .engine import run_rules
    from .rules import load_all
    from .tables import tables as load_tables

    load_all()
    part = part.sort_values(ROW, kind="stable") if ROW in part.columns else part
    headers = [c for c in part.columns if c not in (ROW, _KEY)]
    positions = match_headers(tuple(headers), C.lookup(C.CLAIMS))
    wanted = sorted(positions.values())
    if ROW in part.columns:
        numbers = [int(r) for r in part[ROW]]
    else:
        numbers = list(range(header_row + 1, header_row + 1 + len(part)))
    rows = []
    for number, vals in zip(numbers, part[headers].itertuples(index=False, name=None)):
        vals = tuple(None if _missing(v) else v for v in vals)
        if all(V.is_blank(vals[p]) for p in wanted):
            continue  # a blank line, skipped as the reader skips it
        rows.append((number, vals))
    table = RawTable(sheet=sheet, kind="Claims", header_row=header_row, headers=list(headers),
                     positions=positions, rows=rows)
    raw = {"Claims": table, **(refs or {})}
    book = build_book(raw, load_tables(tables_dir))
    findings = run_rules(book, as_of or dt.date.today())
    return pd.DataFrame([f.as_dict() for f in findings], columns=FINDING_COLUMNS)


def _missing(value: Any) -> bool:
    try:
        return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)
    except Exception:
        return False


# --------------------------------------------------------------------------- keys


def _text(value: Any) -> str | None:
    if _missing(value):
        return None
    text, _ = V.read_text(value)
    return text


def _line_keys(part: pd.DataFrame) -> pd.DataFrame:
    """Per line: the client key the rules group by, the claim and the authorization number."""
    headers = [c for c in part.columns if c not in (ROW, _KEY)]
    pos = match_headers(tuple(headers), C.lookup(C.CLAIMS))

    def column(field: str) -> list:
        if field not in pos:
            return [None] * len(part)
        return [_text(v) for v in part[headers[pos[field]]]]

    client, member, claim = column("client_id"), column("member_id"), column("claim_id")
    auth = [a.strip().upper() if a else None for a in column("auth_number")]
    who = [c if c is not None else (m if m is not None else "claim:" + (k or "")) for c, m, k in zip(client, member, claim)]
    # Lines without a Claim ID are one claim "" to the denial rules: keep them together too.
    return pd.DataFrame({"who": who, "claim": [k or "" for k in claim], "auth": auth}, index=part.index)


class _Union:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _joined_clients(keys) -> dict[str, str]:
    """Client key -> the key of its group, for clients tied by a shared Claim ID or Auth Number
    (only those few come back from the cluster)."""
    union = _Union()
    for field in ("claim", "auth"):
        sub = keys[~keys[field].isna()][[field, "who"]].drop_duplicates()
        counts = sub.groupby(field)["who"].count()
        shared = counts[counts > 1]
        shared = list((shared.compute() if hasattr(shared, "compute") else shared).index)
        pairs = sub[sub[field].isin(shared)]
        pairs = pairs.compute() if hasattr(pairs, "compute") else pairs
        first: dict[str, str] = {}
        for value, who in zip(pairs[field], pairs["who"]):
            if value in first:
                union.join(first[value], who)
            else:
                first[value] = who
    return {k: union.find(k) for k in list(union.parent)}


# --------------------------------------------------------------------------- the cluster


def check_dask(claims, refs: dict[str, RawTable] | None = None, as_of: dt.date | None = None, *,
               npartitions: int | None = None, header_row: int = 1, sheet: str = "Claims",
               tables_dir: str | None = None) -> pd.DataFrame:
    """Check a Dask DataFrame of raw claim lines partition by partition; the findings (a pandas
    DataFrame, columns as the JSON report) are those of one engine run over all the lines."""
    import dask.dataframe as dd

    as_of = as_of or dt.date.today()
    if ROW not in claims.columns:
        claims = claims.assign(**{ROW: 1})
        claims[ROW] = claims[ROW].cumsum() + header_row
    keys = claims.map_partitions(_line_keys, meta={"who": object, "claim": object, "auth": object})
    joined = _joined_clients(keys)
    part_key = keys["who"].map(lambda w: joined.get(w, w), meta=("who", object))
    claims = claims.assign(**{_KEY: part_key})
    claims = claims.shuffle(on=_KEY, npartitions=npartitions or claims.npartitions)
    meta = pd.DataFrame({c: pd.Series(dtype="int64" if c == ROW else object) for c in FINDING_COLUMNS})
    meta["row"] = meta["row"].astype("Int64")
    found = claims.map_partitions(_check_partition, refs or {}, as_of, header_row, sheet, tables_dir, meta=meta)
    return combine(found.compute(), sheet=sheet, header_row=header_row)


def _check_partition(part: pd.DataFrame, refs, as_of, header_row, sheet, tables_dir) -> pd.DataFrame:
    if part.empty:
        out = pd.DataFrame(columns=FINDING_COLUMNS)
    else:
        out = check_frame(part.drop(columns=[_KEY]), refs, as_of, header_row=header_row, sheet=sheet,
                          tables_dir=tables_dir)
    out["row"] = out["row"].astype("Int64")
    return out


def combine(findings: pd.DataFrame, *, sheet: str = "Claims", header_row: int = 1) -> pd.DataFrame:
    """Findings of several partitions as one run gives them: book-level findings (missing
    columns, unusable or unreadable reference sheets) once, REQ006 (a payer missing from the
    Payers sheet) only on the payer's first line, in the engine's order."""
    from .models import SEVERITY_ORDER

    if findings.empty:
        return findings.reset_index(drop=True)
    f = findings.copy()
    book_level = (f["sheet"] != sheet) | (f["row"] == header_row) | f["row"].isna()
    once = f[book_level].drop_duplicates()
    lines = f[~book_level]
    req6 = lines["code"] == "REQ006"
    first6 = lines[req6].sort_values("row", kind="stable").drop_duplicates("message")
    f = pd.concat([lines[~req6], first6, once]).reset_index(drop=True)
    order = pd.DataFrame({
        "other": f["sheet"] != sheet,
        "row": f["row"].fillna(0).astype("int64"),
        "sev": f["severity"].map(SEVERITY_ORDER),
        "code": f["code"],
        "column": f["column"],
    })
    order = order.sort_values(["other", "row", "sev", "code", "column"], kind="stable")
    return f.loc[order.index].reset_index(drop=True)
