"""The engine's front door: check a workbook file, or tables that came from Excel ranges."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Callable, Sequence

from .book import Book, build_book
from .bulk import bulk_work
from .engine import Context, run_rules, summary
from .models import Finding, FindingTable
from .reader import RawTable, Reading, read_workbook
from .rules import load_all
from .tables import tables as load_tables


@dataclass
class CheckResult:
    workbook: str
    as_of: dt.date
    book: Book
    #: A :class:`FindingTable` from the engine (a sequence of findings); any list of findings will do.
    findings: Sequence[Finding]
    #: The run's context: its stages (``context.stage("auth_matching")``, ``"denial_decisions"``)
    #: are the ones the rules read, for the reports, the checked copy and the buttons.
    context: Context | None = None

    @property
    def summary(self) -> dict:
        return summary(self.findings, len(self.book.claims))

    @property
    def has_errors(self) -> bool:
        return "error" in FindingTable.of(self.findings).severity

    def as_json(self) -> dict:
        return {
            "workbook": self.workbook,
            "as_of": self.as_of.isoformat(),
            "summary": self.summary,
            "findings": [f.as_dict() for f in self.findings],
        }


def load_book(path: str | os.PathLike | Reading, tables_dir: str | None = None, engine: str = "auto") -> Book:
    """Read and normalise a workbook (raises :class:`claimcheck.reader.UnusableInput`); ``path``
    may be a :class:`claimcheck.reader.Reading` already started (with its own engine)."""
    load_all()
    with bulk_work():
        raw = read_workbook(path, engine=engine)
        return build_book(raw, load_tables(tables_dir))


def check_book(book: Book, as_of: dt.date | None = None, *, workbook: str = "",
               row_level_only: bool = False, progress: Callable[[str], None] | None = None) -> CheckResult:
    as_of = as_of or dt.date.today()
    context = Context(book=book, as_of=as_of)
    with bulk_work():
        findings = run_rules(book, as_of, row_level_only=row_level_only, progress=progress, context=context)
    return CheckResult(workbook=workbook, as_of=as_of, book=book, findings=findings, context=context)


def check_workbook(path: str | os.PathLike, as_of: dt.date | None = None, *, tables_dir: str | None = None,
                   engine: str = "auto", progress: Callable[[str], None] | None = None) -> CheckResult:
    """Check every line of the workbook at ``path``; the file is only read."""
    book = load_book(path, tables_dir=tables_dir, engine=engine)
    return check_book(book, as_of, workbook=os.path.basename(str(path)), progress=progress)


def check_raw(raw: dict[str, RawTable], as_of: dt.date | None = None, *, row_level_only: bool = False) -> CheckResult:
    """Check tables built from Excel ranges (the worksheet functions use this)."""
    load_all()
    book = build_book(raw, load_tables())
    return check_book(book, as_of, row_level_only=row_level_only)


def example_findings(example) -> list[Finding]:
    """Every finding claimcheck gives a rule's worked example
    (:class:`claimcheck.rules.examples.Example`), all rules run as in a workbook."""
    from .rules.examples import EXAMPLE_AS_OF, example_code_tables, example_tables

    if not example.covered_dx:
        return check_raw(example_tables(example), EXAMPLE_AS_OF).findings
    load_all()
    book = build_book(example_tables(example), example_code_tables(example, load_tables()))
    return check_book(book, EXAMPLE_AS_OF).findings
