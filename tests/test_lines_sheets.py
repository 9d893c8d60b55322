"""Rules that declare ``needs_sheets`` (the sheets besides Claims without which they never flag a
line, such as the Providers sheet PRV001-PRV005 look the rendering provider up on) are left out
of CHECK_CLAIM, which has a line and no other sheet; rules that declare ``only_with_columns``
(optional Claims columns without which they never flag, such as Note Signed for DOC001) are left
out under a header without them.  So the declarations must hold: run over every rule's fixtures
and worked examples with those sheets or columns taken away, such a rule flags nothing, whatever
its lines; with them, it flags some."""

from __future__ import annotations

import datetime as dt

import pytest

from claimcheck import columns as C
from claimcheck.api import check_raw
from claimcheck.lines import check_line, forget, line_rules
from claimcheck.rules.examples import example_tables
from claimcheck.rules.registry import all_rules
from claimcheck.reader import rows_to_table
from helpers import AS_OF, CLAIM_HEADERS, line, raw_tables
from test_rules import BOOK_FIELDS, CASES


def _declared():
    return [r for r in line_rules() if r.needs_sheets]


def _findings(raw, as_of):
    return check_raw(raw, as_of, row_level_only=True).findings


def _books():
    """(raw tables, as-of date) of every rule fixture (but those loading their own covered_dx
    table) and of every rule's worked examples, bad and good."""
    for case in CASES:
        if "covered_dx" not in case:
            yield raw_tables(case["lines"], **{k: case[k] for k in BOOK_FIELDS if k in case}), case.get("as_of", AS_OF)
    for rule in all_rules():
        for example in (rule.bad, rule.good):
            if example is not None and not example.covered_dx:
                yield example_tables(example), dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def books():
    """Each book of :func:`_books` with its findings (row-level rules)."""
    return [(raw, as_of, _findings(raw, as_of)) for raw, as_of in _books()]


def test_the_rules_that_need_the_providers_sheet():
    assert {r.code for r in _declared() if "Providers" in r.needs_sheets} == {
        "PRV001", "PRV002", "PRV003", "PRV004", "PRV005", "CPT013", "NPI003"}


def test_a_rule_never_flags_without_the_sheets_it_declares(books):
    declared = {r.code: set(r.needs_sheets) for r in _declared()}
    gone = set().union(*declared.values())
    flagged_with, flagged_without = set(), []
    for raw, as_of, found in books:
        flagged_with |= {f.code for f in found if f.code in declared}
        flagged_without += [(f.code, f.message) for f in found
                            if f.code in declared and not declared[f.code] <= raw.keys()]
        if not gone & raw.keys():
            continue
        without = {kind: table for kind, table in raw.items() if kind not in gone}
        flagged_without += [(f.code, f.message) for f in _findings(without, as_of)
                            if f.code in declared and declared[f.code] & (raw.keys() - without.keys())]
    assert not flagged_without, "flags without a sheet it declares it needs"
    assert flagged_with == set(declared), "each declared rule flags some line when it has its sheets"


def _without_columns(table, fields):
    """The Claims table with the columns of ``fields`` taken out."""
    names = {c.name for c in C.CLAIMS if c.field in fields}
    keep = [i for i, h in enumerate(table.headers) if h not in names]
    return rows_to_table("Claims", table.sheet, [tuple(table.headers[i] for i in keep)]
                         + [tuple(values[i] for i in keep) for _, values in table.rows])


def test_the_rules_that_need_optional_columns():
    assert {r.code: r.only_with_columns for r in line_rules() if r.only_with_columns} == {
        "DOC001": ("note_signed",), "DOC002": ("note_signed",),
        "DOC003": ("start_time", "stop_time"), "DOC004": ("start_time", "stop_time")}


def test_a_rule_never_flags_without_any_of_the_columns_it_declares(books):
    declared = {r.code: r.only_with_columns for r in line_rules() if r.only_with_columns}
    columns = sorted(set().union(*declared.values()))
    fields = {c.name: c.field for c in C.CLAIMS}
    flagged_with, flagged_without = set(), []
    for raw, as_of, found in books:
        present = {fields.get(h) for h in raw["Claims"].headers}
        flagged_with |= {f.code for f in found if f.code in declared}
        flagged_without += [(f.code, f.message) for f in found
                            if f.code in declared and not present.issuperset(declared[f.code])]
        for gone in present.intersection(columns):  # each column the book has taken away on its own
            without = {**raw, "Claims": _without_columns(raw["Claims"], {gone})}
            flagged_without += [(gone, f.code, f.message) for f in _findings(without, as_of)
                                if f.code in declared and gone in declared[f.code]]
    assert not flagged_without, "flags without a column it declares it needs"
    assert flagged_with == set(declared), "each declared rule flags some line when it has its columns"


def test_check_claim_leaves_out_a_rule_whose_sheet_or_column_it_has_not():
    """A rule that would flag every line, declared to need the Providers sheet (or the Note
    Signed column), is not run on a lone line (under a header without it); the same rule
    without the declaration is."""
    from claimcheck.rules.registry import REGISTRY, line_rule

    values = [line()[h] for h in CLAIM_HEADERS]
    line_rules()
    common = dict(title="Probe", severity="info", column="CPT", why="test", fix="test", reads=("cpt",))
    try:
        line_rule("CPT992", needs_sheets=("Providers",), **common)(lambda line, env: "needs Providers")
        line_rule("CPT993", **common)(lambda line, env: "needs nothing")
        line_rule("CPT995", only_with_columns=("note_signed",), **common)(lambda line, env: "needs Note Signed")
        forget()
        found = {f.code for f in check_line(CLAIM_HEADERS, values, AS_OF)}
        assert "CPT993" in found and "CPT992" not in found and "CPT995" not in found
        with_notes = CLAIM_HEADERS + ["Note Signed"]
        found = {f.code for f in check_line(with_notes, values + [None], AS_OF)}
        assert {"CPT993", "CPT995"} <= found and "CPT992" not in found
    finally:
        for code in ("CPT992", "CPT993", "CPT995"):
            REGISTRY.pop(code, None)
        forget()


def test_a_rule_must_name_another_sheet_of_the_contract():
    from claimcheck.rules.registry import line_rule

    common = dict(title="Probe", severity="info", column="CPT", why="test", fix="test", reads=("cpt",))
    for wrong in (("Provider",), ("Claims",)):
        try:
            line_rule("CPT994", needs_sheets=wrong, **common)
        except ValueError as exc:
            assert wrong[0] in str(exc)
        else:
            raise AssertionError(f"needs_sheets={wrong} accepted")
    try:
        line_rule("CPT994", only_with_columns=("Note Signed",), **common)
    except ValueError as exc:
        assert "Note Signed" in str(exc)
    else:
        raise AssertionError("a column's header accepted for its field")
