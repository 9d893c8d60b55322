"""``python benchmarks/generate.py --help`` prints how to use it and writes nothing (issue 21, item 13)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

GENERATE = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


@pytest.fixture
def generate_module():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["10", "--help"], ["--force", "-h"]])
def test_help_writes_no_workbook(generate_module, monkeypatch, capsys, args):
    written = []
    monkeypatch.setattr(generate_module, "generate", lambda *a, **k: written.append((a, k)))
    generate_module.main(args)
    assert written == []
    assert capsys.readouterr().out.startswith("usage: python benchmarks/generate.py")


def test_help_from_the_command_line(tmp_path):
    proc = subprocess.run([sys.executable, str(GENERATE), "--help"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 0 and "usage:" in proc.stdout and "--force" in proc.stdout
    assert list(tmp_path.iterdir()) == []
