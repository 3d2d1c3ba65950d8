"""Control packets, frames, blocks, pack helpers and hand-assembled packets (see gen.py)."""

import nnrp.core as py

from gen_base import *  # noqa: F401,F403  (the primitives)


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
