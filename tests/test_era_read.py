"""Reading 835 remittances into records (claimcheck.era.read).

Inputs are in tests/fixtures/era (invented files written by build.py there, and public test files
of other X12 projects under public/). Each input's expected records are stored beside it as
``<name>.expected.json``; after a deliberate change, rewrite them with
``python tests/test_era_read.py --write-expected`` and review the diff. The money facts of each
scenario are also asserted by hand below, so a wrong golden file cannot pass alone.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck.era import (
    ClaimPayment,
    EraProblem,
    Payment,
    RemittanceBatch,
    ServicePayment,
    read_835,
)

FIXTURES = Path(__file__).parent / "fixtures" / "era"
OWN = sorted(p for p in FIXTURES.glob("*.835") if p.name != "truncated.835")
PUBLIC = sorted(FIXTURES.glob("public/*/*.835")) + sorted(FIXTURES.glob("public/*/835_*.txt"))


def read(name: str) -> RemittanceBatch:
    return read_835((FIXTURES / name).read_text())


def plain(value):
    """Records as JSON-ready data: Decimals and dates as strings, tuples as lists."""
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value


def expected_path(path: Path) -> Path:
    return path.with_name(path.name + ".expected.json")


def only_claim(batch: RemittanceBatch) -> ClaimPayment:
    claims = [claim for _, claim in batch.claims()]
    assert len(claims) == 1
    return claims[0]


# --- golden files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", OWN + PUBLIC, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_records_match_the_expected_file_beside_the_input(path):
    expected = json.loads(expected_path(path).read_text())
    assert plain(read_835(path.read_text())) == expected


@pytest.mark.parametrize("path", PUBLIC, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_public_835_files_of_other_projects_read_without_error(path):
    batch = read_835(path.read_text())
    assert batch.payments and all(p.trace_number for p in batch.payments)
    assert all(claim.patient_control_number for _, claim in batch.claims())


@pytest.mark.parametrize("path", OWN, ids=lambda p: p.name)
def test_reading_the_same_file_twice_gives_equal_records(path):
    text = path.read_text()
    first, second = read_835(text), read_835(text)
    assert first == second
    assert hash(first) == hash(second)


# --- each scenario, by hand -------------------------------------------------------------------------


def test_paid_claim():
    batch = read("paid.835")
    (payment,) = batch.payments
    assert (payment.interchange_control_number, payment.group_control_number,
            payment.transaction_control_number) == ("000000101", "101", "0001")
    assert payment.trace_number == "EFT0000101"
    assert payment.amount == Decimal("110.00")
    assert (payment.payer_name, payment.payer_id) == ("EXAMPLE HEALTH PLAN", "EXHP01")
    assert (payment.payee_name, payment.payee_id_qualifier, payment.payee_id) == (
        "EXAMPLE COUNSELING GROUP", "XX", "1234567893")
    assert payment.payment_date == date(2026, 12, 5)
    assert payment.production_date == date(2026, 12, 4)
    assert payment.remit_date == date(2026, 12, 5)  # BPR16 first
    claim = only_claim(batch)
    assert claim.patient_control_number == "CC-1001"
    assert claim.status_code == "1" and claim.payer_order == "Primary"
    assert (claim.charge, claim.paid, claim.patient_responsibility) == (
        Decimal("150.00"), Decimal("110.00"), None)
    assert claim.payer_claim_number == "PCN0001001"
    assert claim.statement_from == claim.statement_to == date(2026, 11, 10)
    assert claim.adjustments == () and not claim.partly_read
    (line,) = claim.services
    assert line.procedure.label() == "90834" and line.procedure.qualifier == "HC"
    assert (line.charge, line.paid, line.allowed) == (
        Decimal("150.00"), Decimal("110.00"), Decimal("110.00"))
    assert line.units == Decimal(1)
    assert line.service_date == date(2026, 11, 10)
    assert line.line_control_number == "CC-1001-1"
    assert [a.label() for a in line.adjustments] == ["CO-45 40.00"]
    # charge = paid + adjustments, to the cent
    assert line.charge == line.paid + sum(a.amount for a in line.adjustments)


def test_denied_claim_has_claim_level_cas_and_remarks():
    batch = read("denied.835")
    (payment,) = batch.payments
    assert payment.amount == Decimal("0") and payment.method == "NON"
    assert payment.remit_date == date(2026, 12, 5)
    claim = only_claim(batch)
    assert claim.status_code == "4" and claim.payer_order == ""
    assert claim.paid == Decimal("0")
    assert [a.label() for a in claim.adjustments] == ["CO-16 200.00"]
    assert claim.remarks == ("MA130", "N290")  # MOA
    (line,) = claim.services
    assert line.procedure.code == "90837" and line.procedure.modifiers == ("HO",)
    assert line.remarks == ("N290",)  # LQ*HE
    assert line.adjustments == ()


def test_partly_paid_claim_keeps_each_line_and_its_own_adjustments():
    claim = only_claim(read("partly_paid.835"))
    assert claim.adjustments == ()  # nothing at claim level: the lines carry them
    paid, denied = claim.services
    assert (paid.procedure.code, paid.paid, [a.label() for a in paid.adjustments]) == (
        "90791", Decimal("120.00"), ["CO-45 60.00"])
    assert (denied.procedure.code, denied.paid, [a.label() for a in denied.adjustments]) == (
        "90785", Decimal("0"), ["CO-97 150.00"])
    assert denied.remarks == ("M80",) and denied.allowed is None
    assert claim.paid == sum(line.paid for line in claim.services)


def test_patient_responsibility_and_one_cas_with_two_reasons():
    claim = only_claim(read("patient_responsibility.835"))
    assert claim.patient_responsibility == Decimal("75.00")
    (line,) = claim.services
    assert line.procedure.modifiers == ("95",)
    assert [(a.group, a.reason, a.amount) for a in line.adjustments] == [
        ("PR", "1", Decimal("50.00")), ("PR", "2", Decimal("25.00")),
        ("CO", "45", Decimal("30.00"))]
    pr = sum(a.amount for a in line.adjustments if a.group == "PR")
    assert pr == claim.patient_responsibility


def test_reversal_then_correction():
    batch = read("reversal_correction.835")
    (payment,) = batch.payments
    reversal, correction = payment.claims
    assert reversal.is_reversal and not correction.is_reversal
    assert (reversal.charge, reversal.paid) == (Decimal("-150.00"), Decimal("-110.00"))
    assert [a.label() for a in reversal.adjustments] == ["CO-45 -40.00"]
    assert reversal.services[0].units == Decimal("-1")
    assert correction.payer_claim_number == "PCN0001001A"
    assert correction.paid == Decimal("95.00")
    assert [a.label() for a in correction.adjustments] == ["CO-45 40.00", "PR-3 15.00"]
    (plb,) = payment.provider_adjustments
    assert (plb.reason, plb.reference, plb.amount) == ("WO", "PCN0001001", Decimal("-15.00"))
    # the payment balances: sum of CLP04 minus PLB equals BPR02
    assert sum(c.paid for c in payment.claims) - plb.amount == payment.amount == 0


def test_provider_adjustments_and_inpatient_remarks():
    (payment,) = read("plb_remarks.835").payments
    assert [(p.provider_id, p.fiscal_period_date, p.reason, p.reference, p.amount)
            for p in payment.provider_adjustments] == [
        ("1234567893", date(2026, 12, 31), "WO", "CC-0999", Decimal("25.00")),
        ("1234567893", date(2026, 12, 31), "L6", "", Decimal("-2.50"))]
    inpatient = payment.claims[1]
    assert inpatient.remarks == ("MA01", "N432")  # MIA05 and MIA20+
    assert inpatient.filing_indicator == "MC"
    assert (inpatient.statement_from, inpatient.statement_to) == (
        date(2026, 11, 1), date(2026, 11, 3))
    assert inpatient.services == ()
    plb = sum(p.amount for p in payment.provider_adjustments)
    assert sum(c.paid for c in payment.claims) - plb == payment.amount == Decimal("1887.50")


def test_a_claim_that_cannot_be_read_in_full_is_returned_at_claim_level_and_marked():
    text = (FIXTURES / "partly_read.835").read_text()
    assert "4O.00" in text and "20261310" in text  # an amount with a letter O, a 13th month
    claim = only_claim(read_835(text))
    assert claim.partly_read
    assert (claim.patient_control_number, claim.charge, claim.paid) == (
        "CC-1001", Decimal("150.00"), Decimal("110.00"))
    assert claim.problems == ("line 1: DTM02: not a calendar date", "line 1: CAS03: not a number")
    (line,) = claim.services
    assert line.service_date is None
    assert [(a.group, a.reason, a.amount) for a in line.adjustments] == [("CO", "45", None)]
    # problems never quote the file's values (they may be patient data)
    assert not any("4O.00" in p or "20261310" in p for p in claim.problems)


def test_library_validation_problems_mark_the_claim_they_occur_in():
    # public file: its SVC01 has a qualifier and no procedure code
    batch = read_835((FIXTURES / "public/linuxforhealth-x12/tertiary-payment.835").read_text())
    claim = only_claim(batch)
    assert claim.partly_read
    assert "line 1: SVC: SVC01-02: required element missing" in claim.problems
    assert claim.paid == Decimal("187.50")


def test_a_bad_header_value_does_not_lose_the_rest_of_the_header():
    # public file: BPR16 is 20002316 (month 23)
    (payment,) = read_835(
        (FIXTURES / "public/linuxforhealth-x12/managed-care.835").read_text()).payments
    assert payment.amount == Decimal("945.00")
    assert payment.payment_date is None
    assert payment.remit_date == date(2002, 3, 14)  # DTM*405
    assert "BPR16: not a calendar date" in payment.problems


def test_money_is_decimal_everywhere():
    seen = 0
    for path in OWN + PUBLIC:
        for payment in read_835(path.read_text()).payments:
            records = [payment, *payment.claims, *payment.provider_adjustments]
            records += [s for c in payment.claims for s in c.services]
            records += [a for c in payment.claims for a in c.adjustments]
            records += [a for c in payment.claims for s in c.services for a in s.adjustments]
            for record in records:
                for f in dataclasses.fields(record):
                    if f.name in ("amount", "charge", "paid", "allowed",
                                  "patient_responsibility", "units", "quantity"):
                        value = getattr(record, f.name)
                        assert value is None or isinstance(value, Decimal), (f.name, value)
                        seen += value is not None
    assert seen > 100


# --- delimiters and layout --------------------------------------------------------------------------


def claims_of(batch: RemittanceBatch) -> list[ClaimPayment]:
    return [claim for _, claim in batch.claims()]


def test_no_newlines_and_crlf_read_like_one_segment_per_line():
    lines = claims_of(read("partly_paid.835"))
    assert claims_of(read("no_newlines.835")) == lines
    assert claims_of(read("crlf.835")) == lines
    assert "\n" not in (FIXTURES / "no_newlines.835").read_text()
    assert "\r\n" in (FIXTURES / "crlf.835").read_bytes().decode()


def test_other_delimiters_with_newline_as_segment_terminator():
    text = (FIXTURES / "other_delimiters.835").read_text()
    assert text[3] == "|" and text[105] == "\n"
    assert claims_of(read_835(text)) == claims_of(read("patient_responsibility.835"))


def test_component_separator_in_svc_and_plb_differing_from_isa16():
    text = (FIXTURES / "mixed_delimiters.835").read_text()
    assert text[104] == ":" and "SVC*HC>90834*" in text and "PLB*1234567893*20261231*WO>" in text
    mixed = read_835(text).payments[0]
    plain_file = read("plb_remarks.835").payments[0]
    assert mixed.claims == plain_file.claims
    assert mixed.provider_adjustments == plain_file.provider_adjustments
    assert mixed.claims[0].services[0].procedure.code == "90834"
    assert not any(claim.partly_read for claim in mixed.claims)


def test_a_plb_reference_keeps_its_dashes_when_the_separator_is_repaired():
    text = whole("mixed_delimiters.835").replace("WO>CC-0999", "WO-CC-0999")
    adjustments = read_835(text).payments[0].provider_adjustments
    assert [(p.reason, p.reference) for p in adjustments] == [("WO", "CC-0999"), ("L6", "")]


def test_several_transaction_sets_and_interchanges_with_different_delimiters():
    batch = read("several_st_isa.835")
    assert [(p.interchange_control_number, p.transaction_control_number, p.trace_number)
            for p in batch.payments] == [
        ("000000107", "0001", "EFT0000107"), ("000000107", "0002", "EFT0000108"),
        ("000000108", "0001", "CHK0000109")]
    assert batch.payments[2].method == "CHK"
    assert claims_of(batch) == (claims_of(read("paid.835")) + claims_of(read("partly_paid.835"))
                                + claims_of(read("patient_responsibility.835")))


def test_isa_written_without_padding_is_still_read():
    text = (FIXTURES / "paid.835").read_text()
    trimmed = text.replace("EXAMPLEPAYER   *", "EXAMPLEPAYER*", 1).replace(
        "*          *00*          *", "**00**", 1)
    assert len(trimmed.split("~")[0]) < 106
    assert claims_of(read_835(trimmed)) == claims_of(read("paid.835"))


# delimiters a payer might pick that never occur in the fixtures' data
_DELIMITERS = "|!}{#`\x1c\x1d\x1e\x1f"


@settings(max_examples=15, deadline=None)
@given(chosen=st.permutations(_DELIMITERS).map(lambda p: p[:4]),
       newline=st.sampled_from(["", "\n", "\r\n"]),
       name=st.sampled_from(["paid.835", "denied.835", "plb_remarks.835",
                             "reversal_correction.835", "several_st_isa.835"]))
def test_redelimiting_a_file_gives_the_same_records(chosen, newline, name):
    element, component, repetition, terminator = chosen
    text = (FIXTURES / name).read_text()
    if name == "several_st_isa.835":  # its second interchange already uses | and >
        text = text.replace("|", "*").replace(">", ":")
    assert not any(ch in text for ch in _DELIMITERS)
    redelimited = text.translate(str.maketrans(
        {"*": element, ":": component, "^": repetition, "~": terminator, "\n": newline}))
    assert read_835(redelimited) == read_835(text)


# --- unusable files -----------------------------------------------------------------------------------


def whole(name: str) -> str:
    return (FIXTURES / name).read_text()


UNUSABLE = {
    "truncated file": (lambda: whole("truncated.835"), "cut short"),
    "837 claim": (lambda: whole("claim_837.x12"), "not an 835"),
    "999 acknowledgment": (lambda: whole("ack_999.x12"), "not an 835"),
    "empty": (lambda: "", "empty"),
    "blank lines": (lambda: "\n\r\n  \n", "empty"),
    "not X12": (lambda: "Claim ID,Status\nCC-1001,Paid\n", "not an X12 file"),
    "ISA cut short": (lambda: whole("paid.835")[:60], "cut short"),
    "no IEA": (lambda: whole("paid.835").replace("IEA*1*000000101~\n", ""), "cut short"),
    "no SE": (lambda: whole("paid.835").replace("SE*22*0001~\n", ""), "cut short"),
    "last segment unterminated": (lambda: whole("paid.835").rstrip("~\n"), "cut short"),
    "junk after IEA": (lambda: whole("paid.835") + "PAGE 2 OF 2\n", "after the end"),
    "ST 837 under GS HP": (lambda: whole("paid.835").replace("ST*835*", "ST*837*"),
                           "not an 835"),
}


@pytest.mark.parametrize("case", sorted(UNUSABLE))
def test_unusable_files_raise_one_clear_line(case):
    make, words = UNUSABLE[case]
    with pytest.raises(EraProblem) as raised:
        read_835(make())
    message = str(raised.value)
    assert words in message
    assert "\n" not in message and 10 < len(message) < 160


def test_no_se_line_is_what_the_no_se_case_removes():
    # guards the UNUSABLE table: the replaced text must exist for those cases to mean anything
    text = whole("paid.835")
    assert "SE*22*0001~\n" in text and "IEA*1*000000101~\n" in text
    assert not read_835(text).payments[0].problems  # the SE count 22 is right


def test_bytes_are_refused_with_the_same_exception():
    with pytest.raises(EraProblem):
        read_835(whole("paid.835").encode())


def test_nothing_is_logged_or_printed_while_reading_a_bad_file(capfd):
    # the library's log can quote segments (names); an application logging at DEBUG to its own
    # root handler must not receive any of it
    records = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        read("partly_read.835")
        read_835(whole("public/linuxforhealth-x12/tertiary-payment.835"))
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    out, err = capfd.readouterr()
    assert out == err == ""
    assert [r.name for r in records if r.name.startswith("pyx12")] == []


def test_records_are_immutable():
    claim = only_claim(read("paid.835"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.paid = Decimal(0)
    assert isinstance(claim.services, tuple) and isinstance(claim.services[0], ServicePayment)
    assert isinstance(read("paid.835").payments[0], Payment)


def write_expected() -> None:
    for path in OWN + PUBLIC:
        data = plain(read_835(path.read_text()))
        expected_path(path).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(["paid.835", "plb_remarks.835", "several_st_isa.835"]),
       cuts=st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 8),
                               st.text(alphabet="*:~^|>0123456789ABC.-\n ", max_size=6)),
                     min_size=1, max_size=4))
def test_mangled_files_give_records_or_one_clear_line_never_a_crash(name, cuts):
    text = whole(name)
    for at, length, insert in cuts:
        at %= len(text)
        text = text[:at] + insert + text[at + length:]
    try:
        batch = read_835(text)
    except EraProblem as problem:
        assert "\n" not in str(problem) and str(problem)
    else:
        assert isinstance(batch, RemittanceBatch)


if __name__ == "__main__" and "--write-expected" in sys.argv:
    write_expected()
