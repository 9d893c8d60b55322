"""The engine's shared analyses (stages): computed once per run, before the rules that read them,
from the findings of the rules they depend on - never by a rule calling the engine again."""

from __future__ import annotations

from claimcheck import auth as A
from claimcheck import denials as D
from claimcheck.api import load_all
from claimcheck.book import build_book
from claimcheck.engine import STAGES, run_rules
from claimcheck.rules.registry import all_rules
from claimcheck.tables import tables

from helpers import AS_OF, line, raw_tables


def _book(lines, **kw):
    load_all()
    return build_book(raw_tables(lines, **kw), tables())


# A denied 90837 billed for 40 minutes: CO-11-like data errors call for a corrected claim, and
# claimcheck's own CPT finding on the line names the fix.
DENIED = [line(Claim_ID="C9", CPT="90837", Minutes=40, Status="Denied", Denial_Codes="CO-16, N290",
               Denial_Date=AS_OF.replace(day=1))]


def test_every_rule_that_reads_a_stage_declares_it_and_every_stage_is_used():
    used = {name for r in all_rules() for name in r.uses}
    assert used == set(STAGES)
    for r in all_rules():
        if r.family == "AUTH" and r.func is not None and r.code != "AUTH013":  # AUTH013 counts visits, no authorization
            assert r.uses == ("auth_matching",), r.code
        if r.family == "DENY" and not r.row_level:
            assert r.uses == ("denial_decisions",), r.code


def test_a_deny_rule_selected_alone_still_quotes_the_fix_findings():
    """The denial stage runs the CPT/MOD/DX/POS/NPI rules it reads first, even when only DENY is
    selected, and their findings are not reported."""
    alone = run_rules(_book(DENIED), AS_OF, select=("DENY003",))
    everything = run_rules(_book(DENIED), AS_OF)
    [deny] = [f for f in alone if f.code == "DENY003"]
    assert "claimcheck also finds: CPT" in deny.message
    assert deny in everything
    assert {f.code for f in alone} == {"DENY003"}


def test_stages_are_made_once_per_run_and_not_kept_on_the_book(monkeypatch):
    made = {"auth": 0, "deny": 0}
    match, decide = A.match_authorizations, D.claim_decisions

    def counting_match(*a, **k):
        made["auth"] += 1
        return match(*a, **k)

    def counting_decide(*a, **k):
        made["deny"] += 1
        return decide(*a, **k)

    monkeypatch.setattr(A, "match_authorizations", counting_match)
    monkeypatch.setattr(D, "claim_decisions", counting_decide)
    book = _book(DENIED + [line(Claim_ID="C10", Auth_Number="A1")])
    first = run_rules(book, AS_OF)
    assert made == {"auth": 1, "deny": 1}
    assert run_rules(book, AS_OF) == first  # a second run works afresh: nothing kept behind the book's back
    assert made == {"auth": 2, "deny": 2}
    assert not [k for k in vars(book) if k.startswith("_")]


def test_the_runs_stages_are_read_after_the_run_and_made_on_request_when_no_rule_asked():
    """check_book hands back the run's Context: its stages are the ones the rules read, and a
    stage no rule of the run asked for (a row-level run) is made on request as a rule would
    have seen it - the denial decisions still quote the CPT fix findings."""
    from claimcheck.api import check_book

    lines = DENIED + [line(Claim_ID="C10", Auth_Number="A1")]
    full = check_book(_book(lines), AS_OF)
    assert full.context.auth_matching is not None and full.context.denial_decisions is not None
    assert full.context.stage("auth_matching") is full.context.auth_matching
    row_level = check_book(_book(lines), AS_OF, row_level_only=True)
    assert row_level.context.denial_decisions is None and row_level.context.auth_matching is None
    reported = list(row_level.findings)
    decisions = row_level.context.stage("denial_decisions")
    assert row_level.findings == reported  # the rules the stage reads are not reported
    assert decisions == full.context.denial_decisions
    assert any("CPT" in d.fix for d in decisions)
    book = row_level.book
    assert (A.auth_usage(book, AS_OF, row_level.context.stage("auth_matching"))
            == A.auth_usage(full.book, AS_OF, full.context.auth_matching))
