/* nnrp: decode, encode, inspect NNRP/1 Preview2 packets and print the golden vectors. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "cli_tools.h"
#ifdef NNRP_CLI_SMOKE
#include "smoke.h"
#endif

static const char general_usage[] =
    "usage: nnrp <command> [options]\n"
    "\n"
    "NNRP/1 Preview2 (on-wire NNRP/1.0) packets, through libnnrp.\n"
    "\n"
    "commands:\n"
    "  decode   [--hex HEX | FILE | -] [PROFILE] [--exact] [--compact]\n"
    "                                                   packets -> JSON\n"
    "  encode   [FILE | -] [--hex]                      JSON -> packets\n"
    "  inspect  [--hex HEX | FILE | -] [PROFILE] [--exact] [--summary | --json]\n"
    "           [--pcap FILE [--port P]]                one line per packet\n"
    "  compare  PACKET OTHER [--label L]                wire size against another encoding\n"
    "  vectors  [--check FILE]                          golden-vector manifest\n"
    "  build    [FILE | -]                              reference builder calls (JSON lines)\n"
    "                                                   -> packets (hex lines)\n"
    "  check    [FILE | -] [PROFILE] [--json]           packets (hex lines) -> verdicts\n"
    "  conformance vectors|plan|run [options]           the public conformance suite\n"
    "  bench    --plan PLAN --output OUT                benchmark plan -> results\n"
    "  smoke    client|server-once [options]            one real session (QUIC or TCP);\n"
    "                                                   also installed as nnrp-quic-smoke\n"
    "  help     [command]                               this text, or a command's\n"
    "\n"
    "  nnrp --version   library version\n"
    "\n"
    "PROFILE: the strict profile unless --py-compat, --cs-dialect or --strict-c6 (see\n"
    "'nnrp help decode').\n"
    "\n"
    "Exit status: 0 success, 1 invalid input, 2 usage error.  Errors are one line on stderr:\n"
    "  nnrp: <command>: <ERR_NAME> (<spec rule>) at offset N: <message>\n";

static const char decode_usage[] =
    "usage: nnrp decode [--hex HEX | FILE | -] [--py-compat] [--cs-dialect] [--strict-c6]\n"
    "                   [--exact] [--compact]\n"
    "\n"
    "Decodes one or more packets that follow each other (from FILE, standard input when FILE\n"
    "is - or missing, or the hex text HEX) and prints them as JSON (indented, or one line with\n"
    "--compact).  The first invalid packet stops the command with exit status 1.\n"
    "  --py-compat   accept what nnrp-py 1.0.0rc2 accepts (default: the strict profile)\n"
    "  --cs-dialect  also accept nnrp-cs's unambiguous encodings that nnrp-py rejects (the\n"
    "                4-byte loss-tolerance extension, wire-control 14 D2)\n"
    "  --strict-c6   also require that a stale_reuse result names its reused_frame_id\n"
    "                (nnrp-cs, wire-data 11 C6)\n"
    "  --exact       the input must be exactly one packet (nnrp-py's whole-packet rule)\n"
    "\n"
    "Output: always a JSON array with one object per packet, in input order, also for a single\n"
    "packet.  Each object holds\n"
    "  the header fields:  version_major, wire_format, msg_type (number), msg_type_name,\n"
    "                      header_len, flags, meta_len, body_len, session_id, frame_id, view_id,\n"
    "                      route_id, trace_id\n"
    "  \"metadata\":         every fixed metadata field of the message, reserved ones included,\n"
    "                      named as in the specification tables\n"
    "  \"body\":             by message type:\n"
    "    CLIENT_HELLO, SERVER_HELLO_ACK   extensions: [{ext_type, ext_type_name, ext_flags,\n"
    "                                     ext_len, payload, parsed: {standard fields}}],\n"
    "                                     auth (CLIENT_HELLO)\n"
    "    SESSION_PATCH(_ACK)              profile_patch: {min_width, min_height, max_width,\n"
    "                                     max_height} when present\n"
    "    CLOSE / ERROR / CACHE_PUT / TRANSPORT_PROBE\n"
    "                                     reason / diagnostic / object / padding, plus text when\n"
    "                                     the bytes are UTF-8\n"
    "    FRAME_SUBMIT, RESULT_PUSH        family: \"empty\", \"legacy\" or \"region\"\n"
    "      legacy: camera (FRAME_SUBMIT), tile_index, tile_ids, sections: [{descriptor fields,\n"
    "              codec_table, tile_lengths, payload}]\n"
    "      region: prelude, inline_objects: [{header fields, payload}], object_references,\n"
    "              typed_frames: [{descriptor fields, payload}], extension_frames (same);\n"
    "              typed_payload_frame_region / extension_payload_region only when bytes\n"
    "              outside the frames are not zero\n"
    "Bytes are lower-case hex strings.  64-bit fields are numbers up to 2^53 - 1 and decimal\n"
    "strings above, so that every JSON reader keeps them exact.  msg_type_name, ext_type_name,\n"
    "parsed, text, tile_ids and the sections/tile_ids of inline objects are informational:\n"
    "nnrp encode ignores them.\n";

static const char encode_usage[] =
    "usage: nnrp encode [FILE | -] [--hex]\n"
    "\n"
    "Reads the JSON that nnrp decode prints (the array, or a single packet object) from FILE or\n"
    "standard input and writes the packets, back to back: binary, or one line of hex with --hex.\n"
    "`nnrp decode X | nnrp encode` reproduces X exactly.\n"
    "\n"
    "Every packet is built from its fields with libnnrp's encoders and then decoded again with\n"
    "the strict profile; a packet that breaks a rule is an error and nothing is written.\n"
    "Integers may be JSON numbers or strings (decimal or 0x-hex).  A missing field is 0, except\n"
    "version_major (1), header_len (40) and the lengths the encoder can derive: meta_len,\n"
    "body_len, ext_len, the section descriptor's codec_table_bytes, length_table_bytes and\n"
    "payload_bytes, object_bytes, payload_offset / payload_length and the prelude.\n"
    "Unknown keys are errors.\n";

static const char inspect_usage[] =
    "usage: nnrp inspect [--hex HEX | FILE | -] [--py-compat] [--cs-dialect] [--strict-c6]\n"
    "                    [--exact] [--summary | --json] [--subject S] [--pcap FILE [--port P]]\n"
    "\n"
    "Decodes like nnrp decode and prints one line per packet: the message type, session, frame,\n"
    "view, metadata and body lengths, then the key fields of the message, e.g.\n"
    "  FRAME_SUBMIT session=7 frame=42 view=3 meta=72 body=100 tiles=2 sections=2 roles=1,5"
    " family=legacy flags=ACK_REQUIRED\n"
    "  RESULT_PUSH ... class=partial covered=1 dropped=1 result_flags=STALE|PARTIAL ...\n";

static const char vectors_usage[] =
    "usage: nnrp vectors [--check FILE]\n"
    "\n"
    "Without options: prints the cross-language golden-vector manifest (schema\n"
    "nnrp.cross-language-golden-vectors.v1), every vector built by libnnrp's encoders.\n"
    "--check FILE: validates another manifest (schema, unique names, known kinds, even\n"
    "lower-case hex, bytes = hex length) and lists every vector that is missing, extra or\n"
    "different from libnnrp's; exit status 1 when there is any.\n";

static const char build_usage[] =
    "usage: nnrp build [FILE | -]\n"
    "\n"
    "Calls libnnrp's equivalent of a builder of the reference SDK nnrp-py 1.0.0rc2 for every\n"
    "line of input (FILE or standard input), a JSON object\n"
    "  {\"builder\": NAME, \"inputs\": {keyword arguments}}\n"
    "with NAME and the inputs as in the reference vectors (builder-examples.json): bytes as\n"
    "{\"hex\": ...}, enums as {\"enum\": ..., \"value\": N} or N, dataclasses as\n"
    "{\"class\": ..., \"fields\": {...}}.  One answer line per request, in order:\n"
    "  <hex>              the output (a packet, a block, an entry, descriptor + payload ...)\n"
    "  error <ERR_NAME>   libnnrp refuses the inputs (the rule of NNRP_ERR_<ERR_NAME>)\n"
    "  invalid <message>  the request cannot be mapped: bad JSON, unknown builder, an input\n"
    "                     member nothing reads, a value wider than its field\n"
    "Exit status 1 when any request was invalid.\n";

static const char check_usage[] =
    "usage: nnrp check [FILE | -] [--py-compat] [--cs-dialect] [--strict-c6] [--json]\n"
    "\n"
    "Decodes every line of input (FILE or standard input) as the hex of exactly one packet\n"
    "(strict profile unless a PROFILE option is given, see 'nnrp help decode') and prints one\n"
    "line per packet:\n"
    "  ok <MSG_TYPE>          valid; with --json: ok <the packet as nnrp decode prints it>\n"
    "  error <ERR_NAME> <N>   invalid: the rule broken and the byte offset\n"
    "  invalid <message>      the line is not hex\n";

void cli_usage(FILE *f, const char *cmd) {
  const char *text = general_usage;
  if (cmd && strcmp(cmd, "decode") == 0) text = decode_usage;
  if (cmd && strcmp(cmd, "encode") == 0) text = encode_usage;
  if (cmd && strcmp(cmd, "inspect") == 0) {
    fputs(inspect_usage, f);
    text = cli_inspect_tools_usage;
  }
  if (cmd && strcmp(cmd, "compare") == 0) text = cli_compare_usage;
  if (cmd && strcmp(cmd, "vectors") == 0) text = vectors_usage;
  if (cmd && strcmp(cmd, "build") == 0) text = build_usage;
  if (cmd && strcmp(cmd, "check") == 0) text = check_usage;
  if (cmd && strcmp(cmd, "conformance") == 0) text = cli_conformance_usage;
  if (cmd && strcmp(cmd, "bench") == 0) text = cli_bench_usage;
#ifdef NNRP_CLI_SMOKE
  if (cmd && strcmp(cmd, "smoke") == 0) text = cli_smoke_usage;
#endif
  fputs(text, f);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, cmd[0] ? "nnrp: %s: " : "nnrp: %s", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see 'nnrp help%s%s')\n", cmd[0] ? " " : "", cmd);
  return CLI_USAGE;
}

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} commands[] = {
    {"decode", cli_cmd_decode},
    {"encode", cli_cmd_encode},
    {"inspect", cli_cmd_inspect},
    {"compare", cli_cmd_compare},
    {"vectors", cli_cmd_vectors},
    {"build", cli_cmd_build},
    {"check", cli_cmd_check},
    {"conformance", cli_cmd_conformance},
    {"bench", cli_cmd_bench},
#ifdef NNRP_CLI_SMOKE
    {"smoke", cli_cmd_smoke},
#endif
};

static int find_command(const char *name) {
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (strcmp(commands[i].name, name) == 0) return (int)i;
  return -1;
}

int main(int argc, char **argv) {
#ifdef NNRP_CLI_SMOKE
  const char *base = strrchr(argv[0], '/');
  if (strcmp(base ? base + 1 : argv[0], "nnrp-quic-smoke") == 0) { /* the reference's name */
    for (int k = 1; k < argc; k++)
      if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
        cli_usage(stdout, "smoke");
        return CLI_OK;
      }
    return cli_cmd_smoke(argc, argv);
  }
#endif
  if (argc < 2) {
    cli_usage(stderr, NULL);
    return CLI_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("nnrp %s (libnnrp %s, NNRP/1 Preview2)\n", NNRP_VERSION, nnrp_version());
    return CLI_OK;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    if (argc > 3) return cli_usage_error("help", "one command at most");
    if (argc == 3 && find_command(argv[2]) < 0)
      return cli_usage_error("help", "unknown command '%s'", argv[2]);
    cli_usage(stdout, argc == 3 ? argv[2] : NULL);
    return CLI_OK;
  }
  int i = find_command(cmd);
  if (i < 0) return cli_usage_error("", "unknown command '%s'", cmd);
  for (int k = 2; k < argc; k++)
    if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
      cli_usage(stdout, cmd);
      return CLI_OK;
    }
  return commands[i].run(argc - 1, argv + 1);
}
