"""Finding the real spreadsheet program the tests use (LibreOffice headless) and its Python
bridge.  A missing tool skips a test on a developer's machine and fails it in CI (the CI
environment variable is set), so CI never passes by skipping silently."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def require(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI, when ``condition`` is false."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required because CI is set)")
    pytest.skip(reason)


def need(tool: str) -> str:
    """The path of a command-line tool (soffice, pdftoppm ...)."""
    path = shutil.which(tool)
    require(path is not None, f"{tool} is not installed (Debian: libreoffice-calc-nogui, poppler-utils)")
    assert path is not None
    return path


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    require(exe is not None, "LibreOffice (soffice) is not installed (Debian: libreoffice-calc-nogui)")
    assert exe is not None
    return exe


def uno_python(soffice_exe: str) -> str:
    """A Python interpreter that can import LibreOffice's ``uno`` module."""
    candidates = [sys.executable, "/usr/bin/python3", str(Path(os.path.realpath(soffice_exe)).parent / "python")]
    for cand in candidates:
        if cand and os.path.exists(cand):
            if subprocess.run([cand, "-c", "import uno"], capture_output=True, timeout=60).returncode == 0:
                return cand
    require(False, "no Python interpreter with the LibreOffice 'uno' module (Debian: python3-uno)")
    raise AssertionError("unreachable")


# Makes LibreOffice recalculate every formula when it loads an .xlsx (it trusts cached values
# otherwise), in a private profile so parallel runs never share a profile lock.
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_convert(src: Path, outdir: Path, target: str, profile: Path) -> Path:
    """Convert with LibreOffice headless, recalculating on load; return the output file."""
    soffice_exe = soffice()
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    outdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([soffice_exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                           "--convert-to", target, "--outdir", str(outdir), str(src)],
                          capture_output=True, text=True, timeout=240)
    ext = target.split(":")[0]
    out = outdir / (src.stem + "." + ext)
    assert out.exists(), f"LibreOffice did not write {out}: {done.stdout} {done.stderr}"
    return out
