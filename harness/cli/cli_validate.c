/* whopconf validate: strict-JSON check plus schema validation of a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "whopconf/common.h"
#include "whopconf/json_strict.h"
#include "whopconf/schema.h"
#include "whopconf/spec.h"

#define MAX_INPUT ((size_t)256 << 20)
#define DEFAULT_SCHEMA "#/components/schemas/User"
#define MAX_SHOWN_POINTER 120

static void usage(FILE *out) {
  fputs("usage: whopconf validate FILE [--schema POINTER] [--spec FILE] [--no-format] [--max-depth N]\n"
        "\n"
        "Checks that FILE (\"-\" reads standard input) is strict RFC 8259 JSON and that it\n"
        "validates against a schema of the contract (JSON Schema 2020-12).\n"
        "\n"
        "  --schema POINTER  schema to validate against (default " DEFAULT_SCHEMA ")\n"
        "  --spec FILE       OpenAPI document to take it from (default: the embedded spec/openapi.yml)\n"
        "  --no-format       treat format (date, date-time, uuid, email, uri) as an annotation only\n"
        "  --max-depth N     deepest nesting accepted (default 512)\n"
        "\n"
        "Prints one line per finding on stdout:\n"
        "  offset N: <defect>: <message>               strict-JSON defect at byte offset N\n"
        "  <instance pointer>: <message> [<schema pointer>]   schema error\n"
        "then a summary on stderr. Exit status: 0 valid, 1 invalid, 2 usage error or\n"
        "unreadable input (file, spec or schema).\n",
        out);
}

static char *read_stdin(size_t *len, wc_err *err) {
  wc_buf buf;
  wc_buf_init(&buf);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
    if (buf.len + n > MAX_INPUT) {
      wc_err_set(err, WC_E_IO, "standard input: larger than %zu bytes", MAX_INPUT);
      wc_buf_free(&buf);
      return NULL;
    }
    if (wc_buf_append(&buf, chunk, n) != 0) {
      wc_err_set(err, WC_E_NOMEM, "standard input: out of memory");
      wc_buf_free(&buf);
      return NULL;
    }
  }
  if (ferror(stdin)) {
    wc_err_set(err, WC_E_IO, "standard input: %s", strerror(errno));
    wc_buf_free(&buf);
    return NULL;
  }
  *len = buf.len;
  return wc_buf_steal(&buf);
}

int wc_cli_validate(int argc, char **argv) {
  const char *file = NULL, *pointer = DEFAULT_SCHEMA, *spec_path = NULL;
  wc_schema_opts sopts;
  wc_schema_opts_default(&sopts);
  wc_json_opts jopts = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return WC_EXIT_OK;
    } else if (strcmp(a, "--schema") == 0 && i + 1 < argc) {
      pointer = argv[++i];
    } else if (strcmp(a, "--spec") == 0 && i + 1 < argc) {
      spec_path = argv[++i];
    } else if (strcmp(a, "--no-format") == 0) {
      sopts.format_assertion = false;
    } else if (strcmp(a, "--max-depth") == 0 && i + 1 < argc) {
      char *end;
      unsigned long v = strtoul(argv[++i], &end, 10);
      if (*end || v == 0 || v > 100000) {
        fprintf(stderr, "whopconf validate: --max-depth needs a number from 1 to 100000\n");
        return WC_EXIT_USAGE;
      }
      jopts.max_depth = v;
    } else if ((a[0] != '-' || strcmp(a, "-") == 0) && !file) {
      file = a;
    } else {
      fprintf(stderr, "whopconf validate: unexpected argument '%s'\n", a);
      usage(stderr);
      return WC_EXIT_USAGE;
    }
  }
  if (!file) {
    usage(stderr);
    return WC_EXIT_USAGE;
  }

  wc_err err;
  size_t len = 0;
  char *text = strcmp(file, "-") == 0 ? read_stdin(&len, &err) : wc_read_file(file, MAX_INPUT, &len, &err);
  if (!text) {
    fprintf(stderr, "whopconf validate: %s\n", err.msg);
    return WC_EXIT_USAGE;
  }
  wc_spec *spec = spec_path ? wc_spec_load_file(spec_path, &err) : wc_spec_load_embedded(&err);
  if (!spec) {
    fprintf(stderr, "whopconf validate: %s\n", err.msg);
    free(text);
    return WC_EXIT_USAGE;
  }
  wc_schema *schema = wc_schema_compile(wc_spec_document(spec), pointer, &sopts, &err);
  if (!schema) {
    fprintf(stderr, "whopconf validate: %s\n", err.msg);
    wc_spec_free(spec);
    free(text);
    return WC_EXIT_USAGE;
  }
  const wc_findings *notes = wc_schema_compile_notes(schema);
  for (size_t i = 0; i < wc_findings_count(notes); i++) {
    const wc_finding *n = wc_findings_get(notes, i);
    fprintf(stderr, "note: %s: %s\n", n->schema_pointer ? n->schema_pointer : "#", n->message);
  }

  int rc = WC_EXIT_FAIL;
  wc_findings *defects = wc_findings_new();
  wc_findings *errors = wc_findings_new();
  if (!defects || !errors) {
    fprintf(stderr, "whopconf validate: out of memory\n");
    rc = WC_EXIT_USAGE;
    goto out;
  }
  cJSON *doc = wc_json_parse(text, len, &jopts, defects, &err);
  for (size_t i = 0; i < wc_findings_count(defects); i++) {
    const wc_finding *f = wc_findings_get(defects, i);
    size_t plen = f->instance_pointer ? strlen(f->instance_pointer) : 0;
    if (plen > MAX_SHOWN_POINTER) /* a 100,000-deep pointer helps nobody */
      printf("offset %zu: %s: %s (at %.*s...)\n", f->offset, f->keyword, f->message, MAX_SHOWN_POINTER,
             f->instance_pointer);
    else if (plen)
      printf("offset %zu: %s: %s (at %s)\n", f->offset, f->keyword, f->message, f->instance_pointer);
    else
      printf("offset %zu: %s: %s\n", f->offset, f->keyword, f->message);
  }
  if (!doc) {
    fprintf(stderr, "whopconf validate: %s: invalid: %s\n", file, err.msg);
    goto out;
  }
  bool valid = wc_schema_validate(schema, doc, errors);
  for (size_t i = 0; i < wc_findings_count(errors); i++) {
    const wc_finding *f = wc_findings_get(errors, i);
    printf("%s: %s [%s]\n", f->instance_pointer && *f->instance_pointer ? f->instance_pointer : "(root)",
           f->message, f->schema_pointer ? f->schema_pointer : "");
  }
  cJSON_Delete(doc);
  size_t nd = wc_findings_count(defects), ne = wc_findings_count(errors);
  if (valid && nd == 0) {
    fprintf(stderr, "whopconf validate: %s: valid against %s\n", file, pointer);
    rc = WC_EXIT_OK;
  } else {
    fprintf(stderr, "whopconf validate: %s: invalid: %zu strict-JSON defect%s, %zu schema error%s\n", file, nd,
            nd == 1 ? "" : "s", ne, ne == 1 ? "" : "s");
  }
out:
  fflush(stdout);
  wc_findings_free(defects);
  wc_findings_free(errors);
  wc_schema_free(schema);
  wc_spec_free(spec);
  free(text);
  return rc;
}
