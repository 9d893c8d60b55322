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


# Loads the workbook with macros enabled, reports the Basic library's modules and their source,
# then runs one macro and reads a cell before and after.  LibreOffice Basic does not evaluate
# VBA conditional compilation (#If ... #Else), so xlwings' own modules, which define alternative
# procedures per platform, do not compile there and would stop the whole library; the modules
# named in ``skip`` are removed from the loaded (in-memory) library before the run.
_RUN_MACRO = r'''
import json, os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

soffice, doc_path, library, module, macro, sheet, cell, profile, pipe, skip = sys.argv[1:11]
skip = [n for n in skip.split(",") if n]
proc = subprocess.Popen([soffice, "-env:UserInstallation=" + profile, "--headless", "--invisible",
                         "--nologo", "--norestore", "--nodefault", "--accept=pipe,name=%s;urp;" % pipe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
out = {}
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 90
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.3)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    # MacroExecutionMode 4 = ALWAYS_EXECUTE_NO_WARN
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(doc_path)), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", 4)))
    libs = doc.BasicLibraries
    out["libraries"] = list(libs.getElementNames())
    libs.loadLibrary(library)
    lib = libs.getByName(library)
    out["sources"] = {n: lib.getByName(n) for n in lib.getElementNames()}
    for n in skip:
        lib.removeByName(n)
    ws = doc.Sheets.getByName(sheet)
    out["before"] = ws.getCellRangeByName(cell).getString()
    uri = "vnd.sun.star.script:%s.%s.%s?language=Basic&location=document" % (library, module, macro)
    doc.getScriptProvider().getScript(uri).invoke((), (), ())
    out["after"] = ws.getCellRangeByName(cell).getString()
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
finally:
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
print("RESULT=" + json.dumps(out))
'''


def run_macro(tmp_path: Path, book: Path, library: str, module: str, macro: str, sheet: str, cell: str,
              skip: list[str] = ()) -> dict:
    """Open ``book`` in LibreOffice headless with macros enabled (driven through its Python
    bridge), run ``library.module.macro`` and return the library names, the module sources and
    the text of ``sheet!cell`` before and after the run."""
    import json
    import uuid

    exe = soffice()
    python = uno_python(exe)
    script = tmp_path / "run_macro.py"
    script.write_text(_RUN_MACRO)
    res = subprocess.run(
        [python, str(script), exe, str(book), library, module, macro, sheet, cell,
         (tmp_path / "lo_profile").as_uri(), f"cc_{uuid.uuid4().hex}", ",".join(skip)],
        capture_output=True, text=True, timeout=240,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("RESULT=")), None)
    assert line is not None, res.stdout + res.stderr
    return json.loads(line[len("RESULT="):])
