"""The import layers (issue 19): each layer imports only itself and the layers below it.

    engine     claimcheck.*  (everything not named below)
    adapters   claimcheck.udfs, claimcheck.addin          (the repository's udfs/ and addin/)
    templates  claimcheck.workbook_templates              (workbook_templates/)
    entry      claimcheck.cli, claimcheck.addin.classic   (top: what a person or Excel starts;
               addin.classic is RunPython's target and hands the template to the New Claims
               Workbook button, as the command line's ``new`` does)

Besides the layers: no import cycle among claimcheck's modules (imports inside functions count:
they cycle all the same, only later), and no module uses another module's underscored name
(``from x import _name``, ``x._name``), except a package's private module (``rules/_util.py``)
used inside its own package.  Read from the source with ``ast``: nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Repository folder -> the package it installs as (pyproject's package-dir).
FOLDERS = {
    "claimcheck": "claimcheck",
    "udfs": "claimcheck.udfs",
    "addin": "claimcheck.addin",
    "workbook_templates": "claimcheck.workbook_templates",
}
LAYERS = ("engine", "adapters", "templates", "entry")
ENTRY_POINTS = {"claimcheck.cli", "claimcheck.addin.classic"}

#: Violations allowed for now (none: issue 19 emptied it).  An entry must still occur - the test
#: fails on a stale one.
KNOWN: set[str] = set()


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every claimcheck module by its installed name."""
    out = {}
    for folder, package in FOLDERS.items():
        for path in sorted((root / folder).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(root / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([package, *parts])] = path
    return out


MODULES = modules()


def layer(module: str) -> int:
    if module in ENTRY_POINTS:
        return 3
    if module.startswith("claimcheck.workbook_templates"):
        return 2
    if module.startswith(("claimcheck.udfs", "claimcheck.addin")):
        return 1
    return 0


def resolve(importer: str, level: int, name: str | None, mods: dict[str, Path]) -> str:
    """The absolute module name of ``from <level dots><name> import ...``."""
    if not level:
        return name or ""
    base = importer.split(".")
    if mods[importer].name != "__init__.py":
        base.pop()
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def imports(module: str, mods: dict[str, Path]) -> list[tuple[str, set[str], int]]:
    """(imported claimcheck module, underscored names taken from it, line) for each import in
    ``module``, and the module-attribute uses ``alias._name``."""
    tree = ast.parse(mods[module].read_text(encoding="utf-8"))
    found: list[tuple[str, set[str], int]] = []
    aliases: dict[str, str] = {}  # local name -> claimcheck module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in mods:
                    found.append((alias.name, set(), node.lineno))
                    if alias.asname:
                        aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            source = resolve(module, node.level, node.module, mods)
            if source not in mods:
                continue
            private = set()
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in mods:  # ``from package import module``
                    found.append((sub, set(), node.lineno))
                    aliases[alias.asname or alias.name] = sub
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    private.add(alias.name)
            found.append((source, private, node.lineno))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append((aliases[node.value.id], {node.attr}, node.lineno))
    return found


def private_module_allowed(importer: str, target: str) -> bool:
    """A private module (``_util``) may be used by its own package and that package's modules."""
    package = target.rsplit(".", 1)[0]
    return importer == package or importer.startswith(package + ".")


def violations(mods: dict[str, Path] = MODULES) -> list[str]:
    out: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module in mods:
        for target, private, line in imports(module, mods):
            if target == module:
                continue
            graph[module].add(target)
            if layer(target) > layer(module):
                out.append(f"layer: {module} ({LAYERS[layer(module)]}) imports {target} ({LAYERS[layer(target)]})")
            for name in sorted(private):
                out.append(f"private: {module} uses {target}.{name}")
            if target.rsplit(".", 1)[-1].startswith("_") and not private_module_allowed(module, target):
                out.append(f"private: {module} imports private module {target}")
    out += [f"cycle: {' -> '.join(c)}" for c in cycles(graph)]
    return sorted(set(out))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


#: The most lines a module may have (issue 19: one obvious place for each thing; a module past
#: this does more than one job: split it by job).  No module is exempt.
MAX_LINES = 600


def long_modules(mods: dict[str, Path] = MODULES) -> list[str]:
    """``module (n lines)`` for each module over MAX_LINES."""
    lengths = {m: len(path.read_text(encoding="utf-8").splitlines()) for m, path in mods.items()}
    return sorted(f"{m} ({n} lines)" for m, n in lengths.items() if n > MAX_LINES)


def test_no_module_is_over_the_line_limit():
    assert not long_modules(), f"modules over {MAX_LINES} lines (split them by job): {long_modules()}"


def test_line_limit_counts_every_package_folder(tmp_path):
    for name, lines in {"claimcheck/__init__.py": 1, "claimcheck/rules/cpt.py": MAX_LINES,
                        "addin/buttons/__init__.py": MAX_LINES + 1, "udfs/__init__.py": MAX_LINES + 40,
                        "workbook_templates/__init__.py": 0}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n" * lines)
    assert long_modules(modules(tmp_path)) == [f"claimcheck.addin.buttons ({MAX_LINES + 1} lines)",
                                               f"claimcheck.udfs ({MAX_LINES + 40} lines)"]


def test_every_repository_folder_is_mapped():
    assert {"claimcheck.udfs", "claimcheck.addin", "claimcheck.workbook_templates", "claimcheck.cli",
            "claimcheck.reader", "claimcheck.fast_reader"} <= set(MODULES)


def test_imports_go_down_the_layers_without_cycles_or_private_names():
    found = set(violations())
    new = sorted(found - KNOWN)
    stale = sorted(KNOWN - found)
    assert not new and not stale, (
        "import rules broken:\n  " + "\n  ".join(new or ["(none)"])
        + "\nKNOWN entries that no longer occur (delete them):\n  " + "\n  ".join(stale or ["(none)"]))


# The checker itself, on small made-up modules: each kind of violation is caught.

def test_checker_catches_each_kind_of_violation(tmp_path):
    sources = {
        "claimcheck/__init__.py": "",
        "claimcheck/book.py": "from .reader import read\nfrom claimcheck.udfs import CHECK_CLAIM\n",
        "claimcheck/reader.py": "def read():\n    from . import book\n    return book._cells\n",
        "claimcheck/values.py": "",
        "claimcheck/cli.py": "import claimcheck.workbook_templates\nfrom claimcheck.rules import _util\n",
        "claimcheck/rules/__init__.py": "",
        "claimcheck/rules/_util.py": "",
        "claimcheck/rules/cpt.py": "from ._util import combine\nfrom .. import values as V\nV.read_text\n",
        "udfs/__init__.py": "from claimcheck.workbook_templates.build import build\nfrom ..values import _plain\n",
        "addin/__init__.py": "",
        "addin/buttons.py": "import claimcheck.values as V\nV._EPOCH\n",
        "workbook_templates/__init__.py": "",
        "workbook_templates/build.py": "from claimcheck import cli\nfrom claimcheck.addin import buttons\n",
        "addin/classic.py": "from . import buttons\nfrom claimcheck.workbook_templates.build import build\n",
    }
    for name, text in sources.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = violations(modules(tmp_path))
    assert found == [
        "cycle: claimcheck.book -> claimcheck.reader",
        "layer: claimcheck.book (engine) imports claimcheck.udfs (adapters)",
        "layer: claimcheck.udfs (adapters) imports claimcheck.workbook_templates.build (templates)",
        "layer: claimcheck.workbook_templates.build (templates) imports claimcheck.cli (entry)",
        "private: claimcheck.addin.buttons uses claimcheck.values._EPOCH",
        "private: claimcheck.cli imports private module claimcheck.rules._util",
        "private: claimcheck.reader uses claimcheck.book._cells",
        "private: claimcheck.udfs uses claimcheck.values._plain",
    ]
