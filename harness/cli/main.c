/* whopconf: conformance and fuzz testing harness for PATCH /users/me. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "whopconf/common.h"

static void usage(FILE *out) {
  fputs("usage: whopconf <command> [options]\n"
        "\n"
        "commands:\n"
        "  run       run the conformance suite (default target: the embedded reference server)\n"
        "  fuzz      generated requests from the contract, with shrinking (default target: embedded)\n"
        "  serve     start the reference server (with optional injected faults)\n"
        "  proxy     a validating proxy: judges the traffic of real clients\n"
        "  validate  strict-JSON and schema check of a JSON file\n"
        "  check     judge recorded traffic (HAR, NDJSON) on both sides\n"
        "  report    work with reports (report diff OLD.json NEW.json)\n"
        "  version   print the version\n"
        "\n"
        "exit codes: 0 ok, 1 non-conformant or invalid, 2 usage or spec error, 3 could not test\n"
        "`whopconf <command> --help` describes each command.\n",
        out);
}

int main(int argc, char **argv) {
  int worker = wc_cli_run_worker(argc, argv);
  if (worker >= 0) return worker;
  if (argc < 2) {
    usage(stderr);
    return WC_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "run") == 0) return wc_cli_run(argc - 1, argv + 1);
  if (strcmp(cmd, "fuzz") == 0) return wc_cli_fuzz(argc - 1, argv + 1);
  if (strcmp(cmd, "serve") == 0) return wc_cli_serve(argc - 1, argv + 1);
  if (strcmp(cmd, "proxy") == 0) return wc_cli_proxy(argc - 1, argv + 1);
  if (strcmp(cmd, "validate") == 0) return wc_cli_validate(argc - 1, argv + 1);
  if (strcmp(cmd, "check") == 0) return wc_cli_check(argc - 1, argv + 1);
  if (strcmp(cmd, "report") == 0) return wc_cli_report(argc - 1, argv + 1);
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("whopconf %s\n", WC_VERSION);
    return WC_EXIT_OK;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    usage(stdout);
    return WC_EXIT_OK;
  }
  fprintf(stderr, "whopconf: unknown command '%s' (try whopconf --help)\n", cmd);
  return WC_EXIT_USAGE;
}
