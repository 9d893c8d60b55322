"""The workbook file as a zip package, looked at before and around reading it: checks that
refuse a file that cannot be used (not a workbook, password-protected, .xls/.xlsb, Strict Open
XML, a zip bomb), the Excel Tables' ranges, parts that are missing or damaged and the one-line
refusal for them, and the content a copy written with openpyxl would lose.  Parsed with
defusedxml; nothing here modifies the file.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
from pathlib import Path

from . import columns as C
from .errors import UnusableInput

#: Refuse workbooks whose parts would inflate beyond this (zip-bomb guard); see docs/security.md.
MAX_UNCOMPRESSED_BYTES = int(os.environ.get("CLAIMCHECK_MAX_UNCOMPRESSED", 2 * 1024**3))
MAX_RATIO = 200  # declared inflation ratio above which a large part is refused
MAX_ROWS = int(os.environ.get("CLAIMCHECK_MAX_ROWS", 2_000_000))


# --------------------------------------------------------------------------- file checks

def check_file(path: Path) -> None:
    """Raise :class:`UnusableInput` with one plain line when the file cannot be read as a workbook."""
    if not path.exists():
        raise UnusableInput(f"{path}: file not found; check the path and file name")
    if path.is_dir():
        raise UnusableInput(f"{path}: is a folder, not a workbook; give the .xlsx file")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if _is_encrypted_ooxml(path):
            raise UnusableInput(
                f"{path}: the workbook is password-protected; open it in Excel, remove the "
                "password (File > Info > Protect Workbook) and save a copy"
            )
        raise UnusableInput(
            f"{path}: this is an old-format .xls workbook; open it in Excel and save it as "
            ".xlsx (File > Save As > Excel Workbook)"
        )
    if not head.startswith(b"PK"):
        if not head:
            raise UnusableInput(f"{path}: the file is empty; it is not an Excel workbook")
        raise UnusableInput(
            f"{path}: not an Excel workbook (.xlsx or .xlsm); if it is a CSV or text file, "
            "open it in Excel and save it as .xlsx"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.file_size > 50 * 1024**2 and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                    raise UnusableInput(
                        f"{path}: refused: part {info.filename} would inflate {info.file_size // info.compress_size}x "
                        "(a zip bomb or a damaged file)"
                    )
            if total > MAX_UNCOMPRESSED_BYTES:
                raise UnusableInput(
                    f"{path}: refused: the workbook would inflate to {total // 1024**2} MB, above the "
                    f"{MAX_UNCOMPRESSED_BYTES // 1024**2} MB limit (CLAIMCHECK_MAX_UNCOMPRESSED raises it)"
                )
    except zipfile.BadZipFile:
        raise UnusableInput(f"{path}: the file is damaged or not an Excel workbook") from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise UnusableInput(f"{path}: a zip file but not an Excel workbook (no xl/workbook.xml)")
    if "xl/workbook.bin" in names:
        raise UnusableInput(f"{path}: a binary .xlsb workbook; save it as .xlsx in Excel")
    if _is_strict(path):
        raise UnusableInput(
            f"{path}: a Strict Open XML workbook, which claimcheck cannot read; open it in Excel and save it "
            "as an ordinary workbook (File > Save As > 'Excel Workbook (*.xlsx)', not 'Strict Open XML Spreadsheet')"
        )


#: The namespace of Strict Open XML (ISO/IEC 29500 Strict) workbooks, where the usual
#: (Transitional) ones use schemas.openxmlformats.org; neither reader understands it.
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/"


def _is_strict(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            for part in ("_rels/.rels", "xl/workbook.xml"):
                if part in zf.namelist():
                    with zf.open(part) as fh:
                        if _STRICT_NAMESPACE in fh.read(4096):
                            return True
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError):
        return False
    return False


def _is_encrypted_ooxml(path: Path) -> bool:
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:
        with open(path, "rb") as fh:
            blob = fh.read(1 << 16)
        return "EncryptionInfo".encode("utf-16-le") in blob


# --------------------------------------------------------------------------- tables

def table_ranges(path: Path, totals: dict[str, set[int]] | None = None) -> dict[str, list[tuple[int, int, int, int]]]:
    """Excel Table ranges per sheet name: (first_row, first_col, last_row, last_col), 1-based.
    ``totals``, when given, gets the Excel rows of each sheet's tables' totals rows.

    Read from the package parts directly, because openpyxl's fast read-only mode does not
    load tables.  Parsed with defusedxml (no entity expansion).
    """
    from defusedxml import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    ns_pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())

            def rels_of(part: str) -> dict[str, str]:
                folder, base = posixpath.split(part)
                rel_part = posixpath.join(folder, "_rels", base + ".rels")
                if rel_part not in names:
                    return {}
                root = ET.fromstring(zf.read(rel_part))
                result = {}
                for rel in root.iter(ns_pkg + "Relationship"):
                    target = rel.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                    result[rel.get("Id", "")] = target
                return result

            wb_rels = rels_of("xl/workbook.xml")
            root = ET.fromstring(zf.read("xl/workbook.xml"))
            for sheet in root.iter(ns_main + "sheet"):
                part = wb_rels.get(sheet.get(ns_rel + "id", ""), "")
                if part not in names:
                    continue
                for target in rels_of(part).values():
                    if "/tables/" in target and target in names:
                        troot = ET.fromstring(zf.read(target))
                        ref = troot.get("ref")
                        if ref:
                            min_col, min_row, max_col, max_row = range_boundaries(ref)
                            out.setdefault(sheet.get("name", ""), []).append((min_row, min_col, max_row, max_col))
                            count = troot.get("totalsRowCount") or "0"
                            if totals is not None and count.isdigit() and int(count) > 0:
                                totals.setdefault(sheet.get("name", ""), set()).update(
                                    range(max_row - int(count) + 1, max_row + 1))
    except Exception:
        return {}
    return out


def range_boundaries(ref: str) -> tuple[int, int, int, int]:
    """``"A1:V200"`` -> (min_col, min_row, max_col, max_row), 1-based, as openpyxl's function of
    that name (kept here so that reading with calamine does not import openpyxl: ~0.25 s)."""
    import re

    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?", ref.strip())
    if not m:
        raise ValueError(f"{ref!r} is not a cell range")

    def col(letters: str) -> int:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        return n

    c1, r1 = col(m[1]), int(m[2])
    c2, r2 = (col(m[3]), int(m[4])) if m[3] else (c1, r1)
    return c1, r1, c2, r2


# --------------------------------------------------------------------------- damaged parts

class DamagedSheet(list):
    """The rows of a sheet the workbook lists but whose part is missing or cannot be read
    (empty), with the reason."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


def damaged_message(sheet: str, reason: str) -> str:
    return (f"the {sheet} sheet is damaged ({reason}); open and re-save the workbook in Excel, "
            "or restore the sheet from a backup")


def is_damage(exc: BaseException) -> bool:
    """True when ``exc``, raised reading one sheet, says its part is damaged (cut short, not
    well-formed, failing its checksum), not hostile (entities) nor too large."""
    if isinstance(exc, (UnusableInput, MemoryError)) or type(exc).__name__ in (
            "EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return False
    import zlib

    return (isinstance(exc, (zipfile.BadZipFile, zlib.error, KeyError, EOFError))
            or type(exc).__name__ in ("ParseError", "XMLSyntaxError") or "CRC" in str(exc))


def _scan_parts(zf: zipfile.ZipFile, keys: set[str]) -> list[tuple[str, str | None, str | None]]:
    """(sheet name, its part or None when missing, why it is damaged or None) for each sheet the
    workbook lists whose name reads as one of ``keys``; a part is damaged when it is missing or
    is not well-formed XML."""
    from defusedxml import ElementTree as ET

    from .extent import listed_sheets

    out = []
    for name, part in listed_sheets(zf):
        if C.key(name) not in keys:
            continue
        if part is None:
            out.append((name, None, "its part is missing from the file"))
            continue
        why = None
        try:
            with zf.open(part) as fh:
                for _ in ET.iterparse(fh):
                    pass
        except Exception as exc:
            if is_damage(exc):
                why = "its part cannot be read"
        out.append((name, part, why))
    return out


def damaged_sheets(path: str | os.PathLike) -> dict[str, str]:
    """The reference sheets (Payers, Providers, Authorizations) the workbook lists whose part is
    missing or is not well-formed XML, with the reason (for commands that read the book
    elsewhere and must not report success over a damaged sheet)."""
    reference = {C.key(k) for k in C.SHEETS if k != "Claims"}
    try:
        with zipfile.ZipFile(path) as zf:
            return {name: why for name, _, why in _scan_parts(zf, reference) if why}
    except (OSError, zipfile.BadZipFile, KeyError):
        return {}


def refusal(path: Path, exc: BaseException) -> UnusableInput:
    """The one-line message for a workbook whose parts could not be parsed."""
    name = type(exc).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return UnusableInput(f"{path}: refused: the workbook's XML declares entities or a DTD "
                             "(an XML bomb or external-entity attack); re-save it from Excel")
    if isinstance(exc, zipfile.BadZipFile) or "CRC" in str(exc) or "Bad magic" in str(exc):
        return UnusableInput(f"{path}: the file is damaged (a zip part does not match its header); "
                             "open and re-save it in Excel")
    if isinstance(exc, MemoryError):
        return UnusableInput(f"{path}: the workbook is too large to read in memory; split it by year or payer")
    bad = sorted(unparseable_sheets(path)) if is_damage(exc) else []
    if bad:
        return UnusableInput(f"{path}: {damaged_message(bad[0], 'its part cannot be read')}")
    return UnusableInput(f"{path}: the workbook could not be read ({name}); open and re-save it in Excel")


_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData/></worksheet>')


def unparseable_sheets(path) -> dict[str, str]:
    """Contract sheet name -> its part, for each part that is not well-formed XML."""
    try:
        with zipfile.ZipFile(path) as zf:
            return {name: part for name, part, why in _scan_parts(zf, {C.key(k) for k in C.SHEETS})
                    if part is not None and why}
    except Exception:
        return {}


def with_empty_parts(path, bad: dict[str, str]):
    """An in-memory copy of the workbook with the ``bad`` sheets' parts emptied."""
    import io

    parts = set(bad.values())
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, _EMPTY_SHEET if info.filename in parts else zin.read(info))
    buffer.seek(0)
    return buffer


# --------------------------------------------------------------------------- what a copy loses

_UNCARRIED = (
    ("xl/ctrlProps/", "form controls (buttons, check boxes)"),
    ("xl/activeX/", "ActiveX controls"),
    ("xl/slicers/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("customUI/customUI14.xml", "the Office 2010 ribbon part (customUI14)"),
)


def uncarried_content(path: str | os.PathLike) -> list[str]:
    """Things in the workbook that a copy written with openpyxl would lose: shapes and text
    boxes in drawings, form controls, ActiveX, slicers, the customUI14 ribbon part."""
    found: list[str] = []
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            shapes = 0
            for name in names:
                if name.startswith("xl/drawings/") and name.endswith(".xml") and "/_rels/" not in name:
                    info = zf.getinfo(name)
                    if info.file_size > 20 * 1024**2:
                        continue
                    data = zf.read(name)
                    shapes += data.count(b"<xdr:sp>") + data.count(b"<xdr:sp ")
                if name.startswith("xl/drawings/vmlDrawing") and b"ClientData ObjectType=\"Button\"" in zf.read(name):
                    found.append("form buttons drawn in legacy VML")
            if shapes:
                found.append(f"{shapes} shape{'s' if shapes > 1 else ''} or text box{'es' if shapes > 1 else ''}")
            for prefix, what in _UNCARRIED:
                if any(n.startswith(prefix) for n in names):
                    found.append(what)
    except (zipfile.BadZipFile, OSError, KeyError):
        return []
    return sorted(set(found))
