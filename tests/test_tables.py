"""A practice's code-table CSVs (``--tables`` / ``CLAIMCHECK_TABLES``) are checked cell by cell
as they load: a cell that does not fit is one plain line naming the file, row and column (and
``claimcheck check`` exits 2 with it), never "internal error"."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from claimcheck.errors import UnusableInput
from claimcheck.tables import load_tables
from helpers import claimcheck_cmd

ROOT = Path(__file__).resolve().parents[1]
PROCEDURES = "code,label,kind,addon,min_minutes,max_minutes,daily_max,source\n"


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return str(folder)


def problem(folder: Path) -> str:
    load_tables.cache_clear()
    with pytest.raises(UnusableInput) as caught:
        load_tables(str(folder))
    load_tables.cache_clear()
    return str(caught.value)


def test_check_with_a_word_for_a_daily_limit_exits_2_with_file_row_and_column(tmp_path):
    rows = "".join(f"9083{n % 10},,psychotherapy,N,,,1,practice\n" for n in range(10))
    write(tmp_path, "procedures.csv", PROCEDURES + rows + "90834,,psychotherapy,N,,,two,practice\n")
    proc = subprocess.run([*claimcheck_cmd(), "check", str(ROOT / "examples" / "sample-billing.xlsx"),
                           "--as-of", "2026-06-30", "--tables", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"claimcheck: {tmp_path / 'procedures.csv'} row 12, column daily_max: 'two' is not a whole number"]
    assert proc.stdout == ""


@pytest.mark.parametrize("name, text, message", [
    ("procedures.csv", PROCEDURES + "90834,,psychotherapy,N,38,52.5,,p\n", "row 2, column max_minutes: '52.5' is not a whole number"),
    ("procedures.csv", PROCEDURES + "90834,,psychotherapy,N,-1,,,p\n", "row 2, column min_minutes: '-1' is below 0"),
    ("procedures.csv", PROCEDURES + "90834,,psychotherapy,maybe,,,,p\n", "row 2, column addon: 'maybe' is not Y or N"),
    ("procedures.csv", PROCEDURES + "9083,,psychotherapy,N,,,,p\n", "row 2, column code: '9083' is not a procedure code"),
    ("procedures.csv", PROCEDURES + ",Talk,psychotherapy,N,,,,p\n", "row 2, column code: the cell is empty"),
    ("addons.csv", "addon,primaries,source\n90899,,p\n", "row 2, column primaries: the cell is empty"),
    ("same_day.csv", "codes_a,codes_b,kind,scope,note,source\n90791,90832,sometimes,client,n,p\n",
     "row 2, column kind: 'sometimes' is not never or distinct"),
    ("same_day.csv", "codes_a,codes_b,kind,scope,note,source\n90791,90832,never,office,n,p\n",
     "row 2, column scope: 'office' is not client or provider"),
    ("modifiers.csv", "modifier,label,group,source\n959,Telehealth,telehealth,p\n", "row 2, column modifier: '959' is not a modifier"),
    ("modifier_conflicts.csv", "modifiers,note,source\n95 G,n,p\n", "row 2, column modifiers: 'G' is not a modifier"),
    ("pos.csv", "pos,label,telehealth,source\n1A,Office,N,p\n", "row 2, column pos: '1A' is not a place of service"),
    ("pos.csv", "pos,label,telehealth,source\n11,Office,sometimes,p\n", "row 2, column telehealth: 'sometimes' is not Y or N"),
    ("payer_defaults.csv", "setting,value,source\nAppeal Days,soon,p\n", "row 2, column value: 'soon' is not a whole number"),
    ("payer_defaults.csv", "setting,value,source\nAuth Required,perhaps,p\n", "row 2, column value: 'perhaps' is not Y or N"),
    ("procedures.csv", "label,kind\nTalk,psychotherapy\n", "row 2, column code: the cell is empty"),
    ("procedures.csv", "code,kind,unit_minutes,source\nH2019,hcpcs_bh,0,p\n",
     "row 2, column unit_minutes: '0' is not a unit length"),
    ("procedures.csv", "code,kind,unit_minutes,source\nH2019,hcpcs_bh,quarter hour,p\n",
     "row 2, column unit_minutes: 'quarter hour' is not a whole number"),
    ("procedures.csv", "code,kind,telehealth,source\nH2019,hcpcs_bh,sometimes,p\n",
     "row 2, column telehealth: 'sometimes' is not Y or N"),
    ("procedures.csv", "code,kind,audio_only,source\nH2019,hcpcs_bh,phone,p\n",
     "row 2, column audio_only: 'phone' is not Y or N"),
    ("payer_defaults.csv", "setting,value,source\nTimed Unit Rounding,nearest,p\n",
     "row 2, column value: 'nearest' is not midpoint or whole"),
    ("payer_defaults.csv", "setting,value,source\nAuth Visits Per,week,p\n",
     "row 2, column value: 'week' is not Service or Date"),
    ("payer_defaults.csv", "setting,value,source\nMedicaid Appeal Days,two months,p\n",
     "row 2, column value: 'two months' is not a whole number"),
    ("covered_dx.csv", "payer,codes,dx,source\nAcme,90834,41.1,p\n",
     "row 2, column dx: '41.1' is not a diagnosis code or prefix"),
    ("covered_dx.csv", "payer,codes,dx,source\nAcme,90834,F4,p\n",
     "row 2, column dx: 'F4' is not a diagnosis code or prefix"),
    ("covered_dx.csv", "payer,codes,dx,source\nAcme,9083,F41.1,p\n",
     "row 2, column codes: '9083' is not a procedure code"),
    ("covered_dx.csv", "payer,codes,dx,source\n,90834,F41.1,p\n", "row 2, column payer: the cell is empty"),
])
def test_a_bad_cell_names_file_row_and_column(tmp_path, name, text, message):
    write(tmp_path, name, text)
    found = problem(tmp_path)
    assert found.startswith(f"{tmp_path / name} {message}"), found
    assert "\n" not in found


def test_the_row_is_the_row_a_spreadsheet_shows(tmp_path):
    """Header row 1; an empty row and a blank line are rows; a cell with a line break is one row."""
    write(tmp_path, "procedures.csv", PROCEDURES + "90834,,psychotherapy,N,,,1,p\n,,,,,,,\n\n"
          '90837,"Talk,\nlonger",psychotherapy,N,,,1,p\n90832,,psychotherapy,N,,,x,p\n')
    assert problem(tmp_path).startswith(f"{tmp_path / 'procedures.csv'} row 6, column daily_max: 'x'")


def test_good_overrides_still_merge_over_the_shipped_rows(tmp_path):
    write(tmp_path, "procedures.csv", PROCEDURES + "90837,,,,,,2,practice limit\n97110,Exercise,other,N,,,4.0,p\n")
    write(tmp_path, "pos.csv", "pos,label,telehealth,source\n99,Other,yes,p\n")
    load_tables.cache_clear()
    tables = load_tables(str(tmp_path))
    shipped = load_tables(None)
    assert tables.procedures["90837"].daily_max == 2
    assert tables.procedures["90837"].min_minutes == shipped.procedures["90837"].min_minutes  # blank keeps it
    assert tables.procedures["90837"].label == shipped.procedures["90837"].label
    assert tables.procedures["97110"].daily_max == 4 and not tables.procedures["97110"].addon
    assert "99" in tables.telehealth_pos
    load_tables.cache_clear()


def test_the_shipped_tables_pass_their_own_checks():
    load_tables.cache_clear()
    tables = load_tables(None)
    assert len(tables.procedures) > 50 and tables.payer_defaults["Appeal Days"] == "120"
    assert all(p.code == code for code, p in tables.procedures.items())


def test_a_worksheet_function_shows_the_line_not_a_traceback(tmp_path, monkeypatch):
    from claimcheck.udfs.registry import EXCEL_FUNCTIONS

    write(tmp_path, "procedures.csv", PROCEDURES + "90834,,psychotherapy,N,,,two,p\n")
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))
    load_tables.cache_clear()
    cpt_for_minutes = next(f.plain for f in EXCEL_FUNCTIONS if f.name == "CPT_FOR_MINUTES")
    assert cpt_for_minutes(45) == (f"claimcheck: {tmp_path / 'procedures.csv'} row 2, column daily_max: "
                                   "'two' is not a whole number")
    load_tables.cache_clear()


def test_per_15_minute_hcpcs_carry_their_unit_length():
    load_tables.cache_clear()
    procedures = load_tables(None).procedures
    assert {c for c, p in procedures.items() if p.unit_minutes} >= {"H0004", "H2011", "H2019"}
    assert all(procedures[c].unit_minutes == 15 for c in ("H0004", "H2011", "H2019"))
    assert procedures["90834"].unit_minutes is None  # billed per session


def test_a_practice_can_set_whole_units_and_its_own_unit_lengths(tmp_path, monkeypatch):
    """Timed Unit Rounding = whole (a Medicaid program that pays only full units) and a unit
    length for a code the shipped table lacks, loaded from the tables folder."""
    from helpers import check_lines, line

    write(tmp_path, "payer_defaults.csv", "setting,value,source\nTimed Unit Rounding,whole,state Medicaid manual\n")
    write(tmp_path, "procedures.csv", PROCEDURES.replace(",source", ",unit_minutes,source")
          + "H2033,Multisystemic therapy,hcpcs_bh,N,,,,15,state Medicaid manual\n")
    rows = [line(CPT="H2019", Minutes=29, Units=2, Modifiers="HO"), line(Claim_ID="C2", CPT="H2033", Minutes=20, Units=2)]
    load_tables.cache_clear()
    shipped = [f.code for f in check_lines(rows).findings if f.code in ("CPT018", "CPT019")]
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))
    load_tables.cache_clear()
    try:
        found = [(f.row, f.message) for f in check_lines(rows).findings if f.code == "CPT018"]
    finally:
        monkeypatch.delenv("CLAIMCHECK_TABLES")
        load_tables.cache_clear()
    assert shipped == []  # midpoint: 29 minutes are 2 units; H2033 is not in the shipped table
    assert found == [(2, "H2019 x2: 29 minutes support 1 unit (one unit per full 15 minutes)"),
                     (3, "H2033 x2: 20 minutes support 1 unit (one unit per full 15 minutes)")]


def test_telehealth_columns_are_yes_no_or_not_verified(tmp_path):
    load_tables.cache_clear()
    procedures = load_tables(None).procedures
    assert all(procedures[c].telehealth is True for c in ("90791", "90834", "90837", "90849", "90853", "99214"))
    assert all(procedures[c].telehealth is False and procedures[c].audio_only is False for c in ("H0004", "H2011", "H2019"))
    assert procedures["96127"].telehealth is None  # not verified on the list: no telehealth finding
    # A practice whose Medicaid program covers H2019 by telehealth says so in its tables folder.
    write(tmp_path, "procedures.csv", "code,telehealth,audio_only\nH2019,Y,N\n")
    load_tables.cache_clear()
    mine = load_tables(str(tmp_path)).procedures["H2019"]
    load_tables.cache_clear()
    assert mine.telehealth is True and mine.audio_only is False and mine.unit_minutes == 15


def test_a_practice_loads_cms_mues_with_their_adjudication_indicator(tmp_path, monkeypatch):
    """CPT011 reads procedures.csv mue/mai from the tables folder (none are shipped): MAI 3 adds
    up a client's units per date and rendering provider, MAI 1 looks at each line."""
    from helpers import NPI_B, check_lines, line

    write(tmp_path, "procedures.csv", "code,mue,mai,source\n96127,3,3,CMS practitioner MUE file (practice's quarter)\n"
          "H2019,16,1,CMS practitioner MUE file (practice's quarter)\n")
    rows = [line(CPT="96127", Minutes=None, Units=2), line(Claim_ID="C2", CPT="96127", Minutes=None, Units=2),  # 4 > 3
            line(Claim_ID="C3", CPT="96127", Minutes=None, Units=2, Rendering_NPI=NPI_B),  # another provider: 2
            line(Claim_ID="C4", CPT="H2019", Minutes=300, Units=20, Modifiers="HO"),  # 20 on one line > 16
            line(Claim_ID="C5", CPT="H2019", Minutes=240, Units=16, Modifiers="HO", DOS=line()["DOS"])]
    load_tables.cache_clear()
    shipped = [f for f in check_lines(rows).findings if f.code == "CPT011"]
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))
    load_tables.cache_clear()
    try:
        found = [(f.row, f.message) for f in check_lines(rows).findings if f.code == "CPT011"]
    finally:
        monkeypatch.delenv("CLAIMCHECK_TABLES")
        load_tables.cache_clear()
    assert shipped == []
    day = line()["DOS"].isoformat()
    assert found == [
        (2, f"96127: 4 units on {day} by this provider; CMS's MUE is 3 (MAI 3, per date of service: paid above it only on appeal with records)"),
        (3, f"96127: 4 units on {day} by this provider; CMS's MUE is 3 (MAI 3, per date of service: paid above it only on appeal with records)"),
        (5, "H2019: 20 units on this line; CMS's MUE is 16 (MAI 1, per claim line: more units truly given go on another line "
            "with a modifier such as 59 or 76)")]


@pytest.mark.parametrize("cells, message", [
    ("96127,three,3,p", "column mue: 'three' is not a whole number"),
    ("96127,3,4,p", "column mai: '4' is not an MUE adjudication indicator (1, 2 or 3)"),
])
def test_a_bad_mue_cell_names_its_column(tmp_path, cells, message):
    write(tmp_path, "procedures.csv", "code,mue,mai,source\n" + cells + "\n")
    assert problem(tmp_path).startswith(f"{tmp_path / 'procedures.csv'} row 2, {message}")


def test_covered_diagnoses_load_normalised_and_merge_per_payer_and_code(tmp_path):
    write(tmp_path, "covered_dx.csv", "payer,codes,dx,source\n Acme Health ,\"90834, 90837\",f411 F32*,policy 1\n"
                                      "ACME HEALTH,90834,z63.0,policy 2\n*,90834,F*,any\n")
    t = load_tables(str(tmp_path))
    assert t.covered_diagnoses("ACME HEALTH", "90834") == ("F41.1", "F32*", "Z63.0")
    assert t.covered_diagnoses("ACME HEALTH", "90837") == ("F41.1", "F32*")
    assert t.covered_diagnoses("OTHER", "90834") == ("F*",) and t.covered_diagnoses("OTHER", "90837") is None
    assert load_tables().covered_dx == {}  # none shipped


def test_medicare_modifier_95_always_asks_for_95_on_medicare_telehealth(tmp_path, monkeypatch):
    from helpers import check_lines, line

    write(tmp_path, "payer_defaults.csv", "setting,value,source\nMedicare Modifier 95,always,hospital-based practice\n")
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))
    found = lambda **kw: [f.message for f in check_lines([line(Payer="Medicare Part B", POS="10", **kw)]).findings  # noqa: E731
                          if f.code == "POS004"]
    assert found() == ["POS 10 for Original Medicare without 95: add 95 (your practice bills from a hospital)"]
    assert found(Modifiers="95") == [] and found(Modifiers="93") == []


def test_an_rhc_or_fqhc_may_bill_fq(tmp_path, monkeypatch):
    """payer_defaults.csv RHC or FQHC Y: FQ (an RHC/FQHC mental health visit by audio only) is the
    practice's own modifier, so MOD010 stays quiet; a bad value is refused as any setting is."""
    from helpers import check_lines, line

    found = lambda: [f.code for f in check_lines([line(Modifiers="FQ", POS="10")]).findings]  # noqa: E731
    assert "MOD010" in found()
    write(tmp_path, "payer_defaults.csv", "setting,value,source\nRHC or FQHC,Y,we are an FQHC\n")
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))
    assert "MOD010" not in found()
    (tmp_path / "bad").mkdir()
    write(tmp_path / "bad", "payer_defaults.csv", "setting,value,source\nRHC or FQHC,sometimes,x\n")
    with pytest.raises(UnusableInput, match="'sometimes' is not Y or N"):
        load_tables(str(tmp_path / "bad"))


def test_a_practice_pair_row_can_carry_its_dates(tmp_path, monkeypatch):
    """same_day.csv's optional effective/deleted columns: the pair applies from the effective
    date up to the day before the deletion date, as a CMS PTP edit; a bad date is refused."""
    from helpers import check_lines, line
    import datetime as dt

    write(tmp_path, "same_day.csv", "codes_a,codes_b,kind,scope,note,source,effective,deleted\n"
                                    "90853,90832,never,provider,plan policy,payer bulletin,2026-03-01,2026-06-01\n")
    monkeypatch.setenv("CLAIMCHECK_TABLES", str(tmp_path))

    def flagged(day):
        rows = [line(CPT="90853", Minutes=60, DOS=day), line(Claim_ID="C2", CPT="90832", Minutes=30, DOS=day)]
        return [f.row for f in check_lines(rows).findings if f.code == "CPT008"]

    assert flagged(dt.date(2026, 2, 28)) == [] and flagged(dt.date(2026, 3, 1)) == [2]
    assert flagged(dt.date(2026, 5, 31)) == [2] and flagged(dt.date(2026, 6, 1)) == []
    (tmp_path / "bad").mkdir()
    write(tmp_path / "bad", "same_day.csv", "codes_a,codes_b,kind,effective\n90853,90832,never,March\n")
    with pytest.raises(UnusableInput, match="row 2, column effective: 'March' is not a date"):
        load_tables(str(tmp_path / "bad"))
