"""The rule registry.

A rule is a small pure function from the checked workbook (:class:`claimcheck.engine.Context`)
to the rows it flags.  It is registered with :func:`rule`, which records its stable code
(family + 3 digits), title, severity, why payers care and how to fix it.  The docstring of the
function says what it does.  Codes never change meaning once released; a retired rule keeps its
code with ``status="removed"``.

A rule returns either a ``pandas.Series`` of messages indexed by claim-line index (only the
flagged lines), or a ``pandas.DataFrame`` with a ``message`` column and optionally ``column``
(the cell the finding is on, when it varies) - or an iterable of ``(index, message)`` pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: Severity
    column: str
    why: str
    fix: str
    func: Callable | None = None
    needs: tuple[str, ...] = ()
    status: Literal["stable", "removed"] = "stable"
    #: Row-level rules look at one service line only; CHECK_CLAIM runs just these.
    row_level: bool = True
    sheet: str = "Claims"
    doc: str = field(default="", compare=False)
    #: A line rule's per-line function and the line fields it reads (see ``rules.lines``).
    line: Callable | None = field(default=None, compare=False)
    reads: tuple[str, ...] = ()
    #: (field, fact) for a field the rule's answer depends on only through a fact about it (see
    #: :func:`line_rule`'s ``through``).
    through: tuple[tuple[str, Callable], ...] = field(default=(), compare=False)
    #: The sheets besides Claims without which the rule never flags a line (the Providers sheet
    #: for a rule that looks up the rendering provider): CHECK_CLAIM, which has a line and no
    #: other sheet, leaves it out.  tests/test_lines_sheets.py holds every rule to it.
    needs_sheets: tuple[str, ...] = ()
    #: The optional columns without which the rule never flags a line (unlike ``needs``, a
    #: missing one is not reported: the documentation columns); CHECK_CLAIM under a header
    #: without them leaves the rule out.  tests/test_lines_sheets.py holds every rule to it.
    only_with_columns: tuple[str, ...] = ()
    #: The shared analyses (``claimcheck.engine.STAGES``) the rule reads from its Context.
    uses: tuple[str, ...] = ()
    #: Worked examples (:class:`claimcheck.rules.examples.Example`): lines that raise the rule,
    #: and the same lines put right.
    bad: Any = field(default=None, compare=False)
    good: Any = field(default=None, compare=False)

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    *,
    title: str,
    severity: Severity,
    column: str,
    why: str,
    fix: str,
    needs: tuple[str, ...] = (),
    row_level: bool = True,
    sheet: str = "Claims",
    uses: tuple[str, ...] = (),
    bad=None,
    good=None,
):
    """Register a rule function under ``code``; ``uses`` names the shared analyses it reads
    from its Context (``claimcheck.engine.STAGES``); ``bad`` and ``good`` are its worked examples
    (:class:`claimcheck.rules.examples.Example`, or a list of line changes)."""
    from .examples import Example

    def decorate(func):
        _register(code, title=title, severity=severity, column=column, why=why, fix=fix, func=func,
                  needs=needs, row_level=row_level, sheet=sheet, doc=_doc(func), uses=tuple(uses),
                  bad=Example.of(bad), good=Example.of(good))
        return func

    return decorate


def _doc(func) -> str:
    return " ".join((func.__doc__ or "").split())


def _register(code: str, **fields) -> Rule:
    if code in REGISTRY:
        raise ValueError(f"rule code {code} registered twice")
    REGISTRY[code] = found = Rule(code=code, **fields)
    return found


def line_rule(
    code: str,
    *,
    title: str,
    severity: Severity,
    column: str,
    why: str,
    fix: str,
    reads: tuple[str, ...],
    needs: tuple[str, ...] = (),
    candidates: Callable | None = None,
    through: dict[str, Callable] | None = None,
    needs_sheets: tuple[str, ...] = (),
    only_with_columns: tuple[str, ...] = (),
    bad=None,
    good=None,
):
    """Register a row-level rule written for one line, ``func(line, env)`` (see
    :mod:`claimcheck.rules.lines`); ``reads`` names every line field it looks at.  The whole-table
    form the engine runs is made from it; ``candidates`` (optional) narrows the table run to the
    lines that might be flagged.  ``through`` (optional) names, for a field the rule reads, the one
    fact about it the answer depends on, such as ``{"dos": icd10.fiscal_year}``: any two lines
    whose DOS fall in one fiscal year (and whose other fields are the same) get the same answer,
    so CHECK_CLAIM keeps one answer per fiscal year instead of one per date.  ``needs_sheets``
    (optional) names the sheets besides Claims without which the rule never flags a line, such as
    ``("Providers",)``: CHECK_CLAIM, which has no other sheet, does not run it; likewise
    ``only_with_columns`` the optional Claims columns (fields) without which it never flags."""
    from .examples import Example
    from .lines import line_type, run_line_rule

    line_type(tuple(reads))  # unknown field names fail at registration
    unread = set(through or ()) - set(reads)
    if unread:
        raise ValueError(f"{code}: through names {', '.join(sorted(unread))}, which it does not read")
    from .. import columns as C

    unknown = set(needs_sheets) - set(C.SHEETS) or set(needs_sheets) & {"Claims"}
    if unknown:
        raise ValueError(f"{code}: needs_sheets names {', '.join(sorted(unknown))}, not another sheet of the contract")
    unknown = set(only_with_columns) - {c.field for c in C.CLAIMS}
    if unknown:
        raise ValueError(f"{code}: only_with_columns names {', '.join(sorted(unknown))}, not a Claims column's field")

    def decorate(func):
        reads_ = tuple(reads)

        def over_table(ctx):
            return run_line_rule(ctx, func, reads_, column, candidates)

        over_table.__name__ = func.__name__
        _register(code, title=title, severity=severity, column=column, why=why, fix=fix, func=over_table,
                  needs=needs, row_level=True, sheet="Claims", doc=_doc(func), line=func, reads=reads_,
                  through=tuple((through or {}).items()), needs_sheets=tuple(needs_sheets),
                  only_with_columns=tuple(only_with_columns),
                  bad=Example.of(bad), good=Example.of(good))
        return func

    return decorate


def declare(code: str, *, title: str, severity: Severity, column: str, why: str, fix: str,
            row_level: bool = True, sheet: str = "Claims") -> Rule:
    """Register a code whose findings are raised by the reader or another module, not by a
    rule function (for example a cell that cannot be read)."""
    return _register(code, title=title, severity=severity, column=column, why=why, fix=fix, func=None,
                     row_level=row_level, sheet=sheet)


#: The order of the families in every list of rules (others after them).
FAMILY_ORDER = {family: i for i, family in enumerate(
    ["REQ", "CPT", "MOD", "DX", "POS", "NPI", "PRV", "ELIG", "DOC", "DATE", "CHG", "DUP", "AUTH", "DENY", "FUP"])}


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by family order and code."""
    from . import load_all  # noqa: F401  (imports the rule modules)

    load_all()
    return sorted(REGISTRY.values(), key=lambda r: (FAMILY_ORDER.get(r.family, 99), r.code))


def get(code: str) -> Rule:
    from . import load_all  # noqa: F401  (imports the rule modules)

    load_all()
    return REGISTRY[code]
