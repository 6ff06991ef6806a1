# whopconf run: end-to-end tests, the fault matrix and the Prism comparison.
# (Unit tests of the checks are tests/test_checks.c and tests/test_runner.c.)
find_program(WC_BASH bash)
find_program(WC_PYTHON3 python3)

if(WC_BASH AND WC_PYTHON3)
  add_test(NAME run_end_to_end
           COMMAND ${WC_BASH} ${PROJECT_SOURCE_DIR}/tests/run_e2e.sh $<TARGET_FILE:whopconf>
                   ${PROJECT_BINARY_DIR}/run_end_to_end ${PROJECT_SOURCE_DIR})
  set_tests_properties(run_end_to_end PROPERTIES TIMEOUT 600)

  add_test(NAME fault_matrix
           COMMAND ${WC_BASH} ${PROJECT_SOURCE_DIR}/tests/fault_matrix.sh $<TARGET_FILE:whopconf>
                   ${PROJECT_BINARY_DIR}/fault_matrix)
  set_tests_properties(fault_matrix PROPERTIES TIMEOUT 1200)

  # Skips (77) when Node.js, npm or the registry is not available.
  add_test(NAME prism_mock
           COMMAND ${WC_BASH} ${PROJECT_SOURCE_DIR}/tests/prism/prism_mock.sh $<TARGET_FILE:whopconf>
                   ${PROJECT_SOURCE_DIR}/spec/openapi.yml ${PROJECT_BINARY_DIR}/prism_mock)
  set_tests_properties(prism_mock PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
else()
  message(STATUS "whopconf: bash or python3 missing, run_end_to_end/fault_matrix/prism_mock not registered")
endif()
