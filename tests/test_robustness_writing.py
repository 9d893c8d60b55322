"""Writing files as a shared practice folder needs them (issue 21, items 6, 7, 8 and 12).

Permissions kept (never private 0600), .docx letters written atomically, temporary files that
are recognisable, swept when stale and deleted on SIGTERM/SIGINT, flushed to the disk before
they replace the target, and one plain line naming the target when the disk is full, the folder
read-only or the target a folder.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimcheck import atomic
from claimcheck.errors import CannotWrite, UnusableInput

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-billing.xlsx"
AS_OF = "2026-06-30"


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~claimcheck-"))


@pytest.fixture
def umask_002():
    old = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(old)


# --------------------------------------------------------------------------- 6. permissions


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_new_file_gets_the_umask_permissions_not_0600(tmp_path, umask_002):
    target = tmp_path / "out.xlsx"
    with atomic.replacing(target) as tmp:
        tmp.write_bytes(b"new")
    assert oct(target.stat().st_mode & 0o777) == oct(0o664)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_replaced_file_keeps_its_permissions(tmp_path, umask_002):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic.replacing(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_check_output_on_a_shared_folder_is_readable_by_coworkers(tmp_path, umask_002):
    from claimcheck.cli import main

    out = tmp_path / "checked.xlsx"
    with pytest.raises(SystemExit):
        main(["check", str(SAMPLE), "--as-of", AS_OF, "--output", str(out), "--format", "json"])
    assert out.stat().st_mode & 0o777 == 0o664


def _plan():
    from claimcheck.api import load_book
    from claimcheck.appeals.plan import plan_appeals

    import datetime as dt

    plan = plan_appeals(load_book(SAMPLE), dt.date(2026, 6, 30))
    assert plan.letters
    return plan


def test_a_docx_letter_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    docx = pytest.importorskip("docx")
    from claimcheck.appeals.docx import write_letter

    letter = _plan().letters[0]
    path = write_letter(letter, tmp_path / "Appeal.docx")
    before = path.read_bytes()
    real_save = docx.document.Document.save

    def full_disk(self, target):
        real_save(self, target)
        with open(target, "r+b") as fh:
            fh.truncate(200)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(docx.document.Document, "save", full_disk)
    with pytest.raises(CannotWrite) as caught:
        write_letter(letter, path)
    assert str(caught.value) == f"{path}: could not be written: no space left on the disk; free some space or write to another disk"
    assert path.read_bytes() == before  # the earlier letter is whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Appeal.docx"]  # no partial .tmp left


# --------------------------------------------------------------------------- 7. temporary files


def test_temporary_files_are_named_for_the_tool_and_the_target(tmp_path):
    target = tmp_path / "Checked June.xlsx"
    with atomic.replacing(target) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".~claimcheck-Checked June.xlsx-") and tmp.name.endswith(".tmp")
        assert atomic.is_temp_name(tmp.name)
        tmp.write_bytes(b"x")
    assert temp_files(tmp_path) == []


def test_stale_temporary_files_of_this_tool_are_swept_on_start(tmp_path):
    stale = tmp_path / ".~claimcheck-out.xlsx-0123abcd.tmp"
    fresh = tmp_path / ".~claimcheck-out.xlsx-89abcdef.tmp"  # another run writing right now
    others = [tmp_path / ".~lock.out.xlsx#", tmp_path / "notes.tmp", tmp_path / ".~claimcheck-notes.txt"]
    for p in [stale, fresh, *others]:
        p.write_bytes(b"client data")
    two_hours_ago = time.time() - 7200
    for p in [stale, *others]:
        os.utime(p, (two_hours_ago, two_hours_ago))
    with atomic.replacing(tmp_path / "out.xlsx") as tmp:
        tmp.write_bytes(b"new")
    assert not stale.exists()
    assert fresh.exists() and all(p.exists() for p in others)


_HOLD = (
    "import sys, time\n"
    "from claimcheck.atomic import replacing\n"
    "with replacing(sys.argv[1]) as tmp:\n"
    "    tmp.write_bytes(b'client data')\n"
    "    print(tmp, flush=True)\n"
    "    time.sleep(60)\n"
)


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_run_stopped_by_a_signal_deletes_its_temporary_file(tmp_path, sig):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old results")
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(target)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    tmp = Path(proc.stdout.readline().strip())
    assert tmp.exists() and atomic.is_temp_name(tmp.name)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert temp_files(tmp_path) == []
    assert target.read_bytes() == b"old results"


# --------------------------------------------------------------------------- 12. power loss


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to name the flushed files")
def test_the_file_and_its_folder_are_flushed_around_the_replace(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(a, b):
        events.append(("replace", str(a), str(b)))
        return real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "out.xlsx"
    with atomic.replacing(target) as tmp:
        tmp.write_bytes(b"new")
    assert events == [("fsync", str(tmp)), ("replace", str(tmp), str(target)), ("fsync", str(tmp_path))]


# --------------------------------------------------------------------------- 8. messages when writing fails

#: Runs the command line with every zip file written getting "no space left" after 4 KB.
_FULL_DISK = (
    "import errno, io, sys, zipfile\n"
    "class Full:\n"
    "    def __init__(self, fh): self.fh, self.n = fh, 0\n"
    "    def write(self, data):\n"
    "        self.n += len(data)\n"
    "        if self.n > 4096: raise OSError(errno.ENOSPC, 'No space left on device')\n"
    "        return self.fh.write(data)\n"
    "    def __getattr__(self, name): return getattr(self.fh, name)\n"
    "class FullIO:\n"
    "    def __getattr__(self, name): return getattr(io, name)\n"
    "    @staticmethod\n"
    "    def open(file, mode='r', *a, **k):\n"
    "        fh = io.open(file, mode, *a, **k)\n"
    "        return Full(fh) if 'w' in mode or '+' in mode else fh\n"
    "zipfile.io = FullIO()\n"
    "from claimcheck.cli import main\n"
    "main(sys.argv[1:])\n"
)


@pytest.mark.parametrize("command", ["check", "appeals", "new"])
def test_a_full_disk_is_one_line_naming_the_output(tmp_path, command):
    out = tmp_path / "out.xlsx"
    args = {"check": ["check", str(SAMPLE), "--as-of", AS_OF, "--output", str(out)],
            "appeals": ["appeals", str(SAMPLE), "--as-of", AS_OF, "--output", str(out)],
            "new": ["new", str(out)]}[command]
    proc = subprocess.run([sys.executable, "-c", _FULL_DISK, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"claimcheck: {out}: could not be written: no space left on the disk; "
                                        "free some space or write to another disk"]
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_names_the_target_not_the_temporary_file(tmp_path, monkeypatch):
    from claimcheck.api import check_workbook
    from claimcheck.writer import write_checked_copy

    real_open = os.open

    def read_only(path, flags, *args):
        if atomic.TEMP_PREFIX in str(path) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only)
    out = tmp_path / "out.xlsx"
    with pytest.raises(CannotWrite) as caught:
        write_checked_copy(SAMPLE, out, check_workbook(SAMPLE, as_of=__import__("datetime").date(2026, 6, 30)))
    assert str(caught.value).startswith(f"{out}: could not be written: permission denied")
    assert atomic.TEMP_PREFIX not in str(caught.value)
    assert caught.value.filename == str(out) and caught.value.errno == errno.EACCES


def _without_root_override() -> None:
    """In the child, before it runs claimcheck: when it is root, drop the capabilities that let
    root write into a read-only folder (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, from the
    bounding set, so the command runs as a practice's user would; CI runs as root)."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2  # <linux/prctl.h>, <linux/capability.h>
    for cap in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@pytest.mark.skipif(os.name == "nt", reason="POSIX folder permissions")
def test_a_really_read_only_folder_is_one_line_naming_the_target(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        proc = subprocess.run([sys.executable, "-m", "claimcheck.cli", "check", str(SAMPLE), "--as-of", AS_OF,
                               "--output", str(folder / "out.xlsx")], capture_output=True, text=True, timeout=300,
                              preexec_fn=_without_root_override)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"claimcheck: {folder / 'out.xlsx'}: could not be written: permission denied "
                                        "(the file or its folder is read-only, or open in another program)"]


@pytest.mark.parametrize("command", ["check", "appeals"])
def test_an_output_that_is_a_folder_is_one_line_naming_it(tmp_path, command):
    out = tmp_path / "out.xlsx"
    out.mkdir()
    proc = subprocess.run([sys.executable, "-m", "claimcheck.cli", command, str(SAMPLE), "--as-of", AS_OF,
                           "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"claimcheck: {out}: could not be written: is a folder; give a file name"]
    assert list(out.iterdir()) == [] and temp_files(tmp_path) == []


def test_cannot_write_is_an_unusable_input_and_an_os_error():
    exc = CannotWrite(errno.ENOSPC, "out.xlsx: could not be written: no space left on the disk", "out.xlsx")
    assert isinstance(exc, UnusableInput) and isinstance(exc, OSError)
    assert str(exc) == "out.xlsx: could not be written: no space left on the disk"


# --------------------------------------------------------------------------- 9. templates in, workbooks out

_TYPES = {
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "xlsm": b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "xltx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "xltm": b"application/vnd.ms-excel.template.macroEnabled.main+xml",
}


def _workbook_type(path: Path) -> bytes:
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        types = zf.read("[Content_Types].xml")
    return re.search(rb'PartName="/xl/workbook.xml" ContentType="([^"]+)"', types)[1]


def _template(tmp_path: Path, kind: str) -> Path:
    """The sample saved as an Excel template: .xltx, or .xltm with the template's macros."""
    import openpyxl

    if kind == "xltx":
        src = SAMPLE
    else:
        from claimcheck.workbook_templates.build import build_workbook

        src = build_workbook(tmp_path / "macros.xlsm", sample=True)
    wb = openpyxl.load_workbook(src, keep_vba=kind == "xltm")
    wb.template = True
    path = tmp_path / f"billing.{kind}"
    wb.save(path)
    assert _workbook_type(path) == _TYPES[kind]
    return path


@pytest.mark.parametrize("kind, out_kind", [("xltx", "xlsx"), ("xltm", "xlsx"), ("xltm", "xlsm")])
@pytest.mark.parametrize("command", ["check", "appeals"])
def test_a_template_in_gives_the_workbook_type_of_the_output_extension(tmp_path, kind, out_kind, command):
    import openpyxl

    src = _template(tmp_path, kind)
    out = tmp_path / f"out.{out_kind}"
    proc = subprocess.run([sys.executable, "-m", "claimcheck.cli", command, str(src), "--as-of", AS_OF,
                           "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    assert _workbook_type(out) == _TYPES[out_kind]
    wb = openpyxl.load_workbook(out)
    assert ("Findings" if command == "check" else "Appeals Log") in wb.sheetnames
    import zipfile

    with zipfile.ZipFile(out) as zf:
        assert ("xl/vbaProject.bin" in zf.namelist()) == (out_kind == "xlsm")


@pytest.mark.parametrize("command", ["check", "appeals"])
def test_a_template_without_macros_is_not_written_as_a_macro_workbook(tmp_path, command):
    src = _template(tmp_path, "xltx")
    out = tmp_path / "out.xlsm"
    proc = subprocess.run([sys.executable, "-m", "claimcheck.cli", command, str(src), "--as-of", AS_OF,
                           "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "the input has no macros; write the output as .xlsx" in proc.stderr
    assert not out.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_an_ignored_hangup_is_left_alone_and_the_file_still_written(tmp_path):
    """Under nohup (SIGHUP ignored) a hangup neither stops the run nor deletes its temporary file."""
    script = ("import os, signal, sys\n"
              "from claimcheck.atomic import replacing\n"
              "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
              "with replacing(sys.argv[1]) as tmp:\n"
              "    tmp.write_bytes(b'new')\n"
              "    os.kill(os.getpid(), signal.SIGHUP)\n")
    target = tmp_path / "out.xlsx"
    proc = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes() == b"new" and temp_files(tmp_path) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_new_macro_workbook_gets_the_umask_permissions(tmp_path, umask_002):
    from claimcheck.workbook_templates.build import build_workbook

    out = build_workbook(tmp_path / "Billing.xlsm")
    assert out.stat().st_mode & 0o777 == 0o664 and temp_files(tmp_path) == []
