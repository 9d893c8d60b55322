"""ICD-10-CM FY2026 diagnosis codes: valid, billable (a leaf of the tree) or a category header.

Source: the ``simple-icd-10-cm`` package (MIT; CDC's ICD-10-CM FY2026 XML, April 2026 edition).
Importing that package parses the whole code set (about 3 s), so the first use builds a compact
index - one line per code: code, billable flag, description - and caches it under the user's
cache folder (``CLAIMCHECK_CACHE_DIR`` overrides; ``~/.cache/claimcheck`` by default).  Later
starts read the index in a few tens of milliseconds.  When the cache cannot be written (a
read-only home, Pyodide) the index is simply kept in memory.

Billable follows the domain reference: ``is_leaf(c) and not is_chapter(c) and "-" not in c``
(``is_chapter_or_block`` wrongly flags F99, B20 ...).
"""

from __future__ import annotations

import bisect
import gzip
import marshal
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .atomic import replacing
from .values import shown

SHAPE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$")
INDEX_FORMAT = 1


@dataclass(frozen=True)
class Icd10Index:
    edition: str
    billable: frozenset[str]
    headers: frozenset[str]
    descriptions_path: Path | None
    _descriptions: dict[str, str] | None = None

    def is_valid(self, code: str) -> bool:
        return code in self.billable or code in self.headers

    def is_billable(self, code: str) -> bool:
        return code in self.billable

    def children(self, code: str, limit: int = 3) -> list[str]:
        """A few billable codes under a category header, for a helpful message."""
        prefix = code if "." in code or len(code) > 3 else code + "."
        ordered = _sorted_billable(self.billable)
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
    return _cache_dir() / f"icd10cm-index-v{INDEX_FORMAT}-{_package_version()}.tsv.gz"


def _build_rows() -> list[tuple[str, bool, str]]:
    import simple_icd_10_cm as cm  # slow import: only when the cache is missing

    rows = []
    for code in cm.get_all_codes(True):
        if "-" in code or cm.is_chapter(code):
            continue
        rows.append((code, bool(cm.is_leaf(code)), cm.get_description(code)))
    return rows


def _write_cache(path: Path, rows: list[tuple[str, bool, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp, open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as fh:
        fh.write("".join(f"{c}\t{int(b)}\t{d}\n" for c, b, d in rows).encode("utf-8"))


def _write_codes(path: Path, billable: set[str], headers: set[str]) -> None:
    """Best effort: a marshal copy of the code sets next to the TSV index."""
    try:
        with replacing(path) as tmp:
            tmp.write_bytes(marshal.dumps((tuple(sorted(billable)), tuple(sorted(headers)))))
    except OSError:
        pass


@lru_cache(maxsize=1)
def index() -> Icd10Index:
    """The ICD-10-CM index, built once and cached on disk."""
    path = _cache_path()
    billable: set[str] = set()
    headers: set[str] = set()
    codes_path = path.with_name(path.name.replace(".tsv.gz", ".codes.marshal"))
    try:  # the codes alone, in marshal form: ~10x faster to load than the TSV (cold start)
        if codes_path.stat().st_mtime >= path.stat().st_mtime:
            loaded_billable, loaded_headers = marshal.loads(codes_path.read_bytes())
            if len(loaded_billable) >= 70000:
                return Icd10Index("FY2026", frozenset(loaded_billable), frozenset(loaded_headers), path)
    except Exception:
        pass
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            text = fh.read()
        for line in text.splitlines():
            code, flag, _ = line.split("\t", 2)
            (billable if flag == "1" else headers).add(code)
        if len(billable) < 70000:  # a truncated cache: rebuild
            raise ValueError("short cache")
        _write_codes(codes_path, billable, headers)
        return Icd10Index("FY2026", frozenset(billable), frozenset(headers), path)
    except Exception:
        pass
    rows = _build_rows()
    for code, leaf, _ in rows:
        (billable if leaf else headers).add(code)
    try:
        _write_cache(path, rows)
        desc_path: Path | None = path
    except OSError:
        desc_path = None
        _memory_descriptions.update({c: d for c, _, d in rows})
    return Icd10Index("FY2026", frozenset(billable), frozenset(headers), desc_path)


_memory_descriptions: dict[str, str] = {}


@lru_cache(maxsize=1)
def _descriptions() -> dict[str, str]:
    idx = index()
    if _memory_descriptions:
        return _memory_descriptions
    out: dict[str, str] = {}
    if idx.descriptions_path is not None:
        with gzip.open(idx.descriptions_path, "rt", encoding="utf-8") as fh:
            for line in fh:
                code, _, desc = line.rstrip("\n").split("\t", 2)
                out[code] = desc
    return out


def description(code: str) -> str:
    """The official ICD-10-CM description (public domain, CDC) or ''."""
    return _descriptions().get(code, "")


@lru_cache(maxsize=65536)
def check(code: str) -> tuple[str, str] | None:
    """None when ``code`` (already normalised, e.g. ``F41.1``) is billable, else
    ``(kind, message)`` with kind ``malformed``, ``unknown`` or ``header``."""
    if not SHAPE.match(code):
        return "malformed", f"{shown(code)} is not shaped like an ICD-10-CM code (e.g. F41.1)"
    idx = index()
    if code in idx.billable:
        return None
    if code in idx.headers:
        kids = idx.children(code)
        hint = f" (e.g. {', '.join(kids)})" if kids else ""
        return "header", f"{code} is a category, not a billable code; use a more specific code{hint}"
    return "unknown", f"{code} is not in ICD-10-CM FY2026"
