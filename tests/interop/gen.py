"""Seeded inputs for every reference builder, in the JSON encoding of builder-examples.json.

Each generator returns the keyword arguments of one call.  Most calls are valid; a share of
them sits on or just past a boundary (counts, lengths, enum ranges, id order) so that both
implementations must also agree on what they refuse.  Everything is drawn from one
random.Random per builder, so a seed reproduces a run exactly.

  gen_base.py     primitives: the Gen stream, enum / bytes / dataclass encodings, metadata fields
  gen_data.py     FRAME_SUBMIT and RESULT_PUSH builders
  gen_control.py  control packets, frames, blocks, pack helpers, NnrpPacket.build packets
  gen.py          the registry of all 66 builders and generate()
"""

from gen_base import Gen
from gen_control import *  # noqa: F401,F403  (the control generators)
from gen_control import (_data_packet, _extension_builder, _hello, _inline_payload, _meta_packet,
                         _metadata_pack, _migrate_body, _opaque_packet, _params_packet, _patch_body,
                         _patch_packet, _probe_body, _shorthand_frame)  # noqa: F401
from gen_data import *  # noqa: F401,F403  (the data-plane generators)


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
