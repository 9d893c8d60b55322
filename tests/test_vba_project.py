"""Tests for :mod:`addin.vba_project` (MS-OVBA / MS-CFB writer).

LibreOffice tests need ``soffice`` (and a Python with the ``uno`` module for
running the macro). They are skipped when those are missing locally, but FAIL
when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import uuid
import zipfile
from pathlib import Path

import olefile
import pytest

import office
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from claimcheck.addin.compound_file import build_compound_file, cfb_name_key
from claimcheck.addin.ovba_compression import compress, decompress
from claimcheck.addin.vba_project import (
    ModuleKind,
    VbaModule,
    build_vba_project,
    decrypt_project_data,
    encrypt_project_data,
    excel_document_modules,
    load_vba_sources,
    module_source_text,
)

# ---------------------------------------------------------------------------
# MS-OVBA 3.2 worked examples
# ---------------------------------------------------------------------------

SPEC_EXAMPLES = [
    pytest.param(
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
        id="3.2.1-no-compression",
    ),
    pytest.param(
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20"
        " 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
        id="3.2.2-normal-compression",
    ),
    pytest.param(b"a" * 73, "01 03 B0 02 61 45 00", id="3.2.3-maximum-compression"),
]


@pytest.mark.parametrize(("plain", "compressed_hex"), SPEC_EXAMPLES)
def test_compress_matches_spec_examples(plain: bytes, compressed_hex: str) -> None:
    assert compress(plain) == bytes.fromhex(compressed_hex)


@pytest.mark.parametrize(("plain", "compressed_hex"), SPEC_EXAMPLES)
def test_decompress_spec_examples(plain: bytes, compressed_hex: str) -> None:
    assert decompress(bytes.fromhex(compressed_hex)) == plain


def test_decompress_older_spec_revision_of_normal_example() -> None:
    # Earlier revisions of MS-OVBA 3.2.2 printed different (equally valid)
    # copy tokens for the same string; a decompressor must accept both.
    older = (
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30"
        " 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
    )
    assert decompress(bytes.fromhex(older)) == b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"


def test_compress_empty() -> None:
    assert compress(b"") == b"\x01"
    assert decompress(b"\x01") == b""


def test_decompress_rejects_bad_signature() -> None:
    with pytest.raises(ValueError):
        decompress(b"\x02\x00\x00")
    with pytest.raises(ValueError):
        decompress(bytes.fromhex("01 19 A0 00 61"))  # chunk signature 0b010


def test_incompressible_full_chunk_is_raw() -> None:
    data = os.urandom(4096 * 2)
    out = compress(data)
    # two raw chunks: header 0x3FFF (flag 0, signature 0b011, size 4098)
    assert out[1:3] == b"\xff\x3f"
    assert len(out) == 1 + 2 * (2 + 4096)
    assert decompress(out) == data


@pytest.mark.parametrize("size", [1, 7, 8, 9, 3640, 3641, 4000, 4095, 4096, 4097, 8191, 8192, 8193, 12288 + 4000])
def test_random_sizes_around_chunk_boundaries(size: int) -> None:
    data = os.urandom(size)
    out = compress(data)
    assert decompress(out) == data
    assert decompress_stream(bytearray(out)) == data


def _chunk_headers(container: bytes) -> list[int]:
    pos, headers = 1, []
    while pos < len(container):
        (hdr,) = struct.unpack_from("<H", container, pos)
        headers.append(hdr)
        pos += (hdr & 0x0FFF) + 3 if hdr & 0x8000 else 2 + 4096
    assert pos == len(container)
    return headers


def test_chunk_headers_valid() -> None:
    text = ("Sub X()\r\n    Debug.Print 1\r\nEnd Sub\r\n" * 1000).encode()
    headers = _chunk_headers(compress(text))
    assert len(headers) == -(-len(text) // 4096)
    for hdr in headers:
        assert (hdr >> 12) & 0x7 == 0b011
        assert (hdr & 0x0FFF) + 3 <= 4098


# ---------------------------------------------------------------------------
# Round-trip property tests (hypothesis) + oletools cross-check
# ---------------------------------------------------------------------------

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_vba_words = st.sampled_from(
    [b"Dim ", b"As Long", b"If ", b" Then", b"End If", b"\r\n", b"    ", b"x = x + 1", b'"OK"', b"Sub ", b"End Sub"]
)


def _check_round_trip(data: bytes) -> None:
    out = compress(data)
    assert decompress(out) == data
    assert decompress_stream(bytearray(out)) == data


@_SETTINGS
@given(st.binary(max_size=20000))
def test_round_trip_random_bytes(data: bytes) -> None:
    _check_round_trip(data)


@_SETTINGS
@given(st.lists(_vba_words, max_size=4000).map(b"".join))
def test_round_trip_repetitive_text(data: bytes) -> None:
    _check_round_trip(data)


@_SETTINGS
@given(
    st.integers(min_value=4096 - 40, max_value=3 * 4096 + 40),
    st.binary(min_size=1, max_size=17),
)
def test_round_trip_sizes_across_chunk_boundaries(size: int, pattern: bytes) -> None:
    data = (pattern * (size // len(pattern) + 1))[:size]
    _check_round_trip(data)


@_SETTINGS
@given(st.integers(min_value=0, max_value=9000), st.randoms(use_true_random=False))
def test_round_trip_mixed_random_and_runs(size: int, rnd: object) -> None:
    buf = bytearray()
    while len(buf) < size:
        if rnd.random() < 0.5:  # type: ignore[attr-defined]
            buf += bytes([rnd.randrange(256)]) * rnd.randrange(1, 300)  # type: ignore[attr-defined]
        else:
            buf += bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 50)))  # type: ignore[attr-defined]
    _check_round_trip(bytes(buf[:size]))


def _spec_compress(data: bytes) -> bytes:
    """Literal, slow transliteration of MS-OVBA 2.4.1.3.6-2.4.1.3.10 pseudo-code.

    Used as an oracle: for inputs whose chunks are all compressible (or are
    full 4096-byte raw chunks) our fast compressor must produce identical bytes.
    """
    out = bytearray([1])
    cur, end_all = 0, len(data)
    while cur < end_all:
        chunk_start_c = len(out)
        out += b"\0\0"
        d_start, d_end = cur, min(cur + 4096, end_all)
        c_end = chunk_start_c + 4098
        while cur < d_end and len(out) < c_end:
            flag_index = len(out)
            out.append(0)
            flags = 0
            for bit in range(8):
                if not (cur < d_end and len(out) < c_end):
                    break
                best_len, best_cand, cand = 0, 0, cur - 1
                while cand >= d_start:  # 2.4.1.3.19.4 Matching
                    c, d, n = cand, cur, 0
                    while d < d_end and data[d] == data[c]:
                        n, c, d = n + 1, c + 1, d + 1
                    if n > best_len:
                        best_len, best_cand = n, cand
                    cand -= 1
                if best_len >= 3:
                    bit_count = max((cur - d_start - 1).bit_length(), 4)
                    length = min(best_len, (0xFFFF >> bit_count) + 3)
                    if len(out) + 1 < c_end:
                        out += struct.pack("<H", ((cur - best_cand - 1) << (16 - bit_count)) | (length - 3))
                        flags |= 1 << bit
                        cur += length
                    else:
                        break
                else:
                    out.append(data[cur])
                    cur += 1
            out[flag_index] = flags
        if cur < d_end:  # raw chunk
            del out[chunk_start_c + 2 :]
            out[chunk_start_c : chunk_start_c + 2] = struct.pack("<H", 0x3FFF)
            out += data[d_start:d_end] + bytes(4096 - (d_end - d_start))
            cur = d_end
        else:
            size = len(out) - chunk_start_c
            out[chunk_start_c : chunk_start_c + 2] = struct.pack("<H", 0xB000 | (size - 3))
    return bytes(out)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"ab", b"abc", b"Sub ", b"\r\n", b"x", b"  "]), max_size=400).map(b"".join))
def test_compress_identical_to_spec_pseudocode(data: bytes) -> None:
    assert compress(data) == _spec_compress(data)


def test_compress_identical_to_spec_pseudocode_multi_chunk() -> None:
    text = "".join(f"    Cells({i % 37}, 2).Value = {i * 7 % 101}\r\n" for i in range(300)).encode()
    assert len(text) > 4096
    assert compress(text) == _spec_compress(text)
    full_raw = os.urandom(4096) + b"tail tail tail"
    assert compress(full_raw) == _spec_compress(full_raw)


# ---------------------------------------------------------------------------
# Data encryption (MS-OVBA 2.4.3)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(0, 256, 7))
def test_encryption_round_trip(seed: int) -> None:
    pid = "{" + str(uuid.uuid4()).upper() + "}"
    for data in (bytes(4), b"\x00", b"\xff"):
        hex_text = encrypt_project_data(pid, data, seed=seed)
        assert decrypt_project_data(hex_text, pid) == data


def test_encryption_lengths_match_abnf() -> None:
    pid = "{9E394C0B-697E-4AEE-9FA6-446F51FB30DC}"
    for seed in range(256):
        assert 22 <= len(encrypt_project_data(pid, bytes(4), seed)) <= 28  # CMG: 22*28HEXDIG
        assert 16 <= len(encrypt_project_data(pid, b"\x00", seed)) <= 22  # DPB
        assert 16 <= len(encrypt_project_data(pid, b"\xff", seed)) <= 22  # GC: 16*22HEXDIG


# ---------------------------------------------------------------------------
# Compound file (MS-CFB)
# ---------------------------------------------------------------------------


def test_cfb_name_order() -> None:
    names = ["dir", "Module1", "_VBA_PROJECT", "ThisWorkbook", "Sheet1", "abc", "ABD", "b"]
    ordered = sorted(names, key=cfb_name_key)
    assert ordered == ["b", "abc", "ABD", "dir", "Sheet1", "Module1", "ThisWorkbook", "_VBA_PROJECT"]


def _read_dir_entries(data: bytes) -> list[dict[str, object]]:
    ole = olefile.OleFileIO(data)
    entries = []
    for d in ole.direntries:
        if d is None:
            continue
        entries.append(
            {"sid": d.sid, "name": d.name, "left": d.sid_left, "right": d.sid_right, "child": d.sid_child, "color": d.color}
        )
    ole.close()
    return entries


def _check_rb_tree(entries: dict[int, dict[str, object]], root: int) -> tuple[int, list[str]]:
    """Return (black height, in-order names); assert red-black + BST properties."""
    if root == 0xFFFFFFFF:
        return 1, []
    node = entries[root]
    lh, lnames = _check_rb_tree(entries, node["left"])  # type: ignore[arg-type]
    rh, rnames = _check_rb_tree(entries, node["right"])  # type: ignore[arg-type]
    assert lh == rh, "unequal black height"
    if node["color"] == 0:  # red
        for child in (node["left"], node["right"]):
            if child != 0xFFFFFFFF:
                assert entries[child]["color"] == 1, "red node with red child"  # type: ignore[index]
    return lh + (node["color"] == 1), lnames + [node["name"]] + rnames  # type: ignore[list-item]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 15, 16, 40])
def test_cfb_directory_is_sorted_red_black_tree(count: int) -> None:
    streams = {f"S/M{i:02d}x" + "y" * (i % 5): bytes([i]) * (i * 300) for i in range(count)}
    streams["top"] = b"t"
    data = build_compound_file(streams)
    entries = {e["sid"]: e for e in _read_dir_entries(data)}
    storage = next(e for e in entries.values() if e["name"] == "S")
    _, names = _check_rb_tree(entries, storage["child"])  # type: ignore[arg-type]
    assert names == sorted(names, key=cfb_name_key)
    assert len(names) == count
    ole = olefile.OleFileIO(data)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    ole.close()


def test_cfb_large_and_small_streams() -> None:
    big = os.urandom(70000)  # regular sectors (>= 4096)
    exact = os.urandom(4096)  # exactly the cutoff -> regular sectors
    small = os.urandom(4095)  # mini stream
    data = build_compound_file({"big": big, "exact": exact, "small": small, "D/empty": b""})
    assert len(data) % 512 == 0
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    ole = olefile.OleFileIO(data)
    assert ole.openstream("big").read() == big
    assert ole.openstream("exact").read() == exact
    assert ole.openstream("small").read() == small
    assert ole.openstream("D/empty").read() == b""
    ole.close()


# ---------------------------------------------------------------------------
# VBA project
# ---------------------------------------------------------------------------

MARKER_SOURCE = 'Option Explicit\n\nSub Marker()\n    ThisWorkbook.Worksheets(1).Range("A1").Value = "OK"\nEnd Sub\n'


def _sample_modules() -> list[VbaModule]:
    long_body = "".join(f"Public Function F{i}(ByVal x As Long) As Long\n    F{i} = x * {i}\nEnd Function\n\n" for i in range(400))
    return excel_document_modules(["Sheet1", "Sheet2"]) + [
        VbaModule("Module1", MARKER_SOURCE),
        VbaModule("Helpers", long_body),  # > 4096 bytes compressed-size-wise: regular sectors
        VbaModule("ClaimRow", "Public Amount As Currency\n", ModuleKind.CLASS),
    ]


def _dir_records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """Walk the decompressed dir stream (PROJECTVERSION has a special layout)."""
    recs, pos = [], 0
    while pos < len(dir_stream):
        rec_id, size = struct.unpack_from("<HI", dir_stream, pos)
        if rec_id == 0x0009:  # PROJECTVERSION: Reserved(4)=4, then 4 + 2 bytes
            size = 6
        recs.append((rec_id, dir_stream[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    assert pos == len(dir_stream)
    return recs


def test_vba_project_streams() -> None:
    modules = _sample_modules()
    data = build_vba_project(modules, project_id="{11111111-2222-3333-4444-555555555555}")
    ole = olefile.OleFileIO(data)
    streams = sorted("/".join(p) for p in ole.listdir(streams=True, storages=False))
    expected = sorted(["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"] + [f"VBA/{m.name}" for m in modules])
    assert streams == expected
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000000")

    project = ole.openstream("PROJECT").read().decode("cp1252")
    lines = project.split("\r\n")
    assert lines[0] == 'ID="{11111111-2222-3333-4444-555555555555}"'
    assert "Document=ThisWorkbook/&H00000000" in lines
    assert "Document=Sheet2/&H00000000" in lines
    assert "Module=Module1" in lines and "Module=Helpers" in lines
    assert "Class=ClaimRow" in lines
    assert 'Name="ClaimCheck"' in lines
    values = dict(line.split("=", 1) for line in lines if line.startswith(("CMG=", "DPB=", "GC=")))
    pid = "{11111111-2222-3333-4444-555555555555}"
    assert decrypt_project_data(values["CMG"].strip('"'), pid) == bytes(4)
    assert decrypt_project_data(values["DPB"].strip('"'), pid) == b"\x00"
    assert decrypt_project_data(values["GC"].strip('"'), pid) == b"\xff"

    wm = ole.openstream("PROJECTwm").read()
    assert wm.endswith(b"\x00\x00") and b"Module1\x00M\x00o\x00d\x00u\x00l\x00e\x001\x00\x00\x00" in wm

    recs = _dir_records(decompress(ole.openstream("VBA/dir").read()))
    ids = [r[0] for r in recs]
    assert ids[:4] == [0x0001, 0x0002, 0x0014, 0x0003]
    assert dict(recs)[0x0004] == b"ClaimCheck"
    assert struct.unpack("<H", dict(recs)[0x0003])[0] == 1252
    assert ids[-1] == 0x0010
    assert struct.unpack("<H", dict(recs)[0x000F])[0] == len(modules)
    names = [r[1].decode() for r in recs if r[0] == 0x0019]
    types = [r[0] for r in recs if r[0] in (0x0021, 0x0022)]
    assert names == [m.name for m in modules]
    assert types == [0x0021 if m.kind is ModuleKind.STANDARD else 0x0022 for m in modules]
    assert all(struct.unpack("<I", r[1])[0] == 0 for r in recs if r[0] == 0x0031)  # MODULEOFFSET
    assert any(r[0] == 0x000D and b"00020430-0000-0000-C000-000000000046" in r[1] for r in recs)  # stdole

    for m in modules:
        text = decompress(ole.openstream(f"VBA/{m.name}").read()).decode("cp1252")
        assert text == module_source_text(m)
        assert text.startswith(f'Attribute VB_Name = "{m.name}"\r\n')
    ole.close()


def test_document_module_attributes() -> None:
    wb, sheet = excel_document_modules(["Sheet1"])
    text = module_source_text(wb)
    assert 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in text
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in module_source_text(sheet)
    for attr in ("VB_GlobalNameSpace = False", "VB_Creatable = False", "VB_PredeclaredId = True",
                 "VB_Exposed = True", "VB_TemplateDerived = False", "VB_Customizable = True"):
        assert f"Attribute {attr}\r\n" in text


def test_office_reference_optional() -> None:
    data = build_vba_project([VbaModule("Module1", "")], include_office_reference=True)
    ole = olefile.OleFileIO(data)
    dir_stream = decompress(ole.openstream("VBA/dir").read())
    assert b"2DF8D04C-5BFA-101B-BDE5-00AA0044DE52" in dir_stream
    ole.close()


def test_invalid_names_rejected() -> None:
    with pytest.raises(ValueError):
        VbaModule("1bad", "")
    with pytest.raises(ValueError):
        VbaModule("x" * 32, "")
    with pytest.raises(ValueError):
        build_vba_project([VbaModule("A", ""), VbaModule("a", "")])
    with pytest.raises(ValueError):
        build_vba_project([VbaModule("A", "s = \"\u4e2d\"")])  # not in cp1252


def _build_xlsm(path: Path, modules: list[VbaModule], sheets: int = 1) -> None:
    wb = xlsxwriter.Workbook(str(path))
    for _ in range(sheets):
        wb.add_worksheet()
    wb.add_vba_project(io.BytesIO(build_vba_project(modules)), is_stream=True)
    wb.close()


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_olevba_reads_back_every_module(tmp_path: Path) -> None:
    modules = _sample_modules()
    xlsm = tmp_path / "book.xlsm"
    _build_xlsm(xlsm, modules, sheets=2)
    parser = VBA_Parser(str(xlsm))
    try:
        assert parser.detect_vba_macros()
        found = {Path(stream_path).name: code for _, stream_path, _, code in parser.extract_macros()}
    finally:
        parser.close()
    assert set(found) == {m.name for m in modules}
    for m in modules:
        assert _normalise(found[m.name]) == _normalise(module_source_text(m))


def test_xlsx_codenames_match_document_modules(tmp_path: Path) -> None:
    xlsm = tmp_path / "book.xlsm"
    _build_xlsm(xlsm, _sample_modules(), sheets=2)
    with zipfile.ZipFile(xlsm) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        assert 'codeName="ThisWorkbook"' in z.read("xl/workbook.xml").decode()
        assert 'codeName="Sheet2"' in z.read("xl/worksheets/sheet2.xml").decode()


# ---------------------------------------------------------------------------
# load_vba_sources
# ---------------------------------------------------------------------------


def test_load_vba_sources(tmp_path: Path) -> None:
    (tmp_path / "a_util.bas").write_bytes(b'Attribute VB_Name = "Util"\r\nOption Explicit\r\nSub A()\r\nEnd Sub\r\n')
    (tmp_path / "Plain.bas").write_text("Sub B()\nEnd Sub\n")
    (tmp_path / "Claim.cls").write_bytes(
        b"VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
        b'Attribute VB_Name = "Claim"\r\nAttribute VB_GlobalNameSpace = False\r\n'
        b"Attribute VB_Creatable = False\r\nAttribute VB_PredeclaredId = True\r\n"
        b"Attribute VB_Exposed = False\r\nPublic Amount As Currency\r\n' caf\xe9\r\n"
    )
    (tmp_path / "notes.txt").write_text("ignored")
    mods = load_vba_sources(tmp_path)
    assert [(m.name, m.kind) for m in mods] == [
        ("Util", ModuleKind.STANDARD),
        ("Plain", ModuleKind.STANDARD),
        ("Claim", ModuleKind.CLASS),
    ]
    util, plain, claim = mods
    assert util.source.startswith("Option Explicit\n")
    assert plain.source == "Sub B()\nEnd Sub\n"
    assert claim.attributes == {"VB_PredeclaredId": "True"}
    assert claim.source == "Public Amount As Currency\n' caf\u00e9\n"
    text = module_source_text(claim)
    assert "VERSION" not in text and "Attribute VB_PredeclaredId = True\r\n" in text
    assert text.count("Attribute VB_Name") == 1
    build_vba_project(mods)  # builds without error


# ---------------------------------------------------------------------------
# LibreOffice
# ---------------------------------------------------------------------------


_require, _soffice, _uno_python = office.require, office.soffice, office.uno_python


def test_libreoffice_imports_basic_library(tmp_path: Path) -> None:
    soffice = _soffice()
    modules = excel_document_modules(["Sheet1"]) + [VbaModule("Module1", MARKER_SOURCE)]
    xlsm = tmp_path / "marker.xlsm"
    _build_xlsm(xlsm, modules)
    profile = (tmp_path / "lo_profile").as_uri()
    res = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "ods", "--outdir", str(tmp_path / "out"), str(xlsm)],
        capture_output=True, text=True, timeout=180,
    )
    ods = tmp_path / "out" / "marker.ods"
    assert ods.exists(), res.stdout + res.stderr
    with zipfile.ZipFile(ods) as z:
        basic = [n for n in z.namelist() if n.startswith("Basic/")]
        module_xml = z.read("Basic/ClaimCheck/Module1.xml").decode()
    assert "Basic/ClaimCheck/ThisWorkbook.xml" in basic
    assert "Sub Marker()" in module_xml
    assert "ThisWorkbook.Worksheets(1).Range(&quot;A1&quot;).Value = &quot;OK&quot;" in module_xml


def test_libreoffice_runs_marker_macro(tmp_path: Path) -> None:
    modules = excel_document_modules(["Sheet1"]) + [VbaModule("Module1", MARKER_SOURCE)]
    xlsm = tmp_path / "marker.xlsm"
    _build_xlsm(xlsm, modules)
    result = office.run_macro(tmp_path, xlsm, "ClaimCheck", "Module1", "Marker", "Sheet1", "A1")
    assert result["before"] == "" and result["after"] == "OK", result
