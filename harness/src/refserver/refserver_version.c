/* Api-Version-Date: which response shape each known version gets (the list
 * and what counts as a date are the contract's, versions.h). */
#include <string.h>

#include "refserver_internal.h"

/* The version that introduced each shape. A configured version maps to the
 * newest shape whose date it has reached, so a configured 2026-07-20 (the
 * SDK's) answers with the full User schema. Plain string order is date order
 * for YYYY-MM-DD and keeps suffixed values (2026-07-08-1) in place. */
rs_shape rs_version_shape(const char *known_version) {
  static const struct {
    const char *since;
    rs_shape shape;
  } steps[] = {
      {"2026-07-01", RS_SHAPE_FULL},
      {"2026-06-20", RS_SHAPE_ICONS},
      {"2026-06-09", RS_SHAPE_BALANCES},
      {"2026-06-08", RS_SHAPE_VERIFICATION},
  };
  if (!known_version) return RS_SHAPE_ORIGINAL;
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    if (strcmp(known_version, steps[i].since) >= 0) return steps[i].shape;
  return RS_SHAPE_ORIGINAL;
}
