/* The contract's Api-Version-Date knowledge (versions.h), and the docs that
 * repeat the default list for readers: they must say what the code does. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/common.h"
#include "whopconf/versions.h"

Test(versions, default_list_is_sorted_and_well_formed) {
  size_t n = wc_default_version_count();
  cr_assert_geq(n, 2);
  for (size_t i = 0; i < n; i++) {
    cr_assert(wc_version_well_formed(wc_default_version(i)), "%s", wc_default_version(i));
    if (i) cr_assert_gt(strcmp(wc_default_version(i), wc_default_version(i - 1)), 0);
  }
  cr_assert_null(wc_default_version(n));
  size_t count = 0;
  const char *const *list = wc_versions_or_default(NULL, &count);
  cr_assert_eq(count, n);
  cr_assert_str_eq(wc_version_newest(list, count), wc_default_version(n - 1));
  cr_assert_str_eq(WC_DEFAULT_VERSIONS_TEXT, "2025-01-01 2026-06-08 2026-06-09 2026-06-20 2026-07-01");
}

Test(versions, configured_list_replaces_the_default) {
  const char *mine[] = {"2026-07-08-1", "2026-07-08", "2025-01-01"};
  size_t count = 3;
  cr_assert_eq(wc_versions_or_default(mine, &count), mine);
  cr_assert_eq(count, 3);
  cr_assert_str_eq(wc_version_newest(mine, 3), "2026-07-08-1");
  cr_assert_null(wc_version_newest(mine, 0));
  cr_assert(wc_version_listed(mine, 3, "2026-07-08"));
  cr_assert_not(wc_version_listed(mine, 3, "2026-07-01"));
  cr_assert_not(wc_version_listed(mine, 3, "2026-07-08 "));
  cr_assert_not(wc_version_listed(mine, 3, NULL));
  cr_assert_not(wc_version_listed(NULL, 0, "2025-01-01"));
}

Test(versions, what_a_version_date_looks_like) {
  static const char *const good[] = {"2025-01-01", "2024-02-29", "2000-02-29", "2026-07-08-1", "2026-07-08-123",
                                     "2099-12-31"};
  static const char *const bad[] = {"",           "2025-1-01",   "2025-01-1",      "20250101",   "2025-13-01",
                                    "2025-00-10", "2025-01-00",  "2025-02-29",     "1900-02-29", "2026-04-31",
                                    "2026-07-08-", "2026-07-08-1234", "2026-07-08-rc1", "2026-07-08T00:00:00Z",
                                    " 2026-07-08", "2026-07-08 ", "２026-07-08",    "abcd-ef-gh"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    cr_assert(wc_version_well_formed(good[i]), "%s should be well-formed", good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_not(wc_version_well_formed(bad[i]), "'%s' should be malformed", bad[i]);
  cr_assert_not(wc_version_well_formed(NULL));
  cr_assert_eq(wc_version_prefix_len("2026-07-01, 2026-07-08-2."), 10);
  cr_assert_eq(wc_version_prefix_len("2026-07-08-2."), 12);
  cr_assert_eq(wc_version_prefix_len("2026-07-08-12345"), 14);
  cr_assert_eq(wc_version_prefix_len("2026-02-30"), 0);
  cr_assert_eq(wc_version_prefix_len(NULL), 0);
}

/* The line of a document holding marker, or NULL; malloc'd. */
static char *doc_line(const char *path, const char *marker) {
  wc_err err;
  char *text = wc_read_file(path, 0, NULL, &err);
  cr_assert_not_null(text, "%s", err.msg);
  char *hit = strstr(text, marker);
  char *line = NULL;
  if (hit) {
    while (hit > text && hit[-1] != '\n') hit--;
    line = wc_strndup(hit, strcspn(hit, "\n"));
  }
  free(text);
  return line;
}

Test(versions, docs_run_md_lists_the_default_versions) {
  char *line = doc_line(WC_SOURCE_DIR "/docs/run.md", "| `--known-version DATE` |");
  cr_assert_not_null(line, "docs/run.md has no row for --known-version");
  cr_assert_not_null(strstr(line, "default `" WC_DEFAULT_VERSIONS_TEXT "`"),
                     "docs/run.md's --known-version row does not give the default list `%s`: %s",
                     WC_DEFAULT_VERSIONS_TEXT, line);
  free(line);
}

Test(versions, docs_refserver_md_lists_the_default_versions) {
  wc_buf want;
  wc_buf_init(&want);
  wc_buf_puts(&want, "default ");
  for (size_t i = 0; i < wc_default_version_count(); i++)
    wc_buf_printf(&want, "%s`%s`", i ? ", " : "", wc_default_version(i));
  wc_err err;
  char *text = wc_read_file(WC_SOURCE_DIR "/docs/refserver.md", 0, NULL, &err);
  cr_assert_not_null(text, "%s", err.msg);
  /* The list is wrapped: compare with line breaks as spaces. */
  for (char *p = text; *p; p++)
    if (*p == '\n') *p = ' ';
  for (char *p = text; *p; p++)
    while (p[0] == ' ' && p[1] == ' ') memmove(p, p + 1, strlen(p));
  cr_assert_not_null(strstr(text, want.data), "docs/refserver.md does not give the default list as: %s", want.data);
  free(text);
  wc_buf_free(&want);
}
