# The validator: the JSON-Schema-Test-Suite runner and `whopconf validate`.

# jsts-runner DIR [--skip FILE]: one line per suite test, then the totals;
# fails when a test that is not on the skip list fails.
add_executable(jsts-runner ${PROJECT_SOURCE_DIR}/tests/jsts_runner.c)
target_link_libraries(jsts-runner PRIVATE whopconf_core)
set_target_properties(jsts-runner PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
add_test(NAME jsts
         COMMAND jsts-runner ${PROJECT_SOURCE_DIR}/tests/jsts/draft2020-12
                 --skip ${PROJECT_SOURCE_DIR}/tests/jsts/skip-draft2020-12.txt)
set_tests_properties(jsts PROPERTIES TIMEOUT 300)

# `whopconf validate` on the fixtures of tests/fixtures/validate: each
# NAME.json (or NAME.bin) has NAME.expect, holding the expected exit status
# and stdout, and optionally NAME.args with extra arguments.
add_test(NAME validate_cli
         COMMAND ${CMAKE_COMMAND} -DWHOPCONF=$<TARGET_FILE:whopconf>
                 -DFIXTURES=${PROJECT_SOURCE_DIR}/tests/fixtures/validate
                 -P ${PROJECT_SOURCE_DIR}/tests/fixtures/validate/check.cmake)
set_tests_properties(validate_cli PROPERTIES TIMEOUT 120)
