"""Runs a list of calls and returns each result as JSON text; the same code runs in Pyodide
(through run.mjs) and in CPython (in the test process), so the two answers can be compared
byte for byte.

A call is a dict:
- ``{"op": "import_udfs"}``: import the worksheet functions as xlwings Lite registers them;
- ``{"op": "function", "name": "CHECK_DX", "args": [[["F41.1"]]]}``: a worksheet function
  called through xlwings' Office.js dispatch (``custom_functions_call``);
- ``{"op": "check_workbook", "path": "sample-billing.xlsx", "as_of": "2026-06-30"}``: the
  engine on a workbook in ``data_dir``, as ``claimcheck check --format json`` prints it;
- ``{"op": "check_tables", "tables": {"Claims": [[...], ...]}, "as_of": "2026-06-30"}``: the
  engine on tables given as rows (what the worksheet functions build from ranges);
- ``{"op": "script", "name": "validate_claims", "book": {...}}``: a script of the Lite
  ``main.py`` run through ``custom_scripts_call`` on a book built from Office.js JSON; the
  result is the list of actions Excel would apply.

Every call may carry a ``label`` for its timing.  ``tests/udfs_env.py`` must be importable
(it sets xlwings' server switches before xlwings is imported).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


async def _one(call: dict, state: dict, data_dir: Path) -> str:
    import udfs_env  # noqa: F401  (sets XLWINGS_ON_SERVER before xlwings is imported)
    from udfs_env import body, lite_main, office_module, server, xw

    op = call["op"]
    if op == "import_udfs":
        from claimcheck.udfs.registry import EXCEL_FUNCTIONS

        state["functions"] = office_module()
        return _dumps([spec.name for spec in EXCEL_FUNCTIONS])
    if op == "function":
        module = state.get("functions") or state.setdefault("functions", office_module())
        try:
            value = await server.custom_functions_call(body(call["name"], *call["args"]), module)
        except Exception as exc:  # Excel would show #VALUE!; keep the kind to compare
            return _dumps({"exception": type(exc).__name__, "text": str(exc)})
        return _dumps(value)
    if op == "check_workbook":
        from claimcheck import report
        from claimcheck.api import check_workbook

        result = check_workbook(data_dir / call["path"], dt.date.fromisoformat(call["as_of"]))
        return report.to_json(result)
    if op == "check_tables":
        from claimcheck import report
        from claimcheck.api import check_raw
        from claimcheck.reader import rows_to_table

        raw = {name: rows_to_table(name, name, [tuple(r) for r in rows]) for name, rows in call["tables"].items()}
        try:
            result = check_raw(raw, dt.date.fromisoformat(call["as_of"]))
        except Exception as exc:  # where it failed, to find a runtime's fault quickly
            import traceback

            frame = traceback.extract_tb(exc.__traceback__)[-1]
            return _dumps({"exception": type(exc).__name__, "text": str(exc),
                           "at": f"{Path(frame.filename).name}:{frame.lineno}"})
        return report.to_json(result)
    if op == "read_835":  # the remittance reader (pyx12 underneath) on one file's text
        import dataclasses
        from decimal import Decimal

        from claimcheck.era import EraProblem, read_835

        def plain(value):
            if dataclasses.is_dataclass(value):
                return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
            if isinstance(value, (tuple, list)):
                return [plain(v) for v in value]
            if isinstance(value, (Decimal, dt.date)):
                return str(value)
            return value

        try:
            return _dumps(plain(read_835(call["text"])))
        except EraProblem as exc:
            return _dumps({"EraProblem": str(exc)})
    if op == "check_claim_rounds":
        # CHECK_CLAIM's own time against the dispatch, in interleaved rounds (benchmarks): each
        # round calls the function directly on each row, then through xlwings' Office.js dispatch;
        # with "forget" (a first calculation) nothing is kept before either.
        from claimcheck.udfs import core

        module = state.get("functions") or state.setdefault("functions", office_module())
        header, rows, rounds, forget = call["header"], call["rows"], [], call.get("forget", True)
        for _ in range(call["rounds"]):
            # new objects for every call, and a one-row range as a flat list, as the dispatch
            # hands them over
            fresh = json.loads(json.dumps([[row, header[0]] for row in rows]))
            if forget:
                core.forget()
            start = time.perf_counter()
            for line, heading in fresh:
                core.check_claim(line, heading)
            own = time.perf_counter() - start
            if forget:
                core.forget()
            start = time.perf_counter()
            for row in rows:
                await server.custom_functions_call(body("CHECK_CLAIM", [row], header), module)
            rounds.append([own, time.perf_counter() - start])
        return _dumps(rounds)
    if op == "script":
        module = state.get("lite") or state.setdefault("lite", lite_main())
        book = xw.Book(json=call["book"])
        await server.custom_scripts_call(module, call["name"], typehint_to_value={xw.Book: book})
        return _dumps(book.json())
    raise ValueError(f"unknown op {op!r}")


def _cpu_clock():
    """Seconds of CPU the process has used: Node's own count in Pyodide (where Python's
    process_time is the wall clock), else Python's.  Other programs on a busy machine stretch
    the wall clock, not this."""
    if sys.platform == "emscripten":
        import js

        def node_cpu() -> float:
            usage = js.process.cpuUsage()
            return (usage.user + usage.system) / 1e6

        return node_cpu
    return time.process_time


async def run(calls: list[dict], data_dir: str | os.PathLike = "/data") -> dict:
    """Each call's JSON text, wall and CPU seconds taken, and facts about the runtime."""
    import numpy as np

    cpu = _cpu_clock()
    state: dict = {}
    results, seconds = [], []
    for call in calls:
        start, start_cpu = time.perf_counter(), cpu()
        results.append(await _one(call, state, Path(data_dir)))
        seconds.append((time.perf_counter() - start, cpu() - start_cpu))
    return {
        "results": results,
        "timings": {"calls": [[c.get("label") or c["op"], wall, busy] for c, (wall, busy) in zip(calls, seconds)]},
        "runtime": {"platform": sys.platform, "python": sys.version.split()[0],
                    "intp_bits": np.dtype(np.intp).itemsize * 8, "numpy": np.__version__,
                    "pandas": __import__("pandas").__version__},
    }
