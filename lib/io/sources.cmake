# Sources of lib/io/ (explicit: a new file is added here, nothing is globbed).
set(BIMT_IO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/npz.c
)
