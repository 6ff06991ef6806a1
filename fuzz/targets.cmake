# The fuzz targets and the harness modules each one exercises. A target is
# built (and its corpus replayed by ctest) once every module it needs exists:
# the modules are written in parallel and this keeps the shared build green.
# Included by fuzz/CMakeLists.txt and tests/fuzz.cmake; sets WC_FUZZ_BUILT.
set(WC_FUZZ_TARGETS spec_loader json_strict user_validator json_schema response_parser request_builder url_join)
set(WC_FUZZ_NEEDS_spec_loader spec.c spec_yaml.c)
set(WC_FUZZ_NEEDS_json_strict json_strict.c)
set(WC_FUZZ_NEEDS_user_validator json_strict.c schema.c spec.c)
set(WC_FUZZ_NEEDS_json_schema json_strict.c schema.c)
set(WC_FUZZ_NEEDS_response_parser response.c json_strict.c schema.c spec.c)
set(WC_FUZZ_NEEDS_request_builder request.c json_strict.c)
set(WC_FUZZ_NEEDS_url_join request.c)
# Targets that validate link fuzz/fuzz_schemas.c (the compiled User schema).
set(WC_FUZZ_SCHEMAS_user_validator ON)
set(WC_FUZZ_SCHEMAS_response_parser ON)

set(WC_FUZZ_BUILT "")
foreach(t ${WC_FUZZ_TARGETS})
  set(ok ON)
  foreach(src ${WC_FUZZ_NEEDS_${t}})
    if(NOT EXISTS ${PROJECT_SOURCE_DIR}/harness/src/${src})
      set(ok OFF)
    endif()
  endforeach()
  if(ok AND EXISTS ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${t}.c)
    list(APPEND WC_FUZZ_BUILT ${t})
  endif()
endforeach()
