"""Posting 835 remittances to Claims rows (claimcheck.era.post): what each cell would become."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from claimcheck.api import load_book
from claimcheck.era import read_835
from claimcheck.era.cells import KEPT, REPLACED, SAME, SET
from claimcheck.era.post import post_era, posted_lines
from claimcheck.era.postings import EraPosting
from tests.helpers import as_row, line, write_workbook

FIXTURES = Path(__file__).parent / "fixtures" / "era"
AS_OF = dt.date(2026, 12, 10)
REMIT = dt.date(2026, 12, 5)

# Claims rows from row 2; each fixture's claims are invented to match these.
LINES = [
    line(Claim_ID="CC-1001", CPT="90834", DOS=dt.date(2026, 11, 10), Status="Submitted"),  # row 2
    line(Claim_ID="CC-1003", CPT="90791", DOS=dt.date(2026, 11, 12), Status="Submitted"),  # row 3
    line(Claim_ID="CC-1003", CPT="90785", DOS=dt.date(2026, 11, 12), Status="Submitted"),  # row 4
    line(Claim_ID="CC-1004", CPT="90834", Modifiers="95", DOS=dt.date(2026, 11, 13)),      # row 5
    line(Claim_ID="CC-1002", CPT="90837", Modifiers="HO", DOS=dt.date(2026, 11, 11)),      # row 6
    line(Claim_ID="CC-1006", CPT="90834", DOS=dt.date(2026, 11, 14)),                      # row 7
    line(Claim_ID="CC-1005", CPT="90834", DOS=dt.date(2026, 11, 1)),                       # row 8
    line(Claim_ID="CC-1005", CPT="90834", DOS=dt.date(2026, 11, 3)),                       # row 9
]


def text(name: str) -> str:
    return (FIXTURES / name).read_text()


def book_of(tmp_path: Path, lines=LINES):
    path = tmp_path / "claims.xlsx"
    write_workbook(path, [as_row(l) for l in lines])
    return load_book(path)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return book_of(tmp_path_factory.mktemp("post"))


def values(posting: EraPosting, row: int) -> dict[str, object]:
    """The values the posting leaves in a row (last claim posting wins)."""
    out: dict[str, object] = {}
    for claim in posting.claims:
        for r in claim.rows:
            if r.row == row:
                out.update({c.column: c.value for c in r.cells if c.changes or c.action == SAME})
    return out


def codes(posting: EraPosting) -> list[str]:
    return [f.code for f in posting.findings]


def test_paid_line_gets_status_amounts_adjustments_and_payer_facts(book):
    posting = post_era(book, [text("paid.835")], AS_OF)
    assert values(posting, 2) == {
        "Status": "Paid", "Paid Amount": Decimal("110.00"), "Allowed Amount": Decimal("110.00"),
        "Patient Responsibility": Decimal("0.00"), "Adjustments": "CO-45 40.00",
        "Payer Claim Number": "PCN0001001", "Payer Order": "Primary", "Remit Date": REMIT}
    assert codes(posting) == [] and not posting.has_problems
    (claim,) = posting.claims
    assert claim.outcome == "posted" and claim.key == "EFT0000101|CC-1001|PCN0001001"


def test_denied_claim_gets_denial_codes_with_claim_level_cas_and_remarks(book):
    posting = post_era(book, [text("denied.835")], AS_OF)
    got = values(posting, 6)
    assert got["Status"] == "Denied"
    assert got["Denial Codes"] == "CO-16, N290, MA130" and got["Denial Date"] == REMIT
    assert got["Remark Codes"] == "N290, MA130"
    # the claim-level CO-16 stays at claim level: not in the line's Adjustments
    assert "Adjustments" not in got
    assert posting.claims[0].claim.adjustments[0].reason == "16"


def test_partly_paid_claim_posts_each_line_by_itself(book):
    posting = post_era(book, [text("partly_paid.835")], AS_OF)
    assert values(posting, 3)["Status"] == "Paid" and values(posting, 3)["Paid Amount"] == Decimal("120.00")
    denied = values(posting, 4)
    assert denied["Status"] == "Denied" and denied["Paid Amount"] == Decimal("0.00")
    assert denied["Denial Codes"] == "CO-97, M80" and denied["Adjustments"] == "CO-97 150.00"


def test_patient_share_of_a_paid_line(book):
    got = values(post_era(book, [text("patient_responsibility.835")], AS_OF), 5)
    assert got["Status"] == "Paid" and got["Paid Amount"] == Decimal("45.00")
    assert got["Patient Responsibility"] == Decimal("75.00") and got["Allowed Amount"] == Decimal("120.00")
    assert got["Adjustments"] == "PR-1 50.00; PR-2 25.00; CO-45 30.00"
    assert "Denial Codes" not in got


def test_nothing_paid_and_the_patient_owes_it_is_patient_responsibility_not_denied(book):
    got = values(post_era(book, [text("deductible.835")], AS_OF), 7)
    assert got["Status"] == "Patient Responsibility"
    assert got["Patient Responsibility"] == Decimal("120.00") and "Denial Codes" not in got


def test_reversal_then_correction_ends_with_the_correction_and_says_it_replaced(book):
    posting = post_era(book, [text("reversal_correction.835")], AS_OF)
    reversal, correction = posting.claims
    assert reversal.status == "Reversed" and correction.status == "Paid"
    got = values(posting, 2)
    assert got["Status"] == "Paid" and got["Paid Amount"] == Decimal("95.00")
    assert got["Payer Claim Number"] == "PCN0001001A"
    assert correction.replaced == ("EFT0000105|CC-1001|PCN0001001|22",)
    (note,) = [f for f in posting.findings if f.code == "ERA006"]
    assert "Paid Amount 0.00 -> 95.00" in note.message and note.row == 2
    assert not posting.has_problems  # a correction is news, not a problem


def test_a_later_correction_file_replaces_the_earlier_posting(tmp_path):
    first = post_era(book_of(tmp_path), [text("paid.835")], AS_OF)
    # the workbook as the first posting left it
    posted = dict(LINES[0], **{"Status": "Paid", "Paid Amount": 110, "Allowed Amount": 110,
                               "Patient Responsibility": 0, "Adjustments": "CO-45 40.00",
                               "Payer Claim Number": "PCN0001001", "Payer Order": "Primary",
                               "Remit Date": REMIT})
    (tmp_path / "after").mkdir()
    after = book_of(tmp_path / "after", [posted])
    later = post_era(after, [text("reversal_correction.835")], AS_OF, earlier=posted_lines(first))
    reversal = later.claims[0]
    assert reversal.rows[0].cell("Paid Amount").action == REPLACED
    assert reversal.rows[0].cell("Paid Amount").value == Decimal("0.00")
    assert values(later, 2)["Paid Amount"] == Decimal("95.00")
    assert reversal.replaced == ("EFT0000101|CC-1001|PCN0001001",)
    assert "ERA001" not in codes(later)
    # without the record of the earlier posting the same values are the biller's: kept
    unknown = post_era(after, [text("reversal_correction.835")], AS_OF)
    assert unknown.claims[0].rows[0].cell("Paid Amount").action == KEPT
    assert "ERA001" in codes(unknown)


def test_posting_the_same_file_twice_changes_nothing(book):
    first = post_era(book, [text("plb_remarks.835"), text("partly_paid.835")], AS_OF)
    assert sum(c.changed_cells for c in first.claims) > 0
    again = post_era(book, [text("plb_remarks.835"), text("partly_paid.835")], AS_OF,
                     earlier=posted_lines(first))
    posted = [c for c in again.claims if c.outcome != "unmatched"]
    assert posted and all(c.outcome == "already posted" and c.changed_cells == 0 for c in posted)
    # and the same file twice in one run is posted once
    twice = post_era(book, [text("paid.835"), text("paid.835")], AS_OF)
    assert [c.outcome for c in twice.claims] == ["posted", "already posted"]


def test_a_typed_value_that_differs_is_kept_and_becomes_a_finding_naming_both(tmp_path):
    typed = [dict(LINES[0], **{"Paid Amount": 100, "Status": "Paid", "Payer Claim Number": "PCN0001001"})]
    posting = post_era(book_of(tmp_path, typed), [text("paid.835")], AS_OF)
    row = posting.claims[0].rows[0]
    assert row.cell("Paid Amount").action == KEPT and row.cell("Paid Amount").was == 100
    assert row.cell("Status").action == SAME and row.cell("Payer Claim Number").action == SAME
    assert row.cell("Adjustments").action == SET
    (finding,) = posting.findings
    assert finding.code == "ERA001" and finding.row == 2 and finding.column == "Paid Amount"
    assert "typed 100.00" in finding.message and "110.00" in finding.message
    assert posting.has_problems


def test_a_typed_status_other_than_an_open_one_is_not_overwritten(tmp_path):
    typed = [dict(LINES[4], Status="Paid")]
    posting = post_era(book_of(tmp_path, typed), [text("denied.835")], AS_OF)
    assert posting.claims[0].rows[0].cell("Status").action == KEPT
    assert [f.column for f in posting.findings if f.code == "ERA001"] == ["Status"]


def test_an_unmatched_claim_is_listed_with_a_finding(tmp_path):
    lines = [l for l in LINES if l["Claim ID"] != "CC-1005"]
    posting = post_era(book_of(tmp_path, lines), [text("plb_remarks.835")], AS_OF)
    (unmatched,) = posting.unmatched
    assert unmatched.claim_id == "CC-1005" and unmatched.rows == ()
    (finding,) = [f for f in posting.findings if f.code == "ERA002"]
    assert finding.claim_id == "CC-1005" and "1800.00" in finding.message
    assert posting.has_problems


def test_claim_level_posting_for_an_inpatient_claim_without_lines(book):
    posting = post_era(book, [text("plb_remarks.835")], AS_OF)
    claim = next(c for c in posting.claims if c.claim_id == "CC-1005")
    assert claim.claim_level and [r.row for r in claim.rows] == [8, 9]
    # two rows: the claim's amounts are not split between them
    assert "Paid Amount" not in values(posting, 8)
    assert values(posting, 8)["Remark Codes"] == "MA01, N432"
    assert values(posting, 8)["Payer Order"] == "Primary"


def test_a_partly_read_claim_is_posted_at_claim_level_and_listed(book):
    posting = post_era(book, [text("partly_read.835")], AS_OF)
    (claim,) = posting.claims
    assert claim.claim_level and claim.claim.partly_read
    assert values(posting, 2)["Paid Amount"] == Decimal("110.00")
    (finding,) = posting.findings
    assert finding.code == "ERA005" and "not a calendar date" in finding.message


def test_each_payment_is_reconciled_with_its_provider_adjustments(book):
    posting = post_era(book, [text("plb_remarks.835")], AS_OF)
    (rec,) = posting.payments
    assert (rec.claims_paid, rec.provider_adjustments, rec.expected) == (
        Decimal("1910.00"), Decimal("22.50"), Decimal("1887.50"))
    assert rec.balanced


def test_a_payment_that_does_not_add_up_is_an_error(book):
    batch = read_835(text("paid.835"))
    payment = dataclasses.replace(batch.payments[0], amount=Decimal("100.00"))
    posting = post_era(book, [dataclasses.replace(batch, payments=(payment,))], AS_OF)
    (rec,) = posting.payments
    assert not rec.balanced and rec.difference == Decimal("-10.00")
    (finding,) = posting.findings
    assert finding.code == "ERA004" and finding.severity == "error" and "110.00" in finding.message


def test_mixed_delimiters_post_like_the_plain_file(book):
    plain = post_era(book, [text("plb_remarks.835")], AS_OF)
    mixed = post_era(book, [text("mixed_delimiters.835")], AS_OF)
    assert [values(mixed, r) for r in (2, 8)] == [values(plain, r) for r in (2, 8)]


def test_a_service_line_matching_no_claim_line_is_listed_and_not_posted(tmp_path):
    from claimcheck.era.records import Procedure

    batch = read_835(text("paid.835"))
    claim = batch.payments[0].claims[0]
    other = dataclasses.replace(claim.services[0], procedure=Procedure("HC", "90837"))
    moved = dataclasses.replace(claim, services=(other,))
    batch = dataclasses.replace(batch, payments=(dataclasses.replace(batch.payments[0], claims=(moved,)),))
    posting = post_era(book_of(tmp_path), [batch], AS_OF)
    assert posting.claims[0].unmatched_services == (0,) and posting.claims[0].rows == ()
    assert [f.code for f in posting.findings] == ["ERA003"] and posting.has_problems


def test_the_era_codes_are_registered():
    from claimcheck.rules.registry import get

    for code in ("ERA001", "ERA002", "ERA003", "ERA004", "ERA005", "ERA006"):
        assert get(code).func is None and get(code).title


# --- secondary payer and contract ------------------------------------------------------------

PRIMARY = line(Claim_ID="CC-1004", CPT="90834", Modifiers="95", DOS=dt.date(2026, 11, 13),
               Payer_Order="Primary", Status="Submitted")
SECONDARY = dict(PRIMARY, **{"Claim ID": "CC-1004S", "Payer": "Gov Medicaid", "Payer Order": "Secondary",
                             "Status": "Ready"})


def test_a_primary_that_leaves_a_balance_sends_the_secondary_line_out(tmp_path):
    posting = post_era(book_of(tmp_path, [PRIMARY, SECONDARY]), [text("patient_responsibility.835")], AS_OF)
    (finding,) = [f for f in posting.findings if f.code == "ERA007"]
    assert finding.row == 3 and finding.claim_id == "CC-1004S" and finding.column == "Payer Order"
    assert "paid 45.00 and left 75.00 to the patient; send this line to Gov Medicaid" in finding.message
    assert "PR-1 50.00; PR-2 25.00; CO-45 30.00" in finding.message and "PCN0001004" in finding.message
    assert not posting.has_problems  # work to do, not a problem of the posting


@pytest.mark.parametrize("change", [
    {"Payer": "Unknown Plan"},      # the secondary payer is not on the Payers sheet
    {"Status": "Submitted"},        # already sent
    {"Payer Order": None},          # no secondary line
])
def test_no_secondary_finding_without_a_secondary_line_to_send(tmp_path, change):
    posting = post_era(book_of(tmp_path, [PRIMARY, dict(SECONDARY, **change)]),
                       [text("patient_responsibility.835")], AS_OF)
    assert "ERA007" not in codes(posting)


def test_the_same_service_to_the_same_payer_as_secondary_is_not_a_duplicate():
    from tests.helpers import check_lines

    first = line(Claim_ID="C1", Payer_Order="Primary")
    second = line(Claim_ID="C2", Payer_Order="Secondary")
    assert "DUP001" not in [f.code for f in check_lines([first, second]).findings]
    blank = line(Claim_ID="C2", Payer_Order=None)  # blank is the primary: a real duplicate
    assert "DUP001" in [f.code for f in check_lines([first, blank]).findings]


def test_fee_schedule_sheet_is_read_with_its_synonyms():
    from claimcheck.era.post import read_fee_schedule

    rows = [("Payer Name", "CPT", "Mods", "Contract Rate"), ("Acme Health", 90834, None, "$130.00"),
            ("acme health", "90837", "95, HO", 180), ("", "90834", None, 1), ("Acme Health", "90791", None, "n/a")]
    assert read_fee_schedule(rows) == {("ACME HEALTH", "90834", ""): Decimal("130.00"),
                                       ("ACME HEALTH", "90837", "95-HO"): Decimal("180.00")}
    assert read_fee_schedule([("Payer", "Code")]) == {}


def test_allowed_under_the_contracted_amount_is_a_finding_with_the_difference(book):
    fees = {("ACME HEALTH", "90834", ""): Decimal("130.00")}
    posting = post_era(book, [text("paid.835")], AS_OF, fee_schedule=fees)
    (finding,) = posting.findings
    assert finding.code == "ERA008" and finding.row == 2 and finding.column == "Allowed Amount"
    assert "allowed 110.00, the Fee Schedule contract is 130.00" in finding.message
    assert "20.00 under contract" in finding.message and not posting.has_problems
    paid_in_full = post_era(book, [text("paid.835")], AS_OF, fee_schedule={("ACME HEALTH", "90834", ""): Decimal("110")})
    assert paid_in_full.findings == ()
    # a row for the exact modifiers wins over the code's row
    modifiers = {("ACME HEALTH", "90834", "95"): Decimal("150"), ("ACME HEALTH", "90834", ""): Decimal("100")}
    posting = post_era(book, [text("patient_responsibility.835")], AS_OF, fee_schedule=modifiers)
    assert [f.code for f in posting.findings] == ["ERA008"] and "30.00 under contract" in posting.findings[0].message


PUBLIC = sorted(FIXTURES.glob("public/*/*.835")) + sorted(FIXTURES.glob("public/*/835_*.txt"))


@pytest.mark.parametrize("path", PUBLIC, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_public_835_files_of_other_projects_post_without_error(book, path):
    batch = read_835(path.read_text())
    posting = post_era(book, [batch], AS_OF)
    assert len(posting.claims) == sum(1 for _ in batch.claims())
    assert len(posting.payments) == len(batch.payments)
    assert {c.outcome for c in posting.claims} <= {"posted", "unmatched", "already posted"}
    # their claims are not on our Claims sheet: each listed, nothing posted
    assert all(f.code in ("ERA002", "ERA004") for f in posting.findings)


def test_a_claim_whose_payment_cannot_be_read_gets_no_status_from_a_guess(book):
    batch = read_835(text("partly_read.835"))
    claim = dataclasses.replace(batch.payments[0].claims[0], paid=None, problems=("CLP04: not a number",))
    batch = dataclasses.replace(batch, payments=(dataclasses.replace(batch.payments[0], claims=(claim,)),))
    posting = post_era(book, [batch], AS_OF)
    got = values(posting, 2)
    assert "Status" not in got and "Paid Amount" not in got and got["Payer Claim Number"] == "PCN0001001"
    assert "ERA005" in codes(posting)


def test_partially_paid_typed_by_the_biller_is_the_same_as_paid(tmp_path):
    typed = [dict(LINES[0], Status="Partially Paid")]
    posting = post_era(book_of(tmp_path, typed), [text("paid.835")], AS_OF)
    assert posting.claims[0].rows[0].cell("Status").action == SAME and "ERA001" not in codes(posting)


def test_line_control_number_picks_the_line_among_alike_ones(tmp_path):
    alike = [LINES[0], dict(LINES[0], **{"Line Control Number": "CC-1001-1"})]  # rows 2 and 3
    posting = post_era(book_of(tmp_path, alike), [text("paid.835")], AS_OF)
    assert [r.row for r in posting.claims[0].rows] == [3]
    assert values(posting, 3)["Paid Amount"] == Decimal("110.00")
