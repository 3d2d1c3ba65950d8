#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets, built from the reference vectors.

usage: make_corpus.py VECTORS_DIR OUT_DIR

Packets come from the *.bin files and from every "...hex" string of the JSON vector files
that starts with the NNRP magic.  Each target gets the parts of those packets it decodes,
framed the way its fuzz_<target>.c reads its input (selector bytes first).  Standard
library only.
"""
import hashlib
import json
import os
import random
import re
import struct
import sys

MAGIC = b"NNRP"
FRAME_SUBMIT, RESULT_PUSH = 0x10, 0x12
# Selector of each metadata decoder in fuzz_control_meta.c, by message type.
META_SELECTOR = {0x01: 0, 0x02: 1, 0x03: 2, 0x04: 3, 0x06: 4, 0x14: 5, 0x15: 6, 0x16: 7,
                 0x17: 8, 0x18: 9, 0x19: 10, 0x1A: 11, 0x1B: 12, 0x1C: 13, 0x10: 14, 0x12: 15}
PROFILE_PATCH_SELECTOR, COVERAGE_SELECTOR = 16, 17
TARGETS = ["header", "packet", "control_meta", "ext_block", "tile_index", "section_seq",
           "tensor_body", "region_body", "typed_regions", "frame_submit_body",
           "result_push_body", "builder", "control_build", "conn_server", "conn_client"]
# Message types in the order of fuzz_control_build.c's table.
CONTROL_BUILD_TYPES = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x11, 0x13, 0x14, 0x15, 0x16, 0x17,
                       0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x20, 0x21, 0x10, 0x12, 0x07, 0xFF]


def align8(n):
    return (n + 7) & ~7


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def collect_packets(vectors):
    """Every distinct packet-looking byte string of the vector folder."""
    found = []

    def walk(node, key):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif (isinstance(node, str) and key.endswith("hex")
              and re.fullmatch(r"(?:[0-9a-fA-F]{2})*", node)):
            raw = bytes.fromhex(node)
            if len(raw) >= 40 and raw.startswith(MAGIC):
                found.append(raw)

    for name in sorted(os.listdir(vectors)):
        path = os.path.join(vectors, name)
        if name.endswith(".bin"):
            with open(path, "rb") as f:
                found.append(f.read())
        elif name.endswith(".json"):
            with open(path, encoding="utf-8") as f:
                walk(json.load(f), "")
    unique = {}
    for p in found:
        unique.setdefault(p, None)
    return list(unique)


def split(packet):
    """(msg_type, metadata, body), or None when the lengths do not fit the bytes."""
    msg_type = packet[6]
    meta_len, body_len = struct.unpack_from("<II", packet, 12)
    if 40 + meta_len + body_len > len(packet):
        return None
    meta = packet[40:40 + meta_len]
    return msg_type, meta, packet[40 + meta_len:40 + meta_len + body_len]


def tensor_seeds(msg_type, meta, body, seeds):
    """Tile index, section sequence and tensor body seeds of a legacy data body."""
    if msg_type == FRAME_SUBMIT and len(meta) == 72:
        tile_count, section_count = struct.unpack_from("<HH", meta, 8)
        mode = meta[14]
        base, camera, tib = struct.unpack_from("<III", meta, 24)
        start = align8(camera)
    elif msg_type == RESULT_PUSH and len(meta) == 64:
        section_count, tile_count = struct.unpack_from("<HH", meta, 4)
        base, tib = struct.unpack_from("<II", meta, 20)
        mode = 1 if tib else 0
        start = 0
    else:
        return
    tensor = body[start:]
    if len(tensor) < tib:
        return
    seeds["tile_index"].append(bytes([mode]) + u16(tile_count) + u32(base) + tensor[:tib])
    seeds["tensor_body"].append(b"\0" + u16(tib) + bytes([section_count & 0xFF]) +
                                u16(tile_count) + tensor)
    if section_count:
        seq = tensor[align8(tib):]
        seeds["section_seq"].append(b"\0" + bytes([section_count & 0xFF]) + u16(tile_count) + seq)


def region_seeds(body, seeds):
    """Region body and typed/extension region seeds of a body that has a prelude."""
    if len(body) < 32:
        return
    lengths = struct.unpack_from("<6I", body, 0)
    if 32 + sum(lengths) != len(body):
        return
    seeds["region_body"].append(b"\0" + body)
    off, regions = 32, []
    for n in lengths:
        regions.append(body[off:off + n])
        off += n
    for desc, frames in ((regions[2], regions[3]), (regions[4], regions[5])):
        if desc and len(desc) % 16 == 0 and len(desc) // 16 < 256:
            seeds["typed_regions"].append(bytes([len(desc) // 16, 0, 0]) + desc + frames)


def synthetic_seeds(seeds):
    """Small hand-made inputs for the structures the vectors do not cover well."""
    ids = [3, 5, 9, 12]
    raw = b"".join(u16(i) for i in ids)
    delta = u16(ids[0]) + b"".join(u16(b - a) for a, b in zip(ids, ids[1:]))
    bits = bytearray(ids[-1] // 8 + 1)
    for i in ids:
        bits[i // 8] |= 1 << (i % 8)
    for mode, block, base in ((0, b"", 3), (1, raw, 0), (2, delta, 0), (3, bytes(bits), 0)):
        seeds["tile_index"].append(bytes([mode]) + u16(len(ids)) + u32(base) + block)
    # One entry of every standard control extension, for both hellos.
    for sel, types in ((1, (0x0101, 0x0103, 0x0105)), (2, (0x0102, 0x0104, 0x0106))):
        block = b""
        for t in types:
            payload = {0x0101: b"\x01\0\0\0" + u32(1), 0x0102: b"\x01\x01\0\0" + u32(1),
                       0x0105: u32(0x03) + u32(0), 0x0106: u32(0x03) + u32(0)}.get(t, bytes(8))
            block += u16(t) + u16(0) + u32(len(payload)) + payload
        seeds["ext_block"].append(bytes([sel]) + block)
    # Builder inputs: one per builder, the rest pseudo-random but reproducible.
    rng = random.Random(20240)
    for sel in range(9):
        for _ in range(4):
            seeds["builder"].append(bytes([sel]) + bytes(rng.randrange(256) for _ in range(160)))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    vectors, out = sys.argv[1], sys.argv[2]
    seeds = {t: [] for t in TARGETS}
    for packet in collect_packets(vectors):
        seeds["header"].append(packet[:40])
        seeds["packet"].append(packet)
        # fuzz_conn.h: mode, piece size, requested session id (the packet's), the bytes
        for target in ("conn_server", "conn_client"):
            for mode, piece in ((0x00, 13), (0x01, 7), (0x0E, 0)):
                seeds[target].append(bytes([mode, piece]) + packet[20:24] + packet)
        parts = split(packet)
        if parts is None:
            continue
        msg_type, meta, body = parts
        if msg_type in CONTROL_BUILD_TYPES and msg_type not in (FRAME_SUBMIT, RESULT_PUSH):
            # metadata, header fields (u8 session, frame, view; u32 trace; flags), no
            # extensions, no profile patch, then the body bytes
            params = bytes([packet[20], packet[24], packet[28]]) + packet[32:36] + bytes([0])
            seeds["control_build"].append(bytes([CONTROL_BUILD_TYPES.index(msg_type)]) + meta +
                                          params + b"\0" + bytes(9) + body)
        if msg_type in META_SELECTOR:
            sel = META_SELECTOR[msg_type]
            seeds["control_meta"].append(bytes([sel]) + meta)
            seeds["control_meta"].append(bytes([sel | 0x20]) + meta)
            if msg_type == RESULT_PUSH:
                seeds["control_meta"].append(bytes([COVERAGE_SELECTOR]) + meta)
        if msg_type in (0x03, 0x04) and len(body) == 16:
            seeds["control_meta"].append(bytes([PROFILE_PATCH_SELECTOR]) + body)
        if msg_type == 0x01 and len(meta) == 64:
            ext_bytes = struct.unpack_from("<I", meta, 60)[0]
            seeds["ext_block"].append(b"\x01" + body[:ext_bytes])
        if msg_type == 0x02 and len(meta) == 80:
            seeds["ext_block"].append(b"\x02" + body)
        if msg_type == FRAME_SUBMIT:
            seeds["frame_submit_body"].append(b"\0" + meta + body)
        if msg_type == RESULT_PUSH:
            seeds["result_push_body"].append(b"\0" + meta + body)
        if msg_type in (FRAME_SUBMIT, RESULT_PUSH):
            tensor_seeds(msg_type, meta, body, seeds)
            region_seeds(body, seeds)
    synthetic_seeds(seeds)

    for target, items in seeds.items():
        folder = os.path.join(out, target)
        os.makedirs(folder, exist_ok=True)
        for data in items:
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(set(items))} seeds")


if __name__ == "__main__":
    main()
