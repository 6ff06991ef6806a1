# Fuzzing in ctest (see docs/fuzzing.md). In the normal and ASan builds the
# fuzz targets are corpus replayers (fuzz/replay_main.c):
#   fuzz_seeds_<t>        every seed in corpus/<t>/ runs clean
#   fuzz_regressions_<t>  every saved crash in corpus/regressions/<t>/ runs
#                         clean (those in fuzz/known-open.txt are reported,
#                         not failed)
#   fuzz_framing_<t>      no seed is rejected by the target's own framing
# In the release build only (they build their own trees with clang):
#   fuzz_smoke                  a bounded libFuzzer run of every target
#   fuzz_clusterfuzzlite_build  .clusterfuzzlite/build.sh run as OSS-Fuzz would
#   fuzz_coverage_goal          the corpora alone still reach >= 90% of the
#                               lines of the builder, response parser, strict
#                               JSON and validator (make fuzz-coverage);
#   fuzz_coverage_goal_catches_a_drop  the same check over an empty corpus
#                               fails, saying BELOW 90%
include(${PROJECT_SOURCE_DIR}/fuzz/targets.cmake)
if(NOT WHOPCONF_FUZZ AND NOT WHOPCONF_COVERAGE)
  set(wc_known_open ${PROJECT_SOURCE_DIR}/fuzz/known-open.txt)
  foreach(t ${WC_FUZZ_TARGETS})
    add_test(NAME fuzz_seeds_${t} COMMAND fuzz_${t} --known-open ${wc_known_open} ${PROJECT_SOURCE_DIR}/corpus/${t})
    add_test(NAME fuzz_regressions_${t}
             COMMAND fuzz_${t} --known-open ${wc_known_open} ${PROJECT_SOURCE_DIR}/corpus/regressions/${t})
    add_test(NAME fuzz_framing_${t} COMMAND fuzz_${t} --check-framing ${PROJECT_SOURCE_DIR}/corpus/${t})
    set_tests_properties(fuzz_seeds_${t} fuzz_regressions_${t} PROPERTIES TIMEOUT 600)
  endforeach()
  if(NOT WHOPCONF_SANITIZE)
    add_test(NAME fuzz_smoke COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/smoke.sh ${PROJECT_BINARY_DIR}/fuzz-smoke)
    set_tests_properties(fuzz_smoke PROPERTIES TIMEOUT 1500 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
    add_test(NAME fuzz_clusterfuzzlite_build
             COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/check_cfl_build.sh ${PROJECT_BINARY_DIR}/cfl)
    set_tests_properties(fuzz_clusterfuzzlite_build PROPERTIES TIMEOUT 1500 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
    add_test(NAME fuzz_coverage_goal COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/coverage.sh)
    set_tests_properties(fuzz_coverage_goal PROPERTIES ENVIRONMENT "COV_BUILD=${PROJECT_BINARY_DIR}/fuzz-cov"
                         TIMEOUT 1500 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
    # ...and the goal check itself fails when the corpora reach too little:
    # the same run over an empty corpus must exit 1 saying BELOW.
    file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz-cov-empty-corpus)
    add_test(NAME fuzz_coverage_goal_catches_a_drop
             COMMAND bash -c "out=$(bash '${PROJECT_SOURCE_DIR}/fuzz/coverage.sh'); rc=$?; echo \"$out\" | tail -6; \
[ $rc -eq 77 ] && exit 77; [ $rc -eq 1 ] && echo \"$out\" | grep -q 'request builder .*BELOW 90%'")
    set_tests_properties(fuzz_coverage_goal_catches_a_drop PROPERTIES
                         ENVIRONMENT "COV_BUILD=${PROJECT_BINARY_DIR}/fuzz-cov;COV_CORPUS=${PROJECT_BINARY_DIR}/fuzz-cov-empty-corpus"
                         TIMEOUT 1500 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE DEPENDS fuzz_coverage_goal)
  endif()
endif()
