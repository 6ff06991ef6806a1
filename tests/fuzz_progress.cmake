# whopconf fuzz as a command (issue 12):
#   fuzz_progress  the progress line appears on a terminal (script(1)) and
#                  nowhere when stdout and stderr are files
add_test(NAME fuzz_progress COMMAND bash ${PROJECT_SOURCE_DIR}/tests/fuzz_progress.sh $<TARGET_FILE:whopconf>)
set_tests_properties(fuzz_progress PROPERTIES TIMEOUT 600)
