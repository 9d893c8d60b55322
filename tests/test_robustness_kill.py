"""Kill-and-check (issue 21): ``check --output`` and ``appeals --output --docx`` are stopped with
SIGTERM or SIGKILL at a random moment while they write.  The target is always the old file whole
or the new one whole (it opens and has the sheets it should), every letter opens, and no temporary
file outlives a SIGTERM (after a SIGKILL the leftovers are recognisable and swept once stale).

The moment is random: a random delay after the run's first temporary file appears (so the kill
lands while files are being written, not before), with the seed printed for a rerun.  Small
workbook, four runs; nothing here measures time.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from claimcheck import atomic

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
AS_OF = "2026-06-30"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")


def _temps(*folders: Path) -> list[Path]:
    return [p for f in folders if f.exists() for p in f.iterdir() if atomic.is_temp_name(p.name)]


def _run_and_kill(args: list[str], watch: Path, sig: int, rng: random.Random) -> int:
    """Start the command line, wait until a temporary file appears in ``watch``, wait a random
    0-250 ms more and send ``sig``; the exit code (negative: the signal)."""
    proc = subprocess.Popen([sys.executable, "-m", "claimcheck.cli", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    delay = rng.uniform(0, 0.25)
    try:
        for _ in range(200_000):  # a bound, not a time limit
            if proc.poll() is not None:
                break
            if _temps(watch):
                time.sleep(delay)
                proc.send_signal(sig)
                break
            time.sleep(0.0005)
        return proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _sheets(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return wb.sheetnames
    finally:
        wb.close()


def _check_after(sig: int, folders: list[Path]) -> None:
    left = _temps(*folders)
    if sig == signal.SIGTERM:
        assert left == [], f"temporary files outlived SIGTERM: {left}"
    else:  # SIGKILL cannot be cleaned up after: the leftovers are ours by name, and swept once stale
        old = time.time() - 2 * atomic.STALE_AFTER_SECONDS
        for p in left:
            os.utime(p, (old, old))
        for f in folders:
            atomic.sweep_stale(f)
        assert _temps(*folders) == []


@pytest.fixture(scope="module")
def rng():
    seed = int(os.environ.get("KILL_SEED", random.randrange(1 << 30)))
    print(f"kill-and-check seed {seed} (KILL_SEED={seed} to repeat)")
    return random.Random(seed)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_check_output_killed_while_writing_leaves_old_or_new_whole(tmp_path, sig, rng):
    out = tmp_path / "checked.xlsx"
    shutil.copy(SAMPLE, out)  # the old file: the workbook as it was
    old = _sheets(out)
    code = _run_and_kill(["check", str(SAMPLE), "--as-of", AS_OF, "--output", str(out)], tmp_path, sig, rng)
    sheets = _sheets(out)
    assert sheets == old or sheets == old + ["Check Marks", "Findings"] or sheets == old + ["Findings"], (code, sheets)
    _check_after(sig, [tmp_path])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_appeals_killed_while_writing_leaves_old_or_new_whole(tmp_path, sig, rng):
    docx = pytest.importorskip("docx")
    from claimcheck.api import load_book
    from claimcheck.appeals.docx import write_letters
    from claimcheck.appeals.plan import plan_appeals

    out, letters = tmp_path / "appeals.xlsx", tmp_path / "letters"
    shutil.copy(SAMPLE, out)
    old = _sheets(out)
    plan = plan_appeals(load_book(SAMPLE), dt.date(2026, 5, 1))  # the old letters: an earlier run
    names = sorted(p.name for p in write_letters(plan, letters))
    assert names
    watch = rng.choice([tmp_path, letters])  # kill while the workbook, or while the letters, are written
    code = _run_and_kill(["appeals", str(SAMPLE), "--as-of", AS_OF, "--output", str(out), "--docx", str(letters)],
                         watch, sig, rng)
    sheets = _sheets(out)
    assert sheets == old or (sheets[:len(old)] == old and "Appeals Log" in sheets), (code, sheets)
    for p in letters.iterdir():
        if p.suffix == ".docx":
            assert docx.Document(str(p)).paragraphs, p.name  # every letter opens: old or new, whole
    assert set(names) <= {p.name for p in letters.iterdir()}
    _check_after(sig, [tmp_path, letters])
