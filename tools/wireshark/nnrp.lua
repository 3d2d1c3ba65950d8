-- Wireshark / tshark dissector for NNRP/1 Preview2 (on-wire NNRP/1.0) over TCP.
--
-- Decodes the 40-byte header and the fixed metadata of every message type, with the field
-- names of the specification (wire-control.md, wire-data.md), plus the simple bodies: the
-- control extensions and auth block of the hellos, the profile patch block, CLOSE and ERROR
-- text.  Packets follow each other on the stream and are reassembled across TCP segments.
--
-- Use:  wireshark -X lua_script:tools/wireshark/nnrp.lua capture.pcapng
--       tshark -X lua_script:tools/wireshark/nnrp.lua -r capture.pcap -Y nnrp
-- or copy the file into Wireshark's personal plugins folder.  Traffic on TCP port 9444 (the
-- "nnrp.tcp_port" preference) is NNRP; on other ports a heuristic recognises a stream that
-- starts with an NNRP/1 header.  Filter fields: nnrp.msg_type, nnrp.session_id, nnrp.frame_id,
-- nnrp.<message>.<field> (nnrp.frame_submit.tile_count, nnrp.result_push.result_flags, ...).

local nnrp = Proto("nnrp", "NNRP/1 Preview2")

local HEADER_LEN = 40
local DEFAULT_PORT = 9444

local msg_names = {
  [0x01] = "CLIENT_HELLO", [0x02] = "SERVER_HELLO_ACK", [0x03] = "SESSION_PATCH",
  [0x04] = "SESSION_PATCH_ACK", [0x05] = "CLOSE", [0x06] = "ERROR", [0x10] = "FRAME_SUBMIT",
  [0x11] = "FRAME_CANCEL", [0x12] = "RESULT_PUSH", [0x13] = "RESULT_DROP", [0x14] = "CACHE_PUT",
  [0x15] = "CACHE_ACK", [0x16] = "CACHE_INVALIDATE", [0x17] = "FLOW_UPDATE",
  [0x18] = "RESULT_HINT", [0x19] = "TRANSPORT_PROBE", [0x1A] = "TRANSPORT_PROBE_ACK",
  [0x1B] = "SESSION_MIGRATE", [0x1C] = "SESSION_MIGRATE_ACK", [0x20] = "PING", [0x21] = "PONG",
}

-- Fixed metadata of each message type: name, meta_len, {offset, size, field} in wire order.
-- CLOSE, FRAME_CANCEL, RESULT_DROP, PING and PONG have none (meta_len 0).
local META = {
  [0x01] = {"client_hello", 64, {
    {0, 1, "min_version_major"}, {1, 1, "max_version_major"},
    {2, 2, "supported_wire_format_bitmap"}, {4, 4, "supported_profile_bitmap"},
    {8, 4, "supported_payload_kind_bitmap"}, {12, 4, "supported_codec_bitmap"},
    {16, 4, "supported_compression_bitmap"}, {20, 4, "supported_dtype_bitmap"},
    {24, 4, "supported_layout_bitmap"}, {28, 2, "cache_digest_bitmap"},
    {30, 2, "cache_object_bitmap"}, {32, 2, "cache_namespace_count"}, {34, 2, "max_lane_count"},
    {36, 4, "max_cache_entries"}, {40, 4, "max_cache_bytes"}, {44, 2, "target_cadence_x100"},
    {46, 2, "latency_budget_ms"}, {48, 2, "quality_tier"}, {50, 2, "degrade_policy"},
    {52, 4, "requested_session_id"}, {56, 4, "auth_bytes"}, {60, 4, "control_extension_bytes"},
  }},
  [0x02] = {"server_hello_ack", 80, {
    {0, 1, "selected_version_major"}, {1, 1, "selected_wire_format"}, {2, 1, "auth_status"},
    {3, 1, "reserved0"}, {4, 4, "session_id"}, {8, 4, "accepted_profile_bitmap"},
    {12, 4, "accepted_payload_kind_bitmap"}, {16, 4, "accepted_codec_bitmap"},
    {20, 4, "accepted_compression_bitmap"}, {24, 4, "accepted_dtype_bitmap"},
    {28, 4, "accepted_layout_bitmap"}, {32, 4, "cache_digest_bitmap"},
    {36, 4, "cache_object_bitmap"}, {40, 4, "max_cache_entries"}, {44, 4, "max_cache_bytes"},
    {48, 2, "max_lane_count"}, {50, 2, "max_concurrent_frames"}, {52, 2, "target_cadence_x100"},
    {54, 2, "latency_budget_ms"}, {56, 2, "quality_tier"}, {58, 2, "degrade_policy"},
    {60, 4, "max_body_bytes"}, {64, 4, "token_ttl_ms"}, {68, 4, "retry_after_ms"},
    {72, 4, "control_extension_bytes"}, {76, 4, "server_flags"},
  }},
  [0x03] = {"session_patch", 36, {
    {0, 2, "profile_id"}, {2, 2, "reserved0"}, {4, 4, "patch_mask"}, {8, 4, "target_cadence_x100"},
    {12, 2, "quality_tier"}, {14, 2, "degrade_policy"}, {16, 8, "active_lane_mask"},
    {24, 4, "preferred_codec_bitmap"}, {28, 4, "preferred_compression_bitmap"},
    {32, 4, "profile_patch_bytes"},
  }},
  [0x04] = {"session_patch_ack", 48, {
    {0, 2, "ack_status"}, {2, 2, "reject_reason"}, {4, 4, "applied_patch_mask"},
    {8, 4, "rejected_patch_mask"}, {12, 4, "retry_after_ms"}, {16, 2, "effective_profile_id"},
    {18, 2, "reserved0"}, {20, 4, "effective_target_cadence_x100"},
    {24, 2, "effective_quality_tier"}, {26, 2, "effective_degrade_policy"},
    {28, 8, "effective_lane_mask"}, {36, 4, "effective_codec_bitmap"},
    {40, 4, "effective_compression_bitmap"}, {44, 4, "profile_patch_ack_bytes"},
  }},
  [0x06] = {"error", 32, {
    {0, 4, "error_code"}, {4, 4, "error_scope"}, {8, 4, "is_fatal"}, {12, 4, "retry_after_ms"},
    {16, 4, "related_session_id"}, {20, 4, "related_frame_id"}, {24, 4, "related_view_id"},
    {28, 4, "diagnostic_bytes"},
  }},
  [0x10] = {"frame_submit", 72, {
    {0, 2, "src_width"}, {2, 2, "src_height"}, {4, 2, "tile_width"}, {6, 2, "tile_height"},
    {8, 2, "tile_count"}, {10, 2, "section_count"}, {12, 1, "frame_class"},
    {13, 1, "input_profile"}, {14, 1, "tile_index_mode"}, {15, 1, "reserved0"},
    {16, 2, "latency_budget_ms"}, {18, 2, "target_fps_x100"}, {20, 4, "retry_of_frame"},
    {24, 4, "tile_base_id"}, {28, 4, "camera_bytes"}, {32, 4, "tile_index_bytes"},
    {36, 8, "reserved1"}, {44, 8, "reserved2"}, {52, 1, "submit_mode"}, {53, 1, "budget_policy"},
    {54, 1, "loss_tolerance_policy"}, {55, 1, "reserved3"}, {56, 4, "object_ref_mask"},
    {60, 4, "dependency_frame_id"}, {64, 4, "payload_kind_bitmap"}, {68, 2, "payload_frame_count"},
    {70, 2, "reserved4"},
  }},
  [0x12] = {"result_push", 64, {
    {0, 2, "status_code"}, {2, 2, "result_flags"}, {4, 2, "section_count"}, {6, 2, "tile_count"},
    {8, 2, "active_profile_id"}, {10, 2, "reserved0"}, {12, 2, "inference_ms"},
    {14, 2, "queue_ms"}, {16, 2, "server_total_ms"}, {18, 2, "reserved1"}, {20, 4, "tile_base_id"},
    {24, 4, "tile_index_bytes"}, {28, 8, "reserved2"}, {36, 8, "reserved3"},
    {44, 1, "result_class"}, {45, 1, "applied_budget_policy"}, {46, 2, "reserved4"},
    {48, 4, "reused_frame_id"}, {52, 2, "covered_tile_count"}, {54, 2, "dropped_tile_count"},
    {56, 4, "payload_kind_bitmap"}, {60, 2, "payload_frame_count"}, {62, 2, "reserved5"},
  }},
  [0x14] = {"cache_put", 32, {
    {0, 4, "cache_namespace"}, {4, 4, "cache_key_hi"}, {8, 4, "cache_key_lo"},
    {12, 4, "object_kind"}, {16, 4, "ttl_ms"}, {20, 4, "object_bytes"}, {24, 4, "codec_bitmap"},
    {28, 4, "flags"},
  }},
  [0x15] = {"cache_ack", 28, {
    {0, 4, "cache_namespace"}, {4, 4, "cache_key_hi"}, {8, 4, "cache_key_lo"}, {12, 4, "status"},
    {16, 4, "accepted_ttl_ms"}, {20, 4, "max_object_bytes"}, {24, 4, "detail_code"},
  }},
  [0x16] = {"cache_invalidate", 20, {
    {0, 4, "invalidate_scope"}, {4, 4, "cache_namespace"}, {8, 4, "cache_key_hi"},
    {12, 4, "cache_key_lo"}, {16, 4, "reason_code"},
  }},
  [0x17] = {"flow_update", 32, {
    {0, 1, "scope_kind"}, {1, 1, "update_reason"}, {2, 1, "backpressure_level"},
    {3, 1, "reserved0"}, {4, 2, "connection_credit"}, {6, 2, "session_credit"},
    {8, 2, "operation_credit"}, {10, 2, "reserved1"}, {12, 8, "operation_id"},
    {20, 4, "retry_after_ms"}, {24, 4, "credit_epoch"}, {28, 4, "flags"},
  }},
  [0x18] = {"result_hint", 16, {
    {0, 4, "applied_budget_policy"}, {4, 4, "congestion_state"}, {8, 4, "reason"},
    {12, 4, "retry_after_ms"},
  }},
  [0x19] = {"transport_probe", 16, {
    {0, 4, "probe_id"}, {4, 4, "probe_payload_bytes"}, {8, 8, "client_send_ts_us"},
  }},
  [0x1A] = {"transport_probe_ack", 16, {
    {0, 4, "probe_id"}, {4, 4, "reserved"}, {8, 8, "server_recv_ts_us"},
  }},
  [0x1B] = {"session_migrate", 24, {
    {0, 4, "old_transport_id"}, {4, 4, "new_transport_id"}, {8, 8, "last_result_frame_id"},
    {16, 8, "client_migrate_ts_us"},
  }},
  [0x1C] = {"session_migrate_ack", 24, {
    {0, 4, "accept_code"}, {4, 8, "resume_from_frame_id"}, {12, 4, "grace_window_ms"},
    {16, 8, "server_migrate_ts_us"},
  }},
}

-- Names of enumerated metadata values.
local ENUMS = {
  ["error.error_code"] = {
    [1] = "unsupported_version", [2] = "auth_failed", [3] = "invalid_state",
    [4] = "malformed_header", [5] = "malformed_body", [6] = "unsupported_capability",
    [7] = "limit_exceeded", [8] = "frame_expired", [9] = "frame_cancelled", [10] = "cache_miss",
    [11] = "server_busy", [12] = "internal_error",
  },
  ["error.error_scope"] = {[0] = "connection", [1] = "session", [2] = "frame"},
  ["session_patch_ack.ack_status"] = {
    [0] = "accepted", [1] = "partially_applied", [2] = "rejected",
  },
  ["frame_submit.frame_class"] = {
    [0] = "keyframe", [1] = "delta", [2] = "retransmit", [3] = "discardable",
  },
  ["frame_submit.input_profile"] = {
    [0] = "unspecified", [1] = "changed_tiles_luma", [2] = "dense_luma_frame",
  },
  ["frame_submit.tile_index_mode"] = {
    [0] = "dense_range", [1] = "raw_u16", [2] = "delta_u16", [3] = "bitset",
  },
  ["frame_submit.submit_mode"] = {[0] = "inline", [1] = "reference", [2] = "mixed"},
  ["frame_submit.loss_tolerance_policy"] = {
    [0] = "strict", [1] = "best_effort", [2] = "low_latency", [3] = "fire_and_forget",
    [255] = "inherit",
  },
  ["result_push.result_class"] = {
    [0] = "complete", [1] = "partial", [2] = "stale_reuse", [3] = "degraded",
  },
  ["cache_put.object_kind"] = {
    [1] = "camera_block", [2] = "tile_index_block", [3] = "tensor_section_table",
    [4] = "codec_table",
    [5] = "reusable_result_object", [6] = "payload_layout_template", [7] = "prompt_segment",
    [8] = "tool_schema", [9] = "structured_event_schema",
  },
  ["cache_ack.status"] = {[0] = "accepted", [1] = "rejected", [2] = "replaced"},
  ["cache_invalidate.invalidate_scope"] = {
    [0] = "whole_session", [1] = "namespace", [2] = "object_kind", [3] = "object_key",
  },
  ["flow_update.scope_kind"] = {[0] = "connection", [1] = "session", [2] = "operation"},
  ["flow_update.update_reason"] = {
    [0] = "grant", [1] = "reduce", [2] = "pause", [3] = "resume", [4] = "congestion",
  },
  ["flow_update.backpressure_level"] = {[0] = "none", [1] = "soft", [2] = "hard"},
  ["result_hint.applied_budget_policy"] = {
    [0] = "none", [1] = "full", [2] = "partial", [3] = "stale_reuse", [4] = "drop",
  },
  ["result_hint.congestion_state"] = {
    [0] = "none", [1] = "steady", [2] = "elevated", [3] = "saturated",
  },
  ["result_hint.reason"] = {
    [0] = "none", [1] = "queue_full", [2] = "server_busy", [3] = "budget_exceeded",
    [4] = "superseded",
  },
  ["session_migrate.old_transport_id"] = {[0] = "unspecified", [1] = "quic", [2] = "tcp"},
  ["session_migrate.new_transport_id"] = {[0] = "unspecified", [1] = "quic", [2] = "tcp"},
}

-- ---- fields ------------------------------------------------------------------------------

local hf = {
  magic = ProtoField.string("nnrp.magic", "magic"),
  version_major = ProtoField.uint8("nnrp.version_major", "version_major"),
  wire_format = ProtoField.uint8("nnrp.wire_format", "wire_format"),
  msg_type = ProtoField.uint8("nnrp.msg_type", "msg_type", base.HEX, msg_names),
  header_len = ProtoField.uint8("nnrp.header_len", "header_len"),
  flags = ProtoField.uint32("nnrp.flags", "flags", base.HEX),
  flag_ack_required = ProtoField.bool("nnrp.flags.ack_required", "ACK_REQUIRED", 32, nil, 0x01),
  flag_can_drop = ProtoField.bool("nnrp.flags.can_drop", "CAN_DROP", 32, nil, 0x02),
  flag_stale = ProtoField.bool("nnrp.flags.stale", "STALE", 32, nil, 0x04),
  flag_eos = ProtoField.bool("nnrp.flags.eos", "EOS", 32, nil, 0x08),
  flag_retransmit = ProtoField.bool("nnrp.flags.retransmit", "RETRANSMIT", 32, nil, 0x10),
  flag_keyframe = ProtoField.bool("nnrp.flags.keyframe", "KEYFRAME", 32, nil, 0x20),
  meta_len = ProtoField.uint32("nnrp.meta_len", "meta_len"),
  body_len = ProtoField.uint32("nnrp.body_len", "body_len"),
  session_id = ProtoField.uint32("nnrp.session_id", "session_id"),
  frame_id = ProtoField.uint32("nnrp.frame_id", "frame_id"),
  view_id = ProtoField.uint16("nnrp.view_id", "view_id"),
  route_id = ProtoField.uint16("nnrp.route_id", "route_id"),
  trace_id = ProtoField.uint64("nnrp.trace_id", "trace_id"),
  body = ProtoField.bytes("nnrp.body", "body"),
  text = ProtoField.string("nnrp.text", "text"),
  ext = ProtoField.bytes("nnrp.extension", "control extension"),
  ext_type = ProtoField.uint16("nnrp.extension.ext_type", "ext_type", base.HEX),
  ext_flags = ProtoField.uint16("nnrp.extension.ext_flags", "ext_flags", base.HEX),
  ext_len = ProtoField.uint32("nnrp.extension.ext_len", "ext_len"),
  ext_payload = ProtoField.bytes("nnrp.extension.payload", "payload"),
  auth = ProtoField.bytes("nnrp.auth", "auth block"),
  patch_min_width = ProtoField.uint32("nnrp.profile_patch.min_width", "min_width"),
  patch_min_height = ProtoField.uint32("nnrp.profile_patch.min_height", "min_height"),
  patch_max_width = ProtoField.uint32("nnrp.profile_patch.max_width", "max_width"),
  patch_max_height = ProtoField.uint32("nnrp.profile_patch.max_height", "max_height"),
}

local uint_field = {[1] = ProtoField.uint8, [2] = ProtoField.uint16, [4] = ProtoField.uint32,
                    [8] = ProtoField.uint64}

-- nnrp.<message> (the metadata block) and nnrp.<message>.<field> for every metadata field.
local meta_fields, meta_blocks = {}, {}
for code, m in pairs(META) do
  meta_blocks[code] = ProtoField.bytes("nnrp." .. m[1], m[1] .. " metadata")
  hf["meta." .. m[1]] = meta_blocks[code]
  meta_fields[code] = {}
  for i, f in ipairs(m[3]) do
    local key = m[1] .. "." .. f[3]
    local pf = uint_field[f[2]]("nnrp." .. key, f[3], base.DEC, ENUMS[key])
    meta_fields[code][i] = pf
    hf["meta." .. key] = pf
  end
end

local fields = {}
for _, pf in pairs(hf) do fields[#fields + 1] = pf end
nnrp.fields = fields

local ef = {
  malformed = ProtoExpert.new("nnrp.malformed", "Malformed NNRP packet", expert.group.MALFORMED,
                              expert.severity.ERROR),
  suspicious = ProtoExpert.new("nnrp.suspicious", "NNRP header field outside Preview2",
                               expert.group.PROTOCOL, expert.severity.WARN),
}
nnrp.experts = {ef.malformed, ef.suspicious}

nnrp.prefs.tcp_port = Pref.uint("TCP port", DEFAULT_PORT, "TCP port of NNRP traffic")

-- ---- dissection ---------------------------------------------------------------------------

local function add_meta(tree, tvb, code)
  local m = META[code]
  local sub = tree:add(meta_blocks[code], tvb(HEADER_LEN, m[2])):set_text(m[1] .. " metadata")
  for i, f in ipairs(m[3]) do sub:add_le(meta_fields[code][i], tvb(HEADER_LEN + f[1], f[2])) end
end

-- Control extension TLVs: u16 ext_type, u16 ext_flags, u32 ext_len, payload padded to 8.
local function add_extensions(tree, tvb, offset, len)
  local stop = offset + len
  while offset + 8 <= stop do
    local ext_len = tvb(offset + 4, 4):le_uint()
    local padded = ext_len + (8 - ext_len % 8) % 8
    local take = math.min(8 + padded, stop - offset)
    local e = tree:add(hf.ext, tvb(offset, take))
    e:set_text(string.format("control extension 0x%04x", tvb(offset, 2):le_uint()))
    e:add_le(hf.ext_type, tvb(offset, 2))
    e:add_le(hf.ext_flags, tvb(offset + 2, 2))
    e:add_le(hf.ext_len, tvb(offset + 4, 4))
    if 8 + ext_len > stop - offset then
      e:add_proto_expert_info(ef.malformed, "control extension runs past its block")
      return
    end
    if ext_len > 0 then e:add(hf.ext_payload, tvb(offset + 8, ext_len)) end
    offset = offset + take
  end
  if offset < stop then tree:add_proto_expert_info(ef.malformed, "truncated control extension") end
end

local function add_body(tree, tvb, code, meta_len, body_len)
  if body_len == 0 then return end
  local at = HEADER_LEN + meta_len
  local body = tvb(at, body_len)
  local item = tree:add(hf.body, body)
  if code == 0x05 or code == 0x06 then
    item:add(hf.text, body)
  elseif (code == 0x01 or code == 0x02) and meta_len == META[code][2] then
    local ext_bytes = tvb(HEADER_LEN + (code == 0x01 and 60 or 72), 4):le_uint()
    add_extensions(item, tvb, at, math.min(ext_bytes, body_len))
    if code == 0x01 and body_len > ext_bytes then
      item:add(hf.auth, tvb(at + ext_bytes, body_len - ext_bytes))
    end
  elseif (code == 0x03 or code == 0x04) and body_len == 16 then
    item:add_le(hf.patch_min_width, tvb(at, 4))
    item:add_le(hf.patch_min_height, tvb(at + 4, 4))
    item:add_le(hf.patch_max_width, tvb(at + 8, 4))
    item:add_le(hf.patch_max_height, tvb(at + 12, 4))
  end
end

-- One whole packet in tvb; returns its summary for the Info column.
local function dissect_packet(tvb, pinfo, tree)
  local code = tvb(6, 1):uint()
  local meta_len = tvb(12, 4):le_uint()
  local body_len = tvb(16, 4):le_uint()
  local name = msg_names[code] or string.format("0x%02x", code)
  local t = tree:add(nnrp, tvb(), "NNRP " .. name)
  local h = t:add(nnrp, tvb(0, HEADER_LEN), "header")
  h:set_text("header")
  h:add(hf.magic, tvb(0, 4))
  h:add(hf.version_major, tvb(4, 1))
  h:add(hf.wire_format, tvb(5, 1))
  h:add(hf.msg_type, tvb(6, 1))
  h:add(hf.header_len, tvb(7, 1))
  local fl = h:add_le(hf.flags, tvb(8, 4))
  for _, k in ipairs({"ack_required", "can_drop", "stale", "eos", "retransmit", "keyframe"}) do
    fl:add_le(hf["flag_" .. k], tvb(8, 4))
  end
  h:add_le(hf.meta_len, tvb(12, 4))
  h:add_le(hf.body_len, tvb(16, 4))
  h:add_le(hf.session_id, tvb(20, 4))
  h:add_le(hf.frame_id, tvb(24, 4))
  h:add_le(hf.view_id, tvb(28, 2))
  h:add_le(hf.route_id, tvb(30, 2))
  h:add_le(hf.trace_id, tvb(32, 8))

  if tvb(4, 1):uint() ~= 1 or tvb(5, 1):uint() ~= 0 then
    h:add_proto_expert_info(ef.suspicious, "version_major is not 1 or wire_format is not 0")
  end
  if bit.band(tvb(8, 4):le_uint(), 0xFFFFFFC0) ~= 0 then
    fl:add_proto_expert_info(ef.suspicious, "reserved flag bits set")
  end
  local expected = META[code] and META[code][2] or 0
  if not msg_names[code] then
    h:add_proto_expert_info(ef.malformed, "msg_type not defined in Preview2")
  elseif meta_len ~= expected then
    h:add_proto_expert_info(ef.malformed,
                            string.format("meta_len %d, %s has %d", meta_len, name, expected))
  elseif META[code] then
    add_meta(t, tvb, code)
  end
  add_body(t, tvb, code, meta_len, body_len)
  return string.format("%s session=%d frame=%d", name, tvb(20, 4):le_uint(), tvb(24, 4):le_uint())
end

local function looks_like_header(tvb, offset)
  return tvb:len() - offset >= 8 and tvb(offset, 4):string() == "NNRP" and
         tvb(offset + 7, 1):uint() == HEADER_LEN
end

-- Whole packets back to back; asks TCP for more bytes when the last one is cut.
function nnrp.dissector(tvb, pinfo, tree)
  local len, offset, infos = tvb:len(), 0, {}
  while offset < len do
    local remaining = len - offset
    if remaining < HEADER_LEN then
      pinfo.desegment_offset = offset
      pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
      break
    end
    if not looks_like_header(tvb, offset) then
      local item = tree:add(nnrp, tvb(offset), "NNRP (no packet header here)")
      item:add_proto_expert_info(ef.malformed, "bytes where an NNRP header should start")
      infos[#infos + 1] = "malformed"
      offset = len
      break
    end
    local total = HEADER_LEN + tvb(offset + 12, 4):le_uint() + tvb(offset + 16, 4):le_uint()
    if remaining < total then
      pinfo.desegment_offset = offset
      pinfo.desegment_len = total - remaining
      break
    end
    infos[#infos + 1] = dissect_packet(tvb(offset, total):tvb(), pinfo, tree)
    offset = offset + total
  end
  if #infos > 0 then
    pinfo.cols.protocol = "NNRP"
    pinfo.cols.info = table.concat(infos, ", ")
  end
  return len
end

-- On another port: a stream whose data starts with an NNRP/1 header.
local function heuristic(tvb, pinfo, tree)
  if tvb:len() < 8 or not looks_like_header(tvb, 0) or tvb(4, 1):uint() ~= 1 then return false end
  pinfo.conversation = nnrp
  nnrp.dissector(tvb, pinfo, tree)
  return true
end

local tcp_port = DissectorTable.get("tcp.port")
local registered_port = DEFAULT_PORT
tcp_port:add(registered_port, nnrp)
nnrp:register_heuristic("tcp", heuristic)

function nnrp.prefs_changed()
  if nnrp.prefs.tcp_port ~= registered_port then
    tcp_port:remove(registered_port, nnrp)
    registered_port = nnrp.prefs.tcp_port
    tcp_port:add(registered_port, nnrp)
  end
end
