/* The value catalogue (string edge classes, wrong types, lengths), the
 * body builders over raw-leaf cJSON trees, and the seeded PRNG. */
#include <stdlib.h>
#include <string.h>

#include "gen_internal.h"

/* Each class once, tagged with its name. text is the decoded value; json
 * (when set) the exact literal sent in a body, for values no C string can
 * hold or that must travel as escapes. */
static const gen_string_class string_classes[] = {
    {"empty", "", NULL, true},
    {"one-char", "a", NULL, true},
    {"non-bmp", "\xF0\x9F\x98\x80\xF0\x9D\x94\x98\xF0\xA0\x80\x80", NULL, true},
    {"emoji-zwj", "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9"
                  "\xE2\x80\x8D\xF0\x9F\x91\xA7",
     NULL, true},
    {"emoji-skin-tone", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD\xF0\x9F\x91\x8B\xF0\x9F\x8F\xBF", NULL, true},
    {"combining", "a\xCC\x81\xCC\x88o\xCC\xB8", NULL, true},
    {"nfc", "Caf\xC3\xA9 Zo\xC3\xAB", NULL, true},
    {"nfd", "Cafe\xCC\x81 Zoe\xCC\x88", NULL, true},
    {"zero-width", "a\xE2\x80\x8B" "b\xE2\x80\x8C" "c\xE2\x80\x8D" "d\xE2\x81\xA0" "e\xE2\x81\xA4" "f\xEF\xBB\xBF",
     NULL, true},
    {"bidi-control", "a\xE2\x80\x8E" "b\xE2\x80\x8F" "c\xE2\x80\xAA" "d\xE2\x80\xAE" "e\xE2\x80\xAC", NULL, true},
    {"unicode-whitespace", "a\xC2\xA0" "b\xE1\x9A\x80" "c\xE2\x80\x80" "d\xE2\x80\x8A" "e\xE2\x80\xA8"
                           "f\xE2\x80\xA9" "g\xE3\x80\x80",
     NULL, true},
    {"c0-controls", "a\x01\x08\x09\x0B\x0C\x1B\x1F" "b", NULL, false},
    {"nul-escape", NULL, "\"a\\u0000b\"", false},
    {"crlf", "a\r\nb\rc\nd", NULL, false},
    {"quotes", "\"'`\xE2\x80\x9C\xE2\x80\x9D", NULL, true},
    {"backslash", "\\ \\\\ \\u0041 \\n", NULL, true},
    {"script", "<script>alert(1)</script><img src=x onerror=alert(1)>", NULL, true},
    {"sql", "' OR '1'='1'; DROP TABLE users; --", NULL, true},
    {"shell", "$(id) `id` ; | & > < $HOME *", NULL, true},
    {"percent", "%00 %25 %2e%2e%2f %s %n %%", NULL, true},
    {"homoglyph", "\xD0\xB0" "dmin p\xD0\xB0yp\xD0\xB0l \xCE\xBF", NULL, true},
    {"case-expander", "stra\xC3\x9F" "e \xEF\xAC\x83 \xC4\xB0stanbul", NULL, true},
    {"non-ascii-case", "\xC3\x80\xC3\x89\xC3\x8E \xC3\xA0\xC3\xA9\xC3\xAE \xCE\xA3\xCE\x91\xCE\xA3 \xCF\x83\xCE\xB1\xCF\x82",
     NULL, true},
    {"edge-spaces", "  padded  ", NULL, true},
    /* Negative: no valid UTF-8 can carry them. */
    {"lone-surrogate", "\xED\xA0\x80", "\"a\\ud800b\"", true},
    {"invalid-utf8", "a\xC3\x28\xFF\xFE" "b", NULL, true},
};

static const gen_value_class value_classes[] = {
    {"number", "1", GEN_T_INTEGER | GEN_T_NUMBER},
    {"number-huge", "1.7976931348623157e308", GEN_T_NUMBER},
    {"number-fraction", "0.5", GEN_T_NUMBER},
    {"number-exponent", "1E+2", GEN_T_INTEGER | GEN_T_NUMBER},
    {"number-negative-zero", "-0", GEN_T_INTEGER | GEN_T_NUMBER},
    {"boolean", "true", GEN_T_BOOLEAN},
    {"null", "null", GEN_T_NULL},
    {"array", "[\"a\"]", GEN_T_ARRAY},
    {"object", "{\"a\":\"b\"}", GEN_T_OBJECT},
    {"string", "\"a\"", GEN_T_STRING},
};

bool gen_query_ok(const gen_string_class *sc) {
  return sc->text && wc_header_value_check(sc->text, strlen(sc->text), NULL) == 0;
}

size_t gen_string_class_count(void) { return sizeof string_classes / sizeof string_classes[0]; }
const gen_string_class *gen_string_class_get(size_t i) { return &string_classes[i]; }
size_t gen_value_class_count(void) { return sizeof value_classes / sizeof value_classes[0]; }
const gen_value_class *gen_value_class_get(size_t i) { return &value_classes[i]; }

/* 2^k-1, 2^k, 2^k+1 for k = 2..10, then 2^k up to 2^20 (the default cap). */
static const size_t lengths[] = {
    3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512,
    513, 1023, 1024, 1025, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576,
};

size_t gen_length_count(void) { return sizeof lengths / sizeof lengths[0]; }
size_t gen_length_get(size_t index) { return lengths[index]; }

char *gen_json_quote(const char *text, size_t len) {
  wc_buf b;
  wc_buf_init(&b);
  /* Runs of plain bytes are copied whole: bodies reach 1 MiB and this is on
   * the fuzzing phase's hot path. */
  static const char hex[] = "0123456789abcdef";
  /* Room for the common case (nothing escaped) at once. */
  int rc = len < SIZE_MAX - 3 ? wc_buf_reserve(&b, len + 2) : -1;
  if (rc == 0) rc = wc_buf_append(&b, "\"", 1);
  for (size_t i = 0; rc == 0 && i < len; i++) {
    size_t run = i;
    while (run < len && (unsigned char)text[run] >= 0x20 && text[run] != '"' && text[run] != '\\') run++;
    if (run > i) {
      rc = wc_buf_append(&b, text + i, run - i);
      i = run - 1;
      continue;
    }
    unsigned char c = (unsigned char)text[i];
    char esc[6] = {'\\', (char)c};
    size_t n = 2;
    if (c == '\n') esc[1] = 'n';
    else if (c == '\r') esc[1] = 'r';
    else if (c == '\t') esc[1] = 't';
    else if (c != '"' && c != '\\') /* a control: \u00XX */
      esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15], n = 6;
    rc = wc_buf_append(&b, esc, n);
  }
  if (rc == 0) rc = wc_buf_append(&b, "\"", 1);
  if (rc != 0) {
    wc_buf_free(&b);
    return NULL;
  }
  return wc_buf_steal(&b);
}

char *gen_repeat(char c, size_t n) {
  char *s = malloc(n + 1);
  if (!s) return NULL;
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

size_t gen_utf8_seq(const unsigned char *s, size_t len) {
  if (len == 0) return 0;
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t n;
  unsigned min;
  unsigned cp;
  if ((c & 0xE0) == 0xC0) n = 2, min = 0x80, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, min = 0x800, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, min = 0x10000, cp = c & 0x07;
  else return 0;
  if (len < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool gen_utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    size_t n = gen_utf8_seq(p + i, len - i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

/* A member name as cJSON_PrintUnformatted writes it. */
static int print_key(wc_buf *b, const char *key) {
  int rc = wc_buf_append(b, "\"", 1);
  for (const char *p = key ? key : ""; rc == 0 && *p; p++) {
    unsigned char c = (unsigned char)*p;
    const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
                    : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
    if (esc) rc = wc_buf_puts(b, esc);
    else if (c < 0x20) rc = wc_buf_printf(b, "\\u%04x", c);
    else rc = wc_buf_append(b, p, 1);
  }
  return rc == 0 ? wc_buf_append(b, "\"", 1) : rc;
}

/* Objects and raw leaves are written here (the trees are made of them);
 * anything else as cJSON prints it. */
static int print_node(wc_buf *b, const cJSON *node) {
  if (cJSON_IsRaw(node)) return node->valuestring ? wc_buf_puts(b, node->valuestring) : -1;
  if (cJSON_IsObject(node)) {
    int rc = wc_buf_append(b, "{", 1);
    for (const cJSON *m = node->child; rc == 0 && m; m = m->next) {
      rc = print_key(b, m->string);
      if (rc == 0) rc = wc_buf_append(b, ":", 1);
      if (rc == 0) rc = print_node(b, m);
      if (rc == 0 && m->next) rc = wc_buf_append(b, ",", 1);
    }
    return rc == 0 ? wc_buf_append(b, "}", 1) : rc;
  }
  char *text = cJSON_PrintUnformatted(node);
  int rc = text ? wc_buf_puts(b, text) : -1;
  cJSON_free(text);
  return rc;
}

/* The same bytes as cJSON_PrintUnformatted, without its copies: a body is
 * printed for every generated request, and with cJSON's allocator hooks
 * installed (the JSON arena) cJSON grows its buffer by copying instead of
 * realloc. */
char *gen_print(const cJSON *tree, size_t *len) {
  wc_buf b;
  wc_buf_init(&b);
  if (!tree || print_node(&b, tree) != 0 || !b.data) {
    wc_buf_free(&b);
    return NULL;
  }
  if (len) *len = b.len;
  return wc_buf_steal(&b);
}

cJSON *gen_positive_value(const wc_gen *gen, size_t member, const char *text) {
  unsigned t = gen->members[member].types;
  if (t & GEN_T_OBJECT) {
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = member + 1; obj && i < gen->member_count; i++)
      if (gen->members[i].parent == member) {
        cJSON *child = gen_positive_value(gen, i, text);
        if (!child || !cJSON_AddItemToObject(obj, gen->members[i].name, child)) {
          cJSON_Delete(child);
          cJSON_Delete(obj);
          return NULL;
        }
      }
    return obj;
  }
  if (t & GEN_T_STRING) {
    const char *s = text ? text : "whopconf";
    char *q = gen_json_quote(s, strlen(s));
    cJSON *leaf = q ? cJSON_CreateRaw(q) : NULL;
    free(q);
    return leaf;
  }
  return cJSON_CreateRaw(t & GEN_T_INTEGER ? "1" : t & GEN_T_NUMBER ? "1.5" : t & GEN_T_BOOLEAN ? "true"
                         : t & GEN_T_ARRAY ? "[]" : "null");
}

/* The object that holds member inside body, created (with its ancestors)
 * when absent. */
cJSON *gen_parent_object(const wc_gen *gen, cJSON *body, size_t member) {
  size_t parent = gen->members[member].parent;
  if (parent == GEN_ROOT) return body;
  cJSON *outer = gen_parent_object(gen, body, parent);
  if (!outer) return NULL;
  cJSON *obj = cJSON_GetObjectItemCaseSensitive(outer, gen->members[parent].name);
  if (cJSON_IsObject(obj)) return obj;
  obj = cJSON_CreateObject();
  if (!obj) return NULL;
  if (!cJSON_HasObjectItem(outer, gen->members[parent].name)) {
    if (!cJSON_AddItemToObject(outer, gen->members[parent].name, obj)) {
      cJSON_Delete(obj);
      return NULL;
    }
  } else if (!cJSON_ReplaceItemInObjectCaseSensitive(outer, gen->members[parent].name, obj)) {
    cJSON_Delete(obj);
    return NULL;
  }
  return obj;
}

int gen_body_put(const wc_gen *gen, cJSON *body, size_t member, const char *raw_json) {
  cJSON *obj = gen_parent_object(gen, body, member);
  cJSON *leaf = cJSON_CreateRaw(raw_json);
  if (!obj || !leaf) {
    cJSON_Delete(leaf);
    return -1;
  }
  const char *name = gen->members[member].name;
  bool ok = cJSON_HasObjectItem(obj, name) ? cJSON_ReplaceItemInObjectCaseSensitive(obj, name, leaf)
                                           : cJSON_AddItemToObject(obj, name, leaf);
  if (!ok) cJSON_Delete(leaf);
  return ok ? 0 : -1;
}

cJSON *gen_body_with(const wc_gen *gen, size_t member, const char *raw_json) {
  cJSON *body = cJSON_CreateObject();
  if (body && gen_body_put(gen, body, member, raw_json) != 0) {
    cJSON_Delete(body);
    return NULL;
  }
  return body;
}

/* ---- PRNG: splitmix64, keyed by (seed, index) ------------------------- */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t gen_mix(uint64_t seed, uint64_t index, uint64_t stream) {
  uint64_t x = seed;
  uint64_t a = splitmix64(&x) ^ index;
  uint64_t b = splitmix64(&a) ^ stream;
  return splitmix64(&b);
}

void gen_rng_init(gen_rng *rng, uint64_t seed, uint64_t index) { rng->state = gen_mix(seed, index, 0); }

uint64_t gen_rng_next(gen_rng *rng) { return splitmix64(&rng->state); }

size_t gen_rng_below(gen_rng *rng, size_t n) { return n ? (size_t)(gen_rng_next(rng) % n) : 0; }
