"""The distribution a practice installs: ``claimcheck-billing`` from PyPI (issue 15).

The wheel is built here the way ``scripts/check-wheel`` and docs/releasing.md build it
(``python -m build``: the sdist first, then the wheel from the sdist, so a file missing from the
sdist is missing here too), without network (``--no-isolation``: setuptools comes from the test
extras).
"""

from __future__ import annotations

import ast
import email
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import claimcheck

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Repository folder -> where it lands in the wheel, and the data files (not .py) it must carry.
DATA_FILES = {
    "claimcheck/data": ("claimcheck/data", lambda p: p.suffix in {".csv", ".md", ".json", ".txt", ".tsv", ".gz"}),
    "addin": ("claimcheck/addin", lambda p: p.suffix in {".md", ".xml"}),
    "addin/lite": ("claimcheck/addin/lite", lambda p: p.suffix in {".py", ".txt"}),
    "addin/vba": ("claimcheck/addin/vba", lambda p: p.suffix in {".bas", ".cls"}),
    "addin/ribbon": ("claimcheck/addin/ribbon", lambda p: p.suffix == ".xml"),
    "workbook_templates": ("claimcheck/workbook_templates", lambda p: p.suffix == ".xlsx"),
}


#: What a checkout holds that a release build must not see: an editable install's egg-info lists
#: every file it found, and setuptools' sdist takes that list (so a package missing from
#: pyproject's list still landed in the wheel built here - but not in one built on a clean clone).
LOCAL_ONLY = shutil.ignore_patterns("*.egg-info", "build", "dist", ".venv", ".pyodide", ".git", "__pycache__",
                                    ".pytest_cache", ".hypothesis", "out")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("clean") / "claimcheck"
    shutil.copytree(ROOT, source, ignore=LOCAL_ONLY)
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(zf.read(name))


def test_wheel_is_pure_python_for_any_platform(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as zf:
        info = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/WHEEL"))).decode()
        names = zf.namelist()
    assert "Root-Is-Purelib: true" in info
    assert "Tag: py3-none-any" in info.splitlines()
    assert not [n for n in names if n.endswith((".so", ".pyd", ".dylib", ".pyc"))]


def test_wheel_installs_only_the_claimcheck_package(wheel):
    with zipfile.ZipFile(wheel) as zf:
        top = {n.split("/")[0] for n in zf.namelist()}
    version = claimcheck.__version__
    assert top == {"claimcheck", f"claimcheck_billing-{version}.dist-info"}


def test_wheel_carries_the_data_files_and_every_module(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    expected = set()
    for folder, (target, wanted) in DATA_FILES.items():
        for path in (ROOT / folder).iterdir():
            if path.is_file() and wanted(path):
                expected.add(f"{target}/{path.name}")
    for folder, target in (("claimcheck", "claimcheck"), ("udfs", "claimcheck/udfs"), ("addin", "claimcheck/addin"),
                           ("workbook_templates", "claimcheck/workbook_templates")):
        for path in (ROOT / folder).rglob("*.py"):
            if "__pycache__" not in path.parts:
                expected.add(f"{target}/{path.relative_to(ROOT / folder).as_posix()}")
    # The data the engine cannot work without are among them.
    assert {"claimcheck/data/procedures.csv", "claimcheck/data/carc.csv", "claimcheck/addin/lite/main.py",
            "claimcheck/addin/vba/ClaimcheckFunctions.bas", "claimcheck/addin/ribbon/customUI.xml"} <= expected
    assert sorted(expected - names) == []


def test_metadata_licence_authors_classifiers_urls(wheel):
    meta = _metadata(wheel)
    assert meta["Name"] == "claimcheck-billing"
    assert meta["Version"] == claimcheck.__version__
    assert meta["License-Expression"] == "MIT"
    assert meta["License-File"] == "LICENSE"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert meta["Author"] == "claimcheck developers"
    classifiers = meta.get_all("Classifier")
    for minor in (11, 12, 13):  # 3.11+: pyx12, the 835 reader, needs it
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert "Operating System :: OS Independent" in classifiers
    assert "Intended Audience :: Healthcare Industry" in classifiers
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert urls["Homepage"].startswith("https://") and "Issues" in urls and "Source" in urls
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "claimcheck" in meta.get_payload()  # the README is the long description


def test_every_dependency_has_a_lower_bound():
    deps = list(PYPROJECT["project"]["dependencies"])
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        deps += extra
    unbounded = [d for d in deps if ">=" not in d and "==" not in d]
    assert unbounded == []


def test_sdist_and_wheel_pass_twine_check(dist):
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_one_version_everywhere():
    """``claimcheck.__version__`` is the one place the version is written: pyproject reads it,
    and the Lite requirements name that release of the PyPI package."""
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "claimcheck.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", claimcheck.__version__)
    lines = [ln.strip() for ln in (ROOT / "addin/lite/requirements.txt").read_text().splitlines()]
    wanted = [ln for ln in lines if ln and not ln.startswith("#")]
    assert f"claimcheck-billing=={claimcheck.__version__}" in wanted
    assert not [ln for ln in wanted if "://" in ln]  # from PyPI, not a practice's own server


def test_lite_main_imports_exist_in_the_package():
    """``addin/lite/main.py`` is pasted as is: every name it imports from claimcheck exists."""
    tree = ast.parse((ROOT / "addin/lite/main.py").read_text(encoding="utf-8"))
    imported = [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("claimcheck") for alias in node.names]
    assert {m for m, _ in imported} >= {"claimcheck.udfs", "claimcheck.addin.buttons"}
    import importlib

    for module, name in imported:
        assert hasattr(importlib.import_module(module), name), f"{module}.{name}"
