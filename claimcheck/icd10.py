"""ICD-10-CM diagnosis codes by fiscal year: valid, billable (a leaf of the tree) or a category header.

A code is checked against the code set in force on the date of service: ICD-10-CM's fiscal year
starts on October 1 (CMS/CDC publish each year's code set effective October 1; a DOS before
2025-10-01 is FY2025, on or after it FY2026).  Two years ship: FY2026 in full and FY2025 as its
differences from FY2026 (``data/icd10cm-fy2025-changes.txt``, built by
``scripts/build-icd10-index --previous`` from simple-icd-10-cm 1.4.0, the CDC April 2025 release).
A DOS outside the shipped years is checked against the nearest one, and a code that one does not
hold is an ``unlisted`` note, not an error: it may be new (or retired) in a year claimcheck lacks.

The code set ships with claimcheck: ``data/icd10cm-codes.txt``, built from the
``simple-icd-10-cm`` package (MIT; CDC's ICD-10-CM FY2026 XML, April 2026 edition) by
``scripts/build-icd10-index``; tests/test_icd10_index.py holds it equal to the package's code
set.  Reading it takes a few tens of milliseconds, also in xlwings Lite (Pyodide), where a cache
written at run time would be gone at the next start.

Descriptions (appeal letters name the diagnosis) come from ``simple-icd-10-cm`` itself, whose
import parses the whole code set (about 3 s): only when a description is first asked for, and
kept under the user's cache folder (``CLAIMCHECK_CACHE_DIR`` overrides; ``~/.cache/claimcheck``
by default) so later starts read them in tens of milliseconds.  When the cache cannot be
written (a read-only home, Pyodide) they are kept in memory.

Billable follows the domain reference: ``is_leaf(c) and not is_chapter(c) and "-" not in c``
(``is_chapter_or_block`` wrongly flags F99, B20 ...).
"""

from __future__ import annotations

import bisect
import gzip
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .atomic import replacing
from .values import shown

SHAPE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$")
CODES_FILE = "icd10cm-codes.txt"
PREVIOUS_FILE = "icd10cm-fy2025-changes.txt"
MANIFESTATIONS_FILE = "icd10cm-manifestations.txt"
#: The fiscal years shipped, oldest first; the newest is ``index()``'s full code set.
YEARS = (2025, 2026)
NEWEST = YEARS[-1]
DESCRIPTIONS_FORMAT = 1


@dataclass(frozen=True)
class Icd10Index:
    edition: str
    billable: frozenset[str]
    headers: frozenset[str]
    ordered_billable: tuple[str, ...] = ()  # the billable codes in sorted order

    def is_valid(self, code: str) -> bool:
        return code in self.billable or code in self.headers

    def is_billable(self, code: str) -> bool:
        return code in self.billable

    def children(self, code: str, limit: int = 3) -> list[str]:
        """A few billable codes under a category header, for a helpful message."""
        prefix = code if "." in code or len(code) > 3 else code + "."
        ordered = self.ordered_billable or _sorted_billable(self.billable)
        start = bisect.bisect_left(ordered, prefix)
        found = []
        for c in ordered[start:]:
            if not c.startswith(prefix) or len(found) == limit:
                break
            found.append(c)
        return found


@lru_cache(maxsize=2)
def _sorted_billable(billable: frozenset[str]) -> list[str]:
    return sorted(billable)


def read_code_sets(data: bytes) -> tuple[list[str], list[str]]:
    """(billable, headers) from the shipped code set file's bytes, each in the file's (sorted)
    order."""
    text = data.decode("ascii")
    _, _, rest = text.partition("\nbillable\n")
    billable, sep, headers = rest.partition("\nheaders\n")
    if not sep:
        raise ValueError(f"{CODES_FILE} has no headers section")
    return billable.split(), headers.split()


@lru_cache(maxsize=1)
def index() -> Icd10Index:
    """The ICD-10-CM code set shipped with claimcheck."""
    billable, headers = read_code_sets((resources.files("claimcheck") / "data" / CODES_FILE).read_bytes())
    # the file lists them sorted: no sort of 75,000 codes for the first category hint
    return Icd10Index("FY2026", frozenset(billable), frozenset(headers), tuple(billable))


def fiscal_year(day) -> int:
    """The ICD-10-CM fiscal year of a date of service (FY2026 runs 2025-10-01 to 2026-09-30);
    the newest shipped year when there is no date."""
    if day is None:
        return NEWEST
    return day.year + 1 if day.month >= 10 else day.year


def _data(name: str) -> bytes:
    return (resources.files("claimcheck") / "data" / name).read_bytes()


def read_changes(data: bytes) -> dict[str, frozenset[str]]:
    """The sections (billable, headers, absent) of a previous year's differences file."""
    sections: dict[str, set[str]] = {"billable": set(), "headers": set(), "absent": set()}
    current = None
    for line in data.decode("ascii").splitlines():
        if not line or line.startswith("#"):
            continue
        if line in sections:
            current = sections[line]
        elif current is None:
            raise ValueError(f"{PREVIOUS_FILE}: code {line} before any section")
        else:
            current.add(line)
    return {name: frozenset(codes) for name, codes in sections.items()}


@lru_cache(maxsize=1)
def _previous() -> dict[str, frozenset[str]]:
    return read_changes(_data(PREVIOUS_FILE))


@lru_cache(maxsize=1)
def manifestations() -> frozenset[str]:
    """Billable manifestation codes (guideline I.A.13: never the first-listed diagnosis)."""
    return frozenset(line for line in _data(MANIFESTATIONS_FILE).decode("ascii").splitlines()
                     if line and not line.startswith("#"))


def changed(code: str) -> bool:
    """Whether ``code`` reads differently in a previous shipped year than in the newest."""
    prev = _previous()
    return code in prev["billable"] or code in prev["headers"] or code in prev["absent"]


def status(code: str, year: int = NEWEST) -> str:
    """``billable``, ``header`` or ``absent``: what ``code`` is in the code set of fiscal year
    ``year`` (the nearest shipped year outside them)."""
    idx = index()
    if year < NEWEST:
        prev = _previous()
        if code in prev["billable"]:
            return "billable"
        if code in prev["headers"]:
            return "header"
        if code in prev["absent"]:
            return "absent"
    if code in idx.billable:
        return "billable"
    return "header" if code in idx.headers else "absent"


def _cache_dir() -> Path:
    env = os.environ.get("CLAIMCHECK_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "claimcheck"


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("simple-icd-10-cm")
    except Exception:
        return "unknown"


def _cache_path() -> Path:
    """Where the descriptions are kept between runs."""
    return _cache_dir() / f"icd10cm-descriptions-v{DESCRIPTIONS_FORMAT}-{_package_version()}.tsv.gz"


def _read_descriptions(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            code, desc = line.rstrip("\n").split("\t", 1)
            out[code] = desc
    return out


def _build_descriptions() -> dict[str, str]:
    import simple_icd_10_cm as cm  # slow import: only when no kept copy exists

    idx = index()
    return {code: cm.get_description(code) for code in sorted(idx.billable | idx.headers)}


@lru_cache(maxsize=1)
def _descriptions() -> dict[str, str]:
    path = _cache_path()
    try:
        out = _read_descriptions(path)
        if len(out) == len(index().billable) + len(index().headers):
            return out
    except Exception:  # missing, truncated or from another format: build it again
        pass
    out = _build_descriptions()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as tmp, open(tmp, "wb") as raw, \
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as fh:
            fh.write("".join(f"{c}\t{d}\n" for c, d in out.items()).encode("utf-8"))
    except OSError:
        pass
    return out


def description(code: str) -> str:
    """The official ICD-10-CM description (public domain, CDC) or ''."""
    return _descriptions().get(code, "")


def _children(code: str, year: int, limit: int = 3) -> list[str]:
    """A few billable codes under a category header in fiscal year ``year``."""
    idx = index()
    if year >= NEWEST:
        return idx.children(code, limit)
    prefix = code if "." in code or len(code) > 3 else code + "."
    kids = [c for c in idx.children(code, limit + 40) if status(c, year) == "billable"]
    kids += [c for c in _previous()["billable"] if c.startswith(prefix)]
    return sorted(kids)[:limit]


@lru_cache(maxsize=65536)
def check(code: str, year: int = NEWEST) -> tuple[str, str] | None:
    """None when ``code`` (already normalised, e.g. ``F41.1``) is billable in the ICD-10-CM code
    set of fiscal year ``year`` (see :func:`fiscal_year`), else ``(kind, message)`` with kind
    ``malformed``, ``unknown``, ``header`` or ``unlisted`` (not in the nearest shipped code set,
    for a year claimcheck does not ship)."""
    if not SHAPE.match(code):
        return "malformed", f"{shown(code)} is not shaped like an ICD-10-CM code (e.g. F41.1)"
    shipped = min(max(year, YEARS[0]), NEWEST)
    found = status(code, shipped)
    if found == "billable":
        return None
    if found == "header":
        kids = _children(code, shipped)
        hint = f" (e.g. {', '.join(kids)})" if kids else ""
        return "header", f"{code} is a category, not a billable code; use a more specific code{hint}"
    if shipped != year:
        return "unlisted", (f"{code} is not in ICD-10-CM FY{shipped}, the {'newest' if year > NEWEST else 'oldest'} "
                            f"code set claimcheck has; the date of service falls in FY{year}: check the code "
                            f"against FY{year}'s code set")
    if year < NEWEST:
        return "unknown", f"{code} is not in ICD-10-CM FY{year} (dates of service {year - 1}-10-01 to {year}-09-30)"
    return "unknown", f"{code} is not in ICD-10-CM FY{year}"
