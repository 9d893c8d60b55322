"""The checked workbook: raw tables normalised into typed columns and records.

Claims become one pandas DataFrame, one row per service line, with the contract's columns
as typed fields (dates as ``datetime64``, numbers as floats, code lists as tuples) plus ``row``
(the Excel row number).  Every value that could not be read becomes a finding on that cell.
Payers, providers and authorizations become pydantic records.
"""


from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from . import columns as C
from .deadlines import default_appeal_days
from .models import Authorization, Client, Coverage, Enrollment, Finding, Payer, Provider
from .normalise import column_problem, map_unique, normalise, normalise_with_reads
from .reader import RawTable
from .tables import CodeTables, tables as load_tables


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
    #: The Provider Enrollment sheet's rows, and the Coverage sheet's (empty without the sheet).
    enrollments: list[Enrollment] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    #: The Clients sheet's rows by Client ID (upper case; empty without the sheet).
    clients: dict[str, Client] = field(default_factory=dict)
    #: The defaults of each payer asked for that is not on the Payers sheet (rules ask once per
    #: line), with the sheet's ``*`` row they were made from.
    missing_payers: dict = field(default_factory=dict, repr=False, compare=False)

    def payer(self, name: str | None) -> Payer:
        """The payer's settings, or the documented defaults for a payer not on the sheet."""
        key = (name or "").strip().upper()
        if key in self.payers:
            return self.payers[key]
        # Rules ask once per line: build a missing payer's defaults once per name.
        found = self.missing_payers.get(name or "")
        if found is None or found[0] is not self.payers.get("*"):
            found = self.missing_payers[name or ""] = (self.payers.get("*"), default_payer(name or "", self.tables, self.payers.get("*")))
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
        follow_up_days=int(float(d.get("Follow-up Days") or 30)),
        telehealth_modifier=(d.get("Telehealth Modifier") or "").upper(),
        auth_required=(d.get("Auth Required") or "N").upper().startswith("Y"),
        eval_counts_toward_auth=(d.get("Eval Counts Toward Auth") or "N").upper().startswith("Y"),
        auth_visits_per=d.get("Auth Visits Per") or "Service",
        note_sign_days=_setting_days(d.get("Note Sign Days")),
        plan_review_days=_setting_days(d.get("Plan Review Days")),
        on_sheet=False,
    )


def _setting_days(text: str | None) -> int | None:
    """A payer_defaults.csv number of days (validated when the tables load), None when empty."""
    return int(float(text)) if text and text.strip() else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` (the same Python values), built a column at a time."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in columns))]


def _record(model: type[BaseModel], values: dict[str, Any], defaults: dict[str, Any], sheet: str, row: int,
            columns: dict[str, C.Column], reading: list[Finding]):
    """One reference-sheet row as ``model``: the row's read ``values`` (None for an empty or
    unreadable cell, which takes its value from ``defaults``).  A cell the model refuses becomes
    a finding on that cell (as a cell that could not be read does) and takes its default too."""
    data = {**defaults, **{k: v for k, v in values.items() if v is not None}}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    for error in errors:
        field = str(error["loc"][0])
        cause = (error.get("ctx") or {}).get("error")
        reading.append(column_problem(sheet, row, "", columns[field], str(cause or error["msg"])))
        if field in defaults:
            data[field] = defaults[field]
        else:
            data.pop(field, None)
    return model.model_validate(data)


def _cell(value: Any) -> Any:
    """A read cell as a record takes it: None for empty (None, NaN, NaT), a date for a date."""
    if value is None or (not isinstance(value, (str, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _mark_uncalculated(claims: pd.DataFrame, table: RawTable) -> None:
    """Cells holding a formula Excel never calculated read as empty, but are not known to be:
    they are marked as not readable (``<field>__bad``), so no rule reports them as empty."""
    cells = getattr(table, "uncalculated", None)
    if not cells or not len(claims):
        return
    fields = {pos: f for f, pos in table.positions.items()}
    at = pd.Series(np.arange(len(claims)), index=claims["row"].to_numpy())
    for row, pos in cells:
        name = fields.get(pos)
        if name is None or name not in claims.columns or row not in at.index:
            continue
        flag = name + "__bad"
        if flag not in claims.columns:
            claims[flag] = pd.Series(False, index=claims.index, dtype=object)
        claims.iloc[int(at[row]), claims.columns.get_loc(flag)] = True


def _uncalculated_finding(table: RawTable) -> Finding:
    from .rules.registry import get

    from .extent import cell_name

    rule = get("REQ008")
    cells = sorted(table.uncalculated)
    n, worked = len(cells), table.worked_out
    simple = f"{worked} simple formula{'s' if worked != 1 else ''} (DATE, arithmetic on numbers)"
    if not cells:
        message = (f"{simple} Excel has not calculated yet {'were' if worked != 1 else 'was'} worked out here; "
                   "open and save the file in Excel, or recalculate")
    else:
        first = ", ".join(cell_name(r, c + 1) for r, c in cells[:3]) + (" ..." if n > 3 else "")
        message = (f"{n} cell{'s' if n != 1 else ''} ({first}) hold{'s' if n == 1 else ''} formulas Excel has not "
                   "calculated yet: open and save the file in Excel, or recalculate; they are not checked as empty"
                   + (f"; {simple} {'were' if worked != 1 else 'was'} worked out" if worked else ""))
    return Finding(sheet=table.sheet, row=None, claim_id="", column="", code=rule.code, severity=rule.severity,
                   message=message)


def build_book(raw: dict[str, RawTable], tables: CodeTables | None = None) -> Book:
    """Normalise the raw tables of a workbook (or of Excel ranges) into a :class:`Book`."""
    tables = tables or load_tables()
    claims_raw = raw["Claims"]
    claims, reading, reads = normalise_with_reads(claims_raw, C.CLAIMS)
    _mark_uncalculated(claims, claims_raw)
    claims["units_given"] = claims["units"].notna()
    claims["units"] = claims["units"].fillna(1.0)
    claims["payer_key"] = map_unique(claims["payer"], lambda p: (p or "").strip().upper(), reads.get("payer"))
    claims["status_key"] = map_unique(claims["status"], C.status_key, reads.get("status"))

    payers: dict[str, Payer] = {}
    providers: dict[str, Provider] = {}
    auths: list[Authorization] = []

    # The reference sheets: each row read cell by cell (a cell that cannot be read is a finding),
    # then checked by its record model (a cell the model refuses is a finding too).
    if "Payers" in raw and raw["Payers"].positions:
        sheet = raw["Payers"].sheet
        frame, problems = normalise(raw["Payers"], C.PAYERS)
        reading += problems
        columns = {c.field: c for c in C.PAYERS}
        for rec in _records(frame):
            if not rec.get("name"):
                continue
            base = default_payer(rec["name"], tables)
            key = rec["name"].strip().upper()
            values = {f: _cell(rec.get(f)) for f in columns}
            values["telehealth_modifier"] = values["telehealth_modifier"] or ""  # blank: none, not the default's
            defaults = base.model_dump(include={"timely_filing_days", "appeal_days", "follow_up_days", "auth_required",
                                                "eval_counts_toward_auth", "auth_visits_per", "note_sign_days", "plan_review_days"})
            payer = _record(Payer, {**values, "on_sheet": True, "row": int(rec["row"])}, defaults, sheet,
                            int(rec["row"]), columns, reading)
            if values.get("appeal_days") is None or payer.appeal_days != values["appeal_days"]:  # blank or refused
                by_type = default_appeal_days(payer.payer_type, tables.payer_defaults)
                if by_type is not None:
                    payer = payer.model_copy(update={"appeal_days": by_type, "appeal_days_assumed": True})
            payers[key if key not in ("DEFAULT", "*") else "*"] = payer

    if "Providers" in raw and raw["Providers"].positions:
        sheet = raw["Providers"].sheet
        frame, problems = normalise(raw["Providers"], C.PROVIDERS)
        reading += problems
        columns = {c.field: c for c in C.PROVIDERS}
        for rec in _records(frame):
            if rec.get("npi"):
                values = {f: _cell(rec.get(f)) for f in columns}
                providers[rec["npi"]] = _record(Provider, {**values, "row": int(rec["row"])}, {}, sheet,
                                                int(rec["row"]), columns, reading)

    if "Authorizations" in raw and raw["Authorizations"].positions:
        sheet = raw["Authorizations"].sheet
        frame, problems = normalise(raw["Authorizations"], C.AUTHORIZATIONS)
        reading += problems
        columns = {c.field: c for c in C.AUTHORIZATIONS}
        for rec in _records(frame):
            if not rec.get("auth_number"):
                continue
            values = {f: _cell(rec.get(f)) for f in columns}
            values["codes_covered"] = tuple(values["codes_covered"] or ())
            auths.append(_record(Authorization, {**values, "row": int(rec["row"])}, {}, sheet,
                                 int(rec["row"]), columns, reading))

    enrollments = _reference_records(raw, "Provider Enrollment", C.ENROLLMENT, Enrollment, "npi", reading)
    coverage = _reference_records(raw, "Coverage", C.COVERAGE, Coverage, "client_id", reading)
    clients = {c.client_id.strip().upper(): c
               for c in _reference_records(raw, "Clients", C.CLIENTS, Client, "client_id", reading)}

    from .rules.registry import get

    for kind, table in raw.items():
        for row, why in getattr(table, "skipped", ()):
            rule = get("REQ009")
            reading.append(Finding(sheet=table.sheet, row=None, claim_id="", column="", code=rule.code,
                                   severity=rule.severity,
                                   message=f"row {row} is {why}; it is not checked as a claim line"))
        if getattr(table, "uncalculated", None) or getattr(table, "worked_out", 0):
            reading.append(_uncalculated_finding(table))
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
        enrollments=enrollments,
        coverage=coverage,
        clients=clients,
    )


def _reference_records(raw: dict[str, RawTable], kind: str, schema: tuple[C.Column, ...], model: type[BaseModel],
                       needed: str, reading: list[Finding]) -> list:
    """The rows of an optional reference sheet as ``model`` records (rows without ``needed``
    are skipped); a cell that cannot be read or that the model refuses is a finding."""
    table = raw.get(kind)
    if table is None or not table.positions:
        return []
    frame, problems = normalise(table, schema)
    reading += problems
    columns = {c.field: c for c in schema}
    out = []
    for rec in _records(frame):
        if not rec.get(needed):
            continue
        values = {f: _cell(rec.get(f)) for f in columns}
        out.append(_record(model, {**values, "row": int(rec["row"])}, {}, table.sheet, int(rec["row"]), columns, reading))
    return out
