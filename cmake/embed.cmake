# wc_embed_file(<input> <symbol> <output.c>): turns a file into
#   const unsigned char <symbol>[]; const size_t <symbol>_len;
# regenerated whenever the input changes.
function(wc_embed_file input symbol output)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DSYMBOL=${symbol} -DOUTPUT=${output}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_script.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/embed_script.cmake
    COMMENT "Embedding ${input} as ${symbol}"
    VERBATIM)
endfunction()
