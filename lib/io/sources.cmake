# Sources of lib/io/ (explicit: a new file is added here, nothing is globbed).
set(BIMT_IO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/atomic_file.c
  ${CMAKE_CURRENT_LIST_DIR}/json_write.c
  ${CMAKE_CURRENT_LIST_DIR}/npz_read.c
  ${CMAKE_CURRENT_LIST_DIR}/npz_write.c
  ${CMAKE_CURRENT_LIST_DIR}/textbuf.c
)
