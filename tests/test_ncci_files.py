"""CMS's quarterly practitioner NCCI files (PTP pair edits and MUEs) dropped into the tables
folder, read in CMS's published layout.  claimcheck ships no CMS file (the downloads carry the
AMA's CPT licence and change each quarter); tests/fixtures/ncci holds two small files in that
layout with made-up values: ccipra-v321r0-f1.txt (tab-delimited text, title and header lines
first, as CMS publishes it) and MCR_MUE_PractitionerServices_Eff_01-01-2026.csv."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from claimcheck.errors import UnusableInput
from claimcheck.tables import load_tables, read_mue_values, read_ptp_edits
from helpers import check_lines, line

NCCI = Path(__file__).parent / "fixtures" / "ncci"
PTP = NCCI / "ccipra-v321r0-f1.txt"
MUE = NCCI / "MCR_MUE_PractitionerServices_Eff_01-01-2026.csv"


@pytest.fixture
def cms_tables(monkeypatch):
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(NCCI))
    yield load_tables(str(NCCI))


def test_ptp_rows_in_force_for_the_code_range_are_read():
    keep = frozenset(load_tables().procedures)
    edits = {(e.column1, e.column2): e for e in read_ptp_edits(PTP, keep)}
    # titles, headers and the blank row are skipped; an indicator-9 edit and a pair outside the
    # behavioral-health codes (10021) are left out; a deleted edit is kept with its deletion date
    assert set(edits) == {("90846", "90847"), ("90853", "90847"), ("90834", "90846"), ("90837", "90847"),
                          ("90791", "90832"), ("90834", "90853"), ("90832", "90853")}
    assert edits["90846", "90847"].modifier == 0 and edits["90853", "90847"].modifier == 1
    assert edits["90846", "90847"].effective == "2013-01-01" and edits["90846", "90847"].source == PTP.name
    assert edits["90846", "90847"].deleted is None and edits["90834", "90853"].deleted == "2018-01-01"
    assert edits["90832", "90853"].effective == "2026-05-01"


def test_mue_values_and_adjudication_indicators_are_read():
    keep = frozenset(load_tables().procedures)
    assert read_mue_values(MUE, keep) == {"90791": (1, 2), "90834": (1, 3), "H2019": (24, 1)}  # 96130's 0 left out


def test_the_files_feed_the_code_tables(cms_tables):
    t = cms_tables
    assert (t.procedures["90791"].mue, t.procedures["90791"].mai) == (1, 2)
    assert (t.procedures["H2019"].mue, t.procedures["H2019"].mai) == (24, 1)
    assert t.procedures["96130"].mue is None
    cms = [r for r in t.same_day if "CMS NCCI" in r.note]
    # pairs a shipped same_day.csv row holds (90834/90846, 90837/90847, 90791/90832) are not repeated
    assert sorted((sorted(r.codes_a), sorted(r.codes_b), r.kind, r.scope, r.effective, r.deleted) for r in cms) == [
        (["90847"], ["90846"], "never", "provider", dt.date(2013, 1, 1), None),
        (["90847"], ["90853"], "distinct", "provider", dt.date(2013, 1, 1), None),
        (["90853"], ["90832"], "never", "provider", dt.date(2026, 5, 1), None),
        (["90853"], ["90834"], "distinct", "provider", dt.date(2013, 1, 1), dt.date(2018, 1, 1))]
    assert len(t.same_day) == len(load_tables().same_day) + 4


def test_an_indicator_0_pair_is_never_billable_together(cms_tables):
    lines = [line(CPT="90846", Minutes=50), line(CPT="90847", Minutes=50, Claim_ID="C2")]
    found = [f for f in check_lines(lines).findings if f.code == "CPT008"]
    assert [f.row for f in found] == [3]  # the column 2 code's line: the one CMS denies
    assert found[0].message.startswith("90847 and 90846 on 2026-06-01: CMS NCCI pair edit (modifier indicator 0, "
                                       "ccipra-v321r0-f1.txt, in force from 2013-01-01)")
    other = [line(CPT="90846", Minutes=50), line(CPT="90847", Minutes=50, Claim_ID="C2", Rendering_NPI="1456789019")]
    assert not [f for f in check_lines(other).findings if f.code == "CPT008"]  # another provider


def test_an_indicator_1_pair_needs_its_distinct_service_modifier(cms_tables):
    lines = [line(CPT="90853", Minutes=60), line(CPT="90847", Minutes=50, Claim_ID="C2")]
    found = [f for f in check_lines(lines).findings if f.code == "CPT009"]
    assert [f.row for f in found] == [3] and "modifier indicator 1, ccipra-v321r0-f1.txt" in found[0].message
    lines[1]["Modifiers"] = "XE"
    assert not [f for f in check_lines(lines).findings if f.code == "CPT009"]


def test_a_pair_edit_applies_from_its_effective_date(cms_tables):
    """90832 with 90853 (made-up edit, indicator 0) is effective 2026-05-01: a day before it the
    pair passes, on the day it is CPT008."""
    def found(day):
        lines = [line(CPT="90853", Minutes=60, DOS=day), line(CPT="90832", Minutes=30, Claim_ID="C2", DOS=day)]
        return [f for f in check_lines(lines).findings if f.code == "CPT008"]

    assert not found(dt.date(2026, 4, 30))
    hits = found(dt.date(2026, 5, 1))
    assert [f.row for f in hits] == [2] and "in force from 2026-05-01" in hits[0].message  # the column 2 code


def test_a_deleted_pair_edit_applies_only_before_its_deletion_date(cms_tables):
    """90834 with 90853 (indicator 1) was deleted on 2018-01-01: a service of 2017-12-31 still
    needs the distinct-service modifier (a late claim or an appeal), one of 2018-01-01 does not."""
    def found(day):
        lines = [line(CPT="90853", Minutes=60, DOS=day), line(CPT="90834", Minutes=45, Claim_ID="C2", DOS=day)]
        return [f for f in check_lines(lines).findings if f.code == "CPT009"]

    hits = found(dt.date(2017, 12, 31))
    assert [f.row for f in hits] == [2] and "until 2018-01-01" in hits[0].message
    assert not found(dt.date(2018, 1, 1))


def test_mue_files_apply_by_their_effective_date(tmp_path, monkeypatch):
    """Two quarters' MUE files: each date of service takes the newest file in force on it, and a
    date before the oldest file's effective date has no MUE from them."""
    older = MUE.read_text(encoding="utf-8").replace('"H2019","24"', '"H2019","20"')
    (tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2025.csv").write_text(older, encoding="utf-8")
    shutil.copy(MUE, tmp_path / MUE.name)  # Eff_01-01-2026: H2019 24
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))
    t = load_tables(str(tmp_path))
    assert t.procedures["H2019"].mue_files == ((dt.date(2025, 10, 1), 20, 1), (dt.date(2026, 1, 1), 24, 1))

    def mue_finding(day, units):
        found = [f for f in check_lines([line(CPT="H2019", Minutes=units * 15, Units=units, DOS=day)]).findings
                 if f.code == "CPT011"]
        return found[0].message if found else None

    assert "CMS's MUE is 20" in mue_finding(dt.date(2025, 12, 31), 22)
    assert "file effective 2025-10-01" in mue_finding(dt.date(2025, 12, 31), 22)
    assert mue_finding(dt.date(2026, 1, 2), 22) is None  # the 2026 file allows 24
    assert "CMS's MUE is 24" in mue_finding(dt.date(2026, 1, 2), 25)
    assert mue_finding(dt.date(2025, 9, 30), 30) is None  # before every file: no MUE from them


def test_units_over_the_cms_mue(cms_tables):
    found = {f.code: f.message for f in check_lines([line(CPT="H2019", Minutes=400, Units=26)]).findings}
    assert "CPT011" in found and "24" in found["CPT011"]
    assert "CPT011" not in {f.code for f in check_lines([line(CPT="H2019", Minutes=360, Units=24)]).findings}


def test_without_the_files_nothing_changes():
    assert all("CMS NCCI" not in r.note for r in load_tables().same_day)
    assert load_tables().procedures["90791"].mue is None


@pytest.mark.parametrize("bad, message", [
    ("90846\t90847\t\t2013-01-01\t*\t0\tx", "effective date '2013-01-01' is not YYYYMMDD"),
    ("90846\t90847\t\t20130101\t*\t2\tx", "modifier indicator '2' is not 0, 1 or 9"),
    ("90846\t90847\t\t20130101", "a PTP edit has 6 or more columns"),
])
def test_a_row_out_of_layout_names_the_file_and_line(tmp_path, bad, message):
    path = tmp_path / "ccipra-v321r0-f2.txt"
    path.write_text("title line\n" + bad + "\n", encoding="latin-1")
    with pytest.raises(UnusableInput, match=f"ccipra-v321r0-f2.txt line 2: {message}"):
        load_tables(str(tmp_path))


def test_a_bad_mue_value_names_the_file_and_line(tmp_path):
    shutil.copy(MUE, tmp_path / MUE.name)
    with open(tmp_path / MUE.name, "a", encoding="utf-8") as f:
        f.write('"90837","two","2 Date of Service Edit: Policy","x"\r\n')
    with pytest.raises(UnusableInput, match="line 9: MUE value 'two' is not a whole number"):
        load_tables(str(tmp_path))
