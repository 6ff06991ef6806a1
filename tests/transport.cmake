# The transport: test_transport runs once more with libcurl carrying every
# request (test_transport.c built with TX_HTTP_CLIENT=WC_HTTP_CLIENT_CURL),
# so both engines meet the same failure kinds, limits and timings.
add_executable(test_transport_curl ${PROJECT_SOURCE_DIR}/tests/test_transport.c)
target_compile_definitions(test_transport_curl PRIVATE TX_HTTP_CLIENT=WC_HTTP_CLIENT_CURL)
target_link_libraries(test_transport_curl PRIVATE wc_test_support)
add_test(NAME test_transport_curl COMMAND test_transport_curl --jobs=2)
set_tests_properties(test_transport_curl PROPERTIES TIMEOUT 600)
