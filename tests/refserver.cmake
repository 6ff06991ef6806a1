# Reference-server tests beyond the Criterion executables (see tests/test_refserver*.c).

# test_refserver_serve runs the real binary.
if(TARGET test_refserver_serve)
  add_dependencies(test_refserver_serve whopconf)
endif()

# A real client written by someone else: the official TypeScript SDK from the
# npm registry against `whopconf serve`. Skipped (77) with the reason printed
# when Node.js, npm or the registry is unavailable.
add_test(NAME sdk_node
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/sdk/sdk_test.sh $<TARGET_FILE:whopconf>)
set_tests_properties(sdk_node PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
