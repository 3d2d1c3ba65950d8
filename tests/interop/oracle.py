"""The reference side: nnrp-py 1.0.0rc2 driven through its public API.

Two entry points:
  build(request)  -- run one reference builder on inputs in the JSON encoding of
                     builder-examples.json and return its output bytes in that file's convention
  decode(packet)  -- the composite decoder of invalid-examples.json ("decoder"): every check is
                     an nnrp-py call, the glue here only slices and dispatches
Exceptions raised by nnrp-py are returned as text, never swallowed silently.
"""

import dataclasses
import struct

import nnrp.core as py

# ---- inputs: the JSON encoding of builder-examples.json -> Python values ---------------------------


def to_python(value):
    """{"hex"} -> bytes, {"enum","value"} -> the enum member, {"class","fields"} -> the dataclass."""
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"hex"}:
        return bytes.fromhex(value["hex"])
    if "enum" in value:
        cls = getattr(py, value["enum"].split(".")[0], None)
        return cls(value["value"]) if cls is not None else value["value"]
    if set(value) == {"class", "fields"}:
        cls = getattr(py, value["class"])
        return cls(**{k: to_python(v) for k, v in value["fields"].items()})
    return {k: to_python(v) for k, v in value.items()}


def _function(name):
    obj = py
    for part in name.split("(")[0].split("."):
        obj = getattr(obj, part)
    return obj


def _frames_bytes(pair):
    descriptors, payloads = pair
    return bytes(descriptors) + bytes(payloads)


def _call(builder, inputs):
    if builder.endswith(".pack") and "class" in inputs:  # Metadata.pack, ObjectReferenceBlock.pack
        return to_python(inputs).pack()
    if builder.startswith("NnrpPacket.build"):
        kw = {k: to_python(v) for k, v in inputs.items() if k not in ("body_parts",)}
        metadata = kw.pop("metadata", None)
        kw["metadata"] = b"" if metadata is None else metadata.pack()
        return py.NnrpPacket.build(**kw).pack()
    fn = _function(builder)
    if builder == "build_cache_object_bitmap":
        return struct.pack("<I", fn(*to_python(inputs.get("*args", []))))
    out = fn(**{k: to_python(v) for k, v in inputs.items()})
    if isinstance(out, py.NnrpPacket):
        return out.pack()
    if isinstance(out, py.TypedPayloadFrame):
        return _frames_bytes(py.pack_typed_payload_frames([out]))
    if isinstance(out, py.ExtensionFrame):
        return _frames_bytes(py.pack_extension_frames([out]))
    if isinstance(out, py.ControlExtensionEntry):
        return py.pack_control_extension_block([out])
    if isinstance(out, py.ObjectReferenceBlock):
        return out.pack()
    if isinstance(out, tuple):  # pack_typed_payload_frames / pack_extension_frames
        return _frames_bytes(out)
    return bytes(out)


def build(builder, inputs):
    """("ok", bytes) or ("raise", "Type: message")."""
    try:
        return "ok", _call(builder, inputs)
    except Exception as e:  # every refusal of the reference counts, whatever its type
        return "raise", f"{type(e).__name__}: {e}"


# ---- the composite decoder -------------------------------------------------------------------------

M = py.MessageType
METADATA = {
    M.CLIENT_HELLO: py.ClientHelloMetadata,
    M.SERVER_HELLO_ACK: py.ServerHelloAckMetadata,
    M.SESSION_PATCH: py.SessionPatchMetadata,
    M.SESSION_PATCH_ACK: py.SessionPatchAckMetadata,
    M.ERROR: py.ErrorMetadata,
    M.FRAME_SUBMIT: py.FrameSubmitMetadata,
    M.RESULT_PUSH: py.ResultPushMetadata,
    M.CACHE_PUT: py.CachePutMetadata,
    M.CACHE_ACK: py.CacheAckMetadata,
    M.CACHE_INVALIDATE: py.CacheInvalidateMetadata,
    M.FLOW_UPDATE: py.FlowUpdateMetadata,
    M.RESULT_HINT: py.ResultHintMetadata,
    M.TRANSPORT_PROBE: py.TransportProbeMetadata,
    M.TRANSPORT_PROBE_ACK: py.TransportProbeAckMetadata,
    M.SESSION_MIGRATE: py.SessionMigrateMetadata,
    M.SESSION_MIGRATE_ACK: py.SessionMigrateAckMetadata,
}

# The standard control extensions each hello carries, with their parsers (wire-control 8).
HELLO_EXTENSIONS = {
    M.CLIENT_HELLO: {
        0x0101: py.parse_client_hello_transport_policy_extension,
        0x0103: py.parse_client_hello_loss_tolerance_extension,
        0x0105: py.parse_client_hello_payload_capabilities_extension,
    },
    M.SERVER_HELLO_ACK: {
        0x0102: py.parse_server_hello_ack_transport_policy_extension,
        0x0104: py.parse_server_hello_ack_loss_tolerance_extension,
        0x0106: py.parse_server_hello_ack_payload_capabilities_extension,
    },
}


def _align8(n):
    return (n + 7) & ~7


def _hello_body(msg_type, meta, body):
    parsers = HELLO_EXTENSIONS[msg_type]
    block = body[: meta.control_extension_bytes]
    for entry in py.unpack_control_extension_block(block, known_types=set(parsers)):
        parsers[entry.ext_type](entry)


def _region_body(msg_type, meta, body):
    if msg_type == M.FRAME_SUBMIT:
        view = py.validate_frame_submit_body(meta, body)
    else:
        view = py.validate_result_push_body(meta, body)
    py.unpack_typed_payload_frames(view.typed_payload_descriptor_region,
                                   view.typed_payload_frame_region)
    py.unpack_extension_frames(view.extension_descriptor_region, view.extension_payload_region,
                               known_extension_kinds=set())


def _legacy_submit(meta, body):
    py.unpack_tensor_body(body[_align8(meta.camera_bytes):], tile_index_bytes=meta.tile_index_bytes,
                          section_count=meta.section_count, tile_count=meta.tile_count)
    start = _align8(meta.camera_bytes)
    py.unpack_tile_index_block(body[start:start + meta.tile_index_bytes],
                               mode=meta.tile_index_mode, tile_count=meta.tile_count,
                               tile_base_id=meta.tile_base_id)


def _legacy_result(meta, body):
    py.validate_result_push_tensor_coverage(meta)
    py.unpack_tensor_body(body, tile_index_bytes=meta.tile_index_bytes,
                          section_count=meta.section_count, tile_count=meta.tile_count)
    mode = py.TileIndexMode.RAW_U16 if meta.tile_index_bytes else py.TileIndexMode.DENSE_RANGE
    py.unpack_tile_index_block(body[:meta.tile_index_bytes], mode=mode,
                               tile_count=meta.tile_count, tile_base_id=meta.tile_base_id)


def _data_body(msg_type, meta, body):
    if len(body) == 0 and meta.payload_frame_count == 0 and \
            not meta.payload_kind_bitmap & py.PayloadKind.TENSOR:
        return  # metadata that declares no payload: nothing to carry
    legacy = meta.payload_kind_bitmap == py.PayloadKind.TENSOR and meta.payload_frame_count == 0
    if msg_type == M.FRAME_SUBMIT:
        legacy = legacy and meta.submit_mode == py.SubmitMode.INLINE
    if legacy:
        try:
            return (_legacy_submit if msg_type == M.FRAME_SUBMIT else _legacy_result)(meta, body)
        except Exception as first:
            try:
                return _region_body(msg_type, meta, body)
            except Exception:
                raise first from None  # the legacy error describes the packet best
    _region_body(msg_type, meta, body)


def _decode(packet):
    pkt = py.NnrpPacket.unpack(packet)
    msg_type = pkt.header.msg_type
    cls = METADATA.get(msg_type)
    if cls is None:
        return
    meta = cls.unpack(pkt.metadata)
    body = bytes(pkt.body)
    if msg_type in HELLO_EXTENSIONS:
        _hello_body(msg_type, meta, body)
    elif msg_type == M.SESSION_PATCH:
        py.unpack_session_patch_body(body, profile_patch_bytes=meta.profile_patch_bytes)
    elif msg_type == M.SESSION_PATCH_ACK:
        py.unpack_session_patch_ack_body(body, profile_patch_ack_bytes=meta.profile_patch_ack_bytes)
    elif msg_type in (M.FRAME_SUBMIT, M.RESULT_PUSH):
        _data_body(msg_type, meta, body)


def decode(packet):
    """None when nnrp-py accepts the packet, else "Type: message" of the first refusal."""
    try:
        _decode(bytes(packet))
        return None
    except Exception as e:
        return f"{type(e).__name__}: {e}"


def metadata_fields(packet):
    """Header and metadata of an accepted packet as {spec name: int}, as nnrp-py reads them."""
    pkt = py.NnrpPacket.unpack(bytes(packet))
    h = pkt.header
    out = {k: int(getattr(h, k)) for k in ("version_major", "wire_format", "msg_type", "flags",
                                          "meta_len", "body_len", "session_id", "frame_id",
                                          "view_id", "route_id", "trace_id")}
    cls = METADATA.get(h.msg_type)
    meta = {}
    if cls is not None:
        m = cls.unpack(pkt.metadata)
        meta = {f.name: int(getattr(m, f.name)) for f in dataclasses.fields(m)}
    return out, meta


def decode_output(builder, out):
    """nnrp-py's own reading of a builder's output where it has one: None (accepted), the
    error text, or "no decoder"."""
    try:
        if builder.endswith("_packet") or builder.startswith("NnrpPacket.build"):
            return decode(out)
        if builder.endswith("Metadata.pack"):
            getattr(py, builder.split(".")[0]).unpack(out)
        elif builder == "pack_tensor_section_data":
            py.unpack_tensor_body(out, tile_index_bytes=0, section_count=1)
        elif builder.endswith("_extension"):
            entry, = py.unpack_control_extension_block(out)
            parsers = {**HELLO_EXTENSIONS[M.CLIENT_HELLO], **HELLO_EXTENSIONS[M.SERVER_HELLO_ACK]}
            parsers[entry.ext_type](entry)
        elif builder == "pack_session_patch_body":
            py.unpack_session_patch_body(out, profile_patch_bytes=len(out))
        elif builder == "pack_session_patch_ack_body":
            py.unpack_session_patch_ack_body(out, profile_patch_ack_bytes=len(out))
        else:
            return "no decoder"
        return None
    except Exception as e:
        return f"{type(e).__name__}: {e}"
