"""Running the rules: a function from a checked workbook (claims DataFrame and its reference
sheets) to findings.  Every rule runs; all findings are collected, never only the first."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from .book import Book
from .models import SEVERITY_ORDER, Finding, FindingTable
from .rules.registry import Rule, all_rules


@dataclass
class Context:
    """What a rule sees: the book, the date treated as today, the code tables, and the shared
    analyses of this run (:data:`STAGES`), each computed once by the engine before the first rule
    that declares it in ``uses``.  A Context lives for one run over one book."""

    book: Book
    as_of: dt.date
    #: Stage ``auth_matching``: every claim line tied to its authorization and numbered
    #: (:func:`claimcheck.auth.match_authorizations`); set before the AUTH rules run.
    auth_matching: Any = None
    #: Stage ``denial_decisions``: one decision per Denied claim (:func:`claimcheck.denials.
    #: claim_decisions`), made after the CPT/MOD/DX/POS/NPI rules, whose findings name the fixes.
    denial_decisions: Any = None
    #: Per-column codes and groupings several rules read (``claimcheck.rules._util.memo``).
    shared: dict = field(default_factory=dict)
    #: How this run makes a stage (set by :func:`run_rules`; read the stages with :meth:`stage`).
    make_stage: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    def stage(self, name: str) -> Any:
        """The stage ``name`` of this run (:data:`STAGES`): the value the rules that read it saw,
        or, when no rule of the run asked for it, made now from the rules it reads (as a rule
        asking for it would have).  The buttons, the text report and the checked copy read the
        authorization matching and the denial decisions here instead of making their own."""
        if getattr(self, name) is None and self.make_stage is not None:
            self.make_stage(name)
        return getattr(self, name)

    @property
    def claims(self) -> pd.DataFrame:
        return self.book.claims

    @property
    def tables(self):
        return self.book.tables

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    def has(self, *fields: str) -> bool:
        return all(f in self.book.present for f in fields)


@dataclass(frozen=True)
class Stage:
    """A shared analysis: the Context field it fills, the rule families whose findings it reads
    (they run first, reported or not), and how it is made from the context and those findings."""

    name: str
    make: Callable[[Context, Sequence[Finding]], Any]
    after: tuple[str, ...] = ()


def _match_authorizations(ctx: Context, findings: Sequence[Finding]):
    from .auth import match_authorizations

    return match_authorizations(ctx.book, ctx)


def _denial_decisions(ctx: Context, findings: Sequence[Finding]):
    from .denials import claim_decisions, fixes_by_row

    return claim_decisions(ctx.book, ctx.as_of, statuses=("Denied",), fixes=fixes_by_row(findings))


STAGES: dict[str, Stage] = {
    "auth_matching": Stage("auth_matching", _match_authorizations),
    # (the families of claimcheck.denials.FIX_FAMILIES)
    "denial_decisions": Stage("denial_decisions", _denial_decisions, after=("CPT", "MOD", "DX", "POS", "NPI")),
}


# Column field -> contract header, for "cannot check" messages.
def _header_of(field_name: str) -> str:
    from .columns import CLAIMS

    for col in CLAIMS:
        if col.field == field_name:
            return col.name
    return field_name


class _Lines:
    """Each claim line's sheet row and Claim ID by position in the claims DataFrame, as object
    arrays made once per run, when the first finding needs them; position -1 (a label not in the
    frame) gives no row and no Claim ID."""

    def __init__(self, claims: pd.DataFrame):
        self.claims = claims
        self._arrays: tuple[np.ndarray, np.ndarray] | None = None

    def rows_and_claim_ids(self) -> tuple[np.ndarray, np.ndarray]:
        if self._arrays is None:
            row = self.claims["row"]
            if row.dtype.kind in "iu":  # (every row known, as the reader gives them: whole numbers already)
                rows = row.tolist()
            else:
                rows = [int(r) if known else None for r, known in zip(row.tolist(), row.notna().tolist())]
            ids = [c if isinstance(c, str) else "" for c in self.claims["claim_id"].tolist()]
            self._arrays = (_objects(rows + [None]), _objects(ids + [""]))
        return self._arrays


def _objects(values: list) -> np.ndarray:
    """The values as a one-dimensional object array (to take many at once by position)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _found(rule: Rule, result, claims: pd.DataFrame, sheet: str, lines: _Lines | None = None) -> FindingTable:
    """A rule's result as findings: a Series of messages by claims label (NaN/None for none), a
    DataFrame with ``message`` (and optionally ``column``), or (label, message) pairs."""
    if result is None:
        return FindingTable()
    columns = None
    if isinstance(result, pd.Series):
        result = result.dropna()
        labels, messages = result.index, result.tolist()
    elif isinstance(result, pd.DataFrame):
        labels, messages = result.index, result["message"].tolist()
        if "column" in result.columns:
            columns = [c or rule.column for c in result["column"].tolist()]
    else:
        pairs = list(result)
        if not pairs:
            return FindingTable()
        labels = [i for i, _ in pairs]
        messages = [m for _, m in pairs]
    if not messages:
        return FindingTable()
    # Taken by position as whole columns: per-finding .iloc calls dominated large workbooks.
    positions = claims.index.get_indexer(labels)
    if columns is None:
        columns = [rule.column] * len(messages)
    kept = [message is not None and not (isinstance(message, float) and message != message) for message in messages]
    if not all(kept):
        positions = positions[np.array(kept, dtype=bool)]
        messages, columns = list(compress(messages, kept)), list(compress(columns, kept))
    rows, claim_ids = (lines or _Lines(claims)).rows_and_claim_ids()
    n = len(messages)
    return FindingTable(sheet=[sheet] * n, row=rows[positions].tolist(), claim_id=claim_ids[positions].tolist(),
                        column=columns, code=[rule.code] * n, severity=[rule.severity] * n,
                        message=list(map(str, messages)))


def _runnable(rule: Rule, book: Book) -> bool:
    return rule.func is not None and rule.status == "stable" and all(f in book.present for f in rule.needs)


def in_engine_order(table: FindingTable, claims_sheet: str) -> FindingTable:
    """The findings in the engine's order - the Claims sheet first, then by row, severity, code
    and column - sorted as columns: each key becomes whole numbers (a value's place among the
    distinct values), numpy sorts by them, and findings alike in every key keep their order."""
    n = len(table)
    if n < 2:
        return table

    def places(values) -> np.ndarray:
        place = {v: k for k, v in enumerate(sorted(set(values)))}
        return np.fromiter(map(place.__getitem__, values), dtype=np.intp, count=n)

    rows = np.array(table.row, dtype=np.float64)  # sheet rows, exact as floats; None (NaN) sorts as 0
    rows[np.isnan(rows)] = 0
    keys = (np.arange(n, dtype=np.intp), places(table.column), places(table.code),
            np.fromiter(map(SEVERITY_ORDER.__getitem__, table.severity), dtype=np.intp, count=n),
            rows, np.array(table.sheet, dtype=object) != claims_sheet)
    return table.reordered(np.lexsort(keys).tolist())  # (lexsort's last key sorts first)


def run_rules(book: Book, as_of: dt.date | None = None, *, row_level_only: bool = False,
              select: Iterable[str] | None = None,
              progress: Callable[[str], None] | None = None, context: Context | None = None) -> FindingTable:
    """All findings for the book, sorted by row then severity then code, as a
    :class:`FindingTable` (a sequence of findings).  ``select`` keeps the rules of those codes or
    families; a stage a selected rule uses runs the rules it reads first, whether selected or
    not.  ``context``: the run's :class:`Context` (a new one when not given), whose stages the
    caller reads afterwards (:meth:`Context.stage`)."""
    if context is not None and context.book is not book:
        raise ValueError("the context given is another book's")
    ctx = context if context is not None else Context(book=book, as_of=as_of or dt.date.today())
    reading = FindingTable.of(book.reading)  # (the reader's findings, as a table once per run)
    found: list[FindingTable] = [reading]
    missing_reported: dict[str, list[str]] = {}
    wanted = set(select) if select else None
    rules = all_rules()
    ran: dict[str, FindingTable] = {}  # rule code -> its findings, in this run
    lines = _Lines(book.claims)

    def make_stage(name: str) -> None:
        stage = STAGES[name]
        before = [reading]
        before += [run(r) for r in rules if r.family in stage.after and _runnable(r, book)]
        setattr(ctx, name, stage.make(ctx, in_engine_order(FindingTable.joined(before), book.claims_sheet)))

    ctx.make_stage = make_stage

    def run(rule: Rule) -> FindingTable:
        table = ran.get(rule.code)
        if table is None:
            for name in rule.uses:
                ctx.stage(name)
            if progress is not None:
                progress(rule.code)
            table = ran[rule.code] = _found(rule, rule.func(ctx), book.claims, book.claims_sheet, lines)
        return table

    for rule in rules:
        if rule.func is None or rule.status != "stable":
            continue
        if wanted is not None and rule.code not in wanted and rule.family not in wanted:
            continue
        if row_level_only and not rule.row_level:
            continue
        absent = [f for f in rule.needs if f not in book.present]
        if absent:
            for f in absent:
                missing_reported.setdefault(f, []).append(rule.code)
            continue
        if book.claims.empty:
            continue
        found.append(run(rule))
    progress = None  # (a stage made after the run, for a report, runs its rules unannounced)
    if missing_reported and not row_level_only:
        from .rules.registry import get

        req = get("REQ004")
        missing = []
        for field_name, codes in missing_reported.items():
            header = _header_of(field_name)
            missing.append(Finding(
                sheet=book.claims_sheet, row=book.header_row, claim_id="", column=header,
                code=req.code, severity=req.severity,
                message=f"No {header} column, so {', '.join(sorted(set(codes)))} cannot be checked; add a '{header}' column",
            ))
        found.append(FindingTable.of(missing))
    return in_engine_order(FindingTable.joined(found), book.claims_sheet)


def summary(findings: Sequence[Finding], lines: int) -> dict:
    """Counts a biller reads first."""
    table = FindingTable.of(findings)
    by_sev = Counter(table.severity)
    by_code = Counter(table.code)
    return {
        "lines": lines,
        "errors": by_sev["error"],
        "warnings": by_sev["warning"],
        "info": by_sev["info"],
        "lines_with_errors": _lines_with_errors(table),
        "by_code": dict(sorted(by_code.items())),
    }


def _lines_with_errors(table: FindingTable) -> int:
    """How many rows (of any sheet) have at least one error, counted over the columns."""
    row = np.array(table.row, dtype=object)
    counted = (np.array(table.severity, dtype=object) == "error") & (row != None)  # noqa: E711 (elementwise)
    if not counted.any():
        return 0
    sheets, names = pd.factorize(np.array(table.sheet, dtype=object)[counted])
    # One whole number per (sheet, row): row * sheets + sheet (in int64, also on 32-bit builds).
    return len(np.unique(row[counted].astype(np.int64) * len(names) + sheets))
