"""The compression of VBA source text in a VBA project ([MS-OVBA] 2.4.1, public Microsoft
specification): :func:`compress` and :func:`decompress` of a CompressedContainer."""

from __future__ import annotations

import struct

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
