/* PLACEHOLDER: replaced by the module owner. */
#include <stdio.h>

#include "cli.h"

int wc_cli_serve(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fputs("whopconf serve: not built yet\n", stderr);
  return WC_EXIT_USAGE;
}
