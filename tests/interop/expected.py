"""The disagreements between libnnrp and nnrp-py that are decisions, each with its reason.

Every class the differential run finds is looked up here; one that is not explained fails the
run.  The reasons point at docs/compatibility.md (section "Differential testing against
nnrp-py") and the wire-control / wire-data §14-15 decisions it summarises.
"""

# Rules the strict profile applies and nnrp-py does not; NNRP_DECODE_PY_COMPAT turns each off
# (the run checks that: a packet only the strict profile rejects is accepted by --py-compat).
STRICT_ONLY = {
    "VERSION": "version_major is checked (wire-control §2.3; PY reads any version, D13)",
    "RESERVED_FLAGS": "reserved header flag bits are checked (wire-control §2.3; PY does not, D13)",
    "META_LEN": "metadata on a message without metadata (D22)",
    "BODY_NOT_EMPTY": "a body on a header-only message, RESULT_DROP or SESSION_MIGRATE (D22, D25, D10)",
    "HELLO_AUTH_LEN": "hello length fields are compared with body_len (D22)",
    "HELLO_BODY_LEN": "hello length fields are compared with body_len (D22)",
    "ACK_BODY_LEN": "SERVER_HELLO_ACK body beyond its extensions (D21, D22)",
    "PATCH_BODY_LEN": "profile patch length compared with body_len (D22)",
    "ERROR_DIAG_LEN": "diagnostic_bytes compared with body_len (D22)",
    "CACHE_OBJECT_LEN": "object_bytes compared with body_len (D22)",
    "PROBE_PAYLOAD_LEN": "probe_payload_bytes compared with body_len (D22)",
    "EXT_FLAGS": "unknown control-extension ext_flags bits (D3)",
    "PAYLOAD_KIND_BITS": "unknown payload-kind bits in hello metadata (D20)",
    "META_RESERVED": "reserved metadata fields must be zero (D11)",
    "FLOW_RESERVED": "reserved FLOW_UPDATE fields must be zero (D11)",
    "PATCH_RESERVED": "reserved SESSION_PATCH field must be zero (D11)",
    "CACHE_PUT_FLAGS": "unknown CACHE_PUT flag bits (wire-control §9.1; PY keeps them, D11)",
    "FLOW_SESSION_BINDING": "FLOW_UPDATE scope against the header session (wire-control §10.1 rule 7)",
    "FLOW_SCOPE_FIELDS": "FLOW_UPDATE credit fields against the scope (wire-control §10.1)",
    "CAMERA_PADDING": "camera padding must be zero (D25)",
    "SECTION_RESERVED": "tensor section reserved field (D25)",
    "SECTION_FLAGS": "unknown tensor section flag bits (D25)",
    "TYPED_LAYOUT": "typed frames contiguous and exact (D8)",
    "EXT_FRAME_LAYOUT": "extension frames contiguous and exact (D8)",
    "TYPED_KIND_ABSENT": "every declared kind carried by a frame (D8)",
    "TYPED_TENSOR": "tensor data is never a typed frame (wire-data §10.1; nnrp-py accepts a "
                    "declared one)",
    "FRAME_CLASS": "frame_class outside 0..3 (D21)",
    "TILE_ID_RANGE": "decoded tile ids beyond 65535 (D24)",
    "TILE_NOT_INCREASING": "a zero DELTA_U16 delta repeats an id (D24)",
    "SUBMIT_INLINE_MASK": "object_ref_mask against submit_mode in the metadata (wire-data §3 rule 7)",
    "SUBMIT_MODE_MASK": "object_ref_mask against submit_mode in the metadata (wire-data §3 rule 7)",
    "SUBMIT_REF_MASK_BITS": "unknown object_ref_mask bits in the metadata (wire-data §3 rule 7)",
    "DROP_META": "RESULT_DROP with metadata (D25)",
}

# Builder inputs nnrp-py packs and libnnrp refuses: its builders send only what its strict
# decoder accepts (compatibility rule 2), so the refusal names the receive-side rule.
BUILDER_REFUSALS = {
    "PAYLOAD_KIND_BITS": "unknown payload-kind bits are not sent (D20)",
    "SUBMIT_INLINE_MASK": "object_ref_mask must fit submit_mode (wire-data §3 rule 7)",
    "SUBMIT_MODE_MASK": "object_ref_mask must fit submit_mode (wire-data §3 rule 7)",
    "SUBMIT_REF_MASK_BITS": "object_ref_mask must fit submit_mode (wire-data §3 rule 7)",
    "META_RESERVED": "non-zero reserved fields are not sent (D11, D14)",
    "HELLO_RESERVED": "non-zero reserved fields are not sent (D14)",
    "PATCH_RESERVED": "non-zero reserved fields are not sent (D14)",
    "PROBE_RESERVED": "non-zero reserved fields are not sent (D14)",
    "FLOW_RESERVED": "non-zero reserved fields are not sent (D14)",
    "PATCH_BYTES": "profile patch lengths other than 0 or 16 (nnrp-py's body decoder rejects them)",
    "TRANSPORT_ID": "active_transport_id 0 is not sent (D8); transport ids outside the enum",
    "TRANSPORT_POLICY": "a transport policy outside the enum (nnrp-py's parser rejects it)",
    "LOSS_TOLERANCE": "a loss tolerance outside the enum (nnrp-py's parser rejects it)",
    "SECTION_DTYPE": "section enums outside their range, even when the section table is referenced",
    "SECTION_LAYOUT": "section enums outside their range, even when the section table is referenced",
    "SECTION_SCALE_POLICY": "section enums outside their range, even when the section table is referenced",
    "FRAME_CLASS": "frame_class outside 0..3 is not sent (D21)",
    "BODY_NOT_EMPTY": "SESSION_MIGRATE(_ACK) is sent without a body (D10)",
    "EXT_FLAGS": "unknown ext_flags bits are not sent (D3)",
    "HELLO_BODY_LEN": "given length fields that disagree with the body are not sent (D22)",
    "ACK_BODY_LEN": "given length fields that disagree with the body are not sent (D22)",
    "PATCH_BODY_LEN": "given length fields that disagree with the body are not sent (D22)",
    "ERROR_DIAG_LEN": "given length fields that disagree with the body are not sent (D22)",
    "CACHE_OBJECT_LEN": "given length fields that disagree with the body are not sent (D22)",
    "PROBE_PAYLOAD_LEN": "given length fields that disagree with the body are not sent (D22)",
    "CACHE_PUT_FLAGS": "unknown CACHE_PUT flag bits are not sent",
    "CRITICAL_FRAME_BITMAP": "critical_extension_frame_bitmap must be 0 (wire-control §5.3.5)",
    "nnrp-py builds a packet its own decoder rejects":
        "libnnrp refuses to build it; nnrp-py builds it and then rejects it on receive",
}

# Where the PY-compatible profile knowingly rejects a packet nnrp-py accepts.
PY_COMPAT_GAPS = {
    "TILE_ID_RANGE": "a DELTA_U16 running sum beyond 65535 is rejected in both profiles "
                     "(docs/compatibility.md D24: ids are u16 on every path)",
    "CAMERA_TRUNCATED": "a legacy FRAME_SUBMIT whose camera_bytes run past the body: nnrp-py slices "
                        "past the end and reads nothing; libnnrp has no camera view to give and "
                        "rejects it in both profiles",
    "TENSOR_TRAILING": "an INLINE TENSOR-only FRAME_SUBMIT carrying a region body: the composite "
                       "decoder falls back to the region validator, nnrp-py's server does not "
                       "(server/transport.py reads it as a legacy body and fails); libnnrp "
                       "follows the server",
}

# libnnrp accepting what nnrp-py rejects is always a bug; these are reported and still open.
KNOWN_BUGS = {}

# Builders whose libnnrp counterpart takes more than the reference function.
WIDER_BUILDERS = {
    ("build_header_only_packet", "ValueError"):
        "nnrp_build_header_only also builds RESULT_DROP (header-only too); the bytes are those "
        "of build_result_drop_packet",
}


def explain(kind, key, builder=None):
    """The reason for a disagreement class, or None when it is not a decision."""
    if kind == "strict-only rule":
        return STRICT_ONLY.get(key)
    if kind.startswith("libnnrp (") and kind.endswith("accepts what nnrp-py rejects"):
        return KNOWN_BUGS.get(key)
    if kind == "py-compat rejects what nnrp-py accepts":
        return PY_COMPAT_GAPS.get(key)
    if kind == "only libnnrp refuses":
        return BUILDER_REFUSALS.get(key[1])
    if kind == "only nnrp-py refuses":
        return WIDER_BUILDERS.get(key)
    if kind == "a packet both built does not decode on both sides":
        py_verdict, lib_verdict = key[1].split(" / ")
        if key[0].startswith("NnrpPacket.build(metadata=") and "Hello" in key[0] and \
                py_verdict != "accepted" and lib_verdict == "EXT_UNKNOWN_CRITICAL":
            return ("an unknown critical control extension may be sent; a receiver that knows only "
                    "the standard types must refuse it (wire-control §8), and both decoders do")
        if key[0].startswith("NnrpPacket.build") and py_verdict != "accepted" and lib_verdict != "accepted":
            return ("NnrpPacket.build assembles any metadata with any body (nnrp_packet_encode_raw "
                    "checks framing only); both decoders reject the result")
        if key[0].startswith("NnrpPacket.build") and py_verdict == "accepted" and lib_verdict in STRICT_ONLY:
            return "strict-only rule on a hand-assembled packet: " + STRICT_ONLY[lib_verdict]
        return None
    return None  # bytes differ, libnnrp accepting what nnrp-py rejects, fields read differently
