"""One service line checked on its own, without building a DataFrame: what the CHECK_CLAIM
worksheet function runs on every recalculation.

The line is read with the same cell readers as a whole workbook (:data:`claimcheck.book._READERS`)
and checked by the same row-level rule functions (:mod:`claimcheck.rules.lines`), so it gets
exactly the findings ``claimcheck check`` gives that line's row-level rules - in microseconds
instead of the milliseconds a one-row DataFrame costs.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Sequence

from . import columns as C
from .models import SEVERITY_ORDER, Finding
from .rules.lines import Env, canonical, empty_value, full_line_type, results_of

#: The row number a lone line is reported on (its header is row 1).
LINE_ROW = 2

_FIELDS = tuple(c.field for c in C.CLAIMS)
_LINE_FIELDS = _FIELDS + tuple(f"{f}__bad" for f in _FIELDS) + ("units_given", "payer_key", "status_key")
Line = full_line_type(_LINE_FIELDS)

#: Raw cell -> (value, problem), per reader; bounded so a long session cannot grow it forever.
_READ_CACHE: dict = {}
_READ_CACHE_LIMIT = 100_000


class HeaderProblem(ValueError):
    """The header names no Claims columns this check can use."""


@lru_cache(maxsize=256)
def header_positions(names: tuple) -> tuple[tuple[tuple[str, int], ...], frozenset]:
    """Field positions of a Claims header row, and the fields present; raises
    :class:`HeaderProblem` when a required header is missing."""
    from .reader import find_header

    index, found = find_header("Claims", [names])
    if index is None:
        raise HeaderProblem(", ".join(found))  # type: ignore[arg-type]
    return tuple(sorted(found.items(), key=lambda kv: kv[1])), frozenset(found)  # type: ignore[union-attr]


def _read(kind: str, reader, raw: Any):
    try:
        key = (kind, type(raw), raw)
        found = _READ_CACHE.get(key)
    except TypeError:  # an unhashable cell
        key = found = None
    if found is None:
        try:
            found = reader(raw)
        except Exception:  # a reader bug must never lose the line
            found = (None, "could not be read")
        if key is not None:
            if len(_READ_CACHE) >= _READ_CACHE_LIMIT:
                _READ_CACHE.clear()
            _READ_CACHE[key] = found
    return found


@lru_cache(maxsize=8)
def _line_rules(_registry_size: int) -> tuple:
    from .rules.registry import all_rules

    return tuple(r for r in all_rules() if r.func is not None and r.status == "stable" and r.row_level)


def line_rules() -> tuple:
    """The row-level rules, in the engine's order."""
    from .rules import load_all
    from .rules.registry import REGISTRY

    load_all()
    return _line_rules(len(REGISTRY))


def all_line_rules_written_per_line() -> bool:
    """True when every row-level rule has a per-line function (CHECK_CLAIM's fast path)."""
    return all(r.line is not None for r in line_rules())


@lru_cache(maxsize=16)
def _default_env(as_of: dt.date, tables_id: int, present: frozenset) -> Env:
    from .book import default_payer
    from .tables import tables

    code_tables = tables()
    payers: dict = {}

    def payer(name):
        found = payers.get(name or "")
        if found is None:
            found = payers[name or ""] = default_payer(name or "", code_tables)
        return found

    return Env(tables=code_tables, as_of=as_of, payer=payer, providers={}, present=present)


def read_line(names: Sequence[Any], values: Sequence[Any]) -> tuple[Any, list[Finding], frozenset] | None:
    """The line as the rules see it, the findings for cells that could not be read, and the
    fields present; None when the row has nothing in any Claims column (a blank row)."""
    from .book import _READERS, _column_problem
    from .values import is_blank, read_text

    positions, present = header_positions(tuple(names))
    raw_of = {f: (values[p] if p < len(values) else None) for f, p in positions}
    if all(is_blank(v) for v in raw_of.values()):
        return None
    fields: dict[str, Any] = {}
    problems: list[tuple[C.Column, str]] = []
    for col in C.CLAIMS:
        name = col.field
        if name not in raw_of:
            fields[name] = empty_value(col.kind)
            fields[name + "__bad"] = False
            continue
        value, problem = _read(col.kind, _READERS[col.kind], raw_of[name])
        fields[name] = canonical(col.kind, value)
        fields[name + "__bad"] = bool(problem)
        if problem:
            problems.append((col, problem))
    fields["units_given"] = fields["units"] is not None
    if fields["units"] is None:
        fields["units"] = 1.0
    fields["payer_key"] = (fields["payer"] or "").strip().upper()
    fields["status_key"] = (fields["status"] or "").strip().capitalize()
    reading = []
    if problems:
        claim_id = _read("text", read_text, raw_of["claim_id"])[0] if "claim_id" in raw_of else None
        reading = [_column_problem("Claims", LINE_ROW, claim_id or "", col, problem) for col, problem in problems]
    return Line(**fields), reading, present


def check_line(names: Sequence[Any], values: Sequence[Any], as_of: dt.date,
               rules: Sequence | None = None) -> list[Finding] | None:
    """The row-level findings of one line (sorted as the engine sorts them), or None for a
    blank row.  ``names`` is the Claims header row, ``values`` the line's cells; ``rules``
    (default: every row-level rule) must all have a per-line form."""
    from .tables import tables

    read = read_line(names, values)
    if read is None:
        return None
    line, findings, present = read
    env = _default_env(as_of, id(tables()), present)
    claim_id = line.claim_id or ""
    make = Finding.model_construct
    for rule in (line_rules() if rules is None else rules):
        if rule.line is None:
            raise RuntimeError(f"{rule.code} has no per-line form")
        if not present.issuperset(rule.needs):
            continue
        for column, message in results_of(rule.line(line, env), rule.column):
            findings.append(make(sheet="Claims", row=LINE_ROW, claim_id=claim_id, column=column,
                                 code=rule.code, severity=rule.severity, message=str(message)))
    if len(findings) > 1:
        findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.column))
    return findings
