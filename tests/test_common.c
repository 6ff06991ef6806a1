/* The shared utilities of common.h that replaced per-module copies: UTF-8,
 * hex digits, paths, directories, atomic writes, JSON members, the clock. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "whopconf/common.h"

static size_t decode(const char *bytes, size_t len, uint32_t *cp, size_t *bad) {
  *cp = 0xFFFFFFFFu;
  *bad = 99;
  return wc_utf8_decode((const unsigned char *)bytes, len, cp, bad);
}

Test(utf8, well_formed_characters) {
  static const struct {
    const char *bytes;
    size_t len;
    uint32_t cp;
  } good[] = {
      {"A", 1, 0x41},           {"\0", 1, 0},                  {"\xC2\x80", 2, 0x80},
      {"\xDF\xBF", 2, 0x7FF},   {"\xE0\xA0\x80", 3, 0x800},    {"\xED\x9F\xBF", 3, 0xD7FF},
      {"\xEE\x80\x80", 3, 0xE000}, {"\xEF\xBF\xBF", 3, 0xFFFF}, {"\xF0\x90\x80\x80", 4, 0x10000},
      {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    uint32_t cp;
    size_t bad;
    cr_assert_eq(decode(good[i].bytes, good[i].len, &cp, &bad), good[i].len, "entry %zu", i);
    cr_assert_eq(cp, good[i].cp, "entry %zu: U+%04X", i, (unsigned)cp);
  }
  cr_assert_eq(wc_utf8_decode((const unsigned char *)"\xE2\x82\xAC", 3, NULL, NULL), 3);
}

/* Each ill-formed input with the offset of the byte that breaks it. */
Test(utf8, ill_formed_sequences_name_the_breaking_byte) {
  static const struct {
    const char *bytes;
    size_t len, bad;
  } ill[] = {
      {"\x80", 1, 0},             /* continuation without lead */
      {"\xC0\xAF", 2, 0},         /* overlong lead */
      {"\xC1\xBF", 2, 0},         {"\xF5\x80\x80\x80", 4, 0}, /* above U+10FFFF */
      {"\xFF", 1, 0},             {"\xE0\x9F\xBF", 3, 1},     /* overlong three-byte */
      {"\xED\xA0\x80", 3, 1},     /* surrogate */
      {"\xF0\x8F\xBF\xBF", 4, 1}, /* overlong four-byte */
      {"\xF4\x90\x80\x80", 4, 1}, /* above U+10FFFF */
      {"\xC2\x41", 2, 1},         {"\xE2\x82\x41", 3, 2},     {"\xF0\x90\x80\x41", 4, 3},
      {"\xC2", 1, 1},             {"\xE2\x82", 2, 2},          /* input ends inside */
      {"\xF0\x90\x80", 3, 3},     {"", 0, 0},
  };
  for (size_t i = 0; i < sizeof ill / sizeof ill[0]; i++) {
    uint32_t cp;
    size_t bad;
    cr_assert_eq(decode(ill[i].bytes, ill[i].len, &cp, &bad), 0, "entry %zu decoded", i);
    cr_assert_eq(bad, ill[i].bad, "entry %zu: bad at %zu, expected %zu", i, bad, ill[i].bad);
  }
  cr_assert_eq(wc_utf8_count("h\xC3\xA9llo \xF0\x9F\x98\x80"), 7);
  cr_assert_eq(wc_utf8_count(""), 0);
}

Test(hex, digit_values) {
  const char *digits = "0123456789abcdef";
  for (int i = 0; i < 16; i++) {
    cr_assert_eq(wc_hex_digit(digits[i]), i);
    cr_assert_eq(wc_hex_digit(toupper((unsigned char)digits[i])), i);
  }
  cr_assert_eq(wc_hex_digit('g'), -1);
  cr_assert_eq(wc_hex_digit('G'), -1);
  cr_assert_eq(wc_hex_digit('/'), -1);
  cr_assert_eq(wc_hex_digit(':'), -1);
  cr_assert_eq(wc_hex_digit(-62), -1); /* a signed char above 0x7F */
}

Test(files, mkdir_p_path_join_and_atomic_write) {
  char templ[] = "/tmp/wc-common-XXXXXX";
  cr_assert_not_null(mkdtemp(templ));
  char *deep = wc_path_join(templ, "a/b/c");
  cr_assert_str_eq(deep + strlen(templ), "/a/b/c");
  wc_err err;
  wc_err_clear(&err);
  cr_assert_eq(wc_mkdir_p(deep, &err), 0, "%s", err.msg);
  cr_assert_eq(wc_mkdir_p(deep, &err), 0, "an existing directory is fine: %s", err.msg);

  char *file = wc_path_join(deep, "out.json");
  cr_assert_eq(wc_write_file_atomic(file, "{\"a\":1}\n", 0600, &err), 0, "%s", err.msg);
  struct stat st;
  cr_assert_eq(stat(file, &st), 0);
  cr_assert_eq(st.st_mode & 0777, 0600);
  size_t len;
  char *text = wc_read_file(file, 0, &len, &err);
  cr_assert_str_eq(text, "{\"a\":1}\n");
  free(text);
  /* A leftover temporary file of a shareable mode is made private. */
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", file, (long)getpid());
  FILE *f = fopen(tmp, "w");
  fclose(f);
  chmod(tmp, 0644);
  cr_assert_eq(wc_write_file_atomic(file, "second", 0600, &err), 0, "%s", err.msg);
  cr_assert_eq(stat(file, &st), 0);
  cr_assert_eq(st.st_mode & 0777, 0600);
  cr_assert_neq(access(tmp, F_OK), 0, "the temporary file is renamed away");

  cr_assert_eq(wc_mkdir_p(file, &err), -1, "a file is not a directory");
  cr_assert_not_null(strstr(err.msg, "not a directory"), "%s", err.msg);
  char *below = wc_path_join(file, "x");
  cr_assert_eq(wc_mkdir_p(below, &err), -1);
  cr_assert_eq(err.code, WC_E_IO);
  cr_assert_eq(wc_write_file_atomic(below, "x", 0600, &err), -1);
  cr_assert_not_null(strstr(err.msg, "cannot write"), "%s", err.msg);

  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", templ);
  cr_assert_eq(system(cmd), 0);
  free(below);
  free(file);
  free(deep);
}

Test(json, members_by_type_with_defaults) {
  cJSON *o = cJSON_Parse("{\"s\":\"text\",\"n\":2.5,\"b\":true,\"S\":\"case\"}");
  cr_assert_str_eq(wc_json_str(o, "s", NULL), "text");
  cr_assert_null(wc_json_str(o, "n", NULL));
  cr_assert_str_eq(wc_json_str(o, "missing", "dflt"), "dflt");
  cr_assert_str_eq(wc_json_str(o, "S", NULL), "case");
  cr_assert_eq(wc_json_num(o, "n", 0), 2.5);
  cr_assert_eq(wc_json_num(o, "s", -1), -1);
  cr_assert_eq(wc_json_num(o, "b", 7), 7);
  cr_assert_null(wc_json_str(NULL, "s", NULL));
  cJSON *arr = cJSON_Parse("[\"s\"]");
  cr_assert_null(wc_json_str(arr, "s", NULL));
  cJSON_Delete(arr);
  cJSON_Delete(o);
}

Test(clock, monotonic_ms_does_not_go_back) {
  double a = wc_monotonic_ms();
  usleep(2000);
  double b = wc_monotonic_ms();
  cr_assert(isfinite(a) && b >= a + 1.0, "%f then %f", a, b);
}

/* wc_buf_printf formats in place when the text fits the room left and
 * grows the buffer when it does not: the result is the same text either
 * way, NUL-terminated, and reserve leaves room without changing it. */
Test(buf, printf_in_place_and_growing) {
  wc_buf b;
  wc_buf_init(&b);
  char want[4096] = "";
  size_t want_len = 0;
  for (int i = 0; i < 200; i++) {
    const char *word = i % 7 == 0 ? "a-much-longer-piece-of-text-that-crosses-the-room-left" : "x";
    cr_assert_eq(wc_buf_printf(&b, "%d:%s;", i, word), 0);
    want_len += (size_t)snprintf(want + want_len, sizeof want - want_len, "%d:%s;", i, word);
    cr_assert_eq(b.len, want_len, "step %d", i);
    cr_assert_str_eq(b.data, want, "step %d", i);
    cr_assert_lt(b.len, b.cap);
  }
  size_t cap = b.cap;
  cr_assert_eq(wc_buf_reserve(&b, cap), 0);
  cr_expect_geq(b.cap, b.len + cap + 1);
  cr_expect_str_eq(b.data, want, "reserve keeps the text");
  char *before = b.data;
  cr_assert_eq(wc_buf_printf(&b, "%s", "fits"), 0);
  cr_expect_eq(b.data, before, "no allocation when it fits");
  wc_buf_free(&b);
  wc_buf_init(&b);
  cr_assert_eq(wc_buf_printf(&b, "%s", ""), 0);
  cr_expect_str_eq(b.data, "");
  wc_buf_free(&b);
}
