"""The Pyodide tier's plumbing: the calls it makes, and running them in Pyodide (Node, offline)
and in CPython (this process) through the same driver.

Used by tests/test_pyodide.py and benchmarks/pyodide.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for folder in (HERE, ROOT / "tests", ROOT):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import driver  # noqa: E402
import prepare  # noqa: E402
from udfs_env import as_excel_sends, book_json, grid, sample_sheets, serial  # noqa: E402

AS_OF = dt.date(2026, 6, 30)
NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
# the repository files the driver needs inside Pyodide, at the same place relative to each other
REPO_FILES = ("tests/pyodide/driver.py", "tests/udfs_env.py", "addin/lite/main.py")
PYODIDE_ROOT = "/repo"
PYODIDE_DATA = "/data"


class TierError(RuntimeError):
    """Node or Pyodide failed (the message has the end of its output)."""


# ------------------------------------------------------------------------------- the calls


def workbook_sheets(path: Path) -> dict[str, list[list]]:
    """A workbook's sheets as lists of rows of cell values (openpyxl, values only)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def function(name: str, *args, label: str | None = None) -> dict:
    call = {"op": "function", "name": name, "args": list(args)}
    if label:
        call["label"] = label
    return call


def function_calls(sheets: dict[str, list[list]]) -> list[dict]:
    """All ten worksheet functions with the arguments Excel sends: single cells, ranges, serial
    dates, blanks, errors, and CHECK_CLAIM on every line of the sample."""
    claims, auths, payers = grid(sheets["Claims"]), grid(sheets["Authorizations"]), grid(sheets["Payers"])
    providers = grid(sheets["Providers"])
    header = claims[:1]
    calls = [function("CHECK_CLAIM", [claims[1]], header, label="first CHECK_CLAIM")]
    calls += [function("CHECK_CLAIM", [row], header) for row in claims[2:]]
    calls += [function("CHECK_CLAIM", [claims[3]]),  # no header: the template's column order
              function("CHECK_CLAIM", [claims[0], claims[5]]),
              function("CHECK_CLAIM", [["C1", NA, 90834, 45]], [["Claim ID", "DOS", "CPT", "Minutes"]])]
    calls.append(function("CHECK_CLAIMS", claims, auths, payers, [[serial(AS_OF)]], providers,
                          label="CHECK_CLAIMS sample"))
    calls.append(function("CHECK_CLAIMS", claims))
    calls.append(function("CHECK_CLAIMS", [["a", "b"], [1, 2]]))
    for code in ("F41.1", "f411", "F41", "F99.9", "F41.1, F43.10", "Z00", None, NA, 12.5):
        calls.append(function("CHECK_DX", [[code]]))
    for npi in (1234567893, "1234567893", "1234567890", "12345", None):
        calls.append(function("CHECK_NPI", [[npi]]))
    for args in ([[45]],), ([[53]],), ([["30 min"]],), ([[45]], [["with E/M"]]), ([[60]], [["crisis"]]), ([[10]],), ([["abc"]],):
        calls.append(function("CPT_FOR_MINUTES", *args))
    dos = serial(dt.date(2026, 1, 5))
    for name in ("FILING_DEADLINE", "APPEAL_DEADLINE"):
        calls += [function(name, [[dos]], [["Unknown Payer"]]),
                  function(name, [[dos]], [[payers[1][0]]], payers),
                  function(name, [["01/05/2026"]], [[str(payers[2][0]).lower()]], payers),
                  function(name, [["soon"]], [["X"]]),
                  function(name, [[NA]], [["X"]])]
    for code in ("CO-197", 50, "PR-1", "CO-16 N290", "XX-999", None):
        calls.append(function("DENIAL_REASON", [[code]]))
    numbers = sorted({r[sheets["Authorizations"][0].index("Auth Number")] for r in sheets["Authorizations"][1:]})
    for number in list(numbers) + ["NOPE-1"]:
        for name in ("AUTH_USED", "AUTH_REMAINING"):
            calls.append(function(name, [[number]], claims, auths, [[serial(AS_OF)]]))
    return calls


def script_calls(sheets: dict[str, list[list]], generated: dict[str, list[list]]) -> list[dict]:
    """The four Lite scripts on books built from the sample (and a generated workbook)."""
    claim_rows = sheets["Claims"]
    denied = next(i + 1 for i, r in enumerate(claim_rows) if i and r[0] == "C1207")
    sample = {k: sheets[k] for k in ("Claims", "Authorizations", "Payers", "Providers")}
    return [
        {"op": "script", "name": "validate_claims", "book": book_json(sample)},
        {"op": "script", "name": "flag_authorizations", "book": book_json(sample)},
        {"op": "script", "name": "generate_appeals", "book": book_json(sample, selection=f"A{denied}")},
        {"op": "script", "name": "generate_appeals", "book": book_json(sample, selection="A1")},
        {"op": "script", "name": "new_claims_workbook", "book": book_json({"Sheet1": [["x"]]})},
        {"op": "script", "name": "validate_claims", "book": book_json({"Sheet1": [["x"]]})},
        {"op": "script", "name": "validate_claims", "book": book_json(generated), "label": "validate_claims generated"},
        {"op": "script", "name": "flag_authorizations", "book": book_json(generated)},
    ] + post_era_calls()


def post_era_calls() -> list[dict]:
    """Post ERA on Claims lines the invented 835 fixtures pay, with the 835 text pasted into
    ERA Inbox one line per row (as Excel pastes it): paid and partly paid remittances, a typed
    value that differs, and a file cut short (refused, nothing posted)."""
    from helpers import CLAIM_HEADERS, as_row, line

    era = ROOT / "tests" / "fixtures" / "era"
    lines = [line(Claim_ID="CC-1001", CPT="90834", DOS=dt.date(2026, 11, 10), Status="Submitted"),
             line(Claim_ID="CC-1003", CPT="90791", DOS=dt.date(2026, 11, 12)),
             line(Claim_ID="CC-1003", CPT="90785", DOS=dt.date(2026, 11, 12), **{"Paid Amount": 5})]
    claims = [list(CLAIM_HEADERS)] + [as_row(x) for x in lines]

    def pasted(*names):
        return [[segment] for name in names for segment in (era / name).read_text().splitlines()]

    return [
        {"op": "script", "name": "post_era", "label": "post_era paid",
         "book": book_json({"Claims": claims, "ERA Inbox": pasted("paid.835", "partly_paid.835")})},
        {"op": "script", "name": "post_era", "label": "post_era truncated",
         "book": book_json({"Claims": claims, "ERA Inbox": pasted("truncated.835")})},
    ]


def rule_case_calls() -> list[dict]:
    """CHECK_CLAIMS and the engine itself on every rule fixture of tests/rule_cases.py (lines
    that must and must not raise each rule), one table per case, then all their lines in one
    table."""
    from helpers import CLAIM_HEADERS, PAYER_HEADERS, PAYERS, PROVIDER_HEADERS, PROVIDERS, as_row
    from rule_cases import CASES

    payers, providers = grid([PAYER_HEADERS] + PAYERS), grid([PROVIDER_HEADERS] + PROVIDERS)
    as_of = [[serial(AS_OF)]]

    def table(lines):
        return grid([list(CLAIM_HEADERS)] + [as_row(x) for x in lines])

    tables = [table(c["lines"]) for c in CASES]
    tables.append(table([x for c in CASES for x in c["lines"]]))
    calls = [function("CHECK_CLAIMS", t, None, payers, as_of, providers) for t in tables]
    calls += [{"op": "check_tables", "tables": {"Claims": t, "Payers": payers, "Providers": providers},
               "as_of": AS_OF.isoformat()} for t in tables]
    return calls


def generated_workbook(lines: int, folder: Path) -> Path:
    from benchmarks.generate import generate

    return generate(lines, path=folder / f"claims-{lines}.xlsx")


# ------------------------------------------------------------------------------- running


def data_files(names: dict[str, Path]) -> dict[str, str]:
    files = {f"{PYODIDE_ROOT}/{rel}": str(ROOT / rel) for rel in REPO_FILES}
    files.update({f"{PYODIDE_DATA}/{name}": str(path) for name, path in names.items()})
    return files


def run_pyodide(calls: list[dict], data: dict[str, Path], manifest: Path | None = None, timeout: float = 900) -> dict:
    """Run ``calls`` in Pyodide under Node; ``data`` maps a name in the driver's data folder to
    a file here.  Prepares the runtime first (reusing its cache) unless ``manifest`` is given."""
    manifest = manifest or prepare.prepare()
    node = json.loads(manifest.read_text())["node"]
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job.json"
        job.write_text(json.dumps({"files": data_files(data), "driver": f"{PYODIDE_ROOT}/tests/pyodide/driver.py",
                                   "calls": calls}))
        # Output to files, not pipes: Node writes to a pipe asynchronously and drops what is
        # pending when the process exits, which cut the Python traceback of a failed run.
        out_path, err_path = Path(tmp) / "stdout.txt", Path(tmp) / "stderr.txt"
        with open(out_path, "w") as out, open(err_path, "w") as err:
            code = subprocess.run([node, str(HERE / "run.mjs"), str(manifest), str(job)], stdout=out, stderr=err,
                                  timeout=timeout, env=dict(os.environ, TZ="UTC")).returncode
        done = subprocess.CompletedProcess([], code, out_path.read_text(errors="replace"), err_path.read_text(errors="replace"))
    line = next((ln for ln in reversed(done.stdout.splitlines()) if ln.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        lines = [ln if len(ln) < 400 else ln[:200] + " ..." for ln in (done.stderr or done.stdout).strip().splitlines()
                 if not ln.lstrip().startswith("at ")]  # minified JS and JS stack frames say nothing here
        tail = "\n".join(lines[-30:])
        raise TierError(f"Pyodide run failed (exit {done.returncode}):\n{tail}")
    return json.loads(line[len("RESULT "):])


def run_cpython(calls: list[dict], data: dict[str, Path]) -> dict:
    """The same calls in this process (data files are read where they are)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in data.items():
            (Path(tmp) / name).symlink_to(Path(path).resolve())
        return asyncio.run(driver.run(calls, tmp))


__all__ = ["AS_OF", "TierError", "as_excel_sends", "book_json", "function_calls", "generated_workbook", "run_cpython",
           "run_pyodide", "sample_sheets", "script_calls", "workbook_sheets"]
