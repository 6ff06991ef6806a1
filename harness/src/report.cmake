# The HTML report's template, styles and script (reports/templates/), embedded
# in whopconf_core so report.html is self-contained and the binary needs no
# data files at run time. Symbols: wc_report_<html|css|js>_template[_len].
foreach(asset html css js)
  wc_embed_file(${PROJECT_SOURCE_DIR}/reports/templates/report.${asset} wc_report_${asset}_template
                ${CMAKE_CURRENT_BINARY_DIR}/embedded_report_${asset}.c)
  list(APPEND WC_EMBEDDED ${CMAKE_CURRENT_BINARY_DIR}/embedded_report_${asset}.c)
endforeach()
