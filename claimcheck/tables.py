"""Code tables: procedure codes, add-ons, same-day combinations, modifiers, places of service.

The tables are CSV files in ``claimcheck/data`` with a ``source`` column for every row.  A user
can override or extend any of them: put a file with the same name in a folder and point the
``CLAIMCHECK_TABLES`` environment variable (or ``claimcheck check --tables DIR``) at it.  Rows in
the user's file replace the shipped rows with the same key and add new ones.  That is how a
practice loads its payers' medically-unlikely-edit limits into ``procedures.csv``
(``daily_max``), which we do not ship beyond the few limits we could source.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

DATA = resources.files("claimcheck") / "data"

# The key column of each table, used to merge a user's overriding rows.
_KEYS = {
    "procedures.csv": "code",
    "addons.csv": "addon",
    "modifiers.csv": "modifier",
    "modifier_conflicts.csv": "modifiers",
    "pos.csv": "pos",
    "same_day.csv": None,  # user rows are added
    "payer_defaults.csv": "setting",
}

PROCEDURE_SHAPE = re.compile(r"^(\d{5}|\d{4}[A-Z]|[A-Z]\d{4})$")
MODIFIER_SHAPE = re.compile(r"^[0-9A-Z]{2}$")


def _read_csv(text: str) -> list[dict[str, str]]:
    return [
        {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for row in csv.DictReader(text.splitlines())
    ]


def _load(name: str, override_dir: str | None) -> list[dict[str, str]]:
    rows = _read_csv((DATA / name).read_text(encoding="utf-8"))
    if override_dir:
        path = Path(override_dir) / name
        if path.is_file():
            extra = _read_csv(path.read_text(encoding="utf-8-sig"))
            key = _KEYS.get(name)
            if key:
                merged = {r[key].upper(): r for r in rows}
                for r in extra:
                    if r.get(key):
                        base = merged.get(r[key].upper(), {})
                        merged[r[key].upper()] = {**base, **{k: v for k, v in r.items() if v != "" or k not in base}}
                rows = list(merged.values())
            else:
                rows = rows + extra
    return rows


@dataclass(frozen=True)
class Procedure:
    code: str
    label: str
    kind: str
    addon: bool
    min_minutes: int | None
    max_minutes: int | None
    daily_max: int | None
    source: str

    @property
    def timed(self) -> bool:
        return self.min_minutes is not None


@dataclass(frozen=True)
class SameDayRule:
    codes_a: frozenset[str]
    codes_b: frozenset[str]
    kind: str  # "never" or "distinct"
    scope: str  # "client" (any provider) or "provider" (same rendering provider)
    note: str
    source: str


@dataclass(frozen=True)
class CodeTables:
    procedures: dict[str, Procedure]
    addons: dict[str, frozenset[str]]
    same_day: tuple[SameDayRule, ...]
    modifiers: dict[str, dict[str, str]]
    modifier_conflicts: tuple[tuple[frozenset[str], str], ...]
    pos: dict[str, dict[str, str]]
    payer_defaults: dict[str, str]
    em_codes: frozenset[str] = field(default_factory=frozenset)

    # Families used by rules; derived from the procedure kinds.
    # Computed once per set of tables (rules ask for them on every line).
    @cached_property
    def timed_psychotherapy(self) -> frozenset[str]:
        return frozenset(c for c, p in self.procedures.items() if p.kind in {"psychotherapy", "psychotherapy_em"})

    def codes_of_kind(self, *kinds: str) -> frozenset[str]:
        return frozenset(c for c, p in self.procedures.items() if p.kind in kinds)

    @cached_property
    def telehealth_pos(self) -> frozenset[str]:
        return frozenset(k for k, v in self.pos.items() if v.get("telehealth", "N").upper() == "Y")

    def label(self, code: str) -> str:
        proc = self.procedures.get(code)
        return proc.label if proc else ""


def _int_or_none(text: str) -> int | None:
    text = (text or "").strip()
    return int(float(text)) if text else None


def _expand(codes: str, em: frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for token in codes.split():
        if token == "@em":
            out |= em
        else:
            out.add(token.upper())
    return frozenset(out)


def override_dir_from_env() -> str | None:
    return os.environ.get("CLAIMCHECK_TABLES") or None


@lru_cache(maxsize=8)
def load_tables(override_dir: str | None = None) -> CodeTables:
    """All code tables, merged with the user's overrides from ``override_dir``."""
    procedures = {}
    for r in _load("procedures.csv", override_dir):
        code = r["code"].upper()
        procedures[code] = Procedure(
            code=code,
            label=r.get("label", ""),
            kind=r.get("kind", "other") or "other",
            addon=r.get("addon", "N").upper().startswith("Y"),
            min_minutes=_int_or_none(r.get("min_minutes", "")),
            max_minutes=_int_or_none(r.get("max_minutes", "")),
            daily_max=_int_or_none(r.get("daily_max", "")),
            source=r.get("source", ""),
        )
    em = frozenset(c for c, p in procedures.items() if p.kind == "em")
    addons = {r["addon"].upper(): _expand(r["primaries"], em) for r in _load("addons.csv", override_dir)}
    same_day = tuple(
        SameDayRule(
            codes_a=_expand(r["codes_a"], em),
            codes_b=_expand(r["codes_b"], em),
            kind=r.get("kind", "never") or "never",
            scope=r.get("scope", "provider") or "provider",  # NCCI: per client, date and rendering provider
            note=r.get("note", ""),
            source=r.get("source", ""),
        )
        for r in _load("same_day.csv", override_dir)
    )
    modifiers = {r["modifier"].upper(): r for r in _load("modifiers.csv", override_dir)}
    conflicts = tuple(
        (frozenset(r["modifiers"].upper().split()), r.get("note", ""))
        for r in _load("modifier_conflicts.csv", override_dir)
    )
    pos = {r["pos"].zfill(2): r for r in _load("pos.csv", override_dir)}
    defaults = {r["setting"]: r.get("value", "") for r in _load("payer_defaults.csv", override_dir)}
    return CodeTables(procedures, addons, same_day, modifiers, conflicts, pos, defaults, em)


def tables(override_dir: str | None = None) -> CodeTables:
    return load_tables(override_dir or override_dir_from_env())


def psychotherapy_code_for_minutes(minutes: float | None, kind: str = "psychotherapy") -> str | None:
    """The timed code whose band holds ``minutes`` (kind: psychotherapy, psychotherapy_em,
    crisis, family); None when no code fits (for example under 16 minutes)."""
    if minutes is None:
        return None
    t = tables()
    best = None
    for proc in t.procedures.values():
        if proc.kind != kind or proc.min_minutes is None:
            continue
        if minutes >= proc.min_minutes and (proc.max_minutes is None or minutes <= proc.max_minutes):
            best = proc.code
    return best
