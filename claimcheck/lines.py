"""One service line checked on its own, without building a DataFrame: what the CHECK_CLAIM
worksheet function runs on every recalculation.

The line is read with the same cell readers as a whole workbook (:data:`claimcheck.book._READERS`)
and checked by the same row-level rule functions (:mod:`claimcheck.rules.lines`), so it gets
exactly the findings ``claimcheck check`` gives that line's row-level rules - in microseconds
instead of the milliseconds a one-row DataFrame costs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any, Sequence

from . import columns as C
from .book import _READERS, _column_problem, default_payer
from .models import SEVERITY_ORDER, Finding
from .reader import find_header
from .rules.registry import REGISTRY, all_rules
from .rules.lines import Env, canonical, empty_value, full_line_type, results_of
from .tables import tables
from .values import is_blank, read_text

#: The row number a lone line is reported on (its header is row 1).
LINE_ROW = 2

_FIELDS = tuple(c.field for c in C.CLAIMS)
_LINE_FIELDS = _FIELDS + tuple(f"{f}__bad" for f in _FIELDS) + ("units_given", "payer_key", "status_key")
Line = full_line_type(_LINE_FIELDS)

#: Raw cell -> (line value, problem), per column kind; bounded so a long session cannot grow it
#: forever.
_READ_CACHE: dict = {}
_READ_CACHE_LIMIT = 100_000
_PRIVATE = frozenset({"private", "private_date"})
_SLOT = {name: i for i, name in enumerate(_LINE_FIELDS)}


class HeaderProblem(ValueError):
    """The header names no Claims columns this check can use."""


@dataclass(frozen=True)
class _Plan:
    """How to read a line under one header: which cell feeds which field, and what an absent
    column leaves (computed once per header)."""

    present: frozenset
    cells: tuple  # (field, position, kind, reader, slot of the value, slot of its __bad flag)
    blank: list  # the line's values when every cell is empty
    claim_id_position: int | None


@lru_cache(maxsize=256)
def _plan(names: tuple) -> _Plan:
    index, found = find_header("Claims", [names])
    if index is None:
        raise HeaderProblem(", ".join(found))  # type: ignore[arg-type]
    kinds = {c.field: c.kind for c in C.CLAIMS}
    blank: list = [None] * len(_LINE_FIELDS)
    for name, slot in _SLOT.items():
        if name.endswith("__bad"):
            blank[slot] = False
        elif name in kinds:
            blank[slot] = empty_value(kinds[name])
    blank[_SLOT["units"]] = None  # read_line makes a blank Units cell one unit (units_given False)
    blank[_SLOT["units_given"]] = False
    blank[_SLOT["payer_key"]] = ""
    blank[_SLOT["status_key"]] = ""
    cells = tuple((c.field, found[c.field], c.kind, _READERS[c.kind], _SLOT[c.field], _SLOT[c.field + "__bad"])
                  for c in C.CLAIMS if c.field in found)
    return _Plan(frozenset(found), cells, blank, found.get("claim_id"))


def _read(kind: str, reader, raw: Any):
    """(value as a line holds it, problem) for one cell, from the cache when seen before."""
    try:
        key = (kind, type(raw), raw)
        found = _READ_CACHE.get(key)
    except TypeError:  # an unhashable cell
        key = found = None
    return found if found is not None else _read_cell(kind, reader, raw, key)


def _read_cell(kind: str, reader, raw: Any, key):
    """Read one cell, and keep the answer under ``key`` (None: not kept)."""
    try:
        value, problem = reader(raw)
    except Exception:  # a reader bug must never lose the line
        value, problem = None, "could not be read"
    found = (canonical(kind, value), problem)
    if key is not None:
        if len(_READ_CACHE) >= _READ_CACHE_LIMIT:
            _READ_CACHE.clear()
        _READ_CACHE[key] = found
    return found


_RULES: tuple = (0, ())


def line_rules() -> tuple:
    """The row-level rules, in the engine's order."""
    global _RULES
    if _RULES[0] != len(REGISTRY) or not REGISTRY:
        rules = tuple(r for r in all_rules() if r.func is not None and r.status == "stable" and r.row_level)
        _RULES = (len(REGISTRY), rules)
    return _RULES[1]


#: Answers kept per group of rules that read the same fields, per distinct value of those fields
#: (a sheet repeats its codes, modifiers and diagnosis lists line after line).
_ANSWERS_LIMIT = 20_000


def _grouped(rules: Sequence, present: frozenset) -> tuple:
    """The rules whose columns are all present, grouped by the fields they read:
    (fields, getter of those fields from a line, ((function, column, code, severity), ...))."""
    groups: dict[tuple, list] = {}
    for rule in rules:
        if rule.line is None:
            raise RuntimeError(f"{rule.code} has no per-line form")
        if present.issuperset(rule.needs):
            groups.setdefault(rule.reads, []).append((rule.line, rule.column, rule.code, rule.severity))
    return tuple((reads, attrgetter(*reads), tuple(members)) for reads, members in groups.items())


_GROUPED: dict = {}


def _grouped_rules(present: frozenset) -> tuple:
    """:func:`_grouped` over every row-level rule, once per set of columns."""
    rules = line_rules()
    found = _GROUPED.get(present)
    if found is None or found[0] is not rules:
        found = _GROUPED[present] = (rules, _grouped(rules, present))
    return found[1]


def _answers(members: tuple, line, env) -> tuple:
    """(code, severity, column, message) of every finding the rules give the line."""
    return tuple((code, severity, col, str(message))
                 for func, column, code, severity in members
                 for col, message in results_of(func(line, env), column))


_ENVS: dict = {}


def _default_env(as_of: dt.date, code_tables, present: frozenset) -> tuple[Env, dict]:
    """The settings a lone line is checked with (the code tables, the date, and the documented
    payer defaults: a line on its own has no Payers or Providers sheet), and the answers kept
    for them."""
    key = (as_of, id(code_tables), present)
    found = _ENVS.get(key)
    if found is None or found[0].tables is not code_tables:
        if len(_ENVS) > 64:
            _ENVS.clear()
        found = _ENVS[key] = (_new_env(as_of, code_tables, present), {})
    return found


def _new_env(as_of: dt.date, code_tables, present: frozenset) -> Env:
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
    plan = _plan(tuple(names))
    width = len(values)
    fields = list(plan.blank)
    problems = None
    filled = False
    cache = _READ_CACHE
    for name, pos, kind, reader, slot, bad_slot in plan.cells:
        raw = values[pos] if pos < width else None
        if raw is None:
            continue
        if kind in _PRIVATE:  # a client's name and birth date are read, never kept
            value, problem = _read_cell(kind, reader, raw, None)
        else:
            try:
                key = (kind, type(raw), raw)
                found = cache.get(key)
            except TypeError:  # an unhashable cell
                key = found = None
            value, problem = found if found is not None else _read_cell(kind, reader, raw, key)
        if problem:
            fields[bad_slot] = True
            filled = True
            if problems is None:
                problems = []
            problems.append((name, problem))
        elif value is None or value == ():
            if not filled and not is_blank(raw):
                filled = True
            continue
        else:
            filled = True
        fields[slot] = value
    if not filled:
        return None
    units = fields[_SLOT["units"]]
    fields[_SLOT["units_given"]] = units is not None
    if units is None:
        fields[_SLOT["units"]] = 1.0
    payer, status = fields[_SLOT["payer"]], fields[_SLOT["status"]]
    fields[_SLOT["payer_key"]] = payer.strip().upper() if payer else ""
    fields[_SLOT["status_key"]] = status.strip().capitalize() if status else ""
    reading: list[Finding] = []
    if problems:
        columns = C.by_name(C.CLAIMS)
        by_field = {c.field: c for c in columns.values()}
        claim_id = None
        if plan.claim_id_position is not None and plan.claim_id_position < width:
            claim_id = _read("text", read_text, values[plan.claim_id_position])[0]
        reading = [_column_problem("Claims", LINE_ROW, claim_id or "", by_field[name], problem)
                   for name, problem in problems]
    return Line._make(fields), reading, plan.present


def check_line(names: Sequence[Any], values: Sequence[Any], as_of: dt.date,
               rules: Sequence | None = None, code_tables=None) -> list[Finding] | None:
    """The row-level findings of one line (sorted as the engine sorts them), or None for a
    blank row.  ``names`` is the Claims header row, ``values`` the line's cells; ``rules``
    (default: every row-level rule) must all have a per-line form; ``code_tables`` defaults to
    :func:`claimcheck.tables.tables`."""
    read = read_line(names, values)
    if read is None:
        return None
    line, findings, present = read
    env, kept = _default_env(as_of, code_tables or tables(), present)
    claim_id = line.claim_id or ""
    make = Finding.model_construct
    if rules is None:
        answers = []
        groups = _grouped_rules(present)
        caches = kept.get(id(groups))
        if caches is None or caches[0] is not groups:
            caches = kept[id(groups)] = (groups, [{} for _ in groups])
        for (_, get, members), cache in zip(groups, caches[1]):
            key = get(line)
            found = cache.get(key)
            if found is None:
                found = _answers(members, line, env)
                if len(cache) >= _ANSWERS_LIMIT:
                    cache.clear()
                cache[key] = found
            if found:
                answers.extend(found)
    else:
        answers = [a for _, _, members in _grouped(rules, present) for a in _answers(members, line, env)]
    for code, severity, column, message in answers:
        findings.append(make(sheet="Claims", row=LINE_ROW, claim_id=claim_id, column=column,
                             code=code, severity=severity, message=message))
    if len(findings) > 1:
        findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.column))
    return findings
