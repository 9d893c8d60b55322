"""Printing findings: a text report grouped by claim, JSON, and CSV.

CSV cells that a spreadsheet would run as a formula are prefixed with an apostrophe (OWASP's
CSV-injection rule), so text from the workbook never becomes a formula.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from itertools import islice
from typing import Sequence

import numpy as np

from .bulk import bulk_work
from .models import FINDING_FIELDS, SEVERITY_ORDER, Finding, FindingTable
from .rules.registry import get

FIELDS = FINDING_FIELDS
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    """Text that a spreadsheet would evaluate as a formula, made inert with a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_json(result) -> str:
    """The JSON report (contract section 4): the same text as ``json.dumps(result.as_json(),
    indent=2, ensure_ascii=False)``."""
    return "".join(json_chunks(result))


def write_json(result, out) -> None:
    """The JSON report written to the text stream ``out`` piece by piece, never held whole."""
    with bulk_work():  # (as the check itself: no cycle collection over the report's texts)
        for chunk in json_chunks(result):
            out.write(chunk)


def json_chunks(result, per_chunk: int = 2000):
    """The JSON report in pieces of ``per_chunk`` findings, byte for byte what ``json.dumps``
    with ``indent=2`` and ``ensure_ascii=False`` writes.  The findings are written from a
    template per finding (``json.dumps`` walks every value through its pure-Python indenting
    encoder, which cost more than checking the workbook), each column's distinct values encoded
    once."""
    head = json.dumps({"workbook": result.workbook, "as_of": result.as_of.isoformat(),
                       "summary": result.summary, "findings": []}, indent=2, ensure_ascii=False)
    table = FindingTable.of(result.findings)
    if not table:
        yield head
        return
    assert head.endswith('"findings": []\n}')
    yield head[:-3] + "\n"  # (keeps the "[")
    template = ('    {\n      "sheet": %s,\n      "row": %s,\n      "claim_id": %s,\n      "column": %s,\n'
                '      "code": %s,\n      "severity": %s,\n      "message": %s\n    }')
    rows = ["null" if row is None else int.__repr__(row) for row in table.row]
    sheet, claim_id, column, code, severity, message = (_encoded(values) for values in (
        table.sheet, table.claim_id, table.column, table.code, table.severity, table.message))
    texts = map(template.__mod__, zip(sheet, rows, claim_id, column, code, severity, message))
    for start in range(0, len(table), per_chunk):
        yield (",\n" if start else "") + ",\n".join(islice(texts, per_chunk))
    yield "\n  ]\n}"


def _encoded(texts: list[str]) -> list[str]:
    """Each text as JSON, each distinct text encoded once."""
    enc = _Encoded()
    return [enc[text] for text in texts]


class _Encoded(dict):
    """Values and their JSON text, each encoded the first time it is looked up: json's own string
    encoder (its C version when present), as ``json.dumps(ensure_ascii=False)`` uses it."""

    def __missing__(self, value) -> str:
        text = json.encoder.encode_basestring(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        self[value] = text
        return text


def to_csv(findings: Sequence[Finding]) -> str:
    return "".join(csv_chunks(findings))


def write_csv(findings: Sequence[Finding], out) -> None:
    """The CSV report written to the text stream ``out`` piece by piece, never held whole."""
    with bulk_work():  # (as the check itself: no cycle collection over the report's texts)
        for chunk in csv_chunks(findings):
            out.write(chunk)


def csv_chunks(findings: Sequence[Finding], per_chunk: int = 2000):
    """The CSV report in pieces of ``per_chunk`` findings, byte for byte what ``csv.writer``
    writes row by row: each column's distinct values made into their CSV text once, then each
    finding's line filled in from those texts."""
    table = FindingTable.of(findings)
    yield ",".join(FIELDS) + "\n"
    lines = map("%s,%s,%s,%s,%s,%s,%s\n".__mod__, zip(*(_csv_texts(values) for values in table.columns())))
    for _ in range(0, len(table), per_chunk):
        yield "".join(islice(lines, per_chunk))


def _csv_texts(values: list) -> list[str]:
    """What the CSV cells hold for these values, as CSV text, each distinct value made once."""
    texts = {value: _csv_text(value) for value in dict.fromkeys(values)}
    return list(map(texts.__getitem__, values))


#: Text that csv.writer writes as it is, unquoted (anything else is left to the csv module).
_PLAIN_CSV = re.compile(r"[\w .-]*")


def _csv_text(value) -> str:
    """A value as a CSV cell's text (:func:`safe_cell`; None as empty), quoted as ``csv.writer``
    quotes it."""
    cell = "" if value is None else safe_cell(value)
    if type(cell) is int or (isinstance(cell, str) and _PLAIN_CSV.fullmatch(cell)):
        return str(cell)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([cell, ""])  # (one empty cell alone would be quoted)
    return buf.getvalue()[:-2]


#: Each severity as the text report's column shows it.
_LABELS = {"error": "ERROR  ", "warning": "WARNING", "info": "INFO   "}


def to_text(result, *, width: int = 100, hide_expired: bool = False, auth_matching=None) -> str:
    """A report a biller reads top to bottom: a headline, then each claim's findings in row
    order, the authorization table (:func:`auth_summary_lines`; ``hide_expired`` leaves expired
    authorizations out; ``auth_matching``, the book's matching if already made), then the count
    per rule with how to fix it."""
    return "".join(text_chunks(result, hide_expired=hide_expired, auth_matching=auth_matching))


def write_text(result, out, *, hide_expired: bool = False, auth_matching=None) -> None:
    """The text report (:func:`to_text`) written to the text stream ``out`` piece by piece."""
    with bulk_work():  # (as the check itself: no cycle collection over the report's texts)
        for chunk in text_chunks(result, hide_expired=hide_expired, auth_matching=auth_matching):
            out.write(chunk)


def text_chunks(result, *, hide_expired: bool = False, auth_matching=None, per_chunk: int = 2000):
    """The text report (:func:`to_text`) in pieces of about ``per_chunk`` claims."""
    s = result.summary
    lines = [
        f"claimcheck {result.workbook or ''} as of {result.as_of.isoformat()}",
        f"{s['lines']} service lines checked: {s['errors']} errors, {s['warnings']} warnings, {s['info']} notes"
        f" ({s['lines_with_errors']} lines with errors)",
        "",
    ]
    table = FindingTable.of(result.findings)
    if not table:
        lines.append("No problems found. Every line is ready to bill.")
        lines.extend(auth_summary_lines(result, hide_expired=hide_expired, matching=auth_matching))
        yield "\n".join(lines) + "\n"
        return
    lines += _claim_blocks(table, result.book.header_row)
    lines.extend(auth_summary_lines(result, hide_expired=hide_expired, matching=auth_matching))
    lines.append("By rule:")
    for code, n in sorted(s["by_code"].items(), key=lambda kv: (-kv[1], kv[0])):
        rule = get(code)
        lines.append(f"  {code:<7} {n:>5}  {rule.title}. Fix: {rule.fix}")
    for start in range(0, len(lines), per_chunk):
        yield "\n".join(lines[start:start + per_chunk]) + "\n"


#: A group's worst severity (by SEVERITY_ORDER) as its title line ends.
_WORST = {SEVERITY_ORDER[s]: s.upper() if s != "info" else "NOTE" for s in SEVERITY_ORDER}


def _claim_blocks(table: FindingTable, header_row: int | None) -> list[str]:
    """The findings part of the text report: each claim (or sheet, for findings on no claim
    line) in the order of its first finding, as its title line, its findings' lines in the
    engine's order and a blank line.  Grouped with numpy: the findings are sorted by group, and
    every line's place in the report is worked out from the groups' sizes."""
    n = len(table)
    titles = [f"Sheet {sheet}" if row is None or (not claim_id and row == header_row)
              else f"Claim {claim_id or f'(no claim ID, row {row})'}"
              for sheet, row, claim_id in zip(table.sheet, table.row, table.claim_id)]
    number: dict[str, int] = {}  # title -> group number, in order of first appearance
    group = np.fromiter((number.setdefault(title, len(number)) for title in titles), dtype=np.intp, count=n)
    order = np.argsort(group, kind="stable")  # the findings group by group, in their order within
    size = np.bincount(group)
    start = np.cumsum(size) - size  # each group's first place in ``order``
    rank = np.fromiter(map(SEVERITY_ORDER.__getitem__, table.severity), dtype=np.intp, count=n)
    worst = np.minimum.reduceat(rank[order], start).tolist()
    by_group = order.tolist()
    rows = [table.row[at] for at in by_group]
    heads = []
    for g, (title, first, count) in enumerate(zip(number, start.tolist(), size.tolist())):
        shown = sorted(set(rows[first:first + count]) - {None})
        where = f"  (row {shown[0]})" if len(shown) == 1 else f"  (rows {', '.join(map(str, shown))})" if shown else ""
        heads.append(f"{title}{where}  {_WORST[worst[g]]}")
    # Group g's title goes at start[g] + 2g, its findings after it, then a blank line.
    out = np.empty(n + 2 * len(heads), dtype=object)
    at = start + 2 * np.arange(len(heads), dtype=np.intp)
    out[at] = heads
    finding_lines = _finding_lines(table)
    out[np.arange(n, dtype=np.intp) + 2 * group[order] + 1] = [finding_lines[at] for at in by_group]
    out[at + size + 1] = ""
    return out.tolist()


def _finding_lines(table: FindingTable) -> list[str]:
    """Each finding's line in the text report: its row, severity, code, column and message (the
    severity-code-column part written once for each such three)."""
    middles = _Formatted(lambda three: f"{_LABELS[three[0]]} {three[1]:<7} {three[2]:<14}")
    return [f"  row {row:<5} {middle} {message}" if row is not None else f"{'':11} {middle} {message}"
            for row, middle, message in zip(table.row, map(middles.__getitem__, zip(table.severity, table.code, table.column)),
                                            table.message)]


class _Formatted(dict):
    """Values and their text by ``format``, each made the first time it is looked up."""

    def __init__(self, format):
        super().__init__()
        self.format = format

    def __missing__(self, value) -> str:
        text = self[value] = self.format(value)
        return text


def text_bar(percent: float | None, width: int = 10) -> str:
    """▓▓▓▓░░ 67%: the share used, capped at a full bar."""
    if percent is None:
        return ""
    filled = int(math.floor(min(max(percent, 0.0), 100.0) * width / 100.0 + 0.5))
    return "\u2593" * filled + "\u2591" * (width - filled) + f" {percent:.0f}%"


def auth_summary_lines(result, *, hide_expired: bool = False, matching=None) -> list[str]:
    """The authorization table of the text report: one line per authorization with its client
    ID, payer, dates, authorized, used, remaining, status and a bar of use; with
    ``hide_expired``, expired authorizations are left out (and counted).  Empty when the
    workbook has no authorizations.  ``matching``: the book's authorization matching, if made."""
    from .auth import auth_usage, count_text, plural

    book = result.book
    if not book.authorizations:
        return []
    usage = auth_usage(book, result.as_of, matching)
    hidden = 0
    if hide_expired:
        kept = [u for u in usage if u.status != "Expired"]
        hidden = len(usage) - len(kept)
        usage = kept
    head = ("Auth", "Client", "Payer", "Dates", "Authorized", "Used", "Left", "Status", "Use")
    rows = []
    for u in usage:
        dates = f"{u.start_date.isoformat() if u.start_date else '?'}..{u.end_date.isoformat() if u.end_date else '?'}"
        rows.append((
            u.auth_number, u.client_id or "-", u.payer or "-", dates,
            f"{count_text(u.authorized)} {u.unit_type.lower()}", count_text(u.used),
            count_text(u.remaining) if u.remaining is not None else "?", u.status, text_bar(u.percent_used),
        ))
    widths = [max(len(str(r[k])) for r in [head, *rows]) for k in range(len(head))]
    widths[2] = min(widths[2], 28)

    def fmt(r):
        cells = []
        for k, v in enumerate(r):
            v = str(v)
            if len(v) > widths[k]:
                v = v[: widths[k] - 1] + "\u2026"
            right = k in (5, 6)
            cells.append(v.rjust(widths[k]) if right else v.ljust(widths[k]))
        return "  " + "  ".join(cells).rstrip()

    out = [f"Authorizations as of {result.as_of.isoformat()}:"]
    out.append(fmt(head))
    out.extend(fmt(r) for r in rows)
    if hidden:
        out.append(f"  ({plural(hidden, 'expired authorization')} hidden)")
    out.append("")
    return out


def rules_text() -> str:
    """Every rule with its severity, why payers care and how to fix it (``claimcheck rules``)."""
    from .rules.registry import all_rules

    out = []
    family = None
    for r in all_rules():
        if r.family != family:
            family = r.family
            out.append(f"== {family} ==")
        out.append(f"{r.code}  [{r.severity}]  {r.title}  (column: {r.column})")
        if r.doc:
            out.append(f"    What: {r.doc}")
        out.append(f"    Why:  {r.why}")
        out.append(f"    Fix:  {r.fix}")
        out.append("")
    return "\n".join(out)


def rule_help(code: str) -> str:
    """One rule as a linter documents it (``claimcheck rules CODE``): what it does, why payers
    deny it, an example with the finding claimcheck really gives it, and what to do instead.
    Raises KeyError for an unknown code."""
    import textwrap

    from .api import example_findings
    from .rules.examples import describe_example
    from .rules.registry import all_rules

    rules = {r.code: r for r in all_rules()}
    r = rules[code.strip().upper()]
    wrap = lambda text: textwrap.fill(text, width=88, initial_indent="  ", subsequent_indent="  ")  # noqa: E731
    out = [f"{r.code}: {r.title}  [{r.severity}, column {r.column}]", ""]
    if r.doc:
        out += ["What it does", wrap(r.doc), ""]
    out += ["Why is this bad?", wrap(r.why), ""]
    if r.bad is not None:
        out.append("Example")
        out += [wrap(text) for text in describe_example(r.bad)]
        for f in example_findings(r.bad):
            if f.code == r.code:
                out.append(wrap(f"-> row {f.row}: {f.code} {f.message}"))
        out.append("")
    out += ["Use instead", wrap(r.fix)]
    if r.good is not None:
        out += [wrap(text) for text in describe_example(r.good)]
    out.append("")
    return "\n".join(out)


#: What each family of codes covers (the workbook contract, section 3).
FAMILIES = {
    "REQ": "a required value missing or unreadable",
    "CPT": "procedure codes: unknown or malformed codes, time versus code, add-on without its primary, "
           "codes not billable together on one day, units over the daily maximum",
    "MOD": "modifiers: unknown, conflicting, telehealth modifier missing or wrong for the payer, licensure modifiers",
    "DX": "diagnosis codes: malformed, not in ICD-10-CM, a category header that is not billable, missing primary",
    "POS": "place of service unknown or inconsistent",
    "NPI": "NPI malformed or failing its check digit",
    "PRV": "provider eligibility: licence expired, supervised clinician without a supervisor, a service outside the "
           "credential (E/M or testing by a therapist, Medicare before a counsellor could bill it, H-codes to "
           "Medicare), outside the payer enrollment",
    "ELIG": "eligibility: a Medicare MBI malformed, the date of service outside the client's coverage, a payer that "
            "is not one of the client's plans, a member ID that differs from the plan's",
    "DOC": "documentation readiness: a Ready or Submitted line whose note is unsigned or signed late, minutes and "
           "the note's start and stop times that disagree, a treatment plan older than the payer's review period",
    "DATE": "service date in the future or before birth, timely filing deadline passed or near",
    "CHG": "charge or units zero, negative or unreadable",
    "DUP": "the same service billed twice",
    "AUTH": "authorization: missing where required, unknown number, over the authorized count, outside its "
            "dates, code or provider not covered, nearly used up",
    "DENY": "denials: appeal window closing or closed, denial not appealable (correct and resubmit instead)",
}


def _example_markdown(r) -> list[str]:
    """A rule's worked examples for docs/rules.md, with the finding the bad one really gets."""
    from .api import example_findings
    from .rules.examples import describe_example

    if r.bad is None:
        return []
    out = [f"- Example: {'; '.join(describe_example(r.bad))}"]
    out += [f"  - gets `{f.code}` on row {f.row}: {f.message}" for f in example_findings(r.bad) if f.code == r.code]
    if r.good is not None:
        out.append(f"- Use instead: {'; '.join(describe_example(r.good))}")
    return out


def rules_markdown() -> str:
    """``docs/rules.md``: every rule from the registry, by family (``claimcheck rules --markdown``)."""
    from .rules.registry import all_rules

    rules = [r for r in all_rules() if r.status != "removed"]
    out = [
        "# Rules",
        "",
        "<!-- Generated from the rule registry by `claimcheck rules --markdown > docs/rules.md`;",
        "     do not edit by hand (tests/test_docs.py fails when it is out of date). -->",
        "",
        "Every finding carries one of these codes. A code never changes meaning once released.",
        "Severity: **error** - the payer will deny or reject the claim; **warning** - it may be",
        "denied, or needs attention soon; **info** - worth knowing. `claimcheck rules` prints the",
        f"same list in a terminal. {len(rules)} rules.",
        "",
        "| family | covers |",
        "|---|---|",
    ]
    families = list(dict.fromkeys(r.family for r in rules))
    out += [f"| [{f}](#{f.lower()}) | {FAMILIES.get(f, '')} |" for f in families]
    for family in families:
        out += ["", f"## {family}", ""]
        for r in (r for r in rules if r.family == family):
            where = f"{r.sheet} sheet, column {r.column}" if r.sheet != "Claims" else f"column {r.column}"
            out += [f"### {r.code} {r.title}", "", f"**{r.severity}** - {where}", ""]
            if r.doc:
                out += [f"- What: {r.doc}"]
            out += [f"- Why payers care: {r.why}", f"- Fix: {r.fix}"]
            out += _example_markdown(r)
            out.append("")
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
