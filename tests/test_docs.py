"""The README and docs/: short, current, and linking only inside the repository (issue 19)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from claimcheck.report import rules_markdown
from helpers import claimcheck_cmd

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
#: Links allowed to leave the repository: the project's own pages.
OUTSIDE = ("https://github.com/claimcheck-billing/claimcheck", "https://pypi.org/project/claimcheck-billing")
#: Linked files another change adds (docs/performance.md is written by benchmarks/run.py
#: --markdown); the test fails once one exists, so the entry is deleted then.
PENDING: set[str] = set()  # docs linked before they land (none now)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return {slug(m[1]) for m in re.finditer(r"^#+\s+(.*)$", text, re.M)}


def links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return LINK.findall(text)


def test_readme_is_at_most_10000_characters():
    assert len(README.read_text(encoding="utf-8")) <= 10_000


def test_readme_gives_the_two_commands_of_a_fresh_machine():
    text = README.read_text(encoding="utf-8")
    block = text.split("## Two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(commands) == 2, commands
    assert commands[0].startswith("python3 -m venv .venv && ") and \
        commands[0].endswith(".venv/bin/claimcheck check examples/sample-billing.xlsx --as-of 2026-06-30")
    assert commands[1] == "./scripts/test"
    assert (ROOT / "scripts" / "test").stat().st_mode & 0o111


def test_readme_sample_output_is_what_check_prints():
    text = README.read_text(encoding="utf-8")
    shown = text.split("## What `claimcheck check` prints", 1)[1].split("```", 2)[1]
    proc = subprocess.run([*claimcheck_cmd(), "check", str(ROOT / "examples" / "sample-billing.xlsx"),
                           "--as-of", "2026-06-30"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    printed = proc.stdout.splitlines()
    lines = [ln for ln in shown.splitlines() if ln.strip() and ln.strip() != "..."]
    assert len(lines) >= 5
    for ln in lines:
        assert ln in printed, ln


def test_links_stay_inside_the_repository_and_resolve():
    problems = []
    for path in [README, *DOCS, ROOT / "addin" / "INSTALL.md"]:
        text = path.read_text(encoding="utf-8")
        if "../shared" in text or "/work/" in text:
            problems.append(f"{path.name}: names a folder outside the repository")
        for target in links(path):
            if target.startswith(("http://", "https://", "mailto:")):
                if not target.startswith(OUTSIDE):
                    problems.append(f"{path.name}: link outside the repository: {target}")
                continue
            file, _, anchor = target.partition("#")
            resolved = (path.parent / file).resolve() if file else path
            try:
                relative = resolved.relative_to(ROOT).as_posix()
            except ValueError:
                problems.append(f"{path.name}: link leaves the repository: {target}")
                continue
            if relative in PENDING:
                continue
            if not resolved.exists():
                problems.append(f"{path.name}: link to a missing file: {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                problems.append(f"{path.name}: no heading for #{anchor} in {relative}")
    assert problems == []


def test_pending_links_are_still_pending():
    assert [p for p in PENDING if (ROOT / p).exists()] == [], "delete it from PENDING: the file is in the tree now"
    readme_links = links(README)
    assert all(any(t.split("#")[0] == p for t in readme_links) for p in PENDING)
    assert "docs/performance.md" in {t.split("#")[0] for t in readme_links}


def test_docs_has_the_pages_the_readme_promises():
    assert {p.name for p in DOCS} >= {"excel.md", "workbook-contract.md", "rules.md", "security.md", "releasing.md"}


def test_rules_md_is_generated_from_the_registry():
    """docs/rules.md is what `claimcheck rules --markdown` prints (regenerate it after a rule change)."""
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(), \
        "docs/rules.md is stale: run claimcheck rules --markdown > docs/rules.md"
    proc = subprocess.run([*claimcheck_cmd(), "rules", "--markdown"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == rules_markdown()


def test_rules_md_lists_every_rule_with_why_and_fix():
    from claimcheck.rules.registry import all_rules

    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"### {rule.code} {rule.title}" in text
        assert f"- Why payers care: {rule.why}" in text


def test_the_contract_copy_uses_the_installed_names():
    contract = (ROOT / "docs" / "workbook-contract.md").read_text(encoding="utf-8")
    assert "`claimcheck-billing`" in contract and "`claimcheck.udfs`" in contract
    for path in [README, *DOCS, ROOT / "addin" / "INSTALL.md"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"UDF Modules\W+(=|to)\W+`?udfs\b", text), path.name
        assert 'pip install "claimcheck[' not in text and "pip install 'claimcheck[" not in text, path.name


def test_install_hints_in_messages_name_the_pypi_package():
    """``pip install claimcheck[...]`` would install an unrelated project from PyPI."""
    wrong = re.compile(r"""pip install ["']?claimcheck\[""")
    found = [f"{p.relative_to(ROOT)}:{n}" for folder in ("claimcheck", "udfs", "addin", "workbook_templates")
             for p in (ROOT / folder).rglob("*.py")
             for n, ln in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if wrong.search(ln)]
    assert found == []


def test_readme_shows_a_rendered_letter_and_the_checked_claims_sheet():
    """Issue 18: one rendered letter and the checked Claims sheet, as PNG images in docs/images."""
    text = README.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text) + re.findall(r'<img src="([^"]+)"', text)
    assert sorted(images) == ["docs/images/appeal-letter.png", "docs/images/checked-claims.png"]
    for image in images:
        assert (ROOT / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
