"""The checked workbook: raw tables normalised into typed columns and records.

Claims become one pandas DataFrame, one row per service line, with the contract's columns
as typed fields (dates as ``datetime64``, numbers as floats, code lists as tuples) plus ``row``
(the Excel row number).  Every value that could not be read becomes a finding on that cell.
Payers, providers and authorizations become pydantic records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import columns as C
from . import values as V
from .models import Authorization, Finding, Payer, Provider
from .reader import RawTable
from .tables import CodeTables, tables as load_tables

_MIN_DATE = dt.date(1900, 1, 1)
_MAX_DATE = dt.date(2199, 12, 31)


def _read_plausible_date(value: Any):
    day, problem = V.read_date(value)
    if day is not None and not (_MIN_DATE <= day <= _MAX_DATE):
        return None, f"{day.isoformat()} is outside the years 1900-2199"
    return day, problem


def _read_npi(value: Any):
    # An NPI typed as a number is the same NPI; keep leading text as typed otherwise.
    text, problem = V.read_text(value)
    if text is not None:
        text = text.replace(" ", "").replace("-", "")
    return text, problem


_READERS: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
    "text": V.read_text,
    "private": V.read_text,
    "date": _read_plausible_date,
    "private_date": _read_plausible_date,
    "number": V.read_number,
    "procedure": V.read_procedure,
    "modifiers": V.read_modifiers,
    "dx": V.read_dx_list,
    "pos": V.read_pos,
    "codes": V.read_code_list,
    "flag": V.read_flag,
    "npi": _read_npi,
}

_EMPTY = {"modifiers": (), "dx": (), "codes": ()}


@dataclass
class Book:
    """Everything the rules look at."""

    claims: pd.DataFrame
    present: set[str]  # claim fields whose column exists
    header_row: int
    claims_sheet: str
    payers: dict[str, Payer]
    providers: dict[str, Provider]
    authorizations: list[Authorization]
    reading: list[Finding] = field(default_factory=list)  # findings raised while reading
    sheets_present: set[str] = field(default_factory=set)
    tables: CodeTables | None = None

    def payer(self, name: str | None) -> Payer:
        """The payer's settings, or the documented defaults for a payer not on the sheet."""
        key = (name or "").strip().upper()
        if key in self.payers:
            return self.payers[key]
        # Rules ask once per line: build a missing payer's defaults once per name.
        memo = self.__dict__.setdefault("_default_payers", {})
        found = memo.get(name or "")
        if found is None or found[0] is not self.payers.get("*"):
            found = memo[name or ""] = (self.payers.get("*"), default_payer(name or "", self.tables, self.payers.get("*")))
        return found[1]


def default_payer(name: str, tables: CodeTables | None = None, base: Payer | None = None) -> Payer:
    """Documented defaults (``claimcheck/data/payer_defaults.csv``), or the Payers sheet's
    ``*`` / ``Default`` row when it has one."""
    if base is not None:
        return base.model_copy(update={"name": name, "on_sheet": False, "row": None})
    d = (tables or load_tables()).payer_defaults
    return Payer(
        name=name,
        timely_filing_days=int(float(d.get("Timely Filing Days") or 90)),
        appeal_days=int(float(d.get("Appeal Days") or 120)),
        telehealth_modifier=(d.get("Telehealth Modifier") or "").upper(),
        auth_required=(d.get("Auth Required") or "N").upper().startswith("Y"),
        eval_counts_toward_auth=(d.get("Eval Counts Toward Auth") or "N").upper().startswith("Y"),
        on_sheet=False,
    )


# --------------------------------------------------------------------------- normalising

def _severity(code: str) -> str:
    from .rules.registry import REGISTRY, get

    rule = REGISTRY.get(code)
    return (rule if rule is not None else get(code)).severity


def _column_problem(sheet: str, row: int, claim_id: str, column: C.Column, problem: str) -> Finding:
    if "Excel error" in problem:
        code = "REQ003"
    elif column.field == "charge":
        code = "CHG002"
    elif column.field == "units":
        code = "CHG004"
    else:
        code = "REQ002"
    if column.kind.startswith("private"):
        # Never echo a private value: say only that it could not be read.
        problem = "cell shows an Excel error" if code == "REQ003" else "could not be read"
    severity = _severity(code)
    return Finding(sheet=sheet, row=row, claim_id=claim_id, column=column.name, code=code,
                   severity=severity, message=f"{column.name} {problem}")


def _column_values(table: RawTable, pos: int, columns: list[tuple]) -> list | tuple:
    """The raw values of one column, None where a row is shorter than ``pos`` (``columns`` holds
    the columns every row reaches)."""
    if pos < len(columns):
        return columns[pos]
    return [vals[pos] if pos < len(vals) else None for _, vals in table.rows]


#: Types whose values never equal a value of another type (1 == 1.0 == True, and a pandas
#: Timestamp equals a datetime, so a column mixing other types is read with a (type, value) key).
_DISTINCT_TYPES = (str, type(None))


def _read_column(values: list, reader: Callable[[Any], tuple[Any, str | None]],
                 guard: bool = True) -> tuple[list, list]:
    """``reader`` over a column, called once per distinct (type, value): the values and the
    problems, cell by cell.  With ``guard`` a reader exception reads as "could not be read"."""
    types = set(map(type, values))
    if sum(1 for t in types if t not in _DISTINCT_TYPES) <= 1:
        try:
            results: dict = dict.fromkeys(values)
        except TypeError:  # an unhashable cell
            results = None
        if results is not None:
            for raw in results:
                results[raw] = _guarded(reader, raw) if guard else reader(raw)
            found = list(map(results.__getitem__, values))
            return [r[0] for r in found], [r[1] for r in found]
    # Mixed numbers or unhashable cells: read cell by cell with a (type, value) cache.
    cache: dict = {}
    out = []
    for raw in values:
        try:
            res = cache[(type(raw), raw)]
        except KeyError:
            res = cache[(type(raw), raw)] = _guarded(reader, raw) if guard else reader(raw)
        except TypeError:
            res = reader(raw)
        out.append(res)
    return [r[0] for r in out], [r[1] for r in out]


def _guarded(reader, raw):
    try:
        return reader(raw)
    except Exception:  # a reader bug must never lose the line
        return (None, "could not be read")


def normalise(table: RawTable, schema: tuple[C.Column, ...]) -> tuple[pd.DataFrame, list[Finding]]:
    """Typed columns for one raw table, plus a finding for each value that could not be read."""
    n = len(table.rows)
    row_numbers = [r for r, _ in table.rows]
    data: dict[str, list] = {"row": row_numbers}
    problems: list[Finding] = []
    columns = list(zip(*(vals for _, vals in table.rows)))  # as far as every row reaches
    id_pos = table.positions.get("claim_id")
    read_ids = None
    if id_pos is not None:
        read_ids = _read_column(_column_values(table, id_pos, columns), V.read_text, guard=False)
        claim_ids = [i or "" for i in read_ids[0]]
    else:
        claim_ids = [""] * n
    for col in schema:
        pos = table.positions.get(col.field)
        if pos is None:
            empty = _EMPTY.get(col.kind)
            data[col.field] = [empty] * n if empty is not None else [None] * n
            continue
        if pos == id_pos and _READERS[col.kind] is V.read_text:
            out, found = read_ids  # the same cells read the same way
        else:
            out, found = _read_column(_column_values(table, pos, columns), _READERS[col.kind])
        if col.kind in _EMPTY:
            out = [() if value is None else value for value in out]
        data[col.field] = out
        if any(found):
            bad = [False] * n
            for i, problem in enumerate(found):
                if problem:
                    problems.append(_column_problem(table.sheet, row_numbers[i], claim_ids[i], col, problem))
                    bad[i] = True
            data[col.field + "__bad"] = bad
    # Object columns keep None for an empty cell (pandas 3 would infer a string dtype with NaN).
    # Columns are typed before the frame is built: one construction, no per-column assignment
    # (that cost milliseconds on the one-line books of CHECK_CLAIM).
    order = list(data)
    typed: dict[str, pd.Series] = {"row": pd.Series(np.fromiter(data.pop("row"), dtype=object, count=n), dtype=object).astype("int64")}
    for col in schema:
        if col.kind in ("date", "private_date"):
            typed[col.field] = pd.to_datetime(pd.Series(np.fromiter(data.pop(col.field), dtype=object, count=n), dtype=object),
                                              errors="coerce")
        elif col.kind == "number":
            typed[col.field] = pd.to_numeric(pd.Series(np.fromiter(data.pop(col.field), dtype=object, count=n), dtype=object),
                                             errors="coerce").astype("float64")
    objects = pd.DataFrame({k: np.fromiter(v, dtype=object, count=n) for k, v in data.items()}, dtype=object,
                           index=pd.RangeIndex(n))
    frame = pd.concat([objects, pd.DataFrame(typed)], axis=1)[order]
    return frame, problems


def _map_unique(column: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``column.map(func)`` for text columns (str or None), ``func`` called once per distinct value."""
    values = column.tolist()
    if not all(v is None or type(v) is str for v in values):
        return column.map(func)
    results = {v: func(v) for v in dict.fromkeys(values)}
    return pd.Series(list(map(results.__getitem__, values)), index=column.index)


def build_book(raw: dict[str, RawTable], tables: CodeTables | None = None) -> Book:
    """Normalise the raw tables of a workbook (or of Excel ranges) into a :class:`Book`."""
    tables = tables or load_tables()
    claims_raw = raw["Claims"]
    claims, reading = normalise(claims_raw, C.CLAIMS)
    claims["units_given"] = claims["units"].notna()
    claims["units"] = claims["units"].fillna(1.0)
    claims["payer_key"] = _map_unique(claims["payer"], lambda p: (p or "").strip().upper())
    claims["status_key"] = _map_unique(claims["status"], lambda s: (s or "").strip().capitalize())

    payers: dict[str, Payer] = {}
    providers: dict[str, Provider] = {}
    auths: list[Authorization] = []

    if "Payers" in raw and raw["Payers"].positions:
        frame, problems = normalise(raw["Payers"], C.PAYERS)
        reading += problems
        for rec in frame.to_dict("records"):
            if not rec.get("name"):
                continue
            base = default_payer(rec["name"], tables)
            key = rec["name"].strip().upper()
            payer = Payer(
                name=rec["name"],
                payer_id=rec.get("payer_id") or "",
                timely_filing_days=int(rec["timely_filing_days"]) if pd.notna(rec.get("timely_filing_days")) else base.timely_filing_days,
                appeal_days=int(rec["appeal_days"]) if pd.notna(rec.get("appeal_days")) else base.appeal_days,
                telehealth_modifier=(rec.get("telehealth_modifier") or "").upper().strip(),
                auth_required=bool(rec["auth_required"]) if rec.get("auth_required") is not None else base.auth_required,
                eval_counts_toward_auth=bool(rec["eval_counts_toward_auth"]) if rec.get("eval_counts_toward_auth") is not None else base.eval_counts_toward_auth,
                appeal_address=rec.get("appeal_address") or "",
                appeal_fax=rec.get("appeal_fax") or "",
                phone=rec.get("phone") or "",
                on_sheet=True,
                row=int(rec["row"]),
            )
            payers[key if key not in ("DEFAULT", "*") else "*"] = payer

    if "Providers" in raw and raw["Providers"].positions:
        frame, problems = normalise(raw["Providers"], C.PROVIDERS)
        reading += problems
        for rec in frame.to_dict("records"):
            if rec.get("npi"):
                providers[rec["npi"]] = Provider(
                    npi=rec["npi"], name=rec.get("name") or "", credential=rec.get("credential") or "",
                    taxonomy=rec.get("taxonomy") or "", row=int(rec["row"]))

    if "Authorizations" in raw and raw["Authorizations"].positions:
        frame, problems = normalise(raw["Authorizations"], C.AUTHORIZATIONS)
        reading += problems
        for rec in frame.to_dict("records"):
            if not rec.get("auth_number"):
                continue
            unit = (rec.get("unit_type") or "Visits").strip().lower()
            auths.append(Authorization(
                auth_number=rec["auth_number"],
                client_id=rec.get("client_id") or "",
                payer=rec.get("payer") or "",
                start_date=rec["start_date"].date() if pd.notna(rec.get("start_date")) else None,
                end_date=rec["end_date"].date() if pd.notna(rec.get("end_date")) else None,
                authorized=float(rec["authorized"]) if pd.notna(rec.get("authorized")) else None,
                unit_type="Units" if unit.startswith("unit") else "Visits",
                codes_covered=tuple(rec.get("codes_covered") or ()),
                rendering_npi=rec.get("rendering_npi") or "",
                notes=rec.get("notes") or "",
                row=int(rec["row"]),
            ))

    from .rules.registry import get

    for kind, table in raw.items():
        problem = getattr(table, "problem", None)
        if problem:
            rule = get("REQ007")
            reading.append(Finding(sheet=table.sheet, row=None, claim_id="", column="", code=rule.code,
                                   severity=rule.severity, message=f"{problem}; it is ignored"))
    return Book(
        claims=claims,
        present=claims_raw.present(),
        header_row=claims_raw.header_row,
        claims_sheet=claims_raw.sheet,
        payers=payers,
        providers=providers,
        authorizations=auths,
        reading=reading,
        sheets_present={k for k, t in raw.items() if t.positions},
        tables=tables,
    )
