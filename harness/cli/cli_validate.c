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

typedef struct validate_args {
  const char *file, *pointer, *spec_path;
  wc_schema_opts sopts;
  wc_json_opts jopts;
  bool help;
} validate_args;

/* 0, or the exit code after printing the usage error. */
static int parse(int argc, char **argv, validate_args *va) {
  *va = (validate_args){.pointer = DEFAULT_SCHEMA};
  wc_schema_opts_default(&va->sopts);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      va->help = true;
      return 0;
    } else if (strcmp(a, "--schema") == 0 && i + 1 < argc) {
      va->pointer = argv[++i];
    } else if (strcmp(a, "--spec") == 0 && i + 1 < argc) {
      va->spec_path = argv[++i];
    } else if (strcmp(a, "--no-format") == 0) {
      va->sopts.format_assertion = false;
    } else if (strcmp(a, "--max-depth") == 0 && i + 1 < argc) {
      char *end;
      unsigned long v = strtoul(argv[++i], &end, 10);
      if (*end || v == 0 || v > 100000) {
        fprintf(stderr, "whopconf validate: --max-depth needs a number from 1 to 100000\n");
        return WC_EXIT_USAGE;
      }
      va->jopts.max_depth = v;
    } else if ((a[0] != '-' || strcmp(a, "-") == 0) && !va->file) {
      va->file = a;
    } else {
      fprintf(stderr, "whopconf validate: unexpected argument '%s'\n", a);
      usage(stderr);
      return WC_EXIT_USAGE;
    }
  }
  if (!va->file) {
    usage(stderr);
    return WC_EXIT_USAGE;
  }
  return 0;
}

/* The schema at va->pointer of the spec, its compile notes on stderr. NULL
 * (message printed) when the spec or the schema is unusable. */
static wc_schema *load_schema(const validate_args *va, wc_spec **spec) {
  wc_err err;
  *spec = va->spec_path ? wc_spec_load_file(va->spec_path, &err) : wc_spec_load_embedded(&err);
  wc_schema *schema = *spec ? wc_schema_compile(wc_spec_document(*spec), va->pointer, &va->sopts, &err) : NULL;
  if (!schema) {
    fprintf(stderr, "whopconf validate: %s\n", err.msg);
    return NULL;
  }
  const wc_findings *notes = wc_schema_compile_notes(schema);
  for (size_t i = 0; i < wc_findings_count(notes); i++) {
    const wc_finding *n = wc_findings_get(notes, i);
    fprintf(stderr, "note: %s: %s\n", n->schema_pointer ? n->schema_pointer : "#", n->message);
  }
  return schema;
}

static void print_defects(const wc_findings *defects) {
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
}

static void print_schema_errors(const wc_findings *errors) {
  for (size_t i = 0; i < wc_findings_count(errors); i++) {
    const wc_finding *f = wc_findings_get(errors, i);
    printf("%s: %s [%s]\n", f->instance_pointer && *f->instance_pointer ? f->instance_pointer : "(root)",
           f->message, f->schema_pointer ? f->schema_pointer : "");
  }
}

/* The strict pass and the schema over text: the findings on stdout, the
 * verdict on stderr. */
static int judge(const validate_args *va, const char *text, size_t len, const wc_schema *schema) {
  wc_findings *defects = wc_findings_new();
  wc_findings *errors = wc_findings_new();
  if (!defects || !errors) {
    fprintf(stderr, "whopconf validate: out of memory\n");
    wc_findings_free(defects);
    wc_findings_free(errors);
    return WC_EXIT_USAGE;
  }
  wc_err err;
  cJSON *doc = wc_json_parse(text, len, &va->jopts, defects, &err);
  print_defects(defects);
  int rc = WC_EXIT_FAIL;
  if (!doc) {
    fprintf(stderr, "whopconf validate: %s: invalid: %s\n", va->file, err.msg);
  } else {
    bool valid = wc_schema_validate(schema, doc, errors);
    print_schema_errors(errors);
    cJSON_Delete(doc);
    size_t nd = wc_findings_count(defects), ne = wc_findings_count(errors);
    if (valid && nd == 0) {
      fprintf(stderr, "whopconf validate: %s: valid against %s\n", va->file, va->pointer);
      rc = WC_EXIT_OK;
    } else {
      fprintf(stderr, "whopconf validate: %s: invalid: %zu strict-JSON defect%s, %zu schema error%s\n", va->file,
              nd, nd == 1 ? "" : "s", ne, ne == 1 ? "" : "s");
    }
  }
  wc_findings_free(defects);
  wc_findings_free(errors);
  return rc;
}

int wc_cli_validate(int argc, char **argv) {
  validate_args va;
  int rc = parse(argc, argv, &va);
  if (rc) return rc;
  if (va.help) {
    usage(stdout);
    return WC_EXIT_OK;
  }
  wc_err err;
  size_t len = 0;
  char *text = strcmp(va.file, "-") == 0 ? read_stdin(&len, &err) : wc_read_file(va.file, MAX_INPUT, &len, &err);
  if (!text) {
    fprintf(stderr, "whopconf validate: %s\n", err.msg);
    return WC_EXIT_USAGE;
  }
  wc_spec *spec = NULL;
  wc_schema *schema = load_schema(&va, &spec);
  rc = schema ? judge(&va, text, len, schema) : WC_EXIT_USAGE;
  fflush(stdout);
  wc_schema_free(schema);
  wc_spec_free(spec);
  free(text);
  return rc;
}
