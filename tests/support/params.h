/* Test support: Criterion parameterized tests over a file-scope table, so
 * each entry is its own test run and a failure names the entry.
 *
 * Criterion runs every parameter in a fresh, re-executed worker (another
 * address layout), where a pointer copied from the runner - a string literal
 * in a table entry, say - is not valid. So the parameter is the entry's
 * index, and the test reads the entry from the table, which every process
 * has:
 *
 *   static const char *const dates[] = {"2024-12-31", "1999-01-01"};
 *   TABLE_PARAMETERS(versions, unknown_dates, dates)
 *   ParameterizedTest(const size_t *i, versions, unknown_dates) {
 *     const char *date = dates[*i];
 *     cr_assert(..., "%s: ...", date);   // name the entry in every message
 *   }
 */
#ifndef WHOPCONF_TESTS_PARAMS_H
#define WHOPCONF_TESTS_PARAMS_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stddef.h>

#define TABLE_LEN(table) (sizeof(table) / sizeof((table)[0]))

#define TABLE_PARAMETERS(suite, name, table)                                   \
  ParameterizedTestParameters(suite, name) {                                   \
    static size_t table_indices[TABLE_LEN(table)];                             \
    for (size_t table_i = 0; table_i < TABLE_LEN(table); table_i++)            \
      table_indices[table_i] = table_i;                                        \
    return cr_make_param_array(size_t, table_indices, TABLE_LEN(table));       \
  }

#endif
