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
    from .rules.registry import get

    severity = get(code).severity
    return Finding(sheet=sheet, row=row, claim_id=claim_id, column=column.name, code=code,
                   severity=severity, message=f"{column.name} {problem}")


def normalise(table: RawTable, schema: tuple[C.Column, ...]) -> tuple[pd.DataFrame, list[Finding]]:
    """Typed columns for one raw table, plus a finding for each value that could not be read."""
    n = len(table.rows)
    data: dict[str, list] = {"row": [r for r, _ in table.rows]}
    problems: list[Finding] = []
    id_pos = table.positions.get("claim_id")
    claim_ids = [
        (V.read_text(vals[id_pos])[0] or "") if id_pos is not None and id_pos < len(vals) else ""
        for _, vals in table.rows
    ]
    for col in schema:
        pos = table.positions.get(col.field)
        if pos is None:
            empty = _EMPTY.get(col.kind)
            data[col.field] = [empty] * n if empty is not None else [None] * n
            continue
        reader = _READERS[col.kind]
        bad = [False] * n
        cache: dict[Any, tuple[Any, str | None]] = {}
        out = []
        for i, (rownum, vals) in enumerate(table.rows):
            raw = vals[pos] if pos < len(vals) else None
            try:
                res = cache[(type(raw), raw)]
            except KeyError:
                try:
                    res = reader(raw)
                except Exception:  # a reader bug must never lose the line
                    res = (None, "could not be read")
                try:
                    cache[(type(raw), raw)] = res
                except TypeError:
                    pass
            except TypeError:
                res = reader(raw)
            value, problem = res
            if problem:
                problems.append(_column_problem(table.sheet, rownum, claim_ids[i], col, problem))
                bad[i] = True
            if value is None and col.kind in _EMPTY:
                value = ()
            out.append(value)
        data[col.field] = out
        if any(bad):
            data[col.field + "__bad"] = bad
    # Object columns keep None for an empty cell (pandas 3 would infer a string dtype with NaN).
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    frame["row"] = frame["row"].astype("int64")
    for col in schema:
        if col.kind in ("date", "private_date"):
            frame[col.field] = pd.to_datetime(frame[col.field], errors="coerce")
        elif col.kind == "number":
            frame[col.field] = pd.to_numeric(frame[col.field], errors="coerce").astype("float64")
    return frame, problems


def build_book(raw: dict[str, RawTable], tables: CodeTables | None = None) -> Book:
    """Normalise the raw tables of a workbook (or of Excel ranges) into a :class:`Book`."""
    tables = tables or load_tables()
    claims_raw = raw["Claims"]
    claims, reading = normalise(claims_raw, C.CLAIMS)
    claims["units_given"] = claims["units"].notna()
    claims["units"] = claims["units"].fillna(1.0)
    claims["payer_key"] = claims["payer"].map(lambda p: (p or "").strip().upper())
    claims["status_key"] = claims["status"].map(lambda s: (s or "").strip().capitalize())

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
