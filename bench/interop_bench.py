"""Side-by-side timing of nnrp-py 1.0.0rc2 and libnnrp on the same packets, on this machine.

usage: python interop_bench.py --bench PATH/nnrp_bench_wire [--quick] [--markdown]

Runs in the virtual environment of tests/interop (tests/interop/run.sh creates it).  Each
scenario is the work one case of bench/bench_wire.c does, written with nnrp-py's public API:
the same field values, the same packets, the same checks.  libnnrp's figures come from
`nnrp_bench_wire --json`, run in the same invocation.  Prints ns per operation for both (the
fastest batch of each) and the ratio (nnrp-py time / libnnrp time).
"""

import argparse
import dataclasses
import json
import subprocess
import sys
import time

import nnrp.core as py

M = py.MessageType

# ---- the scenarios of bench_wire.c, with nnrp-py -------------------------------------------------------

HEADER = dict(version_major=1, wire_format=py.WireFormat.CURRENT, msg_type=M.FRAME_SUBMIT,
              flags=py.HeaderFlags.ACK_REQUIRED | py.HeaderFlags.KEYFRAME, meta_len=72,
              body_len=4096, session_id=7, frame_id=11, view_id=2, route_id=0, trace_id=123456789)


def header_both(i):
    raw = py.NnrpHeader(**{**HEADER, "frame_id": i}).pack()
    return py.NnrpHeader.unpack(raw).frame_id


_FIELD_NAMES = {}


def _fields(cls, **values):
    """The dataclass with every field not given set to 0 (field names looked up once)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = [f.name for f in dataclasses.fields(cls)]
    return cls(**{name: values.get(name, 0) for name in names})


AUTH = b"bench-token-0123456789abcdefghi\0"
CLIENT_EXTS = [
    py.build_client_hello_transport_policy_extension(py.ClientHelloTransportPolicyExtension(
        transport_policy=py.TransportPolicy.PREFER_QUIC, preferred_transport_id=py.TransportId.QUIC)),
    py.build_client_hello_loss_tolerance_extension(py.ClientHelloLossToleranceExtension(
        session_loss_tolerance=py.LossTolerance.BEST_EFFORT)),
    py.build_client_hello_payload_capabilities_extension(py.ClientHelloPayloadCapabilitiesExtension(
        payload_kind_bitmap=py.PayloadKind(0x7F), critical_extension_frame_bitmap=0)),
]
SERVER_EXTS = [
    py.build_server_hello_ack_transport_policy_extension(py.ServerHelloAckTransportPolicyExtension(
        transport_policy=py.TransportPolicy.PREFER_QUIC, accepted_transport_policy=py.TransportPolicy.PREFER_QUIC,
        active_transport_id=py.TransportId.QUIC)),
    py.build_server_hello_ack_loss_tolerance_extension(py.ServerHelloAckLossToleranceExtension(
        accepted_loss_tolerance=py.LossTolerance.BEST_EFFORT)),
    py.build_server_hello_ack_payload_capabilities_extension(py.ServerHelloAckPayloadCapabilitiesExtension(
        accepted_payload_kind_bitmap=py.PayloadKind(0x3), accepted_critical_extension_frame_bitmap=0)),
]
CLIENT_HELLO = dict(min_version_major=1, max_version_major=1, supported_wire_format_bitmap=1,
                    supported_profile_bitmap=0x3, supported_payload_kind_bitmap=0x7F,
                    supported_codec_bitmap=1, supported_compression_bitmap=1, supported_dtype_bitmap=0xFF,
                    supported_layout_bitmap=0x3, max_lane_count=4, target_cadence_x100=3000,
                    latency_budget_ms=33, auth_bytes=len(AUTH), control_extension_bytes=48)
SERVER_HELLO_ACK = dict(selected_version_major=1, session_id=7, accepted_profile_bitmap=1,
                        accepted_payload_kind_bitmap=3, accepted_codec_bitmap=1, accepted_dtype_bitmap=1,
                        accepted_layout_bitmap=1, max_lane_count=4, max_concurrent_frames=8,
                        max_body_bytes=32 << 20, control_extension_bytes=48)
PARAMS = dict(session_id=7, frame_id=42, view_id=1, route_id=0, trace_id=0x1122334455667788)
CLIENT_KNOWN = {0x0101: py.parse_client_hello_transport_policy_extension,
                0x0103: py.parse_client_hello_loss_tolerance_extension,
                0x0105: py.parse_client_hello_payload_capabilities_extension}
SERVER_KNOWN = {0x0102: py.parse_server_hello_ack_transport_policy_extension,
                0x0104: py.parse_server_hello_ack_loss_tolerance_extension,
                0x0106: py.parse_server_hello_ack_payload_capabilities_extension}


def hello_build(i):
    """CLIENT_HELLO and SERVER_HELLO_ACK packets: metadata, extension block, auth."""
    head = dict(version_major=1, wire_format=py.WireFormat.CURRENT, **{**PARAMS, "trace_id": i})
    client = py.NnrpPacket.build(
        msg_type=M.CLIENT_HELLO, **head,
        metadata=_fields(py.ClientHelloMetadata, **CLIENT_HELLO).pack(),
        body=py.pack_control_extension_block(CLIENT_EXTS) + AUTH).pack()
    server = py.NnrpPacket.build(
        msg_type=M.SERVER_HELLO_ACK, **head,
        metadata=_fields(py.ServerHelloAckMetadata, **SERVER_HELLO_ACK).pack(),
        body=py.pack_control_extension_block(SERVER_EXTS)).pack()
    return client, server


HELLOS = hello_build(0)


def hello_decode(i):
    """Both packets decoded and validated: header, metadata, extension block, each extension."""
    total = 0
    for raw, cls, known in ((HELLOS[0], py.ClientHelloMetadata, CLIENT_KNOWN),
                            (HELLOS[1], py.ServerHelloAckMetadata, SERVER_KNOWN)):
        pkt = py.NnrpPacket.unpack(raw)
        meta = cls.unpack(pkt.metadata)
        body = pkt.body
        for entry in py.unpack_control_extension_block(body[:meta.control_extension_bytes],
                                                       known_types=set(known)):
            known[entry.ext_type](entry)
            total += 1
    return total


SUBMIT_META = dict(src_width=640, src_height=360, tile_width=32, tile_height=32, tile_count=84, section_count=2,
                   frame_class=1, input_profile=py.InputProfile.CHANGED_TILES_LUMA,
                   tile_index_mode=py.TileIndexMode.RAW_U16, latency_budget_ms=100, target_fps_x100=6000,
                   tile_index_bytes=168, submit_mode=py.SubmitMode.INLINE, budget_policy=py.BudgetPolicy(0),
                   loss_tolerance_policy=0xFF, payload_kind_bitmap=py.PayloadKind.TENSOR)
RESULT_META = dict(section_count=1, tile_count=84, inference_ms=12, queue_ms=1, server_total_ms=14,
                   tile_index_bytes=168, covered_tile_count=84, result_class=py.ResultClass.COMPLETE,
                   result_flags=py.ResultFlags(0), applied_budget_policy=py.BudgetPolicy(0),
                   payload_kind_bitmap=py.PayloadKind.TENSOR)


def data_meta_both(i):
    s = _fields(py.FrameSubmitMetadata, **{**SUBMIT_META, "retry_of_frame": i}).pack()
    r = _fields(py.ResultPushMetadata, **{**RESULT_META, "inference_ms": i & 0xFFFF}).pack()
    return py.FrameSubmitMetadata.unpack(s).retry_of_frame + py.ResultPushMetadata.unpack(r).inference_ms


TILE_IDS = (10, 11, 12, 13)
TILES = [bytes((t * 7 + k) & 0xFF for k in range(1024)) for t in range(4)]


def _section(tiles):
    return py.TensorSectionData(role_id=1, default_codec_id=0, dtype_id=py.TensorDType.FP16,
                                tile_payloads=tiles, element_count_per_tile=512)


def small_pack(i):
    """Legacy tensor body: RAW_U16 tile index, padding to 8, one section of 4 x 1 KiB."""
    tiles = (bytes([i & 0xFF]) + TILES[0][1:],) + tuple(TILES[1:])
    index = py.pack_tile_index_block(TILE_IDS, mode=py.TileIndexMode.RAW_U16)
    return index + b"\0" * (-len(index) % 8) + py.pack_tensor_section_data(_section(tiles))


def small_unpack(body):
    """Validate the body and the tile index, copy every tile out."""
    view = py.unpack_tensor_body(body, tile_index_bytes=8, section_count=1, tile_count=4)
    ids = py.unpack_tile_index_block(view.tile_index_block, mode=py.TileIndexMode.RAW_U16, tile_count=4)
    out = b"".join(bytes(s) for section in view.sections for s in section.payload_slices())
    return len(out) + sum(ids)


def small_both(i):
    return small_unpack(small_pack(i))


def small_packet(i):
    """RESULT_PUSH with the 4 x 1 KiB section: build, then decode as the reference client does."""
    raw = py.build_result_push_packet(**PARAMS | {"frame_id": i}, tile_ids=TILE_IDS,
                                      sections=[_section(tuple(TILES))]).pack()
    pkt = py.NnrpPacket.unpack(raw)
    meta = py.ResultPushMetadata.unpack(pkt.metadata)
    py.validate_result_push_tensor_coverage(meta)
    view = py.unpack_tensor_body(pkt.body, tile_index_bytes=meta.tile_index_bytes,
                                 section_count=meta.section_count, tile_count=meta.tile_count)
    py.unpack_tile_index_block(view.tile_index_block, mode=py.TileIndexMode.RAW_U16, tile_count=meta.tile_count)
    return len(view.sections)


MIXED_FRAMES = [py.build_token_chunk_frame(b"the quick brown fox jumps over the lazy dog, 64 bytes of tokens."),
                py.build_structured_event_frame(b'{"type":"detection","label":"person","score":0.97}')]


def mixed_build(i):
    """FRAME_SUBMIT with the 4 x 1 KiB section and two typed frames (token, event)."""
    return py.build_frame_submit_mixed_packet(
        **PARAMS | {"frame_id": i}, src_width=640, src_height=360, tile_width=32, tile_height=32,
        tile_ids=TILE_IDS, sections=[_section(tuple(TILES))], frames=MIXED_FRAMES).pack()


MIXED = mixed_build(0)


def mixed_decode(i):
    pkt = py.NnrpPacket.unpack(MIXED)
    meta = py.FrameSubmitMetadata.unpack(pkt.metadata)
    view = py.validate_frame_submit_body(meta, pkt.body)
    frames = py.unpack_typed_payload_frames(view.typed_payload_descriptor_region, view.typed_payload_frame_region)
    py.unpack_extension_frames(view.extension_descriptor_region, view.extension_payload_region,
                               known_extension_kinds=set())
    return len(frames[1].payload)


# name, nnrp-py function, libnnrp case names of bench_wire.c whose times add up to the same work
SCENARIOS = [
    ("header encode+decode", header_both, ["header encode+decode"]),
    ("CLIENT_HELLO+SERVER_HELLO_ACK build", hello_build, ["HELLO+HELLO_ACK packets build"]),
    ("CLIENT_HELLO+SERVER_HELLO_ACK decode", hello_decode, ["HELLO+HELLO_ACK packets decode"]),
    ("FRAME_SUBMIT+RESULT_PUSH metadata enc+dec", data_meta_both, ["SUBMIT+RESULT meta enc+dec"]),
    ("4 x 1 KiB tensor pack+unpack (copies)", small_both, ["4x1KiB pack+unpack (copies)"]),
    ("RESULT_PUSH 4 x 1 KiB build+decode", small_packet, ["RESULT_PUSH 4x1KiB build+decode"]),
    ("mixed FRAME_SUBMIT (tensor+typed) build", mixed_build, ["mixed SUBMIT (tensor+typed) build"]),
    ("mixed FRAME_SUBMIT (tensor+typed) decode", mixed_decode, ["mixed SUBMIT (tensor+typed) decode"]),
]


def time_python(fn, quick):
    """ns per call of the fastest of several batches of about 0.1 s (0.02 s with --quick): the
    batch least disturbed by other processes, as for libnnrp's "best"."""
    target = 0.02 if quick else 0.1
    n = 1
    while True:
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        if time.perf_counter() - t0 >= target:
            break
        n *= 2
    runs = []
    for _ in range(3 if quick else 7):
        t0 = time.perf_counter_ns()
        for i in range(n):
            fn(i)
        runs.append((time.perf_counter_ns() - t0) / n)
    return min(runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", required=True, help="build/bench/nnrp_bench_wire")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = ap.parse_args()

    cmd = [args.bench, "--json"] + (["--quick"] if args.quick else [])
    lib = {c["name"]: c["best"] for c in json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                                                  text=True).stdout)["cases"]}
    rows = []
    for name, fn, lib_cases in SCENARIOS:
        rows.append((name, time_python(fn, args.quick), sum(lib[c] for c in lib_cases)))

    version = sys.version.split()[0]
    if args.markdown:
        print(f"| scenario | nnrp-py 1.0.0rc2 (CPython {version}) | libnnrp | ratio |")
        print("| --- | ---: | ---: | ---: |")
        for name, p, c in rows:
            print(f"| {name} | {p / 1000:.2f} µs | {c:.1f} ns | {p / c:,.0f}x |")
    else:
        print(f"{'scenario':44} {'nnrp-py ns':>12} {'libnnrp ns':>11} {'ratio':>8}")
        for name, p, c in rows:
            print(f"{name:44} {p:12.0f} {c:11.1f} {p / c:7.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
