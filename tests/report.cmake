# Reports: tests beyond the Criterion binaries test_report*.c.
#   report_cli           `whopconf report diff|render`: exit codes, output, files
#   ci_examples          examples/ci/*.yml are valid YAML and name only real flags
#   report_golden_run    a fixed fault-injected run renders to tests/golden/report/run
#   report_determinism   same seed, same server: byte-identical reports (masked)
#   report_canary        unique credentials reach no report file, stdout or stderr
#   report_fuzz_run      whopconf fuzz against a narrow fault: six valid formats, each
#                        distinct finding evidence of its requirement in all of them
#                        (tests/report_fuzz_check.py)
#   report_html_browser  report.html in headless Chromium (skipped, exit 77, when
#                        Chromium cannot be installed)
# The shell tests need bash, xmllint (libxml2-utils) and python3, all in
# scripts/install-deps.sh.

add_executable(ci_examples ${PROJECT_SOURCE_DIR}/tests/ci_examples.c)
target_link_libraries(ci_examples PRIVATE whopconf_core)

add_test(NAME ci_examples COMMAND ci_examples ${PROJECT_SOURCE_DIR} $<TARGET_FILE:whopconf>)

add_test(NAME report_cli
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/report_cli.sh $<TARGET_FILE:whopconf> ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/report-cli)

add_test(NAME report_golden_run
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/report_run.sh $<TARGET_FILE:whopconf> golden
                 ${PROJECT_SOURCE_DIR}/tests/golden/report/run)

add_test(NAME report_determinism
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/report_determinism.sh $<TARGET_FILE:whopconf>)

add_test(NAME report_canary COMMAND bash ${PROJECT_SOURCE_DIR}/tests/report_run.sh $<TARGET_FILE:whopconf> canary)

add_test(NAME report_fuzz_run COMMAND bash ${PROJECT_SOURCE_DIR}/tests/report_run.sh $<TARGET_FILE:whopconf> fuzz)

add_test(NAME report_html_browser
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/html_browser.sh $<TARGET_FILE:whopconf> ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/report-browser)

set_tests_properties(ci_examples report_cli PROPERTIES TIMEOUT 120)
set_tests_properties(report_golden_run report_determinism report_canary report_fuzz_run PROPERTIES TIMEOUT 600)
# Installing Chromium on a fresh machine takes a few minutes.
set_tests_properties(report_html_browser PROPERTIES TIMEOUT 1500 SKIP_RETURN_CODE 77)
