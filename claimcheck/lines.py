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
from operator import itemgetter
from typing import Any, Sequence

from . import columns as C
from .book import _READERS, _column_problem, default_payer
from .models import SEVERITY_ORDER, Finding
from .reader import find_header
from .rules.registry import REGISTRY, all_rules
from .rules.lines import Env, canonical, empty_value, line_type, results_of
from .tables import tables
from .values import is_blank, read_text

#: The row number a lone line is reported on (its header is row 1).
LINE_ROW = 2

_FIELDS = tuple(c.field for c in C.CLAIMS)
#: Every field a lone line holds: the cells, whether each could not be read (``__bad``), the
#: derived fields, and whether each cell is empty (``__empty``, held as a field here rather than
#: computed on each look: the checks look at them for every line).
_LINE_FIELDS = (_FIELDS + tuple(f"{f}__bad" for f in _FIELDS) + ("units_given", "payer_key", "status_key")
                + tuple(f"{f}__empty" for f in _FIELDS))
Line = line_type(_LINE_FIELDS)

#: Raw cell -> (line value, problem), per column kind; bounded so a long session cannot grow it
#: forever.
_READ_CACHE: dict = {}
_READ_CACHE_LIMIT = 100_000
_PRIVATE = frozenset({"private", "private_date"})
_SLOT = {name: i for i, name in enumerate(_LINE_FIELDS)}
_UNITS, _UNITS_GIVEN = _SLOT["units"], _SLOT["units_given"]
_PAYER, _PAYER_KEY, _STATUS, _STATUS_KEY = _SLOT["payer"], _SLOT["payer_key"], _SLOT["status"], _SLOT["status_key"]
#: (slot of ``<field>__empty``, slot of the field) for every field.
_EMPTIES = tuple((_SLOT[f"{f}__empty"], _SLOT[f]) for f in _FIELDS)


class HeaderProblem(ValueError):
    """The header names no Claims columns this check can use."""


@dataclass(frozen=True)
class _Plan:
    """How to read a line under one header: which cell feeds which field, and what an absent
    column leaves (computed once per header)."""

    present: frozenset
    #: (field, position, kind, reader, slot of the value, slot of its __bad flag, kept in the
    #: read cache) per column present
    cells: tuple
    blank: list  # the line's values when every cell is empty
    claim_id_position: int | None
    width: int  # the cells the header spans


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
    blank[_UNITS] = None  # read_line makes a blank Units cell one unit (units_given False)
    blank[_UNITS_GIVEN] = False
    blank[_PAYER_KEY] = ""
    blank[_STATUS_KEY] = ""
    cells = tuple((c.field, found[c.field], c.kind, _READERS[c.kind], _SLOT[c.field], _SLOT[c.field + "__bad"],
                   c.kind not in _PRIVATE)  # a client's name and birth date are read, never kept
                  for c in C.CLAIMS if c.field in found)
    return _Plan(frozenset(found), cells, blank, found.get("claim_id"), len(names))


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


@dataclass(frozen=True)
class _Groups:
    """The rules whose columns are all present, grouped by the fields they read."""

    #: (getter of those fields from a line's values, or None when the answers are not kept,
    #: ((function, column, code, severity), ...))
    groups: tuple
    #: (slot of ``<field>__empty``, slot of the field) for the empty views the rules read
    empties: tuple


#: Fields whose values are never kept: a client's name and birth date (answers for rules that read
#: them are worked out afresh; a birth date is nearly one per client, so a cache would rarely hit).
_UNKEPT_FIELDS = frozenset(c.field for c in C.CLAIMS if c.kind in _PRIVATE)


def _grouped(rules: Sequence, present: frozenset) -> _Groups:
    groups: dict[tuple, list] = {}
    for rule in rules:
        if rule.line is None:
            raise RuntimeError(f"{rule.code} has no per-line form")
        if present.issuperset(rule.needs):
            groups.setdefault(rule.reads, []).append((rule.line, rule.column, rule.code, rule.severity))
    read = {name for reads in groups for name in reads}
    empties = tuple((slot, base) for slot, base in _EMPTIES if _LINE_FIELDS[slot] in read)
    return _Groups(tuple((_getter(reads), tuple(members)) for reads, members in groups.items()), empties)


def _getter(reads: tuple):
    """What a group's answers are kept under: its fields' values (None: not kept)."""
    if _UNKEPT_FIELDS.intersection(reads):
        return None
    return itemgetter(*(_SLOT[name] for name in reads)) if reads else _no_fields


def _no_fields(_fields) -> tuple:
    return ()


_GROUPED: dict = {}


def _grouped_rules(present: frozenset) -> _Groups:
    """:func:`_grouped` over every row-level rule, once per set of columns."""
    rules = line_rules()
    found = _GROUPED.get(present)
    if found is None or found[0] is not rules:
        found = _GROUPED[present] = (rules, _grouped(rules, present))
    return found[1]


def _answers(members: tuple, line, env) -> tuple:
    """(code, severity, column, message) of every finding the rules give the line."""
    out = ()
    for func, column, code, severity in members:
        result = func(line, env)
        if result is not None:  # most lines pass most rules
            out += tuple((code, severity, col, str(message)) for col, message in results_of(result, column))
    return out


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


def _read_fields(plan: _Plan, values: Sequence[Any]) -> tuple[list, list | None] | None:
    """The line's values (every field but the ``__empty`` views) and the cells that could not be
    read as (field, problem); None for a blank row."""
    fields = plan.blank.copy()
    if len(values) < plan.width:
        values = tuple(values) + (None,) * (plan.width - len(values))
    problems = None
    filled = False
    cache = _READ_CACHE
    for name, pos, kind, reader, slot, bad_slot, kept in plan.cells:
        raw = values[pos]
        if raw is None:
            continue
        if kept:
            try:
                key = (kind, type(raw), raw)
                found = cache.get(key)
            except TypeError:  # an unhashable cell
                key = found = None
            value, problem = found if found is not None else _read_cell(kind, reader, raw, key)
        else:
            value, problem = _read_cell(kind, reader, raw, None)
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
    units = fields[_UNITS]
    if units is None:
        fields[_UNITS] = 1.0
    else:
        fields[_UNITS_GIVEN] = True
    payer, status = fields[_PAYER], fields[_STATUS]
    if payer:
        fields[_PAYER_KEY] = payer.strip().upper()
    if status:
        fields[_STATUS_KEY] = status.strip().capitalize()
    return fields, problems


def _reading_findings(plan: _Plan, values: Sequence[Any], problems: list) -> list[Finding]:
    """A finding for each cell that could not be read, as the workbook check reports it."""
    by_field = {c.field: c for c in C.by_name(C.CLAIMS).values()}
    claim_id = None
    if plan.claim_id_position is not None and plan.claim_id_position < len(values):
        claim_id = _read("text", read_text, values[plan.claim_id_position])[0]
    return [_column_problem("Claims", LINE_ROW, claim_id or "", by_field[name], problem)
            for name, problem in problems]


def _with_empties(fields: list, empties: tuple) -> list:
    for slot, base in empties:
        value = fields[base]
        fields[slot] = value is None or value == ()
    return fields


def read_line(names: Sequence[Any], values: Sequence[Any]) -> tuple[Any, list[Finding], frozenset] | None:
    """The line as the rules see it, the findings for cells that could not be read, and the
    fields present; None when the row has nothing in any Claims column (a blank row)."""
    plan = _plan(tuple(names))
    read = _read_fields(plan, values)
    if read is None:
        return None
    fields, problems = read
    reading = _reading_findings(plan, values, problems) if problems else []
    return Line._make(_with_empties(fields, _EMPTIES)), reading, plan.present


def check_line(names: Sequence[Any], values: Sequence[Any], as_of: dt.date,
               rules: Sequence | None = None, code_tables=None) -> list[Finding] | None:
    """The row-level findings of one line (sorted as the engine sorts them), or None for a
    blank row.  ``names`` is the Claims header row, ``values`` the line's cells; ``rules``
    (default: every row-level rule) must all have a per-line form; ``code_tables`` defaults to
    :func:`claimcheck.tables.tables`."""
    plan = _plan(tuple(names))
    read = _read_fields(plan, values)
    if read is None:
        return None
    fields, problems = read
    findings = _reading_findings(plan, values, problems) if problems else []
    present = plan.present
    env, kept = _default_env(as_of, code_tables or tables(), present)
    if rules is None:
        grouped = _grouped_rules(present)
        caches = kept.get(id(grouped))
        if caches is None or caches[0] is not grouped:
            caches = kept[id(grouped)] = (grouped, [{} for _ in grouped.groups])
        _with_empties(fields, grouped.empties)
        line = None
        answers = []
        # Each group of rules is answered once per distinct value of what it reads.
        for (get, members), cache in zip(grouped.groups, caches[1]):
            if get is None:
                if line is None:
                    line = Line._make(fields)
                found = _answers(members, line, env)
            else:
                key = get(fields)
                found = cache.get(key)
                if found is None:
                    if line is None:
                        line = Line._make(fields)
                    found = _answers(members, line, env)
                    if len(cache) >= _ANSWERS_LIMIT:
                        cache.clear()
                    cache[key] = found
            if found:
                answers.extend(found)
    else:
        grouped = _grouped(rules, present)
        line = Line._make(_with_empties(fields, grouped.empties))
        answers = [a for _, members in grouped.groups for a in _answers(members, line, env)]
    if answers:
        claim_id = fields[_SLOT["claim_id"]] or ""
        make = Finding.model_construct
        for code, severity, column, message in answers:
            findings.append(make(sheet="Claims", row=LINE_ROW, claim_id=claim_id, column=column,
                                 code=code, severity=severity, message=message))
    if len(findings) > 1:
        findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.column))
    return findings
