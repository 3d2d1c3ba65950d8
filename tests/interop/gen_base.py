"""Primitives of the input generators (see gen.py)."""

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
