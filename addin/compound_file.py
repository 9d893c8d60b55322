"""A writer for the OLE compound file ([MS-CFB], public Microsoft specification: header 2.2,
sector chains and FAT 2.3, MiniFAT 2.4, directory entries 2.6, red-black tree 2.6.4, mini stream
2.6.3) a VBA project storage is serialised into: :func:`build_compound_file`."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Mapping

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
