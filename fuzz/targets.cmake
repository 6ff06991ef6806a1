# The fuzz targets (fuzz/fuzz_<name>.c), one list for CMake (fuzz/CMakeLists.txt,
# tests/fuzz.cmake) and for .clusterfuzzlite/build.sh, which reads the line below.
set(WC_FUZZ_TARGETS spec_loader json_strict user_validator json_schema response_parser request_builder url_join har generator shrinker http1 report_stream)
# Targets that validate or read the contract link fuzz/fuzz_schemas.c (the
# embedded spec and the compiled User schema).
set(WC_FUZZ_SCHEMAS_user_validator ON)
set(WC_FUZZ_SCHEMAS_response_parser ON)
# The generator and the shrinker read the embedded contract through it too.
set(WC_FUZZ_SCHEMAS_generator ON)
set(WC_FUZZ_SCHEMAS_shrinker ON)
