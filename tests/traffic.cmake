# Traffic (issue 13): tests beyond the Criterion binaries test_traffic_*.c.
#   traffic_check_cli   `whopconf check` on traffic a Python client recorded
#                       against `whopconf serve` (plain, faulty), malformed files
add_test(NAME traffic_check_cli
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/traffic/check_cli.sh $<TARGET_FILE:whopconf> ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/traffic-check)
set_tests_properties(traffic_check_cli PROPERTIES TIMEOUT 300)
