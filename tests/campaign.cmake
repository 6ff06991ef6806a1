# whopconf fuzz (issue 12): the narrow-fault matrix.
#   fuzz_matrix  every narrow fault x 3 seeds exits 1 with its requirement
#                failed (minimal reproducers checked); every lenient option
#                and the fault-free server exit 0 without a MUST failure
#   fuzz_cli     the stateful phase's model against its two faults and the plain
#                server, no write without --allow-writes (server log), journal
#                recovery after a killed fuzz, same seed -> same reports
find_program(WC_BASH bash)
find_program(WC_PYTHON3 python3)
if(WC_BASH AND WC_PYTHON3)
  add_test(NAME fuzz_matrix
           COMMAND ${WC_BASH} ${PROJECT_SOURCE_DIR}/tests/fuzz_matrix.sh $<TARGET_FILE:whopconf>
                   ${PROJECT_BINARY_DIR}/fuzz_matrix)
  set_tests_properties(fuzz_matrix PROPERTIES TIMEOUT 900)
  add_test(NAME fuzz_cli
           COMMAND ${WC_BASH} ${PROJECT_SOURCE_DIR}/tests/fuzz_cli.sh $<TARGET_FILE:whopconf>
                   ${PROJECT_BINARY_DIR}/fuzz_cli)
  set_tests_properties(fuzz_cli PROPERTIES TIMEOUT 600)
endif()
