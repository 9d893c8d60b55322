"""Rules that read a field only through one fact about it (a rule's ``through``: the DOS's
ICD-10-CM fiscal year for DX002/DX003/DX010, whether Original Medicare's 2024 telehealth POS rules
apply for POS004).  CHECK_CLAIM keeps one answer per fact instead of one per date, so:

* the fact must hold what the rule reads: any two dates with the same fact give the same answer,
  whatever the rest of the line;
* lines on either side of a fact's boundary (October 1, the FY2025 and FY2026 code sets,
  2024-01-01) must get their own answers through CHECK_CLAIM, whatever line came before.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck.lines import LineChecker, check_line, forget, line_checker, line_rules, read_line
from claimcheck.rules.lines import results_of
from helpers import AS_OF, CLAIM_HEADERS, line
from test_lines import assert_same

#: Days on both sides of every boundary a fact draws: October 1 of the years around the shipped
#: ICD-10-CM code sets (FY2025, FY2026) and 2024-01-01.
_EDGES = (dt.date(2023, 10, 1), dt.date(2024, 1, 1), dt.date(2024, 10, 1), dt.date(2025, 10, 1),
          dt.date(2026, 10, 1), dt.date(2027, 10, 1))
DAYS = sorted({edge + dt.timedelta(days=d) for edge in _EDGES for d in (-40, -2, -1, 0, 1, 40)})

#: Diagnoses whose reading changes with the fiscal year (new, retired, split into a category), and
#: steady ones.
DX = ["F41.1", "Z59.86", "Z59.861", "F99.9", "F41", "F43.10", "41.1", "Z63.0, R45.851"]


def _through_rules():
    return [r for r in line_rules() if r.through]


def test_the_rules_that_read_the_dos_through_a_fact():
    # The rules this file holds to their facts; a rule given a ``through`` is tested below too.
    assert {r.code for r in _through_rules()} >= {"DX002", "DX003", "DX010", "POS004"}


def _row(**changes):
    return [line(**changes)[h] for h in CLAIM_HEADERS]


#: What the rules with a ``through`` read besides the date, and a few values of each.
CHOICES = {
    "Dx_Codes": DX + [None],
    "Payer": ["Medicare Part B", "Acme Health", "Medicare Advantage Plus", None],
    "POS": ["10", "02", "11", None],
    "Modifiers": [None, "95", "93", "95, HO", "GT"],
}
#: The days right on two edges (and no date), so that a run of lines below often crosses one.
NEAREST = [dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2025, 9, 30), dt.date(2025, 10, 1), None]


def test_two_dates_with_the_same_fact_get_the_same_answer():
    """For every rule with a ``through``: lines that differ only in a field read through a fact,
    where the fact is the same, get the same answer from the rule itself (every combination of
    the choices above, on every day near the edges)."""
    env = LineChecker(CLAIM_HEADERS, AS_OF).env
    rules = _through_rules()
    assert all(name == "dos" for rule in rules for name, _ in rule.through), "extend this test to the other fields"
    checked = set()
    for choice in itertools.product(*CHOICES.values()):
        line_ = read_line(CLAIM_HEADERS, _row(**dict(zip(CHOICES, choice))))[0]
        for rule in rules:
            fact = dict(rule.through)["dos"]
            answers: dict = {}
            for day in DAYS + [None]:
                answer = results_of(rule.line(line_._replace(dos=day), env), rule.column)
                assert answers.setdefault(fact(day), answer) == answer, (rule.code, choice, day)
                checked.add((rule.code, bool(answer)))
    assert {code for code, flagged in checked if flagged} == {r.code for r in rules}, "each rule flags some line"


def _check_claim(row):
    from claimcheck.udfs import core  # (imported when run: xlwings reads its settings on import)

    return core.check_claim([row], [CLAIM_HEADERS], AS_OF)


def _forget():
    """As for a workbook opened afresh: CHECK_CLAIM keeps nothing."""
    from claimcheck.udfs import core

    core.forget()


def _afresh(row):
    _forget()
    return _check_claim(row)


@pytest.mark.parametrize("dx, before, after, differs", [
    ("F41.1, Z59.86", dt.date(2025, 9, 30), dt.date(2025, 10, 1), "DX003"),  # billable in FY2025, a category in FY2026
    ("F41.1, Z59.861", dt.date(2025, 9, 30), dt.date(2025, 10, 1), "DX002"),  # new in FY2026
    ("F41.1, Z59.861", dt.date(2024, 9, 30), dt.date(2024, 10, 1), "DX010"),  # FY2024: the note, FY2025: the error
    ("F99.9", dt.date(2026, 9, 30), dt.date(2026, 10, 1), "DX010"),  # FY2027: past the shipped code sets
    ("F99.9", dt.date(2023, 9, 30), dt.date(2023, 10, 1), "DX010"),  # FY2023 and FY2024: each year named
])
def test_check_claim_answers_each_side_of_a_fiscal_year_boundary_whatever_came_before(dx, before, after, differs):
    one, two = _row(Dx_Codes=dx, DOS=before), _row(Dx_Codes=dx, DOS=after)
    expected = _afresh(one), _afresh(two)
    assert expected[0] != expected[1] and differs in " ".join(expected), expected
    for order in ((one, two), (two, one), (one, two, one, two)):
        _forget()
        answers = [_check_claim(row) for row in order]
        assert answers == [expected[0] if row is one else expected[1] for row in order], order
    for row in (one, two):
        assert_same(CLAIM_HEADERS, row)


def test_check_claim_answers_the_same_across_a_fiscal_year():
    """Dates of one fiscal year give one answer (the DX messages name no date); the answers kept
    for one date serve another of the same year."""
    _forget()
    answers = {_check_claim(_row(Dx_Codes="F41.1, Z59.861", DOS=day))
               for day in (dt.date(2024, 10, 1), dt.date(2025, 1, 15), dt.date(2025, 9, 30))}
    assert len(answers) == 1 and "DX002" in answers.pop()


@pytest.mark.parametrize("pos, modifiers", [("11", "95"), ("10", "95"), ("02", "95")])
def test_check_claim_answers_each_side_of_medicare_telehealth_2024(pos, modifiers):
    one = _row(Payer="Medicare Part B", POS=pos, Modifiers=modifiers, DOS=dt.date(2023, 12, 31))
    two = _row(Payer="Medicare Part B", POS=pos, Modifiers=modifiers, DOS=dt.date(2024, 1, 1))
    expected = _afresh(one), _afresh(two)
    assert "POS004" not in expected[0] and "POS004" in expected[1], expected
    for order in ((one, two), (two, one)):
        _forget()
        assert [_check_claim(row) for row in order] == [expected[0] if row is one else expected[1] for row in order]
    for row in (one, two):
        assert_same(CLAIM_HEADERS, row)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.fixed_dictionaries({"Dx_Codes": st.sampled_from(["Z59.86", "Z59.861", "F99.9"]),
                                                 "Payer": st.sampled_from(["Medicare Part B", "Acme Health"]),
                                                 "POS": st.sampled_from(["10", "11"]),
                                                 "Modifiers": st.sampled_from([None, "95"])}),
                          st.sampled_from(NEAREST)), min_size=2, max_size=12))
def test_any_run_of_lines_near_the_edges_gets_the_findings_of_each_line_alone(rows):
    """Lines one after another through one kept checker, as CHECK_CLAIM runs down a sheet: each
    gets exactly the findings it gets checked alone (a fresh checker)."""
    forget()
    kept = line_checker(CLAIM_HEADERS, AS_OF)
    for changes, day in rows:
        row = _row(**changes, DOS=day)
        assert kept.check(row) == check_line(CLAIM_HEADERS, row, AS_OF), (changes, day)
