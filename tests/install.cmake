# `make install`: the installed tree works (install), and the man page and
# bash completion document everything `whopconf <command> --help` prints
# (man_page_matches_help).
find_program(WC_BASH bash)
find_program(WC_PYTHON3 python3)
find_program(WC_MAN man)

if(WC_BASH AND WC_PYTHON3 AND WC_MAN)
  add_test(NAME install
           COMMAND ${WC_BASH} ${PROJECT_SOURCE_DIR}/tests/install.sh ${PROJECT_BINARY_DIR}
                   ${PROJECT_BINARY_DIR}/install-test)
  set_tests_properties(install PROPERTIES TIMEOUT 300)

  add_test(NAME man_page_matches_help
           COMMAND ${WC_PYTHON3} ${PROJECT_SOURCE_DIR}/tests/man_page_matches_help.py $<TARGET_FILE:whopconf>
                   ${PROJECT_SOURCE_DIR}/docs/whopconf.1 ${PROJECT_SOURCE_DIR}/harness/cli/whopconf.bash)
  set_tests_properties(man_page_matches_help PROPERTIES TIMEOUT 120)
else()
  message(STATUS "whopconf: bash, python3 or man missing, install/man_page_matches_help not registered")
endif()
