"""One service line checked on its own, without building a DataFrame: what the CHECK_CLAIM
worksheet function runs.

The line is read with the same cell readers as a whole workbook (:data:`claimcheck.cell_readers.CELL_READERS`)
and checked by the same row-level rule functions (:mod:`claimcheck.rules.lines`), so it gets
exactly the findings ``claimcheck check`` gives that line's row-level rules.

A :class:`LineChecker` holds what checking lines under one header, on one date, with one set of
code tables and rules needs: which cell feeds which field (a :class:`LineReader`), and the rules
grouped by the fields they read (a group whose fields a wider group reads joins it), each group
with its answers per value of those fields (a sheet repeats its codes, modifiers and diagnosis
lists line after line).  Groups that read a client's name or birth date keep nothing: their rules
run afresh on every line, and those cells are read afresh too.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from typing import Any, Callable, Sequence

from . import columns as C
from .book import default_payer
from .cell_readers import CELL_READERS
from .models import SEVERITY_ORDER, Finding, Payer
from .normalise import column_problem
from .reader import find_header
from .rules.lines import Env, canonical, empty_value, line_type, results_of
from .rules.registry import all_rules
from .tables import tables
from .values import is_blank

#: The row number a lone line is reported on (its header is row 1).
LINE_ROW = 2

_COLUMNS = {c.field: c for c in C.CLAIMS}
FIELDS = tuple(_COLUMNS)
#: Every field a lone line holds: the cells, whether each could not be read (``<field>__bad``),
#: the derived fields, and whether each cell is empty (``<field>__empty``).
LINE_FIELDS = (FIELDS + tuple(f"{f}__bad" for f in FIELDS) + ("units_given", "payer_key", "status_key")
               + tuple(f"{f}__empty" for f in FIELDS))
Line = line_type(LINE_FIELDS)
_SLOT = {name: i for i, name in enumerate(LINE_FIELDS)}
_CLAIM_ID, _UNITS, _UNITS_GIVEN = _SLOT["claim_id"], _SLOT["units"], _SLOT["units_given"]
_PAYER, _PAYER_KEY, _STATUS, _STATUS_KEY = _SLOT["payer"], _SLOT["payer_key"], _SLOT["status"], _SLOT["status_key"]

#: The fields of a line whose every cell is empty.
_BLANK = [empty_value(_COLUMNS[name].kind) if name in _COLUMNS else name.endswith("__empty") for name in LINE_FIELDS]
_BLANK[_PAYER_KEY] = _BLANK[_STATUS_KEY] = ""
_BLANK[_SLOT["units__empty"]] = False  # (a blank Units cell is one unit)

#: The kinds of cell that hold a client's name or birth date: read afresh on every line, never kept.
_PRIVATE_KINDS = frozenset({"private", "private_date"})
_PRIVATE_FIELDS = frozenset(c.field for c in C.CLAIMS if c.kind in _PRIVATE_KINDS)
#: Fields whose values differ on nearly every line (a line's own Claim ID): answers keyed on them
#: are seldom asked again, so no group reading less joins a group reading them.
_PER_LINE_FIELDS = frozenset({"claim_id"}) | _PRIVATE_FIELDS

#: The kinds whose reader gives a value as a line holds it (text, a date or None).
_AS_READ_KINDS = frozenset({"text", "private", "date", "private_date"})

#: How many cell readings a column, and answers a group of rules, keeps (then it starts afresh): a
#: year of lines has a few dozen procedure codes and a few hundred diagnosis lists.
ANSWERS_LIMIT = 10_000


class HeaderProblem(ValueError):
    """The header names no Claims columns this check can use."""


def line_rules() -> list:
    """The row-level rules, in the engine's order."""
    return [r for r in all_rules() if r.func is not None and r.status == "stable" and r.row_level]


class LineReader:
    """How to read a line under one header: which cell feeds which field.  Raises
    :class:`HeaderProblem` for a header that names none of the required Claims columns."""

    def __init__(self, names: Sequence[Any]):
        index, found = find_header("Claims", [tuple(names)])
        if index is None:
            raise HeaderProblem(", ".join(found))  # type: ignore[arg-type]
        self.present = frozenset(found)
        self.width = len(names)
        #: (field, position in the row, its reader (:func:`_line_reader`), its readings or None,
        #: slot of the value, of its ``__bad`` flag and of its ``__empty`` view) per Claims column
        #: the header has.  A column's readings (cell -> :func:`_reading`) are kept, but for a
        #: client's name and birth date: a sheet repeats its codes, dates, payers and IDs.
        self.cells = tuple((c.field, found[c.field], _line_reader(c.kind), None if c.kind in _PRIVATE_KINDS else {},
                            _SLOT[c.field], _SLOT[c.field + "__bad"], _SLOT[c.field + "__empty"])
                           for c in C.CLAIMS if c.field in found)

    def read(self, values: Sequence[Any]) -> tuple[list, list] | None:
        """The line's fields in :data:`LINE_FIELDS` order and the cells that could not be read as
        (field, problem); None for a blank row (nothing in any Claims column).  A row shorter
        than the header reads as if its last cells were empty."""
        if len(values) < self.width:
            values = tuple(values) + (None,) * (self.width - len(values))
        fields = _BLANK.copy()
        problems = []
        filled = False
        for name, position, read, readings, slot, bad_slot, empty_slot in self.cells:
            raw = values[position]
            if raw is None:
                continue
            found = None
            if readings is not None:
                try:
                    found = readings.get(raw)
                except TypeError:  # a cell that cannot be a key
                    readings = None
            if found is None or found[0] is not type(raw):  # (1, 1.0 and TRUE are equal keys)
                found = _reading(read, raw)
                if readings is not None:
                    if len(readings) >= ANSWERS_LIMIT:
                        readings.clear()
                    readings[raw] = found
            _, value, problem, holds_value = found
            if holds_value:
                fields[slot] = value
                fields[empty_slot] = False
                filled = True
            elif problem:
                fields[bad_slot] = True
                problems.append((name, problem))
                filled = True
            elif not filled:
                filled = not is_blank(raw)
        if not filled:
            return None
        fields[_UNITS_GIVEN] = fields[_UNITS] is not None
        if fields[_UNITS] is None:
            fields[_UNITS] = 1.0  # a blank Units cell is one unit
        payer, status = fields[_PAYER], fields[_STATUS]
        if payer:
            fields[_PAYER_KEY] = payer.strip().upper()
        if status:
            fields[_STATUS_KEY] = status.strip().capitalize()
        return fields, problems

    def reading_findings(self, claim_id: str | None, problems: list) -> list[Finding]:
        """A finding for each cell that could not be read, as the workbook check reports it."""
        return [column_problem("Claims", LINE_ROW, claim_id or "", _COLUMNS[name], problem)
                for name, problem in problems]


def _line_reader(kind: str) -> Callable[[Any], tuple]:
    """The reader of a cell of this kind (:data:`claimcheck.cell_readers.CELL_READERS`), giving
    (value as a line holds it, problem)."""
    reader = CELL_READERS[kind]
    if kind in _AS_READ_KINDS:
        return reader

    def read(raw: Any) -> tuple:
        value, problem = reader(raw)
        return canonical(kind, value), problem

    return read


def _reading(read: Callable, raw: Any) -> tuple:
    """(type of the cell, value as a line holds it, problem, whether it holds a value: no problem
    and not empty) for one cell, read as the workbook check reads it."""
    try:
        value, problem = read(raw)
    except Exception:  # a reader bug must never lose the line
        value, problem = None, "could not be read"
    return type(raw), value, problem, not problem and value is not None and value != ()


def read_line(names: Sequence[Any], values: Sequence[Any]) -> tuple[Any, list[Finding], frozenset] | None:
    """The line as the rules see it, the findings for cells that could not be read, and the
    fields present; None for a blank row."""
    reader = LineReader(names)
    read = reader.read(values)
    if read is None:
        return None
    fields, problems = read
    return Line._make(fields), reader.reading_findings(fields[_SLOT["claim_id"]], problems), reader.present


class _RuleGroup:
    """Rules that read the same fields, and their answers per value of those fields (none kept
    when they read a client's name or birth date).  A field the rules read only through a fact
    about it (a rule's ``through``: the DOS's fiscal year) is keyed on that fact, not its value."""

    def __init__(self, parts: tuple, rules: list):
        # parts: (field, the fact about it the rules read, or None for its value) per key part
        self.reads = tuple(dict.fromkeys(name for name, _ in parts))
        self.facts = tuple((_SLOT[name], fact) for name, fact in parts if fact is not None)
        values = [_SLOT[name] for name, fact in parts if fact is None]
        #: a line's fields -> the values of the fields the group reads as they are (the value
        #: itself when there is one, else a tuple)
        self.values: Callable[[list], Any] = itemgetter(*values) if values else (lambda fields: ())
        #: a line's fields -> the key of its answers: those values, and the facts
        self.key: Callable[[list], Any] = self.key_with_facts if self.facts else self.values
        self.rules = tuple((r.line, r.column, r.code, r.severity) for r in rules)
        self.answers: dict = {}
        self.keeps = not _PRIVATE_FIELDS.intersection(self.reads)

    def key_with_facts(self, fields: list) -> tuple:
        """The key of a line's answers when the group reads a fact about a field: the values,
        paired with each fact in turn."""
        key = self.values(fields)
        for slot, fact in self.facts:
            key = key, fact(fields[slot])
        return key

    def work_out(self, key: Any, line: Any, env: Env) -> tuple:
        """(code, severity, column, message) of every finding the group's rules give ``line``,
        kept under ``key`` when the group keeps any."""
        found = ()
        for func, column, code, severity in self.rules:
            result = func(line, env)
            if result is not None:  # most lines pass most rules
                found += tuple((code, severity, col, str(message)) for col, message in results_of(result, column))
        if self.keeps:
            if len(self.answers) >= ANSWERS_LIMIT:
                self.answers.clear()
            self.answers[key] = found
        return found


def _key_parts(rule) -> tuple:
    """What a rule's answer depends on: (field, fact) per field it reads, the fact being the
    rule's ``through`` for that field, or None for the field's value."""
    facts = dict(rule.through)
    return tuple((name, facts.get(name)) for name in rule.reads)


class LineChecker:
    """Checks lines under one header (``names``), on one date, with one set of code tables
    (default: :func:`claimcheck.tables.tables`) and row-level rules (default: every one
    registered now; each must have a per-line form).  A line on its own has no Payers or
    Providers sheet: payers get the documented defaults, and rules that never flag without
    another sheet (their ``needs_sheets``: the Providers sheet for PRV001-PRV005), or without an
    optional column the header lacks (``only_with_columns``: Note Signed for DOC001), are not run."""

    def __init__(self, names: Sequence[Any], as_of: dt.date, code_tables=None, rules: Sequence | None = None):
        self.reader = LineReader(names)
        self.as_of = as_of
        self.tables = code_tables or tables()
        #: the documented payer defaults per payer name, made once each (as Book.payer does for a
        #: payer missing from the Payers sheet)
        self.payers: dict[str, Payer] = {"": default_payer("", self.tables)}  # ("": the others' model)
        self.env = Env(tables=self.tables, as_of=as_of, payer=self.payer, providers={}, present=self.reader.present)
        # Rules reading the same fields (a field, its __bad flag and its __empty view count as one;
        # a fact about a field, such as the DOS's fiscal year, is not the field) form one group:
        # one look-up of kept answers serves them all.
        by_fields: dict[frozenset, list] = {}
        for rule in line_rules() if rules is None else rules:
            if rule.line is None:
                raise RuntimeError(f"{rule.code} has no per-line form")
            # (a rule needing a column the header lacks, or a sheet a lone line has not, never flags)
            if (self.reader.present.issuperset(rule.needs) and self.reader.present.issuperset(rule.only_with_columns)
                    and self.env.sheets.issuperset(rule.needs_sheets)):
                parts = _key_parts(rule)
                fields = frozenset(name.split("__")[0] if fact is None else (name, fact) for name, fact in parts)
                by_fields.setdefault(fields, []).append((rule, parts))
        # A group whose fields a wider group reads too joins the narrowest such group (one look-up
        # then serves both), unless only the wider one reads a field that differs on nearly every
        # line (the Claim ID, a client's name or birth date): its answers would never be reused.
        merged: dict[frozenset, list] = {}
        for fields in sorted(by_fields, key=len, reverse=True):
            wider = [f for f in merged if fields < f and not (f - fields) & _PER_LINE_FIELDS]
            merged.setdefault(min(wider, key=len) if wider else fields, []).extend(by_fields[fields])
        self.groups = tuple(_RuleGroup(tuple(dict.fromkeys(part for _, parts in members for part in parts)),
                                       [rule for rule, _ in members])
                            for members in merged.values())

    def payer(self, name: str | None) -> Payer:
        """The payer a line names, with the documented defaults (a line on its own has no Payers
        sheet)."""
        found = self.payers.get(name or "")
        if found is None:
            if len(self.payers) >= ANSWERS_LIMIT:
                self.payers = {"": self.payers[""]}
            found = self.payers[name or ""] = default_payer(name or "", self.tables, self.payers.get(""))
        return found

    def kept(self) -> list[tuple]:
        """Everything the checker keeps between lines: (cell, reading) per kept cell reading and
        (values, answer) per kept rule answer."""
        return ([item for cell in self.reader.cells if cell[3] is not None for item in cell[3].items()]
                + [item for group in self.groups for item in group.answers.items()])

    def check(self, values: Sequence[Any]) -> list[Finding] | None:
        """The row-level findings of one line (sorted as the engine sorts them), or None for a
        blank row."""
        read = self.reader.read(values)
        if read is None:
            return None
        fields, problems = read
        claim_id = fields[_CLAIM_ID]
        findings = self.reader.reading_findings(claim_id, problems) if problems else []
        answers: tuple = ()
        line = None  # the line as the rules see it, made for the first group that works out answers
        for group in self.groups:
            key = group.key(fields)
            found = group.answers.get(key)
            if found is None:
                if line is None:
                    line = Line._make(fields)
                found = group.work_out(key, line, self.env)
            if found:  # most lines pass most rules
                answers += found
        for code, severity, column, message in answers:
            findings.append(Finding(sheet="Claims", row=LINE_ROW, claim_id=claim_id or "",
                                    column=column, code=code, severity=severity, message=message))
        findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.column))
        return findings


#: The checkers in use: a sheet's lines share one header, date and code tables.
_CHECKERS: dict = {}
_CHECKERS_LIMIT = 64


def line_checker(names: Sequence[Any], as_of: dt.date, code_tables=None) -> LineChecker:
    """The :class:`LineChecker` for this header, date and code tables, made on first use and kept
    (with its answers) until :func:`forget`.  The rules are those registered when it was made."""
    code_tables = code_tables or tables()
    key = (tuple(names), as_of, id(code_tables))
    checker = _CHECKERS.get(key)
    if checker is None or checker.tables is not code_tables:
        if len(_CHECKERS) >= _CHECKERS_LIMIT:
            _CHECKERS.clear()
        checker = _CHECKERS[key] = LineChecker(names, as_of, code_tables)
    return checker


def forget() -> None:
    """Drop every kept checker and its answers, as for a workbook opened afresh (and so that
    rules registered since are run)."""
    _CHECKERS.clear()


def check_line(names: Sequence[Any], values: Sequence[Any], as_of: dt.date,
               rules: Sequence | None = None, code_tables=None) -> list[Finding] | None:
    """The row-level findings of one line (sorted as the engine sorts them), or None for a
    blank row.  ``names`` is the Claims header row, ``values`` the line's cells; ``rules``
    (default: every row-level rule registered now) must all have a per-line form;
    ``code_tables`` defaults to :func:`claimcheck.tables.tables`.  Nothing is kept: CHECK_CLAIM
    uses :func:`line_checker`."""
    return LineChecker(names, as_of, code_tables, rules).check(values)
