"""Every rule's worked examples (its ``bad`` and ``good`` in the registration) do what they
show: the bad lines raise the rule, the good lines - the same put right - do not."""

from __future__ import annotations

import pytest

from claimcheck.api import example_findings
from claimcheck.rules.examples import EXAMPLE_LINE, Example
from claimcheck.rules.registry import all_rules

RULES = [r for r in all_rules() if r.func is not None and r.status == "stable"]
#: Families whose rules are being moved into claimcheck/rules/ and get their examples there.
NOT_YET: set[str] = set()  # every family has its examples


def test_every_rule_has_a_bad_and_a_good_example():
    missing = [r.code for r in RULES if r.family not in NOT_YET and (r.bad is None or r.good is None)]
    assert not missing, f"rules without a worked example: {missing}"


@pytest.mark.parametrize("rule", [r for r in RULES if r.bad is not None], ids=lambda r: r.code)
def test_bad_example_raises_the_rule(rule):
    found = [f for f in example_findings(rule.bad) if f.code == rule.code]
    assert found, f"{rule.code}'s bad example raises nothing"
    for f in found:
        assert "Pat Example" not in f.message and "1990" not in f.message


@pytest.mark.parametrize("rule", [r for r in RULES if r.good is not None], ids=lambda r: r.code)
def test_good_example_does_not_raise_the_rule(rule):
    assert [f.message for f in example_findings(rule.good) if f.code == rule.code] == []


def test_the_clean_example_line_raises_nothing():
    assert example_findings(Example(lines=({},))) == []
    assert EXAMPLE_LINE["CPT"] == "90834" and EXAMPLE_LINE["Minutes"] == 45


def test_rules_code_prints_what_why_the_example_with_its_real_finding_and_the_fix():
    import subprocess

    from helpers import claimcheck_exe

    proc = subprocess.run([claimcheck_exe(), "rules", "cpt002"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert f"\n{heading}\n" in text
    assert "-> row 2: CPT002 90837 needs 53+ minutes; 45 recorded (90834 fits)" in text
    unknown = subprocess.run([claimcheck_exe(), "rules", "XYZ999"], capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 2 and unknown.stderr.strip() == "claimcheck: no rule XYZ999; 'claimcheck rules' lists them all"
