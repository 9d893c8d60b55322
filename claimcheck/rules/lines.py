"""Row-level rules written once, as plain Python over one service line.

A row-level rule looks at one line only (its code, minutes, modifiers, diagnoses, dates...) and
the run's settings (code tables, payers, providers, the as-of date).  It is written once, as a
function of a line::

    @line_rule("CPT001", ..., reads=("cpt",))
    def malformed_code(line, env):
        if line.cpt is not None and not PROCEDURE_SHAPE.match(line.cpt):
            return f"{line.cpt} is not a CPT or HCPCS code"

and run two ways from that one definition:

* over a whole claims table (:func:`run_line_rule`, what ``claimcheck check`` and CHECK_CLAIMS
  do): the function is called once per distinct combination of the fields it ``reads`` -
  a 100,000-line year has a few dozen CPT codes and a few hundred diagnosis lists - and the
  answers are spread back to every line with numpy;
* on one line (:func:`claimcheck.lines.check_line`, what the CHECK_CLAIM worksheet function
  does): called directly, with no DataFrame at all, in microseconds.

``reads`` must name every field the function looks at; the whole-table runner hands the
function a line that has only those fields, so reading another one fails loudly in the tests.

What a line holds (the same in both ways): text and codes as ``str`` or ``None``; dates as
``datetime.date`` or ``None``; numbers as ``float`` or ``None``; modifiers, diagnoses and
denial codes as tuples (``()`` when empty); ``<field>__bad`` is True when that cell could not be
read (the reader already reported it) and ``<field>__empty`` True when it is empty (a rule that
only asks whether a cell is filled reads this view, so the table runner need not tell apart
100,000 distinct Claim IDs); ``units`` is 1.0 when the cell is blank and
``units_given`` says whether it was filled; ``payer_key`` and ``status_key`` are the payer
upper-cased and the status capitalised.

A rule may also give ``candidates``: a whole-table function returning a boolean mask of the
lines that might be flagged (a superset), so a rule comparing two many-valued fields (a DOS with
a date of birth) calls its function only for those lines.  The function alone decides; the
equivalence tests run every line both ways.

A rule may also give ``through``: for a field it reads, the one fact about it the answer depends
on (``{"dos": icd10.fiscal_year}`` for the DX rules of the code set in force).  CHECK_CLAIM then
keeps one answer per fact, not per date; tests/test_lines_facts.py holds every such rule to it.

A rule that never flags without a sheet besides Claims (the Providers sheet, for a rule that looks
up the rendering provider) declares ``needs_sheets``; one that never flags without an optional
column (Note Signed, Start Time, Stop Time) declares ``only_with_columns``.  CHECK_CLAIM, which has
a line and no other sheet, leaves such a rule out where it could not flag;
tests/test_lines_sheets.py runs every fixture without those sheets and columns to hold each
declaration to it.

A rule function returns ``None`` (nothing to flag), a message (a finding on the rule's
column), a ``(column, message)`` pair, or a list of messages/pairs.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import columns as C
from ._util import combine_codes, first_positions, memo, run_codes

#: Field -> how its values look on a line (the claims columns, then the derived fields).
FIELD_KINDS: dict[str, str] = {c.field: c.kind for c in C.CLAIMS}
FIELD_KINDS.update({"units_given": "bool", "payer_key": "key", "status_key": "key"})

_DATE_KINDS = frozenset({"date", "private_date"})
_TUPLE_KINDS = frozenset({"modifiers", "dx", "codes"})


def field_kind(name: str) -> str:
    if name.endswith("__bad"):
        return "bool"
    if name.endswith("__empty"):
        field_kind(name[: -len("__empty")])
        return "bool"
    try:
        return FIELD_KINDS[name]
    except KeyError:
        raise KeyError(f"a line has no field {name!r}; fields: {', '.join(sorted(FIELD_KINDS))}") from None


def empty_value(kind: str):
    """What a line holds for an empty cell of this kind."""
    if kind in _TUPLE_KINDS:
        return ()
    if kind == "bool":
        return False
    if kind == "key":
        return ""
    return None


def canonical(kind: str, value: Any):
    """A DataFrame cell as a line holds it (see the module docstring)."""
    if value is None:
        return empty_value(kind)
    if kind in _DATE_KINDS:
        if value is pd.NaT or (isinstance(value, float) and value != value):
            return None
        return value.date() if isinstance(value, (pd.Timestamp, dt.datetime)) else value
    if kind == "number":
        value = float(value) + 0.0  # -0.0 is 0 (the two are one key in every cache)
        return None if value != value else value
    if kind == "bool":
        return bool(value) if value == value else False
    if isinstance(value, float) and value != value:
        return empty_value(kind)
    return value


@dataclass(frozen=True)
class Env:
    """What a line rule may look at besides the line: the run's settings."""

    tables: Any  # claimcheck.tables.CodeTables
    as_of: dt.date
    payer: Callable[[str | None], Any]  # payer name -> claimcheck.models.Payer (defaults when not on the sheet)
    providers: dict  # NPI -> claimcheck.models.Provider
    present: frozenset  # claim fields whose column exists
    sheets: frozenset = frozenset({"Claims"})  # the workbook's sheets that have a table


_LINE_TYPES: dict[tuple[str, ...], type] = {}


def line_type(fields: tuple[str, ...]) -> type:
    """A light record type with exactly these fields (attribute access, as a rule reads them)."""
    found = _LINE_TYPES.get(fields)
    if found is None:
        for name in fields:
            field_kind(name)  # unknown field names fail here, when the rule is registered
        found = _LINE_TYPES[fields] = namedtuple("Line", fields, rename=False)
    return found


def full_line_type(fields: tuple[str, ...]) -> type:
    """A line with every field, which also answers ``<field>__empty``."""
    base = line_type(fields)

    def empty_view(name: str):
        get = getattr(base, name)  # the namedtuple's field accessor
        return property(lambda self: get.__get__(self) in (None, ()))

    views = {f"{name}__empty": empty_view(name) for name in fields if "__" not in name}
    return type("FullLine", (base,), {"__slots__": (), **views})


def results_of(value, column: str) -> list[tuple[str, str]]:
    """A rule function's answer as (column, message) pairs."""
    if value is None:
        return []
    if isinstance(value, str):
        return [(column, value)] if value else []
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return [value]
    out = []
    for item in value:
        if item is None:
            continue
        if isinstance(item, str):
            if item:
                out.append((column, item))
        else:
            out.append((item[0] or column, item[1]))
    return out


# --------------------------------------------------------------------------- whole table


def env_of(ctx) -> Env:
    book = ctx.book
    return memo(ctx, "lines.env", lambda: Env(tables=ctx.tables, as_of=ctx.as_of, payer=book.payer,
                                               providers=book.providers, present=frozenset(book.present),
                                              sheets=frozenset(book.sheets_present)))


def _field_codes(ctx, name: str) -> tuple[np.ndarray, list]:
    """One integer per line for the field's value, and the value (as a line holds it) of each
    integer.  Computed once per run and field."""

    def make():
        claims = ctx.claims
        kind = field_kind(name)
        n = len(claims)
        if name.endswith("__empty"):
            base = name[: -len("__empty")]
            if field_kind(base) in _TUPLE_KINDS:  # an empty list is (), not a missing value
                codes, values = _field_codes(ctx, base)
                empty = np.array([v == () for v in values], dtype=np.intp)
                return empty[codes], [False, True]
            # Whether a cell is empty needs no numbering of its (maybe 100,000 distinct) values.
            return claims[base].isna().to_numpy().astype(np.intp), [False, True]
        if name not in claims.columns:  # a __bad column exists only when a cell was unreadable
            return np.zeros(n, dtype=np.intp), [empty_value(kind)]
        # The run's shared numbering of the column (the cross-row rules use it too); an empty
        # cell's NaN/NaT reads as the kind's empty value.
        codes, uniques = run_codes(ctx, name)
        return np.asarray(codes, dtype=np.intp), [canonical(kind, u) for u in uniques]

    return memo(ctx, "lines.codes." + name, make)


def _groups(ctx, reads: tuple[str, ...]):
    """For the fields ``reads``: each line's group number, and one line record per group."""

    def make():
        n = len(ctx.claims)
        record = line_type(reads)
        parts = [_field_codes(ctx, name) for name in reads]
        if not reads:
            return np.zeros(n, dtype=np.intp), [record()]
        inverse = combine_codes(*(codes for codes, _ in parts))
        sample = first_positions(inverse)  # the first line of each group stands for it
        fields = ([values[k] for k in codes[sample].tolist()] for codes, values in parts)
        return inverse, list(map(record, *fields))

    return memo(ctx, "lines.groups." + ",".join(reads), make)


def _candidate_groups(ctx, reads: tuple[str, ...], mask: np.ndarray):
    """Like :func:`_groups`, over only the lines in ``mask``: (their positions, group numbers,
    one record per group)."""
    at = np.flatnonzero(mask)
    record = line_type(reads)
    parts = [_field_codes(ctx, name) for name in reads]
    if not len(at):
        return at, np.zeros(0, dtype=np.intp), []
    if not reads:
        return at, np.zeros(len(at), dtype=np.intp), [record()]
    inverse = combine_codes(*(codes[at] for codes, _ in parts))
    sample = at[first_positions(inverse)]  # the first candidate line of each group stands for it
    fields = ([values[k] for k in codes[sample].tolist()] for codes, values in parts)
    return at, inverse, list(map(record, *fields))


def run_line_rule(ctx, func: Callable, reads: tuple[str, ...], column: str, candidates: Callable | None = None):
    """A line rule over the whole claims table: findings as a DataFrame (message, column)
    indexed by claim line, in line order."""
    if ctx.claims.empty:
        return None
    env = env_of(ctx)
    if candidates is not None:
        mask = np.asarray(candidates(ctx), dtype=bool)
        positions, inverse, lines = _candidate_groups(ctx, reads, mask)
    else:
        positions = None
        inverse, lines = _groups(ctx, reads)
    answers = [results_of(func(line, env), column) for line in lines]
    counts = np.array([len(answer) for answer in answers], dtype=np.intp)  # findings per group
    hit = np.flatnonzero(counts[inverse])  # the flagged lines, in line order
    if not len(hit):
        return None
    at = hit if positions is None else positions[hit]
    groups = inverse[hit]
    # Each flagged line takes its group's answers.  ``flat`` holds every group's answers, group
    # after group, group g's from ``first[g]``: a line's k-th finding is flat[first[g] + k].
    flat = [pair for answer in answers for pair in answer]
    first = np.cumsum(counts) - counts
    each = counts[groups]  # findings per flagged line
    k = np.arange(each.sum(), dtype=np.intp) - np.repeat(np.cumsum(each) - each, each)
    found = [flat[i] for i in (np.repeat(first[groups], each) + k).tolist()]
    # (object columns: no string dtype inferred only for the engine to read the lists back)
    return pd.DataFrame({"message": [message for _, message in found], "column": [col for col, _ in found]},
                        index=ctx.claims.index[np.repeat(at, each)], dtype=object)
