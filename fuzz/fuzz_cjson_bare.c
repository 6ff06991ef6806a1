/* Reference target, not a test: a bare cJSON parse and free, so that
 * `make fuzz` can print the harness's exec/s next to cJSON's own. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cJSON_Delete(cJSON_ParseWithLength((const char *)data, size));
  return 0;
}
