# Traffic: tests beyond the Criterion binaries test_traffic_*.c.
#   traffic_check_cli   `whopconf check` on traffic a Python client recorded
#                       against `whopconf serve` (plain, faulty), malformed files
add_test(NAME traffic_check_cli
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/traffic/check_cli.sh $<TARGET_FILE:whopconf> ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/traffic-check)
set_tests_properties(traffic_check_cli PROPERTIES TIMEOUT 300)
#   traffic_browser_har headless Chromium's HAR (chrome-har-capturer over the
#                       DevTools protocol) of a page calling the API with fetch,
#                       clean against `serve`, failing against a faulty one
#                       (skipped, exit 77, without Chromium, Node or the registry)
add_test(NAME traffic_browser_har
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/traffic/browser.sh $<TARGET_FILE:whopconf> ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/traffic-browser)
set_tests_properties(traffic_browser_har PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
