/*
 * Replay export of host frames (wire-data §13.1): FRAME_SUBMIT bytes equal to nnrp-py
 * 1.0.0rc2's frame_features_to_wire_bytes() for the same host objects, and every error.
 *
 * The expected packets below were produced once with the reference helpers
 * (nnrp.tools.frame_features_to_wire_bytes, /tmp/oracle-venv) from SimpleNamespace objects
 * holding exactly the values of the host structs built in each case, and pasted as hex.
 * spec_frame is the frame of wire-data §13.2 (96x64, tile 32, tiles 0 and 2, a 214-byte NRCM
 * camera, roles 1 and 5, tiles that disagree on the codec).
 */
#include <libnnrp/tools.h>

#include "test.h"
#include "tools_check.h"

/* 433 bytes */
static const char spec_frame_hex[] =
    "4e4e5250010010280000000048000000410100002ebec0232a00000000000000000000000000000060004000"
    "200020000200020000000100000000000000000000000000d600000004000000000000000000000000000000"
    "000000000000ff00000000000000000001000000000000004e52434d010010001000100000000000803e0000"
    "00bf000000000000803f0000004000004040000080400000a0400000c0400000e04000000041000010410000"
    "204100003041000040410000504100006041000070410000003f0000003f0000003f0000003f0000003f0000"
    "003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000"
    "80bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf0000"
    "80bf000080bf000080bf000080bf000080bf0000000002000000000001000000000001000000000002000000"
    "0800000002000000000000000000000000010100000001000000010200000000050000050000010000000000"
    "02000000080000000700000000000000000000000001030000000400000061626364656667";
/* 356 bytes */
static const char all_fields_frame_hex[] =
    "4e4e5250010010280000000048000000f40000004d000000e803000003000000554433221100000064002800"
    "2000200002000400010201002100000000000000000000002200000004000000000000000000000000000000"
    "000000000002ff00000000000000000001000000000000004e52434d01000100000002000000000000000000"
    "00000000c03f0000204000006040000000000000040005000000000001000000000001000000000002000000"
    "0800000004000000000000000000000000010200000002000000121310110000020000050000010000000000"
    "0200000008000000010000000000000000000000000100000000010000002000000000000300000600000100"
    "0000000002000000080000000800000000000000000000000001040000000400000034353637303132330000"
    "0000000004000005000001000000000002000000080000000200000000000000000000000001010000000100"
    "00004140";
/* 356 bytes */
static const char all_fields_frame_crc_hex[] =
    "4e4e5250010010280000000048000000f400000016fce2fce80300000000000094c6d7110000000064002800"
    "2000200002000400000201002100000000000000000000002200000004000000000000000000000000000000"
    "000000000002ff00000000000000000001000000000000004e52434d01000100000002000000000000000000"
    "00000000c03f0000204000006040000000000000040005000000000001000000000001000000000002000000"
    "0800000004000000000000000000000000010200000002000000121310110000020000050000010000000000"
    "0200000008000000010000000000000000000000000100000000010000002000000000000300000600000100"
    "0000000002000000080000000800000000000000000000000001040000000400000034353637303132330000"
    "0000000004000005000001000000000002000000080000000200000000000000000000000001010000000100"
    "00004140";
/* 136 bytes */
static const char empty_frame_hex[] =
    "4e4e525001001028000000004800000018000000000000000500000000000000000000000000000000000000"
    "0000000000000000000101000000000000000000000000001600000000000000000000000000000000000000"
    "000000000000ff00000000000000000001000000000000004e52434d01000000000000000000000000000000"
    "00000000";
/* 304 bytes */
static const char frame_camera_ref_hex[] =
    "4e4e5250010010280000000048000000c00000002ebec0232a00000000000000000000000000000060004000"
    "2000200002000200000001000000000000000000000000000000000004000000000000000000000000000000"
    "000000000200ff00010000000000000001000000000000009000000010000000000000000000000000000000"
    "0000000000000000000000000200000000000000040000000000000000000200000000000300000000000000"
    "6100000000000000010000000000010000000000020000000800000002000000000000000000000000010100"
    "0000010000000102000000000500000500000100000000000200000008000000070000000000000000000000"
    "00010300000004000000616263646566670000000000000001000000010000000200000003000000";
/* 192 bytes */
static const char frame_all_refs_hex[] =
    "4e4e5250010010280000000048000000500000002ebec0232a00000000000000000000000000000060004000"
    "2000200002000200000001000000000000000000000000000000000000000000000000000000000000000000"
    "000000000100ff00070000000000000001000000000000000000000030000000000000000000000000000000"
    "0000000000000000000000000100000001000000020000000300000002000000010000000200000004000000"
    "03000000010000000200000005000000";
/* 416 bytes */
static const char frame_table_ref_hex[] =
    "4e4e5250010010280000000048000000300100002ebec0232a00000000000000000000000000000060004000"
    "200020000200020000000100000000000000000000000000d600000004000000000000000000000000000000"
    "000000000200ff00040000000000000001000000000000000001000010000000000000000000000000000000"
    "0000000000000000000000000100000000000000d6000000000000004e52434d010010001000100000000000"
    "803e000000bf000000000000803f0000004000004040000080400000a0400000c0400000e040000000410000"
    "10410000204100003041000040410000504100006041000070410000003f0000003f0000003f0000003f0000"
    "003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000"
    "003f000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf0000"
    "80bf000080bf000080bf000080bf000080bf000080bf00000200000000000000040000000000000000000200"
    "0000000003000000090000000000000001000000";

static const float view16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const float half16[16] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f,
                                 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
static const float minus16[16] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
static const nnrp_replay_camera camera16 = {view16, 16, half16, 16, minus16, 16, 0.25f, -0.5f};

static nnrp_vec bytes(const char *s) {
  return (nnrp_vec){(const uint8_t *)s, strlen(s)};
}

/* Tiles given out of order (id 2, then id 0), one LZ4 and one uncompressed. */
static nnrp_host_tile spec_tiles[2];

static void spec_frame(nnrp_host_frame *f) {
  memset(spec_tiles, 0, sizeof(spec_tiles));
  spec_tiles[0] = (nnrp_host_tile){.tile_x = 2,
                                   .depth_fp16 = bytes("\x02"),
                                   .luma_hint = bytes("defg"),
                                   .compression_algorithm = "lz4"};
  spec_tiles[1] = (nnrp_host_tile){.tile_x = 0,
                                   .depth_fp16 = bytes("\x01"),
                                   .luma_hint = bytes("abc"),
                                   .compression_algorithm = "none"};
  nnrp_host_frame_init(f);
  f->session_id = "session-1";
  f->frame_id = 42;
  f->src_width = 96;
  f->src_height = 64;
  f->tile_size = 32;
  f->tiles = spec_tiles;
  f->tile_count = 2;
  f->camera = &camera16;
}

static void check_frame(const nnrp_host_frame *f, const nnrp_replay_options *o, const char *hex) {
  tools_check_export(tools_export_frame, f, nnrp_replay_frame_scratch_len(f), o, hex);
}

static void test_spec_frame(void) {
  nnrp_host_frame f;
  spec_frame(&f);
  check_frame(&f, NULL, spec_frame_hex);
}

static void test_every_field_and_override(void) {
  static const float view[1] = {1.5f}, prev[2] = {2.5f, 3.5f};
  const nnrp_replay_camera cam = {view, 1, NULL, 0, prev, 2, 0, 0};
  /* Tile ids 5 and 4 (100 px at 32 px: 4 tiles per row).  The codecs tie 1:1, so the first
   * tile in id order (id 4, uncompressed) sets the default and LZ4 goes to a codec table;
   * luma_hint has no payload and makes no section. */
  nnrp_host_tile t[2] = {
      {.tile_x = 1,
       .tile_y = 1,
       .depth_fp16 = bytes("\x10\x11"),
       .normal_oct = bytes("\x20"),
       .motion_i16 = bytes("\x30\x31\x32\x33"),
       .rough_metal = bytes("\x40"),
       .compression_algorithm = " LZ4 "},
      {.tile_x = 0,
       .tile_y = 1,
       .depth_fp16 = bytes("\x12\x13"),
       .motion_i16 = bytes("\x34\x35\x36\x37"),
       .rough_metal = bytes("\x41")},
  };
  nnrp_host_frame f;
  nnrp_host_frame_init(&f);
  f.session_id = "host-7";
  f.frame_id = 1000;
  f.src_width = 100;
  f.src_height = 40;
  f.tile_size = 32;
  f.tiles = t;
  f.tile_count = 2;
  f.camera = &cam;
  f.input_profile = " Dense_Luma_Frame ";
  f.latency_budget_ms = 33;
  f.client_trace_id = "trace-xyz";
  f.allow_stale_reuse = 1;
  check_frame(&f, NULL, all_fields_frame_crc_hex);

  nnrp_replay_options o;
  nnrp_replay_options_init(&o);
  o.set = NNRP_REPLAY_SET_SESSION_ID | NNRP_REPLAY_SET_TRACE_ID;
  o.session_id = 77;
  o.trace_id = 0x1122334455u;
  o.view_id = 3;
  o.frame_class = NNRP_FRAME_DELTA;
  check_frame(&f, &o, all_fields_frame_hex);
  /* With the session overridden, no host session string is needed. */
  f.session_id = NULL;
  check_frame(&f, &o, all_fields_frame_hex);
}

static void test_empty_frame(void) {
  /* No tiles and no camera: an empty NRCM block is still sent; tile_size 0 is fine. */
  nnrp_host_frame f;
  nnrp_host_frame_init(&f);
  f.session_id = "";
  f.frame_id = 5;
  f.input_profile = "changed_tiles_luma";
  check_frame(&f, NULL, empty_frame_hex);
}

/* Two tiles with one id: the reference keeps both (a RAW_U16 index takes any ids), in input
 * order. */
static void test_duplicate_tile_ids(void) {
  static const char hex[] =
      "4e4e52500100102800000000480000004a0000008316dc8c0100000000000000000000000000000040004000"
      "2000200002000100000001000000000000000000000000001600000004000000000000000000000000000000"
      "000000000000ff00000000000000000001000000000000004e52434d01000000000000000000000000000000"
      "000000000000000000000000010000000000000000000000000000000800000002000000000000000000000001"
      "000000010000006162";
  nnrp_host_tile t[2] = {{.depth_fp16 = bytes("a")}, {.depth_fp16 = bytes("b")}};
  nnrp_host_frame f;
  nnrp_host_frame_init(&f);
  f.session_id = "x";
  f.frame_id = 1;
  f.src_width = f.src_height = 64;
  f.tile_size = 32;
  f.tiles = t;
  f.tile_count = 2;
  check_frame(&f, NULL, hex);
}

static void test_references(void) {
  nnrp_host_frame f;
  /* The "mapping" form: kind 0 takes the slot's kind.  Camera referenced: MIXED. */
  const nnrp_object_ref cam = {0, 0, 1, 2, 3};
  spec_frame(&f);
  f.camera_reference = &cam;
  check_frame(&f, NULL, frame_camera_ref_hex);

  /* Everything referenced: REFERENCE, no inline object. */
  const nnrp_object_ref cam_k = {NNRP_OBJECT_CAMERA_BLOCK, 0, 1, 2, 3};
  const nnrp_object_ref tiles = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 1, 2, 4};
  const nnrp_object_ref table = {NNRP_OBJECT_TENSOR_SECTION_TABLE, 0, 1, 2, 5};
  spec_frame(&f);
  f.camera_reference = &cam_k;
  f.tile_index_reference = &tiles;
  f.tensor_section_table_reference = &table;
  check_frame(&f, NULL, frame_all_refs_hex);

  /* Only the section table referenced: camera and tile index stay inline. */
  const nnrp_object_ref table9 = {0, 0, 9, 0, 1};
  spec_frame(&f);
  f.tensor_section_table_reference = &table9;
  check_frame(&f, NULL, frame_table_ref_hex);
}

/* Export into a big buffer; the return code only. */
static int export_rc(const nnrp_host_frame *f) {
  uint8_t out[2048];
  size_t len;
  return tools_export(tools_export_frame, f, NULL, nnrp_replay_frame_scratch_len(f), out,
                      sizeof(out), &len);
}

static void test_errors(void) {
  nnrp_host_frame f;
  spec_frame(&f);
  f.tile_size = 0;
  CHECK_RC(export_rc(&f), NNRP_ERR_REPLAY_TILE_SIZE);

  spec_frame(&f);
  spec_tiles[1].compression_algorithm = "zstd";
  CHECK_RC(export_rc(&f), NNRP_ERR_REPLAY_CODEC_NAME);
  /* A name is read only for fields that make a section: without payloads it is never seen. */
  spec_tiles[0] = spec_tiles[1] = (nnrp_host_tile){.tile_x = 0, .compression_algorithm = "zstd"};
  spec_tiles[1].tile_x = 1;
  CHECK_RC(export_rc(&f), 0);

  const nnrp_object_ref wrong = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 1, 2, 3};
  spec_frame(&f);
  f.camera_reference = &wrong;
  CHECK_RC(export_rc(&f), NNRP_ERR_REF_KIND_MISMATCH);

  spec_frame(&f);
  f.session_id = NULL;
  CHECK_RC(export_rc(&f), NNRP_ERR_INVALID_ARGUMENT);

  /* Tile id 2 * 3 + 65535 does not fit the wire's u16. */
  spec_frame(&f);
  spec_tiles[0].tile_x = 65535;
  spec_tiles[0].tile_y = 2;
  CHECK_RC(export_rc(&f), NNRP_ERR_TILE_ID_RANGE);

  /* A camera array longer than its u16 count. */
  static float big[65536];
  const nnrp_replay_camera huge = {big, 65536, NULL, 0, NULL, 0, 0, 0};
  spec_frame(&f);
  f.camera = &huge;
  CHECK_RC(export_rc(&f), NNRP_ERR_BUILD_FIELD_RANGE);

  /* Typed frames ride inline only. */
  const nnrp_typed_frame tf = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)"tok", 3}};
  spec_frame(&f);
  f.frames = &tf;
  f.frame_count = 1;
  f.camera_reference = &(nnrp_object_ref){0, 0, 1, 2, 3};
  CHECK_RC(export_rc(&f), NNRP_ERR_BUILD_INLINE_REFS);

  spec_frame(&f);
  CHECK_RC(nnrp_replay_frame_to_packet(&f, NULL, NULL, 0, &(nnrp_sink){0}),
           NNRP_ERR_REPLAY_SCRATCH);
  CHECK_RC(nnrp_replay_frame_to_packet(NULL, NULL, NULL, 0, NULL), NNRP_ERR_INVALID_ARGUMENT);
}

/* Typed frames (a libnnrp addition) make a mixed FRAME_SUBMIT with the same tensor part. */
static void test_typed_frames(void) {
  const nnrp_typed_frame tf = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)"tok", 3}};
  nnrp_host_frame f;
  uint8_t out[2048];
  size_t len;
  spec_frame(&f);
  f.frames = &tf;
  f.frame_count = 1;
  CHECK_RC(tools_export(tools_export_frame, &f, NULL, nnrp_replay_frame_scratch_len(&f), out,
                        sizeof(out), &len),
           0);
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, out, len, NULL, NULL), 0);
  CHECK_EQ(p.meta.frame_submit.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK);
  CHECK_EQ(p.meta.frame_submit.payload_frame_count, 1);
  CHECK_EQ(p.meta.frame_submit.camera_bytes, 214);
  CHECK_EQ(p.data.family, NNRP_BODY_REGION);
  CHECK_EQ(p.data.section_count, 2);
  CHECK_EQ(p.data.typed_frame_count, 1);
}

int main(void) {
  RUN(test_spec_frame);
  RUN(test_every_field_and_override);
  RUN(test_empty_frame);
  RUN(test_duplicate_tile_ids);
  RUN(test_references);
  RUN(test_errors);
  RUN(test_typed_frames);
  return TEST_REPORT();
}
