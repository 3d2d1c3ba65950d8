/* nnrp smoke / nnrp-quic-smoke (cmd_smoke.c): the bring-up command of transport.md §8. */
#ifndef NNRP_CLI_SMOKE_H
#define NNRP_CLI_SMOKE_H

extern const char cli_smoke_usage[];
/* argv[0] is the command name ("smoke" or "nnrp-quic-smoke"), argv[1] the subcommand. */
int cli_cmd_smoke(int argc, char **argv);

#endif /* NNRP_CLI_SMOKE_H */
