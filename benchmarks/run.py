"""claimcheck benchmarks: everything side by side in one run, printed as Markdown.

    python benchmarks/run.py                      # 1k, 10k, 20k, 100k lines
    python benchmarks/run.py --sizes 1000 --repeat 1 --cold-runs 3 --quick   # a smoke run
    python benchmarks/run.py --markdown           # and write the table to docs/performance.md

Measures

1. end to end: ``claimcheck check`` (a subprocess, the real command, with ``--engine openpyxl``
   and with the default engine - python-calamine when installed) against the I/O floor, an
   openpyxl read-only scan of every cell of the same file (also a subprocess);
2. the engine alone: the Book built once, ``run_rules`` timed (DataFrame in, findings out);
3. cold start: ``claimcheck check`` on a 10-line workbook, and what the ICD-10-CM index costs;
4. the worksheet functions through xlwings' Office.js dispatch (CHECK_CLAIM per call, its own
   time against the dispatch's in interleaved rounds, on fresh copies of the rows as the dispatch
   hands them; CHECK_CLAIMS over 10k lines);
5. peak memory (max RSS of the ``claimcheck check`` subprocess);
6. problem-dense workbooks (issue 20; ``--dense-sizes``, about 1.4 findings per line, and 1 and
   5 per line variants, :data:`benchmarks.generate.DENSE`): ``claimcheck check`` in json, csv and text
   against python-calamine reading every cell of the same file, each a subprocess that reports
   its own peak memory (VmHWM); the fixed start-up (``claimcheck check`` on the 10-line
   workbook) measured beside them; ``check --output`` against openpyxl loading the same
   workbook, writing the same cells (the Check column and every column of the Findings sheet,
   with their fills and links) and saving it.  Each run's outputs are checked against each other (the same findings in
   json, csv, text and the Findings sheet).

Wall-clock times on a shared machine swing with the other processes' load, so every figure is
the median of ``--repeat`` runs and CPU time (user + system of the process) is reported next
to it: CPU time is what the code costs, wall time is what the biller waits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import AS_OF, DENSE, DENSE1, DENSE5, OUT, generate  # noqa: E402

FLOOR = """
import sys, warnings
from openpyxl import load_workbook
warnings.simplefilter("ignore")
wb = load_workbook(sys.argv[1], read_only=True, data_only=True, keep_links=False)
n = 0
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        n += len(row)
wb.close()
print(n)
"""

#: A child's own peak memory (VmHWM, kB) on its last stderr line, written as it exits.  Not
#: ru_maxrss: Linux carries that over from the parent through exec.
PEAK = """
import atexit, sys
def _peak():
    try:
        kb = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))
    except (OSError, StopIteration):
        import resource
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f'\\npeak-kb {kb}\\n')
atexit.register(_peak)
"""

#: The reading floor for problem-dense workbooks: python-calamine turning every cell of every
#: sheet into a Python value (what claimcheck's default reader starts from).
CALAMINE = PEAK + """
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
n = 0
for name in wb.sheet_names:
    for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False):
        n += len(row)
print(n)
"""

#: ``claimcheck check`` as the console script runs it, reporting its peak memory.
CHECK = PEAK + """
from claimcheck.cli import main
main(sys.argv[1:])
"""

#: The reference for ``check --output``: openpyxl loads the workbook as the checked copy does,
#: writes the same cells - the Check column's texts (wrapped, filled by severity) and the Findings
#: sheet's rows, every column, with the Severity fill and the Cell link - from a JSON file of them
#: made beforehand by :func:`reference_cells`, and saves.  What the checked copy does besides
#: (the cells findings name coloured, its hidden marks, row heights, print set-up, the
#: Authorizations usage, each cell's look) is claimcheck's own cost.
OPENPYXL_WRITE = PEAK + """
import datetime as dt, json, warnings
from openpyxl import load_workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
warnings.simplefilter("ignore")
cells = json.load(open(sys.argv[2], encoding="utf-8"))
wb = load_workbook(sys.argv[1], keep_links=True, rich_text=True)
ws = wb["Claims"]
col = ws.max_column + 1
fill = {s: PatternFill("solid", start_color=c, end_color=c)
        for s, c in (("error", "FFF4C7CE"), ("warning", "FFFFEB9C"), ("info", "FFDDEBF7"), ("ok", "FFC6EFCE"))}
wrap = Alignment(wrap_text=True, vertical="top")
ws.cell(row=cells["header_row"], column=col, value="Check")
for r, text, severity in cells["check"]:
    cell = ws.cell(row=r, column=col, value=text)
    cell.fill, cell.alignment = fill[severity], wrap
fs = wb.create_sheet("Findings")
headers = cells["headers"]
fs.append(headers)
dos, severity, link = headers.index("DOS"), headers.index("Severity"), headers.index("Cell")
for r, values in enumerate(cells["findings"], start=2):
    if values[dos]:
        values[dos] = dt.date.fromisoformat(values[dos])
    fs.append(values)
    fs.cell(row=r, column=severity + 1).fill = fill[values[severity]]
    if values[link]:
        c = fs.cell(row=r, column=link + 1)
        sheet, _, ref = values[link].rpartition("!")
        c.hyperlink = Hyperlink(ref=c.coordinate, display=values[link], location="'" + sheet + "'!" + ref)
wb.save(sys.argv[3])
"""


def reference_cells(path: Path, out: Path) -> None:
    """The cells ``check --output`` writes for ``path`` (the Check column's texts and severities,
    the Findings sheet's rows), worked out with claimcheck's own functions and written to ``out``
    as JSON for :data:`OPENPYXL_WRITE`."""
    from python_calamine import CalamineWorkbook

    from claimcheck.api import check_workbook
    from claimcheck.findings_sheet import findings_rows
    from claimcheck.writer import check_text, findings_by_row, worst

    result = check_workbook(path, AS_OF)
    book = result.book
    workbook = CalamineWorkbook.from_path(str(path))
    header = workbook.get_sheet_by_name(book.claims_sheet).to_python(skip_empty_area=False,
                                                                      nrows=book.header_row)[book.header_row - 1]
    workbook.close()
    per_row = findings_by_row(result)
    check = [[int(r), check_text(per_row.get(int(r), [])), worst(per_row.get(int(r), []))] for r in book.claims["row"]]
    rows = findings_rows(result, {}, header)
    dos = rows[0].index("DOS")
    for values in rows[1:]:
        if values[dos] is not None:
            values[dos] = values[dos].isoformat()
    out.write_text(json.dumps({"header_row": book.header_row, "check": check, "headers": rows[0], "findings": rows[1:]}),
                   encoding="utf-8")


# --------------------------------------------------------------------------- measuring


def claimcheck_cmd() -> list[str]:
    import shutil

    exe = shutil.which("claimcheck")
    return [exe] if exe else [sys.executable, "-c", "from claimcheck.cli import main; main()"]


def run_child(cmd: list[str], env: dict | None = None) -> dict:
    """Run a subprocess; wall seconds, CPU seconds (user+sys) and peak RSS (MB) of the child."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {err.strip()[-500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}


def run_measured(cmd: list[str], stdout=None) -> dict:
    """Run a child that reports its own peak memory (:data:`PEAK`): wall seconds, CPU seconds
    (user+sys) and peak memory (MB).  ``stdout``: a file for its output (default: discarded)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    lines = err.rstrip().splitlines()
    if code not in (0, 1) or not lines or not lines[-1].startswith("peak-kb "):
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {err.strip()[-500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": int(lines[-1].split()[1]) / 1024}


def median_measured(cmd: list[str], repeat: int) -> dict:
    runs = [run_measured(cmd) for _ in range(repeat)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]} | {"n": repeat}


def median_runs(cmd: list[str], repeat: int, env: dict | None = None) -> dict:
    runs = [run_child(cmd, env) for _ in range(repeat)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]} | {"n": repeat}


def timed(func, repeat: int, setup=None) -> dict:
    """Median wall and CPU seconds of ``func(setup())`` (setup not timed)."""
    walls, cpus = [], []
    for _ in range(repeat):
        arg = setup() if setup else None
        w, c = time.perf_counter(), time.process_time()
        func(arg)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "n": repeat}


def fmt(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


# --------------------------------------------------------------------------- the machine


def cpu_model(default: str = "unknown") -> str:
    """The processor's model name as Linux gives it (/proc/cpuinfo), else ``default``."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return default


def machine() -> dict:
    cpu = cpu_model()
    ram = "unknown"
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        pass
    import pandas

    try:
        import python_calamine

        calamine = getattr(python_calamine, "__version__", None) or _dist_version("python-calamine")
    except ImportError:
        calamine = "not installed"
    import numpy

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "openpyxl": _dist_version("openpyxl"),
        "python-calamine": calamine,
        "xlwings": _dist_version("xlwings"),
        # pandas stores text in pyarrow when it is installed (a dask or other extra brings it;
        # a plain install has none): say which storage the figures were measured with
        "strings": ("pyarrow " + _dist_version("pyarrow")) if importlib.util.find_spec("pyarrow") else "Python objects",
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


# --------------------------------------------------------------------------- the measures


def end_to_end(sizes: list[int], repeat: int, large_repeat: int) -> list[dict]:
    out = []
    base = claimcheck_cmd()
    for n in sizes:
        path = generate(n)
        r = large_repeat if n >= 100_000 else repeat
        args = [str(path), "--as-of", AS_OF.isoformat(), "--format", "json"]
        floor = median_runs([sys.executable, "-c", FLOOR, str(path)], r)
        openpyxl = median_runs(base + ["check", *args, "--engine", "openpyxl"], r)
        auto = median_runs(base + ["check", *args], r)
        out.append({"lines": n, "floor": floor, "openpyxl": openpyxl, "auto": auto})
        print(f"  e2e {n:,}: floor {fmt(floor['wall'])}, openpyxl {fmt(openpyxl['wall'])}, default {fmt(auto['wall'])}",
              file=sys.stderr, flush=True)
    return out


def interleaved(cmds: dict[str, list[str]], repeat: int, keep: dict[str, Path] | None = None) -> dict[str, dict]:
    """Each command run ``repeat`` times in interleaved rounds (a drift in the machine's speed
    touches every command alike): the medians of :func:`run_measured` per command.  ``keep``:
    where to write a command's output of the first round."""
    runs: dict[str, list[dict]] = {name: [] for name in cmds}
    for k in range(repeat):
        for name, cmd in cmds.items():
            target = (keep or {}).get(name) if k == 0 else None
            if target is not None:
                with open(target, "wb") as out:
                    runs[name].append(run_measured(cmd, stdout=out))
            else:
                runs[name].append(run_measured(cmd))
    return {name: {key: statistics.median(r[key] for r in rs) for key in rs[0]} | {"n": repeat}
            for name, rs in runs.items()}


def outputs_agree(json_path: Path, csv_path: Path, text_path: Path, checked_copy: Path) -> int:
    """The same findings in the json, csv and text reports and on the checked copy's Findings
    sheet (raises otherwise); returns how many."""
    import csv

    report = json.loads(json_path.read_text(encoding="utf-8"))
    found = [(f["sheet"], f["row"], f["code"], f["column"]) for f in report["findings"]]
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    in_csv = [(r["sheet"].lstrip("'"), int(r["row"]) if r["row"] else None, r["code"], r["column"].lstrip("'")) for r in rows]
    if in_csv != found:
        raise RuntimeError(f"{csv_path}: the csv report's findings differ from the json report's")
    s = report["summary"]
    headline = (f"{s['lines']} service lines checked: {s['errors']} errors, {s['warnings']} warnings, "
                f"{s['info']} notes")
    if headline not in text_path.read_text(encoding="utf-8"):
        raise RuntimeError(f"{text_path}: the text report's counts differ from the json report's ({headline})")
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(checked_copy)).get_sheet_by_name("Findings").to_python()
    at = {h: i for i, h in enumerate(sheet[0])}  # the Findings sheet's own headers
    on_sheet = [(r[at["Sheet"]], int(r[at["Row"]]) if r[at["Row"]] != "" else None, r[at["Code"]],
                 r[at["Column"]] or "") for r in sheet[1:]]
    if on_sheet != found:
        raise RuntimeError(f"{checked_copy}: the Findings sheet differs from the json report")
    return len(found)


def same_cells(checked_copy: Path, reference: Path) -> None:
    """The openpyxl reference wrote what the checked copy holds: the same Findings sheet and the
    same Check column (raises otherwise)."""
    from python_calamine import CalamineWorkbook

    ours, theirs = CalamineWorkbook.from_path(str(checked_copy)), CalamineWorkbook.from_path(str(reference))
    if ours.get_sheet_by_name("Findings").to_python() != theirs.get_sheet_by_name("Findings").to_python():
        raise RuntimeError(f"{reference}: the reference's Findings sheet differs from the checked copy's")
    check = [[r[-1] for r in wb.get_sheet_by_name("Claims").to_python()] for wb in (ours, theirs)]
    ours.close()
    theirs.close()
    if check[0] != check[1]:
        raise RuntimeError(f"{reference}: the reference's Check column differs from the checked copy's")


def dense(sizes: list[int], repeat: int, large_repeat: int, work: Path, output_sizes: list[int] | None = None) -> dict:
    """Problem-dense workbooks: claimcheck check against python-calamine reading the same file
    (measure 6), side by side in interleaved rounds."""
    py = sys.executable
    as_of = ["--as-of", AS_OF.isoformat()]
    work.mkdir(parents=True, exist_ok=True)
    small = generate(10)
    startup = interleaved({"check": [py, "-c", CHECK, "check", str(small), *as_of, "--format", "json"]}, max(repeat, 3))["check"]
    out = {"startup": startup, "sizes": []}
    for n in sizes:
        r = large_repeat if n >= 100_000 else repeat
        path, path1, path5 = generate(n, problems=DENSE), generate(n, problems=DENSE1), generate(n, problems=DENSE5)
        check = [py, "-c", CHECK, "check", str(path), *as_of, "--format"]
        report, copy = work / f"dense-{n}.json", work / f"dense-{n}-checked.xlsx"
        keep = {"json": report, "csv": work / f"dense-{n}.csv", "text": work / f"dense-{n}.txt",
                "json1": work / f"dense1-{n}.json", "json5": work / f"dense5-{n}.json"}
        m = interleaved({
            "calamine": [py, "-c", CALAMINE, str(path)],
            "json": check + ["json"], "csv": check + ["csv"], "text": check + ["text"],
            "json1": [py, "-c", CHECK, "check", str(path1), *as_of, "--format", "json"],
            "calamine5": [py, "-c", CALAMINE, str(path5)],
            "json5": [py, "-c", CHECK, "check", str(path5), *as_of, "--format", "json"],
        }, r, keep)
        written = {}
        if output_sizes is None or n in output_sizes:
            cells = work / f"dense-{n}-cells.json"
            reference_cells(path, cells)
            written = interleaved({
                "output": check + ["json", "--output", str(copy)],
                "openpyxl": [py, "-c", OPENPYXL_WRITE, str(path), str(cells), str(work / f"dense-{n}-openpyxl.xlsx")],
            }, r)
            findings = outputs_agree(report, keep["csv"], keep["text"], copy)
            same_cells(copy, work / f"dense-{n}-openpyxl.xlsx")
        else:
            findings = len(json.loads(report.read_text(encoding="utf-8"))["findings"])
        findings1, findings5 = (len(json.loads(keep[k].read_text(encoding="utf-8"))["findings"]) for k in ("json1", "json5"))
        out["sizes"].append({"lines": n, "findings": findings, "findings1": findings1, "findings5": findings5, **m,
                             **written})
        print(f"  dense {n:,}: calamine {fmt(m['calamine']['wall'])}, json {fmt(m['json']['wall'])}, "
              f"csv {fmt(m['csv']['wall'])}, text {fmt(m['text']['wall'])}", file=sys.stderr, flush=True)
    return out


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def dense_rows(d: dict) -> list[str]:
    """Measure 6 as rows of the table."""
    if not d:
        return []
    lines = []
    add = lines.append
    up = d["startup"]
    add(f"| 6 | fixed start-up: `claimcheck check` on the 10-line workbook | 10 | {fmt(up['wall'])} / {fmt(up['cpu'])} | "
        f"peak {up['peak_mb']:.0f} MB | | |")
    for r in d["sizes"]:
        cal, n = r["calamine"], r["lines"]
        per = r["findings"] / n
        for f in ("json", "csv", "text"):
            c = r[f]
            net = (c["wall"] - up["wall"]) / cal["wall"]
            net_cpu = (c["cpu"] - up["cpu"]) / cal["cpu"]
            add(f"| 6 | `claimcheck check --format {f}` vs python-calamine reading every cell "
                f"({r['findings']:,} findings, {per:.2f} per line) | {n:,} | {fmt(c['wall'])} / {fmt(c['cpu'])} | "
                f"{fmt(cal['wall'])} / {fmt(cal['cpu'])} | {c['wall'] / cal['wall']:.2f}× / {c['cpu'] / cal['cpu']:.2f}×; "
                f"less the start-up {net:.2f}× / {net_cpu:.2f}× | ≤ 1.5× plus start-up: wall {_met(net <= 1.5)}, "
                f"CPU {_met(net_cpu <= 1.5)} |")
        c = r["json"]
        add(f"| 6 | peak memory (VmHWM), `claimcheck check --format json` vs the calamine read | {n:,} | "
            f"{c['peak_mb']:.0f} MB (csv {r['csv']['peak_mb']:.0f} MB, text {r['text']['peak_mb']:.0f} MB) | "
            f"{cal['peak_mb']:.0f} MB | {c['peak_mb'] / cal['peak_mb']:.2f}×; less the start-up's peak "
            f"({up['peak_mb']:.0f} MB, mostly pandas' import) {(c['peak_mb'] - up['peak_mb']) / cal['peak_mb']:.2f}× | "
            f"≤ 2×: {'met' if c['peak_mb'] <= 2 * cal['peak_mb'] else 'not met'} |")
        c5, cal5, c1 = r["json5"], r["calamine5"], r["json1"]
        per5, per1 = r["findings5"] / n, r["findings1"] / n
        add(f"| 6 | `claimcheck check --format json`, {per5:.2f} findings per line ({r['findings5']:,}) vs {per1:.2f} "
            f"({r['findings1']:,}) | {n:,} | "
            f"{fmt(c5['wall'])} / {fmt(c5['cpu'])} (calamine read {fmt(cal5['wall'])}; peak {c5['peak_mb']:.0f} MB) | "
            f"{fmt(c1['wall'])} / {fmt(c1['cpu'])} | {c5['wall'] / c1['wall']:.2f}× / {c5['cpu'] / c1['cpu']:.2f}× | "
            f"≤ 2×: wall {_met(c5['wall'] <= 2 * c1['wall'])}, CPU {_met(c5['cpu'] <= 2 * c1['cpu'])} |")
        if "output" not in r:
            continue
        o, w = r["output"], r["openpyxl"]
        add(f"| 6 | `claimcheck check --output` (checked copy) vs openpyxl loading it, writing the same cells and saving "
            f"| {n:,} | {fmt(o['wall'])} / {fmt(o['cpu'])} (peak {o['peak_mb']:.0f} MB) | {fmt(w['wall'])} / {fmt(w['cpu'])} "
            f"(peak {w['peak_mb']:.0f} MB) | {o['wall'] / w['wall']:.2f}× / {o['cpu'] / w['cpu']:.2f}× | "
            f"≤ 1.5×: wall {_met(o['wall'] <= 1.5 * w['wall'])}, CPU {_met(o['cpu'] <= 1.5 * w['cpu'])} |")
    return lines


def engine_alone(sizes: list[int], repeat: int) -> list[dict]:
    from claimcheck.api import load_book
    from claimcheck.book import build_book
    from claimcheck.engine import run_rules
    from claimcheck.reader import read_workbook
    from claimcheck.rules import load_all
    from claimcheck import icd10

    load_all()
    icd10.index()  # loaded once per process; measured under cold start
    out = []
    for n in sizes:
        raw = read_workbook(generate(n))
        book = build_book(raw)
        run_rules(book, AS_OF)  # warm the code tables and the ICD-10-CM lookups
        build = timed(lambda _: build_book(raw), repeat)
        # A fresh Book each time: a Book remembers its findings per date.
        rules = timed(lambda b: run_rules(b, AS_OF), repeat, setup=lambda: build_book(raw))
        findings = len(run_rules(build_book(raw), AS_OF))
        out.append({"lines": n, "build": build, "rules": rules, "findings": findings})
        print(f"  engine {n:,}: build {fmt(build['cpu'])} cpu, run_rules {fmt(rules['cpu'])} cpu", file=sys.stderr, flush=True)
        del raw, book
    _ = load_book
    return out


def cold_start(runs: int) -> dict:
    path = generate(10)
    cmd = claimcheck_cmd() + ["check", str(path), "--as-of", AS_OF.isoformat()]
    run_child(cmd)  # the first run may build the ICD-10-CM cache; not counted
    check = median_runs(cmd, runs)
    imports = median_runs([sys.executable, "-c", "import claimcheck.cli"], runs)
    bare = median_runs([sys.executable, "-c", "pass"], runs)
    icd = subprocess.run([sys.executable, "-c", (
        "import time; t = time.perf_counter(); from claimcheck import icd10; i = icd10.index(); "
        "import json; print(json.dumps({'seconds': time.perf_counter() - t, 'codes': len(i.billable) + len(i.headers), "
        "'cache': str(icd10._cache_path()), 'cached': icd10._cache_path().exists()}))")],
        capture_output=True, text=True, check=True)
    heavy = subprocess.run([sys.executable, "-c", (
        "import sys, subprocess; from claimcheck.cli import main\n"
        "import claimcheck.cli\n"
        "print(','.join(m for m in ('rich', 'pydantic', 'simple_icd_10_cm', 'xlsxwriter', 'openpyxl', 'pandas') if m in sys.modules))")],
        capture_output=True, text=True, check=True)
    return {"check": check, "imports": imports, "python": bare, "icd": json.loads(icd.stdout),
            "loaded_by_cli_import": heavy.stdout.strip()}


def udfs(lines: int, calls: int) -> dict | str:
    """Run in a child process: xlwings' Office.js dispatch needs its environment set before
    xlwings is imported."""
    env = dict(os.environ, XLWINGS_LICENSE_KEY=os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial"),
               XLWINGS_ON_SERVER="true")
    proc = subprocess.run([sys.executable, str(Path(__file__)), "--udf-child", str(lines), str(calls)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return f"not measured: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'failed'}"
    return json.loads(proc.stdout)


def _udf_child(lines: int, calls: int) -> None:
    import asyncio

    try:
        import xlwings as xw
        import xlwings.server as server
    except ImportError:
        raise SystemExit("xlwings is not installed (pip install 'claimcheck[excel]')")
    sys.path.insert(0, str(ROOT / "tests"))
    from udfs_env import body, office_module  # the dispatch exactly as the tests use it

    from claimcheck.udfs import core
    from claimcheck.values import date_to_serial

    from openpyxl import load_workbook

    module = office_module()
    path = generate(max(lines, 10))
    wb = load_workbook(path, read_only=True, data_only=True)

    def sheet(name, limit=None):
        rows = []
        for i, row in enumerate(wb[name].iter_rows(values_only=True)):
            if limit is not None and i > limit:
                break
            rows.append([date_to_serial(v.date()) if isinstance(v, dt.datetime) else v for v in row])
        return rows

    claims = sheet("Claims", lines)
    auths, payers, providers = sheet("Authorizations"), sheet("Payers"), sheet("Providers")
    header, row = [claims[0]], [claims[1]]
    as_of = [[date_to_serial(AS_OF)]]

    def call(name, *args):
        return asyncio.run(server.custom_functions_call(body(name, *args), module))

    def calls_of(name, args, n):
        # n calls awaited in one running event loop, as xlwings Lite awaits each call in
        # Pyodide's loop (asyncio.run per call would add ~0.1 ms of loop set-up to each)
        async def run():
            for _ in range(n):
                await server.custom_functions_call(body(name, *args), module)
        asyncio.run(run())

    call("CHECK_CLAIM", row, header)  # warm up (code tables, ICD-10-CM index)
    # First calculation: every call a different line, with the header row.  Each as the function
    # gets them through xlwings' Office.js dispatch (it unwraps a one-row range into a flat list),
    # so its own time is measured on the same.
    distinct = [[r, claims[0]] for r in claims[1:calls + 1]]


    def cold_cells(_):
        # The worst case: no cell value, and no value of the fields a rule reads, seen before.
        out = []
        for r, h in distinct:
            core.forget()
            out.append(core.check_claim(r, h, AS_OF))
        return out

    cold = timed(cold_cells, 3)
    table = timed(lambda _: call("CHECK_CLAIMS", claims, auths, payers, as_of, providers), 3)
    table_plain = timed(lambda _: core.check_claims(claims, auths, payers, AS_OF, providers), 3)
    dispatched = timed(lambda _: calls_of("CHECK_CLAIM", (row, header), calls), 3)
    result = call("CHECK_CLAIMS", claims, auths, payers, as_of, providers)
    # Outside Pyodide, xlwings' per-cell `from pyodide.ffi import JsNull` fails and is retried
    # for every cell (utils.is_jsnull); in xlwings Lite the module is loaded, so that import is a
    # dictionary hit.  Emulate the loaded module to measure the dispatch as it runs in Lite.
    import types

    ffi = types.ModuleType("pyodide.ffi")
    ffi.JsNull = type("JsNull", (), {})
    pyodide = types.ModuleType("pyodide")
    pyodide.ffi = ffi
    sys.modules.setdefault("pyodide", pyodide)
    sys.modules.setdefault("pyodide.ffi", ffi)
    table_lite = timed(lambda _: call("CHECK_CLAIMS", claims, auths, payers, as_of, providers), 3)

    # CHECK_CLAIM's own time against the dispatch, measured in interleaved rounds (the machine's
    # speed drifts by ±20% between runs; within a round the three measures see the same machine):
    # a first calculation of `calls` distinct lines, a recalculation, and the Lite dispatch.
    import gc

    def per_call(func, n, arguments=None):
        """Seconds per call of ``func(arguments)``; ``arguments`` made before the clock starts."""
        made = arguments() if arguments else None
        gc.collect()
        start = time.perf_counter()
        func(made)
        return (time.perf_counter() - start) / n

    def fresh(rows):
        # Every call through the dispatch hands the function new objects (decoded from JSON), so
        # no text's hash is known yet: CHECK_CLAIM's own time is measured on fresh copies too.
        return json.loads(json.dumps(rows))

    rounds = {"first": [], "plain": [], "lite": [], "sheet": []}

    def first_calculation(lines):
        # A workbook opened fresh: every call a different line; the per-cell reading cache starts
        # empty and fills as the lines' values repeat (codes, payers, dates).
        core.forget()
        for r, h in lines:
            core.check_claim(r, h, AS_OF)

    def recalculation(rows):  # the same line again, as the dispatch hands it over each time
        for r, h in rows:
            core.check_claim(r, h, AS_OF)

    for k in range(15):
        rounds["first"].append(per_call(first_calculation, len(distinct), lambda: fresh(distinct)))
        rounds["plain"].append(per_call(recalculation, calls, lambda: fresh([[claims[1], claims[0]]] * calls)))
        rounds["lite"].append(per_call(lambda _: calls_of("CHECK_CLAIM", (row, header), calls), calls))
        if k % 3 == 0:
            # the whole sheet calculated once
            rounds["sheet"].append(per_call(first_calculation, len(claims) - 1, lambda: fresh([[r, claims[0]] for r in claims[1:]])))
    ratios = [f / (d - p) for f, d, p in zip(rounds["first"], rounds["lite"], rounds["plain"])]
    med = {k: statistics.median(v) for k, v in rounds.items()}
    print(json.dumps({
        "check_claims_lite": table_lite["cpu"], "check_claims_lite_wall": table_lite["wall"],
        "check_claim_lite_wall": med["lite"], "check_claim_plain_wall": med["plain"],
        "check_claim_first_wall": med["first"], "check_claim_sheet_wall": med["sheet"],
        "check_claim_ratio": statistics.median(ratios), "check_claim_ratio_range": [min(ratios), max(ratios)],
        "rounds": len(ratios), "calls": calls, "lines": len(claims) - 1, "xlwings": xw.__version__,
        "check_claim_cold": cold["cpu"] / len(distinct), "check_claim_cold_wall": cold["wall"] / len(distinct),
        "check_claim_dispatch": dispatched["cpu"] / calls, "check_claim_dispatch_wall": dispatched["wall"] / calls,
        "check_claims": table["cpu"], "check_claims_wall": table["wall"], "rows_returned": len(result),
        "check_claims_plain": table_plain["cpu"], "check_claims_plain_wall": table_plain["wall"],
    }))


# --------------------------------------------------------------------------- the report


def _dispatch(udf: dict) -> float:
    """What xlwings' Office.js dispatch costs per CHECK_CLAIM call, with ``pyodide.ffi`` loaded as
    in xlwings Lite: the dispatched call minus the function's own time."""
    return udf["check_claim_lite_wall"] - udf["check_claim_plain_wall"]


def machine_text(info: dict) -> str:
    return (f"{info['nproc']} cores, {info['cpu']}, {info['ram']} RAM, {info['os']}; Python {info['python']}, "
            f"numpy {info['numpy']}, pandas {info['pandas']}, openpyxl {info['openpyxl']}, "
            f"python-calamine {info['python-calamine']}, xlwings {info['xlwings']}; pandas' text stored as "
            f"{info.get('strings', 'unknown')}; load average at start "
            f"{info['load']}")


def report(info: dict, e2e: list[dict], eng: list[dict], cold: dict, udf, argv: str, dense_run: dict | None = None) -> str:
    lines = []
    add = lines.append
    add(f"Machine: {machine_text(info)} (shared with other processes).  `{argv}`.  Medians; wall / CPU (user+sys).")
    add("")
    lines += table(e2e, eng, cold, udf, dense_run)
    return "\n".join(lines)


def table(e2e: list[dict], eng: list[dict], cold: dict, udf, dense_run: dict | None = None) -> list[str]:
    """The measures as the rows of one Markdown table."""
    lines: list[str] = []
    add = lines.append
    add("| # | measure | lines | claimcheck | reference | ratio (wall / CPU) | goal |")
    add("|---|---|---:|---|---|---|---|")
    for r in e2e:
        f, o, a = r["floor"], r["openpyxl"], r["auto"]
        goal = "≤ 1.2× (stretch < 1.0×)" if r["lines"] >= 20_000 else ""
        add(f"| 1 | `claimcheck check --engine openpyxl` vs openpyxl read-only scan | {r['lines']:,} | "
            f"{fmt(o['wall'])} / {fmt(o['cpu'])} | {fmt(f['wall'])} / {fmt(f['cpu'])} | "
            f"{o['wall'] / f['wall']:.2f}× / {o['cpu'] / f['cpu']:.2f}× | {goal} |")
        add(f"| 1 | `claimcheck check` (calamine) vs openpyxl read-only scan | {r['lines']:,} | "
            f"{fmt(a['wall'])} / {fmt(a['cpu'])} | {fmt(f['wall'])} / {fmt(f['cpu'])} | "
            f"{a['wall'] / f['wall']:.2f}× / {a['cpu'] / f['cpu']:.2f}× | {goal} |")
    base = next((r for r in eng if r["lines"] >= 10_000 and r is not eng[-1]), eng[0] if eng else None)
    for r in eng:
        per_line = r["rules"]["cpu"] / r["lines"] * 1e6
        if r["lines"] <= base["lines"]:
            scale = ""
        else:
            scale = (f"; {r['lines'] / base['lines']:.0f}× the lines cost "
                     f"{r['rules']['cpu'] / base['rules']['cpu']:.1f}× the time")
        goal = "≤ 1 s at 100k, linear" if r["lines"] >= 10_000 else ""
        add(f"| 2 | `run_rules` (Book built once; {r['findings']:,} findings) | {r['lines']:,} | "
            f"{fmt(r['rules']['wall'])} / {fmt(r['rules']['cpu'])} | building the Book: {fmt(r['build']['cpu'])} CPU | "
            f"{per_line:.1f} µs/line{scale} | {goal} |")
    c = cold or {}
    if cold:
        add(f"| 3 | cold start: `claimcheck check` (median of {c['check']['n']}) | 10 | "
            f"{fmt(c['check']['wall'])} / {fmt(c['check']['cpu'])} | `import claimcheck.cli` {fmt(c['imports']['wall'])}; "
            f"bare python {fmt(c['python']['wall'])} | | ≤ 1.5 s |")
        icd = c["icd"]
        add(f"| 3 | ICD-10-CM index from its cache ({icd['codes']:,} codes; cache {'present' if icd['cached'] else 'MISSING'}) | | "
            f"{fmt(icd['seconds'])} | (parsing simple-icd-10-cm: ~3 s) | | not parsed per start |")
    if isinstance(udf, dict):
        ratio, (low, high) = udf["check_claim_ratio"], udf["check_claim_ratio_range"]
        add(f"| 4 | CHECK_CLAIM, the function's own time per call, first calculation ({udf['calls']} distinct lines "
            f"of one sheet, nothing kept before) | 1 | {fmt(udf['check_claim_first_wall'])} | xlwings' Office.js dispatch "
            f"in CPython, Lite's `pyodide.ffi` emulated, calls awaited in one event loop: {fmt(_dispatch(udf))} per call | "
            f"{100 * ratio:.1f}% of that dispatch (median of {udf['rounds']} interleaved rounds; {100 * low:.1f}–{100 * high:.1f}%) | "
            f"≤ 15% of the dispatch, measured in Pyodide (below) |")
        add(f"| 4 | CHECK_CLAIM, first calculation of a whole sheet (each of the {udf['lines']:,} lines once) | 1 | "
            f"{fmt(udf['check_claim_sheet_wall'])} per line | | {100 * udf['check_claim_sheet_wall'] / _dispatch(udf):.1f}% | |")
        add(f"| 4 | CHECK_CLAIM, the function's own time per call, recalculation (same line) | 1 | {fmt(udf['check_claim_plain_wall'])} | "
            f"each call as in a workbook opened afresh (nothing kept): {fmt(udf['check_claim_cold_wall'])}; through xlwings {udf['xlwings']} "
            f"Office.js dispatch without Pyodide: {fmt(udf['check_claim_dispatch_wall'])} | "
            f"{100 * udf['check_claim_plain_wall'] / _dispatch(udf):.1f}% | |")
        add(f"| 4 | CHECK_CLAIMS, the function's own time | {udf['lines']:,} | {fmt(udf['check_claims_plain_wall'])} / "
            f"{fmt(udf['check_claims_plain'])} | through the dispatch (xlwings' argument conversion included): "
            f"{fmt(udf['check_claims_wall'])} / {fmt(udf['check_claims'])} | | |")
        if "check_claims_lite" in udf:
            add(f"| 4 | the same through the dispatch with Pyodide's `pyodide.ffi` loaded, as in xlwings Lite "
                f"| {udf['lines']:,} | CHECK_CLAIMS {fmt(udf['check_claims_lite_wall'])} / {fmt(udf['check_claims_lite'])}; "
                f"CHECK_CLAIM per call {fmt(udf['check_claim_lite_wall'])} | | | |")
    else:
        add(f"| 4 | worksheet functions | | {udf} | | | |")
    for r in e2e:
        if r is e2e[-1]:
            add(f"| 5 | peak memory (max RSS), `claimcheck check` | {r['lines']:,} | default engine "
                f"{r['auto']['rss_mb']:.0f} MB; --engine openpyxl {r['openpyxl']['rss_mb']:.0f} MB | "
                f"openpyxl scan {r['floor']['rss_mb']:.0f} MB | | |")
    lines += dense_rows(dense_run or {})
    add("")
    if cold:
        add(f"Modules loaded by `import claimcheck.cli`: {c['loaded_by_cli_import'] or 'none of rich, pydantic, simple_icd_10_cm, xlsxwriter, openpyxl, pandas'}.")
    return lines


#: docs/performance.md: written whole by ``--markdown`` except the Pyodide section between these
#: marks, which ``benchmarks/pyodide.py`` fills and a rewrite keeps as it is.
PYODIDE_START = "<!-- pyodide timings: start -->"
PYODIDE_END = "<!-- pyodide timings: end -->"
PYODIDE_NONE = "Not measured yet: `python benchmarks/pyodide.py` writes its timings here."


#: Which rows of the table each part (``--parts``) writes.
PART_ROWS = {"e2e": ("1", "5"), "engine": ("2",), "cold": ("3",), "udf": ("4",), "dense": ("6",)}


def kept_rows(previous: str, parts: set[str]) -> tuple[list[str], list[str]]:
    """The rows of ``previous``'s table for the measures a run with only ``parts`` leaves out
    (kept as they were), and those measures' numbers."""
    numbers = sorted({n for part, ns in PART_ROWS.items() if part not in parts for n in ns})
    rows = [line for line in previous.splitlines() if any(line.startswith(f"| {n} |") for n in numbers)]
    return rows, [n for n in numbers if any(r.startswith(f"| {n} |") for r in rows)]


def performance_doc(info: dict, e2e: list[dict], eng: list[dict], cold: dict, udf, argv: str,
                    previous: str = "", dense_run: dict | None = None, parts: set[str] | None = None) -> str:
    """docs/performance.md: the machine, the table, and the Pyodide section of ``previous`` (the
    file as it was) kept as it is; with ``parts``, the rows of the measures left out are kept
    from ``previous`` too (and said to be)."""
    rows = table(e2e, eng, cold, udf, dense_run)
    note = []
    if parts is not None:
        old, numbers = kept_rows(previous, parts)
        if old:
            body = [r for r in rows if r.startswith("| ") and not r.startswith("| # |") and not r.startswith("|---")]
            if udf == "skipped" or "udf" not in parts:
                body = [r for r in body if not r.startswith("| 4 |")]
            rest = [r for r in rows if not r.startswith("|")]
            if "cold" not in parts:
                rest += [line for line in previous.splitlines() if line.startswith("Modules loaded by")]
            rows = rows[:2] + sorted(old + body, key=lambda r: int(r.split("|")[1])) + rest
            note = ["", f"Rows {', '.join(numbers)} are kept from an earlier run of this page (this run measured "
                        f"only {', '.join(sorted(parts))}); the machine line describes this run.", ""]
    pyodide = PYODIDE_NONE
    if PYODIDE_START in previous and PYODIDE_END in previous:
        pyodide = previous.split(PYODIDE_START, 1)[1].split(PYODIDE_END, 1)[0].strip() or PYODIDE_NONE
    out = [
        "# Performance",
        "",
        f"Written by `{argv}`; run it again to refresh this page (do not edit the table by hand).  "
        "Every figure is the median of several runs: wall time (what the biller waits) / CPU time "
        "(user + system, what the code costs).  `benchmarks/run.py` says how each is measured.",
        "",
        "## Machine",
        "",
        machine_text(info) + " (shared with other processes).",
        "",
        "## Measures",
        "",
        *rows,
        *note,
        "",
        "Measure 6 (issue 20) runs on problem-dense workbooks (`benchmarks/generate.py --problems=1.8`, "
        "about 1.4 findings per line; `--problems=1.2`, about 1; `--problems=12`, about 5): every command "
        "is a child process that reports its own peak memory (VmHWM), run in interleaved rounds. Goals: "
        "`claimcheck check` within 1.5× the python-calamine read plus the fixed start-up, in json, csv and "
        "text; peak memory within 2× the read's; 5 findings per line within 2× the cost of 1; "
        "`check --output` within 1.5× of openpyxl writing the same cells. The json, csv and text reports "
        "and the checked copy's Findings sheet are checked to hold the same findings in every run. "
        "`claimcheck check` has python-calamine parse the workbook in a background thread while it loads "
        "pandas and the rules (the parse releases the GIL), so its wall time can be below its CPU time; "
        "the calamine read and the start-up (a 10-line workbook, whose parse is too short to overlap "
        "anything) run in one thread.",
        "",
        "## Pyodide (xlwings Lite)",
        "",
        PYODIDE_START,
        pyodide,
        PYODIDE_END,
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["--udf-child"]:
        _udf_child(int(args_list[1]), int(args_list[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,20000,100000", help="comma list of line counts")
    ap.add_argument("--engine-sizes", default=None, help="sizes for the engine-alone measure (default: --sizes)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--large-repeat", type=int, default=2, help="repeats for 100k+ end-to-end runs")
    ap.add_argument("--cold-runs", type=int, default=7)
    ap.add_argument("--udf-lines", type=int, default=10_000)
    ap.add_argument("--udf-calls", type=int, default=200)
    ap.add_argument("--skip-udfs", action="store_true")
    ap.add_argument("--dense-sizes", default="20000,100000",
                    help="line counts of the problem-dense workbooks (measure 6)")
    ap.add_argument("--dense-output-sizes", default=None,
                    help="the dense sizes at which check --output is measured too (default: all)")
    ap.add_argument("--parts", default="cold,e2e,engine,udf,dense", help="which measures to run (comma list)")
    ap.add_argument("--out", type=Path, help="also write the Markdown here")
    ap.add_argument("--markdown", type=Path, nargs="?", const=ROOT / "docs" / "performance.md", default=None,
                    metavar="PATH", help="write the table as docs/performance.md (or PATH), keeping its Pyodide section")
    args = ap.parse_args(args_list)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    engine_sizes = [int(s) for s in (args.engine_sizes or args.sizes).split(",") if s]
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    print("generating workbooks ...", file=sys.stderr, flush=True)
    for n in sorted(set(sizes + engine_sizes + [10, args.udf_lines])):
        generate(n)
    parts = set(args.parts.split(","))
    print("cold start ...", file=sys.stderr, flush=True)
    cold = cold_start(args.cold_runs) if "cold" in parts else None
    print("end to end ...", file=sys.stderr, flush=True)
    e2e = end_to_end(sizes, args.repeat, args.large_repeat) if "e2e" in parts else []
    print("engine alone ...", file=sys.stderr, flush=True)
    eng = engine_alone(engine_sizes, args.repeat) if "engine" in parts else []
    udf = "skipped" if args.skip_udfs or "udf" not in parts else udfs(args.udf_lines, args.udf_calls)
    print("problem-dense ...", file=sys.stderr, flush=True)
    dense_sizes = [int(s) for s in args.dense_sizes.split(",") if s]
    output_sizes = [int(s) for s in args.dense_output_sizes.split(",") if s] if args.dense_output_sizes else None
    dense_run = (dense(dense_sizes, args.repeat, args.large_repeat, OUT / "dense-run", output_sizes)
                 if "dense" in parts else None)
    argv = " ".join(["python benchmarks/run.py"] + [a for a in args_list if a != "--markdown"])
    text = report(info, e2e, eng, cold, udf, argv, dense_run)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    if args.markdown:
        previous = args.markdown.read_text(encoding="utf-8") if args.markdown.exists() else ""
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(performance_doc(info, e2e, eng, cold, udf, argv + " --markdown", previous, dense_run,
                                                 None if parts >= set(PART_ROWS) else parts),
                                 encoding="utf-8")


if __name__ == "__main__":
    main()
