"""Seeded inputs for every reference builder, in the JSON encoding of builder-examples.json.

Each generator returns the keyword arguments of one call.  Most calls are valid; a share of
them sits on or just past a boundary (counts, lengths, enum ranges, id order) so that both
implementations must also agree on what they refuse.  Everything is drawn from one
random.Random, so a seed reproduces a run exactly.
"""

import dataclasses
import inspect
import random

import nnrp.core as py

U16, U32, U64 = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF
NON_TENSOR_KINDS = (2, 4, 8, 16, 32, 64)


def hx(b):
    return {"hex": bytes(b).hex()}


def enum(cls_name, value):
    """The vectors' enum form when the value names a member (or a flag set), else the plain int."""
    cls = getattr(py, cls_name)
    try:
        member = cls(value)
    except ValueError:
        return value
    name = member.name if member.name else "NONE"
    return {"enum": f"{cls_name}.{name}", "value": int(value)}


def dc(cls_name, fields):
    return {"class": cls_name, "fields": fields}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    # ---- primitives ------------------------------------------------------------------------------

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(list(seq))

    def data(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def length(self, big=300):
        """Edge sizes first: empty, one byte, around the 8-byte alignment, then anything."""
        if self.chance(0.6):
            return self.pick((0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65))
        return self.r.randint(0, big)

    def payload(self, big=300):
        return self.data(self.length(big))

    def uint(self, mask, small=0.5):
        """A value of a field `mask` wide: small values, the edges, or anything."""
        x = self.r.random()
        if x < small:
            return self.r.randint(0, min(mask, 9))
        if x < small + 0.2:
            return self.pick((0, 1, mask, mask - 1, (mask + 1) // 2))
        return self.r.randint(0, mask)

    def flags(self, cls_name, bits):
        return enum(cls_name, self.r.randint(0, (1 << bits) - 1))

    def member(self, cls_name, bad=0.0, wide=0xFF):
        """An enum member (every one in turn over many calls); now and then a value past them."""
        cls = getattr(py, cls_name)
        if self.chance(bad):
            return self.r.randint(max(m.value for m in cls) + 1, wide)
        return enum(cls_name, self.pick(cls).value)

    def header_args(self, fn_name, required=()):
        """The header keyword arguments the reference function takes, some left to defaults."""
        params = inspect.signature(getattr(py, fn_name)).parameters
        out = {}
        for key, mask in (("session_id", U32), ("frame_id", U32), ("view_id", U16),
                          ("route_id", U16), ("trace_id", U64)):
            if key in params and (key in required or params[key].default is inspect._empty
                                  or self.chance(0.7)):
                out[key] = self.uint(mask)
        if "flags" in params and self.chance(0.6):
            out["flags"] = self.flags("HeaderFlags", 6)
        return out

    # ---- tile ids and tensor sections ----------------------------------------------------------------

    def tile_count(self):
        if self.chance(0.1):
            return 0
        if self.chance(0.05):
            return self.r.randint(100, 600)  # long tables, still cheap
        return self.r.randint(1, 12)

    def tile_ids(self, mode, n, base):
        """Ids valid for `mode` (DENSE_RANGE: base.., DELTA/BITSET: increasing); 5 % broken."""
        r = self.r
        if mode == 0:
            ids = list(range(base, base + n))
        elif mode == 1:
            ids = [r.randint(0, U16) if self.chance(0.3) else r.randint(0, 64) for _ in range(n)]
        else:
            span = 80 if mode == 3 and self.chance(0.8) else U16 + 1
            ids = sorted(r.sample(range(min(span, U16 + 1)), min(n, span)))
        if ids and self.chance(0.05):
            k = r.randrange(len(ids))
            ids[k] = self.pick((ids[0], ids[-1] + 1, 0, U16, U16 + 1, base + n))
        return ids

    def section(self, n, role_id):
        r = self.r
        layout = self.pick(("var", "var", "fixed", "codec", "empty"))
        if layout == "fixed":
            stride = self.pick((0, 1, 2, 4, 8, 12, 16, 64))
            payloads = [self.data(stride if self.chance(0.8) else r.randint(0, stride)) for _ in range(n)]
        elif layout == "empty":
            stride = 0
            payloads = [b""] * n
        else:
            stride = 0
            payloads = [self.payload(80) for _ in range(n)]
        if payloads and self.chance(0.015):  # payload count off by one
            payloads = payloads[:-1] if self.chance(0.5) else payloads + [b"x"]
        default_codec = self.uint(0xFF, small=0.8)
        codec_ids = []
        if layout == "codec":
            codec_ids = [self.pick((default_codec, default_codec, r.randint(0, 7))) for _ in range(n)]
            if self.chance(0.05):
                codec_ids = codec_ids[:-1] or [0]
        if stride and self.chance(0.04):
            stride -= 1  # a payload longer than the stride
        return dc("TensorSectionData", {
            "role_id": role_id,
            "default_codec_id": default_codec,
            "dtype_id": self.member("TensorDType", bad=0.03),
            "tile_payloads": [hx(p) for p in payloads],
            "codec_ids": codec_ids,
            "layout_id": self.member("TensorLayout", bad=0.03),
            "scale_policy": self.member("ScalePolicy", bad=0.03),
            "payload_stride_bytes": stride,
            "element_count_per_tile": self.uint(U32),
        })

    def sections(self, n):
        count = self.pick((0, 1, 1, 1, 2, 2, 3, 4))
        roles = sorted(self.r.sample(range(0, 300), count))
        if count > 1 and self.chance(0.05):
            roles[1] = roles[0]  # not strictly increasing
        return [self.section(n, role) for role in roles]

    # ---- frames, references, entries -------------------------------------------------------------------

    def typed_frame(self, kinds=NON_TENSOR_KINDS):
        kind = self.pick(kinds) if not self.chance(0.015) else self.pick((0, 1, 3, 128, 255))
        return dc("TypedPayloadFrame", {
            "payload_kind": enum("PayloadKind", kind),
            "payload": hx(self.payload()),
            "profile_id": self.uint(U16),
            "descriptor_flags": 0 if not self.chance(0.015) else self.r.randint(1, 255),
        })

    def typed_frames(self, low=1, high=5):
        return [self.typed_frame() for _ in range(self.r.randint(low, high))]

    def ext_frame(self, critical=0.1):
        return dc("ExtensionFrame", {
            "extension_kind": self.uint(U16),
            "payload": hx(self.payload()),
            "profile_id": self.uint(U16),
            "extension_flags": enum("ExtensionFrameFlags",
                                    1 if self.chance(critical) else (0 if not self.chance(0.03) else 2)),
        })

    def object_ref(self, kind=None):
        kind = kind if kind is not None else self.r.randint(0, 10)
        return dc("ObjectReferenceBlock", {
            "object_kind": enum("CacheObjectKind", kind),
            "ref_flags": 0 if self.chance(0.97) else self.uint(U16),
            "cache_namespace": self.uint(U32),
            "cache_key_hi": self.uint(U32),
            "cache_key_lo": self.uint(U32),
        })

    def ext_entry(self):
        ext_type = self.pick((0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106)) \
            if self.chance(0.4) else self.uint(U16)
        return dc("ControlExtensionEntry", {
            "ext_type": ext_type,
            "ext_flags": enum("ControlExtensionFlags", self.pick((0, 0, 1)) if self.chance(0.95)
                              else self.pick((2, 3, 0x8000))),
            "payload": hx(self.payload(40)),
        })


# ---- data-plane packet builders ----------------------------------------------------------------------

def _tensor_args(g, modes=(0, 1, 2, 3)):
    """tile_ids, sections, tile_index_mode and tile_base_id of one tensor payload."""
    mode = g.pick(modes) if not g.chance(0.02) else g.pick((4, 7))
    n = g.tile_count()
    base = g.uint(U16, small=0.6) if mode == 0 else (g.uint(U16) if g.chance(0.2) else 0)
    if mode == 0 and g.chance(0.02):
        base = g.pick((U16, U16 - 1, U32))
    ids = g.tile_ids(mode if mode < 4 else 1, n, base)
    out = {"tile_ids": ids, "sections": g.sections(len(ids)), "tile_index_mode": enum("TileIndexMode", mode)}
    if base or g.chance(0.5):
        out["tile_base_id"] = base
    return out


def _submit_common(g, name):
    a = g.header_args(name)
    for key in ("session_id", "frame_id"):
        a.setdefault(key, g.uint(U32))
    if g.chance(0.7):
        a["frame_class"] = g.r.randint(0, 3) if not g.chance(0.03) else g.pick((4, 255))
    if g.chance(0.5):
        a["latency_budget_ms"] = g.uint(U16)
    if g.chance(0.5):
        a["target_fps_x100"] = g.uint(U16)
    if g.chance(0.4):
        a["retry_of_frame"] = g.uint(U32)
    if g.chance(0.5):
        a["budget_policy"] = g.flags("BudgetPolicy", 4 if not g.chance(0.03) else 8)
    if g.chance(0.4):
        a["dependency_frame_id"] = g.uint(U32)
    if g.chance(0.4):
        a["loss_tolerance_policy"] = g.pick((0, 1, 2, 3, 0xFF)) if not g.chance(0.05) else g.r.randint(4, 254)
    return a


def _geometry(g, a):
    for key in ("src_width", "src_height", "tile_width", "tile_height"):
        a[key] = g.pick((0, 1, 8, 16, 32, 64, 640, 360, 1920, U16)) if g.chance(0.8) else g.uint(U16)


def gen_frame_submit(g):
    name = "build_frame_submit_packet"
    a = _submit_common(g, name)
    _geometry(g, a)
    shape = g.pick(("inline", "inline", "inline", "reference", "mixed", "non_tensor"))
    if shape == "non_tensor":
        a["tile_ids"], a["sections"] = [], []
        a["payload_kind_bitmap"] = enum("PayloadKind", g.r.randint(0, 127) & ~1)
        if g.chance(0.05):
            a["payload_frame_count"] = 1
        return a
    a.update(_tensor_args(g))
    a["input_profile"] = g.member("InputProfile", bad=0.03)
    if g.chance(0.7):
        a["camera_block"] = hx(g.payload(200))
    if shape == "inline":
        if g.chance(0.05):
            a["payload_kind_bitmap"] = enum("PayloadKind", g.pick((3, 0x41, 0)))
        if g.chance(0.03):
            a["payload_frame_count"] = g.r.randint(1, 3)
        return a
    a["submit_mode"] = enum("SubmitMode", 1 if shape == "reference" else 2)
    mask = 0
    needed = {1: "camera_block" in a, 2: bool(a["tile_ids"]), 4: bool(a["sections"])}
    for bit, key, kind in ((1, "camera_reference", 1), (2, "tile_index_reference", 2),
                           (4, "tensor_section_table_reference", 3)):
        if (shape == "reference" and needed[bit] and not g.chance(0.05)) or g.chance(0.4):
            a[key] = g.object_ref(kind if not g.chance(0.03) else g.pick((5, 6)))
            mask |= bit
            if bit == 1:
                a.pop("camera_block", None)
    if g.chance(0.05):
        mask ^= g.pick((1, 2, 4, 8))
    a["object_ref_mask"] = mask
    return a


def gen_frame_submit_typed(g):
    a = _submit_common(g, "build_frame_submit_typed_payload_packet")
    a["frames"] = g.typed_frames(0 if g.chance(0.05) else 1, 6)
    return a


def gen_frame_submit_mixed(g):
    a = _submit_common(g, "build_frame_submit_mixed_packet")
    _geometry(g, a)
    a.update(_tensor_args(g))
    a["input_profile"] = g.member("InputProfile", bad=0.02)
    if g.chance(0.6):
        a["camera_block"] = hx(g.payload(200))
    a["frames"] = g.typed_frames(0 if g.chance(0.05) else 1, 5)
    return a


def _coverage(g, a, n, partial=False):
    """covered/dropped counts: None (every tile) or a split, now and then an impossible one."""
    if partial or g.chance(0.5):
        dropped = g.r.randint(1 if partial and n else 0, n) if n else 0
        a["covered_tile_count"] = n - dropped
        a["dropped_tile_count"] = dropped
        if g.chance(0.05):
            a["covered_tile_count"] += 1


def _result_common(g, name):
    a = g.header_args(name)
    for key in ("session_id", "frame_id"):
        a.setdefault(key, g.uint(U32))
    for key in ("active_profile_id", "inference_ms", "queue_ms", "server_total_ms", "status_code"):
        if g.chance(0.5):
            a[key] = g.uint(U16)
    return a


def _result_class_args(g, a):
    a["result_class"] = g.member("ResultClass", bad=0.03)
    partial = isinstance(a["result_class"], dict) and a["result_class"]["value"] == 1
    flags = g.r.randint(0, 3) | (4 if partial or g.chance(0.05) else 0)
    a["result_flags"] = enum("ResultFlags", flags if not g.chance(0.03) else g.r.randint(8, 31))
    if g.chance(0.5):
        a["applied_budget_policy"] = g.flags("BudgetPolicy", 4)
    if g.chance(0.4) or (isinstance(a["result_class"], dict) and a["result_class"]["value"] == 2):
        a["reused_frame_id"] = g.uint(U32)


def gen_result_push(g, name="build_result_push_packet", wrapper=None):
    a = _result_common(g, name)
    if wrapper is None and g.chance(0.1):
        a["tile_ids"], a["sections"] = [], []
        a["payload_kind_bitmap"] = enum("PayloadKind", g.r.randint(0, 127) & ~1)
        _result_class_args(g, a)
        return a
    a.update(_tensor_args(g, modes=(0, 1, 1) if not g.chance(0.02) else (2, 3)))
    if wrapper is None:
        _result_class_args(g, a)
        _coverage(g, a, len(a["tile_ids"]), partial=a["result_flags"]["value"] & 4
                  if isinstance(a["result_flags"], dict) else False)
        if g.chance(0.04):
            a["payload_kind_bitmap"] = enum("PayloadKind", g.pick((3, 0x21)))
        if g.chance(0.03):
            a["payload_frame_count"] = 1
    elif wrapper == "partial":
        _coverage(g, a, len(a["tile_ids"]), partial=True)
        a.setdefault("covered_tile_count", len(a["tile_ids"]))
        a.setdefault("dropped_tile_count", 0)
    elif wrapper == "stale":
        a["reused_frame_id"] = g.uint(U32) if not g.chance(0.05) else 0
        _coverage(g, a, len(a["tile_ids"]))
    else:
        _coverage(g, a, len(a["tile_ids"]))
    return a


def gen_result_partial(g):
    return gen_result_push(g, "build_partial_result_push_packet", "partial")


def gen_result_stale(g):
    return gen_result_push(g, "build_stale_reuse_result_push_packet", "stale")


def gen_result_degraded(g):
    return gen_result_push(g, "build_degraded_result_push_packet", "degraded")


def gen_result_typed(g):
    a = _result_common(g, "build_result_push_typed_payload_packet")
    _result_class_args(g, a)
    a["frames"] = g.typed_frames(0 if g.chance(0.05) else 1, 6)
    return a


def gen_result_mixed(g):
    a = _result_common(g, "build_result_push_mixed_packet")
    a.update(_tensor_args(g, modes=(0, 1)))
    _result_class_args(g, a)
    _coverage(g, a, len(a["tile_ids"]), partial=a["result_flags"]["value"] & 4
              if isinstance(a["result_flags"], dict) else False)
    a["frames"] = g.typed_frames(0 if g.chance(0.05) else 1, 5)
    return a


# ---- metadata dataclasses: field widths (bytes), enum fields, perturbation of a valid base -------------

WIDTHS = {
    "ClientHelloMetadata": "min_version_major:1 max_version_major:1 supported_wire_format_bitmap:2 "
    "supported_profile_bitmap:4 supported_payload_kind_bitmap:4 supported_codec_bitmap:4 "
    "supported_compression_bitmap:4 supported_dtype_bitmap:4 supported_layout_bitmap:4 "
    "cache_digest_bitmap:2 cache_object_bitmap:2 cache_namespace_count:2 max_lane_count:2 "
    "max_cache_entries:4 max_cache_bytes:4 target_cadence_x100:2 latency_budget_ms:2 quality_tier:2 "
    "degrade_policy:2 requested_session_id:4 auth_bytes:4 control_extension_bytes:4",
    "ServerHelloAckMetadata": "selected_version_major:1 selected_wire_format:1 auth_status:1 reserved0:1 "
    "session_id:4 accepted_profile_bitmap:4 accepted_payload_kind_bitmap:4 accepted_codec_bitmap:4 "
    "accepted_compression_bitmap:4 accepted_dtype_bitmap:4 accepted_layout_bitmap:4 cache_digest_bitmap:4 "
    "cache_object_bitmap:4 max_cache_entries:4 max_cache_bytes:4 max_lane_count:2 max_concurrent_frames:2 "
    "target_cadence_x100:2 latency_budget_ms:2 quality_tier:2 degrade_policy:2 max_body_bytes:4 "
    "token_ttl_ms:4 retry_after_ms:4 control_extension_bytes:4 server_flags:4",
    "SessionPatchMetadata": "profile_id:2 reserved0:2 patch_mask:4 target_cadence_x100:4 quality_tier:2 "
    "degrade_policy:2 active_lane_mask:8 preferred_codec_bitmap:4 preferred_compression_bitmap:4 "
    "profile_patch_bytes:4",
    "SessionPatchAckMetadata": "ack_status:2 reject_reason:2 applied_patch_mask:4 rejected_patch_mask:4 "
    "retry_after_ms:4 effective_profile_id:2 reserved0:2 effective_target_cadence_x100:4 "
    "effective_quality_tier:2 effective_degrade_policy:2 effective_lane_mask:8 effective_codec_bitmap:4 "
    "effective_compression_bitmap:4 profile_patch_ack_bytes:4",
    "ErrorMetadata": "error_code:4 error_scope:4 is_fatal:4 retry_after_ms:4 related_session_id:4 "
    "related_frame_id:4 related_view_id:4 diagnostic_bytes:4",
    "CachePutMetadata": "cache_namespace:4 cache_key_hi:4 cache_key_lo:4 object_kind:4 ttl_ms:4 "
    "object_bytes:4 codec_bitmap:4 flags:4",
    "CacheAckMetadata": "cache_namespace:4 cache_key_hi:4 cache_key_lo:4 status:4 accepted_ttl_ms:4 "
    "max_object_bytes:4 detail_code:4",
    "CacheInvalidateMetadata": "invalidate_scope:4 cache_namespace:4 cache_key_hi:4 cache_key_lo:4 reason_code:4",
    "FlowUpdateMetadata": "scope_kind:1 update_reason:1 backpressure_level:1 connection_credit:2 "
    "session_credit:2 operation_credit:2 operation_id:8 retry_after_ms:4 credit_epoch:4 flags:4",
    "ResultHintMetadata": "applied_budget_policy:4 congestion_state:4 reason:4 retry_after_ms:4",
    "TransportProbeMetadata": "probe_id:4 probe_payload_bytes:4 client_send_ts_us:8",
    "TransportProbeAckMetadata": "probe_id:4 reserved:4 server_recv_ts_us:8",
    "SessionMigrateMetadata": "old_transport_id:4 new_transport_id:4 last_result_frame_id:8 client_migrate_ts_us:8",
    "SessionMigrateAckMetadata": "accept_code:4 resume_from_frame_id:8 grace_window_ms:4 server_migrate_ts_us:8",
    "FrameSubmitMetadata": "src_width:2 src_height:2 tile_width:2 tile_height:2 tile_count:2 section_count:2 "
    "frame_class:1 input_profile:1 tile_index_mode:1 reserved0:1 latency_budget_ms:2 target_fps_x100:2 "
    "retry_of_frame:4 tile_base_id:4 camera_bytes:4 tile_index_bytes:4 reserved1:8 reserved2:8 submit_mode:1 "
    "budget_policy:1 loss_tolerance_policy:1 reserved3:1 object_ref_mask:4 dependency_frame_id:4 "
    "payload_kind_bitmap:4 payload_frame_count:2 reserved4:2",
    "ResultPushMetadata": "status_code:2 result_flags:2 section_count:2 tile_count:2 active_profile_id:2 "
    "reserved0:2 inference_ms:2 queue_ms:2 server_total_ms:2 reserved1:2 tile_base_id:4 tile_index_bytes:4 "
    "reserved2:8 reserved3:8 result_class:1 applied_budget_policy:1 reserved4:2 reused_frame_id:4 "
    "covered_tile_count:2 dropped_tile_count:2 payload_kind_bitmap:4 payload_frame_count:2 reserved5:2",
    "TensorProfilePatchBlock": "min_width:4 min_height:4 max_width:4 max_height:4",
    "TensorProfilePatchAckBlock": "min_width:4 min_height:4 max_width:4 max_height:4",
}
WIDTHS = {cls: {f.split(":")[0]: int(f.split(":")[1]) for f in spec.split()} for cls, spec in WIDTHS.items()}

# Enum-typed fields: the class of their values and, for flag sets, how many bits are defined.
ENUMS = {
    "patch_mask": ("SessionPatchField", 7), "applied_patch_mask": ("SessionPatchField", 7),
    "rejected_patch_mask": ("SessionPatchField", 7), "ack_status": ("SessionPatchAckStatus", 0),
    "reject_reason": ("SessionPatchRejectReason", 0), "error_code": ("ErrorCode", 0),
    "error_scope": ("ErrorScope", 0), "object_kind": ("CacheObjectKind", 0), "status": ("CacheAckStatus", 0),
    "invalidate_scope": ("CacheInvalidateScope", 0), "scope_kind": ("FlowUpdateScopeKind", 0),
    "update_reason": ("FlowUpdateReason", 0), "backpressure_level": ("FlowUpdateBackpressureLevel", 0),
    "congestion_state": ("ResultHintCongestionState", 0), "reason": ("ResultHintReason", 0),
    "old_transport_id": ("TransportId", 0), "new_transport_id": ("TransportId", 0),
    "input_profile": ("InputProfile", 0), "tile_index_mode": ("TileIndexMode", 0),
    "submit_mode": ("SubmitMode", 0), "result_class": ("ResultClass", 0),
    "result_flags": ("ResultFlags", 3), "payload_kind_bitmap": ("PayloadKind", 7),
}
FLAG_FIELDS = {("CachePutMetadata", "flags"): ("CachePutFlags", 2), ("FlowUpdateMetadata", "flags"): ("FlowUpdateFlags", 4),
               ("ResultHintMetadata", "applied_budget_policy"): ("ResultHintBudgetPolicy", 0),
               ("FrameSubmitMetadata", "budget_policy"): ("BudgetPolicy", 4),
               ("ResultPushMetadata", "applied_budget_policy"): ("BudgetPolicy", 4)}


def _field_value(g, cls, field, width):
    mask = (1 << (8 * width)) - 1
    spec = FLAG_FIELDS.get((cls, field)) or (ENUMS.get(field) if field != "flags" else None)
    if field.startswith("reserved"):
        return 0 if g.chance(0.9) else g.uint(mask)
    if field == "loss_tolerance_policy":
        return g.pick((0, 1, 2, 3, 0xFF)) if g.chance(0.9) else g.uint(mask)
    if field.endswith("transport_id"):
        return enum("TransportId", g.pick((1, 2))) if g.chance(0.9) else g.member("TransportId", bad=0.3)
    if spec:
        enum_cls, bits = spec
        if bits:
            return g.flags(enum_cls, bits if not g.chance(0.03) else min(8 * width, bits + 2))
        return g.member(enum_cls, bad=0.03, wide=min(mask, 0x1FF))
    return g.uint(mask)


def perturb(g, base, cls, count=None):
    """A copy of the field object `base` with `count` fields drawn again (all at random)."""
    fields = dict(base)
    widths = WIDTHS[cls]
    count = g.r.randint(0, 4) if count is None else count
    for field in g.r.sample(sorted(widths), min(count, len(widths))):
        if field in fields:  # only what the reference dataclass has
            fields[field] = _field_value(g, cls, field, widths[field])
    return fields


def random_fields(g, cls):
    names = {f.name for f in dataclasses.fields(getattr(py, cls))}
    return {f: _field_value(g, cls, f, w) for f, w in WIDTHS[cls].items() if f in names}


# ---- control-plane packet builders --------------------------------------------------------------------

class Bases:
    """Valid metadata field objects of builder-examples.json, by dataclass name: the starting points."""

    def __init__(self, examples):
        self.by_class = {}
        for ex in examples:
            for value in _dataclass_values(ex["inputs"]):
                self.by_class.setdefault(value["class"], []).append(value["fields"])

    def fields(self, g, cls, count=None):
        bases = self.by_class.get(cls)
        if not bases or g.chance(0.15):
            return random_fields(g, cls)
        return perturb(g, g.pick(bases), cls, count)


def _dataclass_values(value):
    if isinstance(value, dict):
        if set(value) == {"class", "fields"}:
            yield value
        for v in value.values():
            yield from _dataclass_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dataclass_values(v)


def _meta_packet(cls, name, body=None):
    def gen(g, bases):
        a = g.header_args(name)
        a["metadata"] = dc(cls, bases.fields(g, cls))
        if body:
            body(g, a)
        return a
    return gen


def gen_flow_update(g, bases):
    """Credits that fit the scope (wire-control §10.1), a share of them broken by perturbation."""
    a = g.header_args("build_flow_update_packet")
    scope = g.r.randint(0, 2)
    f = {"scope_kind": enum("FlowUpdateScopeKind", scope),
         "update_reason": g.member("FlowUpdateReason"),
         "backpressure_level": g.member("FlowUpdateBackpressureLevel"),
         "connection_credit": g.uint(U16) if scope == 0 else 0,
         "session_credit": g.uint(U16) if scope == 1 else 0,
         "operation_credit": g.uint(U16) if scope == 2 else 0,
         "operation_id": g.uint(U64) if scope == 2 else 0,
         "credit_epoch": g.uint(U32)}
    flags = g.r.randint(0, 15)
    f["retry_after_ms"] = g.uint(U32) if flags & 2 else 0
    f["flags"] = enum("FlowUpdateFlags", flags)
    a["session_id"] = 0 if scope == 0 else (g.uint(U32) or 1)
    if g.chance(0.15):
        f = perturb(g, f, "FlowUpdateMetadata", 1)
    a["metadata"] = dc("FlowUpdateMetadata", f)
    return a


def _probe_body(g, a):
    data = g.payload(100)
    a["body"] = hx(data)
    if g.chance(0.9):
        a["metadata"]["fields"]["probe_payload_bytes"] = len(data)


def _migrate_body(g, a):
    if g.chance(0.08):
        a["body"] = hx(g.payload(20))


def _params_packet(name):
    def gen(g, bases):
        return g.header_args(name)
    return gen


def gen_header_only(g, bases):
    a = g.header_args("build_header_only_packet")
    kind = g.pick((17, 32, 33)) if g.chance(0.8) else g.pick([m.value for m in py.MessageType])
    a["msg_type"] = enum("MessageType", kind)
    return a


# ---- frames, blocks and pack helpers ------------------------------------------------------------------

def _shorthand_frame(g, bases):
    a = {"payload": hx(g.payload(400))}
    if g.chance(0.7):
        a["profile_id"] = g.uint(U16) if not g.chance(0.02) else U16 + 1
    return a


def gen_typed_payload_frame(g, bases):
    kind = g.pick(NON_TENSOR_KINDS) if g.chance(0.85) else g.r.randint(0, 255)
    a = {"payload_kind": enum("PayloadKind", kind) if g.chance(0.7) else kind, "payload": hx(g.payload())}
    if g.chance(0.6):
        a["profile_id"] = g.uint(U16)
    if g.chance(0.3):
        a["descriptor_flags"] = 0 if g.chance(0.7) else g.r.randint(1, 255)
    return a


def gen_extension_frame(g, bases):
    a = {"extension_kind": g.uint(U16), "payload": hx(g.payload())}
    if g.chance(0.6):
        a["profile_id"] = g.uint(U16)
    if g.chance(0.6):
        a["extension_flags"] = enum("ExtensionFrameFlags", g.pick((0, 1)) if g.chance(0.95) else g.pick((2, 3)))
    return a


def _inline_payload(g, bases):
    a = {"payload": hx(g.payload(200))}
    if g.chance(0.5):
        a["profile_id"] = g.uint(U16)
    return a


def gen_tile_index_inline(g, bases):
    a = gen_pack_tile_index(g, bases)
    if g.chance(0.5):
        a["profile_id"] = g.uint(U16)
    return a


def gen_section_table_inline(g, bases):
    import oracle  # the payload is a real section table most of the time
    n = g.tile_count() % 20
    payload = b""
    if g.chance(0.8):
        for section in g.sections(n):
            ok, out = oracle.build("pack_tensor_section_data", {"section": section})
            if ok == "ok":
                payload += out + b"\0" * (-len(out) % 8)
    else:
        payload = g.payload()
    a = {"payload": hx(payload)}
    if g.chance(0.5):
        a["profile_id"] = g.uint(U16)
    return a


def gen_reference_block(g, bases):
    return {k: g.uint(U32) if not g.chance(0.02) else U32 + 1
            for k in ("cache_namespace", "cache_key_hi", "cache_key_lo")}


def gen_object_reference_pack(g, bases):
    return g.object_ref(g.r.randint(1, 9) if g.chance(0.9) else g.pick((0, 10, 255)))


def _extension_builder(cls, fields):
    def gen(g, bases):
        values = {}
        for field, enum_cls in fields:
            if enum_cls == "bitmap":
                values[field] = 0 if g.chance(0.9) else g.uint(U32)
            elif enum_cls == "PayloadKind":
                values[field] = enum("PayloadKind", g.r.randint(0, 127) if g.chance(0.9) else g.uint(U32))
            else:
                values[field] = g.member(enum_cls, bad=0.05, wide=0xFF)
        return {"extension": dc(cls, values)}
    return gen


def gen_cache_object_bitmap(g, bases):
    kinds = [g.r.randint(1, 9) for _ in range(g.r.randint(0, 9))]
    if g.chance(0.05):
        kinds.append(g.pick((0, 10, 31, 32)))
    return {"*args": [enum("CacheObjectKind", k) for k in kinds]}


def gen_pack_tile_index(g, bases):
    mode = g.r.randint(0, 3) if not g.chance(0.02) else 9
    base = g.uint(U16) if mode == 0 or g.chance(0.2) else 0
    a = {"tile_ids": g.tile_ids(mode if mode < 4 else 1, g.tile_count(), base),
         "mode": enum("TileIndexMode", mode)}
    if base or g.chance(0.5):
        a["tile_base_id"] = base
    return a


def gen_pack_section(g, bases):
    return {"section": g.section(g.tile_count(), g.uint(U16))}


def gen_pack_typed_frames(g, bases):
    return {"frames": g.typed_frames(0, 8)}


def gen_pack_ext_frames(g, bases):
    return {"frames": [g.ext_frame(0.3) for _ in range(g.r.randint(0, 6))]}


def gen_pack_ext_block(g, bases):
    return {"entries": [g.ext_entry() for _ in range(g.r.randint(0, 6))]}


def _region(g, kind):
    """Bytes of one body region as the reference packers make it."""
    import oracle
    if kind == "inline":
        return g.pick((b"", oracle.build("build_camera_inline_object_block",
                                          {"payload": hx(g.payload(40))})[1]))
    if kind == "refs":
        built = (oracle.build("ObjectReferenceBlock.pack", g.object_ref(g.r.randint(1, 9)))
                 for _ in range(g.r.randint(0, 3)))
        return b"".join(out for status, out in built if status == "ok")
    status, out = oracle.build("pack_typed_payload_frames" if kind == "typed" else "pack_extension_frames",
                               gen_pack_typed_frames(g, None) if kind == "typed" else gen_pack_ext_frames(g, None))
    return out if status == "ok" else b""


def gen_pack_body(g, bases):
    import oracle
    a = {}
    if g.chance(0.7):
        a["inline_object_region"] = hx(_region(g, "inline"))
    if g.chance(0.5):
        a["object_reference_region"] = hx(_region(g, "refs"))
    for kind, keys in (("typed", ("typed_payload_descriptor_region", "typed_payload_frame_region")),
                       ("ext", ("extension_descriptor_region", "extension_payload_region"))):
        if g.chance(0.6):
            frames = gen_pack_typed_frames(g, None) if kind == "typed" else gen_pack_ext_frames(g, None)
            py_frames = oracle.to_python(frames["frames"])
            packer = py.pack_typed_payload_frames if kind == "typed" else py.pack_extension_frames
            try:
                desc, payload = packer(py_frames)
            except Exception:
                continue
            a[keys[0]], a[keys[1]] = hx(desc), hx(payload)
    if g.chance(0.05):  # a region of a length no packer makes
        a[g.pick(("object_reference_region", "typed_payload_descriptor_region"))] = hx(g.payload(40))
    return a


def _patch_body(key, cls):
    def gen(g, bases):
        if g.chance(0.2):
            return {}
        return {key: dc(cls, bases.fields(g, cls))}
    return gen


def _metadata_pack(cls):
    def gen(g, bases):
        return dc(cls, bases.fields(g, cls))
    return gen


# ---- NnrpPacket.build: packets assembled from metadata and a body ---------------------------------------

def _packet(g, msg_type):
    a = {"version_major": 1, "wire_format": enum("WireFormat", 0), "msg_type": enum("MessageType", msg_type)}
    a.update(g.header_args("build_frame_submit_packet", required=()))
    a.pop("session_id", None) if g.chance(0.2) else None
    return a


def _standard_entries(g, server):
    import oracle
    entries = []
    specs = ((_extension_builder("ServerHelloAckTransportPolicyExtension" if server else
                                 "ClientHelloTransportPolicyExtension",
                                 (("transport_policy", "TransportPolicy"),
                                  ("accepted_transport_policy", "TransportPolicy"),
                                  ("active_transport_id", "TransportId")) if server else
                                 (("transport_policy", "TransportPolicy"),
                                  ("preferred_transport_id", "TransportId"))),
              "build_server_hello_ack_transport_policy_extension" if server else
              "build_client_hello_transport_policy_extension"),
             (_extension_builder("ServerHelloAckLossToleranceExtension" if server else
                                 "ClientHelloLossToleranceExtension",
                                 (("accepted_loss_tolerance" if server else "session_loss_tolerance",
                                   "LossTolerance"),)),
              "build_server_hello_ack_loss_tolerance_extension" if server else
              "build_client_hello_loss_tolerance_extension"))
    for gen, builder in specs:
        if g.chance(0.5):
            status, out = oracle.build(builder, gen(g, None))
            if status == "ok":
                entries.append(dc("ControlExtensionEntry", {
                    "ext_type": int.from_bytes(out[0:2], "little"),
                    "ext_flags": enum("ControlExtensionFlags", int.from_bytes(out[2:4], "little")),
                    "payload": hx(out[8:8 + int.from_bytes(out[4:8], "little")])}))
    while g.chance(0.3):
        entry = g.ext_entry()
        if entry["fields"]["ext_type"] not in range(0x0101, 0x0107):
            entries.append(entry)
    g.r.shuffle(entries)
    return entries


def _hello(server):
    cls = "ServerHelloAckMetadata" if server else "ClientHelloMetadata"

    def gen(g, bases):
        import oracle
        a = _packet(g, 2 if server else 1)
        fields = bases.fields(g, cls)
        entries = _standard_entries(g, server)
        block = py.pack_control_extension_block(oracle.to_python(entries))
        auth = b"" if server or g.chance(0.4) else g.payload(120)
        fields["control_extension_bytes"] = len(block)
        if not server:
            fields["auth_bytes"] = len(auth)
        a["metadata"] = dc(cls, fields)
        parts = {"control_extension_entries": entries}
        if not server:
            parts["auth"] = hx(auth)
            parts["order"] = "control_extension_block then auth"
        a["body_parts"] = parts
        a["body"] = hx(block + auth)
        return a
    return gen


def _patch_packet(ack):
    cls = "SessionPatchAckMetadata" if ack else "SessionPatchMetadata"
    block_cls = "TensorProfilePatchAckBlock" if ack else "TensorProfilePatchBlock"
    key = "profile_patch_ack_block" if ack else "profile_patch_block"
    length_field = "profile_patch_ack_bytes" if ack else "profile_patch_bytes"

    def gen(g, bases):
        import oracle
        a = _packet(g, 4 if ack else 3)
        fields = bases.fields(g, cls)
        body = b""
        if g.chance(0.5):
            block = dc(block_cls, bases.fields(g, block_cls))
            body = oracle.to_python(block).pack()
            a["body_parts"] = {key: block}
        fields[length_field] = len(body)
        a["metadata"] = dc(cls, fields)
        a["body"] = hx(body)
        return a
    return gen


def _opaque_packet(msg_type, cls, length_field):
    def gen(g, bases):
        a = _packet(g, msg_type)
        body = g.payload(200) if length_field else b""
        if cls:
            fields = bases.fields(g, cls)
            if length_field and g.chance(0.9):
                fields[length_field] = len(body)
            a["metadata"] = dc(cls, fields)
        else:
            a["metadata"] = None
        a["body"] = hx(body)
        return a
    return gen


def _data_packet(msg_type):
    cls = "FrameSubmitMetadata" if msg_type == 16 else "ResultPushMetadata"

    def gen(g, bases):
        import oracle
        a = _packet(g, msg_type)
        frames = g.typed_frames(0, 3)
        xframes = [g.ext_frame(0.0) for _ in range(g.r.randint(0, 2))]
        refs = []
        if msg_type == 16 and g.chance(0.5):
            kinds = g.r.sample((1, 6), g.r.randint(1, 2))
            refs = [g.object_ref(k) for k in sorted(kinds)]
        elif msg_type == 18 and g.chance(0.3):
            refs = [g.object_ref(5)]
        fields = bases.fields(g, cls, count=0)
        for key in ("tile_count", "section_count", "camera_bytes", "tile_index_bytes", "tile_base_id",
                    "covered_tile_count", "dropped_tile_count", "reused_frame_id", "object_ref_mask"):
            if key in fields:
                fields[key] = 0
        kinds = 0
        for f in frames:
            kinds |= f["fields"]["payload_kind"]["value"] if isinstance(f["fields"]["payload_kind"], dict) \
                else f["fields"]["payload_kind"]
        if msg_type == 16:
            fields["submit_mode"] = enum("SubmitMode", 1 if refs else 0)
            fields["object_ref_mask"] = sum(1 << (0 if r["fields"]["object_kind"]["value"] == 1 else 3)
                                            for r in refs)
            if refs:
                kinds |= 1
        elif refs:
            fields["result_class"] = enum("ResultClass", 2)
            fields["result_flags"] = enum("ResultFlags", 1)
            fields["reused_frame_id"] = g.uint(U32) or 1
        fields["payload_kind_bitmap"] = enum("PayloadKind", kinds)
        if msg_type == 16 and not kinds & 1:  # no tensor: no geometry either
            for key in ("src_width", "src_height", "tile_width", "tile_height"):
                fields[key] = 0
        fields["payload_frame_count"] = len(frames)
        a["metadata"] = dc(cls, perturb(g, fields, cls, count=0 if g.chance(0.7) else 1))
        try:
            ref_bytes = b"".join(oracle.to_python(r).pack() for r in refs)
            td, tp = py.pack_typed_payload_frames(oracle.to_python(frames))
            xd, xp = py.pack_extension_frames(oracle.to_python(xframes))
            body = py.pack_body(object_reference_region=ref_bytes, typed_payload_descriptor_region=td,
                                typed_payload_frame_region=tp, extension_descriptor_region=xd,
                                extension_payload_region=xp)
        except Exception:
            return None
        a["body_parts"] = {"pack_body": {"object_reference_region": refs}, "typed_frames": frames,
                           "extension_frames": xframes}
        a["body"] = hx(body)
        return a
    return gen


# ---- the registry: reference builder name -> (generator, weight) ------------------------------------------

def _plain(fn):
    return lambda g, bases: fn(g)


BUILDERS = {
    "build_frame_submit_packet": (_plain(gen_frame_submit), 8),
    "build_frame_submit_typed_payload_packet": (_plain(gen_frame_submit_typed), 3),
    "build_frame_submit_mixed_packet": (_plain(gen_frame_submit_mixed), 4),
    "build_result_push_packet": (_plain(gen_result_push), 8),
    "build_partial_result_push_packet": (_plain(gen_result_partial), 3),
    "build_stale_reuse_result_push_packet": (_plain(gen_result_stale), 3),
    "build_degraded_result_push_packet": (_plain(gen_result_degraded), 3),
    "build_result_push_typed_payload_packet": (_plain(gen_result_typed), 3),
    "build_result_push_mixed_packet": (_plain(gen_result_mixed), 4),
    "build_flow_update_packet": (gen_flow_update, 2),
    "build_result_hint_packet": (_meta_packet("ResultHintMetadata", "build_result_hint_packet"), 1),
    "build_transport_probe_packet": (_meta_packet("TransportProbeMetadata", "build_transport_probe_packet",
                                                  _probe_body), 1),
    "build_transport_probe_ack_packet": (_meta_packet("TransportProbeAckMetadata",
                                                      "build_transport_probe_ack_packet"), 1),
    "build_session_migrate_packet": (_meta_packet("SessionMigrateMetadata", "build_session_migrate_packet",
                                                  _migrate_body), 1),
    "build_session_migrate_ack_packet": (_meta_packet("SessionMigrateAckMetadata",
                                                      "build_session_migrate_ack_packet", _migrate_body), 1),
    "build_frame_cancel_packet": (_params_packet("build_frame_cancel_packet"), 1),
    "build_ping_packet": (_params_packet("build_ping_packet"), 1),
    "build_pong_packet": (_params_packet("build_pong_packet"), 1),
    "build_result_drop_packet": (_params_packet("build_result_drop_packet"), 1),
    "build_header_only_packet": (gen_header_only, 1),
    "build_token_chunk_frame": (_shorthand_frame, 1),
    "build_audio_chunk_frame": (_shorthand_frame, 1),
    "build_video_chunk_frame": (_shorthand_frame, 1),
    "build_structured_event_frame": (_shorthand_frame, 1),
    "build_tool_delta_frame": (_shorthand_frame, 1),
    "build_opaque_bytes_frame": (_shorthand_frame, 1),
    "build_typed_payload_frame": (gen_typed_payload_frame, 2),
    "build_extension_frame": (gen_extension_frame, 2),
    "build_camera_inline_object_block": (_inline_payload, 1),
    "build_tile_index_inline_object_block": (gen_tile_index_inline, 2),
    "build_tensor_section_table_inline_object_block": (gen_section_table_inline, 1),
    "build_camera_reference_block": (gen_reference_block, 1),
    "build_tile_index_reference_block": (gen_reference_block, 1),
    "build_tensor_section_table_reference_block": (gen_reference_block, 1),
    "ObjectReferenceBlock.pack": (gen_object_reference_pack, 1),
    "build_client_hello_transport_policy_extension": (_extension_builder(
        "ClientHelloTransportPolicyExtension",
        (("transport_policy", "TransportPolicy"), ("preferred_transport_id", "TransportId"))), 1),
    "build_server_hello_ack_transport_policy_extension": (_extension_builder(
        "ServerHelloAckTransportPolicyExtension",
        (("transport_policy", "TransportPolicy"), ("accepted_transport_policy", "TransportPolicy"),
         ("active_transport_id", "TransportId"))), 1),
    "build_client_hello_loss_tolerance_extension": (_extension_builder(
        "ClientHelloLossToleranceExtension", (("session_loss_tolerance", "LossTolerance"),)), 1),
    "build_server_hello_ack_loss_tolerance_extension": (_extension_builder(
        "ServerHelloAckLossToleranceExtension", (("accepted_loss_tolerance", "LossTolerance"),)), 1),
    "build_client_hello_payload_capabilities_extension": (_extension_builder(
        "ClientHelloPayloadCapabilitiesExtension",
        (("payload_kind_bitmap", "PayloadKind"), ("critical_extension_frame_bitmap", "bitmap"))), 1),
    "build_server_hello_ack_payload_capabilities_extension": (_extension_builder(
        "ServerHelloAckPayloadCapabilitiesExtension",
        (("accepted_payload_kind_bitmap", "PayloadKind"),
         ("accepted_critical_extension_frame_bitmap", "bitmap"))), 1),
    "build_cache_object_bitmap": (gen_cache_object_bitmap, 1),
    "pack_tile_index_block": (gen_pack_tile_index, 3),
    "pack_tensor_section_data": (gen_pack_section, 3),
    "pack_typed_payload_frames": (gen_pack_typed_frames, 2),
    "pack_extension_frames": (gen_pack_ext_frames, 2),
    "pack_control_extension_block": (gen_pack_ext_block, 2),
    "pack_body": (gen_pack_body, 2),
    "pack_session_patch_body": (_patch_body("profile_patch_block", "TensorProfilePatchBlock"), 1),
    "pack_session_patch_ack_body": (_patch_body("profile_patch_ack_block", "TensorProfilePatchAckBlock"), 1),
    "ClientHelloMetadata.pack": (_metadata_pack("ClientHelloMetadata"), 1),
    "ServerHelloAckMetadata.pack": (_metadata_pack("ServerHelloAckMetadata"), 1),
    "SessionPatchAckMetadata.pack": (_metadata_pack("SessionPatchAckMetadata"), 1),
    "FrameSubmitMetadata.pack": (_metadata_pack("FrameSubmitMetadata"), 2),
    "ResultPushMetadata.pack": (_metadata_pack("ResultPushMetadata"), 2),
    "NnrpPacket.build": (_opaque_packet(5, None, None), 1),
    "NnrpPacket.build(metadata=ClientHelloMetadata.pack())": (_hello(False), 2),
    "NnrpPacket.build(metadata=ServerHelloAckMetadata.pack())": (_hello(True), 2),
    "NnrpPacket.build(metadata=SessionPatchMetadata.pack())": (_patch_packet(False), 1),
    "NnrpPacket.build(metadata=SessionPatchAckMetadata.pack())": (_patch_packet(True), 1),
    "NnrpPacket.build(metadata=ErrorMetadata.pack())": (_opaque_packet(6, "ErrorMetadata", "diagnostic_bytes"), 1),
    "NnrpPacket.build(metadata=CachePutMetadata.pack())": (_opaque_packet(20, "CachePutMetadata", "object_bytes"), 1),
    "NnrpPacket.build(metadata=CacheAckMetadata.pack())": (_opaque_packet(21, "CacheAckMetadata", None), 1),
    "NnrpPacket.build(metadata=CacheInvalidateMetadata.pack())": (_opaque_packet(22, "CacheInvalidateMetadata",
                                                                                None), 1),
    "NnrpPacket.build(metadata=FrameSubmitMetadata.pack())": (_data_packet(16), 2),
    "NnrpPacket.build(metadata=ResultPushMetadata.pack())": (_data_packet(18), 2),
}


def generate(seed, per_builder, examples):
    """[(builder, inputs)]: per_builder x weight calls of every builder, seeded."""
    bases = Bases(examples)
    out = []
    for name, (fn, weight) in BUILDERS.items():
        g = Gen(f"{seed}:{name}")  # one stream per builder: adding a builder changes no other
        made = 0
        while made < per_builder * weight:
            inputs = fn(g, bases)
            if inputs is not None:
                out.append((name, inputs))
                made += 1
    return out
