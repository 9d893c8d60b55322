"""The worked examples of the rules: each rule's registration gives a bad example (lines that
raise it) and a good one (the same lines put right), as changes to one clean service line.

``claimcheck rules CODE`` prints them with the finding the bad example really gets
(:func:`claimcheck.api.example_findings`), and the
rule tests run every example, so an example cannot drift from what its rule does.  Everything
here is invented: the client, the IDs and the NPIs (which carry valid check digits).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

#: The date the examples are checked as of.
EXAMPLE_AS_OF = dt.date(2026, 6, 30)

#: A clean line, by contract header: a 45-minute 90834 session that every rule passes.
EXAMPLE_LINE: dict[str, Any] = {
    "Claim ID": "C1", "Client ID": "CL-1", "Client Name": "Pat Example", "Client DOB": dt.date(1990, 1, 2),
    "Member ID": "M100", "Payer": "Acme Health", "Rendering NPI": "1234567893", "Billing NPI": "1987654328",
    "DOS": dt.date(2026, 6, 1), "Minutes": 45, "CPT": "90834", "Modifiers": None, "Units": 1,
    "Dx Codes": "F41.1", "POS": "11", "Charge": 130.0, "Auth Number": None, "Status": "Ready",
    "Submitted On": None, "Paid Amount": None, "Denial Codes": None, "Denial Date": None,
}

#: The Payers and Providers sheets the examples are checked with (contract column order).
EXAMPLE_PAYERS = (
    ("Acme Health", "ACM1", 90, 180, "95", "N", "N", "PO Box 1, Town, ST 00001", "555-0100", "555-0101"),
    ("Gov Medicaid", "GOV1", 365, 60, "GT", "N", "N", "PO Box 2, Town, ST 00002", "555-0200", "555-0201"),
    ("Plain Plan", "PLN1", 180, 120, "", "N", "N", "PO Box 3, Town, ST 00003", "555-0300", "555-0301"),
)
EXAMPLE_PROVIDERS = (
    ("1234567893", "Dana Reyes", "LCSW", "1041C0700X"),
    ("1456789019", "Sam Okafor", "PsyD", "103TC0700X"),
    ("1678901236", "Priya Nair", "MD", "2084P0800X"),
)


@dataclass(frozen=True)
class Example:
    """Claim lines, each given as its changes to :data:`EXAMPLE_LINE` (contract header -> the
    value as typed); for rules that read them, the Authorizations sheet's rows (by header) and
    changes to :data:`EXAMPLE_PAYERS` (payer name -> header -> value)."""

    lines: tuple[Mapping[str, Any], ...]
    authorizations: tuple[Mapping[str, Any], ...] = ()
    payers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Rows of the covered_dx.csv table the example loads (payer, codes, dx), for rules that read it.
    covered_dx: tuple[Mapping[str, str], ...] = ()
    #: Other sheets' rows by sheet (contract sheet name -> rows, each by header): a Providers
    #: sheet given here replaces :data:`EXAMPLE_PROVIDERS`; Provider Enrollment, Coverage ...
    #: are added.
    sheets: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, value: "Example | Iterable[Mapping[str, Any]] | None") -> "Example | None":
        """An Example from a registration's ``bad=``/``good=``: an Example, or a list of line changes."""
        if value is None or isinstance(value, Example):
            return value
        return cls(lines=tuple(dict(v) for v in value))

    def full_lines(self) -> list[dict[str, Any]]:
        return [{**EXAMPLE_LINE, **changes} for changes in self.lines]


def example_tables(example: Example) -> dict:
    """The raw sheets of an example, as the workbook reader would give them."""
    from .. import columns as C
    from ..reader import rows_to_table

    # The optional documentation columns only when an example line fills them.
    headers = [h for h in C.CLAIM_HEADERS
               if h not in C.DOCUMENTATION_HEADERS or any(h in changes for changes in example.lines)]
    claims = [tuple(headers)] + [tuple(line.get(h) for h in headers) for line in example.full_lines()]
    raw = {
        "Claims": rows_to_table("Claims", "Claims", claims),
        "Payers": rows_to_table("Payers", "Payers", [tuple(C.PAYER_HEADERS), *_payer_rows(example, C.PAYER_HEADERS)]),
        "Providers": rows_to_table("Providers", "Providers", [tuple(C.PROVIDER_HEADERS), *EXAMPLE_PROVIDERS]),
    }
    if example.authorizations:
        rows = [tuple(C.AUTH_HEADERS)] + [tuple(a.get(h) for h in C.AUTH_HEADERS) for a in example.authorizations]
        raw["Authorizations"] = rows_to_table("Authorizations", "Authorizations", rows)
    for kind, sheet_rows in example.sheets.items():
        headers = [c.name for c in C.SHEETS[kind][0]]
        rows = [tuple(headers)] + [tuple(r.get(h) for h in headers) for r in sheet_rows]
        raw[kind] = rows_to_table(kind, kind, rows)
    return raw


def example_code_tables(example: Example, base):
    """The code tables an example runs with: ``base`` (CodeTables) with the example's covered_dx rows."""
    if not example.covered_dx:
        return base
    from dataclasses import replace

    from ..table_rows import CoveredDxRow

    covered = dict(base.covered_dx)
    for row in example.covered_dx:
        r = CoveredDxRow.model_validate(dict(row))
        for code in r.codes.split():
            key = (r.payer.strip().upper(), code)
            covered[key] = covered.get(key, ()) + tuple(r.dx.split())
    return replace(base, covered_dx=covered)


def _payer_rows(example: Example, headers) -> list[tuple]:
    rows = []
    for row in EXAMPLE_PAYERS:
        changes = example.payers.get(row[0], {})
        padded = [*row, *[None] * (len(headers) - len(row))]  # settings the row leaves blank
        rows.append(tuple(changes.get(h, value) for h, value in zip(headers, padded)))
    return rows


def describe(changes: Mapping[str, Any]) -> str:
    """One example line as a biller reads it: the cells that differ from the clean line."""
    if not changes:
        return "the clean line (45-minute 90834, F41.1, office)"
    shown = []
    for header, value in changes.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        shown.append(f"{header} {'(empty)' if value is None or value == '' else value}")
    return ", ".join(shown)


def describe_example(example: Example) -> list[str]:
    """An example as a biller reads it: each line's changed cells, then the payer settings and
    authorizations it needs."""
    out = [f"line {n}: {describe(changes)}" for n, changes in enumerate(example.lines, start=1)]
    out += [f"payer {name}: {describe(changes)}" for name, changes in example.payers.items()]
    out += [f"authorization: {describe({h: v for h, v in row.items() if v not in (None, '')})}" for row in example.authorizations]
    out += [f"covered_dx.csv: {row['payer']} covers {row['codes']} for {row['dx']}" for row in example.covered_dx]
    out += [f"{kind} row: {describe({h: v for h, v in row.items() if v not in (None, '')})}"
            for kind, rows in example.sheets.items() for row in rows]
    return out
