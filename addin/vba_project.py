"""Pure-Python writer for Excel VBA projects (``vbaProject.bin``).

The output follows the public Microsoft specifications:

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

__all__ = [
    "ModuleKind",
    "VbaModule",
    "compress",
    "decompress",
    "build_compound_file",
    "build_vba_project",
    "excel_document_modules",
    "load_vba_sources",
    "module_source_text",
    "encrypt_project_data",
    "decrypt_project_data",
    "cfb_name_key",
]

# ---------------------------------------------------------------------------
# MS-OVBA 2.4.1 -- compression
# ---------------------------------------------------------------------------

_CHUNK_SIZE = 4096
"""Decompressed bytes per CompressedChunk (MS-OVBA 2.4.1.1.4)."""

_MAX_COMPRESSED_CHUNK = 4098
"""Largest CompressedChunk incl. its 2-byte header (MS-OVBA 2.4.1.1.4)."""

_SIGNATURE_BYTE = 0x01
"""CompressedContainer.SignatureByte (MS-OVBA 2.4.1.1.1)."""


def _copy_token_help(difference: int) -> tuple[int, int]:
    """Return ``(bit_count, maximum_length)`` for a copy token.

    MS-OVBA 2.4.1.3.19.1 *CopyToken Help*: ``difference`` is the number of
    bytes already decompressed in the current chunk. The offset field uses
    ``max(ceil(log2(difference)), 4)`` bits; the remaining bits hold the
    length minus 3.
    """
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes, start: int, end: int) -> tuple[bytes, int]:
    """Compress ``data[start:end]`` (at most 4096 bytes) into one chunk body.

    Implements MS-OVBA 2.4.1.3.7 (Compressing a DecompressedChunk), 2.4.1.3.8
    (TokenSequence), 2.4.1.3.9 (Token) and 2.4.1.3.19.4 (Matching). The
    matching step keeps the spec's tie-breaking exactly: the *longest* match
    wins and, among equally long ones, the *nearest* candidate (candidates are
    scanned from ``current - 1`` backwards and only a strictly longer match
    replaces the best one). The match length used for comparison is not
    capped; it is capped to the copy token's maximum afterwards, as in the
    spec. A 3-byte hash chain only skips candidates that cannot reach the
    minimum match length of 3, so the result is identical to the naive scan.

    Returns the chunk *body* (flag bytes and tokens, without header) and the
    number of input bytes it encodes. The body never exceeds 4096 bytes
    (``_MAX_COMPRESSED_CHUNK`` minus header); if the input does not fit, the
    returned count is smaller than ``end - start``.
    """
    out = bytearray()
    budget = _MAX_COMPRESSED_CHUNK - 2
    current = start
    chains: dict[bytes, list[int]] = {}
    indexed = start  # positions < indexed are in ``chains``

    def index_upto(pos: int) -> None:
        nonlocal indexed
        while indexed < pos:
            if indexed + 3 <= end:
                chains.setdefault(data[indexed : indexed + 3], []).append(indexed)
            indexed += 1

    while current < end:
        if len(out) >= budget:
            break
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if current >= end:
                break
            index_upto(current)
            best_len = 0
            best_pos = -1
            remaining = end - current
            if remaining >= 3:
                candidates = chains.get(data[current : current + 3])
                if candidates:
                    for cand in reversed(candidates):
                        # Only a strictly longer match can replace the best one.
                        probe = best_len + 1
                        if probe > remaining:
                            break
                        if data[cand : cand + probe] != data[current : current + probe]:
                            continue
                        # Longest common prefix by galloping + binary search.
                        lo, hi = probe, remaining
                        while lo < hi:
                            mid = (lo + hi + 1) // 2
                            if data[cand : cand + mid] == data[current : current + mid]:
                                lo = mid
                            else:
                                hi = mid - 1
                        best_len, best_pos = lo, cand
                        if best_len == remaining:
                            break
            if best_len >= 3:
                bit_count, max_len = _copy_token_help(current - start)
                length = min(best_len, max_len)
                offset = current - best_pos
                if len(out) + 2 > budget:
                    break
                token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                current += length
            else:
                if len(out) + 1 > budget:
                    break
                out.append(data[current])
                current += 1
        out[flag_index] = flags
        if flags == 0 and len(out) == flag_index + 1:
            # Nothing fitted after the flag byte: drop the empty sequence.
            del out[flag_index:]
            break
    return bytes(out), current - start


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (2.4.1.1.1).

    The container is the signature byte ``0x01`` followed by CompressedChunks
    (2.4.1.1.4), each encoding up to 4096 bytes of input. Every chunk starts
    with a CompressedChunkHeader (2.4.1.1.5): 12 bits ``size - 3``, 3 bits
    signature ``0b011`` and 1 bit "compressed" flag.

    Following 2.4.1.3.7, a full 4096-byte chunk whose compressed form would not
    fit in 4098 bytes is stored as a raw chunk (2.4.1.3.10). The spec pads a
    *short final* raw chunk with zero bytes, which would change the
    decompressed length; instead such a chunk (which only happens for
    incompressible binary input, never for VBA source text) is split into
    several compressed chunks, each of which is valid per 2.4.1.3.2.
    """
    data = bytes(data)
    out = bytearray([_SIGNATURE_BYTE])
    pos = 0
    n = len(data)
    while pos < n:
        end = min(pos + _CHUNK_SIZE, n)
        body, consumed = _compress_chunk(data, pos, end)
        if consumed == end - pos or end - pos < _CHUNK_SIZE:
            # Compressed chunk: header = flag 1, signature 0b011, size - 3.
            header = 0x8000 | 0x3000 | ((len(body) + 2 - 3) & 0x0FFF)
            out += struct.pack("<H", header) + body
            pos += consumed
        else:
            # Raw chunk (2.4.1.3.10): flag 0, size field 4095, 4096 raw bytes.
            out += struct.pack("<H", 0x3000 | 0x0FFF) + data[pos:end]
            pos = end
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (2.4.1.3.1).

    Raises ``ValueError`` on a bad signature byte, chunk signature or a copy
    token pointing before the start of its chunk.
    """
    data = bytes(data)
    if not data or data[0] != _SIGNATURE_BYTE:
        raise ValueError("not an MS-OVBA CompressedContainer (signature byte != 0x01)")
    out = bytearray()
    pos = 1
    n = len(data)
    while pos < n:
        if pos + 2 > n:
            raise ValueError("truncated CompressedChunkHeader")
        (header,) = struct.unpack_from("<H", data, pos)
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError(f"bad CompressedChunkSignature in header 0x{header:04X}")
        chunk_end = min(n, pos + size)
        pos += 2
        chunk_start = len(out)
        if header & 0x8000 == 0:
            # 2.4.1.3.3 Decompressing a RawChunk
            out += data[pos : pos + _CHUNK_SIZE]
            pos += _CHUNK_SIZE
            continue
        # 2.4.1.3.2 Decompressing a CompressedChunk / 2.4.1.3.4 TokenSequence
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(data[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise ValueError("truncated CopyToken")
                (token,) = struct.unpack_from("<H", data, pos)
                pos += 2
                bit_count, _ = _copy_token_help(len(out) - chunk_start)
                length = (token & (0xFFFF >> bit_count)) + 3
                offset = (token >> (16 - bit_count)) + 1
                src = len(out) - offset
                if src < chunk_start:
                    raise ValueError("CopyToken offset reaches before chunk start")
                if offset >= length:
                    out += out[src : src + length]
                else:  # overlapping copy: byte by byte (2.4.1.3.11 Byte Copy)
                    for i in range(length):
                        out.append(out[src + i])
        pos = chunk_end
    return bytes(out)


# ---------------------------------------------------------------------------
# MS-CFB -- compound file writer (version 3, 512-byte sectors)
# ---------------------------------------------------------------------------

_SECTOR = 512
_MINI_SECTOR = 64
_MINI_CUTOFF = 4096
_ENTRIES_PER_SECTOR = _SECTOR // 128
_IDS_PER_SECTOR = _SECTOR // 4

_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF

_TYPE_STORAGE = 1
_TYPE_STREAM = 2
_TYPE_ROOT = 5
_RED = 0
_BLACK = 1


def cfb_name_key(name: str) -> tuple[int, str]:
    """Sort key for sibling directory entries (MS-CFB 2.6.4).

    Shorter names sort first (length in UTF-16 code units); names of equal
    length compare code point by code point after upper-casing. (The spec's
    upper-casing uses the Unicode Default Case Conversion; ``str.upper`` agrees
    with it for the ASCII names VBA uses.)
    """
    return (len(name.encode("utf-16-le")) // 2, name.upper())


@dataclass
class _DirNode:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, "_DirNode"] = field(default_factory=dict)
    sid: int = 0
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = _BLACK
    start: int = 0
    size: int = 0


def _build_tree(nodes: list[_DirNode], depth: int, max_depth: int, perfect: bool) -> int:
    """Link ``nodes`` (already in CFB order) into a balanced binary tree.

    Returns the SID of the subtree root. Nodes at the deepest level are red
    unless the tree is perfect; all others black. Because a median split puts
    every empty link on the last two levels, every root-to-leaf path then has
    the same number of black nodes and no red node has a red child, i.e. the
    red-black invariants of MS-CFB 2.6.4 hold.
    """
    if not nodes:
        return _NOSTREAM
    mid = len(nodes) // 2
    node = nodes[mid]
    node.left = _build_tree(nodes[:mid], depth + 1, max_depth, perfect)
    node.right = _build_tree(nodes[mid + 1 :], depth + 1, max_depth, perfect)
    node.color = _RED if (depth == max_depth and not perfect) else _BLACK
    return node.sid


def _tree_height(n: int) -> int:
    """Depth (root = 0) of the deepest node of a median-split tree of n nodes."""
    return n.bit_length() - 1


def _chain(fat: list[int], start: int, count: int) -> None:
    """Write a contiguous sector chain ``start .. start+count-1`` into ``fat``."""
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else _ENDOFCHAIN


def build_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """Serialise ``streams`` as an MS-CFB version 3 compound file.

    ``streams`` maps slash-separated paths (``"VBA/dir"``) to stream contents;
    intermediate storages are created implicitly. Layout (all 512-byte
    sectors after the 512-byte header, MS-CFB 2.2):

    1. regular streams (size >= 4096, MS-CFB 2.6.3 mini stream cutoff);
    2. the mini stream holding all smaller streams in 64-byte mini sectors
       (its chain starts at the root entry, MS-CFB 2.6.2);
    3. the MiniFAT (MS-CFB 2.4);
    4. the directory (128-byte entries, MS-CFB 2.6);
    5. the FAT (MS-CFB 2.3), referenced from the header DIFAT array.

    Limited to 109 FAT sectors (about 6.8 MB), which is plenty for VBA.
    """
    root = _DirNode("Root Entry", _TYPE_ROOT)
    for path, data in streams.items():
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise ValueError(f"empty stream path {path!r}")
        node = root
        for part in parts[:-1]:
            sub = node.children.get(part.upper())
            if sub is None:
                sub = node.children[part.upper()] = _DirNode(part, _TYPE_STORAGE)
            elif sub.kind != _TYPE_STORAGE:
                raise ValueError(f"{part!r} in {path!r} is both a stream and a storage")
            node = sub
        leaf = parts[-1]
        if leaf.upper() in node.children:
            raise ValueError(f"duplicate entry {path!r}")
        node.children[leaf.upper()] = _DirNode(leaf, _TYPE_STREAM, data=bytes(data))
    # Assign SIDs breadth-first: root is 0.
    order: list[_DirNode] = [root]
    i = 0
    while i < len(order):
        cur = order[i]
        for child in sorted(cur.children.values(), key=lambda c: cfb_name_key(c.name)):
            child.sid = len(order)
            order.append(child)
        i += 1
    for cur in order:
        if len(cur.name.encode("utf-16-le")) > 62:
            raise ValueError(f"directory entry name too long (max 31 chars): {cur.name!r}")
        kids = sorted(cur.children.values(), key=lambda c: cfb_name_key(c.name))
        if kids:
            height = _tree_height(len(kids))
            perfect = len(kids) == (1 << (height + 1)) - 1
            cur.child = _build_tree(kids, 0, height, perfect)

    # --- stream placement ---------------------------------------------------
    fat: list[int] = []
    regular: list[_DirNode] = []
    mini: list[_DirNode] = []
    for node in order:
        if node.kind == _TYPE_STREAM:
            node.size = len(node.data)
            if node.size == 0:
                node.start = _ENDOFCHAIN
            elif node.size < _MINI_CUTOFF:
                mini.append(node)
            else:
                regular.append(node)

    body = bytearray()

    def alloc(payload: bytes) -> int:
        count = -(-len(payload) // _SECTOR)
        start = len(fat)
        fat.extend([0] * count)
        _chain(fat, start, count)
        body.extend(payload)
        body.extend(b"\0" * (count * _SECTOR - len(payload)))
        return start

    for node in regular:
        node.start = alloc(node.data)

    ministream = bytearray()
    minifat: list[int] = []
    for node in mini:
        count = -(-node.size // _MINI_SECTOR)
        node.start = len(minifat)
        minifat.extend([0] * count)
        _chain(minifat, node.start, count)
        ministream += node.data + b"\0" * (count * _MINI_SECTOR - node.size)
    if ministream:
        root.start = alloc(bytes(ministream))
        root.size = len(ministream)
    else:
        root.start = _ENDOFCHAIN
        root.size = 0

    if minifat:
        minifat += [_FREESECT] * (-len(minifat) % _IDS_PER_SECTOR)
        minifat_start = alloc(struct.pack(f"<{len(minifat)}I", *minifat))
        minifat_count = len(minifat) // _IDS_PER_SECTOR
    else:
        minifat_start, minifat_count = _ENDOFCHAIN, 0

    entries = bytearray()
    for node in order:
        entries += _dir_entry(node)
    while len(entries) % _SECTOR:
        entries += _free_dir_entry()
    dir_start = alloc(bytes(entries))

    # FAT sectors: smallest f with f * 128 >= sectors + f.
    n_fat = 1
    while n_fat * _IDS_PER_SECTOR < len(fat) + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for a header-only DIFAT (109 FAT sectors)")
    fat_start = len(fat)
    fat.extend([_FATSECT] * n_fat)
    fat += [_FREESECT] * (n_fat * _IDS_PER_SECTOR - len(fat))
    body += struct.pack(f"<{len(fat)}I", *fat)

    difat = list(range(fat_start, fat_start + n_fat)) + [_FREESECT] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),  # signature
        b"\0" * 16,  # header CLSID
        0x003E,  # minor version
        0x0003,  # major version 3
        0xFFFE,  # byte order: little-endian
        9,  # sector shift: 512
        6,  # mini sector shift: 64
        b"\0" * 6,  # reserved
        0,  # number of directory sectors (MUST be 0 for v3)
        n_fat,  # number of FAT sectors
        dir_start,  # first directory sector
        0,  # transaction signature
        _MINI_CUTOFF,  # mini stream cutoff size
        minifat_start,
        minifat_count,
        _ENDOFCHAIN,  # first DIFAT sector
        0,  # number of DIFAT sectors
    ) + struct.pack("<109I", *difat)
    assert len(header) == _SECTOR
    return header + bytes(body)


def _dir_entry(node: _DirNode) -> bytes:
    """Pack one 128-byte directory entry (MS-CFB 2.6.1)."""
    name = node.name.encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name) + 2,  # includes the UTF-16 NUL terminator
        node.kind,
        node.color,
        node.left,
        node.right,
        node.child,
        b"\0" * 16,  # CLSID
        0,  # state bits
        0,  # creation time
        0,  # modified time
        node.start if node.kind != _TYPE_STORAGE else 0,
        node.size if node.kind != _TYPE_STORAGE else 0,
    )


def _free_dir_entry() -> bytes:
    """An unallocated directory entry: zeroes, sibling/child IDs NOSTREAM."""
    return struct.pack(
        "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0
    )


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
