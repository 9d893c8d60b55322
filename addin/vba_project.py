"""Pure-Python writer for Excel VBA projects (``vbaProject.bin``).

The output follows the public Microsoft specifications (the compression is in
:mod:`.ovba_compression`, the compound file writer in :mod:`.compound_file`):

* **[MS-OVBA]** *Office VBA File Format Structure* -- the streams of a VBA
  project storage (section 2.2), the ``PROJECT`` stream (2.3.1), the
  ``PROJECTwm`` stream (2.3.3), the ``VBA/_VBA_PROJECT`` stream (2.3.4.1), the
  ``VBA/dir`` stream (2.3.4.2), module streams (2.3.4.3), the compression
  algorithm (2.4.1) and the "data encryption" used for the ``CMG``/``DPB``/
  ``GC`` values (2.4.3).
* **[MS-CFB]** *Compound File Binary File Format* -- the OLE container the
  storage is serialised into (header 2.2, sector chains 2.3, FAT 2.3, MiniFAT
  2.4, directory entries 2.6, red-black tree 2.6.4, mini stream 2.6.3).

The project is written *without* a performance cache: ``_VBA_PROJECT`` has
version ``0xFFFF`` and every ``MODULEOFFSET`` is 0, so Office has to compile
the modules from their (compressed) source text when the workbook is opened.

Typical use::

    from claimcheck.addin.vba_project import VbaModule, ModuleKind, build_vba_project
    modules = [
        VbaModule("ThisWorkbook", "", ModuleKind.DOCUMENT),
        VbaModule("Sheet1", "", ModuleKind.DOCUMENT),
        VbaModule("Module1", 'Sub Hello()\\n  MsgBox "hi"\\nEnd Sub\\n'),
    ]
    data = build_vba_project(modules)
    workbook.add_vba_project(io.BytesIO(data), is_stream=True)  # XlsxWriter

No network access, no third-party dependencies.
"""

from __future__ import annotations

import enum
import os
import re
import secrets
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .compound_file import build_compound_file
from .ovba_compression import compress

__all__ = [
    "ModuleKind",
    "VbaModule",
    "build_vba_project",
    "excel_document_modules",
    "load_vba_sources",
    "module_source_text",
    "encrypt_project_data",
    "decrypt_project_data",
]

# ---------------------------------------------------------------------------
# MS-OVBA 2.4.3 -- data "encryption" for CMG / DPB / GC
# ---------------------------------------------------------------------------


def _proj_key(project_id: str) -> int:
    """ProjKey: byte sum of the ProjectCLSID text incl. braces (2.4.3.2)."""
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt_project_data(project_id: str, data: bytes, seed: int | None = None) -> str:
    """Obfuscate ``data`` per MS-OVBA 2.4.3.2 and return it as hex text.

    ``project_id`` is the ``{GUID}`` written in the ``ID=`` line of the
    ``PROJECT`` stream. ``seed`` (0..255) is random unless given; the ignored
    bytes are random as the spec allows ("any value").
    """
    if seed is None:
        seed = secrets.randbelow(256)
    version = 2
    key = _proj_key(project_id)
    out = bytearray([seed, seed ^ version, seed ^ key])
    unenc1, enc1, enc2 = key, seed ^ key, seed ^ version

    def put(byte: int) -> None:
        nonlocal unenc1, enc1, enc2
        b_enc = (byte ^ ((enc2 + unenc1) & 0xFF)) & 0xFF
        out.append(b_enc)
        enc2, enc1, unenc1 = enc1, b_enc, byte

    for _ in range((seed & 6) // 2):
        put(secrets.randbelow(256))
    for byte in struct.pack("<I", len(data)) + bytes(data):
        put(byte)
    return out.hex().upper()


def decrypt_project_data(hex_text: str, project_id: str | None = None) -> bytes:
    """Reverse :func:`encrypt_project_data` (MS-OVBA 2.4.3.3).

    If ``project_id`` is given the embedded ProjKey is checked against it.
    """
    enc = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = enc[0], enc[1], enc[2]
    if seed ^ version_enc != 2:
        raise ValueError("unsupported encryption version")
    key = seed ^ key_enc
    if project_id is not None and key != _proj_key(project_id):
        raise ValueError("ProjKey does not match the project id")
    unenc1, enc1, enc2 = key, key_enc, version_enc
    plain = bytearray()
    for b_enc in enc[3:]:
        byte = (b_enc ^ ((enc2 + unenc1) & 0xFF)) & 0xFF
        plain.append(byte)
        enc2, enc1, unenc1 = enc1, b_enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    data = bytes(plain[ignored + 4 : ignored + 4 + length])
    if len(data) != length:
        raise ValueError("encrypted data shorter than its length field")
    return data


# ---------------------------------------------------------------------------
# VBA project model
# ---------------------------------------------------------------------------


class ModuleKind(enum.Enum):
    """Kind of a VBA module.

    ``STANDARD`` -> ``Module=`` line, MODULETYPE 0x0021 (procedural);
    ``CLASS`` -> ``Class=`` line, MODULETYPE 0x0022;
    ``DOCUMENT`` (ThisWorkbook, Sheet1, ...) -> ``Document=`` line, 0x0022.
    """

    STANDARD = "standard"
    CLASS = "class"
    DOCUMENT = "document"


_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

_IDENT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")


@dataclass(frozen=True)
class VbaModule:
    """One VBA module.

    ``source`` is the module body as shown in the VBA editor -- without the
    hidden ``Attribute VB_...`` header, which :func:`build_vba_project`
    generates from ``kind`` (see :func:`module_source_text`). ``attributes``
    overrides/extends header attributes (e.g. ``{"VB_PredeclaredId": "True"}``
    for a class, or ``{"VB_Base": ...}`` for a chart sheet document module);
    values are VBA literal text written verbatim.
    """

    name: str
    source: str = ""
    kind: ModuleKind = ModuleKind.STANDARD
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _IDENT_RE.match(self.name):
            raise ValueError(f"invalid VBA module name {self.name!r} (letter first, [A-Za-z0-9_], <= 31)")


def _header_attributes(module: VbaModule) -> list[tuple[str, str]]:
    """The ``Attribute`` lines Excel writes at the top of a module stream."""
    if module.kind is ModuleKind.STANDARD:
        attrs: list[tuple[str, str]] = []
    elif module.kind is ModuleKind.CLASS:
        attrs = [
            ("VB_Base", f'"{_CLASS_BASE}"'),
            ("VB_GlobalNameSpace", "False"),
            ("VB_Creatable", "False"),
            ("VB_PredeclaredId", "False"),
            ("VB_Exposed", "False"),
            ("VB_TemplateDerived", "False"),
            ("VB_Customizable", "False"),
        ]
    else:
        base = _WORKBOOK_BASE if module.name == "ThisWorkbook" else _WORKSHEET_BASE
        attrs = [
            ("VB_Base", f'"{base}"'),
            ("VB_GlobalNameSpace", "False"),
            ("VB_Creatable", "False"),
            ("VB_PredeclaredId", "True"),
            ("VB_Exposed", "True"),
            ("VB_TemplateDerived", "False"),
            ("VB_Customizable", "True"),
        ]
    overrides = {k: v for k, v in module.attributes.items() if k != "VB_Name"}
    attrs = [(k, overrides.pop(k, v)) for k, v in attrs]
    attrs += list(overrides.items())
    return [("VB_Name", f'"{module.name}"')] + attrs


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def module_source_text(module: VbaModule) -> str:
    """Full text stored in the module stream: attribute header + body, CRLF."""
    lines = [f"Attribute {k} = {v}" for k, v in _header_attributes(module)]
    body = _crlf(module.source)
    text = "\r\n".join(lines) + "\r\n" + body
    if body and not text.endswith("\r\n"):
        text += "\r\n"
    return text


def excel_document_modules(
    sheet_codenames: Sequence[str] = ("Sheet1",), workbook_codename: str = "ThisWorkbook"
) -> list[VbaModule]:
    """Empty document modules for a workbook and its worksheets.

    The names must match the ``codeName`` attributes in the workbook XML
    (XlsxWriter uses ``ThisWorkbook`` and ``Sheet1``, ``Sheet2``, ... by
    default once a VBA project is added).
    """
    mods = [VbaModule(workbook_codename, "", ModuleKind.DOCUMENT, {"VB_Base": f'"{_WORKBOOK_BASE}"'})]
    mods += [VbaModule(n, "", ModuleKind.DOCUMENT, {"VB_Base": f'"{_WORKSHEET_BASE}"'}) for n in sheet_codenames]
    return mods


# ---------------------------------------------------------------------------
# MS-OVBA 2.3 -- streams of the VBA project storage
# ---------------------------------------------------------------------------

_STDOLE_LIBID = (
    "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
    "C:\\Windows\\System32\\stdole2.tlb#OLE Automation"
)
_OFFICE_LIBID = (
    "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
    "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL#"
    "Microsoft Office 16.0 Object Library"
)


def _rec(rec_id: int, payload: bytes) -> bytes:
    """A dir-stream record: Id (2 bytes), Size (4 bytes), data."""
    return struct.pack("<HI", rec_id, len(payload)) + payload


def _rec_u32(rec_id: int, value: int) -> bytes:
    return _rec(rec_id, struct.pack("<I", value))


def _rec_u16(rec_id: int, value: int) -> bytes:
    return _rec(rec_id, struct.pack("<H", value))


def _enc(text: str, codepage: int) -> bytes:
    """Encode MBCS text in the project code page (PROJECTCODEPAGE)."""
    return text.encode(f"cp{codepage}")


def _dir_stream(
    modules: Sequence[VbaModule],
    project_name: str,
    codepage: int,
    lcid: int,
    include_office_reference: bool,
) -> bytes:
    """Uncompressed ``VBA/dir`` content (MS-OVBA 2.3.4.2).

    PROJECTINFORMATION (2.3.4.2.1), PROJECTREFERENCES (2.3.4.2.2) and
    PROJECTMODULES (2.3.4.2.3) followed by the dir Terminator (0x0010).
    """
    u16 = lambda s: s.encode("utf-16-le")  # noqa: E731
    out = bytearray()
    # 2.3.4.2.1 PROJECTINFORMATION
    out += _rec_u32(0x0001, 0x00000001)  # PROJECTSYSKIND: 32-bit Windows
    out += _rec_u32(0x0002, lcid)  # PROJECTLCID
    out += _rec_u32(0x0014, lcid)  # PROJECTLCIDINVOKE
    out += _rec_u16(0x0003, codepage)  # PROJECTCODEPAGE
    out += _rec(0x0004, _enc(project_name, codepage))  # PROJECTNAME
    out += _rec(0x0005, b"") + _rec(0x0040, b"")  # PROJECTDOCSTRING (+ Unicode)
    out += _rec(0x0006, b"") + _rec(0x003D, b"")  # PROJECTHELPFILEPATH (1 and 2)
    out += _rec_u32(0x0007, 0)  # PROJECTHELPCONTEXT
    out += _rec_u32(0x0008, 0)  # PROJECTLIBFLAGS
    # PROJECTVERSION: Id, Reserved (=4), VersionMajor (4), VersionMinor (2)
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)
    out += _rec(0x000C, b"") + _rec(0x003C, b"")  # PROJECTCONSTANTS (+ Unicode)
    # 2.3.4.2.2 PROJECTREFERENCES: REFERENCENAME + REFERENCEREGISTERED
    refs = [("stdole", _STDOLE_LIBID)]
    if include_office_reference:
        refs.append(("Office", _OFFICE_LIBID))
    for ref_name, libid in refs:
        out += _rec(0x0016, _enc(ref_name, codepage)) + _rec(0x003E, u16(ref_name))
        libid_b = _enc(libid, codepage)
        registered = struct.pack("<I", len(libid_b)) + libid_b + struct.pack("<IH", 0, 0)
        out += _rec(0x000D, registered)
    # 2.3.4.2.3 PROJECTMODULES
    out += _rec_u16(0x000F, len(modules))
    out += _rec_u16(0x0013, 0xFFFF)  # PROJECTCOOKIE
    for m in modules:
        out += _rec(0x0019, _enc(m.name, codepage))  # MODULENAME
        out += _rec(0x0047, u16(m.name))  # MODULENAMEUNICODE
        out += _rec(0x001A, _enc(m.name, codepage)) + _rec(0x0032, u16(m.name))  # MODULESTREAMNAME
        out += _rec(0x001C, b"") + _rec(0x0048, b"")  # MODULEDOCSTRING
        out += _rec_u32(0x0031, 0)  # MODULEOFFSET: no performance cache
        out += _rec_u32(0x001E, 0)  # MODULEHELPCONTEXT
        out += _rec_u16(0x002C, 0xFFFF)  # MODULECOOKIE
        out += _rec(0x0021 if m.kind is ModuleKind.STANDARD else 0x0022, b"")  # MODULETYPE
        out += _rec(0x002B, b"")  # module Terminator
    out += _rec(0x0010, b"")  # dir Terminator
    return bytes(out)


def _project_stream(modules: Sequence[VbaModule], project_name: str, project_id: str, codepage: int) -> bytes:
    """The ``PROJECT`` stream text (MS-OVBA 2.3.1), CRLF line endings.

    CMG/DPB/GC are the unprotected values: ProjectProtectionState 0x00000000
    (2.3.1.15), ProjectPassword 0x00 = no password (2.3.1.16) and
    ProjectVisibilityState 0xFF = visible (2.3.1.17), each obfuscated with
    Data Encryption (2.4.3.2).
    """
    lines = [f'ID="{project_id}"']
    for m in modules:
        if m.kind is ModuleKind.DOCUMENT:
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind is ModuleKind.CLASS:
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt_project_data(project_id, bytes(4))}"',
        f'DPB="{encrypt_project_data(project_id, bytes(1))}"',
        f'GC="{encrypt_project_data(project_id, bytes([0xFF]))}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
    ]
    return _enc("\r\n".join(lines), codepage)


def _projectwm_stream(modules: Sequence[VbaModule], codepage: int) -> bytes:
    """``PROJECTwm`` (MS-OVBA 2.3.3): MBCS + UTF-16 module names, 0x0000 end."""
    out = bytearray()
    for m in modules:
        out += _enc(m.name, codepage) + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
    return bytes(out + b"\0\0")


_VBA_PROJECT_STREAM = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000)
"""``_VBA_PROJECT`` (MS-OVBA 2.3.4.1): Reserved1 0x61CC, Version 0xFFFF,
Reserved2 0x00, Reserved3 -- no PerformanceCache, so Office recompiles."""


def build_vba_project(
    modules: Iterable[VbaModule],
    project_name: str = "ClaimCheck",
    codepage: int = 1252,
    *,
    lcid: int = 0x0409,
    include_office_reference: bool = False,
    project_id: str | None = None,
) -> bytes:
    """Build a complete ``vbaProject.bin`` (MS-OVBA 2.2.1 storage in MS-CFB).

    Streams written: ``PROJECT``, ``PROJECTwm``, ``VBA/_VBA_PROJECT``,
    ``VBA/dir`` and one ``VBA/<module>`` per module (compressed source,
    MODULEOFFSET 0). Module order is preserved. ``project_id`` defaults to a
    fresh random GUID; pass one for reproducible ``ID=`` lines (the CMG/DPB/GC
    values always contain random salt, as Office's do).
    """
    mods = list(modules)
    if not _IDENT_RE.match(project_name):
        raise ValueError(f"invalid VBA project name {project_name!r}")
    seen: set[str] = set()
    for m in mods:
        if m.name.upper() in seen:
            raise ValueError(f"duplicate module name {m.name!r}")
        seen.add(m.name.upper())
    if project_id is None:
        project_id = "{" + str(uuid.uuid4()).upper() + "}"
    streams: dict[str, bytes] = {
        "PROJECT": _project_stream(mods, project_name, project_id, codepage),
        "PROJECTwm": _projectwm_stream(mods, codepage),
        "VBA/_VBA_PROJECT": _VBA_PROJECT_STREAM,
        "VBA/dir": compress(_dir_stream(mods, project_name, codepage, lcid, include_office_reference)),
    }
    for m in mods:
        try:
            raw = _enc(module_source_text(m), codepage)
        except UnicodeEncodeError as exc:
            raise ValueError(f"module {m.name!r} has characters outside code page {codepage}: {exc}") from exc
        streams[f"VBA/{m.name}"] = compress(raw)
    return build_compound_file(streams)


# ---------------------------------------------------------------------------
# Loading .bas / .cls sources
# ---------------------------------------------------------------------------

_ATTR_RE = re.compile(r'^\s*Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*$', re.IGNORECASE)


def _decode_source(raw: bytes, codepage: int) -> str:
    """UTF-8 (with or without BOM) if valid, else the VBA export code page."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(f"cp{codepage}")


def _parse_export(text: str, path: Path, kind: ModuleKind) -> VbaModule:
    """Split a VBE export file into name, header attributes and body.

    Strips the ``VERSION 1.0 CLASS`` / ``BEGIN ... END`` block of ``.cls``
    exports and the leading ``Attribute VB_*`` lines (regenerated on build;
    non-default values are kept as :attr:`VbaModule.attributes`).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    if lines and lines[0].strip().upper().startswith("VERSION "):
        i = 1
        if i < len(lines) and lines[i].strip().upper() == "BEGIN":
            while i < len(lines) and lines[i].strip().upper() != "END":
                i += 1
            i += 1
    attrs: dict[str, str] = {}
    while i < len(lines):
        match = _ATTR_RE.match(lines[i])
        if not match:
            break
        attrs[match.group(1)] = match.group(2)
        i += 1
    name = path.stem
    if "VB_Name" in attrs:
        name = attrs.pop("VB_Name").strip('"')
    body = "\n".join(lines[i:])
    module = VbaModule(name, "", kind)
    defaults = dict(_header_attributes(module))
    overrides = {k: v for k, v in attrs.items() if defaults.get(k) != v}
    return VbaModule(name, body, kind, overrides)


def load_vba_sources(folder: str | os.PathLike[str], codepage: int = 1252) -> list[VbaModule]:
    """Read ``*.bas`` (standard) and ``*.cls`` (class) modules from ``folder``.

    The module name is the ``Attribute VB_Name`` value if present, else the
    file stem. Files are returned sorted by file name (case-insensitive), the
    ``.bas`` modules first.
    """
    base = Path(folder)
    result: list[VbaModule] = []
    for suffix, kind in ((".bas", ModuleKind.STANDARD), (".cls", ModuleKind.CLASS)):
        files = sorted(
            (p for p in base.iterdir() if p.is_file() and p.suffix.lower() == suffix),
            key=lambda p: p.name.lower(),
        )
        for path in files:
            result.append(load_vba_source(path, kind, codepage))
    return result


def load_vba_source(path: Path, kind: ModuleKind, codepage: int = 1252) -> VbaModule:
    """One ``.bas``/``.cls`` export, read as :func:`load_vba_sources` reads each file of a folder."""
    return _parse_export(_decode_source(path.read_bytes(), codepage), path, kind)
