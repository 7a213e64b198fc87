# Sources of lib/analysis/ (explicit: a new file is added here, nothing is globbed).
set(BIMT_ANALYSIS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/anatomy.c
  ${CMAKE_CURRENT_LIST_DIR}/centrality.c
  ${CMAKE_CURRENT_LIST_DIR}/cluster.c
  ${CMAKE_CURRENT_LIST_DIR}/kmeans.c
  ${CMAKE_CURRENT_LIST_DIR}/variance.c
  ${CMAKE_CURRENT_LIST_DIR}/wiring.c
)
