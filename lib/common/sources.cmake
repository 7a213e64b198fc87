# Sources of lib/common/ (explicit: a new file is added here, nothing is globbed).
set(BIMT_COMMON_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/bigbuf.c
  ${CMAKE_CURRENT_LIST_DIR}/blas.c
  ${CMAKE_CURRENT_LIST_DIR}/crc32.c
  ${CMAKE_CURRENT_LIST_DIR}/mode_pick.c
  ${CMAKE_CURRENT_LIST_DIR}/pool.c
  ${CMAKE_CURRENT_LIST_DIR}/rng.c
  ${CMAKE_CURRENT_LIST_DIR}/status.c
)
