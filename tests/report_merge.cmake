# `whopconf report merge` (issue 12, shards): tests beyond test_report_merge.c.
#   report_merge   two runs and two fuzz shards merged into every format, each
#                  validated; argument order; a faulty server; --force;
#                  unreadable and incompatible input. Needs bash, xmllint and
#                  python3 (scripts/install-deps.sh).
add_test(NAME report_merge
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/report_merge.sh $<TARGET_FILE:whopconf> ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/report-merge)
set_tests_properties(report_merge PROPERTIES TIMEOUT 300)
