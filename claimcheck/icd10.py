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

A practice can load a fiscal year claimcheck does not ship (FY2027 from October 1, 2026, before a
claimcheck release carries it): CMS and CDC publish each year's code set as an *order file*
(``icd10cm_order_2027.txt`` in CMS's "Code Descriptions in Tabular Order" ZIP, cms.gov/medicare/
coding-billing/icd-10-codes; ``icd10cm-order-2027.txt`` on CDC's ICD-10-CM page).  Put the file
(or the ZIP as downloaded) in the tables folder (``--tables DIR``, ``CLAIMCHECK_TABLES``) and
:func:`claimcheck.tables.load_tables` reads it into the run's :class:`CodeSets`; the DX rules and
CHECK_DX then check that year's dates of service against it.  The order file is fixed width
(CMS's file layout): columns 7-13 the code without its dot, column 15 ``1`` for a code valid
on a claim (billable) and ``0`` for a header.

Billable follows the domain reference: ``is_leaf(c) and not is_chapter(c) and "-" not in c``
(``is_chapter_or_block`` wrongly flags F99, B20 ...).
"""

from __future__ import annotations

import bisect
import gzip
import os
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .atomic import replacing
from .errors import UnusableInput
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
    #: code -> its long description, for a code set read from an order file (the shipped sets
    #: take theirs from simple-icd-10-cm: :func:`description`)
    descriptions: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

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


def check(code: str, year: int = NEWEST) -> tuple[str, str] | None:
    """None when ``code`` (already normalised, e.g. ``F41.1``) is billable in the ICD-10-CM code
    set of fiscal year ``year`` (see :func:`fiscal_year`), else ``(kind, message)`` with kind
    ``malformed``, ``unknown``, ``header`` or ``unlisted`` (not in the nearest shipped code set,
    for a year claimcheck does not ship).  The shipped code sets only: a run with the practice's
    own years asks its :class:`CodeSets`."""
    return SHIPPED.check(code, year)


#: The name of a code set's order file (CMS ``icd10cm_order_2027.txt``, CDC
#: ``icd10cm-order-2027.txt`` or ``icd10cm-order-April-2027.txt``): its fiscal year.
ORDER_FILE = re.compile(r"icd10cm[-_]order[-_](?:(?:april|january|october)[-_])?(\d{4})\.txt", re.I)


def read_order_file(text: str, name: str) -> Icd10Index:
    """A fiscal year's code set from its order file (see the module's notes); a line that is not
    shaped like one stops with :class:`UnusableInput` naming the file and the line."""
    billable: list[str] = []
    headers: list[str] = []
    descriptions: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, flag = line[6:13].strip(), line[14:15]
        dotted = code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
        if not line[:5].strip().isdigit() or flag not in ("0", "1") or not SHAPE.match(dotted):
            raise UnusableInput(f"{name} line {n}: not a line of an ICD-10-CM order file (order number, code, "
                                "0 or 1, descriptions); use the order file from CMS's or CDC's ICD-10-CM page")
        (billable if flag == "1" else headers).append(dotted)
        descriptions[dotted] = line[77:].strip()
    if not billable:
        raise UnusableInput(f"{name}: no billable codes; use the order file from CMS's or CDC's ICD-10-CM page")
    billable.sort()
    return Icd10Index(name, frozenset(billable), frozenset(headers), tuple(billable), descriptions)


def read_order_files(folder: str | Path | None) -> dict[int, Icd10Index]:
    """The code sets of the order files in ``folder`` (the tables folder), by fiscal year: each
    ``icd10cm*order*YYYY.txt`` there, or inside a ZIP there as CMS and CDC publish it.  Two files
    for one year (an October file and its April update): the April one, the later edition."""
    if not folder or not Path(folder).is_dir():
        return {}
    found: dict[int, tuple[str, Icd10Index]] = {}

    def add(name: str, read) -> None:
        m = ORDER_FILE.fullmatch(Path(name).name)
        if not m:
            return
        year = int(m[1])
        edition = (1 if "april" in name.lower() else 0, name)
        if year in found and found[year][0] >= edition:
            return
        try:
            text = read().decode("utf-8", errors="replace")
        except (OSError, zipfile.BadZipFile) as exc:
            raise UnusableInput(f"{name}: cannot be read ({exc.__class__.__name__})") from None
        found[year] = (edition, read_order_file(text, name))

    for path in sorted(Path(folder).iterdir()):
        if not path.is_file():
            continue
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as zf:
                    for member in zf.namelist():
                        add(f"{path.name}/{member}", lambda member=member, zf=zf: zf.read(member))
            except zipfile.BadZipFile:
                raise UnusableInput(f"{path}: not a ZIP file that can be read") from None
        else:
            add(str(path), path.read_bytes)
    return {year: index for year, (_, index) in sorted(found.items())}


@dataclass(frozen=True, eq=False)
class CodeSets:
    """The ICD-10-CM code sets a run checks diagnoses against: the shipped years (FY2025, FY2026)
    and the practice's own (``own``: fiscal year -> code set, from order files in the tables
    folder; a year given there replaces the shipped one)."""

    own: dict[int, Icd10Index] = field(default_factory=dict)

    def years(self) -> tuple[int, ...]:
        return tuple(sorted(set(YEARS) | set(self.own)))

    def nearest(self, year: int) -> int:
        """The year whose code set checks a date of service in fiscal year ``year``: that year,
        else the newest earlier one, else the oldest."""
        years = self.years()
        earlier = [y for y in years if y <= year]
        return earlier[-1] if earlier else years[0]

    def status(self, code: str, year: int) -> str:
        """``billable``, ``header`` or ``absent`` in the code set of ``year`` (one of :meth:`years`)."""
        own = self.own.get(year)
        if own is None:
            return status(code, year)
        if code in own.billable:
            return "billable"
        return "header" if code in own.headers else "absent"

    def may_differ(self, code: str) -> bool:
        """Whether ``code`` could be flagged in some fiscal year: not billable in the newest
        shipped code set, changed since the previous one, or read otherwise in an own year."""
        if self.check(code) is not None or changed(code):
            return True
        return any(self.status(code, year) != "billable" for year in self.own)

    def description(self, code: str) -> str:
        """The code's description in the newest own year's order file that has it, else the
        shipped one (:func:`description`), else ''."""
        for year in sorted(self.own, reverse=True):
            if self.own[year].descriptions.get(code):
                return self.own[year].descriptions[code]
        return description(code)

    def check(self, code: str, year: int = NEWEST) -> tuple[str, str] | None:
        """As :func:`check`, in these code sets."""
        return _check_in(self, code, year)


def _children_in(sets: CodeSets, code: str, year: int, limit: int = 3) -> list[str]:
    own = sets.own.get(year)
    return own.children(code, limit) if own is not None else _children(code, year, limit)


@lru_cache(maxsize=65536)
def _check_in(sets: CodeSets, code: str, year: int) -> tuple[str, str] | None:
    if not SHAPE.match(code):
        return "malformed", f"{shown(code)} is not shaped like an ICD-10-CM code (e.g. F41.1)"
    shipped = sets.nearest(year)
    found = sets.status(code, shipped)
    if found == "billable":
        return None
    if found == "header":
        kids = _children_in(sets, code, shipped)
        hint = f" (e.g. {', '.join(kids)})" if kids else ""
        return "header", f"{code} is a category, not a billable code; use a more specific code{hint}"
    if shipped != year:
        years = sets.years()
        which = "newest" if shipped == years[-1] else "oldest" if year < shipped else "nearest earlier"
        return "unlisted", (f"{code} is not in ICD-10-CM FY{shipped}, the {which} "
                            f"code set claimcheck has; the date of service falls in FY{year}: check the code "
                            f"against FY{year}'s code set")
    if year < sets.years()[-1] or year in sets.own:
        return "unknown", f"{code} is not in ICD-10-CM FY{year} (dates of service {year - 1}-10-01 to {year}-09-30)"
    return "unknown", f"{code} is not in ICD-10-CM FY{year}"


#: The code sets shipped with claimcheck.
SHIPPED = CodeSets()
