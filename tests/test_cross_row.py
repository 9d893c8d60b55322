"""Cross-row rules (DUP, CPT007-CPT014, DATE003/004/007, REQ006) on the cases their vectorised
grouping handles specially: empty cells as group keys, lines without a Claim ID, groups whose
first line differs, and a line flagged twice by one rule."""

from __future__ import annotations

import datetime as dt

from helpers import NPI_A, check_lines, line

D = dt.date


def hits(lines, code):
    return [(f.row, f.message) for f in check_lines(lines).findings if f.code == code]


def test_duplicate_names_the_first_line_of_the_repeated_service():
    lines = [line(), line(Claim_ID="C2", CPT="90837", Minutes=55), line(Claim_ID="C3"), line(Claim_ID="C4")]
    assert hits(lines, "DUP001") == [
        (4, "same client, date (2026-06-01), code 90834 and modifiers as row 2 (claim C1); remove one"),
        (5, "same client, date (2026-06-01), code 90834 and modifiers as row 2 (claim C1); remove one"),
    ]


def test_duplicate_whose_first_line_has_no_claim_id_names_the_first_claim_given():
    lines = [line(Claim_ID=None), line(Claim_ID="C2"), line(Claim_ID="C3")]
    assert [m for _, m in hits(lines, "DUP001")] == [
        "same client, date (2026-06-01), code 90834 and modifiers as row 2 (claim C2); remove one"] * 2


def test_duplicates_need_the_same_modifier_set_not_just_the_same_code():
    lines = [line(Modifiers="HO"), line(Claim_ID="C2", Modifiers="XE"), line(Claim_ID="C3", Modifiers="HO")]
    assert [r for r, _ in hits(lines, "DUP001")] == [4]


def test_claim_mixed_when_a_later_line_differs_from_the_first():
    lines = [line(), line(CPT="90785", Minutes=None), line(CPT="90785", Minutes=None, Payer="Gov Medicaid"),
             line(Claim_ID="C2", Client_ID="CL-2", Member_ID="M200")]
    assert hits(lines, "DUP002") == [
        (r, "claim C1 has lines for 2 different payers; split them into separate claims") for r in (2, 3, 4)]


def test_addon_without_claim_id_is_grouped_by_client():
    # No Claim ID: the add-on's group is its client on that date.
    with_primary = [line(Claim_ID=None, CPT="90785", Minutes=None), line(Claim_ID=None)]
    other_client = [line(Claim_ID=None, CPT="90785", Minutes=None), line(Claim_ID=None, Client_ID="CL-2", Member_ID="M200")]
    assert hits(with_primary, "CPT007") == []
    assert [r for r, _ in hits(other_client, "CPT007")] == [2]


def test_one_line_paired_by_two_same_day_rules_gets_both_findings_in_table_order():
    lines = [line(CPT="90791", Minutes=None), line(Claim_ID="C2", CPT="90834"), line(Claim_ID="C3", CPT="90792", Minutes=None)]
    found = [m for r, m in hits(lines, "CPT008") if r == 2]
    assert len(found) == 2
    assert found[0].startswith("90791 and 90834 on 2026-06-01: a diagnostic evaluation")
    assert found[1].startswith("90791 and 90792 on 2026-06-01: the two diagnostic evaluations")


def test_same_day_pairs_ignore_lines_without_a_date():
    lines = [line(CPT="90791", Minutes=None, DOS=None), line(Claim_ID="C2", DOS=None)]
    assert hits(lines, "CPT008") == []
    assert hits(lines, "DUP001") == []


def test_daily_units_add_up_per_client_date_and_code():
    lines = [line(CPT="90791", Minutes=None), line(Claim_ID="C2", CPT="90791", Minutes=None, Modifiers="59"),
             line(Claim_ID="C3", CPT="90791", Minutes=None, DOS=D(2026, 6, 2))]
    assert [r for r, _ in hits(lines, "CPT011")] == [2, 3]


def test_filing_deadline_of_a_line_without_payer_uses_the_defaults():
    found = hits([line(Payer=None, DOS=D(2025, 3, 3)), line(Claim_ID="C2", DOS=None)], "DATE003")
    assert [r for r, _ in found] == [2]
    assert "for this payer" in found[0][1]


def test_unknown_payer_reported_on_its_first_line_after_known_ones():
    lines = [line(), line(Claim_ID="C2", Payer="Nowhere Mutual"), line(Claim_ID="C3", Payer="NOWHERE MUTUAL "),
             line(Claim_ID="C4", Payer="Else Plan", Rendering_NPI=NPI_A)]
    assert [r for r, _ in hits(lines, "REQ006")] == [3, 5]
