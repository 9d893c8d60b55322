"""One service line checked on its own, without building a DataFrame: what the CHECK_CLAIM
worksheet function runs on every recalculation.

The line is read with the same cell readers as a whole workbook (:data:`claimcheck.book._READERS`)
and checked by the same row-level rule functions (:mod:`claimcheck.rules.lines`), so it gets
exactly the findings ``claimcheck check`` gives that line's row-level rules - in microseconds
instead of the milliseconds a one-row DataFrame costs.

Two forms do the same: loops over the header's plan and the rules (``check_line(...,
rules=...)``, :func:`read_line`), and, for the worksheet function, one function written out per
header (:func:`_write_check`) that keeps each group of rules' answers per value of the fields it
reads.  The tests hold the two forms, and the whole-table run, to the same findings.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime as _datetime, time as _time, timedelta
import re
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, Sequence

from . import columns as C
from .book import _READERS, _column_problem, default_payer
from .models import SEVERITY_ORDER, Finding
from .reader import find_header
from .rules.registry import REGISTRY, all_rules
from .rules.registry import VERSION as REGISTRY_VERSION
from .rules.registry import state as registry_state
from .rules.lines import Env, canonical, empty_value, line_type, results_of
from .tables import tables
from .values import PLAIN_TEXT_TEST, is_blank, read_text

_day = timedelta(days=1)

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
_TEXT_KINDS = frozenset({"text", "private"})  # kinds a line holds as the text read
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
    #: id of a :class:`_Groups` -> (that _Groups, the line check written out for it and this plan)
    checkers: dict = field(default_factory=dict, compare=False, repr=False)


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
    """(value as a line holds it, problem, whether it holds a value) for one cell, from the
    cache when seen before."""
    try:
        key = (kind, type(raw), raw)
        found = _READ_CACHE.get(key)
    except TypeError:  # an unhashable cell
        key = found = None
    return found if found is not None else _read_cell(kind, reader, raw, key)


def _read_cell(kind: str, reader, raw: Any, key):
    """Read one cell: (value as a line holds it, problem, whether it holds a value: no problem
    and not empty), kept under ``key`` (None: not kept)."""
    try:
        value, problem = reader(raw)
    except Exception:  # a reader bug must never lose the line
        value, problem = None, "could not be read"
    value = canonical(kind, value)
    found = (value, problem, not problem and value is not None and value != ())
    if key is not None:
        if len(_READ_CACHE) >= _READ_CACHE_LIMIT:
            _READ_CACHE.clear()
        _READ_CACHE[key] = found
    return found


_RULES: tuple = ((0, 0), ())


def line_rules() -> tuple:
    """The row-level rules, in the engine's order."""
    global _RULES
    if _RULES[0] != registry_state() or not REGISTRY:
        rules = tuple(r for r in all_rules() if r.func is not None and r.status == "stable" and r.row_level)
        _RULES = (registry_state(), rules)
    return _RULES[1]


#: Answers kept per group of rules that read the same fields, per distinct value of those fields
#: (a sheet repeats its codes, modifiers and diagnosis lists line after line).
_ANSWERS_LIMIT = 20_000


@dataclass(frozen=True)
class _Groups:
    """The rules whose columns are all present, grouped by the fields they read."""

    #: (whether the group's answers are kept per value of what it reads,
    #: ((function, column, code, severity), ...))
    groups: tuple
    #: (slot of ``<field>__empty``, slot of the field) for the empty views the rules read
    empties: tuple
    #: the fields each group reads
    reads: tuple = ()
    #: the fields each member of each group reads (a rule is handed only those)
    member_reads: tuple = ()


#: Fields whose values are never kept: a client's name and birth date (answers for rules that read
#: them are worked out afresh; a birth date is nearly one per client, so a cache would rarely hit).
_UNKEPT_FIELDS = frozenset(c.field for c in C.CLAIMS if c.kind in _PRIVATE)


def _base(name: str) -> str:
    """The field a view is of: ``dx`` for ``dx``, ``dx__empty`` and ``dx__bad``."""
    return name.split("__")[0]


def _clean_key(reads: tuple) -> frozenset:
    """What a group's answers are kept by on a line with no unreadable cell: the fields it reads
    but the ``__bad`` flags (all False there), and a field's emptiness only when it does not read
    the field itself (its emptiness is a function of its value)."""
    return frozenset(r for r in reads if not r.endswith("__bad") and not (r.endswith("__empty") and _base(r) in reads))


def _grouped(rules: Sequence, present: frozenset) -> _Groups:
    """The rules grouped by what they read.  Rules reading the same fields form one group; so do
    rules whose answers are kept by the same key (``dx`` and ``dx, dx__bad``): one lookup serves
    them all, with no more rule runs (CHECK_CLAIM looks up each group's kept answers on every
    line).  Groups are not merged further: a coarser group within a finer one (``cpt`` within
    ``cpt, minutes``) would run again for every value of the finer key, which cost more on a
    sheet's first lines than the lookup it saves."""
    by_reads: dict[tuple, list] = {}
    for rule in rules:
        if rule.line is None:
            raise RuntimeError(f"{rule.code} has no per-line form")
        if present.issuperset(rule.needs):
            by_reads.setdefault(rule.reads, []).append(rule)
    merged: dict[tuple, list] = {}  # (kept, the fields viewed) -> [reads, [(member, its reads), ...]]
    for reads, members in by_reads.items():
        kept = not _UNKEPT_FIELDS.intersection(reads)
        group = merged.setdefault((kept, _clean_key(reads)) if kept else (kept, reads), [(), []])
        group[0] += tuple(r for r in reads if r not in group[0])
        group[1] += [((r.line, r.column, r.code, r.severity), reads) for r in members]
    read = {name for reads in by_reads for name in reads}
    empties = tuple((slot, base) for slot, base in _EMPTIES if _LINE_FIELDS[slot] in read)
    return _Groups(tuple((kept, tuple(m for m, _ in members)) for (kept, _), (_, members) in merged.items()),
                   empties, tuple(reads for reads, _ in merged.values()),
                   tuple(tuple(r for _, r in members) for _, members in merged.values()))


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
    for member in members:
        result = member[0](line, env)
        if result is not None:  # most lines pass most rules
            out += _found(member, result)
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
    for name, pos, kind, reader, slot, bad_slot, kept in plan.cells:
        raw = values[pos]
        if raw is None:
            continue
        # (a client's name and birth date are read, never kept)
        value, problem, _ = _read(kind, reader, raw) if kept else _read_cell(kind, reader, raw, None)
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


def _found(member: tuple, result) -> tuple:
    """One rule's answer (not None) as (code, severity, column, message) tuples."""
    _, column, code, severity = member
    return tuple((code, severity, col, str(message)) for col, message in results_of(result, column))


def _write_check(plan: _Plan, grouped: _Groups):
    """The whole check of a line under one header, written out as one Python function: the
    steps of :func:`_read_fields` and of running each group of rules, with its answers kept per
    value of what it reads (a client's birth date excepted), with each cell and each group of
    rules a few straight lines, its positions as constants and the line's fields as local
    variables.  CHECK_CLAIM runs once per line of a sheet, and the loops' own overhead
    (unpacking each cell's plan, a getter per group, a list of every field) was most of a first
    calculation's time.

    The groups of rules are written twice: for a line whose cells all read (the usual line:
    every ``__bad`` flag is False, a constant there) and for a line with a cell that could not be
    read (whose answers are kept apart, by keys with the flags).

    A rule run here gets a record of only the fields it ``reads``, as over a whole table
    (:func:`claimcheck.rules.lines.run_line_rule`).

    ``check(env, caches, bad_caches, gets, values)`` gives None for a blank row, else the line's
    findings as :func:`check_line` gives them.  The tests hold it to the loop form
    (``check_line(..., rules=...)``) and to the whole-table run."""
    kinds = {c.field: c.kind for c in C.CLAIMS}
    columns = {cell[0] for cell in plan.cells}  # the fields whose column the header has
    read = {name for reads in grouped.reads for name in reads}
    watched = {_LINE_FIELDS[base] for _, base in grouped.empties}  # the fields whose emptiness a rule reads
    flagged = sorted(name for name in read if name.endswith("__bad"))

    def expr(name: str, clean: bool = False) -> str:
        """The line's value of a field as generated code: a local, or a constant (``clean``: on a
        line whose cells all read, where every ``__bad`` flag is False)."""
        base = _base(name)
        if clean and name.endswith("__bad"):
            return "False"
        if name in ("units_given", "payer_key", "status_key") or base in columns:
            return name
        if base == "units":  # no Units column: one unit, not given
            return {"units": "1.0", "units__bad": "False", "units__empty": "False"}[name]
        if name.endswith("__bad"):
            return "False"
        if name.endswith("__empty"):
            return "True"
        return repr(empty_value(kinds[name]))

    lines = ["def check(env, caches, bad_caches, gets, values):",
             f"    if len(values) < {plan.width}:",
             f"        values = tuple(values) + (None,) * ({plan.width} - len(values))",
             "    cache_get = _READ_CACHE.get",
             "    problems = None"]
    add = lines.append
    kept_groups = [g for g, (kept, _) in enumerate(grouped.groups) if kept]
    if kept_groups:
        add(f"    {', '.join(f'get_{g}' for g in kept_groups)}, = gets")
    plain_test = re.sub(r"\btext\b", "raw", PLAIN_TEXT_TEST)
    constants: dict = {}  # names the code uses besides the module's

    def holds(name: str, value: str, indent: str) -> None:
        add(f"{indent}{name} = {value}")
        if name in watched:
            add(f"{indent}{name}__empty = False")

    def empty(name: str, indent: str) -> None:
        add(f"{indent}{name} = {empty_value(kinds[name])!r}")
        if name in watched:
            add(f"{indent}{name}__empty = True")

    for i, (name, pos, kind, reader, _slot, _bad_slot, kept) in enumerate(plan.cells):
        add(f"    # {name} ({kind}): column {pos + 1} of the header, cell {i} of the line's cells")
        add(f"    raw = values[{pos}]")
        days = getattr(reader, "days_as_they_are", None)
        if getattr(reader, "plain_reads_as_itself", False) and kind in _TEXT_KINDS:
            add(f"    if type(raw) is str and {plain_test}:  # plain text reads as itself")
            holds(name, "raw", "        ")
            add("    elif raw is None:")
        elif getattr(reader, "numbers_as_they_are", None) and kind == "number":  # a plain number
            bound = reader.numbers_as_they_are
            add(f"    if type(raw) is int and {-bound} < raw < {bound}:")
            holds(name, "float(raw)", "        ")
            add("    elif type(raw) is float and -_inf < raw < _inf:  # (not NaN)")
            holds(name, "raw + 0.0", "        ")  # (-0.0 is 0.0, as canonical() makes it)
            add("    elif raw is None:")
        elif days is not None:  # a serial day number or a datetime in the reader's years
            first, last, day_0 = days
            low, high, since = (first - day_0).days, (last - day_0).days, day_0.toordinal()
            constants[f"FROM_{i}"] = _datetime.combine(first, _time())
            constants[f"UNTIL_{i}"] = _datetime.combine(last + _day, _time())
            for test, day in ((f"type(raw) is int and {low} <= raw <= {high}", f"_fromordinal({since} + raw)"),
                              (f"type(raw) is float and {low} <= raw < {high + 1}", f"_fromordinal({since} + int(raw))"),
                              (f"type(raw) is _datetime and raw.tzinfo is None and FROM_{i} <= raw < UNTIL_{i}",
                               "raw.date()")):
                add(f"    {'if' if test.startswith('type(raw) is int') else 'elif'} {test}:")
                holds(name, day, "        ")
            add("    elif raw is None:")
        else:
            add("    if raw is None:")
        empty(name, "        ")
        add("    else:")
        if kept:
            add(f"        key = ({kind!r}, type(raw), raw)")
            add("        try:")
            add("            found = cache_get(key)")
            add("        except TypeError:  # an unhashable cell")
            add("            found = key = None")
            add("        if found is None:")
            add(f"            found = _read_cell({kind!r}, READERS[{i}], raw, key)")
            add("        value, problem, holds_value = found")
        else:  # a client's name and birth date are read, never kept
            add(f"        value, problem, holds_value = _read_cell({kind!r}, READERS[{i}], raw, None)")
        add("        if holds_value:")
        holds(name, "value", "            ")
        add("        else:")
        empty(name, "            ")
        add("            if problem:")
        add("                if problems is None:")
        add("                    problems = []")
        add(f"                problems.append(({name!r}, problem))")
    # A blank row: every cell empty or only spaces (so read as empty, with no problem).  A line
    # holding any value is told by its first field that holds one.
    add(f"    if not ({' or '.join(cell[0] for cell in plan.cells)}):")
    add(f"        if problems is None and all(map(is_blank, ({', '.join(f'values[{cell[1]}]' for cell in plan.cells)},))):")
    add("            return None")
    if "units" in columns:
        add("    units_given = units is not None")
        add("    if not units_given:")
        add("        units = 1.0  # a blank Units cell is one unit")
        if "units" in watched:
            add("    units__empty = False")
    else:
        add("    units_given = False")
    add("    payer_key = payer.strip().upper() if payer else ''" if "payer" in columns else "    payer_key = ''")
    add("    status_key = status.strip().capitalize() if status else ''" if "status" in columns else "    status_key = ''")

    def key_of(reads, clean: bool) -> str:
        # (a field's emptiness is a function of its value: no need to key by both)
        parts = [expr(r) for r in reads if not (r.endswith("__empty") and _base(r) in reads)
                 and not (clean and r.endswith("__bad"))]
        return "()" if not parts else parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"

    def record(name: str, reads: tuple, clean: bool) -> str:
        constants[name] = line_type(reads)
        return f"_new({name}, ({', '.join(expr(r, clean) for r in reads)}{',' if len(reads) == 1 else ''}))"

    def work_out(g: int, members: tuple, reads: tuple, clean: bool, indent: str) -> None:
        """Lines setting ``found`` to the group's answers for this line (the rules run)."""
        if len(members) == 1:  # most groups: one rule, called directly
            add(f"{indent}result = RULE_{g}({record(f'RECORD_{g}', reads, clean)}, env)")
            add(f"{indent}found = () if result is None else _found(MEMBERS[{g}][0], result)")
        elif len(set(grouped.member_reads[g])) == 1:  # rules reading the same fields
            add(f"{indent}found = _answers(MEMBERS[{g}], {record(f'RECORD_{g}', reads, clean)}, env)")
        else:  # each rule handed the fields it reads
            add(f"{indent}found = ()")
            for m, member_reads in enumerate(grouped.member_reads[g]):
                constants[f"RULE_{g}_{m}"] = members[m][0]
                add(f"{indent}result = RULE_{g}_{m}({record(f'RECORD_{g}_{m}', member_reads, clean)}, env)")
                add(f"{indent}if result is not None:")
                add(f"{indent}    found += _found(MEMBERS[{g}][{m}], result)")

    def run_groups(clean: bool, indent: str) -> None:
        add(f"{indent}answers = ()")
        for g, ((kept, members), reads) in enumerate(zip(grouped.groups, grouped.reads)):
            add(f"{indent}# {', '.join(m[2] for m in members)}: {', '.join(reads) or 'nothing'}")
            if not kept:  # answers not kept (the group reads a client's birth date)
                work_out(g, members, reads, clean, indent)
            else:
                add(f"{indent}key = {key_of(reads, clean)}")
                if clean or not any(r.endswith("__bad") for r in reads):
                    add(f"{indent}found = get_{g}(key)")
                    add(f"{indent}if found is None:")
                    add(f"{indent}    cache = caches[{g}]")
                else:  # a line with an unreadable cell keeps its answers apart
                    add(f"{indent}cache = bad_caches[{g}]")
                    add(f"{indent}found = cache.get(key)")
                    add(f"{indent}if found is None:")
                work_out(g, members, reads, clean, indent + "    ")
                add(f"{indent}    if len(cache) >= {_ANSWERS_LIMIT}:")
                add(f"{indent}        cache.clear()")
                add(f"{indent}    cache[key] = found")
            add(f"{indent}if found:")
            add(f"{indent}    answers += found")

    add("    if problems is None:  # every cell read: the __bad flags are all False")
    run_groups(True, "        ")
    add("        if not answers:")
    add("            return []")
    add("    else:")
    flagged_here = [name for name in flagged if _base(name) in columns]
    if flagged_here:
        add("        unreadable = {name for name, _ in problems}")
        for name in flagged_here:
            add(f"        {name} = {_base(name)!r} in unreadable")
    run_groups(False, "        ")
    add(f"    return _findings(PLAN, values, {expr('claim_id')}, problems, answers)")
    namespace = dict(globals())
    namespace.update(READERS=[c[3] for c in plan.cells], _new=tuple.__new__, _fromordinal=dt.date.fromordinal, PLAN=plan,
                     _inf=float("inf"),
                     **constants,
                     MEMBERS=[members for _, members in grouped.groups],
                     **{f"RULE_{g}": members[0][0] for g, (_, members) in enumerate(grouped.groups)})
    exec(compile("\n".join(lines), "<claimcheck: one line's check>", "exec"), namespace)
    return namespace["check"]


#: (id of a header's plan, as-of date, id of the code tables) -> (plan, code tables, the rules,
#: the line check written for them with its settings and kept answers bound: ``run(values)``).
_PREPARED: dict = {}
#: The last line check asked for (header, as-of date, code tables, registry state, check), reused
#: by identity: a sheet's lines share header, date and tables.
_LAST_PREPARED: list = [None, None, None, None, None]


def _prepare(plan: _Plan, as_of: dt.date, code_tables) -> tuple:
    """What checking lines under this header, on this date, with these tables needs, made once."""
    rules = line_rules()
    env, kept = _default_env(as_of, code_tables, plan.present)
    grouped = _grouped_rules(plan.present)
    caches = kept.get(id(grouped))
    if caches is None or caches[0] is not grouped:  # one set of kept answers per settings and rules
        caches = kept[id(grouped)] = (grouped, [{} for _ in grouped.groups], [{} for _ in grouped.groups])
    checker = plan.checkers.get(id(grouped))
    if checker is None or checker[0] is not grouped:
        checker = plan.checkers[id(grouped)] = (grouped, _write_check(plan, grouped))
    if len(_PREPARED) > 64:
        _PREPARED.clear()
    gets = tuple(cache.get for (kept, _), cache in zip(grouped.groups, caches[1]) if kept)
    run = partial(checker[1], env, caches[1], caches[2], gets)  # run(values) -> findings or None
    prepared = _PREPARED[(id(plan), as_of, id(code_tables))] = (plan, code_tables, rules, run)
    return prepared


def line_check(names: Sequence[Any], as_of: dt.date, code_tables=None):
    """``check(values)``: :func:`check_line` for lines under this header, on this date, with these
    code tables and the rules registered now, made once: the same object for as long as those
    stay the same and :func:`forget` is not called (CHECK_CLAIM keys its kept answers by it).
    Raises :class:`HeaderProblem` for a header with no usable Claims columns."""
    code_tables = code_tables or tables()
    last = _LAST_PREPARED
    if (names is last[0] and as_of == last[1] and code_tables is last[2]
            and last[3] == (REGISTRY_VERSION[0], len(REGISTRY))):  # (registry_state(), inline: every line asks)
        return last[4]  # the usual call: the same header object, date and tables as the last line
    plan = _plan(tuple(names))
    prepared = _PREPARED.get((id(plan), as_of, id(code_tables)))
    if (prepared is None or prepared[0] is not plan or prepared[1] is not code_tables
            or _RULES[0] != registry_state() or prepared[2] is not _RULES[1]):
        prepared = _prepare(plan, as_of, code_tables)
    if type(names) is tuple:  # (a list can change under the same identity)
        last[:] = [names, as_of, code_tables, registry_state(), prepared[3]]
    return prepared[3]


def forget() -> None:
    """Drop every kept cell reading and rule answer, as for a workbook opened afresh (benchmarks
    measure a first calculation from here).  What is made once per header and kept for the
    session stays: the header's plan and its written-out check (~10 ms to write, on a sheet's
    first call, with the code tables and the ICD-10-CM index)."""
    _READ_CACHE.clear()
    _ENVS.clear()
    _PREPARED.clear()
    _LAST_PREPARED[:] = [None] * 5


def _findings(plan: _Plan, values: Sequence[Any], claim_id, problems: list | None, answers) -> list[Finding]:
    """A line's findings: its cells that could not be read and its rules' answers, sorted as the
    engine sorts them."""
    findings = _reading_findings(plan, values, problems) if problems else []
    if answers:
        claim_id = claim_id or ""
        make = Finding.model_construct
        for code, severity, column, message in answers:
            findings.append(make(sheet="Claims", row=LINE_ROW, claim_id=claim_id, column=column,
                                 code=code, severity=severity, message=message))
    if len(findings) > 1:
        findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.column))
    return findings


def check_line(names: Sequence[Any], values: Sequence[Any], as_of: dt.date,
               rules: Sequence | None = None, code_tables=None) -> list[Finding] | None:
    """The row-level findings of one line (sorted as the engine sorts them), or None for a
    blank row.  ``names`` is the Claims header row, ``values`` the line's cells; ``rules``
    (default: every row-level rule) must all have a per-line form; ``code_tables`` defaults to
    :func:`claimcheck.tables.tables`."""
    code_tables = code_tables or tables()
    if rules is None:
        return line_check(names, as_of, code_tables)(values)
    # The same steps as loops (the tests hold the two forms to the same answers).
    plan = _plan(tuple(names))
    env = _default_env(as_of, code_tables, plan.present)[0]
    read = _read_fields(plan, values)
    if read is None:
        return None
    fields, problems = read
    grouped = _grouped(rules, plan.present)
    line = Line._make(_with_empties(fields, grouped.empties))
    answers = [a for _, members in grouped.groups for a in _answers(members, line, env)]
    return _findings(plan, values, fields[_SLOT["claim_id"]], problems, answers)
