"""The per-line form of the row-level rules (what CHECK_CLAIM runs) against the whole-table
form (what ``claimcheck check`` runs): the same line must get the same findings, message for
message, for every fixture line, every line of the sample workbook and any cell values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck import columns as C
from claimcheck.api import check_raw
from claimcheck.lines import LINE_FIELDS, check_line, forget, line_checker, line_rules, read_line
from claimcheck.reader import read_workbook, rows_to_table
from claimcheck.rules.lines import results_of
from helpers import AS_OF, CLAIM_HEADERS, line
from rule_cases import CASES
from test_robustness import cell_values

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-billing.xlsx"
READING = {"REQ002", "REQ003", "CHG002", "CHG004"}


def _per_line_rules():
    return [r for r in line_rules() if r.line is not None]


def _key(findings, codes):
    return [(f.code, f.severity, f.column, f.message) for f in findings if f.code in codes]


def _whole_table(header, values, as_of):
    table = rows_to_table("Claims", "Claims", [tuple(header), tuple(values)])
    if not table.rows:
        return None
    result = check_raw({"Claims": table}, as_of, row_level_only=True)
    return [f for f in result.findings if f.row == table.rows[0][0]]


def assert_same(header, values, as_of=AS_OF):
    codes = {r.code for r in line_rules()} | READING
    whole = _whole_table(header, values, as_of)
    one = check_line(header, values, as_of)  # a fresh checker: every rule run
    kept = line_checker(header, as_of)  # the checker CHECK_CLAIM uses, with the answers it kept
    assert one == kept.check(values) == kept.check(values), "with and without kept answers"
    if whole is None:
        assert one is None
        return
    assert one is not None
    assert _key(one, codes) == _key(whole, codes)


def test_every_row_level_rule_has_a_per_line_form():
    missing = [r.code for r in line_rules() if r.line is None]
    assert not missing, f"row-level rules CHECK_CLAIM cannot run line by line: {missing}"


def test_line_rules_read_only_declared_fields():
    # The whole-table runner hands a rule a record with only its declared fields: reading
    # another field there raises AttributeError, so the fixture runs below would fail.
    for r in _per_line_rules():
        assert r.reads, r.code


@pytest.mark.parametrize("case", [c for c in CASES if len(c["lines"]) == 1],
                         ids=[f"{c['code']}: {c['name']}" for c in CASES if len(c["lines"]) == 1])
def test_fixture_lines_get_the_same_findings(case):
    values = [case["lines"][0].get(h) for h in CLAIM_HEADERS]
    assert_same(CLAIM_HEADERS, values, case.get("as_of", AS_OF))


def test_sample_lines_get_the_same_findings():
    table = read_workbook(SAMPLE)["Claims"]
    for _, values in table.rows:
        assert_same(table.headers, values, dt.date(2026, 6, 30))


def test_headers_in_another_order_and_synonyms():
    header = ["Service Date", "Procedure", "Claim #", "Duration", "Mods", "Dx", "Insurance", "Place of Service"]
    values = [dt.date(2026, 6, 1), "90837", "C9", 45, "95 ; ho", "f43.1", "Acme Health", "10"]
    assert_same(header, values)
    found = check_line(header, values, AS_OF)
    codes = {f.code for f in found}
    assert {"CPT002", "DX003"} <= codes, codes


def test_blank_row_is_none():
    assert check_line(CLAIM_HEADERS, [None] * len(CLAIM_HEADERS), AS_OF) is None
    assert check_line(CLAIM_HEADERS, ["", "  "] + [None] * (len(CLAIM_HEADERS) - 2), AS_OF) is None


def test_results_of_shapes():
    assert results_of(None, "CPT") == []
    assert results_of("", "CPT") == []
    assert results_of("x", "CPT") == [("CPT", "x")]
    assert results_of(("Minutes", "y"), "CPT") == [("Minutes", "y")]
    assert results_of(["a", None, ("DOS", "b")], "CPT") == [("CPT", "a"), ("DOS", "b")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cell_values, min_size=len(CLAIM_HEADERS), max_size=len(CLAIM_HEADERS)))
def test_any_cell_values_get_the_same_findings(values):
    assert_same(CLAIM_HEADERS, values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({h: st.one_of(st.just(v), cell_values) for h, v in line().items()}))
def test_lines_near_a_clean_one_get_the_same_findings(changes):
    assert_same(CLAIM_HEADERS, [changes[h] for h in CLAIM_HEADERS])


def _same_record(header, values):
    """Every field of the line as read alone equals the same line read as a table."""
    from claimcheck.book import build_book
    from claimcheck.rules.lines import canonical, field_kind

    table = rows_to_table("Claims", "Claims", [tuple(header), tuple(values)])
    read = read_line(tuple(header), tuple(values))
    if not table.rows:
        assert read is None
        return
    line = read[0]
    row = build_book({"Claims": table}).claims.iloc[0]
    for name in LINE_FIELDS:
        if name.endswith("__empty"):  # as the table runner sees it: an empty list, or no value
            base = name[: -len("__empty")]
            expected = canonical(field_kind(base), row[base]) in (None, ()) if base in row.index else True
        else:
            expected = canonical(field_kind(name), row[name]) if name in row.index else False
        assert getattr(line, name) == expected, (name, getattr(line, name), expected)


def test_every_field_of_a_lone_line_reads_as_in_a_table():
    table = read_workbook(SAMPLE)["Claims"]
    for _, values in table.rows:
        _same_record(table.headers, values)
    blank_units = [line().get(h) for h in CLAIM_HEADERS]
    _same_record(CLAIM_HEADERS, blank_units[:12] + [None] + blank_units[13:])  # Units blank: 1 unit, not given


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cell_values, min_size=len(CLAIM_HEADERS), max_size=len(CLAIM_HEADERS)))
def test_any_cells_read_alone_as_in_a_table(values):
    _same_record(CLAIM_HEADERS, values)


def test_minus_zero_reads_as_zero_whatever_came_before():
    # -0.0 and 0.0 are one key in the caches: a line's answer must not depend on which came first.
    for units in (-0.0, 0.0, 0, -0.0):
        values = [line(Units=units, Charge=units).get(h) for h in CLAIM_HEADERS]
        assert_same(CLAIM_HEADERS, values)
        found = {f.code: f.message for f in check_line(CLAIM_HEADERS, values, AS_OF)}
        assert found["CHG003"] == "units are 0; enter a whole number of at least 1"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_set_of_columns_in_any_order_gets_the_same_findings(data):
    """Every header shape agrees with the whole-table run: columns missing, reordered, lines
    shorter than the header."""
    from helpers import CLAIM_HEADERS as names

    others = [h for h in names if h not in ("Claim ID", "DOS", "CPT")]  # a Claims table needs these
    header = data.draw(st.lists(st.sampled_from(others), max_size=len(others), unique=True)
                       .map(lambda hs: hs + ["Claim ID", "DOS", "CPT"]).flatmap(st.permutations))
    clean = line()
    values = [data.draw(st.one_of(st.just(clean[h]), cell_values)) for h in header]
    cut = data.draw(st.integers(min_value=0, max_value=len(values)))
    assert_same(header, values[:cut] if data.draw(st.booleans()) else values)


@pytest.fixture
def probe_rule():
    """A row-level rule that reads every field a line has and reports what it saw: whatever a
    rule can read must be the same on a lone line (CHECK_CLAIM) as in a whole-table run."""
    from claimcheck.rules.registry import REGISTRY, line_rule

    line_rules()  # the rule modules are loaded before the probe joins them
    reads = tuple(LINE_FIELDS)

    @line_rule("CHG990", title="Probe", severity="info", column="Charge", why="test", fix="test", reads=reads)
    def probe(line, env):
        return repr(tuple((name, getattr(line, name)) for name in reads))

    forget()  # kept checkers were made with the rules registered before
    try:
        yield
    finally:
        del REGISTRY["CHG990"]
        forget()


def test_every_field_a_rule_reads_is_the_same_alone_and_in_a_table(probe_rule):
    table = read_workbook(SAMPLE)["Claims"]
    for _, values in table.rows[:20]:
        assert_same(table.headers, values, dt.date(2026, 6, 30))
    blank_units = [line().get(h) for h in CLAIM_HEADERS]
    assert_same(CLAIM_HEADERS, blank_units[:12] + [None] + blank_units[13:])  # Units blank
    assert_same(["Claim ID", "DOS", "CPT", "Charge"], ["C1", dt.date(2026, 6, 1), "90834", "#N/A"])  # few columns
    assert_same(["CPT", "Claim ID", "DOS"], ["90834", None, dt.date(2026, 6, 1)])
    found = check_line(["Claim ID", "DOS", "CPT"], ["C1", dt.date(2026, 6, 1), "90834"], AS_OF)
    assert any(f.code == "CHG990" and "('units', 1.0)" in f.message for f in found)


def test_rules_registered_after_forget_are_run_alone_and_in_the_worksheet_function():
    """A rule removed and another registered (the count unchanged): after ``forget()`` the line
    checks and CHECK_CLAIM's kept answers follow the registry."""
    from claimcheck.rules.registry import REGISTRY, line_rule
    from claimcheck.udfs import core

    header, values = CLAIM_HEADERS, [line()[h] for h in CLAIM_HEADERS]
    line_rules()
    common = dict(title="Probe", severity="info", column="CPT", why="test", fix="test", reads=("cpt",))
    try:
        line_rule("CPT990", **common)(lambda line, env: "rule A")
        forget()
        assert "CPT990: rule A" in core.check_claim([values], [header], AS_OF)
        del REGISTRY["CPT990"]
        line_rule("CPT991", **common)(lambda line, env: "rule B")
        forget()  # (the answer CHECK_CLAIM kept for this row was the old checker's)
        assert [f.message for f in check_line(header, values, AS_OF) if f.code.startswith("CPT99")] == ["rule B"]
        text = core.check_claim([values], [header], AS_OF)
        assert "CPT991: rule B" in text and "CPT990" not in text
        assert_same(header, values)
    finally:
        REGISTRY.pop("CPT990", None)
        REGISTRY.pop("CPT991", None)
        forget()
    assert "CPT99" not in core.check_claim([values], [header], AS_OF)


_EDGE_DAYS = [1, 2, 3, 45884, 109574, 109575, 0, -1, 2958465, 2958466, 1.999, 2.0, 2.5, 45884.75, 109574.999,
              109575.0, float("nan"), float("inf"), -0.0, True, False,
              dt.datetime(1899, 12, 31, 23, 59, 59), dt.datetime(1900, 1, 1), dt.datetime(2199, 12, 31, 23, 59, 59, 999999),
              dt.datetime(2200, 1, 1), dt.datetime(2026, 1, 5, 13, 30, tzinfo=dt.timezone.utc), dt.date(2026, 1, 5)]


@pytest.mark.parametrize("day", _EDGE_DAYS, ids=repr)
def test_a_date_cell_at_the_edges_of_the_readers_years_reads_alone_as_in_a_table(probe_rule, day):
    """Serial day numbers and datetimes at and around the edges of the years the reader takes
    (1900-2199) read alone as in a table, for a kept date and a birth date."""
    import pandas as pd

    clean = line()
    for name in ("Client DOB", "DOS", "Submitted On", "Denial Date"):
        values = [day if h == name else clean[h] for h in CLAIM_HEADERS]
        assert_same(CLAIM_HEADERS, values)
    assert_same(CLAIM_HEADERS, [pd.Timestamp("2026-01-05") if h == "Client DOB" else clean[h] for h in CLAIM_HEADERS])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.integers(min_value=-10, max_value=3_000_000), st.floats(min_value=-10, max_value=3e6),
                 st.datetimes(min_value=dt.datetime(1850, 1, 1), max_value=dt.datetime(2250, 1, 1))))
def test_any_serial_or_datetime_in_a_date_cell_reads_as_the_reader_does(day):
    from claimcheck.cell_readers import CELL_READERS

    header = ("Claim ID", "Client DOB", "DOS", "CPT")
    run = line_checker(header, AS_OF).check
    problem = CELL_READERS["date"](day)[1]
    for values, column in ((("C1", day, AS_OF, "90834"), "Client DOB"), (("C1", None, day, "90834"), "DOS")):
        unreadable = [f for f in run(values) if f.code in READING and f.column == column]
        assert bool(unreadable) == (problem is not None), (values, unreadable, problem)
    assert_same(list(header), ["C1", day, day, "90834"])


_EDGE_NUMBERS = [0, 1, -1, 45, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 10 ** 400, -(10 ** 400), 0.0, -0.0, 52.5, 1e308,
                 -1e308, float("nan"), float("inf"), float("-inf"), True, False]


@pytest.mark.parametrize("number", _EDGE_NUMBERS, ids=repr)
def test_a_number_cell_at_the_edges_reads_alone_as_in_a_table(probe_rule, number):
    """Numbers around 2**53, -0.0, NaN, infinities and flags read alone as in a table."""
    clean = line()
    for name in ("Minutes", "Units", "Charge", "Paid Amount"):
        assert_same(CLAIM_HEADERS, [number if h == name else clean[h] for h in CLAIM_HEADERS])


def test_a_checker_keeps_no_clients_name_or_birth_date():
    """What a LineChecker keeps between lines (cell readings, rule answers) never holds a
    client's name or birth date, whatever the line."""
    checker = line_checker(CLAIM_HEADERS, AS_OF)
    births = [dt.date(1980, 1, 2) + dt.timedelta(days=i) for i in range(20)]
    names = [f"Client Number{i}" for i in range(20)]
    for name, born in zip(names, births):
        for dob in (born, born.isoformat(), (born - dt.date(1899, 12, 30)).days):
            values = [line(**{"Client Name": name, "Client DOB": dob})[h] for h in CLAIM_HEADERS]
            assert checker.check(values) is not None
    kept = checker.kept()
    text = repr(kept)
    assert kept and "Client Number" not in text
    for born in births:
        assert repr(born) not in text and born.isoformat() not in text
        assert f"{(born - dt.date(1899, 12, 30)).days}" not in text
