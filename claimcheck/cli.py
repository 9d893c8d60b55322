"""The ``claimcheck`` command (contract section 4).

Exit codes: 0 no errors found, 1 errors found, 2 the input could not be used (one plain line on
stderr, never a traceback).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .reader import UnusableInput

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Check therapy claim lines, track authorizations and write appeals from an Excel billing workbook.",
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


def _fail(message: str) -> None:
    """Print one plain line on stderr and exit 2."""
    sys.stderr.write("claimcheck: " + " ".join(str(message).split()) + "\n")
    raise typer.Exit(2)


def _as_of(value: Optional[str]) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        _fail(f"--as-of {value!r} is not a date; use YYYY-MM-DD, for example 2026-03-31")
    raise AssertionError  # pragma: no cover


def _reading_status(workbook: Path):
    """A spinner on stderr while a large workbook (over 1 MB) is read, when stderr is a terminal."""
    import contextlib

    try:
        large = workbook.stat().st_size > 1_000_000
    except OSError:
        large = False
    if not large or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(f"reading {workbook.name} ...")


def _progress_for(lines: int):
    """A rich progress bar on stderr for large workbooks when stderr is a terminal."""
    if lines < 5000 or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    from .rules.registry import all_rules

    total = sum(1 for r in all_rules() if r.func is not None)
    bar = Progress(TextColumn("checking {task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} rules"),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(f"{lines:,} lines", total=total)
    return bar, (lambda code: bar.advance(task))


@app.command()
def check(
    workbook: Path = typer.Argument(..., help="The billing workbook (.xlsx or .xlsm)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The date the checks treat as today (YYYY-MM-DD)."),
    format: Format = typer.Option(Format.text, "--format", help="text, json or csv."),
    output: Optional[Path] = typer.Option(None, "--output", help="Write a copy with a Check column and a Findings sheet."),
    tables: Optional[Path] = typer.Option(None, "--tables", help="A folder of code-table CSVs overriding the shipped ones."),
    engine: str = typer.Option("auto", "--engine", help="Reader: auto, openpyxl or calamine."),
    hide_expired: bool = typer.Option(False, "--hide-expired", help="Leave expired authorizations out of the authorization summary (text report; rows hidden on the Authorizations sheet of --output)."),
) -> None:
    """Check every service line and report coded findings."""
    from .reader import start_reading

    day = _as_of(as_of)
    if tables is not None and not tables.is_dir():
        _fail(f"--tables {tables}: not a folder")
    try:
        with _reading_status(workbook):
            reading = start_reading(workbook, engine)  # the cells are parsed while the engine loads
            from . import report
            from .api import check_book, load_book

            book = load_book(reading, tables_dir=str(tables) if tables else None)
        bar, progress = _progress_for(len(book.claims))
        if bar is not None:
            with bar:
                result = check_book(book, day, workbook=workbook.name, progress=progress)
        else:
            result = check_book(book, day, workbook=workbook.name)
        # The authorization table (text) and the Authorizations sheet's usage (--output) read the
        # run's matching, the one the AUTH findings came from.
        matching = None
        if book.authorizations and (output is not None or format is Format.text):
            matching = result.context.stage("auth_matching")
        notes = []
        if output is not None:
            from .auth_summary import write_auth_summary
            from .writer import write_checked_copy

            notes = write_checked_copy(workbook, output, result, extra=lambda wb, res: write_auth_summary(
                wb, res, hide_expired=hide_expired, matching=matching))
    except UnusableInput as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or workbook}: {exc.strerror or exc}")
    for note in notes:
        sys.stderr.write(f"claimcheck: note: {note}\n")
    if format is Format.json:
        report.write_json(result, sys.stdout)
        sys.stdout.write("\n")
    elif format is Format.csv:
        report.write_csv(result.findings, sys.stdout)
    else:
        report.write_text(result, sys.stdout, hide_expired=hide_expired, auth_matching=matching)
        if output is not None:
            sys.stdout.write(f"\nWrote {output} (Check column on {result.book.claims_sheet}, Findings sheet).\n")
    raise typer.Exit(1 if result.has_errors else 0)


@app.command()
def appeals(
    workbook: Path = typer.Argument(..., help="The billing workbook (.xlsx or .xlsm)."),
    output: Path = typer.Option(..., "--output", help="Write a copy with one appeal sheet per appealable denied claim and an Appeals Log."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The date treated as today (YYYY-MM-DD)."),
    claim: Optional[List[str]] = typer.Option(None, "--claim", help="Only these Claim IDs (repeatable)."),
    docx: Optional[Path] = typer.Option(None, "--docx", help="Also write each letter as a .docx into this folder."),
) -> None:
    """Write appeal sheets for denied claims, and an Appeals Log with every decision."""
    from .appeals import run_appeals  # the appeals feature (issue 4)

    from .workbook_file import damaged_message, damaged_sheets

    day = _as_of(as_of)
    try:
        code = run_appeals(workbook, output, as_of=day, claims=list(claim or []), docx_dir=docx, out=sys.stdout)
        damaged = damaged_sheets(workbook)
    except UnusableInput as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or workbook}: {exc.strerror or exc}")
    for sheet, reason in damaged.items():
        # Deadlines and payers came from defaults: never report success over a damaged sheet.
        sys.stderr.write(f"claimcheck: {damaged_message(sheet, reason)}; its defaults were used\n")
    raise typer.Exit(code or (1 if damaged else 0))


class EraFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def era(
    workbook: Path = typer.Argument(..., help="The billing workbook (.xlsx or .xlsm)."),
    era_files: List[Path] = typer.Argument(..., help="One or more 835 remittance files."),
    output: Path = typer.Option(..., "--output", help="Write a copy with the remittances posted."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The date treated as today (YYYY-MM-DD)."),
    format: EraFormat = typer.Option(EraFormat.text, "--format", help="text or json."),
) -> None:
    """Post 835 remittances (ERA) to a copy of the workbook: statuses, payments, denials, reconciliation."""
    from .era.command import run_era  # the ERA posting feature (issue 16)

    day = _as_of(as_of)
    try:
        code = run_era(workbook, list(era_files), output, day, format.value, sys.stdout)
    except UnusableInput as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or workbook}: {exc.strerror or exc}")
    raise typer.Exit(code)


@app.command()
def new(
    output: Path = typer.Argument(..., help="The new workbook: .xlsx, or .xlsm for buttons and a Billing ribbon tab."),
    sample: bool = typer.Option(False, "--sample", help="Fill it with the bundled sample data."),
) -> None:
    """Create a new billing workbook from the claimcheck template."""
    from claimcheck.workbook_templates.build import build_workbook  # the template feature (issue 6)

    if output.exists():
        _fail(f"{output}: already exists; claimcheck new never overwrites a workbook, choose another name")
    try:
        build_workbook(output, sample=sample)
    except UnusableInput as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or output}: {exc.strerror or exc}")
    sys.stdout.write(f"Wrote {output}\n")


@app.command()
def rules(
    code: Optional[str] = typer.Argument(None, help="One rule's code (e.g. CPT002): what it does, why, an example and the fix."),
    markdown: bool = typer.Option(False, "--markdown", help="All rules as Markdown (what docs/rules.md holds)."),
) -> None:
    """List every rule with its code, severity, why payers care and how to fix it; or one rule in full."""
    from .report import rule_help, rules_markdown, rules_text

    if code is None:
        sys.stdout.write(rules_markdown() if markdown else rules_text())
        return
    try:
        sys.stdout.write(rule_help(code))
    except KeyError:
        _fail(f"no rule {code.strip().upper()}; 'claimcheck rules' lists them all")


class _OutputUntilClosed:
    """Standard output that, once its reader has gone (``claimcheck appeals ... | head``), sends the
    rest nowhere: the command still finishes its work (the ``--output`` copy, the letters) and
    exits with its own code, instead of stopping half-way with a "Broken pipe" error."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._to_nowhere()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._to_nowhere()

    def _to_nowhere(self) -> None:
        nowhere = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nowhere, self._stream.fileno())  # (what the stream still holds goes there too)
        os.close(nowhere)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: Optional[List[str]] = None) -> None:
    """Console entry point; turns any unexpected failure into one plain line (exit 2)."""
    if not isinstance(sys.stdout, _OutputUntilClosed) and hasattr(sys.stdout, "fileno"):
        sys.stdout = _OutputUntilClosed(sys.stdout)
    try:
        app(args=argv, prog_name="claimcheck", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("claimcheck: interrupted\n")
        raise SystemExit(130)
    except Exception as exc:  # never a traceback for the user
        sys.stderr.write(f"claimcheck: internal error ({type(exc).__name__}); please report it with the command you ran\n")
        raise SystemExit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
