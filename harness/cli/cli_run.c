/* PLACEHOLDER: replaced by the module owner. */
#include <stdio.h>

#include "cli.h"

int wc_cli_run_worker(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return -1;
}

int wc_cli_run(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fputs("whopconf run: not built yet\n", stderr);
  return WC_EXIT_USAGE;
}
