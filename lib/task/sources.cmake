# Sources of lib/task/ (explicit: a new file is added here, nothing is globbed).
set(BIMT_TASK_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/task.c
  ${CMAKE_CURRENT_LIST_DIR}/task_delaydm.c
  ${CMAKE_CURRENT_LIST_DIR}/task_dm.c
  ${CMAKE_CURRENT_LIST_DIR}/task_goanti.c
  ${CMAKE_CURRENT_LIST_DIR}/task_match.c
  ${CMAKE_CURRENT_LIST_DIR}/task_noise.c
  ${CMAKE_CURRENT_LIST_DIR}/task_perf.c
  ${CMAKE_CURRENT_LIST_DIR}/task_render.c
)
