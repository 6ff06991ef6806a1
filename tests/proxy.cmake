# The validating proxy: tests beyond test_proxy*.c.
#   proxy_cli  `whopconf proxy` in front of `whopconf serve`: first line, reports at
#              --duration / --report-every / SIGTERM, exit codes 0-3, no credential written
#   proxy_sdk  the official @whop/sdk through the proxy (skipped, 77, without Node or the
#              npm registry)
add_test(NAME proxy_cli COMMAND bash ${PROJECT_SOURCE_DIR}/tests/proxy_cli.sh $<TARGET_FILE:whopconf>)
set_tests_properties(proxy_cli PROPERTIES TIMEOUT 120)
add_test(NAME proxy_sdk COMMAND bash ${PROJECT_SOURCE_DIR}/tests/sdk/proxy_sdk_test.sh $<TARGET_FILE:whopconf>)
set_tests_properties(proxy_sdk PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
