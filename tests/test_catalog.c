/* The lists written once as X-macro tables (catalog.h, common.h,
 * transport.h, observations.h): the requirement ids the code names and the
 * catalogue rows agree, and every enumerator has its own name. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/catalog.h"
#include "whopconf/common.h"
#include "whopconf/observations.h"
#include "whopconf/transport.h"

#define CATALOG_H WC_SOURCE_DIR "/harness/include/whopconf/catalog.h"

/* The rows name their id through WC_REQ_<name>, so a row without its
 * define does not compile; the other way round (an id the code can name but
 * the catalogue does not list) only a reading of the header shows. */
Test(catalogue, every_id_define_has_a_row) {
  wc_err err;
  char *text = wc_read_file(CATALOG_H, 0, NULL, &err);
  cr_assert_not_null(text, "%s", err.msg);
  regex_t re;
  cr_assert_eq(regcomp(&re, "^#define WC_REQ_[A-Z0-9_]+ \"([^\"]*)\"", REG_EXTENDED | REG_NEWLINE), 0);
  size_t defines = 0;
  regmatch_t m[2];
  for (const char *p = text; regexec(&re, p, 2, m, p == text ? 0 : REG_NOTBOL) == 0; p += m[0].rm_eo) {
    char id[32];
    snprintf(id, sizeof id, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), p + m[1].rm_so);
    cr_assert_not_null(wc_catalog_find(id), "%s is defined in catalog.h but has no catalogue row", id);
    defines++;
  }
  regfree(&re);
  free(text);
  cr_assert_eq(defines, wc_catalog_count(), "%zu ids defined, %zu rows", defines, wc_catalog_count());
}

Test(catalogue, ids_are_unique_and_well_formed) {
  regex_t re;
  cr_assert_eq(regcomp(&re, "^WC-(US|DM|VER|ERR|UPD|TR|CL)-[0-9]{3}$", REG_EXTENDED | REG_NOSUB), 0);
  for (size_t i = 0; i < wc_catalog_count(); i++) {
    const wc_requirement *r = wc_catalog_get(i);
    cr_assert_eq(regexec(&re, r->id, 0, NULL, 0), 0, "%s", r->id);
    cr_assert_eq(wc_catalog_find(r->id), r, "%s is listed twice", r->id);
    cr_assert(r->title && *r->title && r->source && *r->source && r->spec_pointer[0] == '#', "%s", r->id);
    cr_assert_str_neq(wc_family_title(r->family), r->family, "%s: unknown family %s", r->id, r->family);
  }
  regfree(&re);
  cr_assert_str_eq(wc_catalog_get(0)->id, WC_REQ_USER_SCHEMA);
  cr_assert_eq(wc_catalog_find(WC_REQ_TOTAL_NULL)->level, WC_LEVEL_SHOULD);
  cr_assert_null(wc_catalog_get(wc_catalog_count()));
}

Test(names, every_transport_status_has_its_own_name) {
  cr_assert_str_eq(wc_xfer_status_name(WC_XFER_OK), "ok");
  cr_assert_str_eq(wc_xfer_status_name(WC_XFER_TIMEOUT_FIRST_BYTE), "timeout-first-byte");
  cr_assert_str_eq(wc_xfer_status_name(WC_XFER_OTHER), "other");
  cr_assert_str_eq(wc_xfer_status_name((wc_xfer_status)(WC_XFER_OTHER + 1)), "other");
  for (int a = WC_XFER_OK; a < WC_XFER_OTHER; a++)
    for (int b = a + 1; b <= WC_XFER_OTHER; b++)
      cr_assert_str_neq(wc_xfer_status_name((wc_xfer_status)a), wc_xfer_status_name((wc_xfer_status)b));
}

Test(names, every_error_code_has_its_own_name) {
  cr_assert_str_eq(wc_err_code_name(WC_OK), "ok");
  cr_assert_str_eq(wc_err_code_name(WC_E_NOMEM), "out-of-memory");
  cr_assert_str_eq(wc_err_code_name(WC_E_INTERNAL), "internal");
  cr_assert_str_eq(wc_err_code_name((wc_err_code)(WC_E_INTERNAL + 1)), "unknown");
  for (int a = WC_OK; a < WC_E_INTERNAL; a++)
    for (int b = a + 1; b <= WC_E_INTERNAL; b++)
      cr_assert_str_neq(wc_err_code_name((wc_err_code)a), wc_err_code_name((wc_err_code)b));
}

Test(names, every_observation_status_round_trips) {
  const wc_obs_status all[] = {WC_OBS_PASS, WC_OBS_FAIL, WC_OBS_WARN, WC_OBS_SKIP};
  const char *const names[] = {"pass", "fail", "warn", "skip"};
  for (size_t i = 0; i < 4; i++) {
    cr_assert_str_eq(wc_obs_status_name(all[i]), names[i]);
    cr_assert_eq(wc_obs_status_parse(names[i]), (int)all[i]);
  }
  cr_assert_eq(wc_obs_status_parse("PASS"), -1);
  cr_assert_eq(wc_obs_status_parse(NULL), -1);
  cr_assert_str_eq(wc_obs_status_name((wc_obs_status)(WC_OBS_SKIP + 1)), "skip");
}
