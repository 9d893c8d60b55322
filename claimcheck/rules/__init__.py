"""Claim-line rules, one module per family (contract section 3).

Importing :func:`load_all` registers every rule in :data:`registry.REGISTRY`.
"""

from __future__ import annotations

import importlib

from ._util import run_codes

__all__ = ["FAMILY_MODULES", "OPTIONAL_MODULES", "load_all", "run_codes"]

FAMILY_MODULES = ("req", "cpt", "cpt_units", "cpt_same_day", "mod", "dx", "pos", "npi", "provider", "coverage", "docs_ready", "date", "chg", "dup", "auth", "visits", "deny", "fup")
#: Modules of other features that register codes when present: the ERA posting findings.
OPTIONAL_MODULES: tuple[str, ...] = ("claimcheck.era.findings",)

_loaded = False


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in FAMILY_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    for name in OPTIONAL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
