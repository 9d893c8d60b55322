"""The ICD-10-CM code set shipped in claimcheck/data (what CHECK_DX, CHECK_CLAIM and the DX rules
check against) is exactly simple-icd-10-cm's: the same codes, the same billable flags.  When
the package is upgraded, rebuild the file with scripts/build-icd10-index."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from claimcheck import icd10

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "claimcheck" / "data" / icd10.CODES_FILE


@pytest.fixture(scope="module")
def package_sets():
    import simple_icd_10_cm as cm

    billable, headers = set(), set()
    for code in cm.get_all_codes(True):
        if "-" in code or cm.is_chapter(code):  # chapters and blocks (F40-F48) are not codes
            continue
        (billable if cm.is_leaf(code) else headers).add(code)
    return billable, headers


def test_shipped_code_set_is_simple_icd_10_cm_s(package_sets):
    billable, headers = package_sets
    idx = icd10.index()
    assert idx.edition == "FY2026"
    assert len(billable) > 70000 and len(headers) > 20000
    assert set(idx.billable) == billable, sorted(set(idx.billable) ^ billable)[:10]
    assert set(idx.headers) == headers, sorted(set(idx.headers) ^ headers)[:10]
    assert list(idx.ordered_billable) == sorted(billable)  # what children() bisects
    assert idx.children("F41") == ["F41.0", "F41.1", "F41.3"] and idx.children("F43.1") == ["F43.10", "F43.11", "F43.12"]


def test_shipped_file_names_its_source_edition_and_licence():
    head = SHIPPED.read_text(encoding="ascii").split("\nbillable\n")[0]
    assert "FY2026" in head and "MIT" in head and f"simple-icd-10-cm package\n# {version('simple-icd-10-cm')}" in head


def test_build_script_reproduces_the_shipped_file(tmp_path):
    """The file is what scripts/build-icd10-index writes today (byte for byte)."""
    out = tmp_path / "codes.txt.gz"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build-icd10-index"), str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == SHIPPED.read_bytes()


def test_checks_and_descriptions_answer_without_importing_simple_icd_10_cm(tmp_path):
    """Checking codes reads only the shipped set; a description still comes from the package."""
    code = (
        "import sys\n"
        "from claimcheck import icd10\n"
        "assert icd10.check('F41.1') is None\n"
        "kind, text = icd10.check('F41')\n"
        "assert kind == 'header' and 'F41.0' in text, text\n"
        "assert icd10.check('F99.9')[0] == 'unknown'\n"
        "assert 'simple_icd_10_cm' not in sys.modules\n"
        "print(icd10.description('F41.1'))\n"
        "assert 'simple_icd_10_cm' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"CLAIMCHECK_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Generalized anxiety disorder"
    # kept for the next start: a second process reads it without the package
    again = subprocess.run([sys.executable, "-c", "import sys\nfrom claimcheck import icd10\n"
                            "print(icd10.description('F43.10'))\nassert 'simple_icd_10_cm' not in sys.modules\n"],
                           capture_output=True, text=True, env={"CLAIMCHECK_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "Post-traumatic stress disorder, unspecified"


def test_build_script_reproduces_the_manifestation_list(tmp_path):
    out = tmp_path / "manifestations.txt"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build-icd10-index"), "--manifestations", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (ROOT / "claimcheck" / "data" / icd10.MANIFESTATIONS_FILE).read_bytes()
    codes = icd10.manifestations()
    assert {"F02.80", "F02.A0", "G01", "G02", "G63", "G99.0"} <= codes
    assert not codes & {"F54", "F01.50", "F03.90", "G30.9"}  # not "in ... diseases classified elsewhere"
    assert codes <= icd10.index().billable


def test_fy2025_changes_name_their_source_and_fit_the_fy2026_set():
    data = (ROOT / "claimcheck" / "data" / icd10.PREVIOUS_FILE).read_bytes()
    head = data.decode("ascii").split("\nbillable\n")[0]
    assert "FY2025" in head and "simple-icd-10-cm 1.4.0" in head and "April-2025" in head and "2024-10-01 to 2025-09-30" in head
    changes = icd10.read_changes(data)
    idx = icd10.index()
    assert changes["billable"] and not changes["billable"] & idx.billable  # a difference, not a copy
    assert not changes["headers"] & idx.headers
    assert changes["absent"] <= idx.billable | idx.headers
    # CDC FY2026 addenda: Z59.86 (financial insecurity) split into Z59.861-Z59.869; G35 (multiple sclerosis) split
    assert icd10.status("Z59.86", 2025) == "billable" and icd10.status("Z59.86", 2026) == "header"
    assert icd10.status("Z59.861", 2025) == "absent" and icd10.status("Z59.861", 2026) == "billable"
    assert icd10.status("G35", 2025) == "billable" and icd10.status("F41.1", 2025) == "billable"


@pytest.mark.parametrize("day,year", [(dt.date(2025, 9, 30), 2025), (dt.date(2025, 10, 1), 2026),
                                      (dt.date(2024, 10, 1), 2025), (dt.date(2026, 9, 30), 2026),
                                      (dt.date(2026, 10, 1), 2027), (None, 2026)])
def test_fiscal_year_starts_october_first(day, year):
    assert icd10.fiscal_year(day) == year


def test_a_header_in_fy2025_suggests_fy2025_codes_only():
    kind, text = icd10.check("R10.8", 2025)
    assert kind == "header" and "R10.8A" not in text  # R10.8A1... are new in FY2026
    assert icd10.check("Z59.86", 2026)[1].endswith("(e.g. Z59.861, Z59.868, Z59.869)")
    assert icd10.check("F99.9", 2027)[0] == "unlisted" and icd10.check("F99.9", 2026)[0] == "unknown"
