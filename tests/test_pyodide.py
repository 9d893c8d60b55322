"""claimcheck inside a real Pyodide 0.27.7 (the runtime of xlwings Lite: Python 3.12 on 32-bit
wasm, numpy 2.0.2, pandas 2.2.3), offline under Node, against the same calls in CPython.

One Pyodide run (tests/pyodide/run.mjs, set up by tests/pyodide/prepare.py) makes every call;
each answer must be byte-identical JSON to CPython's: the engine on the sample and a generated
workbook, all ten worksheet functions through xlwings' Office.js dispatch, and the four Lite
scripts through ``custom_scripts_call``.  Without Node/npm or network for the first setup the
tests skip here and fail in CI (the CI environment variable is set).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "pyodide"))

import tier  # noqa: E402
from office import require  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GENERATED_LINES = 300


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pyodide")
    generated = tier.generated_workbook(GENERATED_LINES, folder)
    data = {"sample-billing.xlsx": ROOT / "examples" / "sample-billing.xlsx", "generated.xlsx": generated}
    generated_sheets = tier.workbook_sheets(generated)
    sheets = tier.sample_sheets()
    as_of = tier.AS_OF.isoformat()
    calls = [{"op": "import_udfs"}]
    calls += tier.function_calls(sheets)
    calls += tier.rule_case_calls()
    calls.append(tier.function("CHECK_CLAIMS", *[tier.grid(generated_sheets[k]) for k in ("Claims", "Authorizations", "Payers")],
                               [[tier.serial(tier.AS_OF)]], label="CHECK_CLAIMS generated"))
    calls += [{"op": "check_workbook", "path": "sample-billing.xlsx", "as_of": as_of},
              {"op": "check_workbook", "path": "generated.xlsx", "as_of": as_of}]
    calls += tier.script_calls(sheets, generated_sheets)
    era = ROOT / "tests" / "fixtures" / "era"
    calls += [{"op": "read_835", "name": path.name, "text": path.read_text()}
              for path in sorted([*era.glob("*.835"), *era.glob("*.x12"), *era.glob("public/**/*.835")])]
    try:
        manifest = tier.prepare.prepare()
    except tier.prepare.SetupError as exc:  # no Node/npm, or no network for the first setup
        require(False, f"the Pyodide tier could not be set up: {exc}")
    pyodide = tier.run_pyodide(calls, data, manifest)  # a failure in Pyodide fails, here too
    cpython = tier.run_cpython(calls, data)
    return calls, pyodide, cpython


def _pairs(runs, op):
    calls, pyodide, cpython = runs
    out = [(c, p, q) for c, p, q in zip(calls, pyodide["results"], cpython["results"]) if c["op"] == op]
    assert out
    return out


def _assert_same(pairs):
    differ = [(c.get("name") or c.get("path") or c["op"], p[:300], q[:300]) for c, p, q in pairs if p != q]
    assert not differ, f"{len(differ)} of {len(pairs)} answers differ in Pyodide, first: {differ[0]}"


def test_pyodide_is_the_32_bit_runtime_xlwings_lite_runs_and_stays_offline(runs):
    _, pyodide, cpython = runs
    assert pyodide["runtime"]["platform"] == "emscripten" and pyodide["runtime"]["intp_bits"] == 32
    assert pyodide["runtime"]["python"].startswith("3.12.") and pyodide["runtime"]["numpy"] == "2.0.2"
    assert pyodide["runtime"]["pandas"] == "2.2.3"
    assert pyodide["blocked"] == []
    assert len(pyodide["results"]) == len(cpython["results"])


def test_engine_check_workbook_matches_cpython(runs):
    pairs = _pairs(runs, "check_workbook")
    assert len(pairs) == 2
    for _, p, _ in pairs:
        assert '"findings"' in p and '"code"' in p  # real findings, not an error text
    _assert_same(pairs)


def test_engine_on_every_rule_fixture_matches_cpython(runs):
    pairs = _pairs(runs, "check_tables")
    _assert_same(pairs)
    assert all('"exception"' not in q for _, _, q in pairs)


def test_all_ten_worksheet_functions_match_cpython(runs):
    pairs = _pairs(runs, "function")
    names = {c["name"] for c, _, _ in pairs}
    assert len(names) == 10
    _assert_same(_pairs(runs, "import_udfs"))
    _assert_same(pairs)
    generated = next(p for c, p, _ in pairs if c.get("label") == "CHECK_CLAIMS generated")
    assert generated.count("OK") > GENERATED_LINES / 2 and "claimcheck:" not in generated


def test_the_four_lite_scripts_produce_the_same_actions_as_cpython(runs):
    pairs = _pairs(runs, "script")
    assert {c["name"] for c, _, _ in pairs} == {"validate_claims", "flag_authorizations", "generate_appeals",
                                                "new_claims_workbook", "post_era"}
    for c, p, _ in pairs:
        if "Claims" in str(c["book"]["sheets"][0]["name"]) and c.get("label") != "post_era truncated":
            assert "stopped" not in p and '"setValues"' in p, c["name"]
    _assert_same(pairs)


def test_post_era_posts_the_pasted_remittance_in_pyodide(runs):
    """Post ERA in xlwings Lite: the 835 text pasted into ERA Inbox is read by pyx12 inside
    Pyodide, posted to Claims (a typed value kept), and the inbox emptied; a file cut short is
    refused with one message and nothing written."""
    pairs = {c.get("label"): (p, q) for c, p, q in _pairs(runs, "script") if c["name"] == "post_era"}
    posted, cpython = pairs["post_era paid"]
    assert posted == cpython
    assert "Post ERA (the ERA Inbox sheet): 2 claims posted" in posted and "1 typed value kept" in posted
    assert '"sheetClear"' in posted and '"Remittances"' in posted
    refused, cpython = pairs["post_era truncated"]
    assert refused == cpython
    assert "claimcheck: the text on ERA Inbox: the file is cut short" in refused
    assert '"setValues"' not in refused and '"sheetClear"' not in refused


def test_remittances_read_the_same_in_pyodide(runs):
    pairs = _pairs(runs, "read_835")
    assert len(pairs) >= 15
    assert any('"EraProblem"' in p for _, p, _ in pairs)  # the unusable files are refused there too
    for call, pyodide, cpython in pairs:
        assert pyodide == cpython, call["name"]
