/*
 * What the files of the builder map share (build_map.h is their public side):
 *
 *   build_map.c          keyword arguments, the shared input readers, the name -> mapper table
 *   build_map_packets.c  packet builders: data plane, control plane, NnrpPacket.build
 *   build_map_blocks.c   metadata and block encoders, typed and extension frames, control
 *                        extensions
 *
 * Every m_* function is a vec_builder_fn, named in build_map.c's table.
 */
#ifndef NNRP_BUILD_MAP_INT_H
#define NNRP_BUILD_MAP_INT_H

#include "build_map.h"

/* A dataclass member filled through its struct table. */
void *vec_dataclass(vec_ctx *c, const json_t *in, const char *key, const char *cls);

/* Writers that fill two sinks (descriptors, payloads). */
typedef int (*vec_two_sink_fn)(const void *arg, size_t n, nnrp_sink *a, nnrp_sink *b);
int vec_typed_pack(const void *arg, size_t n, nnrp_sink *a, nnrp_sink *b);
int vec_ext_pack(const void *arg, size_t n, nnrp_sink *a, nnrp_sink *b);

/* ---- build_map_packets.c --------------------------------------------------------------------- */

int m_frame_submit(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_frame_submit_typed(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_frame_submit_mixed(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_push(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_partial(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_stale(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_degraded(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_typed(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_mixed(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_flow_update(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_hint(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_probe(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_probe_ack(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_migrate(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_migrate_ack(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_frame_cancel(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_ping(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_pong(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_drop(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_header_only(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_close(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_client_hello(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_server_hello_ack(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_session_patch(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_session_patch_ack(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_error(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_cache_put(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_cache_ack(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_cache_invalidate(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_frame_submit(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_packet_result_push(vec_ctx *c, const json_t *in, nnrp_sink *s);

/* ---- build_map_blocks.c ---------------------------------------------------------------------- */

int m_token_frame(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_audio_frame(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_video_frame(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_event_frame(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_tool_frame(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_opaque_frame(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_typed_frame(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_ext_frame(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_camera_inline(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_tile_index_inline(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_section_table_inline(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_camera_ref(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_tile_index_ref(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_section_table_ref(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_object_ref(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_ext_client_tp(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_ext_server_tp(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_ext_client_lt(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_ext_server_lt(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_ext_client_pc(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_ext_server_pc(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_cache_object_bitmap(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_pack_tile_index(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_pack_section(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_pack_typed_frames(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_pack_ext_frames(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_pack_ext_block(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_pack_body(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_patch_body(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_patch_ack_body(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_client_hello_meta(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_server_hello_ack_meta(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_session_patch_ack_meta(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_frame_submit_meta(vec_ctx *c, const json_t *in, nnrp_sink *s);
int m_result_push_meta(vec_ctx *c, const json_t *in, nnrp_sink *s);

#endif /* NNRP_BUILD_MAP_INT_H */
