# Sources of lib/report/ (explicit: a new file is added here, nothing is globbed).
set(BIMT_REPORT_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/plot_charts.c
  ${CMAKE_CURRENT_LIST_DIR}/plot_grid.c
  ${CMAKE_CURRENT_LIST_DIR}/report.c
  ${CMAKE_CURRENT_LIST_DIR}/report_html.c
  ${CMAKE_CURRENT_LIST_DIR}/report_json.c
  ${CMAKE_CURRENT_LIST_DIR}/svg.c
)
